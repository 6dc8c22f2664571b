"""The compiled KD-tree's k-th neighbours against a brute-force search of every pair."""

import os
import subprocess
import sys
from pathlib import Path

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


def test_the_order_is_a_permutation():
    tree = LeafTree(np.random.default_rng(0).normal(size=(1000, 3)), leaf=32)
    np.testing.assert_array_equal(np.sort(tree.order), np.arange(1000))
    assert tree.depth == 5  # 32 leaves of 31 or 32 rows


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


@pytest.mark.parametrize("scale", [1e-150, 1.0, 1e120, 1e150])
def test_tiny_and_huge_coordinates(scale):
    # beyond 1e100 the rows that pad a leaf are nearer than real ones: they must never count
    points = np.random.default_rng(2).integers(0, 3, size=(40, 2)) * scale
    tree = LeafTree(points, leaf=3)
    for k in (1, 2, 5):
        np.testing.assert_array_equal(tree.kth_rows(k), _brute_kth(points, points, k))
    np.testing.assert_array_equal(
        LeafTree(np.array([[0.0], [1e120], [2e120]]), leaf=2).kth_rows(2), [1, 0, 1]
    )


@pytest.mark.parametrize(
    "points",
    [
        np.random.default_rng(3).normal(size=(1000, 3)),
        np.r_[np.arange(500), np.arange(500)[::-1]].astype(float)[:, None],  # organ pipe
        np.repeat(np.arange(4.0), 250)[:, None],  # four values, 250 rows each
    ],
    ids=["normal", "organ-pipe", "repeated"],
)
def test_nodes_split_at_the_median(points):
    tree = LeafTree(points, leaf=8)
    n = len(points)
    for level in range(tree.depth):
        for j in range(2**level):
            left = points[tree.order[2 * j * n // 2 ** (level + 1) : (2 * j + 1) * n // 2 ** (level + 1)]]
            right = points[tree.order[(2 * j + 1) * n // 2 ** (level + 1) : (j + 1) * n // 2**level]]
            # on some coordinate every row of the left child comes before every row of the right
            assert np.any(left.max(axis=0) <= right.min(axis=0))
    sizes = np.diff(np.arange(2**tree.depth + 1) * n // 2**tree.depth)
    assert sizes.max() <= 8 and sizes.max() - sizes.min() <= 1
    np.testing.assert_array_equal(tree.kth_rows(3), _brute_kth(points, points, 3))


def test_many_identical_rows():
    # the search stops at nodes whose rows all come after the k-th: a cloud of many identical
    # rows is not searched whole for each of them
    points = np.r_[np.zeros((600, 2)), np.random.default_rng(4).normal(size=(30, 2))]
    tree = LeafTree(points, leaf=4)
    for k, bound in [(16, np.inf), (16, 0.0), (620, 1.0)]:
        np.testing.assert_array_equal(tree.kth_rows(k, bound), _brute_kth(points, points, k, bound))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"queries": np.zeros((2, 3)), "k": 1}, "queries must have shape \\(n, 2\\)"),
        ({"queries": np.zeros(2), "k": 1}, "queries must have shape"),
        ({"queries": np.zeros((2, 2)), "k": 0}, "k must be an integer of at least 1"),
        ({"queries": np.zeros((2, 2)), "k": 1.5}, "k must be an integer"),
        ({"queries": np.zeros((2, 2)), "k": 1, "bound": -1.0}, "bound must be a distance"),
        ({"queries": np.zeros((2, 2)), "k": 1, "bound": np.nan}, "bound must be a distance"),
    ],
)
def test_bad_queries_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LeafTree(np.zeros((5, 2))).kth(**kwargs)


def test_compiled_without_a_writable_cache(monkeypatch):
    # numba refuses cache=True at decoration where no cache folder can be written
    def njit(cache=False, **options):
        if cache:
            raise RuntimeError("cannot cache function: no locator available")
        return lambda function: ("compiled", function, options)

    monkeypatch.setattr(_leaftree, "njit", njit)
    assert _leaftree._compiled(nogil=True)(len) == ("compiled", len, {"nogil": True})


def test_searches_stay_in_bounds(tmp_path):
    # numba does not check indices unless asked: run the searches once with the checks on
    script = f"""
import numpy as np
from sktopo._leaftree import LeafTree
import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_leaftree import _brute_kth
rng = np.random.default_rng(0)
for n, d, leaf in [(1, 1, 32), (7, 2, 1), (100, 3, 4), (300, 2, 32)]:
    points = rng.integers(0, 3, size=(n, d)).astype(float)
    tree = LeafTree(points, leaf=leaf)
    for k in {{1, min(n, 3), n}}:
        for bound in (np.inf, 1.0):
            assert np.array_equal(tree.kth_rows(k, bound), _brute_kth(points, points, k, bound))
print("in bounds")
"""
    env = os.environ | {"NUMBA_BOUNDSCHECK": "1", "NUMBA_CACHE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "in bounds"
