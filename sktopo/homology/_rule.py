"""Which bars are significant: one rule, calibrated against the null, whatever computes the diagram.

Three rules, chosen by ``method`` (``benchmarks/bench_significance.py`` measures each one's
false-positive rate and power; docs/choices.md says why the default is the default):

``"null"`` (default)
    A bar is significant when its lifetime exceeds ``max(2 q, t)``: ``q`` the Fasy et al.
    (2014) subsampling band (:func:`confidence_band`), ``t`` the ``1 - alpha`` Monte Carlo
    quantile of the *top* lifetimes of random filters run through the same pipeline
    (:func:`null_threshold`). ``t`` is a max statistic, so on a cloud of the null the chance
    that any bar passes is at most ``alpha`` (family-wise), whatever the size of the cloud and
    whether its diagram is exact or through landmarks: the null clouds have the data's rows and
    settings, so they are computed the same way. ``2 q`` adds that the bar must stand above the
    sampling noise of the data itself.
``"universal"``
    Bobrowski and Skraba's (2023) universal null: for each bar ``(b, d)`` of a Rips diagram,
    ``l = A log log(d / b) + B`` with ``A = 1`` (Rips, as in TDApplied), ``B = -gamma - A * mean(log log(d / b))``
    over the diagram, follows a left-skewed Gumbel law under the null, so its p-value is
    ``exp(-exp(l))``; bars with a p-value below ``alpha / n_bars`` (Bonferroni) are significant.
    Needs no simulation, but is an empirical law for uniform-like random clouds, not the
    pipeline's null, holds only for many bars, and was not calibrated for landmark diagrams
    (which ``n_landmarks`` below the rows gives).
``"band"``
    Fasy et al.'s rule alone: lifetime above ``2 q``. Kept for comparison: on small
    structureless clouds it flags noise bars (its measured false-positive rate is far above
    ``alpha``).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from .._validation import Interval, Real, StrOptions, validate_params
from ..density import n_dense_rows
from ..preprocessing import check_filters
from ._null import (
    DEFAULT_NULL,
    NULL_CONSTRAINTS,
    check_filtration,
    null_threshold,
    pipeline_null_tops,
    resolve_null,
)
from ._persistence import _constraints, finite_lifetimes, persistence_diagrams
from ._significance import SIGNIFICANCE_CONSTRAINTS, _confidence_band

__all__ = ["METHODS", "Significance", "significance", "universal_p_values"]

#: The significance rules (see the module docstring).
METHODS = ("null", "universal", "band")

#: Bobrowski and Skraba's A for Vietoris-Rips diagrams, as TDApplied's ``universal_null`` takes it.
_RIPS_A = 1.0

RULE_CONSTRAINTS = {
    "method": [StrOptions(set(METHODS))],
    "alpha": [Interval(Real, 0, 1, closed="neither")],
    **NULL_CONSTRAINTS,
    "n_subsamples": SIGNIFICANCE_CONSTRAINTS["n_subsamples"],
    "random_state": SIGNIFICANCE_CONSTRAINTS["random_state"],
    "n_jobs": SIGNIFICANCE_CONSTRAINTS["n_jobs"],
}


@dataclass(frozen=True)
class Significance:
    """Which bars of a barcode are significant, and by how much.

    Attributes
    ----------
    method : str
        The rule: ``"null"``, ``"universal"`` or ``"band"``.
    n_samples : int
        Rows of the cloud judged.
    alpha : float
        Its level.
    diagrams : list of ndarray of shape (n_bars, 2)
        The cloud's diagrams, dimensions 0 ... maxdim (landmark births as they are).
    bound : float
        Certified bottleneck bound of ``diagrams`` (0 when exact).
    thresholds : ndarray of shape (maxdim + 1,)
        Lifetimes above these are significant (``"null"``: ``max(2 q, t)``; ``"band"``:
        ``2 q``); NaN for ``"universal"``, whose rule is on ``death / birth``.
    lifetimes : list of ndarray
        Finite lifetimes per dimension, longest first.
    p_values : list of ndarray
        One per finite bar of ``lifetimes``: ``"null"``, the Monte Carlo p-value against the
        null's top lifetimes (family-wise); ``"universal"``, Bonferroni-adjusted; NaN for
        ``"band"``.
    n_significant : ndarray of shape (maxdim + 1,)
        Significant bars per dimension, bars that never die included.
    band : ConfidenceBand or None
        The subsampling band (``"null"`` and ``"band"``).
    null : ndarray of shape (n_draws, maxdim + 1) or None
        Top lifetimes of the null draws (``"null"``).

    Examples
    --------
    :func:`significance` returns one:

    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import significance
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(200, noise=0.1, random_state=0))
    >>> result = significance(X, n_draws=19, n_subsamples=5, n_landmarks=100, random_state=0)
    >>> result.method, result.n_samples, result.n_significant.tolist(), result.null.shape
    ('null', 200, [1, 1], (19, 2))
    >>> result.resolution, bool(result.margin(1) > 0.5)
    (0.05, True)
    """

    method: str
    n_samples: int
    alpha: float
    diagrams: list
    bound: float
    thresholds: np.ndarray
    lifetimes: list
    p_values: list
    n_significant: np.ndarray
    band: object
    null: object

    def margin(self, dim: int = 1) -> float:
        """How far the longest bar in ``dim`` clears the rule: positive when it is significant.

        ``"null"`` and ``"band"``: its lifetime minus the threshold. ``"universal"``: in decades,
        ``log10(alpha / p)`` for the smallest adjusted p-value.
        """
        lifetimes, p_values = self.lifetimes[dim], self.p_values[dim]
        if self.method == "universal":
            return float(np.log10(self.alpha / p_values.min())) if len(p_values) else float("-inf")
        return float(lifetimes[0] if len(lifetimes) else 0.0) - float(self.thresholds[dim])

    @property
    def resolution(self) -> float:
        """The smallest p-value the rule can give: ``1 / (n_draws + 1)``; 0 without draws."""
        return 1.0 / (len(self.null) + 1) if self.null is not None else 0.0


def universal_p_values(diagram) -> np.ndarray:
    """Bobrowski and Skraba's (2023) p-values of a Vietoris-Rips diagram's finite bars.

    For each bar ``(b, d)`` with ``b > 0``: ``L = log log(d / b)``,
    ``l = A L + B`` with ``A = 1`` (Vietoris-Rips, as TDApplied's ``universal_null``) and ``B = -gamma - A * mean(L)`` (gamma Euler's constant),
    and p-value ``exp(-exp(l))``, multiplied by the number of bars (Bonferroni) and capped at 1.

    Parameters
    ----------
    diagram : array-like of shape (n_bars, 2)
        A Rips diagram in dimension 1 or more (births positive).

    Returns
    -------
    p_values : ndarray of shape (n_finite,)
        In the order of decreasing lifetime; 1 for bars born at 0.

    References
    ----------
    O. Bobrowski and P. Skraba, "A universal null-distribution for topological data analysis",
    Scientific Reports 13, 12274 (2023). S. Brown, TDApplied (R package), ``universal_null``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import universal_p_values
    >>> bars = np.column_stack([np.full(50, 0.3), np.linspace(0.31, 0.36, 50)])
    >>> p = universal_p_values(np.vstack([[[0.2, 1.6]], bars]))
    >>> bool(p[0] < 0.01), bool(p[1:].min() > 0.05)
    (True, True)
    """
    diagram = np.asarray(diagram, dtype=float).reshape(-1, 2)
    diagram = diagram[np.isfinite(diagram[:, 1])]
    diagram = diagram[np.argsort(diagram[:, 0] - diagram[:, 1], kind="stable")]
    born = diagram[:, 0] > 0
    ratio = np.where(born, diagram[:, 1] / np.where(born, diagram[:, 0], 1.0), 1.0)
    usable = born & (ratio > 1)
    loglog = np.full(len(diagram), -np.inf)
    loglog[usable] = np.log(np.log(ratio[usable]))
    if not usable.any():
        return np.ones(len(diagram))
    ell = _RIPS_A * loglog - np.euler_gamma - _RIPS_A * loglog[usable].mean()
    return np.minimum(1.0, np.exp(-np.exp(ell)) * len(diagram))


def _null_p_values(lifetimes, tops) -> np.ndarray:
    tops = np.sort(tops)
    return (1 + len(tops) - np.searchsorted(tops, lifetimes, side="left")) / (1 + len(tops))


@validate_params(
    {
        **_constraints("X", "maxdim", "coeff", "n_landmarks", "metric"),
        **RULE_CONSTRAINTS,
        "filters": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def significance(
    X,
    *,
    method="null",
    alpha=0.05,
    filters=None,
    k=None,
    p=None,
    null=DEFAULT_NULL,
    n_draws=99,
    n_subsamples=20,
    maxdim=1,
    coeff=2,
    n_landmarks=400,
    metric="euclidean",
    random_state=None,
    n_jobs=None,
) -> Significance:
    """Which bars of the barcode of ``X`` are significant, by one rule whatever computes it.

    See the module docstring for the rules. Every diagram involved, the cloud's, its
    half-subsamples' and the null clouds', is computed by :func:`persistence_diagrams` with the
    same settings, so the verdict does not depend on whether ``X`` has more rows than
    ``n_landmarks``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The cloud judged, at least 4 rows: normalized (and density-filtered) filters. Without
        ``filters``, the null's clouds are random filters of ``X``'s width, so for
        ``method="null"`` ``X`` must be filters with a topology to measure, as ``filters``
        must (see Raises).
    method : {"null", "universal", "band"}, default="null"
    alpha : float, default=0.05
        The level: the family-wise false-positive rate for ``"null"`` and ``"universal"``;
        ``1 - alpha`` is also the quantile of the band.
    filters : array-like of shape (n_filters, n_features), default=None
        The raw filters ``X`` was made from by normalizing and ρ(k, p): the null clouds are as
        many random filters through the same steps. None: ``X`` is the whole cloud, and the
        null clouds are ``len(X)`` random filters, normalized. At least 2 pixels, not all
        constant (:func:`~sktopo.preprocessing.check_filters`).
    k, p : int and float, default=None
        The density filtration that made ``X`` from ``filters``; both or neither.
    null : {"gaussian", "uniform", "covariance"}, callable or tuple, default=("gaussian", "uniform")
        As in :func:`random_filter_test` (the covariance of ``filters``, else of ``X``): by
        default each null draw's longer top lifetime of Gaussian and of uniform (torch's
        initialization) filters, so that the rule holds its level under both.
    n_draws : int, default=99
        Null clouds (``"null"``): 99 resolves p = 0.01; fewer than ``1 / alpha - 1`` can reject
        nothing.
    n_subsamples : int, default=20
        Half-subsamples of the band (``"null"`` and ``"band"``).
    maxdim : int, default=1
    coeff : int, default=2
    n_landmarks : int or None, default=400
    metric : {"euclidean", "vne"}, default="euclidean"
    random_state : int, RandomState instance or None, default=None
        Seeds the half-subsamples and the null draws (an int makes the null draws reusable
        across calls with the same rows, pixels, k, p and settings).
    n_jobs : int, default=None

    Returns
    -------
    result : Significance

    Raises
    ------
    ValueError
        For ``filters`` (or, for ``method="null"`` without them, ``X``) of one pixel or all
        constant: mean-centred, as the pipeline and its null make them, such filters are zero
        and there is no topology to judge; and for ``k``, ``p`` and ``filters`` that do not
        make ``X``.

    Warns
    -----
    UserWarning
        When some of those filters, not all, are constant: mean-centred they all fall on one
        point.

    See Also
    --------
    verdict : found, borderline, not found or too small, from this result.

    References
    ----------
    B. T. Fasy et al., "Confidence sets for persistence diagrams", The Annals of Statistics
    42(6), 2014. O. Bobrowski and P. Skraba, "A universal null-distribution for topological
    data analysis", Scientific Reports 13, 12274 (2023).

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import significance
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(200, noise=0.1, random_state=0))
    >>> result = significance(X, n_draws=19, n_subsamples=5, random_state=0)
    >>> result.n_significant.tolist(), bool(result.margin() > 0.5)
    ([1, 1], True)
    """
    X, filters = check_rule_input(X, filters, k, p, method)
    return judge_significance(
        X,
        method=method,
        alpha=alpha,
        filters=filters,
        k=k,
        p=p,
        null=null,
        n_draws=n_draws,
        n_subsamples=n_subsamples,
        maxdim=maxdim,
        coeff=coeff,
        n_landmarks=n_landmarks,
        metric=metric,
        random_state=random_state,
        n_jobs=n_jobs,
    )


def check_rule_input(X, filters, k, p, method) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` and ``filters`` of :func:`significance`, validated, ``filters`` None where not given.

    The raw filters, ``filters`` or, with the null and without them, ``X`` itself (the null
    clouds are random filters of its width), must have a topology to measure
    (:func:`~sktopo.preprocessing.check_filters`).
    """
    X = check_array(X, dtype=np.float64, input_name="X", ensure_min_samples=4)
    check_filtration(k, p)
    if filters is None and k is not None:
        raise ValueError("k and p say how X was made from filters: give filters with them, or neither.")
    if filters is not None:
        return X, _check_source(X, filters, p)
    if method == "null":
        check_filters(X, input_name="X", ensure_min_samples=4)
    return X, None


