import contextlib
import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist

from sktopo import DensityFilter, FilterNormalizer
from sktopo import density as density_module
from sktopo.datasets import make_circle_filters
from sktopo.density import densest_rows, knn_density


def _brute_knn(X, k):
    return np.sort(cdist(X, X), axis=1)[:, k]


@st.composite
def clouds(draw, coarse=False):
    """Point clouds with k and p; coarse clouds sit on a small integer grid, so ties abound."""
    n = draw(st.integers(3, 40))
    d = draw(st.integers(1, 5))
    elements = st.integers(-2, 2).map(float) if coarse else st.floats(-10, 10, allow_nan=False)
    X = draw(arrays(np.float64, (n, d), elements=elements))
    k = draw(st.integers(1, n - 1))
    p = draw(st.floats(0.01, 1.0))
    return X, k, p


def test_paper_fig2_cloud_keeps_1920_rows():
    X = FilterNormalizer().fit_transform(make_circle_filters(6400, noise=0.1, random_state=0))
    dense = DensityFilter(k=200, p=0.3).fit_transform(X)
    assert dense.shape == (1920, 9)


@given(clouds())
def test_knn_density_matches_brute_force(cloud):
    X, k, _ = cloud
    np.testing.assert_allclose(knn_density(X, k), _brute_knn(X, k), rtol=1e-12, atol=1e-12)


def test_knn_density_of_many_leaves_matches_brute_force():
    # rows are asked in the tree's leaf order and put back: many leaves, a real permutation
    X = FilterNormalizer().fit_transform(make_circle_filters(3000, noise=0.3, random_state=2))
    np.testing.assert_allclose(knn_density(X, 15), _brute_knn(X, 15), rtol=1e-12, atol=1e-12)


@given(clouds())
def test_keeps_round_p_n_rows_in_original_order(cloud):
    X, k, p = cloud
    density = DensityFilter(k=k, p=p).fit(X)
    expected = max(1, int(np.floor(p * len(X) + 0.5)))
    assert len(density.support_) == expected
    assert np.all(np.diff(density.support_) > 0)
    np.testing.assert_array_equal(density.fit_transform(X), X[density.support_])
    kept = density.distances_[density.support_]
    dropped = np.delete(density.distances_, density.support_)
    assert kept.max() == density.threshold_
    assert np.all(dropped >= density.threshold_)


@given(clouds(coarse=True), st.data())
def test_kept_rows_do_not_depend_on_row_order(cloud, data):
    X, k, p = cloud
    order = data.draw(st.permutations(range(len(X))))
    kept = DensityFilter(k=k, p=p).fit_transform(X)
    kept_shuffled = DensityFilter(k=k, p=p).fit_transform(X[order])
    np.testing.assert_array_equal(np.unique(kept, axis=0), np.unique(kept_shuffled, axis=0))
    assert len(kept) == len(kept_shuffled)


def test_ties_are_broken_by_row_values():
    X = np.array([[3.0], [2.0], [4.0], [100.0]])
    distances = np.array([1.0, 1.0, 1.0, 9.0])
    np.testing.assert_array_equal(densest_rows(X, distances, p=0.5), [0, 1])
    np.testing.assert_array_equal(densest_rows(X, distances, p=0.25), [1])


# Six outliers in six different octants, each coordinate 50 to 100 away from the origin: at
# least 100 apart from each other and about 50 from a blob that fits in a cube of side 0.6.
_OCTANTS = list(itertools.product([-1.0, 1.0], repeat=3))


@given(
    arrays(np.float64, (60, 3), elements=st.floats(-0.3, 0.3)),
    arrays(np.float64, (6, 3), elements=st.floats(50, 100)),
    st.permutations(_OCTANTS),
    st.permutations(range(66)),
)
def test_keeps_dense_blob_and_drops_far_outliers(blob, magnitudes, octants, order):
    outliers = magnitudes * np.array(octants[:6])
    X = np.vstack([blob, outliers])[list(order)]
    density = DensityFilter(k=5, p=0.9).fit(X)
    kept = X[density.support_]
    assert np.all(np.abs(kept).max(axis=1) <= 0.3)
    assert len(kept) == 59
    assert not density.get_mask(outliers).any()


