"""Issue 23: every public function refuses bad input early, with a message that names the parameter.

One table per module, each row ``(call, error, match)``: ``call`` runs the function on one bad
input, ``error`` is the exception it must raise and ``match`` a regex the message must contain:
the parameter's name and what is accepted (or why the value cannot be). The bad inputs are
NaN and inf, values that overflow in the dtype used, empty arrays, all-zero, constant and
one-pixel filters, the wrong number of dimensions, and out-of-range parameters (negative,
zero, booleans, absurd sizes). Absurd sizes are refused from an estimate of the memory they
would need, before any work starts: those rows never allocate (see ``test_bad_input_memory.py``
for the messages against a mocked amount of memory).
"""

import numpy as np
import pytest

from sktopo.datasets import (
    make_circle_filters,
    make_gaussian_filters,
    make_klein_filters,
    make_three_circle_filters,
    make_torus_filters,
    make_two_circle_filters,
)
from sktopo.density import DensityFilter, dense_core, knn_density, n_dense_rows
from sktopo.filterbanks import (
    edge_energy,
    gaussian,
    klein_bottle,
    klein_filter,
    primary_circle,
    secondary_circles,
)
from sktopo.filters import SpatialFilterExtractor, extract_spatial_filters
from sktopo.homology import (
    PersistenceScorer,
    betti_numbers,
    circle_verdict,
    identify_shape,
    persistence_diagrams,
    random_filter_test,
    significance,
)
from sktopo.mapper import Mapper, loop_consensus
from sktopo.metrics import column_scale, column_spread, variance_normalized_euclidean
from sktopo.preprocessing import FilterNormalizer, check_filters, normalize_filters
from sktopo.profile import topology_profile

#: An absurd size: far more than any machine's memory, whatever it holds.
HUGE = 10**12

_rng = np.random.default_rng(0)
X = _rng.normal(size=(60, 9))
NAN = np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X)
INF = np.where(np.arange(X.size).reshape(X.shape) == 3, np.inf, X)
#: Finite in float64, but squared distances between rows overflow to inf.
BIG = X * 1e200
#: Finite in float16 too, but over float16's range once multiplied: inf when cast.
with np.errstate(over="ignore"):
    F16 = (X * 6e4).astype(np.float16)
EMPTY = np.zeros((0, 9))
ZEROS = np.zeros((60, 9))
CONSTANT = np.ones((60, 9))
ONE_PIXEL = X[:, :1]
ONE_D = X[0]
THREE_D = X[None]

_NAN = r"Input X contains NaN"
_INF = r"Input X contains infinity or a value too large for dtype\('float64'\)"
_EMPTY = r"Found array with 0 sample\(s\)"
_ONE_D = r"Expected 2D array, got 1D array"
_THREE_D = r"Found array with dim 3"
_ONE_PIXEL = r"X has one pixel per filter \(n_features=1\).*at least 2 pixels"
_CONSTANT = r"Every row of X \(60 of 60\) is a constant filter.*at least one filter that is not"
_OVERFLOW = r"X holds values up to [\d.]+e\+200, so large that squared distances .* overflow float64: X must hold values of magnitude at most"
_RIPSER = r"X holds values up to [\d.]+e\+200, so large that distances .* overflow float32 in ripser: X must hold values of magnitude at most"


def _interval(name, callable_name, accepted):
    """scikit-learn's message for a parameter out of its declared constraint."""
    return rf"The '{name}' parameter of {callable_name} must be {accepted}"


def _rows(table):
    """Rows ``(name, call, error, match)``, or with a fifth item: the marks of the row."""
    return [pytest.param(*row[1:4], id=row[0], marks=row[4:]) for row in table]


def _check(call, error, match):
    with pytest.raises(error, match=match):
        call()


