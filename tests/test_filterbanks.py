import numpy as np
import pytest
from hypothesis import assume, given
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


# edge_energy: the share of a filter's energy in the plane of the linear edges

FILTERS = arrays(float, st.tuples(st.integers(1, 10), st.just(9)), elements=st.floats(-100, 100))


def test_edge_energy_is_one_on_the_primary_circle_and_zero_on_lines():
    np.testing.assert_allclose(filterbanks.edge_energy(primary_circle(37)), 1.0)
    lines = klein_filter(np.linspace(0, np.pi, 9), np.pi / 2)  # pure lines at every angle
    assert filterbanks.edge_energy(lines).max() < 0.5
    np.testing.assert_allclose(filterbanks.edge_energy(secondary_circles(8)), [1, 0, 1, 0] * 2, atol=1e-12)


def test_edge_energy_of_random_zero_mean_filters_averages_two_eighths():
    # a uniformly random unit vector of the 8-dimensional zero-mean space puts 2/8 of its energy,
    # on average, in any plane; the standard error over 20,000 filters is about 0.0014
    energy = filterbanks.edge_energy(filterbanks.gaussian(20000, random_state=0))
    assert abs(energy.mean() - 2 / 8) < 0.006


@given(filters=FILTERS, scale=st.floats(0.01, 100), offset=st.floats(-100, 100))
def test_edge_energy_is_a_share_that_ignores_brightness_and_contrast(filters, scale, offset):
    assume(np.all(np.ptp(filters, axis=1) > 0.1))  # an offset would drown fainter filters in rounding
    before = filters.copy()
    energy = filterbanks.edge_energy(filters)
    np.testing.assert_array_equal(filters, before)  # the input is left as it was
    assert energy.shape == (len(filters),)
    assert np.all((energy >= 0) & (energy <= 1))
    np.testing.assert_allclose(filterbanks.edge_energy(scale * filters + offset), energy, atol=1e-6)


@given(filters=FILTERS)
def test_edge_energy_is_invariant_under_the_symmetries_of_the_square(filters):
    # quarter turns and flips map the plane of the two edges onto itself
    squares = filters.reshape(-1, 3, 3)
    energy = filterbanks.edge_energy(squares)
    for moved in (np.rot90(squares, axes=(1, 2)), squares[:, ::-1], squares.transpose(0, 2, 1)):
        np.testing.assert_allclose(filterbanks.edge_energy(moved), energy, atol=1e-9)
    np.testing.assert_allclose(filterbanks.edge_energy(filters), energy, atol=1e-12)


def test_edge_energy_of_a_constant_filter_is_zero():
    assert filterbanks.edge_energy(np.full((1, 3, 3), 4.0)).tolist() == [0.0]


@pytest.mark.parametrize("shape", [(4, 15), (4, 1, 5), (4, 1, 3, 3), (9,)])
def test_edge_energy_refuses_what_is_not_a_kernel(shape):
    # any h x w kernel with 2 pixels on each side is read (tests/test_filterbanks_sizes.py)
    with pytest.raises(ValueError, match="filters"):
        filterbanks.edge_energy(np.zeros(shape))


def test_edge_energy_of_no_filters_is_empty():
    assert filterbanks.edge_energy(np.zeros((0, 3, 3))).shape == (0,)


def test_edge_energy_refuses_nan():
    with pytest.raises(ValueError, match="NaN"):
        filterbanks.edge_energy(np.full((2, 9), np.nan))
