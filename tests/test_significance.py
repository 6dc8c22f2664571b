"""Significance of bars (confidence band, random-filter test) and the shapes named from it."""

import dataclasses
import functools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sktopo import DensityFilter, PersistenceScorer
from sktopo.datasets import (
    make_circle_filters,
    make_gaussian_filters,
    make_klein_filters,
    make_three_circle_filters,
    make_torus_filters,
    make_two_circle_filters,
)
from sktopo.homology import (
    SHAPES_BY_BETTI,
    NullComparison,
    betti_from_diagrams,
    betti_numbers,
    confidence_band,
    identify_shape,
    null_top_lifetimes,
    random_filter_test,
    significance,
)
from sktopo.preprocessing import normalize_filters

_FAST = dict(n_landmarks=100, n_subsamples=10)


def _circle(n, seed, noise=0.05):
    return normalize_filters(make_circle_filters(n, noise=noise, random_state=seed))


# ---------------------------------------------------------------- the confidence band


def test_band_counts_the_circle_in_h1():
    result = confidence_band(_circle(400, 0), random_state=0, **_FAST)
    assert int(result.n_significant[1]) == 1
    assert result.distances.shape == (10, 2) and result.half_bounds.shape == (10,)
    lifetimes = np.diff(result.diagrams[1], axis=1).ravel()
    assert np.sum(lifetimes > 2 * result.band[1]) == 1
    assert result.band.tolist() == np.quantile(result.distances, 0.95, axis=0, method="higher").tolist()


@pytest.mark.parametrize("seed", [0, 1])
def test_band_through_landmarks_is_within_the_certified_bounds_of_the_exact_band(seed):
    # like with like: |q_landmarks - q_exact| <= the whole cloud's bound + the largest half's (triangle inequality)
    X = _circle(240, seed, noise=0.2)
    exact = confidence_band(X, n_landmarks=None, n_subsamples=6, random_state=seed)
    approx = confidence_band(X, n_landmarks=90, n_subsamples=6, random_state=seed)
    assert exact.bound == 0.0 and approx.bound > 0
    slack = approx.bound + approx.half_bounds + exact.half_bounds
    assert np.all(np.abs(approx.distances - exact.distances) <= slack[:, None] + 1e-12)


def test_band_is_deterministic_and_independent_of_n_jobs():
    X = _circle(300, 1)
    one = confidence_band(X, random_state=3, n_jobs=1, **_FAST)
    two = confidence_band(X, random_state=3, n_jobs=2, **_FAST)
    np.testing.assert_array_equal(one.distances, two.distances)
    np.testing.assert_array_equal(one.band, two.band)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**16), permutation_seed=st.integers(0, 2**16))
def test_permuting_rows_changes_nothing(seed, permutation_seed):
    X = _circle(120, seed, noise=0.1)
    permuted = X[np.random.default_rng(permutation_seed).permutation(len(X))]
    a, b = (confidence_band(Z, n_landmarks=60, n_subsamples=4, random_state=0) for Z in (X, permuted))
    np.testing.assert_array_equal(a.band, b.band)
    np.testing.assert_array_equal(a.n_significant, b.n_significant)


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_band_shrinks_as_the_sample_grows(seed):
    # exact diagrams (no landmarks): the band is the subsample spread alone
    small, large = (
        confidence_band(_circle(n, seed, noise=0.0), n_landmarks=None, n_subsamples=6, random_state=seed)
        for n in (60, 480)
    )
    assert large.band[1] < small.band[1]


@settings(max_examples=50, deadline=None)
@given(
    lifetimes=st.lists(st.floats(0, 3, allow_nan=False), max_size=12),
    band=st.floats(0, 1, allow_nan=False),
)
def test_a_bar_longer_than_twice_the_band_is_counted(lifetimes, band):
    h1 = np.column_stack([np.full(len(lifetimes), 0.5), 0.5 + np.array(lifetimes, dtype=float)])
    h0 = np.array([[0.0, np.inf]])
    expected = sum(lifetime > 2 * band for lifetime in np.diff(h1, axis=1).ravel())
    assert betti_from_diagrams([h0, h1], band=band) == [1, expected]
    longer = np.vstack([h1, [[0.0, 2 * band + 0.01]]])
    assert betti_from_diagrams([h0, longer], band=[0.0, band]) == [1, expected + 1]


