"""How far a barcode may lie from its shape's: a confidence band by subsampling.

Fasy, Lecci, Rinaldo, Wasserman, Balakrishnan and Singh ("Confidence sets for persistence
diagrams", Annals of Statistics 42(6), 2014, Section 4) estimate how far a diagram computed from
a sample may lie from the diagram of the shape sampled: the ``1 - alpha`` quantile ``q`` of a
distance over subsamples. A bar of lifetime above ``2 q`` cannot be matched to the diagonal
within the band. Here the distance is the bottleneck distance between the diagrams of
half-subsamples and the diagram of the whole cloud (subsampling with ``b = n / 2``, Politis and
Romano 1994: conservative, as a half-sample's diagram varies more than the whole sample's).

**Like with like.** Every diagram, the whole cloud's and each half's, is computed by the same
estimator: :func:`persistence_diagrams` with the same landmark count, landmark births as they
are (neither centred nor refined), so that the distance measures the sample, not a difference
of method. A centred whole against exact halves measured the centring shift (0.374 against
0.167 on a 307-row core, issue 20). Landmark diagrams lie within their certified bound of the
exact ones, so by the triangle inequality the band through landmarks differs from the exact
band by at most the whole cloud's bound plus the largest half's (tested), and it moves
continuously as the cloud grows past ``n_landmarks``.

The band alone is not a test that holds its level: structureless clouds of a few hundred rows
have noise bars longer than ``2 q`` (measured in ``benchmarks/bench_significance.py``). The
significance rule (:func:`significance`) therefore floors it by the null quantile of
:mod:`._null`.
"""

from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from .._validation import N_JOBS, Integral, Interval, Real, check_memory, validate_params
from ._bottleneck import bottleneck_distance
from ._persistence import _constraints, persistence_diagrams

__all__ = ["SIGNIFICANCE_CONSTRAINTS", "ConfidenceBand", "check_band", "confidence_band", "n_significant"]

#: Constraints of the significance parameters, shared by the functions and the estimator.
SIGNIFICANCE_CONSTRAINTS = {
    "confidence": [Interval(Real, 0, 1, closed="neither")],
    "n_subsamples": [Interval(Integral, 2, None, closed="left")],
    "random_state": ["random_state"],
    "n_jobs": N_JOBS,
}


@dataclass(frozen=True)
class ConfidenceBand:
    """A barcode with its confidence band.

    Attributes
    ----------
    diagrams : list of ndarray of shape (n_bars, 2)
        Diagrams of the whole cloud, dimensions 0 ... maxdim (landmark births as they are, see
        :func:`persistence_diagrams`).
    band : ndarray of shape (maxdim + 1,)
        Half-width per dimension: ``q``, the ``confidence`` quantile of ``distances``.
    bound : float
        Certified bottleneck bound of ``diagrams`` (twice the landmarks' covering radius; 0 when
        exact).
    distances : ndarray of shape (n_subsamples, maxdim + 1)
        Bottleneck distance from each half-subsample's diagrams to ``diagrams``.
    half_bounds : ndarray of shape (n_subsamples,)
        Certified bound of each half-subsample's diagrams.
    n_significant : ndarray of shape (maxdim + 1,)
        Bars per dimension longer than ``2 * band`` (bars that never die included): Fasy et
        al.'s count, which does not hold its level on small structureless clouds; see
        :func:`significance` for the rule that does.
    confidence : float

    Examples
    --------
    :func:`confidence_band` returns one:

    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import confidence_band
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(200, noise=0.1, random_state=0))
    >>> result = confidence_band(X, n_landmarks=100, n_subsamples=5, random_state=0)
    >>> result.distances.shape, result.confidence, int(result.n_significant[1])
    ((5, 2), 0.95, 1)
    >>> bool(result.band[1] < 0.5)
    True
    """

    diagrams: list
    band: np.ndarray
    bound: float
    distances: np.ndarray
    half_bounds: np.ndarray
    n_significant: np.ndarray
    confidence: float


#: Bytes per null draw or subsample held at once: its seed (a Python int in a tuple) and what
#: it measured (a top lifetime, a distance).
DRAW_BYTES = 64


def check_band(band, n_dims: int) -> np.ndarray:
    """Validate a band: one non-negative finite half-width for every dimension, or one per dimension.

    Parameters
    ----------
    band : float or array-like of shape (n_dims,)
    n_dims : int
        How many diagrams (dimensions) the band is for.

    Returns
    -------
    band : ndarray of shape (n_dims,)

    Raises
    ------
    TypeError
        If ``band`` is not a number or an array of numbers.
    ValueError
        If it is negative, not finite, ragged, or not one value per dimension.

    Examples
    --------
    >>> from sktopo.homology import check_band
    >>> check_band(0.25, 2)
    array([0.25, 0.25])
    """
    try:
        values = np.asarray(band)
    except ValueError:  # ragged nested lists
        raise ValueError(
            f"band must be a float or a flat array, one half-width per diagram; got {band!r}."
        ) from None
    if values.dtype.kind not in "iuf":  # booleans, strings, objects
        raise TypeError(f"band must be a float or an array of floats, one per diagram; got {band!r}.")
    values = np.full(n_dims, values, dtype=np.float64) if values.ndim == 0 else values.astype(np.float64)
    if values.shape != (n_dims,):
        raise ValueError(
            f"band must be a float or hold one half-width per diagram ({n_dims}); got shape {values.shape}."
        )
    if not np.all(np.isfinite(values) & (values >= 0)):
        raise ValueError(f"band must hold non-negative finite half-widths; got {values.tolist()}.")
    return values


