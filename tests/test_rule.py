"""The significance rule (one, calibrated, whatever computes the diagram) and the verdict levels."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sktopo.datasets import make_circle_filters, make_gaussian_filters
from sktopo.density import DensityFilter
from sktopo.homology import (
    LEVELS,
    ConfidenceBand,
    circle_verdict,
    covariance_null,
    null_threshold,
    null_top_lifetimes,
    random_filter_test,
    significance,
    universal_p_values,
)
from sktopo.homology._rule import _judge
from sktopo.preprocessing import normalize_filters

_FAST = dict(n_draws=19, n_subsamples=5, n_landmarks=100)


def _core(raw, k, p=0.3):
    return DensityFilter(k=k, p=p).fit_transform(normalize_filters(raw))


def _weak_circle(n, share, seed, noise=0.35):
    rng = np.random.RandomState(seed)
    n_circle = round(share * n)
    return np.vstack(
        [
            make_circle_filters(n_circle, noise=noise, random_state=rng),
            make_gaussian_filters(n - n_circle, random_state=rng),
        ]
    )


# ---------------------------------------------------------------- the null threshold


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 300), alpha=st.floats(0.001, 0.5), seed=st.integers(0, 2**16))
def test_null_threshold_is_the_monte_carlo_level(n, alpha, seed):
    null = np.random.default_rng(seed).random(n)
    threshold = null_threshold(null, alpha)
    if np.isinf(threshold):  # too few draws: no lifetime reaches alpha
        assert 1 / (n + 1) > alpha - 1e-9
        return
    above = np.nextafter(threshold, np.inf)
    assert (1 + np.sum(null >= above)) / (n + 1) <= alpha + 1e-12  # passing it means p <= alpha
    assert (1 + np.sum(null >= threshold)) / (n + 1) > alpha - 1e-12  # and it is the smallest such


def test_null_draws_are_cached_and_deterministic():
    args = dict(k=5, p=0.3, null="gaussian", n_draws=4, n_landmarks=60, random_state=3)
    a = null_top_lifetimes((200, 9), **args)
    b = null_top_lifetimes((200, 9), **args)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (4, 2)
    a[:] = -1  # a copy: the cache is not changed by its users
    assert np.all(null_top_lifetimes((200, 9), **args) >= 0)


def test_several_nulls_take_the_longest_top_lifetime_of_each_draw():
    args = dict(k=5, p=0.3, n_draws=5, n_landmarks=60, random_state=2)
    gaussian, uniform = (null_top_lifetimes((300, 9), null=n, **args) for n in ("gaussian", "uniform"))
    both = null_top_lifetimes((300, 9), null=("gaussian", "uniform"), **args)
    np.testing.assert_array_equal(both, np.maximum(gaussian, uniform))
    assert not np.array_equal(gaussian, uniform)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"shape": (1, 9)}, "shape must be"),
        ({"shape": (100, 9, 1)}, "shape must be"),
        ({"null": "covariance"}, "needs the data"),
        ({"k": 3}, "give both or neither"),
        ({"n_draws": True}, "'n_draws' parameter"),
    ],
)
def test_null_top_lifetimes_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        null_top_lifetimes(**{"shape": (100, 9), "n_draws": 2, **kwargs})


def test_null_draws_differ_by_settings():
    args = dict(k=5, p=0.3, n_draws=3, n_landmarks=None, random_state=0)
    z2, z3 = (null_top_lifetimes((200, 9), coeff=c, **args) for c in (2, 3))
    euclidean, vne = (null_top_lifetimes((200, 9), metric=m, **args) for m in ("euclidean", "vne"))
    assert not np.array_equal(euclidean, vne)
    assert z2.shape == z3.shape == (3, 2)


def test_covariance_null_draws_the_data_covariance():
    X = np.random.default_rng(0).normal(size=(4000, 9)) * np.linspace(0.2, 3, 9)
    Z = covariance_null(X)(4000, 1)
    error = np.linalg.norm(np.cov(Z, rowvar=False) - np.cov(X, rowvar=False)) / np.linalg.norm(
        np.cov(X, rowvar=False)
    )
    assert error < 0.05 and np.abs(Z.mean(axis=0) - X.mean(axis=0)).max() < 0.1


def test_a_two_dimensional_cloud_is_a_circle_to_the_isotropic_null_only():
    # normalized filters from a 2-D subspace lie on a circle by construction: the covariance null has it too
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(2, 9))
    X = rng.normal(size=(600, 2)) @ plane + 0.05 * rng.normal(size=(600, 9))
    isotropic = random_filter_test(X, k=19, p=0.3, n_draws=19, n_landmarks=100, random_state=0)
    covariance = random_filter_test(
        X, k=19, p=0.3, null="covariance", n_draws=19, n_landmarks=100, random_state=0
    )
    assert isotropic.p_value == 0.05 and covariance.p_value > 0.05  # rejected by one, not the other


# ---------------------------------------------------------------- one rule


def test_a_clean_circle_is_significant_and_found():
    raw = make_circle_filters(800, noise=0.1, random_state=0)
    result = significance(_core(raw, 25), filters=raw, k=25, p=0.3, random_state=0, **_FAST)
    assert result.n_significant.tolist() == [1, 1] and result.margin() > 0.5
    assert result.p_values[1][0] == 0.05  # no null draw reaches it
    assert circle_verdict(result, loop_fraction=0.8).level == "found"


@pytest.mark.parametrize("n_raw", [400, 1000, 2400])
def test_gaussian_clouds_of_several_sizes_are_not_found(n_raw):
    raw = make_gaussian_filters(n_raw, random_state=n_raw)
    k = round(n_raw / 32)
    result = significance(_core(raw, k), filters=raw, k=k, p=0.3, random_state=0, **_FAST)
    assert result.n_significant[1] == 0
    assert circle_verdict(result, loop_fraction=0.0).level != "found"


def test_the_rule_is_continuous_across_n_landmarks():
    # a fixed weak circle judged exact (every row a landmark) and through landmarks just below its size
    raw = _weak_circle(1000, 0.4, 0)
    X = _core(raw, 31)
    assert len(X) == 300
    kwargs = dict(filters=raw, k=31, p=0.3, n_draws=19, n_subsamples=6, random_state=0)
    exact = significance(X, n_landmarks=None, **kwargs)
    near = significance(X, n_landmarks=290, **kwargs)  # 290 landmarks of 300 rows
    assert exact.bound == 0 and near.bound > 0
    assert exact.n_significant.tolist() == near.n_significant.tolist()
    # like with like: the band moves by no more than the certified bounds
    slack = near.bound + near.band.half_bounds.max()
    assert abs(near.band.band[1] - exact.band.band[1]) <= slack
    assert abs(near.thresholds[1] - exact.thresholds[1]) <= 2 * slack


def test_the_rule_does_not_depend_on_n_jobs():
    raw = _weak_circle(600, 0.4, 1)
    X = _core(raw, 19)
    one, two = (significance(X, filters=raw, k=19, p=0.3, random_state=4, n_jobs=j, **_FAST) for j in (1, 2))
    np.testing.assert_array_equal(one.thresholds, two.thresholds)
    np.testing.assert_array_equal(one.null, two.null)


@pytest.mark.parametrize("method", ["universal", "band"])
def test_other_methods(method):
    X = normalize_filters(make_circle_filters(300, noise=0.1, random_state=0))
    result = significance(X, method=method, random_state=0, **_FAST)
    assert result.method == method and result.null is None
    assert result.n_significant[1] >= 1
    if method == "universal":
        assert np.isnan(result.thresholds).all() and result.band is None and result.margin() > 0
    else:
        np.testing.assert_array_equal(result.thresholds, 2 * result.band.band)


def test_universal_p_values_follow_the_formula():
    diagram = np.array([[0.1, 0.5], [0.2, 0.25], [0.3, 0.33], [0.25, 0.3]])
    loglog = np.log(np.log(diagram[:, 1] / diagram[:, 0]))
    ell = loglog - np.euler_gamma - loglog.mean()
    expected = np.minimum(1, np.exp(-np.exp(ell)) * 4)
    order = np.argsort(diagram[:, 0] - diagram[:, 1])
    np.testing.assert_allclose(universal_p_values(diagram), expected[order])
    assert universal_p_values(np.array([[0.0, 0.2], [0.1, 0.3]]))[0] == 1.0  # born at 0: no ratio


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "bootstrap"}, "'method' parameter of significance"),
        ({"alpha": 0.0}, "'alpha' parameter of significance"),
        ({"k": 3}, "give both or neither"),
        ({"k": 3, "p": 0.3}, "give filters with them"),
        ({"filters": np.ones((10, 4))}, "filters must have X's 9 pixels"),
        ({"filters": np.ones((400, 9)), "k": 5, "p": 0.5}, "X must be what"),
        ({"null": "poisson"}, "'null' parameter of significance"),
        ({"null": ("gaussian", 3)}, "null must be one of"),
        ({"null": ()}, "null must be one of"),
        ({"n_draws": 0}, "'n_draws' parameter of significance"),
    ],
)
def test_significance_refuses_bad_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        significance(normalize_filters(make_circle_filters(30, random_state=0)), **kwargs)


# ---------------------------------------------------------------- verdict levels


def _constructed(lifetimes, band, null, n_samples=300, alpha=0.05):
    """A Significance from a made-up H1 diagram, band half-width and null top lifetimes."""
    h1 = np.column_stack([np.full(len(lifetimes), 0.2), 0.2 + np.asarray(lifetimes, dtype=float)])
    diagrams = [np.array([[0.0, np.inf]]), h1]
    half = ConfidenceBand(
        diagrams, np.array([0.01, band]), 0.0, np.zeros((5, 2)), np.zeros(5), np.array([1, 0]), 0.95
    )
    tops = np.column_stack([np.zeros(len(null)), null])
    return _judge("null", n_samples, alpha, diagrams, 0.0, half, tops)


NULL_99 = np.linspace(0.2, 0.4, 99)  # threshold: the 95th smallest, 0.3918


@pytest.mark.parametrize(
    "lifetimes, band, kwargs, level, reason",
    [
        ([1.0, 0.1], 0.05, {"loop_fraction": 0.9}, "found", "1 significant H1 bar"),
        ([1.0, 0.1], 0.05, {}, "found", "clears the threshold by"),
        ([1.0, 0.1], 0.05, {"loop_fraction": 0.4}, "borderline", "not a majority"),
        ([0.39, 0.1], 0.05, {}, "borderline", "within twice alpha"),
        ([0.6, 0.1], 0.35, {}, "borderline", "but not the band's sampling noise"),
        ([0.2, 0.1], 0.05, {}, "not_found", "misses the threshold"),
        ([1.0, 0.9], 0.05, {}, "not_found", "more than one loop"),
        ([1.0, 0.1], 1.2, {}, "too_small", "does not reproduce"),
        ([1.0, 0.1], 0.05, {"accuracy": 0.3, "chance": 0.1}, "too_small", "near chance"),
    ],
)
def test_verdict_levels_on_constructed_cases(lifetimes, band, kwargs, level, reason):
    verdict = circle_verdict(_constructed(lifetimes, band, NULL_99), **kwargs)
    assert verdict.level == level and level in LEVELS
    assert any(reason in r for r in verdict.reasons), verdict.reasons


def test_too_few_rows_or_draws_are_too_small():
    assert circle_verdict(_constructed([1.0], 0.05, NULL_99, n_samples=38)).level == "too_small"
    few = circle_verdict(_constructed([1.0], 0.05, NULL_99[:9]))
    assert few.level == "too_small" and np.isnan(few.margin)
    assert any("cannot give a p-value of 0.05" in r for r in few.reasons)


def test_the_verdict_and_the_rule_agree_at_a_rounded_alpha():
    # alpha = 1 - 0.9 is 0.09999999999999998: 9 draws still resolve it, as null_threshold says
    result = _constructed([1.0, 0.1], 0.05, np.linspace(0.2, 0.4, 9), alpha=1 - 0.9)
    assert np.isfinite(result.thresholds[1]) and result.n_significant[1] == 1
    assert circle_verdict(result).level == "found"


@pytest.mark.parametrize("method", ["universal", "band"])
def test_verdict_levels_of_the_other_methods(method):
    X = normalize_filters(make_circle_filters(300, noise=0.1, random_state=0))
    found = circle_verdict(significance(X, method=method, random_state=0, **_FAST))
    assert found.level == "found" and found.margin > 0
    noise = normalize_filters(make_gaussian_filters(300, random_state=0))
    assert (
        circle_verdict(significance(noise, method="universal", random_state=0, **_FAST)).level == "not_found"
    )


def test_circle_verdict_needs_h1_and_both_accuracy_and_chance():
    X = normalize_filters(make_circle_filters(100, noise=0.1, random_state=0))
    with pytest.raises(ValueError, match="must judge H1"):
        circle_verdict(significance(X, maxdim=0, random_state=0, **_FAST))
    with pytest.raises(ValueError, match="give both or neither"):
        circle_verdict(_constructed([1.0], 0.05, NULL_99), accuracy=0.9)


def test_covariance_note_is_reported_without_changing_the_level():
    result = _constructed([1.0, 0.1], 0.05, NULL_99)
    beyond = circle_verdict(result, covariance_p_value=0.01)
    within = circle_verdict(result, covariance_p_value=0.6)
    assert beyond.level == within.level == "found"
    assert "beyond second-order" in beyond.reasons[-1] and "covariance alone" in within.reasons[-1]


@pytest.mark.parametrize(
    "kwargs",
    [{"loop_fraction": 1.5}, {"accuracy": -0.1}, {"chance": 1.0}, {"covariance_p_value": 0.0}],
)
def test_circle_verdict_refuses_bad_input(kwargs):
    with pytest.raises(ValueError, match="parameter of circle_verdict"):
        circle_verdict(_constructed([1.0], 0.05, NULL_99), **kwargs)
