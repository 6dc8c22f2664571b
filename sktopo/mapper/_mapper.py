"""The Mapper estimator."""

import warnings

import networkx as nx
import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._validation import N_JOBS, HasMethods, Integral, Interval, Real, nested_fit_context
from ..metrics import METRIC, column_scale, column_spread
from ._cluster import GapSingleLinkage, _gap_single_linkage, _number_by_first_row
from ._cover import Cover

__all__ = ["Mapper", "check_mapper_fitted"]


def _cluster_cell(clusterer, points: np.ndarray, members: np.ndarray) -> list[np.ndarray]:
    """Members of each cluster of one cover cell, in order of their first row; noise (-1) is dropped."""
    if type(clusterer) is GapSingleLinkage:  # the default, by its core: checked once in fit, not per cell
        labels = _gap_single_linkage(points, clusterer.n_bins)[0]
    else:
        labels = _number_by_first_row(_fit_predict(clusterer, points))
    return [members[labels == label] for label in range(labels.max() + 1)]


def _fit_predict(clusterer, points: np.ndarray) -> np.ndarray:
    """The clusterer's labels for one cell: integers, one per row (-1 for noise)."""
    try:
        labels = np.asarray(clone(clusterer).fit_predict(points))
    except ValueError as exc:
        raise ValueError(
            f"clusterer={clusterer!r} failed on a cover cell of {len(points)} row(s): {exc} Mapper "
            "clusters every occupied cell, one-row cells included; use a clusterer that accepts any "
            "number of rows (GapSingleLinkage, DBSCAN) or a coarser cover."
        ) from exc
    if labels.shape != (len(points),) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"clusterer={clusterer!r} returned labels of shape {labels.shape} and dtype {labels.dtype} "
            f"for a cover cell of {len(points)} row(s); Mapper needs one integer label per row (-1: noise)."
        )
    return labels


