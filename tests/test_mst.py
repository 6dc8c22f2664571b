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
from sktopo.mapper._mst import components_below, euclidean_mst
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
