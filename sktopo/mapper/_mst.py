"""Exact Euclidean minimum spanning trees in memory linear in the number of points.

Single linkage is the minimum spanning tree: its merge heights are the tree's edge lengths and
its clusters below a height are the components of the shorter edges. SciPy's ``linkage``
computes it from all ``m (m - 1) / 2`` distances (8 bytes each: 250 MB for a cover set of
8,000 points). :func:`euclidean_mst` finds the same tree by Borůvka's algorithm on a KD-tree:
each round, every component takes its shortest edge to another component, so at most
``log2 m`` rounds join everything. The shortest edges come from each point's ``K`` nearest
neighbours; a component is settled by them when each of its points either has a neighbour
outside it in that list closer than its ``K``-th neighbour, or has a ``K``-th neighbour farther
than the best edge found for the component (no point beyond can do better). A component not
settled so gets its shortest edge from a wider list (a small one: a handful of near-copies) or
a KD-tree of the points outside it (a large one: a tight cluster far from the rest), then from
every pair the tree puts within that edge's length.

Ties are broken by a strict order of the edges, by length, then the smaller endpoint index,
then the larger, so the tree is unique and Borůvka's simultaneous choices never make a cycle.
Lengths are computed from the coordinates of each pair (not from the tree's rotated copy), the
same number whichever end is asked for; the tree's distances only bound them
(:mod:`sktopo._kdtree`). Repeated rows are joined at length 0 first.
"""

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from .._kdtree import PrincipalTree

__all__ = ["components_below", "euclidean_mst"]

#: Neighbours listed per point (the point itself included): settles most components at once.
_K = 8
#: Largest wider neighbour list asked for around a small component (else a tree of the others).
_WIDE_MAX = 64


def euclidean_mst(Y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The exact Euclidean minimum spanning tree of the rows of ``Y``.

    Parameters
    ----------
    Y : ndarray of shape (m, n_features)

    Returns
    -------
    u, v : ndarray of shape (m - 1,)
        Endpoints of the edges, ``u < v``.
    lengths : ndarray of shape (m - 1,)
        Euclidean lengths of the edges.
    """
    # repeated rows are joined at length 0 and the tree is grown on the distinct ones: a
    # neighbour list full of copies would say nothing about the points beyond them
    root = _first_copies(Y)
    distinct = np.flatnonzero(root == np.arange(len(Y)))
    copies = np.flatnonzero(root != np.arange(len(Y)))
    a, b, lengths = _distinct_mst(Y[distinct])
    a, b = distinct[a], distinct[b]
    u, v = np.r_[np.minimum(a, b), root[copies]], np.r_[np.maximum(a, b), copies]
    return u, v, np.r_[lengths, np.zeros(len(copies))]


def _first_copies(Y: np.ndarray) -> np.ndarray:
    """Index of the first copy of each row (the row itself when it is the first or only one)."""
    column = np.sort(Y[:, 0])
    if not (column[1:] == column[:-1]).any():  # no two rows even share a first coordinate
        return np.arange(len(Y))
    _, first, inverse = np.unique(Y, axis=0, return_index=True, return_inverse=True)
    return first[inverse.ravel()]


def _distinct_mst(Y: np.ndarray):
    """Borůvka's rounds on rows that are all different."""
    m = len(Y)
    u, v, lengths = (np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0))
    if m < 2:
        return u, v, lengths
    space = _Space(Y)
    labels = np.arange(m)
    while labels.max() > 0:
        lo, hi, w = space.shortest_edges(labels)
        u, v, lengths = (np.concatenate(pair) for pair in ((u, lo), (v, hi), (lengths, w)))
        # the new edges join components: label the graph of components, not of points
        labels = components_below(labels.max() + 1, labels[lo], labels[hi], w, np.inf)[labels]
    return u, v, lengths


def components_below(m: int, u, v, lengths, height: float) -> np.ndarray:
    """Component labels of ``m`` points joined by the edges shorter than ``height``."""
    keep = np.asarray(lengths) < height
    graph = coo_matrix((np.ones(keep.sum()), (u[keep], v[keep])), shape=(m, m))
    return connected_components(graph, directed=False)[1]