def judge_significance(
    X,
    *,
    method,
    alpha,
    filters,
    k,
    p,
    null,
    n_draws,
    n_subsamples,
    maxdim,
    coeff,
    n_landmarks,
    metric,
    random_state,
    n_jobs,
) -> Significance:
    """:func:`significance` of inputs already checked by :func:`check_rule_input`."""
    persistence = dict(maxdim=maxdim, coeff=coeff, n_landmarks=n_landmarks, metric=metric)
    band_seed, null_seed = _seeds(random_state)
    band = tops = None
    if method == "universal":
        diagrams = persistence_diagrams(X, exact_below=None, **persistence)
        bound, diagrams = diagrams.bound, diagrams.diagrams
    else:
        band = _confidence_band(
            X,
            confidence=1 - alpha,
            n_subsamples=n_subsamples,
            random_state=band_seed,
            n_jobs=n_jobs,
            **persistence,
        )
        bound, diagrams = band.bound, band.diagrams
    if method == "null":
        source = X if filters is None else filters
        nulls = resolve_null(null, source)
        tops = pipeline_null_tops(
            source.shape, k, p, nulls, n_draws, random_state=null_seed, n_jobs=n_jobs, **persistence
        )
    return _judge(method, len(X), alpha, diagrams, bound, band, tops)


