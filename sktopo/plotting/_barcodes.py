"""Barcodes drawn as in the paper's figures: H0 above H1, one horizontal bar per class."""

from numbers import Integral, Real

import numpy as np

from .._validation import HasMethods, validate_parameter_constraints, validate_params
from ..homology import check_band, check_diagram

__all__ = ["BarcodeDisplay", "plot_barcodes"]

#: Opacity of the bars inside the confidence band (not significant).
FADED = 0.3


#: The drawing's parameters, shared by :func:`plot_barcodes` and :class:`BarcodeDisplay`.
_CONSTRAINTS = {
    "diagrams": [list, tuple],
    "ax": [HasMethods(["hlines"]), None],
    "dims": ["array-like", None],
    "colors": [list, tuple],
    "band": [Real, "array-like", None],
}


class BarcodeDisplay:
    """Persistence barcodes drawn as in the paper's figures (scikit-learn's Display API).

    Dimension by dimension, stacked top to bottom; each bar runs from birth to death, bars that
    never die run to the right edge and end in an arrow; within a dimension bars are sorted by
    birth, longest on top for equal births. With a ``band``, bars longer than ``2 * band``
    (the significant ones) are drawn in full colour, the others faded, and a grey bracket
    ``2 * band`` long under each dimension shows the threshold with the count above it.
    :func:`plot_barcodes` is its shortcut.

    Parameters
    ----------
    diagrams : list of ndarray of shape (n_bars, 2)
        One per dimension, as :func:`sktopo.homology.persistence_diagrams` or ripser gives them.
    band : float or array-like of shape (len(diagrams),), default=None
        Half the significance threshold, one for every dimension or one per diagram.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import significance
    >>> from sktopo.plotting import BarcodeDisplay
    >>> result = significance(make_circle_filters(200, noise=0.1, random_state=0), n_draws=19,
    ...                       n_subsamples=5, n_landmarks=None, random_state=0)
    >>> display = BarcodeDisplay.from_result(result)
    >>> [text.get_text().split(",")[1] for text in display.ax_.texts]
    [' 1 significant', ' 1 significant']
    """

    def __init__(self, diagrams, band=None):
        self.diagrams = diagrams
        self.band = band

    @classmethod
    def from_result(cls, result, *, ax=None, dims=None, colors=("tab:blue", "tab:red", "tab:green")):
        """Draw the barcodes of a :func:`~sktopo.homology.significance` result with its thresholds.

        A threshold that no bar can reach (infinite: too few null draws for the rule's level) is
        drawn without a bracket.

        Parameters
        ----------
        result : Significance
        ax : matplotlib Axes, default=None
        dims : list of int, default=None
        colors : list or tuple of str, default=("tab:blue", "tab:red", "tab:green")
            These three as in :meth:`plot`.

        Returns
        -------
        display : BarcodeDisplay
        """
        band = np.asarray(result.thresholds) / 2
        band = band if np.isfinite(band).all() else None
        return cls(result.diagrams, band=band).plot(ax, dims=dims, colors=colors)

    def plot(self, ax=None, *, dims=None, colors=("tab:blue", "tab:red", "tab:green")):
        """Draw the barcodes.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.
        dims : list of int, default=None
            Dimensions to draw; all when None.
        colors : list or tuple of str, default=("tab:blue", "tab:red", "tab:green")
            Colour per dimension (cycled).

        Returns
        -------
        self : BarcodeDisplay

        Raises
        ------
        TypeError
            If ``band`` is not a number or an array of numbers.
        ValueError
            If ``band`` is negative or not finite, or is an array without one entry per
            diagram; for empty ``diagrams`` or ``colors``, or ``dims`` that are not dimensions.
        """
        import matplotlib.pyplot as plt

        diagrams, band = self.diagrams, self.band
        params = {"diagrams": diagrams, "ax": ax, "dims": dims, "colors": colors, "band": band}
        validate_parameter_constraints(_CONSTRAINTS, params, "BarcodeDisplay.plot")
        if not diagrams:
            raise ValueError("diagrams must be a non-empty list of (n_bars, 2) arrays, one per dimension.")
        if not colors:
            raise ValueError("colors must hold at least one colour.")
        diagrams = [check_diagram(d, name=f"diagrams[{i}]") for i, d in enumerate(diagrams)]
        dims = list(range(len(diagrams))) if dims is None else list(dims)
        if any(
            isinstance(d, bool) or not isinstance(d, Integral) or not 0 <= d < len(diagrams) for d in dims
        ):
            raise ValueError(
                f"dims must be dimensions of diagrams (ints from 0 to {len(diagrams) - 1}); got {dims}."
            )
        band = None if band is None else check_band(band, len(diagrams))
        finite = np.concatenate([d[np.isfinite(d)] for d in diagrams] + [np.zeros(1)])
        right = 1.05 * max(finite.max(), 0.0 if band is None else np.max(2 * band[dims], initial=0.0)) or 1.0
        n_rows = sum(len(diagrams[d]) for d in dims)
        gap = 0.0 if band is None else max(1.0, 0.04 * n_rows)  # rows of room for each band's bracket
        height = min(8.0, 1.5 + 0.01 * n_rows + (0.0 if band is None else 0.3 * len(dims)))
        ax = plt.figure(figsize=(6, height)).add_subplot() if ax is None else ax
        top, centres = 0.0, []
        for i, dim in enumerate(dims):
            bars = diagrams[dim][
                np.lexsort((-(diagrams[dim][:, 1] - diagrams[dim][:, 0]), diagrams[dim][:, 0]))
            ]
            half_width = None if band is None else band[dim]
            _draw_bars(ax, bars, top - np.arange(len(bars)), right, colors[i % len(colors)], half_width)
            if band is not None:
                _draw_band(ax, bars[:, 1] - bars[:, 0], top - len(bars) - 2 * gap, half_width)
            centres.append(top - (len(bars) - 1) / 2)
            top -= len(bars) + 2 + 3 * gap
        ax.set_yticks(centres, [f"H{dim}" for dim in dims])
        ax.set_xlim(0, right * 1.02)
        ax.set_xlabel("scale (Rips: edge length)")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def plot_barcodes(diagrams, ax=None, *, dims=None, colors=("tab:blue", "tab:red", "tab:green"), band=None):
    """Draw persistence barcodes, dimension by dimension, stacked top to bottom.

    Each bar runs from birth to death; bars that never die run to the right edge and end in
    an arrow. Within a dimension bars are sorted by birth, longest on top for equal births.
    persim draws persistence *diagrams* (``persim.plot_diagrams``); this draws the barcodes
    the paper shows beside its Mapper graphs.

    Parameters
    ----------
    diagrams : list of ndarray of shape (n_bars, 2)
        One per dimension, as returned by :func:`sktopo.homology.persistence_diagrams` or
        ripser: rows ``[birth, death]`` with finite births and deaths at or after them
        (``inf`` for a bar that never dies).
    ax : matplotlib Axes, default=None
    dims : list of int, default=None
    colors : list or tuple of str, default=("tab:blue", "tab:red", "tab:green")
        These three as in :meth:`BarcodeDisplay.plot`.
    band : float or array-like of shape (len(diagrams),), default=None
        Half the significance threshold, one for every dimension or one per diagram: e.g.
        ``Significance.thresholds / 2`` of :func:`sktopo.homology.significance`, or the
        half-width ``ConfidenceBand.band`` of :func:`sktopo.homology.confidence_band`;
        non-negative and finite. Bars living longer than ``2 * band`` (the significant ones,
        bars that never die included) are drawn in full colour, the others faded. Below each dimension's bars a
        grey bracket ``2 * band`` long shows the threshold, labelled with its length and the
        count of significant bars. None draws every bar in full colour, without a band.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    TypeError
        If ``band`` is not a number or an array of numbers.
    ValueError
        If ``band`` is negative or not finite, or is an array without one entry per diagram.

    See Also
    --------
    BarcodeDisplay : the same picture as an object (``ax_``, ``figure_``).
    sktopo.homology.confidence_band : Computes the band.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sktopo.plotting import plot_barcodes
    >>> diagrams = [np.array([[0, 0.5], [0, np.inf]]), np.array([[0.2, 1.3], [0.4, 0.6]])]
    >>> ax = plot_barcodes(diagrams)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['H0', 'H1']
    >>> ax = plot_barcodes(diagrams, band=[0.1, 0.3])
    >>> [text.get_text() for text in ax.texts]
    ['threshold 0.2, 2 significant', 'threshold 0.6, 1 significant']
    """
    return BarcodeDisplay(diagrams, band=band).plot(ax, dims=dims, colors=colors).ax_


