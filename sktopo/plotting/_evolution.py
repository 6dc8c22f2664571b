"""Figs. 5 and 9: a grid of Mapper graphs, layers down and batch iterations across."""

import numpy as np

from .._validation import Integral, Interval, validate_params
from ._barcodes import plot_barcodes
from ._mapper import plot_mapper_graph
from ._tables import check_table

__all__ = ["EvolutionDisplay", "plot_training_evolution"]


def _cells(df, mappers, diagrams, barcodes: bool):
    """The layers and iterations of a :func:`~sktopo.experiments.training_evolution` table."""
    check_table(df, ("layer", "iteration"), "training_evolution")
    needed = {"mappers": mappers} | ({"diagrams": diagrams} if barcodes else {})
    cells = set(zip(df["layer"], df["iteration"]))
    for name, held in needed.items():
        if not isinstance(held, dict) or not cells <= set(held):
            raise ValueError(
                f"{name} must hold every (layer, iteration) of the table: give the {name} of the "
                "training_evolution result the table comes from."
            )
    return sorted(df["layer"].unique()), sorted(df["iteration"].unique())


def _grid(axes, shape):
    import matplotlib.pyplot as plt

    if axes is None:
        return plt.subplots(
            *shape, figsize=(2.6 * shape[1], 2.6 * shape[0]), squeeze=False, layout="constrained"
        )[1]
    axes = np.asarray(axes, dtype=object)
    if axes.size != shape[0] * shape[1]:
        raise ValueError(
            f"axes must hold {shape[0]} x {shape[1]} Axes (rows: layers, columns: iterations); got {axes.size}."
        )
    return axes.reshape(shape)


def _draw_graph(ax, mapper, n_filters: int, title: str) -> None:
    """``plot_mapper_graph`` in a small cell: no colour bar (its colours still show node size)."""
    plot_mapper_graph(mapper, ax=ax, n_filters=n_filters, colorbar=False)
    ax.set_title(title, fontsize="small")


