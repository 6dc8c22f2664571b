import networkx as nx
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.cluster import DBSCAN
from sklearn.decomposition import PCA
from sklearn.pipeline import make_pipeline

from sktopo import DensityFilter, FilterNormalizer, Mapper
from sktopo.datasets import make_circle_filters, make_three_circle_filters
from sktopo.filterbanks import klein_filter
from sktopo.mapper import Cover, GapSingleLinkage, gap_threshold, graph_summary, n_loops


def _blobs(seed=0, n=300, d=9):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(size=(n, d)) * 0.1, rng.normal(size=(n, d)) * 0.1 + 20])


# ---- cover ------------------------------------------------------------------------------


@pytest.mark.parametrize("resolution, gain", [(1, 2), (3, 2), (30, 3), (7, 1.5), (10, 4)])
def test_cover_intervals_follow_ayasdi(resolution, gain):
    lens = np.random.default_rng(0).uniform(-3, 5, size=(500, 1))
    intervals = Cover(resolution, gain).fit(lens).intervals_[0]
    length = intervals[:, 1] - intervals[:, 0]
    np.testing.assert_allclose(length, length[0])
    assert intervals[0, 0] == lens.min() and intervals[-1, 1] == lens.max()
    if resolution > 1:
        overlap = intervals[:-1, 1] - intervals[1:, 0]
        np.testing.assert_allclose(overlap / length[0], 1 - 1 / gain)


@given(st.integers(2, 40), st.integers(2, 5), st.integers(0, 2**32 - 1))
def test_every_point_lies_in_about_gain_intervals(resolution, gain, seed):
    assume(resolution > 2 * gain)
    lens = np.random.default_rng(seed).normal(size=(200, 1))
    cover = Cover(resolution, gain).fit(lens)
    counts = np.zeros(len(lens), dtype=int)
    for _, members in cover.cells(lens):
        counts[members] += 1
    assert counts.min() >= 1 and counts.max() <= gain + 1
    lo, hi = cover.intervals_[0][gain, 0], cover.intervals_[0][-1 - gain, 1]
    inside = (lens[:, 0] > lo) & (lens[:, 0] < hi)
    # away from both ends every point is covered gain times (gain + 1 only on interval ends)
    assert np.all(counts[inside] >= gain)


def test_two_dimensional_cover_is_the_product():
    lens = np.random.default_rng(0).uniform(size=(400, 2))
    cover = Cover(4, 2).fit(lens)
    cells = dict(cover.cells(lens))
    a, b = cover.intervals_
    expected = np.flatnonzero(
        (lens[:, 0] >= a[1, 0]) & (lens[:, 0] <= a[1, 1]) & (lens[:, 1] >= b[2, 0]) & (lens[:, 1] <= b[2, 1])
    )
    np.testing.assert_array_equal(cells[(1, 2)], expected)


def test_constant_lens_gives_one_point_intervals():
    cover = Cover(5, 3).fit(np.ones((10, 1)))
    assert len(cover.cells(np.ones((10, 1)))) == 5


# ---- clustering --------------------------------------------------------------------------


def test_gap_rule():
    assert gap_threshold([0.1, 0.12, 0.11, 5.0]) == pytest.approx(1.08)
    assert gap_threshold([1.0, 1.0]) == np.inf
    assert gap_threshold([0.5]) == np.inf
    labels = GapSingleLinkage().fit_predict(_blobs())
    np.testing.assert_array_equal(labels, np.repeat([0, 1], 300))


def test_single_linkage_keeps_a_chain_together():
    chain = np.column_stack([np.arange(50.0), np.zeros(50)])
    assert set(GapSingleLinkage().fit_predict(chain)) == {0}


# ---- the Mapper graph --------------------------------------------------------------------


def test_primary_circle_gives_one_component_with_one_loop():
    X = FilterNormalizer().fit_transform(make_circle_filters(6400, noise=0.1, random_state=0))
    dense = DensityFilter(k=200, p=0.3).fit_transform(X)
    summary = graph_summary(Mapper(resolution=30, gain=3).fit(dense).graph_)
    assert summary["n_components"] == 1
    assert summary["n_loops"] == 1
    # the 2-D cover with gain 3 fills the graph with triangles: many cycles, one hole
    assert summary["cycle_rank"] > 100


def test_primary_circle_with_a_one_dimensional_angle_lens_is_a_cycle():
    X = FilterNormalizer().fit_transform(make_circle_filters(2000, noise=0.05, random_state=1))
    graph = Mapper(lens=PCA(2), resolution=12, gain=2).fit(X).graph_
    assert graph_summary(graph)["n_loops"] == 1


def _two_circles(n, noise, seed):
    """The primary circle and one secondary circle, meeting in two points, as in Fig. 7."""
    rng = np.random.default_rng(seed)
    angle, on_primary = rng.uniform(0, 2 * np.pi, n), rng.random(n) < 0.5
    filters = klein_filter(np.where(on_primary, angle, 0.0), np.where(on_primary, 0.0, angle))
    return FilterNormalizer().fit_transform(filters.reshape(n, 9) + noise * rng.standard_normal((n, 9)))