def _check_source(X, filters, p) -> np.ndarray:
    """``filters`` validated as the raw filters ``X`` was made from by ρ(k, p) (all of them without)."""
    filters = check_array(filters, dtype=np.float64, input_name="filters", ensure_min_samples=2)
    if filters.shape[1] != X.shape[1]:
        raise ValueError(f"filters must have X's {X.shape[1]} pixels per filter; got {filters.shape[1]}.")
    expected = len(filters) if p is None else n_dense_rows(len(filters), p)
    if len(X) != expected:
        raise ValueError(
            f"X must be what ρ(k, p={p}) keeps of the {len(filters)} filters, {expected} rows; got {len(X)}: "
            "the null clouds would not be the data's size."
        )
    return check_filters(filters, input_name="filters", ensure_min_samples=2)


def _seeds(random_state) -> tuple[int, int]:
    """Two independent seeds, the band's and the null's: fixed by an int ``random_state``, so that
    the null draws of equal clouds are shared (cached)."""
    if isinstance(random_state, (int, np.integer)):
        return tuple(int(s) for s in np.random.SeedSequence(int(random_state)).generate_state(2) >> 1)
    return tuple(int(s) for s in check_random_state(random_state).randint(np.iinfo(np.int32).max, size=2))


def _judge(method, n_samples, alpha, diagrams, bound, band, tops) -> Significance:
    """Thresholds, p-values and counts per dimension from the pieces each rule needs."""
    lifetimes = [finite_lifetimes(d) for d in diagrams]
    infinite = [int(np.isinf(d[:, 1]).sum()) for d in diagrams]
    if method == "universal":
        thresholds = np.full(len(diagrams), np.nan)
        p_values = [np.ones(len(lifetimes[0]))] + [universal_p_values(d) for d in diagrams[1:]]
        counts = [
            inf + int(np.sum(pv < alpha)) * (dim > 0) for dim, (inf, pv) in enumerate(zip(infinite, p_values))
        ]
    else:
        thresholds = 2 * band.band
        if method == "null":
            thresholds = np.maximum(
                thresholds, [null_threshold(tops[:, d], alpha) for d in range(len(diagrams))]
            )
            p_values = [_null_p_values(lt, tops[:, d]) for d, lt in enumerate(lifetimes)]
        else:
            p_values = [np.full(len(lt), np.nan) for lt in lifetimes]
        counts = [inf + int(np.sum(lt > t)) for inf, lt, t in zip(infinite, lifetimes, thresholds)]
    return Significance(
        method,
        n_samples,
        alpha,
        diagrams,
        bound,
        np.asarray(thresholds, dtype=float),
        lifetimes,
        p_values,
        np.array(counts),
        band,
        tops,
    )
