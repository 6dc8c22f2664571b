"""What random filters give through the same pipeline: the null of every significance rule.

The same pipeline (normalize, the same density filtration ρ(k, p), the same persistence
settings) runs on ``n_draws`` clouds of as many random filters as the data has; the observed
top lifetime is compared with theirs. The Monte Carlo p-value ``(1 + #{null >= observed}) /
(1 + n_draws)`` is exact under the null whatever ``n_draws`` (Davison and Hinkley, "Bootstrap
Methods and their Application", 1997, Section 4.2.5): when the data are themselves draws of the
null, the test rejects at level ``alpha`` with probability at most ``alpha``.

Three nulls are built in. ``"gaussian"``: i.i.d. standard normal pixels, the paper's "random
gaussian"; after mean-centring and normalization these are uniform on the unit sphere of the
mean-zero subspace, so the uniform-on-the-sphere null is the same one. ``"uniform"``: i.i.d.
uniform pixels, the law of a conv layer at torch's default initialization (Kaiming-uniform);
once normalized these are *not* uniform on the sphere (denser towards the cube's diagonals), and
their dense cores have longer H1 bars: measured in ``benchmarks/bench_significance.py``, the
Gaussian threshold alone flags 19-24% of such clouds of 200-500 rows. A rejection of both says
the filters are neither isotropic noise nor untrained weights. The default, ``("gaussian",
"uniform")``, takes in each draw the longer top lifetime of the two, so that the test holds its
level under either. ``"covariance"``: Gaussian filters with the data's own covariance. A
rejection says there is structure beyond second order: a loop that the covariance alone does
not make. Filters drawn from a 2-D subspace lie on a circle by construction once normalized, so
there the covariance null has the circle too and cannot reject it.

Null draws of the built-in nulls are cached by (null, filters, pixels, k, p, persistence
settings, seed): the layers of a profile with the same size, and the tests of one cloud, share
them.
"""

from collections import OrderedDict
from dataclasses import asdict, dataclass
from functools import partial

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from .._validation import Integral, Interval, Real, StrOptions, check_memory, validate_params
from ..density import DensityFilter
from ..filterbanks import gaussian
from ..preprocessing import check_filters, normalize_filters
from ._persistence import _constraints, persistence_diagrams, top_lifetime
from ._significance import DRAW_BYTES, SIGNIFICANCE_CONSTRAINTS

__all__ = [
    "DRAW_BYTES",
    "NULLS",
    "NullComparison",
    "covariance_null",
    "null_threshold",
    "null_top_lifetimes",
    "random_filter_test",
]

#: The built-in nulls (see the module docstring); a callable is accepted too, or several of them.
NULLS = ("gaussian", "uniform", "covariance")

#: The default null: random filters of both common laws, the longer top lifetime of each draw.
DEFAULT_NULL = ("gaussian", "uniform")