def _lengths(Y: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Exact distances between rows ``i`` and ``j`` of ``Y`` (broadcast), symmetric in the pair."""
    return np.sqrt(((Y[i] - Y[j]) ** 2).sum(axis=-1))


class _Space:
    """The points, a KD-tree on their principal axes and each point's nearest neighbours.

    The tree's distances bound the exact ones through :class:`~sktopo._kdtree.PrincipalTree`'s
    ``lower`` and ``upper``, which is all the searches need to be exact.
    """

    def __init__(self, Y: np.ndarray):
        self.Y = Y
        self.principal = PrincipalTree(Y)
        k = min(_K, len(Y))
        reach, self.neighbours = self.principal.query_rows(k)
        rows = np.arange(len(Y))[:, None]
        self.lengths = np.where(self.neighbours == rows, np.inf, _lengths(Y, rows, self.neighbours))
        # no point outside the list is closer than this
        self.reach = self.principal.lower(reach[:, -1]) if k < len(Y) else np.full(len(Y), np.inf)

    def shortest_edges(self, labels: np.ndarray):
        """The shortest edge leaving each component: ``(lo, hi, length)`` arrays, deduplicated."""
        points, best = self._listed_best(labels)
        lo, hi, w = _per_component_minimum(labels, points, best)
        doubtful = ~(best < self.reach)  # this point's own shortest edge may lie beyond its list
        for component in np.unique(labels[doubtful & (self.reach <= w[labels])]):
            ask = np.flatnonzero(doubtful & (labels == component) & (self.reach <= w[component]))
            listed = (w[component], lo[component], hi[component])
            w[component], lo[component], hi[component] = min(listed, self._outside_search(labels, ask))
        # an edge chosen by both of its components is kept once
        keys, first = np.unique(np.stack([lo, hi]), axis=1, return_index=True)
        return keys[0], keys[1], w[first]

    def _listed_best(self, labels):
        """Each point's shortest listed edge to another component: (neighbour, length), -1/inf if none."""
        outside = labels[self.neighbours] != labels[:, None]
        lengths = np.where(outside, self.lengths, np.inf)
        shortest = lengths.min(axis=1, keepdims=True)
        # among equal lengths the smallest neighbour index gives the smallest (lo, hi) key
        tied = np.where(np.isfinite(shortest) & (lengths == shortest), self.neighbours, len(labels))
        return np.where(np.isfinite(shortest[:, 0]), tied.min(axis=1), -1), shortest[:, 0]

    def _outside_search(self, labels, ask: np.ndarray) -> tuple:
        """The exact shortest ``(length, lo, hi)`` edge from the points ``ask`` of one component
        to the points of the others.

        An edge found first, from a wider neighbour list (a small component: a few more
        neighbours than it has points) or from a KD-tree of the points outside it (a large
        one), gives a radius; every pair at most as long lies within it in the tree.
        """
        component = labels[ask[0]]
        k = np.count_nonzero(labels == component) + _K
        if k <= _WIDE_MAX and k < len(labels):
            _, index = self.principal.tree.query(self.principal.points[ask], k=k)
            i, j = np.repeat(ask, k), index.ravel()
            outside = labels[j] != component  # at least _K of the k are
            radius = self.principal.upper(_shortest_edge(self.Y, i[outside], j[outside])[0])
            return self._edges_within(self.principal.tree, None, ask, radius, labels)
        others = np.flatnonzero(labels != component)
        tree = cKDTree(self.principal.points[others], leafsize=32)
        nearest, index = tree.query(self.principal.points[ask], k=1)
        found = np.argmin(nearest)
        radius = self.principal.upper(_lengths(self.Y, ask[found], others[index[found]]))
        return self._edges_within(tree, others, ask[nearest <= radius], radius, labels)

    def _edges_within(self, tree, rows, ask, radius, labels) -> tuple:
        """The shortest edge from ``ask`` to another component among the pairs ``tree`` puts
        within ``radius`` (``rows`` maps the tree's indices to points; None: the same)."""
        hits = tree.query_ball_point(self.principal.points[ask], radius, return_sorted=False)
        i = np.repeat(ask, [len(h) for h in hits])
        j = np.concatenate(hits).astype(np.intp)
        j = j if rows is None else rows[j]
        outside = labels[j] != labels[i]
        return _shortest_edge(self.Y, i[outside], j[outside])


def _shortest_edge(Y, i, j) -> tuple:
    """The smallest ``(length, lo, hi)`` among the edges ``(i, j)`` (at least one)."""
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    w = _lengths(Y, lo, hi)
    first = np.lexsort((hi, lo, w))[0]
    return w[first], lo[first], hi[first]


def _per_component_minimum(labels, points, best):
    """For each component label, the minimum ``(length, lo, hi)`` of its points' listed edges.

    Returns arrays indexed by label; a component with no listed edge gets length inf.
    """
    n = labels.max() + 1
    shortest = np.full(n, np.inf)
    np.minimum.at(shortest, labels, best)
    # the rows that reach their component's shortest length; ties among them by (lo, hi)
    rows = np.flatnonzero((best == shortest[labels]) & (points >= 0))
    lo, hi = np.minimum(rows, points[rows]), np.maximum(rows, points[rows])
    order = np.lexsort((hi, lo, labels[rows]))
    first = order[np.r_[True, np.diff(labels[rows][order]) != 0]] if len(order) else order
    out_lo, out_hi = np.zeros(n, np.intp), np.zeros(n, np.intp)
    out_lo[labels[rows][first]], out_hi[labels[rows][first]] = lo[first], hi[first]
    return out_lo, out_hi, shortest
