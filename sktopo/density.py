"""Density filtration ρ(k, p): keep the densest fraction of a point cloud.

Density at a point is estimated, as in Section IV of Brüel Gabrielsson & Carlsson, by the
distance to its k-th nearest neighbour: the smaller the distance, the denser the point.
"""

import sys

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._kdtree import PrincipalTree
from ._validation import N_JOBS, Integral, Interval, Real, check_squares_finite, fit_context, validate_params
from .metrics import METRIC, column_scale
from .preprocessing import normalize_filters

__all__ = ["DensityFilter", "dense_core", "densest_rows", "knn_density", "n_dense_rows"]

_K = [Interval(Integral, 1, None, closed="left")]

#: Clouds of this many rows or more are searched on the compiled tree, and pruned where at most
#: this fraction is kept (a larger one leaves little to prune).
_LARGE = 50_000
_PRUNE_MAX_FRACTION = 0.25
#: Rows whose k-th distances estimate the pruning radius.
_PRUNE_SAMPLE = 4096
_P = [Interval(Real, 0, 1, closed="right")]


class _KthNeighbour:
    """Exact k-th-nearest-neighbour queries on a KD-tree over ``reference``.

    The tree is a :class:`~sktopo._kdtree.PrincipalTree` (the principal axes, axes of zero
    extent dropped). Reported distances are recomputed from the original coordinates of each
    pair, so they do not depend on the rotation (nor on the order of the rows) and ties stay
    exact ties. The k-th neighbour itself is chosen by the tree's distances: of two neighbours
    whose exact distances differ by a rounding error (an ulp or so), either may be taken, and
    the two trees may take different ones.
    """

    def __init__(self, reference: np.ndarray):
        self.reference = reference
        self.principal = PrincipalTree(reference)

    def query(self, Q: np.ndarray, k: int, n_jobs=None, bound=np.inf):
        """Distance from each row of ``Q`` to its ``k``-th nearest reference row (inf beyond ``bound``,
        a distance of the tree)."""
        rotated = self.principal.rotate(Q)
        _, index = self.principal.tree.query(
            rotated, k=[k], distance_upper_bound=bound, workers=effective_n_jobs(n_jobs)
        )
        return self._exact(Q, index[:, 0])

    def query_reference(self, k: int, n_jobs=None):
        """:meth:`query` of the reference rows, asked in the order of the tree's leaves."""
        _, index = self.principal.query_rows([k], workers=effective_n_jobs(n_jobs))
        return self._exact(self.reference, index[:, 0])

    def densest(self, k: int, n_kept: int, n_jobs=None) -> np.ndarray:
        """:meth:`query_reference`, exact for the rows that can be among the ``n_kept`` densest
        and ``inf`` for the others, which cannot.

        A cloud of 50,000 rows or more is searched on a :class:`~sktopo._leaftree.LeafTree`
        (compiled; its bounded search is 2.2-2.6 times faster than ``cKDTree``'s on 204,800
        normalized filters); :meth:`query` (new rows, rows left out) stays on ``cKDTree``. If
        ``n_kept`` is at most a quarter of the rows, the ``k``-th distances of 4,096 evenly
        spread rows estimate a radius a little above the kept fraction's, and one search bounded
        by that radius measures the rows within it; the search for the others' neighbours stops
        at the radius (``benchmarks/README.md``). The answer is exact: if fewer than ``n_kept``
        rows, or a kept row not clearly inside the radius, come back, every row is measured.
        """
        n = len(self.reference)
        if n < _LARGE:
            return self.query_reference(k, n_jobs)
        from ._leaftree import LeafTree  # imports numba

        tree, workers = LeafTree(self.principal.points), effective_n_jobs(n_jobs)
        if n_kept <= n * _PRUNE_MAX_FRACTION:
            sample = np.unique(np.linspace(0, n - 1, _PRUNE_SAMPLE).astype(np.intp))
            fraction = n_kept / n
            # four binomial standard deviations and a point above the kept fraction
            margin = 4 * np.sqrt(fraction * (1 - fraction) / len(sample)) + 0.01
            index = tree.kth(self.principal.points[sample], k, n_jobs=workers)
            radius = np.quantile(self._exact(self.reference[sample], index), min(1.0, fraction + margin))
            bound = self.principal.upper(radius)
            distances = self._exact(self.reference, tree.kth_rows(k, bound, workers))
            kept = np.partition(distances, n_kept - 1)[n_kept - 1]
            # a row left out has fewer than k rows within the bound in the tree: every one of
            # its k nearest is at least lower(bound) away, farther than every kept row
            if kept < self.principal.lower(bound):
                return distances
        return self._exact(self.reference, tree.kth_rows(k, n_jobs=workers))

    def _exact(self, Q: np.ndarray, index: np.ndarray) -> np.ndarray:
        """Exact distances from the rows of ``Q`` to the reference rows ``index`` (inf where none:
        ``len(reference)`` or negative)."""
        found = (index >= 0) & (index < len(self.reference))
        distances = np.full(len(Q), np.inf)
        distances[found] = np.linalg.norm(Q[found] - self.reference[index[found]], axis=1)
        return distances