def _draw_bars(ax, bars, rows, right, color, half_width) -> None:
    """One dimension's bars: significant ones (all when ``half_width`` is None) in full colour."""
    infinite = ~np.isfinite(bars[:, 1])
    ends = np.where(infinite, right, bars[:, 1])
    strong = np.ones(len(bars), bool) if half_width is None else bars[:, 1] - bars[:, 0] > 2 * half_width
    ax.hlines(rows[strong], bars[strong, 0], ends[strong], color=color, linewidth=1.5)
    if not strong.all():
        ax.hlines(rows[~strong], bars[~strong, 0], ends[~strong], color=color, linewidth=1.5, alpha=FADED)
    ax.plot(right * np.ones(int(infinite.sum())), rows[infinite], ">", color=color, markersize=4)


def _draw_band(ax, lifetimes, y, half_width) -> None:
    """A grey bracket ``2 * half_width`` long at height ``y``, under its length and the bars longer."""
    count = int(np.sum(lifetimes > 2 * half_width))
    ax.plot([0, 2 * half_width], [y, y], color="grey", linewidth=2, marker="|", markersize=8)
    label = f"threshold {2 * half_width:.2g}, {count} significant"
    ax.annotate(label, (0, y), xytext=(2, 4), textcoords="offset points", va="bottom", fontsize="small")