@pytest.mark.parametrize(
    "band, message",
    [
        (-0.1, "band must hold non-negative finite"),
        ([0.1, 0.2, 0.3], "one half-width per diagram"),
        (np.nan, "band"),
    ],
)
def test_bad_band_refused(band, message):
    with pytest.raises(ValueError, match=message):
        betti_from_diagrams([np.array([[0.0, np.inf]]), np.empty((0, 2))], band=band)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"confidence": 1.0}, "'confidence' parameter of confidence_band"),
        ({"confidence": 0}, "'confidence' parameter of confidence_band"),
        ({"n_subsamples": 1}, "'n_subsamples' parameter of confidence_band"),
        ({"n_subsamples": True}, "'n_subsamples' parameter of confidence_band"),
        ({"n_jobs": 0}, "'n_jobs' parameter of confidence_band"),
        ({"random_state": "a"}, "'random_state' parameter of confidence_band"),
    ],
)
def test_confidence_band_refuses_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        confidence_band(_circle(50, 0), **kwargs)


def test_confidence_band_needs_four_rows():
    with pytest.raises(ValueError, match="minimum of 4 is required"):
        confidence_band(np.eye(3))


# ---------------------------------------------------------------- the random-filter test


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_filters_do_not_make_a_circle(seed):
    X = make_circle_filters(2000, noise=0.1, random_state=seed)
    test = random_filter_test(X, n_draws=19, n_landmarks=80, random_state=seed)
    assert test.p_value == 0.05 and test.n_reaching == 0
    assert test.ratio_to_median > 3
    assert test.null.shape == (19,)


def test_p_value_counts_the_null_draws_that_reach_the_observed():
    X = make_circle_filters(200, noise=0.1, random_state=0)

    def same_filters(n, random_state):  # a null that is the data: every draw reaches it
        return X

    test = random_filter_test(X, null=same_filters, n_draws=4, n_landmarks=50, random_state=0)
    assert test.n_reaching == 4 and test.p_value == 1.0 and test.ratio_to_median == 1.0


def test_random_filter_test_applies_the_density_filtration():
    X = np.vstack(
        [make_circle_filters(300, noise=0.05, random_state=0), make_gaussian_filters(300, random_state=1)]
    )
    plain = random_filter_test(X, n_draws=3, n_landmarks=80, random_state=0)
    filtered = random_filter_test(X, k=10, p=0.3, n_draws=3, n_landmarks=80, random_state=0)
    assert filtered.observed > plain.observed  # the dense core is the circle


def test_random_filter_test_is_deterministic():
    X = make_circle_filters(200, noise=0.1, random_state=0)
    a, b = (random_filter_test(X, n_draws=3, n_landmarks=50, random_state=7) for _ in range(2))
    np.testing.assert_array_equal(a.null, b.null)


def test_sequential_test_stops_at_the_exceedances_on_the_fixed_tests_draws():
    noise = make_gaussian_filters(200, random_state=3)
    fixed = random_filter_test(noise, n_draws=60, n_landmarks=50, random_state=0)
    for n_jobs in (None, 2, 8):  # batches of 4, 4 and 8 draws
        early = random_filter_test(
            noise, n_draws=60, exceedances=4, n_landmarks=50, random_state=0, n_jobs=n_jobs
        )
        drawn = len(early.null)
        assert drawn < 60 and early.n_reaching == 4 and early.null[-1] >= early.observed
        np.testing.assert_array_equal(early.null, fixed.null[:drawn])  # the same draws, in order
        assert early.p_value == 4 / drawn  # Besag and Clifford's p-value
        assert np.sum(fixed.null[: drawn - 1] >= fixed.observed) == 3  # it stopped at the 4th