class Mapper(BaseEstimator):
    """The Mapper graph of a point cloud, as the paper builds it with Ayasdi.

    Three parts, each a cloneable estimator: a ``lens`` maps the rows to ``R^d`` (default: the
    first two principal components, the paper's "PCA 1 and 2"); a ``cover`` of the lens space
    (default: :class:`Cover`, ``resolution`` intervals per lens dimension with overlap
    ``1 - 1/gain``) groups them into overlapping cells; a ``clusterer`` (default:
    :class:`GapSingleLinkage`, single linkage cut at the first histogram gap) splits each cell
    in the ``metric`` computed over the whole data set. Each cluster is a node, and clusters
    that share a row are joined by an edge. ``Mapper(30, 3)`` in the paper is
    ``Mapper(resolution=30, gain=3)``, the same as ``Mapper(cover=Cover(30, 3))``.

    Parameters
    ----------
    lens : transformer, default=None
        Anything with ``fit_transform``; cloned before fitting. None means
        ``PCA(n_components=2)`` (fewer if the data has fewer features).
    resolution : int, default=30
        Intervals per lens dimension of the default cover.
    gain : float, default=3
        Overlap factor of the default cover, > 1; consecutive intervals share ``1 - 1/gain``
        of their length.
    metric : {"vne", "euclidean"}, default="vne"
        Metric for clustering: variance-normalized Euclidean (:mod:`sktopo.metrics`), the
        paper's choice, with variances over the whole data set, or plain Euclidean.
    clusterer : estimator, default=None
        Anything with ``fit_predict``, cloned for each cell, including cells of one row; label
        -1 is treated as noise and left out of every node. None means ``GapSingleLinkage()``;
        pass e.g. ``GapSingleLinkage(n_bins=10)`` to change its rule.
    n_jobs : int, default=None
        Cover cells clustered in parallel processes (joblib); None means 1, -1 all cores. It
        pays on large clouds, whose cells take long to cluster (see
        ``benchmarks/bench_mapper.py``); on small ones process start-up costs more than it saves.
    cover : estimator, default=None
        The cover, cloned before fitting: anything with ``fit(lens)`` and ``cells(lens)`` as
        :class:`Cover` has (``cells`` returns the non-empty cells in lexicographic order, each
        with its increasing row indices). None means ``Cover(resolution, gain)``.
        ``resolution`` and ``gain`` are kept beside it because ``Mapper(resolution, gain)`` is
        the paper's notation; they describe only the default cover, so with a ``cover`` given
        they must keep their defaults (30 and 3): a ``cover`` with any other ``resolution`` or
        ``gain`` is a ``ValueError``, rather than one of the two being silently ignored.

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
        The fitted cover (for :class:`Cover`, its ``intervals_`` per lens dimension).
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
    >>> from sktopo.mapper import Cover, GapSingleLinkage, graph_summary
    >>> X = FilterNormalizer().fit_transform(make_circle_filters(1000, noise=0.05, random_state=0))
    >>> mapper = Mapper(resolution=10, gain=3).fit(X)
    >>> graph_summary(mapper.graph_)["n_loops"]
    1
    >>> parts = Mapper(cover=Cover(10, 3), clusterer=GapSingleLinkage(n_bins=5)).fit(X)
    >>> parts.graph_.number_of_nodes() == mapper.graph_.number_of_nodes()
    True
    """

    _parameter_constraints = {
        "lens": [HasMethods(["fit_transform"]), None],
        "resolution": [Interval(Integral, 1, None, closed="left")],
        "gain": [Interval(Real, 1, None, closed="neither")],
        "metric": METRIC,
        "clusterer": [HasMethods(["fit_predict"]), None],
        "n_jobs": N_JOBS,
        "cover": [HasMethods(["fit", "cells"]), None],
    }

    def __init__(
        self,
        lens=None,
        resolution=30,
        gain=3,
        metric="vne",
        clusterer=None,
        n_jobs=None,
        cover=None,
    ):
        self.lens = lens
        self.resolution = resolution
        self.gain = gain
        self.metric = metric
        self.clusterer = clusterer
        self.n_jobs = n_jobs
        self.cover = cover

    @nested_fit_context
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
        if len(X) > 1 and column_spread(X)[1].all():
            warnings.warn(
                "X is constant up to rounding (every row the same): the Mapper graph can show no shape "
                "of the data (a PCA lens of it is rounding noise).",
                UserWarning,
                stacklevel=3,
            )
        cover = self._cover()
        self.lens_estimator_ = self._lens(X)
        self.lens_ = check_array(self.lens_estimator_.fit_transform(X), dtype=np.float64, input_name="lens")
        if len(self.lens_) != len(X):
            raise ValueError(
                f"lens={self.lens!r} returned {len(self.lens_)} rows for the {len(X)} rows of X."
            )
        self.cover_ = cover.fit(self.lens_)
        nodes = self._cluster(X * column_scale(X, self.metric), self.cover_.cells(self.lens_))
        self.graph_ = _build_graph(X, nodes)
        return self

    def _cluster(self, scaled: np.ndarray, cells) -> list[tuple[tuple[int, ...], np.ndarray]]:
        """The nodes: ``(cell, members)`` of each cluster of each cell, cells in order."""
        clusterer = GapSingleLinkage() if self.clusterer is None else self.clusterer
        if type(clusterer) is GapSingleLinkage:
            clone(clusterer).fit(scaled[:1])  # checks n_bins once, for the per-cell core
        per_cell = Parallel(n_jobs=self.n_jobs)(
            delayed(_cluster_cell)(clusterer, scaled[members], members) for _, members in cells
        )
        return [(cell, cluster) for (cell, _), clusters in zip(cells, per_cell) for cluster in clusters]

    def _lens(self, X):
        if self.lens is not None:
            return clone(self.lens)
        return PCA(n_components=min(2, X.shape[1], len(X)), svd_solver="full")

    def _cover(self):
        if self.cover is None:
            return Cover(self.resolution, self.gain)
        if (self.resolution, self.gain) != (30, 3):
            raise ValueError(
                "resolution and gain describe the default cover; with a cover given, set them on it "
                f"(cover=Cover(resolution, gain)). Got cover={self.cover!r}, resolution={self.resolution!r}, "
                f"gain={self.gain!r}."
            )
        return clone(self.cover)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _build_graph(X: np.ndarray, nodes) -> nx.Graph:
    graph = nx.Graph()
    for node, (cell, members) in enumerate(nodes):
        graph.add_node(node, members=members, size=len(members), mean=X[members].mean(axis=0), cell=cell)
    if not nodes:
        return graph
    rows = np.concatenate([members for _, members in nodes])
    columns = np.repeat(np.arange(len(nodes)), [len(members) for _, members in nodes])
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(X), len(nodes)))
    shared = sp.triu(incidence.T @ incidence, k=1).tocoo()
    graph.add_edges_from(
        (int(a), int(b), {"shared": int(w)}) for a, b, w in zip(shared.row, shared.col, shared.data)
    )
    return graph


def check_mapper_fitted(mapper) -> None:
    """Raise unless ``mapper`` is a fitted :class:`Mapper`.

    Parameters
    ----------
    mapper : object
        What a function that draws or exports a Mapper graph was given.

    Raises
    ------
    TypeError
        If ``mapper`` is not a :class:`Mapper`.
    sklearn.exceptions.NotFittedError
        If it has not been fitted.

    Examples
    --------
    >>> from sktopo.mapper import Mapper, check_mapper_fitted
    >>> check_mapper_fitted(Mapper().fit([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]]))
    >>> check_mapper_fitted("graph")
    Traceback (most recent call last):
    ...
    TypeError: mapper must be a fitted sktopo.mapper.Mapper; got str.
    """
    if not isinstance(mapper, Mapper):
        raise TypeError(f"mapper must be a fitted sktopo.mapper.Mapper; got {type(mapper).__name__}.")
    check_is_fitted(mapper, "graph_")
