"""The Mapper estimator."""

import networkx as nx
import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._validation import HasMethods, Integral, Interval, Real, StrOptions, fit_context
from ..metrics import METRICS, column_scale
from ._cluster import gap_single_linkage
from ._cover import Cover

__all__ = ["Mapper"]


def _cluster_cell(clusterer, points: np.ndarray, members: np.ndarray) -> list[np.ndarray]:
    """Members of each cluster of one cover cell; label -1 (noise) is dropped."""
    if len(members) == 1:
        return [members]
    if clusterer is None:  # the default, without re-validating every cell
        labels = gap_single_linkage(points)[0]
    else:
        labels = np.asarray(clone(clusterer).fit_predict(points))
    return [members[labels == label] for label in _in_order(labels) if label != -1]


def _in_order(labels: np.ndarray) -> np.ndarray:
    unique, first = np.unique(labels, return_index=True)
    return unique[np.argsort(first)]


class Mapper(BaseEstimator):
    """The Mapper graph of a point cloud, as the paper builds it with Ayasdi.

    A lens maps the rows to ``R^d`` (default: the first two principal components, the paper's
    "PCA 1 and 2"); a :class:`Cover` of ``resolution`` intervals per lens dimension with
    overlap ``1 - 1/gain`` groups them into overlapping cells; each cell is clustered (default:
    single linkage cut at the first histogram gap, :class:`GapSingleLinkage`) in the ``metric``
    computed over the whole data set; each cluster is a node, and clusters that share a row are
    joined by an edge. ``Mapper(30, 3)`` in the paper is ``Mapper(resolution=30, gain=3)``.

    Parameters
    ----------
    lens : transformer, default=None
        Anything with ``fit_transform``; cloned before fitting. None means
        ``PCA(n_components=2)`` (fewer if the data has fewer features).
    resolution : int, default=30
        Intervals per lens dimension.
    gain : float, default=3
        Overlap factor, > 1; consecutive intervals share ``1 - 1/gain`` of their length.
    metric : {"vne", "euclidean"}, default="vne"
        Metric for clustering: variance-normalized Euclidean (:mod:`sktopo.metrics`), the
        paper's choice, with variances over the whole data set, or plain Euclidean.
    clusterer : estimator, default=None
        Anything with ``fit_predict``, cloned for each cell; label -1 is treated as noise and
        left out of every node. None means :class:`GapSingleLinkage`.
    n_jobs : int, default=None
        Cover cells clustered in parallel processes (joblib); None means 1, -1 all cores. It
        pays on large clouds, whose cells take long to cluster (see
        ``benchmarks/bench_mapper.py``); on small ones process start-up costs more than it saves.
    random_state : int, RandomState instance or None, default=None
        Passed to the default lens (PCA with a full SVD is deterministic anyway).

    Attributes
    ----------
    graph_ : networkx.Graph
        Nodes 0, 1, ... in order of their cell (lexicographic) and, within a cell, of their
        first row. Node attributes: ``members`` (row indices, increasing), ``size``, ``mean``
        (mean row: the mean filter) and ``cell`` (interval index per lens dimension). Edge
        attribute: ``shared``, the number of rows the two clusters share.
    lens_ : ndarray of shape (n_samples, n_dimensions)
        Lens values of the rows.
    lens_estimator_ : transformer
        The fitted lens.
    cover_ : Cover
        The fitted cover (its ``intervals_`` per lens dimension).
    n_features_in_ : int

    See Also
    --------
    graph_summary : components and cycle rank of ``graph_``.
    sktopo.plotting.plot_mapper_graph, sktopo.plotting.save_mapper_html : pictures.

    References
    ----------
    G. Singh, F. Mémoli and G. Carlsson, "Topological methods for the analysis of high
    dimensional data sets and 3D object recognition", Point Based Graphics, 2007.

    Examples
    --------
    >>> from sktopo import FilterNormalizer, Mapper
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.mapper import graph_summary
    >>> X = FilterNormalizer().fit_transform(make_circle_filters(1000, noise=0.05, random_state=0))
    >>> mapper = Mapper(resolution=10, gain=3).fit(X)
    >>> graph_summary(mapper.graph_)["n_loops"]
    1
    """

    _parameter_constraints = {
        "lens": [HasMethods(["fit_transform"]), None],
        "resolution": [Interval(Integral, 1, None, closed="left")],
        "gain": [Interval(Real, 1, None, closed="neither")],
        "metric": [StrOptions(set(METRICS))],
        "clusterer": [HasMethods(["fit_predict"]), None],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        lens=None,
        resolution=30,
        gain=3,
        metric="vne",
        clusterer=None,
        n_jobs=None,
        random_state=None,
    ):
        self.lens = lens
        self.resolution = resolution
        self.gain = gain
        self.metric = metric
        self.clusterer = clusterer
        self.n_jobs = n_jobs
        self.random_state = random_state

    @fit_context
    def fit(self, X, y=None):
        """Build the Mapper graph of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            E.g. density-filtered, normalized spatial filters.
        y : None
            Ignored.

        Returns
        -------
        self : Mapper
        """
        X = validate_data(self, X, dtype=np.float64)
        self.lens_estimator_ = self._lens(X)
        self.lens_ = check_array(self.lens_estimator_.fit_transform(X), dtype=np.float64)
        self.cover_ = Cover(self.resolution, self.gain).fit(self.lens_)
        scaled = X * column_scale(X, self.metric)
        cells = self.cover_.cells(self.lens_)
        per_cell = Parallel(n_jobs=self.n_jobs)(
            delayed(_cluster_cell)(self.clusterer, scaled[members], members) for _, members in cells
        )
        nodes = [(cell, cluster) for (cell, _), clusters in zip(cells, per_cell) for cluster in clusters]
        self.graph_ = _build_graph(X, nodes)
        return self

    def _lens(self, X):
        if self.lens is not None:
            return clone(self.lens)
        n_components = min(2, X.shape[1], len(X))
        return PCA(n_components=n_components, svd_solver="full", random_state=self.random_state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _build_graph(X: np.ndarray, nodes) -> nx.Graph:
    graph = nx.Graph()
    for node, (cell, members) in enumerate(nodes):
        graph.add_node(node, members=members, size=len(members), mean=X[members].mean(axis=0), cell=cell)
    rows = np.concatenate([members for _, members in nodes])
    columns = np.repeat(np.arange(len(nodes)), [len(members) for _, members in nodes])
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(X), len(nodes)))
    shared = sp.triu(incidence.T @ incidence, k=1).tocoo()
    graph.add_edges_from(
        (int(a), int(b), {"shared": int(w)}) for a, b, w in zip(shared.row, shared.col, shared.data)
    )
    return graph


def check_mapper_fitted(mapper) -> None:
    """Raise if ``mapper`` is not a fitted :class:`Mapper`."""
    if not isinstance(mapper, Mapper):
        raise TypeError(f"mapper must be a fitted sktopo.mapper.Mapper; got {type(mapper).__name__}.")
    check_is_fitted(mapper, "graph_")