def test_sequential_test_stopping_on_the_last_draw_is_besag_and_cliffords():
    noise = make_gaussian_filters(200, random_state=3)
    fixed = random_filter_test(noise, n_draws=60, n_landmarks=50, random_state=0)
    reaching = np.cumsum(fixed.null >= fixed.observed)
    last = int(np.argmax(reaching == 4)) + 1  # the 4th draw reaching the observed lifetime
    early = random_filter_test(noise, n_draws=last, exceedances=4, n_landmarks=50, random_state=0)
    assert len(early.null) == last and early.p_value == 4 / last


def test_a_stopped_comparison_ends_on_a_draw_that_reaches():
    with pytest.raises(ValueError, match="stopped=True"):
        NullComparison.compare(0.5, [0.6, 0.1], stopped=True)
    assert NullComparison.compare(0.5, [0.1, 0.6], stopped=True).p_value == 0.5


def test_sequential_test_draws_everything_for_a_bar_noise_does_not_reach():
    X = make_circle_filters(200, noise=0.1, random_state=0)
    fixed = random_filter_test(X, n_draws=19, n_landmarks=50, random_state=0)
    early = random_filter_test(X, n_draws=19, exceedances=2, n_landmarks=50, random_state=0)
    assert len(early.null) == 19 and early.p_value == fixed.p_value == 0.05


def test_sequential_test_holds_its_level_under_the_null():
    # data drawn from the null: P(p <= alpha) <= alpha, for the stopped and the full runs alike
    alpha, trials = 0.2, 120
    p_values = [
        random_filter_test(
            make_gaussian_filters(30, random_state=1000 + seed),
            null="gaussian",
            n_draws=19,
            exceedances=2,
            n_landmarks=None,
            random_state=seed,
        ).p_value
        for seed in range(trials)
    ]
    rejected = sum(p <= alpha + 1e-12 for p in p_values)
    assert rejected <= 36  # binomial(120, 0.2): mean 24, P(X > 36) < 0.005
    assert any(p > 0.5 for p in p_values)  # most stop early with large p-values


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"exceedances": 0}, ValueError, "'exceedances' parameter of random_filter_test"),
        ({"k": 10}, ValueError, "give both or neither"),
        ({"p": 0.5}, ValueError, "give both or neither"),
        ({"null": lambda n, rs: np.zeros((n, 4))}, ValueError, "null must return finite random filters"),
        ({"null": lambda n, rs: np.full((n, 9), np.nan)}, ValueError, "null must return finite"),
        ({"null": "poisson"}, ValueError, "'null' parameter of random_filter_test"),
        ({"n_draws": 0}, ValueError, "'n_draws' parameter of random_filter_test"),
        ({"p": 1.5, "k": 3}, ValueError, "'p' parameter of random_filter_test"),
    ],
)
def test_random_filter_test_refuses_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        random_filter_test(
            make_circle_filters(40, random_state=0), **{"n_draws": 2, "n_landmarks": 20, **kwargs}
        )


# ---------------------------------------------------------------- filters with no topology

_TINY = dict(n_draws=2, n_landmarks=20)
_TINY_RULE = dict(n_subsamples=2, **_TINY)


def _degenerate_calls(raw):
    """Each function that compares raw filters with random ones, on the raw filters ``raw``."""
    core = normalize_filters(raw)
    return {
        "random_filter_test": lambda: random_filter_test(raw, **_TINY),
        "significance filters": lambda: significance(core, filters=raw, **_TINY_RULE),
        "significance X": lambda: significance(core, **_TINY_RULE),
        "identify_shape filters": lambda: identify_shape(core, filters=raw, **_TINY_RULE),
        "identify_shape X": lambda: identify_shape(core, **_TINY_RULE),
        "betti_numbers X": lambda: betti_numbers(core, **_TINY_RULE),
    }


_NAMES = list(_degenerate_calls(np.eye(2)))


def _parameter(name):
    """The parameter that holds the raw filters: ``filters`` where given, else ``X``."""
    return "filters" if name.endswith("filters") else "X"


@pytest.mark.parametrize("name", _NAMES)
def test_one_pixel_filters_are_refused_and_why(name):
    raw = np.random.default_rng(0).normal(size=(40, 1))
    with pytest.raises(ValueError, match=rf"^{_parameter(name)} has one pixel per filter \(n_features=1\): "):
        _degenerate_calls(raw)[name]()
    with pytest.raises(ValueError, match="shape must be \\(n_filters, n_features\\), two ints of at least 2"):
        null_top_lifetimes((40, 1), n_draws=2)


