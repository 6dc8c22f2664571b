import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ripser import ripser

from sktopo.datasets import make_circle_filters, make_klein_filters, make_three_circle_filters
from sktopo.filterbanks import primary_circle
from sktopo.preprocessing import normalize_filters

MAKERS = [make_circle_filters, make_three_circle_filters, make_klein_filters]


@pytest.mark.parametrize("make", MAKERS)
def test_shape_and_reproducibility(make):
    X = make(50, noise=0.1, random_state=0)
    assert X.shape == (50, 9)
    np.testing.assert_array_equal(X, make(50, noise=0.1, random_state=0))
    assert not np.array_equal(X, make(50, noise=0.1, random_state=1))


@given(
    make=st.sampled_from(MAKERS),
    n=st.integers(1, 100),
    noise=st.floats(0, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_noise_is_added_to_unit_filters_in_proportion(make, n, noise, seed):
    clean = make(n, noise=0.0, random_state=seed)
    np.testing.assert_allclose(clean.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(clean, axis=1), 1)
    unit_noise = make(n, noise=1.0, random_state=seed) - clean
    np.testing.assert_allclose(make(n, noise=noise, random_state=seed) - clean, noise * unit_noise, atol=1e-9)


@pytest.mark.parametrize("make", MAKERS)
def test_noise_is_standard_normal_per_pixel(make):
    pixels = (make(4000, noise=1.0, random_state=0) - make(4000, noise=0.0, random_state=0)).ravel()
    # 36,000 draws: one standard error is 0.0053 for the mean and 0.0037 for the deviation
    assert abs(pixels.mean()) < 0.02 and abs(pixels.std() - 1) < 0.02


def test_circle_filters_lie_on_the_primary_circle():
    X = make_circle_filters(200, noise=0.0, random_state=0)
    assert np.linalg.matrix_rank(X, tol=1e-10) == 2


def _which_circle(X):
    """0, 1 or 2 when a clean filter lies on the primary, vertical or horizontal circle only."""
    edges = primary_circle(4).reshape(4, 9)[:2]  # a basis of the linear (primary) filters
    coefficients = np.linalg.lstsq(edges.T, X.T, rcond=None)[0]
    patches = X.reshape(-1, 3, 3)
    on = np.stack(
        [
            np.linalg.norm(X - coefficients.T @ edges, axis=1) < 1e-9,
            np.ptp(patches, axis=1).max(axis=1) < 1e-9,  # constant down each column
            np.ptp(patches, axis=2).max(axis=1) < 1e-9,  # constant along each row
        ]
    )
    assert np.all(on.sum(axis=0) == 1)  # random angles never hit the four meeting points
    return on.argmax(axis=0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_three_circles_proportions(seed):
    n = 4000
    X = normalize_filters(make_three_circle_filters(n, noise=0.0, random_state=seed))
    assert np.linalg.matrix_rank(X, tol=1e-10) == 4  # x, y, x^2, y^2 (mean-centred)
    fractions = np.bincount(_which_circle(X), minlength=3) / n
    p = np.array([0.5, 0.25, 0.25])
    np.testing.assert_array_less(np.abs(fractions - p), 5 * np.sqrt(p * (1 - p) / n))


@pytest.mark.parametrize("n, seed", [(250, 0), (300, 1), (350, 2)])
def test_three_circles_have_five_independent_loops(n, seed):
    loops = ripser(make_three_circle_filters(n, noise=0.0, random_state=seed), maxdim=1)["dgms"][1]
    lifetimes = np.sort(loops[:, 1] - loops[:, 0])[::-1]
    assert lifetimes[4] > 0.3 and (len(lifetimes) == 5 or lifetimes[5] < 0.05)


@pytest.mark.parametrize(
    "make, kwargs, error, match",
    [
        (make, kwargs, ValueError, f"'{name}' parameter")
        for make in MAKERS
        for name, values in {
            "n": [0, -3, True, 2.5, 10.0, "10", None],
            "noise": [-1, -1e-9, np.nan, np.inf, True, "0.1", None],
            "random_state": ["x", 1.5],
        }.items()
        for kwargs in ({name: value} for value in values)
    ],
)
def test_bad_input(make, kwargs, error, match):
    with pytest.raises(error, match=match):
        make(**kwargs)
