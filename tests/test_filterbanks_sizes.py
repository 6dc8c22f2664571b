"""The idealized filter banks and edge_energy at every kernel size (issue 22, step 2)."""

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktopo.datasets import make_circle_filters
from sktopo.filterbanks import (
    edge_energy,
    gaussian,
    gradients,
    klein_bottle,
    klein_filter,
    primary_circle,
    secondary_circles,
)
from sktopo.homology import betti_from_diagrams, finite_lifetimes, persistence_diagrams
from sktopo.profile import PRIMARY_EDGE_ENERGY, shows_primary_circle, topology_profile

#: Kernels from the least (2 x 2) to an 11 x 11 stem, and one that is not square.
SIZES = [2, 3, 5, 7, 11, (3, 5)]
#: Those with 3 pixels on each side: the secondary circles and the Klein bottle need them.
SIDES_OF_3 = [3, 5, 7, 11, (3, 5)]


def _hw(size):
    return (size, size) if isinstance(size, int) else size


def _betti(X, coeff):
    """Betti numbers 0 and 1 over Z/coeff: bars longer than twice the sample's own scale.

    The scale is the longest finite H0 bar, the longest edge needed to join the sample: on a
    noise-free sample, a bar shorter than twice it can be a gap between sample points.
    """
    diagrams = persistence_diagrams(X.reshape(len(X), -1), coeff=coeff, n_landmarks=None).diagrams
    return betti_from_diagrams(diagrams, band=finite_lifetimes(diagrams[0])[0])


# ---------------------------------------------------------------- the banks


def _gaussian(n, size):
    return gaussian(n, random_state=0, size=size)


