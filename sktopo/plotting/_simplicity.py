"""Fig. 12: test accuracy and the first layer's top H1 lifetime against batch iterations."""

import numpy as np

from .._validation import HasMethods, validate_params
from ._tables import check_table, result_parts

__all__ = ["SimplicityDisplay", "plot_persistence_vs_accuracy"]

#: The columns a :func:`~sktopo.experiments.persistence_vs_accuracy` table needs to be drawn.
COLUMNS = ("iteration", "test_accuracy", "h1_lifetime")

#: Curve drawn per column: colour and label.
CURVES = {"test_accuracy": ("tab:blue", "test accuracy"), "h1_lifetime": ("tab:red", "top H1 lifetime")}

#: The random-filter null's columns, drawn as a band from its median to its 95% quantile.
NULL = ("h1_null_median", "h1_null_q95")


def _curves(df):
    """Per iteration, the mean, min and max over rows (groups) of each curve's column (NaN skipped)."""
    check_table(df, COLUMNS, "persistence_vs_accuracy")
    if "dataset" in df.columns and df["dataset"].nunique() > 1:
        raise ValueError(
            f"the table holds several data sets ({', '.join(map(str, df['dataset'].unique()))}); draw each "
            "on its own axes, e.g. SimplicityDisplay(table[table.dataset == name]), as the paper's two panels."
        )
    columns = list(CURVES) + [c for c in NULL if c in df.columns]
    return df.groupby("iteration")[columns].agg(["mean", "min", "max"])


def _lifetime_label(df) -> str:
    """The lifetime's legend label, saying how many rows had no lifetime (NaN) and were left out."""
    missing = int(df["h1_lifetime"].isna().sum())
    if not missing:
        return CURVES["h1_lifetime"][1]
    if missing == len(df):
        return "top H1 lifetime: NaN in every row, not drawn (h1_lifetime_reason)"
    return f"top H1 lifetime ({missing} of {len(df)} rows NaN, left out)"


def _title(found) -> str:
    if not found:
        return "Test accuracy and persistence"
    level = round(100 * found["confidence"])
    rho, low, high = (_defined(found[key]) for key in ("spearman", "low", "high"))
    if rho == "undefined":
        return "Spearman undefined: too few rows with a lifetime (NaN), or a constant curve"
    return f"Spearman {rho}, {level}% CI [{low}, {high}]"


def _defined(value) -> str:
    """``value`` to two decimals, or "undefined" for None and NaN (a result read back from JSON)."""
    return "undefined" if value is None or not np.isfinite(value) else f"{value:.2f}"


