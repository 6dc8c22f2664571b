import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sktopo.datasets import make_circle_filters, make_gaussian_filters
from sktopo.density import DensityFilter
from sktopo.mapper import LoopConsensus, Mapper, _consensus, default_resolutions, loop_consensus, n_loops
from sktopo.preprocessing import normalize_filters


def _core(make, noise, seed, n=1000):
    """The dense core of a normalized cloud: 300 rows for n=1000, as in the measurements."""
    X = normalize_filters(make(n, noise=noise, random_state=seed))
    return DensityFilter(k=round(n / 32), p=0.3).fit_transform(X)


def _one_loop(X, resolution):
    return n_loops(Mapper(resolution=resolution, gain=3).fit(X).graph_) == 1


def test_default_range_is_odd_and_below_where_noise_loops_appear():
    np.testing.assert_array_equal(default_resolutions(300), np.arange(3, 10))
    np.testing.assert_array_equal(default_resolutions(1920), np.arange(8, 25, 2))
    for n_samples in [1, 2, 7, 50, 300, 1920, 10_000, 10**6]:
        resolutions = default_resolutions(n_samples)
        assert len(resolutions) % 2 == 1 and len(resolutions) <= 9 and resolutions.min() >= 2
        assert np.all(np.diff(resolutions) > 0)
        centre = np.sqrt(n_samples / 2)
        assert resolutions.max() <= max(2, round(3 * centre / 4) + 1)


def test_a_circle_has_one_loop():
    result = loop_consensus(_core(make_circle_filters, 0.2, 3))
    assert isinstance(result, LoopConsensus)
    np.testing.assert_array_equal(result.resolutions, np.arange(3, 10))
    assert result.one_loop and result.loops == 1
    assert result.n_with_one_loop == 7 and result.fraction == 1.0


def test_a_gaussian_cloud_has_no_loop():
    result = loop_consensus(_core(make_gaussian_filters, 0.1, 0))
    assert not result.one_loop
    assert result.n_with_one_loop == int(np.sum(result.n_loops == 1)) < 5
    assert result.loops == 0


def test_consensus_is_stable_where_one_resolution_flips():
    # found by search over seeds 0-9: "exactly one loop at Mapper(5, 3)" is lost at Mapper(6, 3)
    X = _core(make_circle_filters, 0.2, 2)
    assert _one_loop(X, 5) and not _one_loop(X, 6)
    default = loop_consensus(X)
    shifted = loop_consensus(X, resolutions=default.resolutions + 1)
    assert default.one_loop and shifted.one_loop
    # the single criterion read off the consensus' own graphs flips too
    assert default.n_loops[default.resolutions == 5] == 1 and default.n_loops[default.resolutions == 6] != 1


def test_consensus_flips_less_often_than_one_resolution():
    single_flips = consensus_flips = 0
    for seed in range(10):
        X = _core(make_circle_filters, 0.2, seed)
        loops = loop_consensus(X, resolutions=np.arange(8, 18)).n_loops == 1  # 8..17: both windows
        single_flips += loops[4] != loops[5]  # Mapper(12, 3) against Mapper(13, 3)
        consensus_flips += (2 * loops[:-1].sum() > 9) != (2 * loops[1:].sum() > 9)
    assert single_flips >= 2 and consensus_flips < single_flips


@pytest.mark.parametrize(
    "loops, one_loop, most_common",
    [
        ([0, 2, 2, 0, 1], False, 0),  # a tie between 0 and 2 goes to the smaller
        ([1, 1, 0, 2], False, 1),  # half is not a strict majority
        ([1, 3, 1], True, 1),
        ([3, 3, 1, 1, 1, 2, 2], False, 1),  # the most common count need not be a majority
    ],
)
def test_verdict_is_a_strict_majority(monkeypatch, loops, one_loop, most_common):
    counts = iter(loops)
    monkeypatch.setattr(_consensus, "n_loops", lambda graph: next(counts))
    X = normalize_filters(make_circle_filters(60, random_state=0))
    result = loop_consensus(X, resolutions=np.arange(2, 2 + len(loops)))
    np.testing.assert_array_equal(result.n_loops, loops)
    assert result.one_loop is one_loop and result.loops == most_common
    assert result.n_with_one_loop == loops.count(1)
    assert result.fraction == pytest.approx(loops.count(1) / len(loops))


def test_resolutions_are_sorted_and_passed_on():
    X = normalize_filters(make_circle_filters(100, noise=0.1, random_state=0))
    result = loop_consensus(X, resolutions=[7, 3, 5], metric="euclidean")
    np.testing.assert_array_equal(result.resolutions, [3, 5, 7])
    expected = [n_loops(Mapper(resolution=r, gain=3, metric="euclidean").fit(X).graph_) for r in (3, 5, 7)]
    np.testing.assert_array_equal(result.n_loops, expected)


_X = normalize_filters(make_circle_filters(120, noise=0.2, random_state=0))


@settings(max_examples=10, deadline=None)
@given(st.permutations(range(len(_X))))
def test_result_does_not_depend_on_row_order(order):
    expected = loop_consensus(_X, resolutions=[4, 6, 8, 10])
    result = loop_consensus(_X[np.array(order)], resolutions=[4, 6, 8, 10])
    for field, value in vars(expected).items():
        np.testing.assert_array_equal(getattr(result, field), value)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"resolutions": []}, ValueError, "non-empty"),
        ({"resolutions": [[8, 9], [10, 11]]}, ValueError, "1-D"),
        ({"resolutions": [8.0, 9.0]}, TypeError, "integers"),
        ({"resolutions": [8.5]}, TypeError, "integers"),
        ({"resolutions": [True, False]}, TypeError, "booleans"),
        ({"resolutions": ["8"]}, TypeError, "integers"),
        ({"resolutions": [0, 1, 2]}, ValueError, ">= 1"),
        ({"resolutions": [-3]}, ValueError, ">= 1"),
        ({"resolutions": [8, 8, 9]}, ValueError, "distinct"),
        ({"resolutions": 12}, ValueError, "resolutions"),
        ({"gain": 1}, ValueError, "gain"),
        ({"gain": "3"}, ValueError, "gain"),
        ({"resolution": 12}, TypeError, "resolution=12"),
        ({"cover": None}, TypeError, "cover"),
        ({"metric": "cosine"}, ValueError, "metric"),
    ],
)
def test_bad_parameters_are_refused(params, error, match):
    X = normalize_filters(make_circle_filters(50, random_state=0))
    with pytest.raises(error, match=match):
        loop_consensus(X, **params)


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        loop_consensus([[0.0, np.nan], [1.0, 0.0]])
    with pytest.raises(ValueError, match="n_samples"):
        default_resolutions(0)
