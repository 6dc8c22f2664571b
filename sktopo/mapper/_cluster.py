"""Single-linkage clustering with the histogram-gap threshold of Singh, Mémoli and Carlsson."""

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import validate_data

from .._validation import Integral, Interval, fit_context

__all__ = ["GapSingleLinkage", "gap_single_linkage", "gap_threshold"]


def gap_threshold(heights, n_bins: int = 5) -> float:
    """Cut height chosen by the first gap in the histogram of single-linkage merge heights.

    Singh, Mémoli and Carlsson (2007, Section 3.1) cluster each cover set by single linkage and
    cut the dendrogram at the first gap of the histogram of its edge lengths: the merges below
    the gap join points of one cluster, those above it join clusters. The paper (via Ayasdi)
    uses "a fixed heuristic for the choice of threshold" without saying which; we take this
    one: ``n_bins`` equal bins over ``[min, max]`` of the heights, and the cut at the lower
    edge of the first empty bin, so that every merge at or above it is undone. With no empty
    bin (or fewer than two heights) there is no gap: one cluster, threshold ``inf``.

    Five bins by default: on the noisy primary circle of the paper's Fig. 2 size (6,400
    filters, ρ(200, 0.3), Mapper(30, 3)), ten bins found chance gaps in the sparse tail of
    the histogram of the larger cover sets and split them, giving stray components and
    spurious loops on some seeds; five bins gave one component and one loop
    (``tests/test_mapper.py`` holds the case).

    Parameters
    ----------
    heights : array-like of shape (n_merges,)
        Merge heights of a single-linkage dendrogram (its minimum spanning tree's edge lengths).
    n_bins : int, default=5

    Returns
    -------
    threshold : float
        Merges with height below it are kept.

    Examples
    --------
    >>> from sktopo.mapper import gap_threshold
    >>> gap_threshold([0.1, 0.12, 0.11, 5.0])
    1.08
    >>> gap_threshold([0.1, 0.15, 0.2, 0.25, 0.3])
    inf
    """
    heights = np.asarray(heights, dtype=np.float64)
    if len(heights) < 2 or heights.max() == heights.min():
        return np.inf
    counts, edges = np.histogram(heights, bins=n_bins)
    empty = np.flatnonzero(counts == 0)
    return float(edges[empty[0]]) if len(empty) else np.inf


class GapSingleLinkage(ClusterMixin, BaseEstimator):
    """Single-linkage clustering cut at the first gap of the merge-height histogram.

    The default clusterer of :class:`~sktopo.mapper.Mapper`; see :func:`gap_threshold` for the
    rule and its source. Euclidean distances; ``Mapper`` scales the columns first when its
    metric is ``"vne"``.

    Parameters
    ----------
    n_bins : int, default=5
        Number of histogram bins in which to look for a gap.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each row, 0, 1, ... in order of each cluster's first row.
    threshold_ : float
        The cut height (``inf`` when no gap was found).

    Examples
    --------
    >>> from sktopo.mapper import GapSingleLinkage
    >>> GapSingleLinkage().fit_predict([[0.0], [0.1], [0.2], [5.0], [5.1]])
    array([0, 0, 0, 1, 1])
    """

    _parameter_constraints = {"n_bins": [Interval(Integral, 1, None, closed="left")]}

    def __init__(self, n_bins=5):
        self.n_bins = n_bins

    @fit_context
    def fit(self, X, y=None):
        """Cluster ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : GapSingleLinkage
        """
        X = validate_data(self, X, dtype=np.float64)
        self.labels_, self.threshold_ = gap_single_linkage(X, self.n_bins)
        return self


def gap_single_linkage(X: np.ndarray, n_bins: int = 5) -> tuple[np.ndarray, float]:
    """Labels and cut height of :class:`GapSingleLinkage` on a float array ``X``.

    The functional core, without parameter or data validation, for callers that cluster many
    small sets (Mapper's cover cells).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_bins : int, default=5

    Returns
    -------
    labels : ndarray of shape (n_samples,)
    threshold : float
    """
    if len(X) < 2:
        return np.zeros(len(X), dtype=np.intp), np.inf
    tree = linkage(X, method="single")
    threshold = gap_threshold(tree[:, 2], n_bins)
    if np.isinf(threshold):
        return np.zeros(len(X), dtype=np.intp), threshold
    raw = fcluster(tree, np.nextafter(threshold, -np.inf), criterion="distance")
    return _first_seen(raw), threshold


def _first_seen(labels: np.ndarray) -> np.ndarray:
    """Relabel clusters 0, 1, ... in order of their first row."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    return np.argsort(np.argsort(first))[inverse]
