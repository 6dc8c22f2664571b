"""Single-linkage clustering with the histogram-gap threshold of Singh, Mémoli and Carlsson."""

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_array, validate_data

from .._validation import Integral, Interval, fit_context, validate_params
from ._mst import components_below, euclidean_mst

__all__ = ["GapSingleLinkage", "gap_single_linkage", "gap_threshold"]

_N_BINS = [Interval(Integral, 1, None, closed="left")]

#: Largest set clustered from all its pairwise distances (SciPy's ``linkage``, 4 MB at most);
#: larger ones go through :func:`~sktopo.mapper._mst.euclidean_mst`, in memory linear in the
#: set's size. Both give the same tree; linkage is faster on small sets (``benchmarks/README.md``).
DENSE_MAX = 1000


@validate_params({"heights": ["array-like"], "n_bins": _N_BINS}, prefer_skip_nested_validation=True)
def gap_threshold(heights, n_bins: int = 5) -> float:
    """Cut height chosen by the first gap in the histogram of single-linkage merge heights.

    Singh, Mémoli and Carlsson (2007, Section 3.1) cluster each cover set by single linkage and
    cut the dendrogram at the first gap of the histogram of its edge lengths: the merges below
    the gap join points of one cluster, those above it join clusters. The paper (via Ayasdi)
    uses "a fixed heuristic for the choice of threshold" without saying which; we take this
    one: ``n_bins`` equal bins over ``[min, max]`` of the heights, and the cut at the lower
    edge of the first empty bin, so that every merge at or above it is undone. With no empty
    bin (or fewer than two heights) there is no gap: one cluster, threshold ``inf``.

    Why five bins by default is recorded with the benchmarks, in ``benchmarks/README.md``.

    Parameters
    ----------
    heights : array-like of shape (n_merges,)
        Merge heights of a single-linkage dendrogram (its minimum spanning tree's edge lengths),
        finite; may be empty.
    n_bins : int, default=5
        Number of histogram bins, >= 1.

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
    heights = check_array(
        heights, ensure_2d=False, ensure_min_samples=0, dtype=np.float64, input_name="heights"
    )
    if heights.ndim != 1:
        raise ValueError(f"heights must be a 1-D array of merge heights; got shape {heights.shape}.")
    return _gap_threshold(heights, n_bins)


def _gap_threshold(heights: np.ndarray, n_bins: int) -> float:
    # heights equal up to rounding have no gap (and numpy cannot bin a range of a few ulps)
    if len(heights) < 2 or np.ptp(heights) <= 1e-12 * heights.max():
        return np.inf
    counts, edges = np.histogram(heights, bins=n_bins)
    empty = np.flatnonzero(counts == 0)
    return float(edges[empty[0]]) if len(empty) else np.inf


class GapSingleLinkage(ClusterMixin, BaseEstimator):
    """Single-linkage clustering cut at the first gap of the merge-height histogram.

    The default clusterer of :class:`~sktopo.mapper.Mapper`; see :func:`gap_threshold` for the
    rule and its source. Euclidean distances; ``Mapper`` scales the columns first when its
    metric is ``"vne"``.

    Sets of up to 1,000 rows are clustered from all their pairwise distances (SciPy's
    ``linkage``); larger ones through an exact Euclidean minimum spanning tree found by
    Borůvka's algorithm on a KD-tree, in memory linear in the number of rows (a 200,000-point
    Mapper's largest cover sets hold about 8,000: 250 MB of distances each, the other way). The
    tree is single linkage's, so the clusters are the same (lengths equal to rounding).

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
    n_features_in_ : int

    Examples
    --------
    >>> from sktopo.mapper import GapSingleLinkage
    >>> GapSingleLinkage().fit_predict([[0.0], [0.1], [0.2], [5.0], [5.1]])
    array([0, 0, 0, 1, 1])
    """

    _parameter_constraints = {"n_bins": _N_BINS}

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
        self.labels_, self.threshold_ = _gap_single_linkage(X, self.n_bins)
        return self


@validate_params({"X": ["array-like"], "n_bins": _N_BINS}, prefer_skip_nested_validation=True)
def gap_single_linkage(X, n_bins: int = 5) -> tuple[np.ndarray, float]:
    """Labels and cut height of :class:`GapSingleLinkage`, as a function.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_bins : int, default=5
        Number of histogram bins in which to look for a gap.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Cluster of each row, 0, 1, ... in order of each cluster's first row.
    threshold : float
        The cut height (``inf`` when no gap was found).

    Examples
    --------
    >>> from sktopo.mapper import gap_single_linkage
    >>> gap_single_linkage([[0.0], [0.1], [0.2], [5.0], [5.1]])
    (array([0, 0, 0, 1, 1]), 1.04)
    """
    return _gap_single_linkage(check_array(X, dtype=np.float64, input_name="X"), n_bins)


def _gap_single_linkage(X: np.ndarray, n_bins: int) -> tuple[np.ndarray, float]:
    """The functional core, without validation, for callers that cluster many small sets."""
    if len(X) < 2:
        return np.zeros(len(X), dtype=np.intp), np.inf
    if len(X) <= DENSE_MAX:
        tree = linkage(X, method="single")
        threshold = _gap_threshold(tree[:, 2], n_bins)
        if np.isinf(threshold):
            return np.zeros(len(X), dtype=np.intp), threshold
        raw = fcluster(tree, np.nextafter(threshold, -np.inf), criterion="distance")
    else:
        u, v, heights = euclidean_mst(X)
        threshold = _gap_threshold(heights, n_bins)
        raw = components_below(len(X), u, v, heights, threshold)
    return _number_by_first_row(raw), threshold


def _number_by_first_row(labels) -> np.ndarray:
    """Relabel clusters 0, 1, ... in order of their first row; label -1 (noise) stays -1.

    The one rule for the order of clusters, here and in :class:`~sktopo.mapper.Mapper`'s nodes.
    """
    labels = np.asarray(labels)
    kept = labels != -1
    _, first, inverse = np.unique(labels[kept], return_index=True, return_inverse=True)
    numbered = np.full(len(labels), -1, dtype=np.intp)
    numbered[kept] = np.argsort(np.argsort(first))[inverse]
    return numbered
