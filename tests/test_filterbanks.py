import numpy as np
import pytest

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


def test_klein_bottle_identification():
    theta, phi = np.linspace(0, 3, 7), np.linspace(-2, 5, 7)
    np.testing.assert_allclose(klein_filter(theta + np.pi, np.pi - phi), klein_filter(theta, phi), atol=1e-12)


def test_klein_bottle_bank_has_no_repeats():
    filters = filterbanks.klein_bottle(64).reshape(64, 9)
    distances = np.linalg.norm(filters[:, None] - filters[None], axis=2) + np.eye(64)
    assert distances.min() > 0.05


def test_gaussian_is_reproducible():
    np.testing.assert_array_equal(filterbanks.gaussian(5, 3), filterbanks.gaussian(5, 3))


@pytest.mark.parametrize("n", [0, -1, 2.0, True, "8"])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n must be an int >= 1"):
        primary_circle(n)