def test_two_circles_meeting_twice_have_three_loops():
    # Fig. 7: "two circles intersecting at two points have three loops and one component"
    summary = graph_summary(Mapper(resolution=10, gain=3).fit(_two_circles(4000, 0.05, 0)).graph_)
    assert (summary["n_loops"], summary["n_components"]) == (3, 1)


def test_three_circle_model_has_five_loops():
    # Fig. 8: each secondary circle meets the primary one twice and they do not meet: 4 meeting
    # points, 8 arcs, so 8 - 4 + 1 = 5 independent loops (Carlsson et al. 2008 give b1 = 5).
    X = FilterNormalizer().fit_transform(make_three_circle_filters(4000, noise=0.05, random_state=0))
    summary = graph_summary(Mapper(resolution=10, gain=3).fit(X).graph_)
    assert (summary["n_loops"], summary["n_components"]) == (5, 1)


def test_far_apart_blobs_give_two_components():
    X = _blobs()
    summary = graph_summary(Mapper(resolution=10, gain=3).fit(X).graph_)
    assert summary["n_components"] == 2
    assert summary["n_loops"] == 0


def test_node_and_edge_attributes():
    X = FilterNormalizer().fit_transform(make_circle_filters(500, noise=0.1, random_state=0))
    mapper = Mapper(resolution=8, gain=3).fit(X)
    graph = mapper.graph_
    assert list(graph.nodes) == list(range(graph.number_of_nodes()))
    covered = set()
    for _, data in graph.nodes(data=True):
        assert data["size"] == len(data["members"])
        assert np.all(np.diff(data["members"]) > 0)
        np.testing.assert_allclose(data["mean"], X[data["members"]].mean(axis=0))
        covered.update(data["members"].tolist())
    assert covered == set(range(len(X)))
    for a, b, data in graph.edges(data=True):
        shared = np.intersect1d(graph.nodes[a]["members"], graph.nodes[b]["members"])
        assert data["shared"] == len(shared) > 0
    assert mapper.lens_.shape == (500, 2) and len(mapper.cover_.intervals_) == 2


def _member_sets(graph, relabel):
    nodes = {n: frozenset(relabel[d["members"]].tolist()) for n, d in graph.nodes(data=True)}
    edges = {frozenset((nodes[a], nodes[b])) for a, b in graph.edges}
    return set(nodes.values()), edges


@given(st.integers(0, 2**32 - 1))
def test_graph_does_not_depend_on_row_order(seed):
    rng = np.random.default_rng(seed)
    X = FilterNormalizer().fit_transform(make_circle_filters(300, noise=0.2, random_state=seed % 1000))
    order = rng.permutation(len(X))
    graph = Mapper(resolution=6, gain=3).fit(X).graph_
    shuffled = Mapper(resolution=6, gain=3).fit(X[order]).graph_
    assert _member_sets(graph, np.arange(len(X))) == _member_sets(shuffled, order)


def test_deterministic_and_custom_clusterer():
    X = _blobs(n=100)
    first = Mapper(resolution=5, random_state=0).fit(X).graph_
    second = Mapper(resolution=5, random_state=0).fit(X).graph_
    assert list(first.edges) == list(second.edges)
    for node in first.nodes:
        np.testing.assert_array_equal(first.nodes[node]["members"], second.nodes[node]["members"])
    dbscan = Mapper(resolution=5, clusterer=DBSCAN(eps=1.0, min_samples=3), metric="euclidean").fit(X)
    assert graph_summary(dbscan.graph_)["n_components"] == 2


def test_parallel_cells_give_the_same_graph():
    X = FilterNormalizer().fit_transform(make_circle_filters(1000, noise=0.1, random_state=2))
    serial, parallel = Mapper(resolution=10).fit(X).graph_, Mapper(resolution=10, n_jobs=2).fit(X).graph_
    assert _member_sets(serial, np.arange(len(X))) == _member_sets(parallel, np.arange(len(X)))


def test_pipeline_parameters():
    pipe = make_pipeline(FilterNormalizer(), DensityFilter(k=10, p=0.5), Mapper())
    pipe.set_params(mapper__resolution=12, mapper__gain=2.5, densityfilter__k=15)
    pipe = clone(pipe)
    pipe.fit(make_circle_filters(400, noise=0.1, random_state=0))
    assert pipe[-1].cover_.resolution == 12 and pipe[-1].graph_.number_of_nodes() > 0


def test_n_loops():
    assert n_loops(nx.empty_graph(3)) == 0
    two = nx.Graph([(0, 1), (1, 2), (2, 3), (3, 0), (0, 4), (4, 5), (5, 2)])
    assert n_loops(two) == 2 and graph_summary(two)["cycle_rank"] == 2


@pytest.mark.parametrize(
    "params, match",
    [
        ({"resolution": 0}, "'resolution' parameter"),
        ({"gain": 1}, "'gain' parameter"),
        ({"gain": 0.5}, "'gain' parameter"),
        ({"metric": "cosine"}, "'metric' parameter"),
        ({"lens": "pca"}, "'lens' parameter"),
        ({"clusterer": object()}, "'clusterer' parameter"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        Mapper(**params).fit(_blobs(n=20))


@pytest.mark.parametrize(
    "X, match",
    [(np.empty((0, 9)), "0 sample"), (np.full((5, 9), np.nan), "NaN"), (np.ones(9), "2D array")],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        Mapper().fit(X)
