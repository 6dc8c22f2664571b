import numpy as np
import pytest
from hypothesis import assume, given
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
    assume(np.all(variances > 1e-8))  # scipy divides by zero; we leave such columns unscaled
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


_X = np.ones((2, 2))


@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        (column_scale, {"X": _X, "metric": "manhattan"}, ValueError, "'metric' parameter of column_scale"),
        (column_scale, {"X": "abc"}, ValueError, "'X' parameter of column_scale"),
        (column_scale, {"X": np.array([[np.nan, 1.0]])}, ValueError, "NaN"),
        (
            variance_normalized_euclidean,
            {"X": _X, "variances": [1.0, -1.0]},
            ValueError,
            "variances must hold 2 non-negative numbers, one per column of X; got shape \\(2,\\) with smallest value -1",
        ),
        (
            variance_normalized_euclidean,
            {"X": _X, "variances": [1.0, 2.0, 3.0]},
            ValueError,
            "variances must hold 2 .* got shape \\(3,\\)",
        ),
        (
            variance_normalized_euclidean,
            {"X": _X, "variances": [[1.0, 2.0]]},
            ValueError,
            "variances must hold 2 .* got shape \\(1, 2\\)",
        ),
        (
            variance_normalized_euclidean,
            {"X": _X, "variances": [1.0, np.nan]},
            ValueError,
            "variances contains NaN",
        ),
        (variance_normalized_euclidean, {"X": _X, "variances": "ab"}, ValueError, "'variances' parameter"),
        (
            variance_normalized_euclidean,
            {"X": _X, "Y": np.ones((2, 3))},
            ValueError,
            "Y has 3 features but X has 2",
        ),
        (variance_normalized_euclidean, {"X": _X, "Y": 3.0}, ValueError, "'Y' parameter"),
        (variance_normalized_euclidean, {"X": np.array([[np.nan, 1.0]])}, ValueError, "NaN"),
    ],
)
def test_bad_input(function, kwargs, error, match):
    with pytest.raises(error, match=match):
        function(**kwargs)
