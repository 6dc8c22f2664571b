"""The random-filter null: a histogram of its draws' top lifetimes, with the observed one marked."""

from numbers import Real

import numpy as np

from .._validation import HasMethods, Interval, validate_params
from ..homology import NullComparison

__all__ = ["NullDisplay", "plot_null"]

#: :func:`plot_null`'s parameters; :meth:`NullDisplay.plot` checks the same when it draws.
_CONSTRAINTS = {
    "comparison": [NullComparison],
    "ax": [HasMethods(["hist", "axvline"]), None],
    "threshold": [Interval(Real, 0, None, closed="left"), None],
}


def check_comparison(comparison) -> tuple[float, np.ndarray]:
    """The observed lifetime and the null draws of ``comparison``, refusing what cannot be drawn."""
    if not isinstance(comparison, NullComparison):
        raise TypeError(
            f"comparison must be a sktopo.homology.NullComparison; got {type(comparison).__name__}."
        )
    null = np.asarray(comparison.null, dtype=float)
    if null.ndim != 1 or not len(null):
        raise ValueError(f"comparison.null must hold one lifetime per null draw; got shape {null.shape}.")
    if not np.isfinite(null).all() or not np.isfinite(comparison.observed):
        raise ValueError(
            "comparison must hold finite lifetimes (observed and null); got NaN or infinite values."
        )
    return float(comparison.observed), null


class NullDisplay:
    """The random-filter null: its draws' top H1 lifetimes as a histogram, the observed one marked.

    The histogram counts the null draws (random filters through the same pipeline) by their
    longest H1 lifetime; a red vertical line marks the observed longest lifetime, labelled with
    the p-value, and the title gives the p-value and the number of draws. With a ``threshold``
    (e.g. :func:`sktopo.homology.null_threshold` of the draws), a dashed black line marks it; an
    infinite one (too few draws to reach the level) is not drawn and the legend says so.
    scikit-learn's Display API; :func:`plot_null` is its shortcut.

    Parameters
    ----------
    comparison : sktopo.homology.NullComparison
        The observed top lifetime against the null, e.g. :attr:`sktopo.profile.LayerTopology.null`
        or the result of :func:`sktopo.homology.random_filter_test`.
    threshold : float, default=None
        The significance threshold, non-negative (``inf`` allowed); none drawn when None.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    counts_ : ndarray of shape (n_bins,)
        Null draws per bin; they sum to the number of draws.
    bins_ : ndarray of shape (n_bins + 1,)
        The bins' edges.
    observed_line_ : matplotlib Line2D
    threshold_line_ : matplotlib Line2D or None

    See Also
    --------
    sktopo.homology.random_filter_test : Computes the comparison.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.homology import NullComparison
    >>> from sktopo.plotting import NullDisplay
    >>> comparison = NullComparison.compare(0.9, [0.1, 0.2, 0.25, 0.3, 0.35, 0.4, 0.3, 0.2, 0.15])
    >>> display = NullDisplay.from_comparison(comparison, threshold=0.4)
    >>> int(display.counts_.sum()), display.ax_.get_title()
    (9, 'Random-filter null: p = 0.1, 9 draws')
    """

    def __init__(self, comparison, *, threshold=None):
        self.comparison = comparison
        self.threshold = threshold

    @classmethod
    def from_comparison(cls, comparison, *, threshold=None, ax=None):
        """Draw a comparison with the null.

        Parameters
        ----------
        comparison : sktopo.homology.NullComparison
        threshold : float, default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : NullDisplay
        """
        return cls(comparison, threshold=threshold).plot(ax)

    def plot(self, ax=None):
        """Draw the histogram and the lines.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        self : NullDisplay

        Raises
        ------
        TypeError
            If ``comparison`` is not a NullComparison.
        ValueError
            If the comparison has no null draws or non-finite lifetimes, or ``threshold`` is
            negative or NaN.
        """
        import matplotlib.pyplot as plt

        observed, null = check_comparison(self.comparison)
        threshold = self.threshold
        if threshold is not None and (
            isinstance(threshold, bool) or not isinstance(threshold, Real) or not threshold >= 0
        ):
            raise ValueError(
                f"threshold must be a non-negative number (inf allowed) or None; got {threshold!r}."
            )
        ax = plt.figure(figsize=(6, 3.5)).add_subplot() if ax is None else ax
        bins = int(np.clip(2 * np.ceil(np.sqrt(len(null))), 5, 30))
        counts, self.bins_, _ = ax.hist(
            null, bins=bins, color="grey", alpha=0.7, label=f"{len(null)} null draws"
        )
        self.counts_ = np.asarray(counts)
        p_value = self.comparison.p_value
        self.observed_line_ = ax.axvline(
            observed, color="tab:red", linewidth=2, label=f"observed {observed:.3g} (p = {p_value:.3g})"
        )
        self.threshold_line_ = _threshold_line(ax, threshold)
        _show_all(ax, [*null, observed] + ([threshold] if self.threshold_line_ is not None else []))
        ax.set_xlabel("longest H1 lifetime")
        ax.set_ylabel("null draws")
        ax.set_title(f"Random-filter null: p = {p_value:.3g}, {len(null)} draws")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _show_all(ax, values) -> None:
    """x limits that hold every value with a margin, so that a line at the largest is not on the edge."""
    low, high = min(values), max(values)
    pad = 0.05 * (high - low) or 0.05 * abs(high) or 0.05
    ax.set_xlim(min(0.0, low - pad), high + pad)


def _threshold_line(ax, threshold):
    """The significance threshold as a dashed line; None (and a legend entry) when none or infinite."""
    if threshold is None:
        return None
    if np.isinf(threshold):
        ax.plot([], [], color="black", linestyle="--", label="threshold: unreachable with these draws")
        return None
    return ax.axvline(
        threshold, color="black", linestyle="--", linewidth=1.5, label=f"threshold {threshold:.3g}"
    )


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def plot_null(comparison, ax=None, *, threshold=None):
    """Draw the random-filter null with the observed top lifetime: :class:`NullDisplay`'s shortcut.

    Parameters
    ----------
    comparison : sktopo.homology.NullComparison
        The observed longest H1 lifetime against the null draws' (``observed``, ``null``,
        ``p_value``).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.
    threshold : float, default=None
        The significance threshold, drawn as a dashed line; non-negative, ``inf`` (no draw can
        reach it) noted in the legend; none when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        If the comparison has no null draws or non-finite lifetimes, or ``threshold`` is
        negative or NaN.

    See Also
    --------
    NullDisplay : the same picture as an object (``counts_``, ``observed_line_``...).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.homology import NullComparison
    >>> from sktopo.plotting import plot_null
    >>> ax = plot_null(NullComparison.compare(0.2, [0.1, 0.3, 0.25, 0.15]))
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['4 null draws', 'observed 0.2 (p = 0.6)']
    """
    return NullDisplay(comparison, threshold=threshold).plot(ax).ax_
