"""Mapper graphs drawn as in the paper: nodes coloured by size, mean filters beside the graph."""

import math

import numpy as np

from .._validation import (
    HasMethods,
    Integral,
    Interval,
    Real,
    validate_parameter_constraints,
    validate_params,
)
from ..homology import greedy_landmarks
from ..mapper import Cover, check_mapper_fitted

__all__ = ["MapperGraphDisplay", "node_positions", "plot_mapper_graph"]


@validate_params(
    {"mapper": "no_validation", "random_state": ["random_state"]}, prefer_skip_nested_validation=True
)
def node_positions(mapper, random_state=0) -> dict:
    """Where to draw each node: the mean lens value of its rows for a 2-D lens, else a spring layout.

    Parameters
    ----------
    mapper : Mapper
        A fitted :class:`~sktopo.mapper.Mapper`.
    random_state : int, RandomState instance or None, default=0
        Seed of the spring layout (lenses that are not 2-D).

    Returns
    -------
    positions : dict
        Node -> ``(x, y)``.

    Examples
    --------
    >>> from sktopo import Mapper
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.plotting import node_positions
    >>> mapper = Mapper(resolution=8).fit(make_circle_filters(300, random_state=0))
    >>> len(node_positions(mapper)) == mapper.graph_.number_of_nodes()
    True
    """
    check_mapper_fitted(mapper)
    graph = mapper.graph_
    if mapper.lens_.shape[1] == 2:
        return {n: mapper.lens_[d["members"]].mean(axis=0) for n, d in graph.nodes(data=True)}
    import networkx as nx

    return nx.spring_layout(graph, seed=random_state)


#: The drawing's parameters, shared by :func:`plot_mapper_graph` and :class:`MapperGraphDisplay`.
_PLOT_CONSTRAINTS = {
    "ax": [HasMethods(["scatter", "add_collection"]), None],
    "n_filters": [Interval(Integral, 0, None, closed="left")],
    "cmap": [str],
    "filter_size": [Interval(Real, 0, None, closed="neither")],
    "colorbar": ["boolean"],
}