def n_significant(diagram, band: float) -> int:
    """How many bars of ``diagram`` live longer than ``2 * band`` (infinite ones included)."""
    diagram = np.asarray(diagram, dtype=float).reshape(-1, 2)
    return int(np.sum(diagram[:, 1] - diagram[:, 0] > 2 * band))


@validate_params(
    {
        **_constraints("X", "maxdim", "coeff", "n_landmarks", "metric"),
        **SIGNIFICANCE_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def confidence_band(
    X,
    maxdim: int = 1,
    coeff: int = 2,
    *,
    confidence=0.95,
    n_subsamples=20,
    n_landmarks=400,
    metric="euclidean",
    random_state=None,
    n_jobs=None,
) -> ConfidenceBand:
    """Persistence diagrams of ``X`` with a confidence band from half-subsamples.

    See the module docstring for the method (Fasy et al. 2014, subsampling) and why every
    diagram is computed alike. Bars longer than twice the band stand above sampling noise;
    :func:`significance` adds the null that makes this a test.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        At least 4 rows, e.g. normalized, density-filtered spatial filters.
    maxdim : int, default=1
    coeff : int, default=2
        A prime from 2 to 127 (ripser's limit).
    confidence : float, default=0.95
        Strictly between 0 and 1: ``1 - alpha``, the quantile of the subsample distances.
    n_subsamples : int, default=20
        Half-subsamples drawn (at least 2). The quantile is the ``ceil(confidence * (n - 1))``-th
        smallest of the ``n`` distances (numpy's ``method="higher"``): the largest of 20 at 0.95,
        a level a 21st draw would exceed with probability 1/21. More draws make the band
        steadier and the call slower, linearly.
    n_landmarks : int or None, default=400
        As in :func:`persistence_diagrams`, for the whole cloud and every half-subsample.
    metric : {"euclidean", "vne"}, default="euclidean"
    random_state : int, RandomState instance or None, default=None
        Draws the subsamples (of the rows in lexicographic order, so the result depends neither
        on the order of the rows nor on ``n_jobs``).
    n_jobs : int, default=None
        Subsamples computed in parallel (joblib).

    Returns
    -------
    band : ConfidenceBand

    See Also
    --------
    significance : The rule that says which bars are significant.
    random_filter_test : Whether the top lifetime beats random filters.
    identify_shape : The shape named from the significant bars over Z/2 and Z/3.

    References
    ----------
    B. T. Fasy, F. Lecci, A. Rinaldo, L. Wasserman, S. Balakrishnan and A. Singh, "Confidence
    sets for persistence diagrams", The Annals of Statistics 42(6), 2014.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import confidence_band
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(400, noise=0.05, random_state=0))
    >>> result = confidence_band(X, n_landmarks=100, n_subsamples=10, random_state=0)
    >>> int(result.n_significant[1]), bool(result.band[1] < 0.5)
    (1, True)
    """
    return _confidence_band(
        X,
        confidence=confidence,
        n_subsamples=n_subsamples,
        random_state=random_state,
        n_jobs=n_jobs,
        maxdim=maxdim,
        coeff=coeff,
        n_landmarks=n_landmarks,
        metric=metric,
    )


def _confidence_band(
    X, *, confidence, n_subsamples, random_state, n_jobs, maxdim, coeff, n_landmarks, metric
) -> ConfidenceBand:
    """:func:`confidence_band` without validation: every diagram by the same estimator, landmark
    births as they are (``exact_below=None``), so that the distances measure the sample."""
    X = check_array(X, dtype=np.float64, input_name="X", ensure_min_samples=4)
    check_memory(
        "n_subsamples",
        n_subsamples,
        DRAW_BYTES * n_subsamples,
        "the subsamples' seeds and distances",
        each=DRAW_BYTES,
        unit="subsamples",
    )
    X = X[np.lexsort(X.T[::-1])]  # subsamples drawn by content, not by row order
    persistence = dict(maxdim=maxdim, coeff=coeff, n_landmarks=n_landmarks, metric=metric, exact_below=None)
    whole = persistence_diagrams(X, **persistence)
    seeds = check_random_state(random_state).randint(np.iinfo(np.int32).max, size=n_subsamples)
    distances = np.array(
        Parallel(n_jobs=n_jobs)(
            delayed(_subsample_distances)(X, whole.diagrams, seed, **persistence) for seed in seeds
        )
    )
    distances, half_bounds = distances[:, :-1], distances[:, -1]
    band = np.quantile(distances, confidence, axis=0, method="higher")
    counts = np.array([n_significant(d, b) for d, b in zip(whole.diagrams, band)])
    return ConfidenceBand(whole.diagrams, band, whole.bound, distances, half_bounds, counts, confidence)


def _subsample_distances(X, diagrams, seed, **persistence) -> list:
    """Bottleneck distance per dimension from a half-subsample's diagrams, then their certified bound."""
    rows = np.sort(np.random.RandomState(seed).choice(len(X), len(X) // 2, replace=False))
    half = persistence_diagrams(X[rows], **persistence)
    return [bottleneck_distance(h, d) for h, d in zip(half.diagrams, diagrams)] + [half.bound]
