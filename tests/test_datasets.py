import numpy as np
import pytest

from sktopo.datasets import make_circle_filters, make_klein_filters, make_three_circle_filters
from sktopo.filterbanks import klein_filter
from sktopo.preprocessing import normalize_filters

MAKERS = [make_circle_filters, make_three_circle_filters, make_klein_filters]


@pytest.mark.parametrize("make", MAKERS)
def test_shape_and_reproducibility(make):
    X = make(50, noise=0.1, random_state=0)
    assert X.shape == (50, 9)
    np.testing.assert_array_equal(X, make(50, noise=0.1, random_state=0))
    assert not np.array_equal(X, make(50, noise=0.1, random_state=1))


@pytest.mark.parametrize("make", MAKERS)
def test_noise_is_per_pixel_standard_deviation(make):
    clean = make(4000, noise=0.0, random_state=0)
    noisy = make(4000, noise=0.05, random_state=0)
    np.testing.assert_allclose(np.linalg.norm(clean, axis=1), 1)
    assert abs((noisy - clean).std() - 0.05) < 0.002


def test_circle_filters_lie_on_the_primary_circle():
    X = make_circle_filters(200, noise=0.0, random_state=0)
    assert np.linalg.matrix_rank(X, tol=1e-10) == 2


def test_three_circles_proportions():
    X = normalize_filters(make_three_circle_filters(4000, noise=0.0, random_state=0))
    linear = np.linalg.matrix_rank(X, tol=1e-10)
    assert linear == 4  # x, y, x^2, y^2 (mean-centred)
    edges = klein_filter(np.linspace(0, 2 * np.pi, 721), 0.0).reshape(-1, 9)
    on_primary = np.min(np.linalg.norm(X[:, None] - edges[None], axis=2), axis=1) < 0.01
    assert 0.45 < on_primary.mean() < 0.6  # half, plus the secondary points near edges


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize(
    "kwargs, match",
    [({"n": 0}, "n must be"), ({"noise": -1.0}, "noise must be"), ({"noise": np.inf}, "noise must be")],
)
def test_bad_arguments(make, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make(**{"n": 10, "noise": 0.1, **kwargs})