def test_transform_uses_the_fitted_threshold():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    density = DensityFilter(k=10, p=0.3).fit(X)
    new = rng.normal(size=(200, 4)) * rng.uniform(0.2, 3, size=(200, 1))
    expected = np.sort(cdist(new, X), axis=1)[:, 9] <= density.threshold_
    np.testing.assert_array_equal(density.get_mask(new), expected)
    np.testing.assert_array_equal(density.transform(new), new[expected])
    # a fitted row is its own neighbour in the reference: every kept row passes transform
    assert density.get_mask(X[density.support_]).all()


def test_vne_metric_scales_columns_by_their_standard_deviation():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3)) * [1.0, 10.0, 100.0]
    vne = DensityFilter(k=7, p=0.4, metric="vne").fit(X)
    euclidean = DensityFilter(k=7, p=0.4).fit(X / X.std(axis=0))
    np.testing.assert_allclose(vne.distances_, euclidean.distances_, rtol=1e-10)
    np.testing.assert_array_equal(vne.support_, euclidean.support_)
    np.testing.assert_allclose(knn_density(X, 7, metric="vne"), vne.distances_, rtol=1e-12)


def test_parallel_queries_give_the_same_answer():
    X = make_circle_filters(2000, noise=0.2, random_state=3)
    serial = DensityFilter(k=15, p=0.1).fit(X)
    parallel = DensityFilter(k=15, p=0.1, n_jobs=-1).fit(X)
    np.testing.assert_array_equal(serial.distances_, parallel.distances_)


_X = np.random.default_rng(0).normal(size=(10, 3))


def _fit(X=_X, **params):
    return DensityFilter(**{"k": 3, **params}).fit(X)


def _transform(X):
    return _fit().transform(X)


_BAD_X = [
    (np.array([[np.nan, 1.0]] * 5), ValueError, "NaN"),
    (np.array([[np.inf, 1.0]] * 5), ValueError, "infinity"),
    (np.empty((0, 9)), ValueError, "0 sample"),
    (np.ones(9), ValueError, "2D array"),
    (np.ones((5, 3, 3)), ValueError, "dim 3"),
    ("abc", ValueError, "'X' parameter of knn_density must be an array-like"),
]


@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        *[(_fit, {"k": k}, ValueError, "'k' parameter of DensityFilter") for k in (0, -1, 2.5, True, "2")],
        *[(_fit, {"p": p}, ValueError, "'p' parameter of DensityFilter") for p in (0, 0.0, 1.5, -0.1, True)],
        (
            _fit,
            {"metric": "manhattan"},
            ValueError,
            "'metric' parameter of DensityFilter must be a str among",
        ),
        *[
            (_fit, {"n_jobs": n}, ValueError, "'n_jobs' parameter of DensityFilter")
            for n in ("2", 0, True, 1.0)
        ],
        (_fit, {"k": 10}, ValueError, "k=10 must be smaller than n_samples=10"),
        *[
            (knn_density, {"X": _X, "k": k}, ValueError, "'k' parameter of knn_density")
            for k in (0, 1.5, True)
        ],
        (knn_density, {"X": _X, "k": 10}, ValueError, "k=10 must be smaller than n_samples=10"),
        (
            knn_density,
            {"X": _X, "k": 2, "metric": "manhattan"},
            ValueError,
            "'metric' parameter of knn_density",
        ),
        (knn_density, {"X": _X, "k": 2, "n_jobs": "2"}, ValueError, "'n_jobs' parameter of knn_density"),
        *[(knn_density, {"X": X, "k": 2}, error, match) for X, error, match in _BAD_X],
        *[(_fit, {"X": X, "k": 2}, error, match) for X, error, match in _BAD_X[:5]],
        (_transform, {"X": np.ones((4, 2))}, ValueError, "3 features"),
        (_transform, {"X": np.full((4, 3), np.nan)}, ValueError, "NaN"),
        *[
            (
                densest_rows,
                {"X": _X, "distances": np.ones(10), "p": p},
                ValueError,
                "'p' parameter of densest_rows",
            )
            for p in (0, 1.5, True)
        ],
        (
            densest_rows,
            {"X": _X, "distances": np.ones(9), "p": 0.5},
            ValueError,
            "distances must hold one number per row of X, shape \\(10,\\); got shape \\(9,\\)",
        ),
        (
            densest_rows,
            {"X": _X, "distances": np.ones((10, 2)), "p": 0.5},
            ValueError,
            "got shape \\(10, 2\\)",
        ),
        (densest_rows, {"X": _X[0], "distances": np.ones(3), "p": 0.5}, ValueError, "2D array"),
        (
            densest_rows,
            {"X": _X, "distances": np.full(10, np.nan), "p": 0.5},
            ValueError,
            "distances contains NaN",
        ),
    ],
)
def test_bad_input(function, kwargs, error, match):
    with pytest.raises(error, match=match):
        function(**kwargs)


