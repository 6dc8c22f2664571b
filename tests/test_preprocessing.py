import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktopo import FilterNormalizer
from sktopo.preprocessing import check_filters, constant_rows, normalize_filters

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
filter_clouds = arrays(np.float64, st.tuples(st.integers(1, 20), st.integers(2, 12)), elements=finite)


def _spread(X):
    """Relative spread of each row: centred norm over largest entry."""
    scale = np.abs(X).max(axis=1, keepdims=True)
    X = np.divide(X, scale, out=np.zeros_like(X), where=scale > 0)
    return np.linalg.norm(X - X.mean(axis=1, keepdims=True), axis=1)


def _clearly_constant_or_not(X):
    spread = _spread(X)
    return np.all((spread == 0) | (spread > 1e-6))


@given(filter_clouds)
def test_rows_have_zero_mean_and_unit_norm(X):
    assume(_clearly_constant_or_not(X))
    Z = normalize_filters(X)
    constant = _spread(X) == 0
    np.testing.assert_allclose(Z.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(Z[~constant], axis=1), 1, rtol=1e-10)
    assert np.all(Z[constant] == 0)


@given(filter_clouds)
def test_normalization_is_idempotent(X):
    assume(_clearly_constant_or_not(X))
    Z = normalize_filters(X)
    np.testing.assert_allclose(normalize_filters(Z), Z, atol=1e-12)


@given(filter_clouds, st.floats(1e-3, 1e3), st.floats(-1e3, 1e3))
def test_normalization_ignores_contrast_and_brightness(X, scale, offset):
    assume(_clearly_constant_or_not(X))
    shifted = scale * X + offset
    # Rounding may flatten a row whose spread is below the precision of the offset.
    assume(_clearly_constant_or_not(shifted))
    assume(np.array_equal(_spread(X) == 0, _spread(shifted) == 0))
    np.testing.assert_allclose(normalize_filters(shifted), normalize_filters(X), atol=1e-6)


def test_constant_rows_become_zero_like_sklearn_normalize():
    X = np.array([[3.0, 3.0, 3.0], [0.0, 0.0, 0.0], [0.1, 0.1 + 1e-17, 0.1], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(constant_rows(X), [True, True, True, False])
    np.testing.assert_array_equal(normalize_filters(X)[:3], 0)


def test_copy_false_normalizes_in_place():
    X = np.array([[1.0, 2.0, 3.0]])
    out = FilterNormalizer(copy=False).fit(X).transform(X)
    assert out is X or np.shares_memory(out, X)
    np.testing.assert_allclose(X, [[-(0.5**0.5), 0, 0.5**0.5]])


def test_float32_stays_float32():
    assert normalize_filters(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


def _transform(X, **kwargs):
    return FilterNormalizer().fit(np.ones((2, 9))).transform(X, **kwargs)


_BAD_X = [
    (np.array([[np.nan, 1.0]]), "NaN"),
    (np.array([[np.inf, 1.0]]), "infinity"),
    (np.empty((0, 9)), "0 sample"),
    (np.ones(9), "2D array"),
    (np.ones((2, 3, 3)), "dim 3"),
    (np.array([["a", "b"]]), "convert"),
]


@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        *[(normalize_filters, {"X": X}, ValueError, match) for X, match in _BAD_X],
        *[(FilterNormalizer().fit_transform, {"X": X}, ValueError, match) for X, match in _BAD_X],
        *[(constant_rows, {"X": X}, ValueError, match) for X, match in _BAD_X],
        *[(check_filters, {"X": X}, ValueError, match) for X, match in _BAD_X],
        (
            check_filters,
            {"X": [[0.5], [2.0]], "input_name": "filters"},
            ValueError,
            r"^filters has one pixel per filter \(n_features=1\): mean-centred, a one-pixel filter is zero, "
            "so there is no topology to measure",
        ),
        (
            check_filters,
            {"X": np.zeros((3, 4))},
            ValueError,
            r"^Every row of X \(3 of 3\) is a constant filter \(all-zero included\): mean-centred each is zero",
        ),
        (check_filters, {"X": np.eye(3), "ensure_min_samples": 4}, ValueError, "minimum of 4 is required"),
        (check_filters, {"X": np.eye(3), "input_name": 1}, ValueError, "'input_name' parameter"),
        (check_filters, {"X": np.eye(3), "ensure_min_samples": 0}, ValueError, "'ensure_min_samples'"),
        (normalize_filters, {"X": "abc"}, ValueError, "'X' parameter of normalize_filters"),
        (
            normalize_filters,
            {"X": np.ones((2, 3)), "copy": "no"},
            ValueError,
            "'copy' parameter of normalize_filters",
        ),
        (
            FilterNormalizer(copy="yes").fit,
            {"X": np.ones((2, 3))},
            ValueError,
            "'copy' parameter of FilterNormalizer",
        ),
        (_transform, {"X": np.ones((2, 4))}, ValueError, "9 features"),
        (_transform, {"X": np.ones((2, 9)), "copy": "no"}, ValueError, "copy must be a bool or None"),
        (
            constant_rows,
            {"X": np.ones((2, 3)), "rtol": -1.0},
            ValueError,
            "'rtol' parameter of constant_rows",
        ),
        (
            constant_rows,
            {"X": np.ones((2, 3)), "rtol": True},
            ValueError,
            "'rtol' parameter of constant_rows",
        ),
    ],
)
def test_bad_input(function, kwargs, error, match):
    with pytest.raises(error, match=match):
        function(**kwargs)


@pytest.mark.parametrize("value", [1e-160, 1e-200, 1e150, 1e300])
def test_tiny_and_huge_rows_normalize_accurately(value):
    # found by hypothesis: squaring 1e-160 underflows unless rows are rescaled first
    np.testing.assert_allclose(normalize_filters([[0.0, value]]), [[-(0.5**0.5), 0.5**0.5]], rtol=1e-12)
    assert not constant_rows([[0.0, value]])[0]


@given(filter_clouds)
def test_normalize_filters_zeroes_exactly_the_constant_rows(X):
    np.testing.assert_array_equal(np.all(normalize_filters(X) == 0, axis=1), constant_rows(X))


def test_check_filters_counts_constant_filters_in_a_warning_that_points_at_the_caller():
    X = np.random.default_rng(0).normal(size=(10, 4))
    X[[2, 5, 7]] = [[0.0], [3.0], [-1.0]]
    with pytest.warns(UserWarning, match=r"^3 of 10 rows of filters are constant filters") as record:
        checked = check_filters(X, input_name="filters")
    assert len(record) == 1 and record[0].filename == __file__
    np.testing.assert_array_equal(checked, X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_filters([[1, 2], [2, 1]]).dtype == np.float64  # none constant: silent