@pytest.mark.parametrize(
    "bank, size",
    [(bank, size) for bank in (primary_circle, _gaussian) for size in SIZES]
    + [(bank, size) for bank in (secondary_circles, klein_bottle) for size in SIDES_OF_3],
)
def test_banks_are_normalized_filters_of_the_kernels_shape(bank, size):
    h, w = _hw(size)
    filters = bank(7, size=size)
    assert filters.shape == (7, h, w)
    flat = filters.reshape(7, h * w)
    np.testing.assert_allclose(flat.sum(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(flat, axis=1), 1)


@pytest.mark.parametrize("size", [3, (3, 3), [3, 3], np.int64(3)])
def test_size_3_is_the_default_bit_for_bit(size):
    theta, phi = np.linspace(-7, 7, 31), np.linspace(-3, 9, 31)
    assert np.array_equal(klein_filter(theta, phi, size=size), klein_filter(theta, phi))
    for bank in (primary_circle, secondary_circles, klein_bottle):
        assert np.array_equal(bank(64, size=size), bank(64))
    assert np.array_equal(gradients(64, size=size), gradients(64))
    assert np.array_equal(gaussian(64, 0, size=size), gaussian(64, 0))
    filters = gaussian(50, 1)
    assert np.array_equal(edge_energy(filters, size=size), edge_energy(filters))
    assert np.array_equal(
        make_circle_filters(50, random_state=0, size=size), make_circle_filters(50, random_state=0)
    )


@pytest.mark.parametrize("size", [(2, 2), (3, 5), (5, 3), (7, 7), (4, 6)])
def test_offsets_are_centred_and_scaled_to_the_unit_square_on_each_axis(size):
    h, w = size
    x = (np.arange(w) - (w - 1) / 2) / ((w - 1) / 2)
    y = (np.arange(h) - (h - 1) / 2) / ((h - 1) / 2)
    ramp = np.tile(x, (h, 1))
    np.testing.assert_allclose(klein_filter(0.0, 0.0, size=size)[0], ramp / np.linalg.norm(ramp), atol=1e-15)
    if h > 2:  # a line across the rows: y², mean-centred
        line = np.tile(y[:, None] ** 2, (1, w))
        line -= line.mean()
        np.testing.assert_allclose(
            klein_filter(np.pi / 2, np.pi / 2, size=size)[0], line / np.linalg.norm(line), atol=1e-15
        )


@given(theta=arrays(float, st.integers(1, 8), elements=st.floats(-10, 10)), phi=st.floats(-10, 10))
def test_the_klein_bottle_identification_holds_at_every_size(theta, phi):
    # (θ, φ) and (θ + π, π − φ) are the same patch because the grid is centred
    for size in ((5, 5), (3, 5), (7, 4)):
        filters = klein_filter(theta, phi, size=size)
        np.testing.assert_allclose(klein_filter(theta + np.pi, np.pi - phi, size=size), filters, atol=1e-12)


@pytest.mark.parametrize("size", SIZES)
def test_primary_circle_is_an_evenly_spaced_circle_of_edges(size):
    n = 64
    filters = primary_circle(n, size=size)
    flat = filters.reshape(n, -1)
    np.testing.assert_allclose(edge_energy(filters), 1.0)
    steps = np.linalg.norm(np.diff(np.vstack([flat, flat[:1]]), axis=0), axis=1)
    np.testing.assert_allclose(steps, steps[0])  # evenly spaced on the circle, square or not
    assert np.linalg.matrix_rank(flat, tol=1e-10) == 2
    np.testing.assert_allclose(flat[n // 2], -flat[0], atol=1e-12)
    assert np.all(filters[0][:, 0] < 0) and np.all(filters[0][:, -1] > 0)  # vertical edge, dark on the left
    # a circle: one component and one H1 bar, its only one, from the step between neighbours to
    # about sqrt(3), the side of the widest triangle
    assert _betti(flat, 2) == [1, 1]
    lifetimes = finite_lifetimes(persistence_diagrams(flat, n_landmarks=None).diagrams[1])
    assert len(lifetimes) == 1 and lifetimes[0] > 1.6


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("n", [3, 7, 64])
def test_gradients_have_the_gram_matrix_of_the_primary_circle(size, n):
    h, w = _hw(size)
    G, B = gradients(n, size=size).reshape(2, h * w), primary_circle(n, size=size).reshape(n, h * w)
    np.testing.assert_allclose(G.T @ G, B.T @ B, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(G, axis=1), np.sqrt(n / 2))
    np.testing.assert_allclose(G @ G.T, n / 2 * np.eye(2), atol=1e-12)  # orthogonal, even where h != w


@pytest.mark.parametrize("size", SIDES_OF_3)
def test_secondary_circles_alternate_edges_and_lines(size):
    energy = edge_energy(secondary_circles(8, size=size))
    np.testing.assert_allclose(energy, [1, 0, 1, 0] * 2, atol=1e-12)
    primary = primary_circle(4, size=size)
    secondary = secondary_circles(8, size=size)
    np.testing.assert_allclose(secondary[[0, 2]], primary[[0, 2]], atol=1e-12)  # meets it twice
    np.testing.assert_allclose(secondary[[4, 6]], primary[[1, 3]], atol=1e-12)


@pytest.mark.parametrize("size", SIDES_OF_3)
def test_lines_and_centre_surround_have_no_edge_energy(size):
    # patterns symmetric under a half-turn are orthogonal to both ramps, which are antisymmetric
    lines = klein_filter(np.linspace(0, np.pi, 13), np.pi / 2, size=size)
    np.testing.assert_allclose(edge_energy(lines), 0, atol=1e-12)
    h, w = _hw(size)
    x, y = np.meshgrid(np.linspace(-1, 1, w), np.linspace(-1, 1, h))
    assert edge_energy((x**2 + y**2)[None])[0] < 1e-12


@pytest.mark.parametrize("size", SIDES_OF_3)
def test_klein_bottle_has_the_betti_numbers_of_a_klein_bottle(size):
    # H1 of rank 2 over Z/2 and 1 over Z/3, as at 3 x 3 (measured: the two Z/2 bars and the
    # Z/3 bar are 2.4 to 2.9 times the sample's scale, the next bar at most 1.1 times)
    X = klein_bottle(600, size=size)
    assert (_betti(X, 2), _betti(X, 3)) == ([1, 2], [1, 1])


# ---------------------------------------------------------------- edge_energy


@pytest.mark.parametrize("size", SIZES)
def test_random_zero_mean_filters_average_two_over_hw_minus_one(size):
    # a uniformly random unit vector of the (hw - 1)-dimensional zero-mean space puts a
    # Beta(1, (hw - 3) / 2) share of its energy in any plane: mean 2 / d, variance
    # 4 (d - 2) / (d² (d + 2)) with d = hw - 1; 5 standard errors of the mean of 20,000
    h, w = _hw(size)
    d = h * w - 1
    energy = edge_energy(gaussian(20000, random_state=0, size=size))
    standard_error = np.sqrt(4 * (d - 2) / (d**2 * (d + 2)) / 20000)
    assert abs(energy.mean() - 2 / d) < 5 * standard_error


KERNELS = st.tuples(st.integers(2, 7), st.integers(2, 7)).flatmap(
    lambda hw: arrays(
        float, st.tuples(st.integers(1, 6), st.just(hw[0]), st.just(hw[1])), elements=st.floats(-100, 100)
    )
)


@given(filters=KERNELS, scale=st.floats(0.01, 100), offset=st.floats(-100, 100))
def test_edge_energy_is_a_share_that_ignores_brightness_and_contrast(filters, scale, offset):
    n, h, w = filters.shape
    assume(np.all(np.ptp(filters.reshape(n, -1), axis=1) > 0.1))  # an offset would drown fainter filters
    energy = edge_energy(filters)
    assert energy.shape == (n,)
    assert np.all((energy >= 0) & (energy <= 1))
    np.testing.assert_allclose(edge_energy(scale * filters + offset), energy, atol=1e-6)
    np.testing.assert_array_equal(edge_energy(filters.reshape(n, h * w), size=(h, w)), energy)


@given(filters=KERNELS)
def test_edge_energy_is_invariant_under_the_symmetries_of_the_kernel(filters):
    # flips map each ramp to minus itself; a transpose swaps them (and the kernel's h and w);
    # on a square kernel a quarter turn maps the plane of the two edges onto itself
    energy = edge_energy(filters)
    for moved in (filters[:, ::-1], filters[:, :, ::-1], filters.transpose(0, 2, 1)):
        np.testing.assert_allclose(edge_energy(moved), energy, atol=1e-9)
    if filters.shape[1] == filters.shape[2]:
        np.testing.assert_allclose(edge_energy(np.rot90(filters, axes=(1, 2))), energy, atol=1e-9)


@pytest.mark.parametrize("size", SIZES)
def test_edge_energy_reads_square_rows_and_needs_the_size_of_others(size):
    h, w = _hw(size)
    filters = gaussian(5, random_state=0, size=size)
    energy = edge_energy(filters)
    assert np.array_equal(edge_energy(filters.reshape(5, h * w), size=size), energy)
    if h == w:
        assert np.array_equal(edge_energy(filters.reshape(5, h * w)), energy)
    else:
        with pytest.raises(ValueError, match=r"rows of 15 pixels, not the square .* pass size=\(h, w\)"):
            edge_energy(filters.reshape(5, h * w))


@pytest.mark.parametrize(
    "filters, size, match",
    [
        (np.zeros((4, 15)), None, "filters have rows of 15 pixels"),
        (np.zeros((4, 15)), (4, 4), "size must give rows of the filters' length, 15 pixels"),
        (np.zeros((4, 3, 5)), (5, 3), r"size must be the filters' own \(h, w\) = \(3, 5\)"),
        (np.zeros((4, 1, 5)), None, "filters must have at least 2 pixels on each side"),
        (np.zeros((4, 1)), None, "filters have rows of 1 pixels"),
        (np.zeros((4, 1, 3, 3)), None, r"filters must be of shape \(n_filters, h \* w\)"),
        (np.zeros(9), None, r"filters must be of shape \(n_filters, h \* w\)"),
        (np.zeros((4, 9)), 1, "size must be an int of at least 2"),
        (np.zeros((4, 9)), True, "size must be an int of at least 2"),
        (np.zeros((4, 9)), "3", "size must be an int of at least 2"),
    ],
)
def test_edge_energy_refuses_what_it_cannot_read(filters, size, match):
    with pytest.raises(ValueError, match=match):
        edge_energy(filters, size=size)


# ---------------------------------------------------------------- sizes refused


@pytest.mark.parametrize(
    "size", [0, 1, -3, True, False, 2.0, "3", None, (3,), (3, 3, 3), (1, 5), (3, True), (3, 2.5)]
)
@pytest.mark.parametrize(
    "function",
    [
        lambda size: klein_filter(0.0, 0.0, size=size),
        lambda size: primary_circle(4, size=size),
        lambda size: secondary_circles(4, size=size),
        lambda size: klein_bottle(4, size=size),
        lambda size: gradients(4, size=size),
        lambda size: gaussian(4, size=size),
        lambda size: make_circle_filters(4, size=size),
    ],
)
def test_bad_sizes_are_refused_with_what_is_accepted(function, size):
    with pytest.raises(
        ValueError, match=r"size must be an int of at least [23] \(a square kernel\) or a pair"
    ):
        function(size)


@pytest.mark.parametrize("bank", [secondary_circles, klein_bottle])
@pytest.mark.parametrize("size", [2, (2, 5), (5, 2)])
def test_lines_need_three_pixels_on_each_side(bank, size):
    with pytest.raises(
        ValueError, match=r"size must be an int of at least 3 .*across 2 pixels a line is constant"
    ):
        bank(8, size=size)


@pytest.mark.parametrize("size, theta", [(2, 0.0), (2, np.pi / 2), ((2, 5), np.pi / 2), ((5, 2), 0.0)])
def test_a_line_across_two_pixels_is_refused(size, theta):
    # x² (or y²) is constant across a side of 2 pixels: the patch has no direction to normalize
    with pytest.raises(ValueError, match=r"theta and phi must give a patch that is not constant"):
        klein_filter(theta, [0.0, np.pi / 2], size=size)
    assert klein_filter(theta, 0.0, size=size).shape[1:] == _hw(size)  # its edge is fine


def test_a_2x2_kernel_has_edges_as_2_of_its_3_dimensions():
    # zero-mean 2 x 2 filters span x, y and xy: the checkerboard xy is the one pattern with no edge
    checkerboard = np.array([[[1.0, -1.0], [-1.0, 1.0]]])
    assert edge_energy(checkerboard).tolist() == [0.0]
    np.testing.assert_allclose(edge_energy(klein_filter(np.pi / 4, np.pi / 2, size=2)), 0, atol=1e-12)
    np.testing.assert_allclose(edge_energy(primary_circle(9, size=2)), 1)


@pytest.mark.parametrize("size", [5, 7, (3, 5)])
def test_make_circle_filters_at_any_size(size):
    h, w = _hw(size)
    X = make_circle_filters(200, noise=0.0, random_state=0, size=size)
    assert X.shape == (200, h * w)
    np.testing.assert_allclose(edge_energy(X, size=size), 1)


# ---------------------------------------------------------------- the profile's verdict at any size

#: Small settings: a layer in seconds.
SMALL = dict(n_subsamples=3, n_null=19, n_landmarks=60, random_state=0, progress=False)


def _loaded(conv, weights):
    with torch.no_grad():
        conv.weight.copy_(torch.as_tensor(weights, dtype=torch.float32).reshape(conv.weight.shape))
    return conv


def _stems(size, n_networks=8):
    """Networks whose first layer, Conv2d(3, 64, size), holds noisy edges, and whose second,
    Conv2d(64, 3, size), random Gaussian kernels: as many spatial filters (192 each).

    The edges' noise is 0.3 / size per pixel, 0.3 in norm at every size (0.1 per pixel at 3 x 3,
    make_circle_filters' default). The networks are pooled, as the paper pools its networks: a
    single stem's 192 filters leave a dense core of 58 rows, on which Mapper's loop is not seen
    at a majority of resolutions at any kernel size (measured: "borderline", 3 x 3 included).
    Eight stems were "found" at 3 x 3, 5 x 5 and 7 x 7 on 29 of 30 seeds (0 to 9), the miss a
    3 x 3 "borderline" from Mapper.
    """
    rng = np.random.default_rng(size)
    networks = []
    for i in range(n_networks):
        edges = make_circle_filters(192, noise=0.3 / size, random_state=100 * size + i, size=size)
        first = _loaded(torch.nn.Conv2d(3, 64, size), edges)
        second = _loaded(torch.nn.Conv2d(64, 3, size), rng.standard_normal((192, size * size)))
        networks.append(torch.nn.Sequential(first, torch.nn.ReLU(), second))
    return networks


def _depthwise(size, n_networks=8, channels=192):
    """Depthwise Conv2d(192, 192, size, groups=192) layers of noisy edges, pooled over networks."""
    return [
        _loaded(
            torch.nn.Conv2d(channels, channels, size, groups=channels),
            make_circle_filters(channels, noise=0.3 / size, random_state=200 * size + i, size=size),
        )
        for i in range(n_networks)
    ]


@pytest.mark.parametrize("size", [3, 7])
def test_a_stem_of_edges_shows_the_primary_circle_at_any_size(size):
    profile = topology_profile(_stems(size), **SMALL)
    edges, random = profile.table.iloc[0], profile.table.iloc[1]
    assert edges["n_filters"] == random["n_filters"] == 8 * 192
    assert edges["verdict"] == "found" and edges["shape"] == "circle"
    assert edges["edge_energy"] > 0.9
    # random Gaussian kernels do not qualify: no circle, and little energy in the plane of the edges
    assert random["verdict"] != "found"
    assert random["edge_energy"] < 2 * 2 / (size * size - 1)
    assert shows_primary_circle(profile).tolist() == [True, False]


def test_a_depthwise_5x5_layer_of_edges_shows_the_primary_circle():
    profile = topology_profile(_depthwise(5), **SMALL)
    row = profile.table.iloc[0]
    assert row["n_filters"] == 8 * 192
    assert row["verdict"] == "found" and row["shape"] == "circle"
    assert row["edge_energy"] > 0.9
    assert shows_primary_circle(profile).tolist() == [True]


def test_2x2_kernels_have_no_edge_energy_in_the_profile():
    # random 2 x 2 filters hold 2 / 3 of their energy in the plane of the edges, above the
    # threshold, and every great circle of their 2-sphere at least half: the number tells nothing
    assert PRIMARY_EDGE_ENERGY <= 2 / 3
    layer = _loaded(torch.nn.Conv2d(1, 300, 2), make_circle_filters(300, noise=0.05, random_state=0, size=2))
    profile = topology_profile(layer, **SMALL)
    assert np.isnan(profile.table["edge_energy"].iloc[0])
    assert not shows_primary_circle(profile).iloc[0]