@contextlib.contextmanager
def _pruning(sample=64, prune=True):
    """Search small clouds on the compiled tree too (the library does from 50,000 rows), pruned
    from ``sample`` rows unless ``prune`` is False."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(density_module, "_LARGE", 2)
        patch.setattr(density_module, "_PRUNE_SAMPLE", sample)
        if not prune:
            patch.setattr(density_module, "_PRUNE_MAX_FRACTION", 0.0)
        yield


@given(clouds(), st.booleans())
def test_pruned_fit_keeps_the_same_rows(cloud, coarse_sample):
    X, k, p = cloud
    with _pruning(prune=False):
        whole = DensityFilter(k=k, p=p).fit(X)
    with _pruning(sample=3 if coarse_sample else 64):
        pruned = DensityFilter(k=k, p=p).fit(X)
    np.testing.assert_array_equal(pruned.support_, whole.support_)
    assert pruned.threshold_ == whole.threshold_
    np.testing.assert_allclose(pruned.distances_, _brute_knn(X, k), rtol=1e-12, atol=1e-12)
    # SciPy's tree (small clouds) may take the other of two neighbours an ulp apart as the k-th
    scipy = DensityFilter(k=k, p=p).fit(X)
    np.testing.assert_allclose(pruned.threshold_, scipy.threshold_, rtol=1e-12, atol=1e-12)


def test_pruning_skips_rows_and_measures_them_when_asked():
    X = FilterNormalizer().fit_transform(make_circle_filters(4000, noise=0.3, random_state=0))
    with _pruning():
        density = DensityFilter(k=15, p=0.1).fit(X)
    assert np.isinf(density._distances).sum() > len(X) // 2  # most rows never measured in fit
    np.testing.assert_allclose(density.distances_, _brute_knn(X, 15), rtol=1e-12, atol=1e-12)
    assert np.isfinite(density._distances).all()


def test_pruning_falls_back_to_every_row_when_the_sample_misleads():
    # the sampled rows (first and last) sit in a tight blob: the radius they give reaches too
    # few rows, and the fit must measure every row instead
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    X[[0, -1]] = rng.normal(size=(2, 3)) * 1e-3
    X[1:5] = rng.normal(size=(4, 3)) * 1e-3
    exact = DensityFilter(k=3, p=0.2).fit(X)
    with _pruning(sample=2):
        pruned = DensityFilter(k=3, p=0.2).fit(X)
    np.testing.assert_array_equal(pruned.support_, exact.support_)
    assert np.isfinite(pruned._distances).all()  # measured whole


def test_dense_core_is_the_density_filter_of_the_normalized_filters():
    from sktopo.datasets import make_circle_filters
    from sktopo.density import dense_core
    from sktopo.preprocessing import normalize_filters

    filters = make_circle_filters(300, noise=0.3, random_state=0)
    expected = DensityFilter(k=12, p=0.3).fit_transform(normalize_filters(filters))
    np.testing.assert_array_equal(dense_core(filters, 12, 0.3), expected)
    np.testing.assert_array_equal(dense_core(filters, 12, 1.0), normalize_filters(filters))  # p 1: all
    assert dense_core(filters[:5], 50, 0.5).shape == (3, 9)  # k capped at n - 1
    with pytest.raises(ValueError, match="'k' parameter"):
        dense_core(filters, 0, 0.3)
    with pytest.raises(ValueError, match="'p' parameter"):
        dense_core(filters, 5, 0.0)
