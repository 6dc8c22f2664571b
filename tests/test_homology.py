import dataclasses
import inspect
import warnings

import numpy as np
import persim
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from ripser import ripser
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, ShuffleSplit
from sklearn.pipeline import make_pipeline

import sktopo.homology
from sktopo import DensityFilter, FilterNormalizer, PersistenceScorer
from sktopo.datasets import make_circle_filters
from sktopo.homology import (
    Persistence,
    betti_from_diagrams,
    betti_numbers,
    check_diagram,
    greedy_landmarks,
    identify_shape,
    persistence_diagrams,
    refine_births,
    top_lifetime,
    topological_simplicity_scorer,
)
from sktopo.preprocessing import normalize_filters


def _torus(n, seed, noise=0.03):
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0, 2 * np.pi, (2, n))
    return np.column_stack([np.cos(a), np.sin(a), np.cos(b), np.sin(b)]) + noise * rng.standard_normal((n, 4))


@pytest.mark.parametrize("old", ["identify_model", "MODELS"])
def test_unreleased_old_names_are_gone(old):
    with pytest.raises(AttributeError, match=old):
        getattr(sktopo.homology, old)


def test_exact_when_every_row_is_a_landmark():
    X = normalize_filters(make_circle_filters(150, noise=0.1, random_state=1))
    result = persistence_diagrams(X, n_landmarks=None)
    exact = ripser(X, maxdim=1)["dgms"]
    assert result.bound == 0.0
    for ours, theirs in zip(result.diagrams, exact):
        np.testing.assert_allclose(np.sort(ours, axis=0), np.sort(theirs, axis=0))


def _bottleneck(a, b):
    finite = [d[np.isfinite(d[:, 1])] for d in (a, b)]
    return persim.bottleneck(*finite)


_CLOUDS = arrays(np.float64, st.tuples(st.integers(1, 60), st.integers(1, 4)), elements=st.floats(-1, 1))


@pytest.mark.filterwarnings("ignore:The input (point cloud has more columns|matrix is square)")  # ripser's
@given(_CLOUDS, st.integers(1, 60), st.booleans(), st.sampled_from([None, "auto"]) | st.floats(0.01, 3))
def test_certified_bound_holds(X, n_landmarks, centre, exact_below):
    """Bottleneck distance to ripser.py's exact diagrams never exceeds the returned bound."""
    exact = ripser(X, maxdim=1)["dgms"]
    approx = persistence_diagrams(X, n_landmarks=n_landmarks, centre=centre, exact_below=exact_below)
    for dim in (0, 1):  # ripser's distances are single precision, with rounding of about 1e-8
        assert _bottleneck(exact[dim], approx.diagrams[dim]) <= approx.bound + 1e-6
    distances = np.linalg.norm(X[:, None] - X[approx.landmarks][None], axis=2).min(axis=1)
    assert approx.bound == pytest.approx((1 if centre else 2) * distances.max())


_N = 100