def _arrays(name, function, *, constant=None, one_pixel=None, big=None, input_name="X"):
    """The rows every array function shares: NaN, inf, float16 overflow, empty, 1-D and 3-D."""
    nan, inf = _NAN.replace(" X ", f" {input_name} "), _INF.replace(" X ", f" {input_name} ")
    rows = [
        (f"{name}-nan", lambda: function(NAN), ValueError, nan),
        (f"{name}-inf", lambda: function(INF), ValueError, inf),
        # scikit-learn's finiteness check sums float16 inf and -inf: a RuntimeWarning besides the error
        (
            f"{name}-float16-overflow",
            lambda: function(F16),
            ValueError,
            inf,
            pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning"),
        ),
        (f"{name}-empty", lambda: function(EMPTY), ValueError, _EMPTY),
        (f"{name}-1d", lambda: function(ONE_D), ValueError, _ONE_D),
        (f"{name}-3d", lambda: function(THREE_D), ValueError, _THREE_D),
    ]
    if constant:
        rows += [
            (f"{name}-zeros", lambda: function(ZEROS), ValueError, constant),
            (f"{name}-constant", lambda: function(CONSTANT), ValueError, constant),
        ]
    if one_pixel:
        rows.append((f"{name}-one-pixel", lambda: function(ONE_PIXEL), ValueError, one_pixel))
    if big:
        rows.append((f"{name}-overflow", lambda: function(BIG), ValueError, big))
    return rows


# sktopo.preprocessing ----------------------------------------------------------------------

