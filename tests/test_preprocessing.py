import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktopo import FilterNormalizer
from sktopo.preprocessing import constant_rows, normalize_filters

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


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[np.nan, 1.0]]), "NaN"),
        (np.array([[np.inf, 1.0]]), "infinity"),
        (np.empty((0, 9)), "0 sample"),
        (np.ones(9), "2D array"),
        (np.ones((2, 3, 3)), "dim 3"),
        (np.array([["a", "b"]]), "convert"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        FilterNormalizer().fit_transform(X)
    with pytest.raises(ValueError, match=match):
        normalize_filters(X)


def test_feature_count_is_checked():
    normalizer = FilterNormalizer().fit(np.ones((2, 9)))
    with pytest.raises(ValueError, match="9 features"):
        normalizer.transform(np.ones((2, 4)))


def test_bad_parameter():
    with pytest.raises(ValueError, match="'copy' parameter"):
        FilterNormalizer(copy="yes").fit(np.ones((2, 3)))


def test_tiny_and_huge_rows_normalize_accurately():
    # found by hypothesis: squaring 1e-160 underflows unless rows are rescaled first
    for value in (1e-160, 1e150):
        np.testing.assert_allclose(normalize_filters([[0.0, value]]), [[-(0.5**0.5), 0.5**0.5]], rtol=1e-12)
