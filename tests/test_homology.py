import numpy as np
import persim
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ripser import ripser
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, ShuffleSplit
from sklearn.pipeline import make_pipeline

from sktopo import DensityFilter, FilterNormalizer, PersistenceScorer
from sktopo.datasets import make_circle_filters, make_klein_filters, make_three_circle_filters
from sktopo.homology import (
    betti_from_diagrams,
    betti_numbers,
    greedy_landmarks,
    identify_model,
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


@pytest.fixture(scope="module")
def clouds():
    rng = np.random.default_rng(0)
    return {
        "circle": normalize_filters(make_circle_filters(3000, noise=0.1, random_state=0)),
        "klein bottle": normalize_filters(make_klein_filters(6000, noise=0.05, random_state=0)),
        "three circles": normalize_filters(make_three_circle_filters(3000, noise=0.05, random_state=0)),
        "torus": _torus(3000, 0),
        "gaussian": rng.normal(size=(3000, 9)),
        "two blobs": np.vstack([rng.normal(size=(500, 9)) * 0.1, rng.normal(size=(500, 9)) * 0.1 + 5]),
    }


@pytest.mark.parametrize(
    "name, z2, z3",
    [
        ("circle", [1, 1], [1, 1]),
        ("klein bottle", [1, 2], [1, 1]),  # H1 of the Klein bottle: Z + Z/2
        ("torus", [1, 2], [1, 2]),
        ("three circles", [1, 5], [1, 5]),  # 4 meeting points, 8 arcs: 8 - 4 + 1
        ("gaussian", [1, 0], [1, 0]),
        ("two blobs", [2, 0], [2, 0]),
    ],
)
def test_betti_numbers_over_z2_and_z3(clouds, name, z2, z3):
    assert betti_numbers(clouds[name], coeff=2, n_landmarks=300) == z2
    assert betti_numbers(clouds[name], coeff=3, n_landmarks=300) == z3


@pytest.mark.parametrize("name", ["circle", "klein bottle", "torus", "three circles"])
def test_identify_model(clouds, name):
    assert identify_model(clouds[name], n_landmarks=300) == name


@pytest.mark.parametrize("name", ["gaussian", "two blobs"])
def test_identify_no_model(clouds, name):
    assert identify_model(clouds[name], n_landmarks=300) == "none"


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


@given(st.integers(0, 2**32 - 1), st.integers(10, 60), st.booleans(), st.sampled_from([None, "auto"]))
def test_certified_bound_holds(seed, n_landmarks, centre, exact_below):
    """Bottleneck distance to ripser.py's exact diagrams never exceeds the returned bound."""
    rng = np.random.default_rng(seed)
    X = normalize_filters(make_circle_filters(120, noise=rng.uniform(0, 0.5), random_state=seed % 1000))
    exact = ripser(X, maxdim=1)["dgms"]
    approx = persistence_diagrams(X, n_landmarks=n_landmarks, centre=centre, exact_below=exact_below)
    for dim in (0, 1):
        assert _bottleneck(exact[dim], approx.diagrams[dim]) <= approx.bound + 1e-9
    distances = np.linalg.norm(X[:, None] - X[approx.landmarks][None], axis=2).min(axis=1)
    assert approx.bound == pytest.approx((1 if centre else 2) * distances.max())


@given(st.integers(0, 2**32 - 1), st.integers(15, 40))
def test_refined_births_keep_the_bound_and_are_exact(seed, n_landmarks):
    X = normalize_filters(make_circle_filters(150, noise=0.08, random_state=seed % 1000))
    exact = ripser(X, maxdim=1)["dgms"][1]
    plain = persistence_diagrams(X, n_landmarks=n_landmarks)
    refined = persistence_diagrams(X, n_landmarks=n_landmarks, exact_below="auto")
    assert refined.bound == plain.bound
    top = exact[np.argmax(exact[:, 1] - exact[:, 0])]
    ours = refined.diagrams[1][np.argmax(refined.diagrams[1][:, 1] - refined.diagrams[1][:, 0])]
    assert np.all(np.abs(ours - top) <= refined.bound + 1e-9)
    changed = refined.diagrams[1][:, 0] != plain.diagrams[1][:, 0]
    if changed.any():  # a refined birth is the exact birth of the circle
        assert refined.diagrams[1][changed, 0] == pytest.approx([top[0]])


def test_refine_births_only_where_forced():
    approx = np.array([[0.3, 2.0], [0.1, 0.2]])
    assert refine_births(approx, np.array([[0.25, np.inf]]), 0.6, 0.2)[0, 0] == 0.25
    # two candidates within the bound: ambiguous, left alone
    two = np.array([[0.25, np.inf], [0.2, np.inf]])
    np.testing.assert_array_equal(refine_births(approx, two, 0.6, 0.2), approx)
    # too short to be sure it is matched to a bar rather than to the diagonal
    np.testing.assert_array_equal(refine_births(approx, two[:1], 0.6, 0.9), approx)


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


def test_betti_gap_rule():
    h0 = np.array([[0, 0.3], [0, 0.32], [0, 5.0], [0, np.inf]])
    h1 = np.array([[0.1, 0.3], [0.2, 0.55], [0.1, 0.2]])
    assert betti_from_diagrams([h0, h1]) == [2, 1]  # 5.0 stands out; 0.45 > 0.32, the scale
    assert betti_from_diagrams([np.array([[0, np.inf]]), np.empty((0, 2))]) == [1, 0]


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


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"maxdim": -1}, "maxdim must be"),
        ({"coeff": 4}, "coeff must be a prime"),
        ({"coeff": 1}, "coeff must be a prime"),
        ({"n_landmarks": 0}, "n_landmarks must be"),
        ({"max_error": 0.0}, "max_error must be"),
        ({"metric": "cosine"}, "metric must be one of"),
        ({"exact_below": -1.0}, "exact_below must be"),
        ({"exact_below": "yes"}, "exact_below must be"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        persistence_diagrams(np.ones((5, 2)), **kwargs)


@pytest.mark.parametrize(
    "X, match", [(np.empty((0, 9)), "0 sample"), (np.full((4, 2), np.nan), "NaN"), (np.ones(3), "2D array")]
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        persistence_diagrams(X)
    with pytest.raises(ValueError, match=match):
        PersistenceScorer().fit(X)


def test_bad_scorer_parameters():
    with pytest.raises(ValueError, match="'dim' parameter"):
        PersistenceScorer(dim=-1).fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="'coeff' parameter"):
        PersistenceScorer(coeff=1).fit(np.ones((3, 2)))