@pytest.mark.parametrize("name", _NAMES)
def test_filters_all_constant_are_refused_and_why(name):
    raw = np.repeat(np.linspace(-1, 1, 40)[:, None], 9, axis=1)  # zero among them
    message = rf"^Every row of {_parameter(name)} \(40 of 40\) is a constant filter \(all-zero included\)"
    with pytest.raises(ValueError, match=message):
        _degenerate_calls(raw)[name]()


@pytest.mark.parametrize("name", _NAMES)
def test_some_constant_filters_are_counted_once_in_a_warning(name):
    raw = make_circle_filters(200, noise=0.05, random_state=0)
    raw[:12] = np.arange(12)[:, None]
    with pytest.warns(
        UserWarning, match=rf"^12 of 200 rows of {_parameter(name)} are constant filters"
    ) as record:
        _degenerate_calls(raw)[name]()
    assert len(record) == 1 and record[0].filename == __file__


def test_identify_shape_warns_once_for_both_fields():
    raw = make_circle_filters(600, noise=0.05, random_state=0)
    raw[:5] = 0.0  # at the origin once normalized, too few to be in the dense core
    core = DensityFilter(k=19, p=0.3).fit_transform(normalize_filters(raw))
    with pytest.warns(UserWarning, match="5 of 600 rows of filters are constant") as record:
        verdict = identify_shape(
            core, filters=raw, k=19, p=0.3, n_draws=19, random_state=0, return_verdict=True, **_FAST
        )
    assert verdict.significance[3] is not verdict.significance[2]  # Z/3 computed too
    assert len(record) == 1