@validate_params(
    {"X": ["array-like"], "k": _K, "metric": METRIC, "n_jobs": N_JOBS},
    prefer_skip_nested_validation=True,
)
def knn_density(X, k: int = 200, *, metric: str = "euclidean", n_jobs=None) -> np.ndarray:
    """Distance from each row of ``X`` to its k-th nearest other row: the paper's density estimate.

    Smaller values mean denser points. The point itself is not counted among its neighbours;
    duplicates of it are.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The point cloud, e.g. normalized spatial filters.
    k : int, default=200
        Which neighbour; ``1 <= k < n_samples``.
    metric : {"euclidean", "vne"}, default="euclidean"
        ``"vne"`` is the variance-normalized Euclidean distance of :mod:`sktopo.metrics`, with
        the column variances of ``X``.
    n_jobs : int, default=None
        Threads for the neighbour queries; None means 1, -1 all cores.

    Returns
    -------
    distances : ndarray of shape (n_samples,)

    See Also
    --------
    DensityFilter : keeps the densest fraction of rows by this estimate.

    Examples
    --------
    >>> from sktopo.density import knn_density
    >>> knn_density([[0.0], [1.0], [3.0], [7.0]], k=1)
    array([1., 1., 2., 4.])
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    _check_k_below_n_samples(k, len(X))
    X = X * column_scale(X, metric)
    check_squares_finite(X)
    return _KthNeighbour(X).query_reference(k + 1, n_jobs)


def _check_k_below_n_samples(k: int, n_samples: int) -> None:
    """The one rule on ``k`` that depends on the data (a constraints table cannot say it)."""
    if k >= n_samples:
        raise ValueError(
            f"k={k} must be smaller than n_samples={n_samples}: each point needs k other points "
            "to measure its density."
        )


@validate_params(
    {"X": ["array-like"], "distances": ["array-like"], "p": _P}, prefer_skip_nested_validation=True
)
def densest_rows(X, distances, p: float) -> np.ndarray:
    """Indices of the ``round(p * n)`` rows with the smallest ``distances``, in row order.

    ``round`` rounds halves up, and at least one row is kept. Ties in distance are broken by
    the values of the rows (lexicographically, smaller first), then by row index. Breaking
    ties by value rather than position makes the kept rows independent of the order of the
    input: two rows that tie on both are identical, so which of them is kept does not matter.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The rows, whose values break ties.
    distances : array-like of shape (n_samples,)
        One density estimate per row of ``X``, e.g. from :func:`knn_density`.
    p : float
        Fraction to keep, in (0, 1].

    Returns
    -------
    indices : ndarray of shape (n_kept,)

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.density import densest_rows
    >>> densest_rows(np.array([[3.0], [2.0], [1.0]]), np.array([1.0, 1.0, 5.0]), p=0.34)
    array([1])
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    distances = check_array(distances, dtype=np.float64, ensure_2d=False, input_name="distances")
    if distances.shape != (len(X),):
        raise ValueError(
            f"distances must hold one number per row of X, shape ({len(X)},); got shape {distances.shape}."
        )
    return _densest(X, distances, n_dense_rows(len(X), p))