#: Constraints of the null's parameters, shared with the significance rule.
NULL_CONSTRAINTS = {
    "k": [Interval(Integral, 1, None, closed="left"), None],
    "p": [Interval(Real, 0, 1, closed="right"), None],
    "null": [StrOptions(set(NULLS)), callable, tuple, list],
    "n_draws": [Interval(Integral, 1, None, closed="left")],
}


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
        ``(1 + n_reaching) / (1 + n_draws)``; ``n_reaching / n_drawn`` where the draws stopped
        early (``exceedances`` of :func:`random_filter_test`).
    ratio_to_median : float
        ``observed / median(null)`` (inf when only the median is 0, NaN when both are).

    Examples
    --------
    :func:`random_filter_test` returns one:

    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import random_filter_test
    >>> X = make_circle_filters(200, noise=0.1, random_state=0)
    >>> test = random_filter_test(X, n_draws=9, n_landmarks=100, random_state=0)
    >>> test.null.shape, test.n_reaching, test.p_value, bool(test.ratio_to_median > 3)
    ((9,), 0, 0.1, True)
    """

    observed: float
    null: np.ndarray
    n_reaching: int
    p_value: float
    ratio_to_median: float

    @classmethod
    def compare(cls, observed: float, null, *, stopped: bool = False) -> "NullComparison":
        """The comparison of ``observed`` with the top lifetimes ``null`` of the null draws.

        ``stopped``: the draws stopped at the ``n_reaching``-th draw reaching ``observed``
        (Besag and Clifford's sequential test): the p-value is then ``n_reaching / len(null)``,
        and the last draw must reach ``observed``.
        """
        null = np.asarray(null, dtype=float)
        if stopped and not (len(null) and null[-1] >= observed):
            raise ValueError("stopped=True means the last null draw reaches observed; it does not.")
        reaching = int(np.sum(null >= observed))
        median = float(np.median(null))
        ratio = observed / median if median > 0 else (float("inf") if observed > 0 else float("nan"))
        p_value = reaching / len(null) if stopped else (1 + reaching) / (1 + len(null))
        return cls(float(observed), null, reaching, p_value, ratio)


#: Relative slack of "a p-value of at most alpha": ``alpha = 1 - 0.9`` is 0.09999999999999998.
_SLACK = 1e-9


def at_most(p_value: float, alpha: float) -> bool:
    """Whether a p-value is at most ``alpha``, up to the rounding of ``alpha = 1 - confidence``."""
    return p_value <= alpha * (1 + _SLACK)


def check_filtration(k, p) -> None:
    """Refuse a density filtration given by half: ``k`` and ``p`` come together or not at all."""
    if (k is None) != (p is None):
        raise ValueError(f"k and p make one density filtration: give both or neither; got k={k!r}, p={p!r}.")


def null_threshold(null, alpha: float = 0.05) -> float:
    """The lifetime beyond which a Monte Carlo p-value against ``null`` is at most ``alpha``.

    With ``n`` null draws, ``(1 + #{null >= x}) / (1 + n) <= alpha`` holds for every ``x``
    above the ``n - m``-th smallest draw, ``m = floor(alpha * (n + 1)) - 1``: with 99 draws and
    ``alpha = 0.05``, above the 95th smallest. Too few draws to reach ``alpha`` (``m < 0``):
    ``inf``, nothing is significant. As a rule applied to every bar, the threshold is a max
    statistic (each null draw contributes its *top* lifetime), so the chance that any bar of a
    null cloud passes it is at most ``alpha``: the family-wise error is controlled.

    Parameters
    ----------
    null : array-like of shape (n_draws,)
        Top lifetimes of the null draws.
    alpha : float, default=0.05

    Returns
    -------
    threshold : float

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import null_threshold
    >>> null_threshold(np.arange(1, 100) / 100), null_threshold(np.arange(1, 20) / 100, 0.01)
    (0.95, inf)
    """
    null = np.sort(np.asarray(null, dtype=float).ravel())
    m = int(np.floor(alpha * (1 + _SLACK) * (len(null) + 1))) - 1
    return float(null[len(null) - 1 - m]) if m >= 0 else float("inf")


def covariance_null(filters):
    """A null that draws Gaussian filters with the covariance of ``filters`` (and their mean).

    Parameters
    ----------
    filters : array-like of shape (n_filters, n_features)
        Raw filters, as given to :func:`random_filter_test`.

    Returns
    -------
    null : callable ``(n_filters, random_state) -> ndarray of shape (n_filters, n_features)``

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import covariance_null
    >>> X = np.random.default_rng(0).normal(size=(500, 9)) * np.arange(1, 10)
    >>> draw = covariance_null(X)
    >>> draw(4, 0).shape
    (4, 9)
    """
    filters = check_array(filters, dtype=np.float64, input_name="filters", ensure_min_samples=2)
    values, vectors = np.linalg.eigh(np.cov(filters, rowvar=False))
    root, mean = vectors * np.sqrt(np.clip(values, 0, None)), filters.mean(axis=0)

    def draw(n_filters, random_state):
        return mean + check_random_state(random_state).standard_normal((n_filters, len(mean))) @ root.T

    return draw


def _gaussian_null(n_features: int, n_filters: int, random_state) -> np.ndarray:
    """Zero-mean Gaussian kernels of ``n_features`` pixels (3 x 3: :func:`sktopo.filterbanks.gaussian`)."""
    if n_features == 9:
        return gaussian(n_filters, random_state).reshape(n_filters, 9)
    raw = check_random_state(random_state).standard_normal((n_filters, n_features))
    return raw - raw.mean(axis=1, keepdims=True)


def _uniform_null(n_features: int, n_filters: int, random_state) -> np.ndarray:
    """I.i.d. uniform pixels in [-1, 1]: a conv layer at torch's default (Kaiming-uniform) initialization."""
    return check_random_state(random_state).uniform(-1, 1, (n_filters, n_features))


_BUILT_IN = {"gaussian": _gaussian_null, "uniform": _uniform_null}


@dataclass(frozen=True)
class _Barcodes:
    """How a cloud's barcodes are computed: :func:`persistence_diagrams`' settings, hashable."""

    maxdim: int
    coeff: int
    n_landmarks: object
    metric: str
    exact_below: object = None

    def diagrams(self, Z) -> list:
        if len(Z) < 2:
            return [np.empty((0, 2))] * (self.maxdim + 1)
        return persistence_diagrams(Z, **asdict(self)).diagrams


def pipeline_diagrams(X, k, p, *, maxdim, coeff, n_landmarks, metric, exact_below=None) -> list:
    """Diagrams of ``X`` normalized and filtered by ρ(k, p) (none when ``k`` is None).

    The persistence arguments are :func:`persistence_diagrams`'.
    """
    return _pipeline_diagrams(X, k, p, _Barcodes(maxdim, coeff, n_landmarks, metric, exact_below))


def _pipeline_diagrams(X, k, p, barcodes) -> list:
    Z = normalize_filters(X)
    if k is not None:
        Z = DensityFilter(k=k, p=p).fit_transform(Z)
    return barcodes.diagrams(Z)


def _null_tops(draw, shape, seed, k, p, barcodes) -> np.ndarray:
    try:
        Z = np.asarray(draw(shape[0], seed), dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"null must return an array of numbers of the data's shape {shape}.") from None
    if Z.shape != shape or not np.isfinite(Z).all():
        raise ValueError(
            f"null must return finite random filters of the data's shape {shape}; got shape {Z.shape}."
        )
    return np.array([top_lifetime(d) for d in _pipeline_diagrams(Z, k, p, barcodes)])


#: Null draws already computed, by (shape, seeds, k, p, barcode settings); the oldest go first.
_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 128


def _run_draws(draw, shape, seeds, k, p, barcodes, n_jobs) -> np.ndarray:
    tops = Parallel(n_jobs=n_jobs)(delayed(_null_tops)(draw, shape, seed, k, p, barcodes) for seed in seeds)
    return np.array(tops).reshape(len(seeds), barcodes.maxdim + 1)


@validate_params(
    {
        "shape": [tuple, list],
        **_constraints("maxdim", "coeff", "n_landmarks", "metric"),
        **NULL_CONSTRAINTS,
        "random_state": SIGNIFICANCE_CONSTRAINTS["random_state"],
        "n_jobs": SIGNIFICANCE_CONSTRAINTS["n_jobs"],
    },
    prefer_skip_nested_validation=True,
)
def null_top_lifetimes(
    shape,
    *,
    k=None,
    p=None,
    null=DEFAULT_NULL,
    n_draws=99,
    maxdim=1,
    coeff=2,
    n_landmarks=400,
    metric="euclidean",
    random_state=None,
    n_jobs=None,
) -> np.ndarray:
    """Top lifetime per dimension of ``n_draws`` clouds of random filters through the pipeline.

    Each cloud has ``shape`` (raw filters, pixels), is normalized, filtered by ρ(k, p) and its
    barcodes computed by :func:`persistence_diagrams` (landmark births as they are), as
    :func:`significance` computes the data's. With several nulls, each draw's top lifetimes are
    the largest over them. Draws of the built-in nulls are cached by (null, shape, seeds, k, p,
    settings): an int ``random_state`` makes them reusable across calls.

    Parameters
    ----------
    shape : tuple of (int, int)
        Raw filters per cloud and their pixels.
    k, p : int and float, default=None
        The density filtration; both or neither.
    null : {"gaussian", "uniform"}, callable or tuple, default=("gaussian", "uniform")
        As in :func:`random_filter_test` (``"covariance"`` needs data: give
        :func:`covariance_null` of it).
    n_draws : int, default=99
    maxdim : int, default=1
    coeff : int, default=2
    n_landmarks : int or None, default=400
    metric : {"euclidean", "vne"}, default="euclidean"
        As in :func:`persistence_diagrams`.
    random_state : int, RandomState instance or None, default=None
    n_jobs : int, default=None

    Returns
    -------
    tops : ndarray of shape (n_draws, maxdim + 1)

    Examples
    --------
    >>> from sktopo.homology import null_threshold, null_top_lifetimes
    >>> tops = null_top_lifetimes((300, 9), k=9, p=0.3, n_draws=19, n_landmarks=None, random_state=0)
    >>> tops.shape, bool(0.3 < null_threshold(tops[:, 1]) < 0.6)
    ((19, 2), True)
    """
    check_filtration(k, p)
    if len(shape) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 2 for v in shape):
        raise ValueError(f"shape must be (n_filters, n_features), two ints of at least 2; got {shape!r}.")
    if any(
        isinstance(n, str) and n == "covariance"
        for n in (null if isinstance(null, (tuple, list)) else (null,))
    ):
        raise ValueError("null='covariance' needs the data: pass covariance_null(filters) instead.")
    return pipeline_null_tops(
        tuple(int(v) for v in shape),
        k,
        p,
        resolve_null(null, None),
        n_draws,
        random_state=random_state,
        n_jobs=n_jobs,
        maxdim=maxdim,
        coeff=coeff,
        n_landmarks=n_landmarks,
        metric=metric,
    )


def pipeline_null_tops(
    shape, k, p, nulls, n_draws, *, random_state, n_jobs, maxdim, coeff, n_landmarks, metric
) -> np.ndarray:
    """:func:`null_top_lifetimes` without validation, ``nulls`` resolved (:func:`resolve_null`).

    Null clouds are structureless: their barcodes are never refined (``exact_below=None``).
    """
    seeds = _seeds(random_state, n_draws)
    barcodes = _Barcodes(maxdim, coeff, n_landmarks, metric)
    return np.maximum.reduce([_draws(one, shape, seeds, k, p, barcodes, n_jobs) for one in nulls])


def _seeds(random_state, n_draws) -> tuple:
    check_memory(
        "n_draws",
        n_draws,
        DRAW_BYTES * n_draws,
        "the null draws' seeds and top lifetimes",
        each=DRAW_BYTES,
        unit="draws",
    )
    return tuple(
        int(s) for s in check_random_state(random_state).randint(np.iinfo(np.int32).max, size=n_draws)
    )


def _sequential_null_tops(
    observed,
    dim,
    exceedances,
    shape,
    k,
    p,
    nulls,
    n_draws,
    *,
    random_state,
    n_jobs,
    maxdim,
    coeff,
    n_landmarks,
    metric,
) -> tuple[np.ndarray, bool]:
    """:func:`pipeline_null_tops`' draws, in order, up to the ``exceedances``-th reaching ``observed`` in ``dim``.

    Besag and Clifford's sequential Monte Carlo test: the draws are those of
    :func:`pipeline_null_tops` with the same ``random_state`` (so its first rows, whatever
    ``n_jobs``), computed in batches, cut at the ``exceedances``-th draw whose top lifetime
    reaches ``observed``. Returns the rows drawn and whether that draw came (then the p-value is
    ``exceedances / len(rows)``, :meth:`NullComparison.compare`; else ``(1 + g) / (1 + n_draws)``
    with ``g < exceedances`` draws reaching it).
    """
    seeds = _seeds(random_state, n_draws)
    barcodes = _Barcodes(maxdim, coeff, n_landmarks, metric)
    batch = max(exceedances, effective_n_jobs(n_jobs))
    tops = np.empty((0, maxdim + 1))
    for start in range(0, n_draws, batch):
        chunk = seeds[start : start + batch]
        tops = np.vstack(
            [tops, np.maximum.reduce([_draws(one, shape, chunk, k, p, barcodes, n_jobs) for one in nulls])]
        )
        reaching = np.cumsum(tops[:, dim] >= observed)
        if reaching[-1] >= exceedances:
            return tops[: int(np.argmax(reaching >= exceedances)) + 1], True
    return tops, False


def _draws(null, shape, seeds, k, p, barcodes, n_jobs) -> np.ndarray:
    if not isinstance(null, str):
        return _run_draws(null, shape, seeds, k, p, barcodes, n_jobs)
    key = (null, shape, seeds, k, p, barcodes)
    if key not in _CACHE:
        draw = partial(_BUILT_IN[null], shape[1])
        _CACHE[key] = _run_draws(draw, shape, seeds, k, p, barcodes, n_jobs)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return _CACHE[key].copy()


def resolve_null(null, X):
    """``null`` as a tuple of built-in names and draws, ``"covariance"`` made a draw from ``X``.

    Raises a ValueError naming ``null`` for an empty tuple or an item that is neither a built-in
    name nor a callable.
    """
    nulls = tuple(null) if isinstance(null, (tuple, list)) else (null,)
    if not nulls or not all(callable(n) or (isinstance(n, str) and n in NULLS) for n in nulls):
        raise ValueError(
            f"null must be one of {list(NULLS)}, a callable (n_filters, random_state) -> filters, or a "
            f"non-empty tuple of these; got {null!r}."
        )
    return tuple(covariance_null(X) if isinstance(n, str) and n == "covariance" else n for n in nulls)


@validate_params(
    {
        **_constraints("X", "dim", "coeff", "n_landmarks", "exact_below", "metric"),
        **NULL_CONSTRAINTS,
        "exceedances": [Interval(Integral, 1, None, closed="left"), None],
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
    null=DEFAULT_NULL,
    n_draws=99,
    exceedances=None,
    dim=1,
    coeff=2,
    n_landmarks=400,
    exact_below=None,
    metric="euclidean",
    random_state=None,
    n_jobs=None,
) -> NullComparison:
    """Compare the top lifetime of raw filters with that of as many random filters.

    Each cloud, the data and every null draw, is normalized (:func:`normalize_filters`), density
    filtered by ρ(k, p) when ``k`` and ``p`` are given (:class:`~sktopo.density.DensityFilter`),
    and its top lifetime in ``dim`` computed by :func:`persistence_diagrams` with the given
    settings. See the module docstring for the p-value and what each null means.

    Parameters
    ----------
    X : array-like of shape (n_filters, n_features)
        Raw (unnormalized) filters, e.g. from :func:`~sktopo.filters.extract_spatial_filters`:
        at least 2 rows and 2 pixels, not all constant (:func:`~sktopo.preprocessing.check_filters`).
    k, p : int and float, default=None
        The density filtration ρ(k, p); give both or neither (no filtration).
    null : {"gaussian", "uniform", "covariance"}, callable or tuple, default=("gaussian", "uniform")
        ``"gaussian"``: zero-mean Gaussian kernels of as many pixels as the data's (for 3 x 3,
        :func:`sktopo.filterbanks.gaussian`); ``"uniform"``: i.i.d. uniform pixels, as torch
        initializes conv layers; ``"covariance"``: Gaussian filters with the data's own mean and
        covariance (:func:`covariance_null`); a callable ``null(n_filters, random_state) ->
        array of shape (n_filters, n_features)``: one draw; a tuple of these: each draw's
        largest top lifetime over them (see the module docstring).
    n_draws : int, default=99
        Null draws; 99 resolves p = 0.01 (19 is the fewest that reach 0.05).
    exceedances : int or None, default=None
        Stop drawing once this many null draws reach the observed lifetime, and report
        ``exceedances / n_drawn`` (Besag and Clifford's sequential test, exact under the null
        like the fixed one): a lifetime that random filters reach often is settled in about
        ``exceedances / p`` draws instead of ``n_draws``, while one they do not reach still
        gets every draw. The draws are the first ones of the fixed test with the same
        ``random_state``. None draws all ``n_draws``; 10 keeps the p-value's relative error
        near 30 % where it stops (Besag and Clifford). ``ratio_to_median`` is then the median
        of the draws made, which a stop after few draws makes rough.
    coeff : int, default=2
    n_landmarks : int or None, default=400
    exact_below : float, "auto" or None, default=None
        As in :func:`persistence_diagrams`. None computes the data as the null clouds are
        computed, which a test needs; ``"auto"`` refines the data's longest bar only where it
        stands out, which null clouds never do, and so favours the data.
    metric : {"euclidean", "vne"}, default="euclidean"
    random_state : int, RandomState instance or None, default=None
        Seeds the null draws; the result does not depend on ``n_jobs``.
    n_jobs : int, default=None
        Null draws computed in parallel (joblib).

    Returns
    -------
    comparison : NullComparison

    Raises
    ------
    ValueError
        For filters of one pixel, or all constant: mean-centred, as the pipeline makes them,
        they are zero, and there is no topology to compare.

    Warns
    -----
    UserWarning
        When some filters, not all, are constant: mean-centred they all fall on one point.

    See Also
    --------
    significance : Which bars are significant, by this null and the confidence band.

    References
    ----------
    A. C. Davison and D. V. Hinkley, "Bootstrap Methods and their Application", Cambridge
    University Press, 1997, Section 4.2.5.
    J. Besag and P. Clifford, "Sequential Monte Carlo p-values", Biometrika 78(2), 301-304, 1991.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters, make_gaussian_filters
    >>> from sktopo.homology import random_filter_test
    >>> X = make_circle_filters(300, noise=0.1, random_state=0)
    >>> test = random_filter_test(X, n_draws=9, n_landmarks=100, random_state=0)
    >>> test.p_value, test.ratio_to_median > 3
    (0.1, True)

    Random filters settle early with ``exceedances``:

    >>> noise = make_gaussian_filters(300, random_state=0)
    >>> test = random_filter_test(noise, n_draws=99, exceedances=3, n_landmarks=100, random_state=0)
    >>> len(test.null) < 99, test.n_reaching, bool(test.p_value > 0.05)
    (True, 3, True)
    """
    X = check_filters(X, input_name="X", ensure_min_samples=2)
    check_filtration(k, p)
    persistence = dict(maxdim=dim, coeff=coeff, n_landmarks=n_landmarks, metric=metric)
    observed = top_lifetime(pipeline_diagrams(X, k, p, exact_below=exact_below, **persistence)[dim])
    nulls, settings = resolve_null(null, X), dict(random_state=random_state, n_jobs=n_jobs, **persistence)
    if exceedances is None:
        lifetimes, stopped = pipeline_null_tops(X.shape, k, p, nulls, n_draws, **settings), False
    else:
        lifetimes, stopped = _sequential_null_tops(
            observed, dim, exceedances, X.shape, k, p, nulls, n_draws, **settings
        )
    return NullComparison.compare(observed, lifetimes[:, dim], stopped=stopped)