@given(
    arrays(np.float64, _N, elements=st.floats(0, 1)),  # where each point lies in its arc of 2 pi / _N
    arrays(np.float64, _N, elements=st.floats(-0.05, 0.05)),  # radial noise
    st.integers(30, 60),
)
def test_refined_birth_of_the_circle_is_exact(position, radial, n_landmarks):
    t = 2 * np.pi * (np.arange(_N) + position) / _N
    X = (1 + radial)[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    exact = ripser(X, maxdim=1)["dgms"][1]
    plain = persistence_diagrams(X, n_landmarks=n_landmarks, exact_below=None)
    refined = persistence_diagrams(X, n_landmarks=n_landmarks, exact_below="auto")
    assert refined.bound == plain.bound and refined.refined and not plain.refined
    top = exact[np.argmax(exact[:, 1] - exact[:, 0])]
    ours = refined.diagrams[1][np.argmax(refined.diagrams[1][:, 1] - refined.diagrams[1][:, 0])]
    assert ours[0] == top[0] and abs(ours[1] - top[1]) <= refined.bound + 1e-9
    changed = refined.diagrams[1][:, 0] != plain.diagrams[1][:, 0]
    assert np.isin(refined.diagrams[1][changed, 0], exact[:, 0]).all()


def test_refine_births_only_where_forced():
    approx = np.array([[0.3, 2.0], [0.1, 0.2]])
    assert refine_births(approx, np.array([[0.25, np.inf]]), 0.6, 0.2)[0, 0] == 0.25
    # two candidates within the bound: ambiguous, left alone
    two = np.array([[0.25, np.inf], [0.2, np.inf]])
    np.testing.assert_array_equal(refine_births(approx, two, 0.6, 0.2), approx)
    # too short to be sure it is matched to a bar rather than to the diagonal
    np.testing.assert_array_equal(refine_births(approx, two[:1], 0.6, 0.9), approx)


def test_refine_births_with_a_lag_is_the_centred_refinement():
    """A lag moves the windows, not the deaths: the same births as refining the moved diagram."""
    approx = np.array([[0.3, 2.0], [0.5, 0.6], [0.32, 1.9]])
    below = np.array([[0.15, np.inf], [0.05, np.inf], [0.0, np.inf]])
    lagged = refine_births(approx, below, 0.31, 0.1, lag=0.1)
    moved = refine_births(approx - 0.1, below, 0.31, 0.1)
    changed = moved[:, 0] != approx[:, 0] - 0.1
    np.testing.assert_array_equal(lagged[:, 0], np.where(changed, moved[:, 0], approx[:, 0]))
    np.testing.assert_array_equal(lagged[:, 1], approx[:, 1])
    assert changed.tolist() == [True, False, False]  # the second is short, the third born too late


def test_exact_births_by_default_with_the_refined_flag():
    X = normalize_filters(make_circle_filters(300, noise=0.1, random_state=0))
    assert inspect.signature(persistence_diagrams).parameters["exact_below"].default == "auto"
    default = persistence_diagrams(X, n_landmarks=40)
    plain = persistence_diagrams(X, n_landmarks=40, exact_below=None)
    assert default.refined and not plain.refined and default.bound == plain.bound
    exact = ripser(X, maxdim=1)["dgms"][1]
    top = exact[np.argmax(exact[:, 1] - exact[:, 0])]
    ours = default.diagrams[1][np.argmax(default.diagrams[1][:, 1] - default.diagrams[1][:, 0])]
    assert ours[0] == top[0] and abs(ours[1] - top[1]) <= default.bound
    assert not persistence_diagrams(X[:50], n_landmarks=None).refined  # exact: nothing to refine


def test_persistence_built_by_position_is_not_refined():
    result = Persistence([np.empty((0, 2))], 0.0, np.arange(1))
    assert result.refined is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.refined = True


def _no_exact_computation(monkeypatch):
    def refuse(*args):
        raise AssertionError("the exact diagrams below a scale were computed")

    monkeypatch.setattr(sktopo.homology._persistence, "_rips_below", refuse)


@pytest.mark.parametrize(
    "cloud, n_landmarks",
    [
        (lambda: np.random.default_rng(0).normal(size=(300, 9)), 50),  # no bar longer than the bound
        (lambda: _torus(400, 0), 100),  # two long loops born within the bound of each other
    ],
    ids=["structureless", "torus"],
)
def test_auto_skips_refinement_where_it_cannot_be_certain(monkeypatch, cloud, n_landmarks):
    X = cloud()
    plain = persistence_diagrams(X, n_landmarks=n_landmarks, exact_below=None)
    _no_exact_computation(monkeypatch)
    result = persistence_diagrams(X, n_landmarks=n_landmarks)
    assert not result.refined
    for ours, theirs in zip(result.diagrams, plain.diagrams):
        np.testing.assert_array_equal(ours, theirs)


def test_auto_skips_refinement_above_the_pair_budget(monkeypatch):
    X = normalize_filters(make_circle_filters(300, noise=0.1, random_state=0))
    monkeypatch.setattr(sktopo.homology._persistence, "PAIR_BUDGET", 100)
    plain = persistence_diagrams(X, n_landmarks=40, exact_below=None)
    _no_exact_computation(monkeypatch)
    result = persistence_diagrams(X, n_landmarks=40)
    assert not result.refined
    np.testing.assert_array_equal(result.diagrams[1], plain.diagrams[1])
    assert persistence_diagrams(X, n_landmarks=40, exact_below=None).bound == result.bound


@given(arrays(np.float64, st.tuples(st.integers(2, 300), st.integers(1, 3)), elements=st.floats(-1, 1)))
def test_pair_estimate_is_exact_on_small_clouds_and_ignores_row_order(X):
    tau = 0.4321  # no distance of hypothesis's favourite values falls on it
    pairs = int(np.count_nonzero(np.triu(cdist(X, X) <= tau, k=1)))
    estimate = sktopo.homology._persistence._pairs_closer(X, tau)
    if len(X) <= 256:
        assert estimate == pytest.approx(pairs)
    assert sktopo.homology._persistence._pairs_closer(X[::-1], tau) == pytest.approx(estimate)


@pytest.mark.filterwarnings("ignore:The input (point cloud has more columns|matrix is square)")  # ripser's
@given(_CLOUDS, st.floats(0.01, 2))
def test_exact_diagrams_below_a_scale_from_close_pairs_only(X, tau):
    """The sparse computation of the refinement agrees with ripser.py given every distance."""
    X = np.vstack([X, X[:1]])  # a repeated row: a pair at distance 0
    ours = sktopo.homology._persistence._rips_below(X, 1, 2, tau)
    # cdist, not ripser.py's own distances: those put a repeated row 2e-8 away (x·x + y·y - 2 x·y)
    theirs = ripser(cdist(X, X), maxdim=1, thresh=tau, distance_matrix=True)["dgms"]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(np.sort(a, axis=0), np.sort(b, axis=0), rtol=1e-6)


def test_max_error_picks_the_fewest_landmarks():
    X = normalize_filters(make_circle_filters(1000, noise=0.05, random_state=0))
    result = persistence_diagrams(X, n_landmarks=None, max_error=0.4)
    assert result.bound <= 0.4
    _, radii = greedy_landmarks(X, len(result.landmarks) - 1)
    assert 2 * radii[-1] > 0.4


def test_greedy_landmarks_cover_and_ignore_row_order():
    X = np.random.default_rng(0).normal(size=(200, 3))
    landmarks, radii = greedy_landmarks(X, 20)
    assert len(set(landmarks.tolist())) == 20 and np.all(np.diff(radii) <= 0)
    order = np.random.default_rng(1).permutation(200)
    shuffled, _ = greedy_landmarks(X[order], 20)
    np.testing.assert_array_equal(order[shuffled], landmarks)
    every, radii = greedy_landmarks(X[:5], 10, first=4)
    assert sorted(every.tolist()) == [0, 1, 2, 3, 4] and every[0] == 4 and radii[-1] == 0


@pytest.mark.parametrize("shape", [(3, 9), (9, 9), (30, 2)])
def test_few_landmarks_in_many_dimensions_raise_no_ripser_warning(shape):
    X = np.random.default_rng(0).normal(size=shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        persistence_diagrams(X, n_landmarks=2, exact_below="auto")
        persistence_diagrams(X, n_landmarks=None)


def test_every_prime_coefficient_and_numpy_integers_are_accepted():
    X = normalize_filters(make_circle_filters(100, noise=0.05, random_state=0))
    for coeff in (2, 3, 5, 7, np.int64(11), 127):
        assert (
            round(top_lifetime(persistence_diagrams(X, coeff=coeff, n_landmarks=np.int64(50)).diagrams[1]), 1)
            > 1
        )


def test_betti_gap_rule():
    h0 = np.array([[0, 0.3], [0, 0.32], [0, 5.0], [0, np.inf]])
    h1 = np.array([[0.1, 0.3], [0.2, 0.55], [0.1, 0.2]])
    assert betti_from_diagrams([h0, h1]) == [2, 1]  # 5.0 stands out; 0.45 > 0.32, the scale
    assert betti_from_diagrams((np.array([[0, np.inf]]), np.empty((0, 2)))) == [1, 0]
    assert top_lifetime(np.empty((0, 2))) == 0.0 and top_lifetime([[0.0, np.inf], [1.0, 1.0]]) == 0.0


def test_scorer_estimator():
    X = normalize_filters(make_circle_filters(500, noise=0.05, random_state=0))
    scorer = PersistenceScorer(n_landmarks=100).fit(X)
    assert len(scorer.diagrams_) == 2 and scorer.lifetime_ == top_lifetime(scorer.diagrams_[1])
    assert scorer.bound_ > 0 and len(scorer.landmarks_) == 100
    assert scorer.score(X) == pytest.approx(scorer.lifetime_)
    noise = normalize_filters(np.random.default_rng(0).normal(size=(500, 9)))
    assert scorer.score(noise) < scorer.lifetime_ / 3
    assert scorer.score(X[:1]) == 0.0
    assert clone(scorer).set_params(dim=0).fit(X).lifetime_ < 1


def test_grid_search_prefers_the_filtration_with_the_strongest_held_out_circle():
    rng = np.random.default_rng(0)
    circle = make_circle_filters(600, noise=0.05, random_state=0)
    X = np.vstack([circle, rng.normal(size=(600, 9))])  # a circle in a flood of noise
    pipe = make_pipeline(FilterNormalizer(), DensityFilter(), PersistenceScorer(n_landmarks=150))
    grid = {"densityfilter__k": [15], "densityfilter__p": [0.3, 1.0]}
    search = GridSearchCV(pipe, grid, cv=ShuffleSplit(n_splits=2, test_size=0.5, random_state=0)).fit(X)
    assert search.best_params_["densityfilter__p"] == 0.3
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] > scores[1] + 0.3


def test_scoring_callable():
    X = make_circle_filters(600, noise=0.05, random_state=0)
    pipe = make_pipeline(FilterNormalizer(), DensityFilter(k=10))
    search = GridSearchCV(
        pipe,
        {"densityfilter__p": [0.2, 0.9]},
        cv=ShuffleSplit(2, test_size=0.5, random_state=0),
        scoring=topological_simplicity_scorer(n_landmarks=100),
    ).fit(X)
    assert np.all(search.cv_results_["mean_test_score"] > 1)


def _fit_scorer(X, **params):
    return PersistenceScorer(**params).fit(X)


def _score_scorer(X):
    return PersistenceScorer(n_landmarks=2).fit(np.ones((5, 2))).score(X)


_X = np.arange(10.0).reshape(5, 2)
_NAN, _INF = np.array([[0.0, 1.0], [np.nan, 1.0]]), np.array([[0.0, 1.0], [np.inf, 1.0]])
_H0 = np.array([[0.0, np.inf]])
_PRIME = r"must be a prime number from 2 to 127 \(ripser's limit\), such as 2 or 3\. Got"


def _score_with(estimator):
    return topological_simplicity_scorer(n_landmarks=10)(estimator, _X)


@pytest.mark.parametrize(
    "func, kwargs, error, match",
    [
        # one rule for the coefficients, the same message from functions and estimator
        (
            persistence_diagrams,
            {"X": _X, "coeff": 4},
            ValueError,
            f"'coeff' parameter of persistence_diagrams {_PRIME} 4",
        ),
        (persistence_diagrams, {"X": _X, "coeff": 1}, ValueError, f"'coeff' parameter .* {_PRIME} 1"),
        # ripser keeps coefficients in 8 signed bits: 131 aborted the interpreter, 2**61 - 1 hung
        (persistence_diagrams, {"X": _X, "coeff": 131}, ValueError, f"'coeff' parameter .* {_PRIME} 131"),
        (persistence_diagrams, {"X": _X, "coeff": 2**61 - 1}, ValueError, f"'coeff' parameter .* {_PRIME}"),
        (persistence_diagrams, {"X": _X, "coeff": True}, ValueError, f"'coeff' parameter .* {_PRIME} True"),
        (persistence_diagrams, {"X": _X, "coeff": 3.0}, ValueError, f"'coeff' parameter .* {_PRIME} 3.0"),
        (
            _fit_scorer,
            {"X": _X, "coeff": 4},
            ValueError,
            f"'coeff' parameter of PersistenceScorer {_PRIME} 4",
        ),
        (betti_numbers, {"X": _X, "coeff": 9}, ValueError, f"'coeff' parameter of betti_numbers {_PRIME} 9"),
        (
            _score_with,
            {"estimator": PersistenceScorer()},
            TypeError,
            "got PersistenceScorer, which has no transform",
        ),
        (
            topological_simplicity_scorer,
            {"coeff": 4},
            ValueError,
            f"'coeff' parameter of topological_simplicity_scorer {_PRIME}",
        ),
        # the other parameters, validated alike in functions and estimator
        (
            persistence_diagrams,
            {"X": _X, "maxdim": -1},
            ValueError,
            "'maxdim' parameter of persistence_diagrams",
        ),
        (persistence_diagrams, {"X": _X, "maxdim": True}, ValueError, "'maxdim' parameter"),
        (persistence_diagrams, {"X": _X, "n_landmarks": 0}, ValueError, "'n_landmarks' parameter"),
        (persistence_diagrams, {"X": _X, "n_landmarks": True}, ValueError, "'n_landmarks' parameter"),
        (
            _fit_scorer,
            {"X": _X, "n_landmarks": 2.5},
            ValueError,
            "'n_landmarks' parameter of PersistenceScorer",
        ),
        (persistence_diagrams, {"X": _X, "max_error": 0.0}, ValueError, "'max_error' parameter"),
        (_fit_scorer, {"X": _X, "max_error": -1.0}, ValueError, "'max_error' parameter of PersistenceScorer"),
        (persistence_diagrams, {"X": _X, "metric": "cosine"}, ValueError, "'metric' parameter .* among"),
        (_fit_scorer, {"X": _X, "metric": "cosine"}, ValueError, "'metric' parameter of PersistenceScorer"),
        (identify_shape, {"X": _X, "metric": "vnE"}, ValueError, "'metric' parameter of identify_shape"),
        (persistence_diagrams, {"X": _X, "exact_below": -1.0}, ValueError, "'exact_below' parameter"),
        (persistence_diagrams, {"X": _X, "exact_below": "yes"}, ValueError, "'exact_below' parameter"),
        (
            _fit_scorer,
            {"X": _X, "exact_below": 0.0},
            ValueError,
            "'exact_below' parameter of PersistenceScorer",
        ),
        (persistence_diagrams, {"X": _X, "centre": "no"}, ValueError, "'centre' parameter .* 'bool'"),
        (
            _fit_scorer,
            {"X": _X, "centre": "no"},
            ValueError,
            "'centre' parameter of PersistenceScorer .* 'bool'",
        ),
        (_fit_scorer, {"X": _X, "dim": -1}, ValueError, "'dim' parameter of PersistenceScorer"),
        (topological_simplicity_scorer, {"dim": True}, ValueError, "'dim' parameter"),
        (
            identify_shape,
            {"X": _X, "n_landmarks": 0},
            ValueError,
            "'n_landmarks' parameter of identify_shape",
        ),
        # the data
        (persistence_diagrams, {"X": np.empty((0, 9))}, ValueError, "0 sample"),
        (persistence_diagrams, {"X": _NAN}, ValueError, "X contains NaN"),
        (persistence_diagrams, {"X": _INF}, ValueError, "X contains infinity"),
        (persistence_diagrams, {"X": np.ones(3)}, ValueError, "2D array"),
        (_fit_scorer, {"X": np.empty((0, 9))}, ValueError, "0 sample"),
        (_fit_scorer, {"X": _NAN}, ValueError, "X contains NaN"),
        (_fit_scorer, {"X": np.ones(3)}, ValueError, "2D array"),
        (_score_scorer, {"X": _INF}, ValueError, "X contains infinity"),
        (identify_shape, {"X": _NAN}, ValueError, "X contains NaN"),
        # greedy_landmarks
        (
            greedy_landmarks,
            {"X": _X, "n_landmarks": 0},
            ValueError,
            "'n_landmarks' parameter of greedy_landmarks",
        ),
        (
            greedy_landmarks,
            {"X": _X, "n_landmarks": 2, "first": 5},
            ValueError,
            "first must be a row index of X",
        ),
        (greedy_landmarks, {"X": _X, "n_landmarks": 2, "first": -1}, ValueError, "'first' parameter"),
        (
            greedy_landmarks,
            {"X": _X, "n_landmarks": 2, "stop_radius": -1},
            ValueError,
            "'stop_radius' parameter",
        ),
        (greedy_landmarks, {"X": _NAN, "n_landmarks": 2}, ValueError, "X contains NaN"),
        (greedy_landmarks, {"X": np.ones(3), "n_landmarks": 2}, ValueError, "2D array"),
        # the diagram readers
        (
            top_lifetime,
            {"diagram": np.ones((2, 3))},
            ValueError,
            r"diagram must have shape \(n_bars, 2\).*\(2, 3\)",
        ),
        (top_lifetime, {"diagram": [0.1, 0.5]}, ValueError, r"diagram must have shape \(n_bars, 2\)"),
        (top_lifetime, {"diagram": [[np.nan, 1.0]]}, ValueError, "diagram must have finite births"),
        (top_lifetime, {"diagram": [[np.inf, np.inf]]}, ValueError, "diagram must have finite births"),
        (
            top_lifetime,
            {"diagram": [[1.0, 0.5]]},
            ValueError,
            "diagram must have deaths at least their births",
        ),
        (top_lifetime, {"diagram": [[0.0, np.nan]]}, ValueError, "diagram must have deaths at least"),
        (top_lifetime, {"diagram": [["a", "b"]]}, TypeError, "diagram must be an array of numbers"),
        (top_lifetime, {"diagram": "diagram"}, ValueError, "'diagram' parameter of top_lifetime"),
        (betti_from_diagrams, {"diagrams": []}, ValueError, "diagrams must hold one diagram per dimension"),
        (
            betti_from_diagrams,
            {"diagrams": [_H0, [[0.2, np.nan]]]},
            ValueError,
            r"diagrams\[1\] must have deaths",
        ),
        (betti_from_diagrams, {"diagrams": [np.ones((1, 3))]}, ValueError, r"diagrams\[0\] must have shape"),
        (betti_from_diagrams, {"diagrams": np.ones((2, 1, 2))}, ValueError, "'diagrams' parameter"),
        (betti_from_diagrams, {"diagrams": [_H0], "min_ratio": 0.5}, ValueError, "'min_ratio' parameter"),
        (
            refine_births,
            {"approx": np.ones((1, 3)), "below": _H0, "tau": 1, "bound": 0},
            ValueError,
            "approx must",
        ),
        (
            refine_births,
            {"approx": _H0, "below": [[np.inf, 1]], "tau": 1, "bound": 0},
            ValueError,
            "below must",
        ),
        (refine_births, {"approx": _H0, "below": _H0, "tau": -1, "bound": 0}, ValueError, "'tau' parameter"),
        (
            refine_births,
            {"approx": _H0, "below": _H0, "tau": 1, "bound": np.nan},
            ValueError,
            "'bound' parameter",
        ),
        (refine_births, {"approx": _H0, "below": _H0, "tau": 1, "bound": 0, "lag": -1}, ValueError, "'lag'"),
        (check_diagram, {"diagram": [[1.0, 0.0]], "name": "dgm"}, ValueError, "dgm must have deaths"),
    ],
)
def test_bad_input(func, kwargs, error, match):
    with pytest.raises(error, match=match):
        func(**kwargs)


@given(
    st.lists(
        st.tuples(st.floats(0, 10), st.one_of(st.floats(0, 10), st.just(np.inf))), min_size=0, max_size=20
    )
)
def test_finite_lifetimes_are_the_bars_that_die_longest_first(bars):
    from sktopo.homology import finite_lifetimes

    diagram = np.array([(b, b + d) for b, d in bars], dtype=float).reshape(-1, 2)
    lifetimes = finite_lifetimes(diagram)
    expected = sorted((d for _, d in bars if np.isfinite(d)), reverse=True)
    np.testing.assert_allclose(lifetimes, np.array(expected, dtype=float).reshape(-1), atol=1e-12)
    assert top_lifetime(diagram) == (lifetimes[0] if len(lifetimes) else 0.0)
