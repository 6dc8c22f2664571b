import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktopo import filterbanks
from sktopo.filterbanks import klein_filter, primary_circle, secondary_circles

BANKS = [
    filterbanks.primary_circle,
    filterbanks.secondary_circles,
    filterbanks.klein_bottle,
    lambda n: filterbanks.gaussian(n, random_state=0),
]


@pytest.mark.parametrize("bank", BANKS)
@pytest.mark.parametrize("n", [1, 7, 64])
def test_banks_are_normalized_3x3_filters(bank, n):
    filters = bank(n).reshape(n, 9)
    assert filters.shape == (n, 9)
    np.testing.assert_allclose(filters.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(filters, axis=1), 1)


def test_primary_circle_is_an_evenly_spaced_circle_of_edges():
    filters = primary_circle(12).reshape(12, 9)
    steps = np.linalg.norm(np.diff(np.vstack([filters, filters[:1]]), axis=0), axis=1)
    np.testing.assert_allclose(steps, steps[0])
    # a 2-D linear family: rank 2, antipodal angles give opposite edges
    assert np.linalg.matrix_rank(filters, tol=1e-10) == 2
    np.testing.assert_allclose(filters[6], -filters[0], atol=1e-12)
    # angle 0 is a vertical edge, dark on the left
    assert np.all(primary_circle(4)[0][:, 0] < 0) and np.all(primary_circle(4)[0][:, 2] > 0)


def test_secondary_circles_meet_the_primary_circle_twice_each():
    primary = primary_circle(4).reshape(4, 9)  # angles 0, 90, 180, 270 degrees
    secondary = secondary_circles(8).reshape(8, 9)
    vertical, horizontal = secondary[:4], secondary[4:]
    np.testing.assert_allclose(vertical[[0, 2]], primary[[0, 2]], atol=1e-12)
    np.testing.assert_allclose(horizontal[[0, 2]], primary[[1, 3]], atol=1e-12)
    # the vertical circle's filters are constant down each column
    np.testing.assert_allclose(np.ptp(vertical.reshape(4, 3, 3), axis=1), 0, atol=1e-12)


ANGLES = arrays(float, st.integers(1, 20), elements=st.floats(-10, 10))


@given(theta=ANGLES, phi=st.floats(-10, 10))
def test_klein_bottle_identification_and_periods(theta, phi):
    filters = klein_filter(theta, phi)
    flat = filters.reshape(len(theta), 9)
    np.testing.assert_allclose(flat.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(flat, axis=1), 1)
    np.testing.assert_allclose(klein_filter(theta + np.pi, np.pi - phi), filters, atol=1e-12)
    np.testing.assert_allclose(klein_filter(theta + 2 * np.pi, phi - 2 * np.pi), filters, atol=1e-12)


def test_klein_bottle_bank_has_no_repeats():
    filters = filterbanks.klein_bottle(64).reshape(64, 9)
    distances = np.linalg.norm(filters[:, None] - filters[None], axis=2) + np.eye(64)
    assert distances.min() > 0.05


@given(n=st.integers(1, 50), seed=st.integers(0, 2**32 - 2))
def test_gaussian_is_reproducible(n, seed):
    np.testing.assert_array_equal(filterbanks.gaussian(n, seed), filterbanks.gaussian(n, seed))
    assert n == 1 or not np.array_equal(filterbanks.gaussian(n, seed), filterbanks.gaussian(n, seed + 1))


@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        *[
            (bank, {"n": n}, ValueError, "'n' parameter")
            for bank in (primary_circle, secondary_circles, filterbanks.klein_bottle, filterbanks.gaussian)
            for n in (0, -1, True, 2.5, 2.0, "8", None)
        ],
        (filterbanks.gaussian, {"random_state": "x"}, ValueError, "'random_state' parameter"),
        (klein_filter, {"theta": np.nan, "phi": 0.0}, ValueError, "'theta' parameter"),
        (klein_filter, {"theta": 0.0, "phi": np.inf}, ValueError, "'phi' parameter"),
        (klein_filter, {"theta": True, "phi": 0.0}, ValueError, "'theta' parameter"),
        (klein_filter, {"theta": "0", "phi": 0.0}, ValueError, "'theta' parameter"),
        (klein_filter, {"theta": [0.0, np.nan], "phi": 0.0}, ValueError, "theta must hold finite angles"),
        (klein_filter, {"theta": 0.0, "phi": [-np.inf]}, ValueError, "phi must hold finite angles"),
        (
            klein_filter,
            {"theta": [0.0, 1.0, 2.0], "phi": [0.0, 1.0]},
            ValueError,
            "theta and phi must broadcast",
        ),
        (
            klein_filter,
            {"theta": [[0.0, 1.0]], "phi": 0.0},
            ValueError,
            "theta must be an angle or a non-empty 1-D",
        ),
        (klein_filter, {"theta": [], "phi": 0.0}, ValueError, "theta must be an angle or a non-empty 1-D"),
        (klein_filter, {"theta": [[0.0], [1.0, 2.0]], "phi": 0.0}, ValueError, "theta .* ragged"),
        (klein_filter, {"theta": 0.0, "phi": ["a"]}, TypeError, "phi must hold real angles"),
        (klein_filter, {"theta": [True], "phi": 0.0}, TypeError, "theta must hold real angles"),
        (klein_filter, {"theta": [1j], "phi": 0.0}, TypeError, "theta must hold real angles"),
    ],
)
def test_bad_input(function, kwargs, error, match):
    with pytest.raises(error, match=match):
        function(**kwargs)