class EvolutionDisplay:
    """The Mapper graphs of a training evolution in one grid, as the paper's Figs. 5 and 9.

    Rows are layers (top: the first), columns batch iterations; each cell is the layer's Mapper
    graph at that iteration (:class:`MapperGraphDisplay`, nodes coloured and sized by their
    number of filters, without the colour bar), titled with the layer, the iteration and the
    graph's loops (:func:`~sktopo.mapper.n_loops`). With ``barcodes``, each layer's row is
    followed by a row of its H1 barcodes. scikit-learn's Display API;
    :func:`plot_training_evolution` is its shortcut.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of a :func:`sktopo.experiments.training_evolution` result, or rows of it.
    mappers : dict
        The result's ``mappers``: the fitted Mapper of each ``(layer, iteration)``.
    diagrams : dict, default=None
        The result's ``diagrams``, needed to draw barcodes.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (rows, n_iterations)
    figure_ : matplotlib Figure

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section V-B and Figs. 5 and 9.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.datasets import load_mnist_sample
    >>> from sktopo.experiments import training_evolution
    >>> from sktopo.plotting import EvolutionDisplay
    >>> X, y = load_mnist_sample()
    >>> result = training_evolution((X[::25], y[::25]), "M(4,2,8)", iterations=[2, 4], n_networks=2,
    ...                             k=4, resolution=4)
    >>> EvolutionDisplay.from_result(result, barcodes=True).axes_.shape
    (4, 2)
    >>> first = result.table[result.table.layer == 1]
    >>> EvolutionDisplay(first, result.mappers).plot().axes_.shape
    (1, 2)
    """

    def __init__(self, table, mappers, diagrams=None):
        self.table = table
        self.mappers = mappers
        self.diagrams = diagrams

    @classmethod
    def from_result(cls, result, *, axes=None, barcodes=False, n_filters=0):
        """Draw a :func:`~sktopo.experiments.training_evolution` result.

        Parameters
        ----------
        result : EvolutionResult
        axes : array of matplotlib Axes, default=None
        barcodes : bool, default=False
        n_filters : int, default=0
            As in :meth:`plot`.

        Returns
        -------
        display : EvolutionDisplay
        """
        if not all(hasattr(result, name) for name in ("table", "mappers", "diagrams")):
            raise TypeError(
                "result must be a training_evolution result (with table, mappers and diagrams); got "
                f"{type(result).__name__}."
            )
        display = cls(result.table, result.mappers, result.diagrams)
        return display.plot(axes, barcodes=barcodes, n_filters=n_filters)

    def plot(self, axes=None, *, barcodes=False, n_filters=0):
        """Draw the grid.

        Parameters
        ----------
        axes : array of matplotlib Axes, default=None
            ``(n_layers, n_iterations)`` Axes (twice the rows with ``barcodes``); a new
            figure's when None.
        barcodes : bool, default=False
            A row of H1 barcodes under each layer's graphs.
        n_filters : int, default=0
            Mean filters drawn beside each graph (see :class:`MapperGraphDisplay`).

        Returns
        -------
        self : EvolutionDisplay

        Raises
        ------
        ValueError
            If the table is not such a table, ``mappers`` (or ``diagrams``, for barcodes) lacks
            one of its cells, or ``axes`` has another size.
        """
        df = self.table
        layers, iterations = _cells(df, self.mappers, self.diagrams, barcodes)
        step = 2 if barcodes else 1
        axes = _grid(axes, (step * len(layers), len(iterations)))
        rows = df.set_index(["layer", "iteration"])
        for i, layer in enumerate(layers):
            for j, it in enumerate(iterations):
                graph, bars = axes[step * i, j], axes[step * i + 1, j] if barcodes else None
                if (layer, it) not in rows.index:
                    for ax in (graph, bars) if barcodes else (graph,):
                        ax.set_axis_off()
                    continue
                loops = rows.loc[(layer, it), "mapper_n_loops"] if "mapper_n_loops" in rows else "?"
                title = f"layer {layer}, {it} it., {loops} loops"
                _draw_graph(graph, self.mappers[layer, it], n_filters, title)
                if bars is not None:
                    plot_barcodes(self.diagrams[layer, it], ax=bars, dims=[1])
                    bars.set_xlabel("")
        self.axes_, self.figure_ = axes, axes.flat[0].figure
        return self


@validate_params(
    {
        "result": "no_validation",
        "axes": ["array-like", None],
        "barcodes": ["boolean"],
        "n_filters": [Interval(Integral, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def plot_training_evolution(result, axes=None, *, barcodes: bool = False, n_filters: int = 0):
    """Draw the Mapper graphs of a training evolution in one grid: :class:`EvolutionDisplay`'s shortcut.

    Parameters
    ----------
    result : EvolutionResult
        A :func:`sktopo.experiments.training_evolution` result.
    axes : array of matplotlib Axes, default=None
        ``(n_layers, n_iterations)`` Axes (twice the rows with ``barcodes``); a new figure's
        when None.
    barcodes : bool, default=False
    n_filters : int, default=0
        Mean filters drawn beside each graph (see :func:`~sktopo.plotting.plot_mapper_graph`).

    Returns
    -------
    axes : ndarray of matplotlib Axes, shape (rows, n_iterations)

    Raises
    ------
    TypeError
        If ``result`` is not a training_evolution result.
    ValueError
        If ``axes`` has another size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.datasets import load_mnist_sample
    >>> from sktopo.experiments import training_evolution
    >>> from sktopo.plotting import plot_training_evolution
    >>> X, y = load_mnist_sample()
    >>> result = training_evolution((X[::25], y[::25]), "M(4,2,8)", iterations=[2, 4], n_networks=2,
    ...                             k=4, resolution=4)
    >>> plot_training_evolution(result, barcodes=True).shape
    (4, 2)
    """
    return EvolutionDisplay.from_result(result, axes=axes, barcodes=barcodes, n_filters=n_filters).axes_
