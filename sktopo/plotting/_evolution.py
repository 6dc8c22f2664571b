"""Figs. 5 and 9: a grid of Mapper graphs, layers down and batch iterations across."""

import numpy as np

from .._validation import Integral, Interval, validate_params
from ._barcodes import plot_barcodes
from ._mapper import plot_mapper_graph
from ._tables import check_table

__all__ = ["plot_training_evolution"]


def _cells(df, barcodes: bool):
    """The layers and iterations of a :func:`~sktopo.experiments.training_evolution` table."""
    check_table(df, ("layer", "iteration"), "training_evolution")
    needed = ["mappers", "diagrams"] if barcodes else ["mappers"]
    if any(key not in df.attrs for key in needed):
        raise ValueError(
            f"df.attrs must hold {' and '.join(needed)} (a table of training_evolution, or a slice of "
            "one; a concatenation of several drops them)."
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


@validate_params(
    {
        "df": "no_validation",
        "axes": ["array-like", None],
        "barcodes": ["boolean"],
        "n_filters": [Interval(Integral, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def plot_training_evolution(df, axes=None, *, barcodes: bool = False, n_filters: int = 0):
    """Draw the Mapper graphs of a training evolution in one grid, as the paper's Figs. 5 and 9.

    Rows are layers (top: the first), columns batch iterations; each cell is the layer's Mapper
    graph at that iteration (:func:`~sktopo.plotting.plot_mapper_graph`, nodes coloured and
    sized by their number of filters, without the colour bar), titled with the layer, the
    iteration and the graph's loops (:func:`~sktopo.mapper.n_loops`). With ``barcodes``, each
    layer's row is followed by a row of its H1 barcodes (:func:`~sktopo.plotting.plot_barcodes`).

    Parameters
    ----------
    df : pandas.DataFrame
        A table of :func:`sktopo.experiments.training_evolution`, or a slice of one (its
        ``attrs`` hold the Mapper graphs and diagrams).
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
    ValueError
        If ``df`` is not such a table (or lost its ``attrs``), or ``axes`` has another size.

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
    >>> from sktopo.plotting import plot_training_evolution
    >>> X, y = load_mnist_sample()
    >>> df = training_evolution((X[::25], y[::25]), "M(4,2,8)", iterations=[2, 4], n_networks=2,
    ...                         k=4, resolution=4)
    >>> plot_training_evolution(df, barcodes=True).shape
    (4, 2)
    """
    layers, iterations = _cells(df, barcodes)
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
            _draw_graph(
                graph, df.attrs["mappers"][layer, it], n_filters, f"layer {layer}, {it} it., {loops} loops"
            )
            if bars is not None:
                plot_barcodes(df.attrs["diagrams"][layer, it], ax=bars, dims=[1])
                bars.set_xlabel("")
    return axes