class SimplicityDisplay:
    """Test accuracy and top H1 lifetime against batch iterations, as the paper's Fig. 12.

    Each curve is the mean over the table's groups, in a band from the lowest to the highest
    group; the title gives the Spearman correlation and its interval (``correlation``). Where
    the table has the random-filter null (``h1_null_median``, ``h1_null_q95``), it is drawn in
    the lifetime's units, a dashed grey line at its median and a grey band up to its 95%
    quantile: a lifetime inside the band is what structureless filters of that count reach.
    Rows whose lifetime is NaN (a cloud too small for ρ(k, p), see ``h1_lifetime_reason``) are
    left out of the lifetime's curve, and its legend label says how many. The paper
    "mean-center[s] and normalize[s] the data" to draw both on one axis: ``standardize=True``
    does so (each curve minus the mean of its means, over their standard deviation, the bands
    alike); ``False`` draws accuracy on the left axis and lifetime on a twin right axis, in
    their own units. scikit-learn's Display API; :func:`plot_persistence_vs_accuracy` is its
    shortcut.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of a :func:`sktopo.experiments.persistence_vs_accuracy` result (one data set).
    correlation : dict, default=None
        Its ``correlation`` (``spearman``, ``low``, ``high``, ``confidence``), for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        With ``standardize=False``, the accuracy's; the lifetime's twin shares its x-axis.
    figure_ : matplotlib Figure

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section VI and Fig. 12.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import SimplicityDisplay
    >>> df = pd.DataFrame({"iteration": [10, 20, 10, 20], "group": [0, 0, 1, 1],
    ...                    "test_accuracy": [0.5, 0.9, 0.6, 0.8], "h1_lifetime": [0.2, 0.7, 0.3, 0.6]})
    >>> display = SimplicityDisplay(df).plot()
    >>> [line.get_label() for line in display.ax_.get_lines()]
    ['test accuracy', 'top H1 lifetime']
    """

    def __init__(self, table, *, correlation=None):
        self.table = table
        self.correlation = correlation

    @classmethod
    def from_result(cls, result, *, ax=None, standardize=True):
        """Draw a :func:`~sktopo.experiments.persistence_vs_accuracy` result.

        Parameters
        ----------
        result : SimplicityResult
        ax : matplotlib Axes, default=None
        standardize : bool, default=True
            As in :meth:`plot`.

        Returns
        -------
        display : SimplicityDisplay
        """
        table, parts = result_parts(result, ["correlation"])
        return cls(table, **parts).plot(ax, standardize=standardize)

    def plot(self, ax=None, *, standardize=True):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.
        standardize : bool, default=True
            Both curves mean-centred and normalized on one axis, or each in its units.

        Returns
        -------
        self : SimplicityDisplay

        Raises
        ------
        ValueError
            If the table lacks the columns, has no rows, or holds several data sets.
        """
        import matplotlib.pyplot as plt

        df = self.table
        curves = _curves(df)
        ax = plt.figure(figsize=(6, 4)).add_subplot() if ax is None else ax
        twin = None if standardize else ax.twinx()
        iterations = curves.index.to_numpy()
        labels = {"test_accuracy": CURVES["test_accuracy"][1], "h1_lifetime": _lifetime_label(df)}
        for (column, (color, _)), target in zip(CURVES.items(), (ax, twin or ax)):
            mean, low, high = (curves[column][stat].to_numpy(dtype=float) for stat in ("mean", "min", "max"))
            scale = _scale(mean) if standardize else (0.0, 1.0)
            mean, low, high = ((values - scale[0]) / scale[1] for values in (mean, low, high))
            target.plot(iterations, mean, color=color, marker="o", markersize=3, label=labels[column])
            target.fill_between(iterations, low, high, color=color, alpha=0.2, linewidth=0)
            if column == "h1_lifetime" and all(c in curves for c in NULL):
                _null_band(target, iterations, curves, scale)
            if not standardize:
                target.set_ylabel(CURVES[column][1], color=color)
        _decorate(ax, twin, standardize, _title(self.correlation))
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(
    {
        "result": "no_validation",
        "ax": [HasMethods(["plot", "fill_between"]), None],
        "standardize": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def plot_persistence_vs_accuracy(result, ax=None, *, standardize: bool = True):
    """Draw test accuracy and top H1 lifetime against batch iterations: :class:`SimplicityDisplay`'s shortcut.

    Parameters
    ----------
    result : SimplicityResult or pandas.DataFrame
        A :func:`sktopo.experiments.persistence_vs_accuracy` result, or its table (then the
        title has no correlation).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.
    standardize : bool, default=True
        See :class:`SimplicityDisplay`.

    Returns
    -------
    ax : matplotlib Axes
        With ``standardize=False``, the accuracy's; the lifetime's twin shares its x-axis.

    Raises
    ------
    ValueError
        If the table lacks the columns, has no rows, or holds several data sets.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import plot_persistence_vs_accuracy
    >>> df = pd.DataFrame({"iteration": [10, 20, 10, 20], "group": [0, 0, 1, 1],
    ...                    "test_accuracy": [0.5, 0.9, 0.6, 0.8], "h1_lifetime": [0.2, 0.7, 0.3, 0.6]})
    >>> plot_persistence_vs_accuracy(df).get_title()
    'Test accuracy and persistence'
    """
    return SimplicityDisplay.from_result(result, ax=ax, standardize=standardize).ax_


def _scale(mean):
    """The centre and spread that standardize a curve of means (NaN skipped; spread 1 if none)."""
    if not np.isfinite(mean).any():
        return 0.0, 1.0
    return float(np.nanmean(mean)), float(np.nanstd(mean)) or 1.0


def _null_band(ax, iterations, curves, scale) -> None:
    """The random filters' level in the lifetime's units: median (dashed) to 95% quantile (band)."""
    median = (curves["h1_null_median"]["mean"].to_numpy(dtype=float) - scale[0]) / scale[1]
    q95 = (curves["h1_null_q95"]["mean"].to_numpy(dtype=float) - scale[0]) / scale[1]
    label = "random filters: median to 95%"
    ax.plot(iterations, median, color="grey", linestyle="--", linewidth=1, label=label)
    ax.fill_between(iterations, median, q95, color="grey", alpha=0.25, linewidth=0)


def _decorate(ax, twin, standardize: bool, title: str) -> None:
    ax.set_xlabel("batch iterations")
    if standardize:
        ax.set_ylabel("mean-centred and normalized")
    handles = ax.get_lines() + ([] if twin is None else twin.get_lines())
    ax.legend(handles, [line.get_label() for line in handles], loc="lower right", fontsize="small")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