@validate_params(
    {
        "filters": ["array-like"],
        "k": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": N_JOBS,
    },
    prefer_skip_nested_validation=True,
)
def dense_core(filters, k: int, p: float, *, n_jobs=None) -> np.ndarray:
    """ρ(k, p) of ``filters``: mean-centred and normalized, the densest fraction ``p`` by the k-th neighbour.

    The paper's density filtration of a cloud of spatial filters, in one call:
    :func:`~sktopo.preprocessing.normalize_filters`, then the ``round(p * n)`` rows nearest their
    ``k``-th neighbour (:func:`knn_density`, :func:`densest_rows`), as :class:`DensityFilter`
    keeps them. ``p`` of 1 or more keeps every row; ``k`` is capped at ``n - 1``, so that small
    clouds still give a core (whether a lifetime of that core means anything is
    :func:`sktopo.simplicity.lifetime_reason`'s question).

    Parameters
    ----------
    filters : array-like of shape (n_filters, n_pixels)
        Raw spatial filters (at least one row).
    k : int
        The neighbour whose distance estimates the density.
    p : float
        Fraction kept; 1 or more keeps all.
    n_jobs : int, default=None
        Threads of the neighbour search.

    Returns
    -------
    core : ndarray of shape (n_dense, n_pixels)
        In row order.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.density import dense_core
    >>> dense_core(make_circle_filters(200, noise=0.5, random_state=0), k=10, p=0.3).shape
    (60, 9)
    """
    X = normalize_filters(check_array(filters, dtype=(np.float64, np.float32), input_name="filters"))
    if p >= 1 or len(X) < 2:
        return X
    return X[densest_rows(X, knn_density(X, k=min(k, len(X) - 1), n_jobs=n_jobs), p)]


@validate_params(
    {"n_samples": [Interval(Integral, 1, None, closed="left")], "p": _P}, prefer_skip_nested_validation=True
)
def n_dense_rows(n_samples: int, p: float) -> int:
    """How many rows ρ(k, p) keeps of ``n_samples``: ``round(p * n)``, halves rounded up, at least one.

    Parameters
    ----------
    n_samples : int
    p : float
        In (0, 1].

    Returns
    -------
    n_rows : int

    Examples
    --------
    >>> from sktopo.density import n_dense_rows
    >>> n_dense_rows(6400, 0.3), n_dense_rows(5, 0.1)
    (1920, 1)
    """
    return max(1, int(np.floor(p * n_samples + 0.5)))


def _densest(X: np.ndarray, distances: np.ndarray, n_kept: int) -> np.ndarray:
    """:func:`densest_rows` without validation; ``inf`` distances (rows never kept) are allowed."""
    # only rows up to the n_kept-th distance can be kept: sort those (ties at it included)
    rows = np.flatnonzero(distances <= np.partition(distances, n_kept - 1)[n_kept - 1])
    keys = [X[rows, j] for j in range(X.shape[1] - 1, -1, -1)] + [distances[rows]]
    return np.sort(rows[np.lexsort(keys)[:n_kept]])


