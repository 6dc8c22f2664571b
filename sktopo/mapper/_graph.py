"""Summaries of Mapper graphs: components, cycle rank, loops."""

import networkx as nx
import numpy as np
import scipy.sparse as sp
from ripser import ripser

__all__ = ["graph_summary", "n_loops"]


def _check_graph(graph) -> None:
    """Refuse anything but an undirected simple graph (a Mapper ``graph_``)."""
    if not isinstance(graph, nx.Graph) or graph.is_directed() or graph.is_multigraph():
        raise TypeError(
            f"graph must be an undirected networkx.Graph, e.g. a fitted Mapper's graph_; got "
            f"{type(graph).__name__}."
        )


def n_loops(graph: nx.Graph) -> int:
    """Number of independent loops of ``graph`` that triangles do not fill.

    The rank over Z/2 of the first homology of the graph's clique complex (every triangle of
    the graph filled in). A Mapper graph over a 2-D lens with gain 3 is full of triangles
    (every row lies in up to nine cover cells, whose clusters then form a clique), so its cycle
    rank counts thousands of cycles; this counts the holes a reader sees in the picture: one
    for the primary circle. Computed with ripser on the graph's adjacency as a sparse distance
    matrix (every edge at distance 1): the H1 bars born at 1 that never die.

    Parameters
    ----------
    graph : networkx.Graph

    Returns
    -------
    loops : int

    Examples
    --------
    >>> import networkx as nx
    >>> from sktopo.mapper import n_loops
    >>> n_loops(nx.cycle_graph(6)), n_loops(nx.complete_graph(6))
    (1, 0)
    """
    _check_graph(graph)
    index = {node: i for i, node in enumerate(graph.nodes)}
    if graph.number_of_edges() == 0:
        return 0
    edges = np.array([(index[a], index[b]) for a, b in graph.edges()])
    n = len(index)
    adjacency = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    h1 = ripser(adjacency, distance_matrix=True, maxdim=1)["dgms"][1]
    return int(np.isinf(h1[:, 1]).sum())


def graph_summary(graph: nx.Graph) -> dict:
    """Size, components, cycle rank and loops of a graph.

    The cycle rank (the first Betti number of the graph as a 1-dimensional complex) is
    ``edges - nodes + components``: every independent cycle, including those that bound
    triangles. ``n_loops`` (:func:`n_loops`) leaves out the cycles that triangles fill; for a
    graph without triangles, such as the Mapper graph of a 1-D lens with gain at most 2, the
    two agree.

    Parameters
    ----------
    graph : networkx.Graph
        E.g. ``Mapper().fit(X).graph_``.

    Returns
    -------
    summary : dict
        ``n_nodes``, ``n_edges``, ``n_components``, ``cycle_rank``, ``n_loops``, and
        ``component_sizes``: the number of nodes of each component, largest first.

    Examples
    --------
    >>> import networkx as nx
    >>> from sktopo.mapper import graph_summary
    >>> summary = graph_summary(nx.union(nx.cycle_graph(5), nx.path_graph(3), rename=("a", "b")))
    >>> summary["cycle_rank"], summary["n_loops"], summary["component_sizes"]
    (1, 1, [5, 3])
    """
    _check_graph(graph)
    sizes = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    n_nodes, n_edges = graph.number_of_nodes(), graph.number_of_edges()
    return {
        "n_nodes": n_nodes,
        "n_edges": n_edges,
        "n_components": len(sizes),
        "cycle_rank": n_edges - n_nodes + len(sizes),
        "n_loops": n_loops(graph),
        "component_sizes": sizes,
    }