class MapperGraphDisplay:
    """A fitted Mapper graph drawn as the paper's figures do (scikit-learn's Display API).

    Nodes are coloured by their number of rows, blue (fewest) to red (most), and sized by it
    too; ``n_filters`` nodes spread around the graph get a small picture of their mean filter
    (the mean of their rows, reshaped to a square), placed outside the graph and joined to
    the node by a thin line. Make one with :meth:`from_estimator`; :func:`plot_mapper_graph`
    is its shortcut.

    Parameters
    ----------
    mapper : Mapper
        A fitted :class:`~sktopo.mapper.Mapper`.
    positions : dict
        Node -> ``(x, y)``, e.g. :func:`node_positions` of ``mapper``.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    nodes_ : matplotlib PathCollection
        The nodes.
    colorbar_ : matplotlib Colorbar or None
        The node-size colour bar; None when drawn without one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo import Mapper
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.plotting import MapperGraphDisplay
    >>> mapper = Mapper(resolution=8).fit(make_circle_filters(300, random_state=0))
    >>> display = MapperGraphDisplay.from_estimator(mapper, n_filters=4, colorbar=False)
    >>> len(display.ax_.child_axes), display.colorbar_ is None
    (4, True)
    """

    def __init__(self, mapper, positions):
        self.mapper = mapper
        self.positions = positions

    @classmethod
    def from_estimator(
        cls, mapper, *, ax=None, n_filters=8, cmap="jet", filter_size=0.12, colorbar=True, random_state=0
    ):
        """Draw the graph of a fitted ``mapper``, laid out by :func:`node_positions`.

        Parameters
        ----------
        mapper : Mapper
            A fitted :class:`~sktopo.mapper.Mapper`.
        ax : matplotlib Axes, default=None
        n_filters : int, default=8
        cmap : str, default="jet"
        filter_size : float, default=0.12
        colorbar : bool, default=True
            These five as in :meth:`plot`.
        random_state : int, RandomState instance or None, default=0
            Seed of the layout when the lens is not 2-D.

        Returns
        -------
        display : MapperGraphDisplay
        """
        display = cls(mapper, node_positions(mapper, random_state))
        return display.plot(ax, n_filters=n_filters, cmap=cmap, filter_size=filter_size, colorbar=colorbar)

    def plot(self, ax=None, *, n_filters=8, cmap="jet", filter_size=0.12, colorbar=True):
        """Draw the graph.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.
        n_filters : int, default=8
            How many mean filters to show; 0 for none. Shown only when the rows have a square
            number of features (3 × 3 filters, 5 × 5, ...).
        cmap : str, default="jet"
            Name of a matplotlib colour map, for node size.
        filter_size : float, default=0.12
            Side of each filter picture, as a fraction of the plot's width.
        colorbar : bool, default=True
            Draw the node-size colour bar (small panels leave it out; the colours still show
            the size).

        Returns
        -------
        self : MapperGraphDisplay
        """
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection

        params = {
            "ax": ax,
            "n_filters": n_filters,
            "cmap": cmap,
            "filter_size": filter_size,
            "colorbar": colorbar,
        }
        validate_parameter_constraints(_PLOT_CONSTRAINTS, params, "MapperGraphDisplay.plot")
        check_mapper_fitted(self.mapper)
        colormap = named_colormap(cmap)
        ax = plt.figure(figsize=(7, 7)).add_subplot() if ax is None else ax
        graph, positions = self.mapper.graph_, self.positions
        nodes = list(graph.nodes)
        xy = np.array([positions[n] for n in nodes]).reshape(-1, 2)
        sizes = np.array([graph.nodes[n]["size"] for n in nodes], dtype=float)
        ax.add_collection(
            LineCollection(
                [(positions[a], positions[b]) for a, b in graph.edges], colors="0.6", linewidths=0.5, zorder=1
            )
        )
        self.nodes_ = ax.scatter(
            xy[:, 0],
            xy[:, 1],
            c=sizes,
            cmap=colormap,
            s=10 + 40 * sizes / max(sizes.max(), 1),
            zorder=2,
            edgecolors="none",
        )
        self.colorbar_ = (
            ax.figure.colorbar(self.nodes_, ax=ax, shrink=0.6, label="rows per node") if colorbar else None
        )
        side = filter_side(self.mapper.n_features_in_)
        if n_filters and side and len(nodes):
            _draw_mean_filters(ax, graph, nodes, xy, sizes, side, n_filters, filter_size)
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_axis_off()
        ax.set_title(f"{describe(self.mapper)}: {len(nodes)} nodes, {graph.number_of_edges()} edges")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(
    {"mapper": "no_validation", **_PLOT_CONSTRAINTS, "random_state": ["random_state"]},
    prefer_skip_nested_validation=True,
)
def plot_mapper_graph(
    mapper, ax=None, *, n_filters=8, cmap="jet", filter_size=0.12, colorbar=True, random_state=0
):
    """Draw a fitted Mapper graph as the paper's figures do: :class:`MapperGraphDisplay`'s shortcut.

    Parameters
    ----------
    mapper : Mapper
        A fitted :class:`~sktopo.mapper.Mapper`.
    ax : matplotlib Axes, default=None
    n_filters : int, default=8
    cmap : str, default="jet"
    filter_size : float, default=0.12
    colorbar : bool, default=True
        These five as in :meth:`MapperGraphDisplay.plot`.
    random_state : int, RandomState instance or None, default=0
        Seed of the layout when the lens is not 2-D.

    Returns
    -------
    ax : matplotlib Axes

    See Also
    --------
    MapperGraphDisplay : the same picture as an object (``ax_``, ``figure_``, ``colorbar_``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo import Mapper
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.plotting import plot_mapper_graph
    >>> ax = plot_mapper_graph(Mapper(resolution=8).fit(make_circle_filters(300, random_state=0)))
    >>> len(ax.child_axes)
    8
    """
    display = MapperGraphDisplay.from_estimator(
        mapper,
        ax=ax,
        n_filters=n_filters,
        cmap=cmap,
        filter_size=filter_size,
        colorbar=colorbar,
        random_state=random_state,
    )
    return display.ax_


def filter_side(n_features: int) -> int | None:
    """Side of the square filter that a row of ``n_features`` pixels is (3 for 9), else None."""
    side = math.isqrt(n_features)
    return side if side * side == n_features else None


def describe(mapper) -> str:
    """``Mapper(resolution, gain)`` as the paper writes it, from the fitted cover."""
    cover = mapper.cover_
    if isinstance(cover, Cover):
        return f"Mapper({cover.resolution}, {cover.gain})"
    return f"Mapper with {type(cover).__name__}"


def named_colormap(cmap: str):
    from matplotlib import colormaps

    if cmap not in colormaps:
        raise ValueError(f"cmap must be the name of a matplotlib colour map, such as 'jet'; got {cmap!r}.")
    return colormaps[cmap]


def _draw_mean_filters(ax, graph, nodes, xy, sizes, side, n_filters, filter_size):
    centre = xy.mean(axis=0)
    span = max(np.ptp(xy, axis=0).max(), 1e-12)
    box = filter_size * span * 1.6
    for i in greedy_landmarks(xy, n_filters, first=int(np.argmax(sizes)))[0]:
        direction = xy[i] - centre
        direction = direction / (np.linalg.norm(direction) or 1.0)
        spot = centre + direction * (0.5 * span + box)  # outside the graph
        ax.plot(*np.column_stack([xy[i], spot]), color="0.3", linewidth=0.5, zorder=1)
        inset = ax.inset_axes([spot[0] - box / 2, spot[1] - box / 2, box, box], transform=ax.transData)
        inset.imshow(graph.nodes[nodes[i]]["mean"].reshape(side, side), cmap="gray")
        inset.set_xticks([])
        inset.set_yticks([])
    reach = 0.5 * span + 1.6 * box
    ax.update_datalim(np.vstack([centre - reach, centre + reach]))
    ax.autoscale_view()