class DensityFilter(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """The paper's density filtration ρ(k, p): keep the densest fraction ``p`` of the rows.

    Density is estimated by the distance to the ``k``-th nearest neighbour (Section IV of
    Brüel Gabrielsson & Carlsson). Neighbour searches run on a KD-tree on the principal axes
    of the data, never on a dense n × n matrix, so the paper's largest clouds (204,800
    nine-dimensional points, k = 15) fit in memory. ``fit`` searches on SciPy's ``cKDTree``
    below 50,000 rows and on a compiled tree (numba, imported then) from 50,000 rows, where it
    is about 2 times faster; ``transform`` and ``distances_`` search on ``cKDTree``. On such
    clouds, with ``p`` at most 0.25, ``fit`` measures only the rows that can be among the
    densest: the ``k``-th distances of 4,096 evenly spread rows give a radius a little above
    the kept fraction's, and the search for every other row's neighbours stops at it. The kept
    rows are exactly those of a search of every row (if the radius reaches too few rows, every
    row is searched); ``distances_`` measures the others the first time it is read.

    ``fit_transform(X)`` returns exactly ``round(p * n)`` rows of ``X`` (halves rounded up, at
    least one row), in their original order; see :func:`densest_rows` for the tie rule.
    ``transform(X_new)`` keeps the rows whose distance to their ``k``-th nearest neighbour *in
    the fitted cloud* is at most ``threshold_``. A row of the fitted cloud is its own nearest
    neighbour there, so ``transform(X)`` after ``fit(X)`` may keep a few more rows than
    ``fit_transform(X)``, just as scikit-learn's ``LocalOutlierFactor`` scores training rows
    differently from new ones.

    The kept rows keep their columns, so :meth:`get_feature_names_out` gives the input's
    feature names. A pandas DataFrame gives a DataFrame of its kept rows, with their index
    labels (as :func:`~sklearn.model_selection.train_test_split` keeps the container): after
    ``set_output(transform="pandas")`` the index tells which rows survived.

    Parameters
    ----------
    k : int, default=200
        The neighbour whose distance estimates density; must be smaller than the number of
        rows seen in ``fit``.
    p : float, default=0.3
        Fraction of the rows to keep, in (0, 1].
    metric : {"euclidean", "vne"}, default="euclidean"
        Distance used for the neighbours. ``"vne"``: variance-normalized Euclidean, with the
        column variances of the data seen in ``fit`` (see :mod:`sktopo.metrics`).
    n_jobs : int, default=None
        Threads for the neighbour queries; None means 1, -1 all cores.

    Attributes
    ----------
    support_ : ndarray of shape (n_kept,)
        Indices, in increasing order, of the rows of the ``fit`` data that were kept.
    distances_ : ndarray of shape (n_samples,)
        Distance of each ``fit`` row to its ``k``-th nearest other row.
    threshold_ : float
        The largest kept distance: the radius of the filtration.
    scale_ : ndarray of shape (n_features,)
        Column factors applied before measuring Euclidean distance (ones for ``"euclidean"``).
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    knn_density : the density estimate itself.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", ICMLA 2019, Section IV.

    Examples
    --------
    >>> from sktopo import DensityFilter, FilterNormalizer
    >>> from sktopo.datasets import make_circle_filters
    >>> X = FilterNormalizer().fit_transform(make_circle_filters(6400, noise=0.1, random_state=0))
    >>> DensityFilter(k=200, p=0.3).fit_transform(X).shape
    (1920, 9)
    """

    _parameter_constraints = {"k": _K, "p": _P, "metric": METRIC, "n_jobs": N_JOBS}

    def __init__(self, k=200, p=0.3, metric="euclidean", n_jobs=None):
        self.k = k
        self.p = p
        self.metric = metric
        self.n_jobs = n_jobs

    @fit_context
    def fit(self, X, y=None):
        """Learn the reference cloud, the densities of its rows and the filtration radius.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : DensityFilter
        """
        X = validate_data(self, X, dtype=np.float64)
        _check_k_below_n_samples(self.k, len(X))
        self.scale_ = column_scale(X, self.metric)
        scaled = X * self.scale_
        check_squares_finite(scaled)
        self._index = _KthNeighbour(scaled)
        n_kept = n_dense_rows(len(X), self.p)
        self._distances = self._index.densest(self.k + 1, n_kept, self.n_jobs)
        self.support_ = _densest(X, self._distances, n_kept)
        self.threshold_ = float(self._distances[self.support_].max())
        return self

    @property
    def distances_(self) -> np.ndarray:
        """Distance of each ``fit`` row to its ``k``-th nearest other row.

        On a large cloud ``fit`` measures only the rows that can be among the densest; the
        others are measured the first time this is read.
        """
        check_is_fitted(self)
        pending = np.isinf(self._distances)
        if pending.any():
            rows = self._index.reference[pending]
            self._distances[pending] = self._index.query(rows, self.k + 1, self.n_jobs)
        return self._distances

    def fit_transform(self, X, y=None):
        """Fit, then return the ``round(p * n)`` densest rows of ``X`` in their original order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        X_dense : ndarray or DataFrame of shape (n_kept, n_features)
            A DataFrame when ``X`` is one, with the index labels of the kept rows.
        """
        support = self.fit(X).support_
        return _kept(X, check_array(X, dtype=np.float64, input_name="X"), support)

    def transform(self, X):
        """Keep the rows of ``X`` at least as dense as the fitted filtration radius.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_dense : ndarray or DataFrame of shape (n_kept, n_features)
        """
        checked = self._check_transform_input(X)
        return _kept(X, checked, self._mask(checked))

    def get_mask(self, X) -> np.ndarray:
        """Boolean mask of the rows of ``X`` that :meth:`transform` keeps.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        mask : ndarray of shape (n_samples,), dtype=bool
        """
        return self._mask(self._check_transform_input(X))

    def _mask(self, X: np.ndarray) -> np.ndarray:
        # the tree works on rotated coordinates: its bound keeps every row whose exact distance
        # is at most the threshold
        bound = self._index.principal.upper(self.threshold_)
        distances = self._index.query(X * self.scale_, self.k, self.n_jobs, bound)
        return distances <= self.threshold_

    def _check_transform_input(self, X) -> np.ndarray:
        check_is_fitted(self)
        return validate_data(self, X, dtype=np.float64, reset=False)


def _kept(X, checked: np.ndarray, rows: np.ndarray):
    """``checked[rows]``, or the same rows of ``X`` when it is a DataFrame, index labels kept."""
    pd = sys.modules.get("pandas")  # None: X cannot be a DataFrame
    if pd is not None and isinstance(X, pd.DataFrame):
        return X.iloc[rows]
    return checked[rows]
