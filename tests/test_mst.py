"""The exact Euclidean minimum spanning tree against SciPy's single linkage (all pairs)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.cluster.hierarchy import fcluster, linkage

from sktopo import Mapper
from sktopo.datasets import make_circle_filters
from sktopo.mapper import _cluster, gap_single_linkage
from sktopo.mapper._mst import _lengths, components_below, euclidean_mst
from sktopo.preprocessing import normalize_filters


def _same_partition(a, b):
    pairs = {(x, y) for x, y in zip(a, b)}
    return len(pairs) == len(set(a)) == len(set(b))


#: SciPy warns when a square cloud looks like a distance matrix; these are clouds.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The symmetric non-negative hollow:scipy.cluster.hierarchy.ClusterWarning"
)


def _check_against_linkage(Y):
    u, v, lengths = euclidean_mst(Y)
    assert len(lengths) == len(Y) - 1
    assert np.all(u < v)
    assert components_below(len(Y), u, v, lengths, np.inf).max() == 0  # one tree: spanning
    merges = linkage(Y, method="single")
    np.testing.assert_allclose(np.sort(lengths), np.sort(merges[:, 2]), rtol=1e-12, atol=0)
    for height in np.unique(np.round(lengths, 6))[::3]:
        ours = components_below(len(Y), u, v, lengths, height)
        theirs = fcluster(merges, np.nextafter(height, -np.inf), criterion="distance")
        assert _same_partition(ours, theirs)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 120), st.integers(1, 6)), elements=st.floats(-5, 5)))
def test_random_clouds_match_linkage(Y):
    _check_against_linkage(Y)


@settings(max_examples=40, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(2, 150), st.integers(1, 4)), elements=st.integers(0, 2)))
def test_grids_with_ties_and_duplicates_match_linkage(Y):
    # every length ties with many others, and most rows are repeated: the strict edge order
    # must still give a tree (no cycle, no missing edge)
    _check_against_linkage(Y.astype(np.float64))


@pytest.mark.parametrize("seed", range(3))
def test_tight_far_clusters_need_the_outside_search(seed):
    # blobs of more points than a neighbour list holds, far apart: their members' lists never
    # leave the blob, so the edges between blobs come from the search beyond the lists
    rng = np.random.default_rng(seed)
    blobs = [rng.normal(size=(60, 5)) * 0.01 + centre for centre in rng.normal(size=(4, 5)) * 10]
    _check_against_linkage(np.vstack([*blobs, rng.normal(size=(3, 5)) * 30]))


def test_filter_cloud_matches_linkage():
    _check_against_linkage(normalize_filters(make_circle_filters(2500, noise=0.1, random_state=0)))


def test_single_points():
    for Y in (np.zeros((0, 3)), np.zeros((1, 3))):
        assert all(len(part) == 0 for part in euclidean_mst(Y))


@pytest.mark.parametrize("seed", range(3))
def test_gap_single_linkage_same_labels_through_the_tree(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(80, 9)) * 0.1, rng.normal(size=(50, 9)) * 0.1 + 3, [[9.0] * 9]])
    dense = gap_single_linkage(X)
    monkeypatch.setattr(_cluster, "DENSE_MAX", 1)
    tree = gap_single_linkage(X)
    np.testing.assert_array_equal(tree[0], dense[0])
    assert tree[1] == pytest.approx(dense[1], rel=1e-12)


def test_mapper_same_graph_through_the_tree(monkeypatch):
    X = normalize_filters(make_circle_filters(3000, noise=0.1, random_state=1))
    dense = Mapper(resolution=8, gain=3).fit(X)
    monkeypatch.setattr(_cluster, "DENSE_MAX", 1)
    tree = Mapper(resolution=8, gain=3).fit(X)
    assert sorted(dense.graph_.edges) == sorted(tree.graph_.edges)
    for node, members in dense.graph_.nodes(data="members"):
        np.testing.assert_array_equal(tree.graph_.nodes[node]["members"], members)


def _prim_lengths(Y):
    """Sorted MST lengths by Prim's algorithm on all pairs, with the library's own length formula."""
    distances = _lengths(Y, np.arange(len(Y))[:, None], np.arange(len(Y))[None, :])
    joined, best, out = np.zeros(len(Y), bool), distances[0].copy(), []
    joined[0] = True
    for _ in range(len(Y) - 1):
        candidates = np.where(joined, np.inf, best)
        nearest = np.argmin(candidates)
        out.append(candidates[nearest])
        joined[nearest] = True
        best = np.minimum(best, distances[nearest])
    return np.sort(out)


@pytest.mark.parametrize("seed", range(3))
def test_close_blobs_far_from_the_rest(seed):
    # found by review: the rotation rounds by ulps of the rows' magnitude (1e7 here), an absolute
    # error far above the 0.1 between the blobs; the bounds must cover it
    rng = np.random.default_rng(seed)
    rotation = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    blobs = [rng.normal(size=(100, 3)) * 1e-3 + offset for offset in ([0, 0, 0], [0.1, 0, 0])]
    rest = rng.normal(size=(900, 3)) * [10, 1e4, 1e2] + [1e7, 0, 0]
    Y = np.vstack([*blobs, rest]) @ rotation.T
    _check_against_linkage(Y)


@pytest.mark.parametrize("seed", range(3))
def test_rows_a_few_ulps_apart(seed):
    # found by review: near-copies closer than the rotation's rounding once gave cycles
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(50, 9))
    Y = np.repeat(base / np.linalg.norm(base, axis=1, keepdims=True), 20, axis=0)
    Y = Y * (1 + rng.integers(-3, 4, size=(len(Y), 1)) * 1e-16) + rng.integers(-2, 3, size=Y.shape) * 1e-16
    u, v, lengths = euclidean_mst(Y)
    assert components_below(len(Y), u, v, lengths, np.inf).max() == 0 and len(lengths) == len(Y) - 1
    np.testing.assert_array_equal(np.sort(lengths), _prim_lengths(Y))


def test_hypercube_of_ties():
    # every edge ties with many: the searches beyond the lists settle them exactly
    Y = ((np.arange(512)[:, None] >> np.arange(9)) & 1).astype(np.float64)
    _check_against_linkage(Y)
