"""Is the circle stronger than random filters would give? A Monte Carlo test against a null.

The same pipeline (normalize, the same density filtration ρ(k, p), the same persistence
settings) runs on ``n_draws`` clouds of as many random filters as the data has; the observed
top lifetime is compared with theirs. The Monte Carlo p-value ``(1 + #{null >= observed}) /
(1 + n_draws)`` is exact under the null whatever ``n_draws`` (Davison and Hinkley, "Bootstrap
Methods and their Application", 1997, Section 4.2.5): when the data are themselves draws of the
null, the test rejects at level ``alpha`` with probability at most ``alpha``.
"""

from dataclasses import dataclass
from functools import partial

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from .._validation import Integral, Interval, Real, validate_params
from ..density import DensityFilter
from ..filterbanks import gaussian
from ..preprocessing import normalize_filters
from ._persistence import _constraints, persistence_diagrams, top_lifetime
from ._significance import SIGNIFICANCE_CONSTRAINTS

__all__ = ["NullComparison", "random_filter_test"]


@dataclass(frozen=True)
class NullComparison:
    """The observed top lifetime against the random-filter null.

    Attributes
    ----------
    observed : float
        Top lifetime in ``dim`` of the data, through the pipeline.
    null : ndarray of shape (n_draws,)
        The same for each null draw.
    n_reaching : int
        Null draws whose top lifetime is at least ``observed``.
    p_value : float
        ``(1 + n_reaching) / (1 + n_draws)``.
    ratio_to_median : float
        ``observed / median(null)`` (inf when only the median is 0, NaN when both are).
    """

    observed: float
    null: np.ndarray
    n_reaching: int
    p_value: float
    ratio_to_median: float


def _gaussian_null(n_features: int, n_filters: int, random_state) -> np.ndarray:
    """Zero-mean Gaussian kernels of ``n_features`` pixels (3 x 3: :func:`sktopo.filterbanks.gaussian`)."""
    if n_features == 9:
        return gaussian(n_filters, random_state).reshape(n_filters, 9)
    raw = check_random_state(random_state).standard_normal((n_filters, n_features))
    return raw - raw.mean(axis=1, keepdims=True)


@validate_params(
    {
        **_constraints("X", "dim", "coeff", "n_landmarks", "exact_below", "metric"),
        "k": [Interval(Integral, 1, None, closed="left"), None],
        "p": [Interval(Real, 0, 1, closed="right"), None],
        "null": [callable, None],
        "n_draws": [Interval(Integral, 1, None, closed="left")],
        "random_state": SIGNIFICANCE_CONSTRAINTS["random_state"],
        "n_jobs": SIGNIFICANCE_CONSTRAINTS["n_jobs"],
    },
    prefer_skip_nested_validation=True,
)
def random_filter_test(
    X,
    *,
    k=None,
    p=None,
    null=None,
    n_draws=19,
    dim=1,
    coeff=2,
    n_landmarks=400,
    exact_below="auto",
    metric="euclidean",
    random_state=None,
    n_jobs=None,
) -> NullComparison:
    """Compare the top lifetime of raw filters with that of as many random filters.

    Each cloud, the data and every null draw, is normalized (:func:`normalize_filters`), density
    filtered by ρ(k, p) when ``k`` and ``p`` are given (:class:`~sktopo.density.DensityFilter`),
    and its top lifetime in ``dim`` computed by :func:`persistence_diagrams` with the given
    settings. See the module docstring for the p-value.

    Parameters
    ----------
    X : array-like of shape (n_filters, n_features)
        Raw (unnormalized) filters, e.g. from :func:`~sktopo.filters.extract_spatial_filters`.
    k, p : int and float, default=None
        The density filtration ρ(k, p); give both or neither (no filtration).
    null : callable, default=None
        ``null(n_filters, random_state) -> array of shape (n_filters, n_features)``: one draw of
        random filters. None: zero-mean Gaussian kernels of as many pixels as the data's
        (for 3 x 3, :func:`sktopo.filterbanks.gaussian`).
    n_draws : int, default=19
        Null draws; 19 is the fewest for which ``p_value`` can reach 0.05.
    dim : int, default=1
    coeff : int, default=2
    n_landmarks : int or None, default=400
    exact_below : float, "auto" or None, default="auto"
        As in :func:`persistence_diagrams`: accurate top lifetimes where affordable (structureless
        null clouds are not refined: no bar is long enough).
    metric : {"euclidean", "vne"}, default="euclidean"
    random_state : int, RandomState instance or None, default=None
        Seeds the null draws; the result does not depend on ``n_jobs``.
    n_jobs : int, default=None
        Null draws computed in parallel (joblib).

    Returns
    -------
    comparison : NullComparison

    See Also
    --------
    confidence_band : Which bars stand above sampling noise.

    References
    ----------
    A. C. Davison and D. V. Hinkley, "Bootstrap Methods and their Application", Cambridge
    University Press, 1997, Section 4.2.5.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import random_filter_test
    >>> X = make_circle_filters(300, noise=0.1, random_state=0)
    >>> test = random_filter_test(X, n_draws=9, n_landmarks=100, random_state=0)
    >>> test.p_value, test.ratio_to_median > 3
    (0.1, True)
    """
    X = check_array(X, dtype=np.float64, input_name="X", ensure_min_samples=2)
    if (k is None) != (p is None):
        raise ValueError(f"k and p make one density filtration: give both or neither; got k={k!r}, p={p!r}.")
    settings = dict(maxdim=dim, coeff=coeff, n_landmarks=n_landmarks, exact_below=exact_below, metric=metric)
    observed = _pipeline_lifetime(X, k, p, settings)
    draw = partial(_gaussian_null, X.shape[1]) if null is None else null
    seeds = check_random_state(random_state).randint(np.iinfo(np.int32).max, size=n_draws)
    lifetimes = np.array(
        Parallel(n_jobs=n_jobs)(
            delayed(_null_lifetime)(draw, X.shape, seed, k, p, settings) for seed in seeds
        )
    )
    reaching = int(np.sum(lifetimes >= observed))
    median = float(np.median(lifetimes))
    ratio = observed / median if median > 0 else (float("inf") if observed > 0 else float("nan"))
    return NullComparison(observed, lifetimes, reaching, (1 + reaching) / (1 + n_draws), ratio)


def _null_lifetime(draw, shape, seed, k, p, settings) -> float:
    try:
        Z = np.asarray(draw(shape[0], seed), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"null must return an array of numbers of the data's shape {shape}.") from None
    if Z.shape != shape or not np.isfinite(Z).all():
        raise ValueError(
            f"null must return finite random filters of the data's shape {shape}; got shape {Z.shape}."
        )
    return _pipeline_lifetime(Z, k, p, settings)


def _pipeline_lifetime(X, k, p, settings) -> float:
    Z = normalize_filters(X)
    if k is not None:
        Z = DensityFilter(k=k, p=p).fit_transform(Z)
    if len(Z) < 2:
        return 0.0
    return top_lifetime(persistence_diagrams(Z, **settings).diagrams[settings["maxdim"]])
