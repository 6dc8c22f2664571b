"""Test accuracy per trained network: one bar each, their mean, and chance."""

from numbers import Real

import numpy as np

from .._validation import HasMethods, Interval, validate_params

__all__ = ["AccuracyDisplay", "plot_accuracies"]


def check_accuracies(accuracies) -> np.ndarray:
    """``accuracies`` as a non-empty 1-D float array of finite values in [0, 1], or a clear error."""
    array = np.asarray(accuracies)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"accuracies must hold real numbers in [0, 1]; got dtype {array.dtype}.")
    if array.ndim != 1 or not len(array):
        raise ValueError(
            f"accuracies must be a non-empty 1-D array, one per network; got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError("accuracies must be finite; got NaN or infinite values.")
    if array.min() < 0 or array.max() > 1:
        raise ValueError(
            f"accuracies must lie in [0, 1] (fractions, not percent); got values from {array.min()} to {array.max()}."
        )
    return array.astype(float)


def check_chance(chance):
    """``chance`` if it is None or a number in [0, 1], or a clear error."""
    if chance is not None and (
        isinstance(chance, bool) or not isinstance(chance, Real) or not 0 <= chance <= 1
    ):
        raise ValueError(f"chance must be a number in [0, 1] or None; got {chance!r}.")
    return chance


class AccuracyDisplay:
    """Test accuracy per trained network: a bar each, the mean, and chance.

    Network ``i`` (1-based, in the order given) has a bar of its accuracy; a solid line marks
    their mean and, when given, a dashed line the accuracy of chance. The y-axis runs from 0 to
    100%. scikit-learn's Display API; :func:`plot_accuracies` is its shortcut.

    Parameters
    ----------
    accuracies : array-like of shape (n_networks,)
        Test accuracy of each network, a fraction in [0, 1].
    chance : float, default=None
        The accuracy of guessing, in [0, 1] (``1 / n_classes``); not drawn when None.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    bars_ : matplotlib BarContainer
        One bar per network.
    mean_line_ : matplotlib Line2D
    chance_line_ : matplotlib Line2D or None

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.plotting import AccuracyDisplay
    >>> display = AccuracyDisplay([0.91, 0.88, 0.93], chance=0.1).plot()
    >>> len(display.bars_), display.ax_.get_title()
    (3, 'Test accuracy of 3 networks: mean 90.7%')
    """

    def __init__(self, accuracies, *, chance=None):
        self.accuracies = accuracies
        self.chance = chance

    def plot(self, ax=None):
        """Draw the bars and the lines.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        self : AccuracyDisplay

        Raises
        ------
        TypeError
            If ``accuracies`` does not hold real numbers.
        ValueError
            If ``accuracies`` is empty, not 1-D, not finite or outside [0, 1]; if ``chance`` is
            outside [0, 1].
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator, PercentFormatter

        accuracies, chance = check_accuracies(self.accuracies), check_chance(self.chance)
        width = min(12, max(4, 0.3 * len(accuracies)))  # thinner bars beyond 40 networks
        ax = plt.figure(figsize=(width, 3.5)).add_subplot() if ax is None else ax
        networks = np.arange(1, len(accuracies) + 1)
        self.bars_ = ax.bar(networks, accuracies, color="tab:blue", alpha=0.8, label="test accuracy")
        mean = float(accuracies.mean())
        self.mean_line_ = ax.axhline(mean, color="black", linewidth=1.5, label=f"mean {mean:.1%}")
        self.chance_line_ = None
        if chance is not None:
            self.chance_line_ = ax.axhline(chance, color="grey", linestyle="--", label=f"chance {chance:.1%}")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("network")
        ax.set_ylabel("test accuracy")
        ax.set_title(f"Test accuracy of {len(accuracies)} networks: mean {mean:.1%}")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(
    {
        "accuracies": ["array-like"],
        "ax": [HasMethods(["bar", "axhline"]), None],
        "chance": [Interval(Real, 0, 1, closed="both"), None],
    },
    prefer_skip_nested_validation=True,
)
def plot_accuracies(accuracies, ax=None, *, chance=None):
    """Draw test accuracy per network, their mean and chance: :class:`AccuracyDisplay`'s shortcut.

    Parameters
    ----------
    accuracies : array-like of shape (n_networks,)
        Test accuracy of each network, a fraction in [0, 1]; network ``i`` is drawn at ``i + 1``.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.
    chance : float, default=None
        The accuracy of guessing, in [0, 1], drawn as a dashed line; none when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    TypeError
        If ``accuracies`` does not hold real numbers.
    ValueError
        If ``accuracies`` is empty, not 1-D, not finite or outside [0, 1]; if ``chance`` is
        outside [0, 1].

    See Also
    --------
    AccuracyDisplay : the same picture as an object (``bars_``, ``mean_line_``...).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.plotting import plot_accuracies
    >>> ax = plot_accuracies([0.5, 0.7], chance=0.1)
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['mean 60.0%', 'chance 10.0%', 'test accuracy']
    """
    return AccuracyDisplay(accuracies, chance=chance).plot(ax).ax_