def test_without_a_null_of_filters_any_cloud_is_judged():
    # a cloud that is not filters, a point on the diagonal included: no null of filters, no check
    X = np.column_stack([np.cos(np.linspace(0, 6, 40)), np.sin(np.linspace(0, 6, 40))])
    X[0] = [0.5, 0.5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for method in ("band", "universal"):
            significance(X, method=method, **_TINY_RULE)
        significance(X[:, :1], method="band", **_TINY_RULE)


# ---------------------------------------------------------------- naming the shape


_MAKERS = {
    "circle": (make_circle_filters, 0.1),
    "two circles": (make_two_circle_filters, 0.05),
    "three circles": (make_three_circle_filters, 0.05),
    "klein bottle": (make_klein_filters, 0.05),
    "torus": (make_torus_filters, 0.05),
    "gaussian": (make_gaussian_filters, 0.0),
}


# The benchmark's settings (benchmarks/bench_models.py), so the same verdicts; where it answers
# "none" for a shape, the case is a strict xfail.
# Under the rule max(2q, t) (issue 20) two cases of 36 answer "none", never a wrong name: in each,
# one of the 20 half-subsamples loses the weakest loop, and the band (the largest of the 20
# distances at 95%) lands on half its lifetime (three circles: 2q = 0.912, its fifth loop 0.912).
_UNDECIDED = {("three circles", 1000, 0), ("torus", 1000, 1)}


@functools.cache
def _verdict(name, size, seed):
    maker, noise = _MAKERS[name]
    X = normalize_filters(maker(size, noise=noise, random_state=seed))
    # one random_state: the null draws of a size are shared (cached) by every shape and seed
    return identify_shape(X, n_draws=19, random_state=0, n_jobs=2, return_verdict=True)


def _model_case(name, size, seed):
    marks = (
        [pytest.mark.xfail(strict=True, reason="answers none")] if (name, size, seed) in _UNDECIDED else []
    )
    return pytest.param(name, size, seed, marks=marks, id=f"{name}-{size}-seed{seed}")


@pytest.mark.parametrize(
    "name, size, seed",
    [_model_case(name, size, seed) for name in _MAKERS for size in (1000, 2000) for seed in range(3)],
)
def test_identify_shape(name, size, seed):
    verdict = _verdict(name, size, seed)
    assert verdict.shape == (name if name in SHAPES_BY_BETTI.values() else "none")
    expected = {v: k for k, v in SHAPES_BY_BETTI.items()}.get(name, (0, 0))
    assert (verdict.betti[2][1], verdict.betti[3][1]) == expected
    assert verdict.margin > 0
    if name in ("circle", "two circles", "three circles", "torus"):  # no torsion: the fields agree
        assert verdict.field_distance == 0.0
    if name == "klein bottle":  # the Z/2-only loop: the fields differ
        assert verdict.field_distance > 0.1


def test_fields_that_disagree_name_no_torsion_free_shape(monkeypatch):
    # a Klein bottle whose Z/3 count a geometric loop raised to 2 (seen under the old band) reads as a
    # torus's counts; the guard: torsion-free models need their two H1 diagrams to agree
    import sktopo.homology._betti as betti_module

    X = normalize_filters(make_klein_filters(2000, noise=0.0, random_state=1))
    honest = identify_shape(X, n_draws=19, random_state=0, return_verdict=True)
    assert honest.betti == {2: [1, 2], 3: [1, 1]} and honest.shape == "klein bottle"
    z2, z3 = honest.significance[2], honest.significance[3]
    # Z/3 with a second loop as long as Z/2's, but elsewhere in the diagram
    raised = np.vstack([z3.diagrams[1], [[0.05, 0.05 + z2.lifetimes[1][1]]]])
    forged = dataclasses.replace(
        z3,
        diagrams=[z3.diagrams[0], raised],
        lifetimes=[z3.lifetimes[0], np.sort(np.diff(raised).ravel())[::-1]],
        n_significant=np.array([1, 2]),
    )
    monkeypatch.setattr(betti_module, "judge_significance", lambda X, coeff, **kw: {2: z2, 3: forged}[coeff])
    verdict = identify_shape(X, n_draws=19, random_state=0, return_verdict=True)
    assert verdict.betti == {2: [1, 2], 3: [1, 2]} and verdict.gap >= 1.25
    assert verdict.field_distance > verdict.threshold[2] / 2 and verdict.shape == "none"


def test_two_blobs_are_not_a_shape():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(100, 9)) * 0.05, rng.normal(size=(100, 9)) * 0.05 + 5])
    verdict = identify_shape(X, random_state=0, return_verdict=True, n_draws=19, **_FAST)
    assert verdict.shape == "none" and verdict.betti[2][0] == 2


def test_betti_numbers_return_significance():
    betti, rule = betti_numbers(
        _circle(300, 0), random_state=0, return_significance=True, n_draws=19, **_FAST
    )
    assert betti == [1, 1] and betti == rule.n_significant.tolist() and rule.method == "null"


@pytest.mark.parametrize("function", [betti_numbers, identify_shape])
def test_min_ratio_was_removed(function):
    with pytest.raises(TypeError, match="min_ratio"):
        function(_circle(100, 0), min_ratio=2.0)


def test_identify_shape_accepts_a_random_state_instance():
    X = _circle(200, 0)
    a, b = (
        identify_shape(X, random_state=np.random.RandomState(5), return_verdict=True, n_draws=19, **_FAST)
        for _ in range(2)
    )
    assert a.shape == b.shape == "circle" and a.threshold == b.threshold


# ---------------------------------------------------------------- PersistenceScorer


def test_scorer_band_and_significant_bars():
    scorer = PersistenceScorer(confidence=0.95, random_state=0, n_draws=19, **_FAST).fit(_circle(300, 0))
    assert scorer.band_.shape == scorer.threshold_.shape == (2,) and scorer.n_significant_.tolist() == [1, 1]
    assert scorer.lifetime_ > scorer.threshold_[1] >= 2 * scorer.band_[1]
    assert not hasattr(PersistenceScorer(n_landmarks=50).fit(_circle(100, 0)), "band_")
    assert clone(scorer).get_params()["confidence"] == 0.95


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5, "high", True])
def test_scorer_refuses_bad_confidence(confidence):
    with pytest.raises((ValueError, TypeError), match="'confidence' parameter of PersistenceScorer"):
        PersistenceScorer(confidence=confidence).fit(_circle(50, 0))
