import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.spatial.distance import cdist

from sktopo.metrics import column_scale, variance_normalized_euclidean

# zero or of a normal magnitude: rescaling a 1e-300 column by 0.01 underflows, in any metric
values = st.floats(-100, 100).filter(lambda v: v == 0 or abs(v) > 1e-100)
clouds = arrays(np.float64, st.tuples(st.integers(2, 15), st.integers(1, 6)), elements=values)


@given(clouds)
def test_vne_is_scipy_seuclidean_with_column_variances(X):
    variances = X.var(axis=0)
    if np.any(variances <= 1e-8):  # scipy divides by zero; we leave such columns unscaled
        return
    expected = cdist(X, X, "seuclidean", V=variances)
    np.testing.assert_allclose(variance_normalized_euclidean(X), expected, rtol=1e-8, atol=1e-8)


@given(clouds, arrays(np.float64, 6, elements=st.floats(0.01, 100)))
def test_vne_ignores_column_units(X, units):
    scaled = X * units[: X.shape[1]]
    np.testing.assert_allclose(
        variance_normalized_euclidean(scaled), variance_normalized_euclidean(X), rtol=1e-6, atol=1e-6
    )


def test_constant_columns_are_left_unscaled():
    X = np.array([[0.0, 5.0], [3.0, 5.0], [6.0, 5.0]])
    np.testing.assert_allclose(column_scale(X), [1 / X[:, 0].std(), 1.0])


def test_explicit_variances_and_second_set():
    X, Y = np.array([[0.0, 0.0]]), np.array([[2.0, 3.0]])
    np.testing.assert_allclose(variance_normalized_euclidean(X, Y, variances=[4.0, 9.0]), [[2**0.5]])


def test_bad_arguments():
    with pytest.raises(ValueError, match="metric must be one of"):
        column_scale(np.ones((2, 2)), "manhattan")
    with pytest.raises(ValueError, match="variances must be 2 non-negative"):
        variance_normalized_euclidean(np.ones((2, 2)), variances=[1.0, -1.0])
    with pytest.raises(ValueError, match="Y has 3 features but X has 2"):
        variance_normalized_euclidean(np.ones((2, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="NaN"):
        variance_normalized_euclidean(np.array([[np.nan, 1.0]]))
