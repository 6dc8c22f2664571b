"""The compiled KD-tree's k-th neighbours against a brute-force search of every pair."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sktopo import _leaftree
from sktopo._leaftree import LeafTree


def _brute_kth(points, queries, k, bound=np.inf):
    """Row of the k-th nearest by (squared distance, row), -1 if fewer than k within ``bound``.

    Squared distances are summed coordinate by coordinate, in the same order as the tree, so
    that ties and the bound compare the very same numbers.
    """
    squared = np.zeros((len(queries), len(points)))
    for a in range(points.shape[1]):
        squared = squared + (points[None, :, a] - queries[:, None, a]) ** 2
    rows = np.broadcast_to(np.arange(len(points)), squared.shape)
    ranked = np.lexsort((rows, squared), axis=1)
    if k > len(points):
        return np.full(len(queries), -1)
    kth = ranked[:, k - 1]
    within = squared[np.arange(len(queries)), kth] <= float(bound) ** 2
    return np.where(within, kth, -1)


_clouds = arrays(
    np.float64,
    st.tuples(st.integers(1, 150), st.integers(1, 5)),
    elements=st.floats(-1e3, 1e3, allow_subnormal=False),
)
#: few distinct values: many repeated rows and tied distances
_grids = arrays(np.int8, st.tuples(st.integers(1, 150), st.integers(1, 4)), elements=st.integers(0, 2))


@settings(max_examples=80, deadline=None)
@given(_clouds | _grids.map(lambda Y: Y.astype(np.float64)), st.data())
def test_kth_rows_match_brute_force(points, data):
    leaf = data.draw(st.sampled_from([1, 2, 3, 8, 32]), label="leaf")
    k = data.draw(st.integers(1, len(points)), label="k")
    bound = data.draw(st.sampled_from([np.inf, 0.0, 1.0, 2.5, 100.0]), label="bound")
    tree = LeafTree(points, leaf=leaf)
    np.testing.assert_array_equal(tree.kth_rows(k, bound), _brute_kth(points, points, k, bound))


@settings(max_examples=40, deadline=None)
@given(_grids, _grids, st.integers(1, 6))
def test_kth_of_other_queries_matches_brute_force(points, queries, k):
    points, queries = points.astype(np.float64), queries.astype(np.float64)
    if points.shape[1] != queries.shape[1]:
        queries = np.resize(queries, (len(queries), points.shape[1]))
    tree = LeafTree(points, leaf=4)
    np.testing.assert_array_equal(tree.kth(queries, k, 1.0), _brute_kth(points, queries, k, 1.0))


def test_the_bound_is_inclusive_and_too_few_rows_give_minus_one():
    points = np.array([[0.0], [1.0], [3.0]])
    tree = LeafTree(points, leaf=1)
    np.testing.assert_array_equal(tree.kth_rows(2, bound=1.0), [1, 0, -1])
    np.testing.assert_array_equal(tree.kth_rows(4), [-1, -1, -1])  # more than the cloud holds


def test_the_order_is_a_permutation_leaf_after_leaf():
    points = np.random.default_rng(0).normal(size=(1000, 3))
    tree = LeafTree(points, leaf=32)
    np.testing.assert_array_equal(np.sort(tree.order), np.arange(1000))
    assert tree.depth == 5  # 32 leaves of 31 or 32 rows
    # the leaves are split at medians: a leaf's rows lie in its own bounding box
    leaves = tree.boxes[2**tree.depth - 1 :]
    bounds = np.arange(33) * 1000 // 32
    for leaf, (start, stop) in enumerate(itertools.pairwise(bounds)):
        rows = points[tree.order[start:stop]]
        assert np.all(rows >= leaves[leaf, 0]) and np.all(rows <= leaves[leaf, 1])


def test_threads_and_chunks_give_the_same_answer(monkeypatch):
    points = np.random.default_rng(1).normal(size=(3000, 4))
    expected = LeafTree(points).kth_rows(7, 0.5)
    monkeypatch.setattr(_leaftree, "_CHUNK", 100)
    np.testing.assert_array_equal(LeafTree(points).kth_rows(7, 0.5, n_jobs=2), expected)
    np.testing.assert_array_equal(expected, _brute_kth(points, points, 7, 0.5))


@pytest.mark.parametrize("shape", [(1, 1), (40, 1), (100, 3)])
def test_identical_rows(shape):
    # every split ties, every distance is 0: the smaller rows come first
    tree = LeafTree(np.ones(shape), leaf=4)
    np.testing.assert_array_equal(tree.kth_rows(1), np.zeros(shape[0], dtype=int))
    np.testing.assert_array_equal(tree.kth_rows(shape[0]), np.full(shape[0], shape[0] - 1))