PREPROCESSING = [
    *_arrays("normalize_filters", normalize_filters),
    *_arrays("FilterNormalizer", lambda A: FilterNormalizer().fit_transform(A))[2:],
    *_arrays("check_filters", check_filters, constant=_CONSTANT, one_pixel=_ONE_PIXEL),
    (
        "normalize_filters-copy-int",
        lambda: normalize_filters(X, copy=2),
        ValueError,
        _interval("copy", "normalize_filters", "an instance of 'bool'"),
    ),
    (
        "check_filters-ensure_min_samples-0",
        lambda: check_filters(X, ensure_min_samples=0),
        ValueError,
        _interval("ensure_min_samples", "check_filters", r"an int in the range \[1, inf\)"),
    ),
    (
        "check_filters-ensure_min_samples-bool",
        lambda: check_filters(X, ensure_min_samples=True),
        ValueError,
        _interval("ensure_min_samples", "check_filters", r"an int in the range \[1, inf\)"),
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(PREPROCESSING))
def test_preprocessing_refuses(call, error, match):
    _check(call, error, match)


def test_normalize_filters_of_huge_values_stays_finite():
    """Rows of magnitude 1e200 (squared norms overflow float64) are scaled first: a valid input."""
    for dtype, scale in ((np.float64, 1e200), (np.float32, 1e30)):
        normalized = normalize_filters((X * scale).astype(dtype))
        assert normalized.dtype == dtype
        np.testing.assert_allclose(np.linalg.norm(normalized, axis=1), 1, rtol=1e-5)


# sktopo.density ----------------------------------------------------------------------------

DENSITY = [
    *_arrays("knn_density", lambda A: knn_density(A, k=5), big=_OVERFLOW),
    *_arrays("dense_core", lambda A: dense_core(A, 5, 0.3), input_name="filters"),
    (
        "DensityFilter-overflow",
        lambda: DensityFilter(k=5).fit(BIG),
        ValueError,
        _OVERFLOW,
    ),
    (
        "knn_density-k-0",
        lambda: knn_density(X, k=0),
        ValueError,
        _interval("k", "knn_density", r"an int in the range \[1, inf\)"),
    ),
    (
        "knn_density-k-bool",
        lambda: knn_density(X, k=True),
        ValueError,
        _interval("k", "knn_density", r"an int in the range \[1, inf\)"),
    ),
    (
        "knn_density-k-huge",
        lambda: knn_density(X, k=HUGE),
        ValueError,
        r"k=1000000000000 must be smaller than n_samples=60",
    ),
    (
        "DensityFilter-p-0",
        lambda: DensityFilter(k=5, p=0).fit(X),
        ValueError,
        _interval("p", "DensityFilter", r"a float in the range \(0\.0, 1\.0\]"),
    ),
    (
        "DensityFilter-p-nan",
        lambda: DensityFilter(k=5, p=np.nan).fit(X),
        ValueError,
        _interval("p", "DensityFilter", r"a float in the range \(0\.0, 1\.0\]"),
    ),
    (
        "DensityFilter-k-huge",
        lambda: DensityFilter(k=HUGE).fit(X),
        ValueError,
        r"k=1000000000000 must be smaller than n_samples=60",
    ),
    (
        "n_dense_rows-p-nan",
        lambda: n_dense_rows(10, np.nan),
        ValueError,
        _interval("p", "n_dense_rows", r"a float in the range \(0\.0, 1\.0\]"),
    ),
    (
        "n_dense_rows-negative",
        lambda: n_dense_rows(-1, 0.3),
        ValueError,
        _interval("n_samples", "n_dense_rows", r"an int in the range \[1, inf\)"),
    ),
    (
        "n_dense_rows-p-bool",
        lambda: n_dense_rows(10, True),
        ValueError,
        _interval("p", "n_dense_rows", r"a float in the range \(0\.0, 1\.0\]"),
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(DENSITY))
def test_density_refuses(call, error, match):
    _check(call, error, match)


# sktopo.metrics ----------------------------------------------------------------------------

METRICS = [
    *_arrays("variance_normalized_euclidean", variance_normalized_euclidean),
    *_arrays("column_scale", column_scale),
    *_arrays("column_spread", column_spread),
    (
        "vne-variances-negative",
        lambda: variance_normalized_euclidean(X, variances=-np.ones(9)),
        ValueError,
        r"variances must hold 9 non-negative numbers",
    ),
    (
        "vne-variances-nan",
        lambda: variance_normalized_euclidean(X, variances=np.full(9, np.nan)),
        ValueError,
        r"Input variances contains NaN",
    ),
    (
        "vne-Y-columns",
        lambda: variance_normalized_euclidean(X, X[:, :3]),
        ValueError,
        r"Y has 3 features but X has 9",
    ),
    (
        "column_scale-metric",
        lambda: column_scale(X, metric="cosine"),
        ValueError,
        _interval("metric", "column_scale", r"a str among"),
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(METRICS))
def test_metrics_refuse(call, error, match):
    _check(call, error, match)


def test_column_spread_of_integer_extremes():
    """int64 extremes were taken as ints: abs(min) wrapped to a negative magnitude, every column 'constant'."""
    extremes = np.tile([np.iinfo(np.int64).min, np.iinfo(np.int64).max], (9, 1)).T
    std, constant = column_spread(extremes)
    assert not constant.any()
    np.testing.assert_allclose(std, float(np.iinfo(np.int64).max), rtol=1e-12)


# sktopo.filterbanks ------------------------------------------------------------------------

_SIZE_2 = r"size must be an int of at least 2 \(a square kernel\) or a pair \(h, w\) of such ints"
_SIZE_3 = r"size must be an int of at least 3 \(a square kernel\) or a pair \(h, w\) of such ints"
_N = r"an int in the range \[1, inf\)"
_MEMORY = (
    r"would need about [\d.]+ [KMGTPE]iB of memory for .*; this machine has [\d.]+ [KMGTPE]?i?B available"
)

FILTERBANKS = [
    *[
        row
        for bank, smallest in (
            (primary_circle, _SIZE_2),
            (gaussian, _SIZE_2),
            (secondary_circles, _SIZE_3),
            (klein_bottle, _SIZE_3),
        )
        for row in (
            (
                f"{bank.__name__}-n-0",
                lambda bank=bank: bank(0),
                ValueError,
                _interval("n", bank.__name__, _N),
            ),
            (
                f"{bank.__name__}-n-bool",
                lambda bank=bank: bank(True),
                ValueError,
                _interval("n", bank.__name__, _N),
            ),
            (f"{bank.__name__}-size-0", lambda bank=bank: bank(4, size=0), ValueError, smallest),
            (f"{bank.__name__}-size-1", lambda bank=bank: bank(4, size=1), ValueError, smallest),
            (f"{bank.__name__}-size-bool", lambda bank=bank: bank(4, size=True), ValueError, smallest),
            (f"{bank.__name__}-size-negative", lambda bank=bank: bank(4, size=-3), ValueError, smallest),
            (
                f"{bank.__name__}-n-huge",
                lambda bank=bank: bank(HUGE),
                ValueError,
                r"n=1000000000000 " + _MEMORY,
            ),
            (
                f"{bank.__name__}-size-huge",
                lambda bank=bank: bank(4, size=10**6),
                ValueError,
                r"n=4 " + _MEMORY,
            ),
        )
    ],
    (
        "klein_filter-nan",
        lambda: klein_filter(np.nan, 0.0),
        ValueError,
        _interval("theta", "klein_filter", r"an array-like or a float in the range \(-inf, inf\)"),
    ),
    (
        "klein_filter-inf-array",
        lambda: klein_filter(0.0, [np.inf]),
        ValueError,
        r"phi must hold finite angles",
    ),
    ("klein_filter-size-1", lambda: klein_filter(0.1, 0.2, size=1), ValueError, _SIZE_2),
    ("edge_energy-nan", lambda: edge_energy(NAN), ValueError, r"Input filters contains NaN"),
    (
        "edge_energy-one-pixel",
        lambda: edge_energy(ONE_PIXEL),
        ValueError,
        r"filters have rows of 1 pixels, not the square of a side of at least 2",
    ),
    (
        "edge_energy-1d",
        lambda: edge_energy(ONE_D),
        ValueError,
        r"filters must be of shape \(n_filters, h \* w\)",
    ),
    ("edge_energy-size-0", lambda: edge_energy(X, size=0), ValueError, _SIZE_2),
    (
        "edge_energy-size-mismatch",
        lambda: edge_energy(X, size=4),
        ValueError,
        r"size must give rows of the filters' length, 9 pixels",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(FILTERBANKS))
def test_filterbanks_refuse(call, error, match):
    _check(call, error, match)


# sktopo.datasets ---------------------------------------------------------------------------

_MAKERS = (
    make_circle_filters,
    make_gaussian_filters,
    make_klein_filters,
    make_three_circle_filters,
    make_torus_filters,
    make_two_circle_filters,
)

DATASETS = [
    row
    for make in _MAKERS
    for row in (
        (f"{make.__name__}-n-0", lambda make=make: make(0), ValueError, _interval("n", make.__name__, _N)),
        (
            f"{make.__name__}-n-bool",
            lambda make=make: make(True),
            ValueError,
            _interval("n", make.__name__, _N),
        ),
        (
            f"{make.__name__}-n-huge",
            lambda make=make: make(HUGE),
            ValueError,
            r"n=1000000000000 " + _MEMORY + r": use at most [\d,]+ filters",
        ),
        (
            f"{make.__name__}-noise-nan",
            lambda make=make: make(10, noise=np.nan),
            ValueError,
            _interval("noise", make.__name__, r"a float in the range \[0(\.0)?, inf\)"),
        ),
        (
            f"{make.__name__}-noise-negative",
            lambda make=make: make(10, noise=-1.0),
            ValueError,
            _interval("noise", make.__name__, r"a float in the range \[0(\.0)?, inf\)"),
        ),
        (
            f"{make.__name__}-random_state-negative",
            lambda make=make: make(10, random_state=-1),
            ValueError,
            r"random_state",
        ),
    )
] + [
    ("make_circle_filters-size-1", lambda: make_circle_filters(10, size=1), ValueError, _SIZE_2),
    (
        "make_circle_filters-size-huge",
        lambda: make_circle_filters(10, size=10**6),
        ValueError,
        r"n=10 " + _MEMORY,
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(DATASETS))
def test_datasets_refuse(call, error, match):
    _check(call, error, match)


# sktopo.mapper -----------------------------------------------------------------------------

_RESOLUTION = (
    r"resolution=1000000000 "
    + _MEMORY.replace(".*", r"the cover's intervals on \d lens dimension\(s\)")
    + r": use at most [\d,]+ intervals"
)

MAPPER = [
    *_arrays("Mapper", lambda A: Mapper(resolution=5).fit(A))[:2],
    ("Mapper-empty", lambda: Mapper(resolution=5).fit(EMPTY), ValueError, r"Found array with 0 sample\(s\)"),
    (
        "Mapper-resolution-0",
        lambda: Mapper(resolution=0).fit(X),
        ValueError,
        _interval("resolution", "Mapper", r"an int in the range \[1, inf\)"),
    ),
    (
        "Mapper-resolution-bool",
        lambda: Mapper(resolution=True).fit(X),
        ValueError,
        _interval("resolution", "Mapper", r"an int in the range \[1, inf\)"),
    ),
    ("Mapper-resolution-huge", lambda: Mapper(resolution=10**9).fit(X), ValueError, _RESOLUTION),
    (
        "Mapper-gain-1",
        lambda: Mapper(gain=1).fit(X),
        ValueError,
        _interval("gain", "Mapper", r"a float in the range \(1(\.0)?, inf\)"),
    ),
    (
        "Mapper-gain-nan",
        lambda: Mapper(gain=np.nan).fit(X),
        ValueError,
        _interval("gain", "Mapper", r"a float in the range \(1(\.0)?, inf\)"),
    ),
    *_arrays("loop_consensus", loop_consensus)[:2],
    ("loop_consensus-resolutions-huge", lambda: loop_consensus(X, [10**9]), ValueError, _RESOLUTION),
    (
        "loop_consensus-resolutions-empty",
        lambda: loop_consensus(X, []),
        ValueError,
        r"resolutions must be a non-empty 1-D list of integers",
    ),
    (
        "loop_consensus-resolutions-0",
        lambda: loop_consensus(X, [0]),
        ValueError,
        r"resolutions must all be >= 1",
    ),
    (
        "loop_consensus-resolutions-nan",
        lambda: loop_consensus(X, [np.nan]),
        TypeError,
        r"resolutions must hold integers",
    ),
    ("loop_consensus-gain-1", lambda: loop_consensus(X, gain=1), ValueError, r"gain"),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(MAPPER))
def test_mapper_refuses(call, error, match):
    _check(call, error, match)


# sktopo.homology ---------------------------------------------------------------------------

_CIRCLE = normalize_filters(make_circle_filters(80, random_state=0))
_FAST = {"n_draws": 9, "random_state": 0, "n_landmarks": 40}
_MAXDIM = r"maxdim=1000000 on 80 landmarks: ripser numbers the simplices .* maxdim must be at most \d+"

HOMOLOGY = [
    *_arrays("persistence_diagrams", persistence_diagrams, big=_RIPSER),
    (
        "persistence_diagrams-maxdim-negative",
        lambda: persistence_diagrams(_CIRCLE, maxdim=-1),
        ValueError,
        _interval("maxdim", "persistence_diagrams", r"an int in the range \[0, inf\)"),
    ),
    (
        "persistence_diagrams-maxdim-bool",
        lambda: persistence_diagrams(_CIRCLE, maxdim=True),
        ValueError,
        _interval("maxdim", "persistence_diagrams", r"an int in the range \[0, inf\)"),
    ),
    # ripser.py aborted the whole process (an uncaught C++ overflow_error) on these two
    (
        "persistence_diagrams-maxdim-huge",
        lambda: persistence_diagrams(_CIRCLE, maxdim=10**6),
        ValueError,
        _MAXDIM,
    ),
    # ... and ran out of memory (std::bad_alloc, the process aborted) on this one
    (
        "persistence_diagrams-maxdim-memory",
        lambda: persistence_diagrams(make_circle_filters(400, random_state=0), maxdim=6),
        ValueError,
        r"n_landmarks=400 takes 400 landmarks: ripser may need up to [\d,.]+ GB .* Set n_landmarks to at most "
        r"[\d,]+ .*, or a maxdim below 6",
    ),
    ("persistence_diagrams-coeff-4", lambda: persistence_diagrams(_CIRCLE, coeff=4), ValueError, r"coeff"),
    (
        "persistence_diagrams-n_landmarks-0",
        lambda: persistence_diagrams(_CIRCLE, n_landmarks=0),
        ValueError,
        _interval("n_landmarks", "persistence_diagrams", r"an int in the range \[1, inf\)"),
    ),
    (
        "persistence_diagrams-max_error-nan",
        lambda: persistence_diagrams(_CIRCLE, max_error=np.nan),
        ValueError,
        r"max_error",
    ),
    (
        "persistence_diagrams-exact_below-negative",
        lambda: persistence_diagrams(_CIRCLE, exact_below=-1.0),
        ValueError,
        r"exact_below",
    ),
    ("PersistenceScorer-nan", lambda: PersistenceScorer().fit(NAN), ValueError, _NAN),
    (
        "PersistenceScorer-overflow",
        lambda: PersistenceScorer(n_landmarks=20).fit(BIG).score(BIG),
        ValueError,
        _RIPSER,
    ),
    (
        "PersistenceScorer-dim-huge",
        lambda: PersistenceScorer(dim=10**6, n_landmarks=20).fit(_CIRCLE).score(_CIRCLE),
        ValueError,
        r"maxdim=1000000 on \d+ (landmarks|rows of X)",
    ),
    (
        "PersistenceScorer-n_draws-0",
        lambda: PersistenceScorer(n_draws=0).fit(_CIRCLE),
        ValueError,
        r"n_draws",
    ),
    *_arrays(
        "significance",
        lambda A: significance(A, **_FAST),
        constant=_CONSTANT,
        one_pixel=_ONE_PIXEL,
        big=_RIPSER,
    )[:2],
    ("significance-zeros", lambda: significance(ZEROS, **_FAST), ValueError, _CONSTANT),
    ("significance-one-pixel", lambda: significance(ONE_PIXEL, **_FAST), ValueError, _ONE_PIXEL),
    ("significance-overflow", lambda: significance(BIG, **_FAST), ValueError, _RIPSER),
    ("significance-alpha-0", lambda: significance(_CIRCLE, alpha=0, **_FAST), ValueError, r"alpha"),
    ("significance-alpha-nan", lambda: significance(_CIRCLE, alpha=np.nan, **_FAST), ValueError, r"alpha"),
    (
        "significance-n_draws-0",
        lambda: significance(_CIRCLE, **(_FAST | {"n_draws": 0})),
        ValueError,
        r"n_draws",
    ),
    (
        "significance-n_draws-huge",
        lambda: significance(_CIRCLE, **(_FAST | {"n_draws": HUGE})),
        ValueError,
        r"n_draws=1000000000000 " + _MEMORY + r": use at most [\d,]+ draws",
    ),
    (
        "significance-n_subsamples-huge",
        lambda: significance(_CIRCLE, method="band", n_subsamples=HUGE, random_state=0, n_landmarks=40),
        ValueError,
        r"n_subsamples=1000000000000 " + _MEMORY + r": use at most [\d,]+ subsamples",
    ),
    ("random_filter_test-zeros", lambda: random_filter_test(ZEROS, **_FAST), ValueError, _CONSTANT),
    ("random_filter_test-one-pixel", lambda: random_filter_test(ONE_PIXEL, **_FAST), ValueError, _ONE_PIXEL),
    ("random_filter_test-empty", lambda: random_filter_test(EMPTY, **_FAST), ValueError, _EMPTY),
    (
        "random_filter_test-n_draws-huge",
        lambda: random_filter_test(X, **(_FAST | {"n_draws": HUGE})),
        ValueError,
        r"n_draws=1000000000000 " + _MEMORY,
    ),
    (
        "random_filter_test-dim-huge",
        lambda: random_filter_test(X, dim=10**6, **_FAST),
        ValueError,
        r"n_landmarks=40 takes 40 landmarks: ripser may need up to [\d,.]+ GB .* or a maxdim below 1000000",
    ),
    ("identify_shape-zeros", lambda: identify_shape(ZEROS, **_FAST), ValueError, _CONSTANT),
    ("identify_shape-overflow", lambda: identify_shape(BIG, **_FAST), ValueError, _RIPSER),
    (
        "identify_shape-min_gap-nan",
        lambda: identify_shape(_CIRCLE, min_gap=np.nan, **_FAST),
        ValueError,
        r"min_gap",
    ),
    ("betti_numbers-zeros", lambda: betti_numbers(ZEROS, **_FAST), ValueError, _CONSTANT),
    ("betti_numbers-overflow", lambda: betti_numbers(BIG, **_FAST), ValueError, _RIPSER),
    (
        "betti_numbers-maxdim-huge",
        lambda: betti_numbers(_CIRCLE, maxdim=10**6, **_FAST),
        ValueError,
        r"maxdim",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(HOMOLOGY))
def test_homology_refuses(call, error, match):
    _check(call, error, match)


@pytest.fixture(scope="module")
def circle_significance():
    return significance(_CIRCLE, **_FAST)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"loop_fraction": 2.0}, r"loop_fraction"),
        ({"loop_fraction": np.nan}, r"loop_fraction"),
        ({"accuracy": 1.5, "chance": 0.1}, r"accuracy"),
        ({"accuracy": np.nan, "chance": 0.1}, r"accuracy"),
        ({"accuracy": 0.9, "chance": 0}, r"chance"),
        ({"accuracy": 0.9, "chance": 2}, r"chance"),
        ({"covariance_p_value": -0.1}, r"covariance_p_value"),
        ({"covariance_p_value": np.nan}, r"covariance_p_value"),
        ({"min_rows": -1}, r"min_rows"),
        ({"min_rows": True}, r"min_rows"),
    ],
    ids=lambda v: str(v),
)
def test_circle_verdict_refuses(circle_significance, kwargs, match):
    with pytest.raises(ValueError, match=match):
        circle_verdict(circle_significance, **kwargs)


# sktopo.filters and sktopo.profile ---------------------------------------------------------

_KERNELS = np.random.default_rng(0).normal(size=(64, 1, 3, 3)).astype(np.float32)
_KERNEL_SHAPE = (
    r"A kernel array must hold real numbers, of shape \(out_channels, in_channels, h, w\) with no axis empty"
)
_DIVERGED = r"the weights contain NaN or infinity"

FILTERS = [
    (
        "extract-nan",
        lambda: extract_spatial_filters(np.where(_KERNELS > 1.5, np.nan, _KERNELS)),
        ValueError,
        _DIVERGED,
    ),
    (
        "extract-inf",
        lambda: extract_spatial_filters(np.where(_KERNELS > 1.5, np.inf, _KERNELS)),
        ValueError,
        _DIVERGED,
    ),
    ("extract-2d", lambda: extract_spatial_filters(_KERNELS[:, :, 0, 0]), ValueError, _KERNEL_SHAPE),
    ("extract-empty", lambda: extract_spatial_filters(_KERNELS[:0]), ValueError, _KERNEL_SHAPE),
    ("extract-layer-0", lambda: extract_spatial_filters(_KERNELS, layer=0), ValueError, r"layer"),
    (
        "extract-constant_tol-nan",
        lambda: extract_spatial_filters(_KERNELS, constant_tol=np.nan),
        ValueError,
        _interval("constant_tol", "extract_spatial_filters", r"a float in the range \[0(\.0)?, inf\)"),
    ),
    (
        "extract-constant_tol-negative",
        lambda: extract_spatial_filters(_KERNELS, constant_tol=-1),
        ValueError,
        _interval("constant_tol", "extract_spatial_filters", r"a float in the range \[0(\.0)?, inf\)"),
    ),
    (
        "SpatialFilterExtractor-nan",
        lambda: SpatialFilterExtractor().fit_transform(np.where(_KERNELS > 1.5, np.nan, _KERNELS)),
        ValueError,
        _DIVERGED,
    ),
    (
        "SpatialFilterExtractor-layer-bool",
        lambda: SpatialFilterExtractor(layer=True).fit(_KERNELS),
        ValueError,
        r"layer",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(FILTERS))
def test_filters_refuse(call, error, match):
    _check(call, error, match)


def _profile(**kwargs):
    return topology_profile(_KERNELS, progress=False, **kwargs)


PROFILE = [
    (
        "profile-nan",
        lambda: topology_profile(np.where(_KERNELS > 1.5, np.nan, _KERNELS), progress=False),
        ValueError,
        _DIVERGED,
    ),
    (
        "profile-k-huge",
        lambda: _profile(k=HUGE),
        ValueError,
        r"Layer 1 has 64 spatial filters .* too few for ρ\(k=1000000000000, p=0\.3\), which needs k below that count",
    ),
    (
        "profile-p-0",
        lambda: _profile(p=0),
        ValueError,
        _interval("p", "topology_profile", r"a float in the range \(0(\.0)?, 1(\.0)?\]"),
    ),
    ("profile-max_filters-0", lambda: _profile(max_filters=0), ValueError, r"max_filters"),
    ("profile-resolution-huge", lambda: _profile(resolution=10**9), ValueError, _RESOLUTION),
    ("profile-gain-nan", lambda: _profile(gain=np.nan), ValueError, r"gain"),
    ("profile-n_null-huge", lambda: _profile(n_null=HUGE), ValueError, r"n_null=1000000000000 " + _MEMORY),
    (
        "profile-n_subsamples-huge",
        lambda: _profile(n_subsamples=HUGE),
        ValueError,
        r"n_subsamples=1000000000000 " + _MEMORY,
    ),
    ("profile-accuracy-2", lambda: _profile(accuracy=2.0), ValueError, r"accuracy"),
    ("profile-n_landmarks-0", lambda: _profile(n_landmarks=0), ValueError, r"n_landmarks"),
    (
        "profile-layers-0",
        lambda: _profile(layers=[0]),
        ValueError,
        r"layers must be from 1 to 1, the conv layers of this source",
    ),
    (
        "profile-layers-bool",
        lambda: _profile(layers=[True]),
        ValueError,
        r"layers must be None \(every conv layer\), a layer number",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), _rows(PROFILE))
def test_profile_refuses(call, error, match):
    _check(call, error, match)
