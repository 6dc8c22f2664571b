"""The exact bottleneck distance, against persim and against a matching on the full bipartite graph."""

import itertools

import numpy as np
import persim
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ripser import ripser
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from sktopo.homology._bottleneck import bottleneck_distance

# rounded values and a few fixed ones make ties (equal births, equal lifetimes, equal distances)
_VALUES = st.one_of(
    st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    st.floats(0, 3).map(lambda x: round(x, 1)),
    st.floats(0, 3),
)


@st.composite
def _diagrams(draw, n_infinite=0):
    """0 to 8 finite bars and ``n_infinite`` bars that never die, in any order."""
    finite = [
        (birth, birth + life) for birth, life in draw(st.lists(st.tuples(_VALUES, _VALUES), max_size=8))
    ]
    infinite = [
        (birth, np.inf) for birth in draw(st.lists(_VALUES, min_size=n_infinite, max_size=n_infinite))
    ]
    rows = draw(st.permutations(finite + infinite))
    return np.array(rows, dtype=np.float64).reshape(-1, 2)


def _reference(D1, D2):
    """persim on the finite bars (it drops the others), brute force over pairings of the infinite ones."""
    finite = [D[np.isfinite(D[:, 1])] for D in (D1, D2)]
    births = [D[np.isinf(D[:, 1]), 0] for D in (D1, D2)]
    essential = min(
        (
            np.max(np.abs(births[0] - births[1][list(order)]), initial=0.0)
            for order in itertools.permutations(range(len(births[1])))
        ),
    )
    return max(persim.bottleneck(*finite), essential)


@given(st.data(), st.integers(0, 2))
def test_agrees_with_persim(data, n_infinite):
    D1, D2 = data.draw(_diagrams(n_infinite)), data.draw(_diagrams(n_infinite))
    assert bottleneck_distance(D1, D2) == pytest.approx(_reference(D1, D2), abs=1e-12)


@given(_diagrams(1), _diagrams(0))
def test_symmetric_zero_on_itself_and_independent_of_row_order(D1, D2):
    distance = bottleneck_distance(D1, D2)
    assert bottleneck_distance(D2, D1) == distance
    assert bottleneck_distance(D1, D1) == 0.0
    assert bottleneck_distance(D1[::-1], D2[::-1]) == distance


@pytest.mark.parametrize(
    "D1, D2",
    [
        ([[0.0, np.inf]], [[0.0, 1.0]]),
        ([[0.0, np.inf], [0.1, np.inf]], [[0.0, np.inf]]),
        (np.empty((0, 2)), [[2.0, np.inf]]),
    ],
)
def test_infinite_when_the_numbers_of_infinite_bars_differ(D1, D2):
    assert bottleneck_distance(D1, D2) == np.inf
    assert bottleneck_distance(D2, D1) == np.inf


def test_small_cases_by_hand():
    empty = np.empty((0, 2))
    assert bottleneck_distance(empty, []) == 0.0
    assert bottleneck_distance([[0.0, 1.0]], empty) == 0.5  # to the diagonal
    assert bottleneck_distance([[0.0, 1.0]], [[0.0, 1.2]]) == pytest.approx(0.2)
    assert bottleneck_distance([[0.0, np.inf]], [[0.3, np.inf]]) == pytest.approx(0.3)
    # the docstring's example: the long bars meet, the short one goes to the diagonal
    assert bottleneck_distance([[0.0, 1.0], [0.2, 0.3]], [[0.1, 1.2]]) == pytest.approx(0.2)


@pytest.mark.parametrize(
    "D1, D2, error, match",
    [
        ([[0.0, 1.0, 2.0]], [[0.0, 1.0]], ValueError, r"D1 must have shape \(n_bars, 2\).*got \(1, 3\)"),
        ([[0.0, 1.0]], [0.0, 1.0, 2.0], ValueError, r"D2 must have shape \(n_bars, 2\).*got \(3,\)"),
        ([[np.nan, 1.0]], [[0.0, 1.0]], ValueError, r"D1 must have finite births"),
        ([[0.0, 1.0]], [[np.nan, 1.0]], ValueError, r"D2 must have finite births"),
        ([[0.0, 1.0]], [[0.5, np.nan]], ValueError, r"D2 must have deaths at least their births"),
        ([["a", "b"]], [[0.0, 1.0]], TypeError, r"D1 must be an array of numbers"),
        (None, [[0.0, 1.0]], ValueError, r"'D1' parameter"),
    ],
)
def test_bad_input(D1, D2, error, match):
    with pytest.raises(error, match=match):
        bottleneck_distance(D1, D2)


def _full_graph(A, B):
    """persim's square cost matrix: A and the diagonal against B and the diagonal."""
    M, N = len(A), len(B)
    cost = np.zeros((M + N, M + N))
    cost[:M, :N] = np.max(np.abs(A[:, None, :] - B[None, :, :]), axis=2)
    cost[:M, N:] = cost[M:, :N] = np.inf
    cost[np.arange(M), N + np.arange(M)] = (A[:, 1] - A[:, 0]) / 2
    cost[M + np.arange(N), np.arange(N)] = (B[:, 1] - B[:, 0]) / 2
    return cost


def _perfect_matching_within(cost, delta):
    return bool(np.all(maximum_bipartite_matching(csr_matrix(cost <= delta), perm_type="column") >= 0))


def test_exact_on_large_diagrams():
    """Two H1 diagrams of over 350 bars each: where persim takes minutes."""
    rng = np.random.default_rng(0)
    A, B = (ripser(rng.standard_normal((400, 9)))["dgms"][1] for _ in range(2))
    assert len(A) + len(B) > 800
    distance = bottleneck_distance(A, B)
    # exact: a perfect matching of the whole graph within the distance, none within the value below it
    cost = _full_graph(A, B)
    values = np.unique(cost[np.isfinite(cost)])
    position = np.searchsorted(values, distance)
    assert values[position] == distance
    assert _perfect_matching_within(cost, distance)
    assert not _perfect_matching_within(cost, values[position - 1])
    # and at least the bar farthest from both the diagonal and the other diagram
    nearest = cost[: len(A), : len(B)]
    floor = max(
        np.max(np.minimum((A[:, 1] - A[:, 0]) / 2, nearest.min(axis=1))),
        np.max(np.minimum((B[:, 1] - B[:, 0]) / 2, nearest.min(axis=0))),
    )
    assert floor <= distance
    assert bottleneck_distance(B, A) == distance
