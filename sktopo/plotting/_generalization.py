"""The cross-domain experiment's figure: target accuracy per first layer, the paper's values beside."""

from .._validation import HasMethods, validate_params
from ._tables import check_table, result_parts

__all__ = ["CrossDomainDisplay", "plot_cross_domain"]

#: Labels of the first layers, as the paper names them.
LABELS = {
    "primary_circle": "primary circle",
    "klein_bottle": "Klein bottle",
    "gaussian": "Gaussian",
    "trained": "trained",
}

_COLUMNS = ("first_layer", "target_accuracy")


class CrossDomainDisplay:
    """Target accuracy per first layer: bars, each repeat a dot, the paper's value a marker.

    The figure of :func:`~sktopo.experiments.cross_domain_generalization`: one bar per first
    layer at the mean target accuracy over repeats, a black error bar from the lowest to the
    highest repeat, the repeats as dots, and where ``paper`` has the first layer, the paper's
    MNIST → SVHN accuracy as a red bar-wide marker (28%, 12%, 11%); the title names the source
    and target of ``settings``. scikit-learn's Display API; :func:`plot_cross_domain` is its
    shortcut.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of a :func:`~sktopo.experiments.cross_domain_generalization` result (columns
        ``first_layer``, ``target_accuracy``).
    paper : dict, default=None
        The result's ``paper``, for the markers.
    settings : dict, default=None
        The result's ``settings`` (``source``, ``target``), for the title and the markers.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section VI.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import CrossDomainDisplay
    >>> df = pd.DataFrame({"first_layer": ["primary_circle", "trained"] * 2,
    ...                    "target_accuracy": [0.3, 0.1, 0.25, 0.12]})
    >>> display = CrossDomainDisplay(df, settings={"source": "mnist", "target": "svhn"}).plot()
    >>> [t.get_text() for t in display.ax_.get_xticklabels()], display.ax_.get_title()
    (['primary circle', 'trained'], 'trained on mnist, tested on svhn')
    """

    def __init__(self, table, *, paper=None, settings=None):
        self.table = table
        self.paper = paper
        self.settings = settings

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw a :func:`~sktopo.experiments.cross_domain_generalization` result.

        Parameters
        ----------
        result : CrossDomainResult
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        display : CrossDomainDisplay
        """
        table, parts = result_parts(result, ["paper", "settings"])
        return cls(table, **parts).plot(ax)

    def plot(self, ax=None):
        """Draw the bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        self : CrossDomainDisplay

        Raises
        ------
        ValueError
            When the table lacks the columns ``first_layer`` and ``target_accuracy``.
        """
        import matplotlib.pyplot as plt

        df, settings = self.table, self.settings or {}
        check_table(df, _COLUMNS, "cross_domain_generalization")
        ax = plt.subplots(figsize=(4.5, 3.5))[1] if ax is None else ax
        groups = df.groupby("first_layer", sort=False)["target_accuracy"]
        stats = groups.agg(["mean", "min", "max"])
        positions = range(len(stats))
        ax.bar(positions, stats["mean"], color="tab:blue", alpha=0.7, label="measured (mean)")
        ax.errorbar(
            positions,
            stats["mean"],
            yerr=[stats["mean"] - stats["min"], stats["max"] - stats["mean"]],
            fmt="none",
            ecolor="black",
            capsize=4,
        )
        for x, (_, values) in zip(positions, groups):
            ax.plot([x] * len(values), values, "o", color="black", markersize=3)
        _paper_markers(ax, stats.index, self.paper or {}, settings)
        ax.set_xticks(list(positions), [LABELS.get(name, name) for name in stats.index])
        ax.set_ylabel("target accuracy")
        ax.set_xlabel("first layer")
        ax.set_ylim(0, 1)
        if "source" in settings and "target" in settings:
            ax.set_title(
                f"trained on {settings['source']}, tested on {settings['target']}", fontsize="medium"
            )
        ax.legend(loc="upper right", fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(
    {"result": "no_validation", "ax": [HasMethods(["bar"]), None]}, prefer_skip_nested_validation=True
)
def plot_cross_domain(result, ax=None):
    """Bars of the target accuracy per first layer: :class:`CrossDomainDisplay`'s shortcut.

    Parameters
    ----------
    result : CrossDomainResult or pandas.DataFrame
        A :func:`~sktopo.experiments.cross_domain_generalization` result, or its table (then
        without the paper's markers and the title).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        When the table lacks the columns ``first_layer`` and ``target_accuracy``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import plot_cross_domain
    >>> df = pd.DataFrame({"first_layer": ["primary_circle", "trained"] * 2,
    ...                    "target_accuracy": [0.3, 0.1, 0.25, 0.12]})
    >>> [t.get_text() for t in plot_cross_domain(df).get_xticklabels()]
    ['primary circle', 'trained']
    """
    return CrossDomainDisplay.from_result(result, ax=ax).ax_


def _paper_markers(ax, names, paper: dict, settings: dict) -> None:
    """The paper's accuracies in the matching direction, as red markers across the bars.

    MNIST-like → other digits (the paper's MNIST → SVHN: 28%, 12%, 11%) when the source is MNIST
    or its sample; other digits → MNIST-like (SVHN → MNIST, 54%, trained only) when the target is.
    """
    mnist = ("mnist", "mnist_sample")
    if settings.get("source") in mnist:
        reported, label = {n: paper[n] for n in names if n in paper}, "paper (MNIST → SVHN)"
    elif settings.get("target") in mnist and "svhn_to_mnist" in paper:
        reported, label = {"trained": paper["svhn_to_mnist"]}, "paper (SVHN → MNIST)"
    else:
        return
    points = [(x, reported[name]) for x, name in enumerate(names) if name in reported]
    if points:
        xs, ys = zip(*points)
        ax.plot(xs, ys, "_", color="tab:red", markersize=30, markeredgewidth=2.5, label=label)
