"""persistence_vs_accuracy (Fig. 12) and training_evolution (Figs. 5, 9) on tiny settings, and their plots."""

import warnings

import matplotlib
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from ripser import ripser
from scipy.stats import spearmanr

from sktopo import DensityFilter, FilterNormalizer
from sktopo.datasets import load_mnist_sample, make_circle_filters
from sktopo.experiments import SimplicityResult
from sktopo.experiments._common import (
    check_checkpoints,
)
from sktopo.experiments._evolution import layer_settings, training_evolution
from sktopo.experiments._simplicity import persistence_vs_accuracy
from sktopo.homology import LEVELS, MIN_CORE_ROWS, random_filter_test, top_lifetime
from sktopo.homology import _persistence as persistence_module
from sktopo.plotting import (
    EvolutionDisplay,
    SimplicityDisplay,
    plot_persistence_vs_accuracy,
    plot_training_evolution,
)
from sktopo.simplicity import h1_null_level, lifetime_reason, top_h1_lifetime

TINY = {"spec": "M(4,2,8)", "k": 4}
PVA_COLUMNS = [
    "iteration",
    "group",
    "n_networks",
    "n_filters",
    "k",
    "p",
    "h1_lifetime",
    "h1_lifetime_reason",
    "h1_null_median",
    "h1_null_q95",
    "h1_p_value",
    "test_accuracy",
    "test_accuracy_std",
    "group_seed",
    "dataset",
    "spec",
]
EVOLUTION_COLUMNS = [
    "layer",
    "iteration",
    "n_networks",
    "n_filters",
    "k",
    "p",
    "resolution",
    "gain",
    "n_dense",
    "mapper_n_nodes",
    "mapper_n_edges",
    "mapper_n_components",
    "mapper_cycle_rank",
    "mapper_n_loops",
    "h1_top",
    "h1_top_reason",
    "h1_bound",
    "dataset",
    "spec",
]


@pytest.fixture(scope="module")
def data():
    X, y = load_mnist_sample()
    return X[::25], y[::25]  # 200 images, 20 per digit


#: Groups of 2 networks M(32, ...): 64 filters, whose ρ(4, 0.8) keeps 51 rows (MIN_CORE_ROWS is 50).
MEASURABLE = {"spec": "M(32,2,8)", "k": 4, "p": 0.8, "n_null_draws": 4}


@pytest.fixture(scope="module")
def pva(data):
    return persistence_vs_accuracy(data, checkpoints=[4, 2], n_networks=4, n_groups=2, **MEASURABLE)


@pytest.fixture(scope="module")
def pva_small(data):
    with pytest.warns(UserWarning, match="NaN in 4 of 4 rows"):
        return persistence_vs_accuracy(data, checkpoints=[4, 2], n_networks=4, n_groups=2, p=0.5, **TINY)


@pytest.fixture(scope="module")
def evolution(data):
    with pytest.warns(UserWarning, match=r"training_evolution: the top H1 lifetime is NaN in 4 of 4 rows"):
        return training_evolution(data, iterations=[2, 4], n_networks=2, resolution=4, **TINY)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_persistence_vs_accuracy_table(pva):
    result, pva = pva, pva.table
    assert isinstance(result, SimplicityResult)
    assert list(pva.columns) == PVA_COLUMNS
    assert pva[["group", "iteration"]].values.tolist() == [[0, 2], [0, 4], [1, 2], [1, 4]]
    assert pva.groupby("iteration")["n_networks"].sum().tolist() == [4, 4]
    assert (pva.n_filters == 32 * pva.n_networks).all()  # M(32, ...): 32 first-layer filters a network
    assert pva.group_seed.nunique() == 2
    assert (pva.h1_lifetime > 0).all() and (pva.h1_lifetime_reason == "").all()
    assert pva.test_accuracy.between(0, 1).all()
    assert result.settings["checkpoints"] == [2, 4]
    assert result.paper["h1_lifetime_mnist_40k"] == 1.10
    assert isinstance(result.networks, pd.DataFrame) and isinstance(result.pooled, pd.DataFrame)
    assert result.verdict.level in LEVELS and result.verdict.reasons[0].startswith("Spearman correlation")


def test_correlation_is_spearman_over_rows(pva):
    found = pva.correlation
    assert set(found) == {"spearman", "low", "high", "confidence"}
    assert found["confidence"] == 0.95
    assert found["spearman"] == pytest.approx(
        spearmanr(pva.table.h1_lifetime, pva.table.test_accuracy).statistic, nan_ok=True
    )


def test_group_accuracy_is_the_mean_of_its_networks(pva):
    networks = pva.networks
    assert len(networks) == 4 * 2 and networks.seed.nunique() == 4
    means = networks.groupby(["group", "iteration"]).test_accuracy.agg(["mean", "std"])
    np.testing.assert_allclose(means.to_numpy(), pva.table[["test_accuracy", "test_accuracy_std"]].to_numpy())
    pooled = pva.pooled
    assert pooled.iteration.tolist() == [2, 4] and (pooled.n_networks == 4).all()
    np.testing.assert_allclose(pooled.test_accuracy, networks.groupby("iteration").test_accuracy.mean())


def test_h1_lifetime_of_pooled_kernels_matches_ripser_of_the_dense_core():
    filters = make_circle_filters(150, noise=0.05, random_state=0)
    kernels = [filters[:100].reshape(100, 1, 3, 3), filters[100:].reshape(50, 1, 3, 3)]
    dense = DensityFilter(k=10, p=0.5).fit_transform(FilterNormalizer().fit_transform(filters))
    expected = top_lifetime(ripser(dense, maxdim=1)["dgms"][1])
    assert top_h1_lifetime(kernels, k=10, p=0.5) == pytest.approx(expected, rel=1e-6)
    with pytest.warns(UserWarning, match=r"rho\(10, 0.01\) of 150 filters keeps 2 rows.*p of at least 0.33"):
        assert np.isnan(top_h1_lifetime(kernels, k=10, p=0.01))  # 2 dense rows: NaN, never 0


@pytest.mark.parametrize(
    ("n_filters", "k", "p", "reason"),
    [
        (6400, 100, 0.1, ""),  # the paper's rho(100, 0.1) of 100 networks: 640 rows
        (192, 100, 0.1, "k=100 is not below half of the 192 filters"),  # 3 networks at the paper's rho
        (500, 100, 0.1, ""),  # 50 rows, k below 250: the smallest cloud measured at rho(100, 0.1)
        (499, 100, 0.1, ""),  # round(49.9) = 50 rows: measured
        (480, 100, 0.1, "keeps 48 rows, fewer than MIN_CORE_ROWS=50"),
        (200, 100, 0.9, "k=100 is not below half of the 200 filters"),
        (40, 5, 1.0, "40 filters, fewer than MIN_CORE_ROWS"),  # p = 1: no filtration, k ignored
        (60, 40, 1.0, ""),
    ],
)
def test_lifetime_reason_names_the_rule_and_the_remedy(n_filters, k, p, reason):
    found = lifetime_reason(n_filters, k, p)
    assert (found == "") == (reason == "") and reason in found


def test_a_cloud_too_small_for_its_rho_gets_nan_with_a_reason(pva_small):
    # 2 networks M(4, ...): 8 filters a group, rho(4, 0.5) keeps 4 rows and k = 4 is half the cloud
    assert pva_small.table.h1_lifetime.isna().all()
    for reason in pva_small.table.h1_lifetime_reason:
        assert "k=4 is not below half of the 8 filters" in reason and "keeps 4 rows" in reason
        assert f"MIN_CORE_ROWS={MIN_CORE_ROWS}" in reason and "pool more networks" in reason
    assert pva_small.table[["h1_null_median", "h1_null_q95", "h1_p_value"]].isna().all().all()
    assert pva_small.pooled.h1_lifetime.isna().all()  # 16 filters pooled: too
    assert np.isnan(pva_small.correlation["spearman"])  # no row to correlate
    assert pva_small.verdict.level == "too_small" and "undefined" in pva_small.verdict.reasons[-1]


def test_fig12_table_has_the_null_level(pva):
    result, pva = pva, pva.table
    null = pva[["h1_null_median", "h1_null_q95", "h1_p_value"]]
    assert null.notna().all().all() and (pva.h1_null_median <= pva.h1_null_q95).all()
    assert set(pva.h1_p_value) <= {j / 5 for j in range(1, 6)}  # (1 + reaching) / (1 + 4 draws)
    pooled = result.pooled
    assert pooled[["h1_null_median", "h1_null_q95", "h1_p_value"]].notna().all().all()
    assert result.settings["n_null_draws"] == 4


def test_null_level_is_the_random_filter_test_of_the_lifetime():
    filters = make_circle_filters(200, noise=0.05, random_state=0)
    kernels = filters.reshape(200, 1, 3, 3)
    level = h1_null_level(filters, 10, 0.5, 9, random_state=1)
    test = random_filter_test(filters, k=10, p=0.5, n_draws=9, n_landmarks=None, random_state=1)
    assert test.observed == pytest.approx(top_h1_lifetime(kernels, k=10, p=0.5))  # one pipeline
    assert level["h1_null_median"] == pytest.approx(np.median(test.null))
    assert level["h1_null_q95"] == pytest.approx(np.quantile(test.null, 0.95))
    assert level["h1_p_value"] == 0.1  # the circle beats all 9 random clouds
    assert level["h1_null_q95"] < 0.5 * test.observed
    assert all(np.isnan(v) for v in h1_null_level(filters[:40], 10, 0.5, 9, 1).values())


def test_training_evolution_table(evolution):
    result, evolution = evolution, evolution.table
    assert list(evolution.columns) == EVOLUTION_COLUMNS
    assert evolution[["layer", "iteration"]].values.tolist() == [[1, 2], [1, 4], [2, 2], [2, 4]]
    layer1, layer2 = evolution[evolution.layer == 1], evolution[evolution.layer == 2]
    assert (layer1.n_filters == 2 * 4).all() and (layer2.n_filters == 2 * 4 * 2).all()
    assert (layer1.n_dense == layer1.n_filters).all()  # the paper's first layer: no density filtration
    assert (layer2.n_dense == layer2.n_filters // 2).all()  # rho(k, 0.5)
    assert layer2.gain.tolist() == [2, 2] and layer1.gain.tolist() == [3, 3]
    assert len(result.seeds) == 2


def test_training_evolution_keeps_each_cells_mapper_and_diagrams(evolution):
    for row in evolution.table.itertuples():
        graph = evolution.mappers[row.layer, row.iteration].graph_
        n_components = nx.number_connected_components(graph)
        assert (row.mapper_n_nodes, row.mapper_n_edges) == (graph.number_of_nodes(), graph.number_of_edges())
        assert row.mapper_cycle_rank == row.mapper_n_edges - row.mapper_n_nodes + n_components
        # 8 and 16 filters: too few for any lifetime to mean something, so NaN with the reason
        assert np.isnan(row.h1_top) and row.h1_top_reason == lifetime_reason(row.n_filters, row.k, row.p)
        assert len(evolution.diagrams[row.layer, row.iteration]) == 2  # the barcode is kept


def test_training_evolution_measures_a_large_enough_cloud(data):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 64 filters of one layer without filtration: measured, no warning
        result = training_evolution(
            data, "M(64,0,16)", iterations=[2], n_networks=1, layers=[1], resolution=4
        )
    row = result.table.iloc[0]
    assert row.n_dense == 64 and row.h1_top_reason == ""
    assert row.h1_top == top_lifetime(result.diagrams[1, 2][1]) > 0


def test_evolution_verdict_reads_the_loops(evolution):
    assert (evolution.table.n_dense < MIN_CORE_ROWS).all()  # 8 and 16 filters
    assert evolution.verdict.level == "too_small"
    assert "first layer at 400 batch iterations" in evolution.verdict.reasons[1]
    assert np.isnan(evolution.verdict.margin)
    assert repr(evolution).startswith(f"EvolutionResult (4 rows, verdict {evolution.verdict.level!r})")


def test_training_evolution_is_reproducible(data):
    settings = dict(iterations=[3], n_networks=2, layers=[1], resolution=4, **TINY)
    first, second = training_evolution(data, **settings), training_evolution(data, **settings)
    pd.testing.assert_frame_equal(first.table, second.table)


def test_per_layer_settings():
    assert layer_settings([1, 2], "paper") == [
        {"k": 15, "p": 1.0, "resolution": 30, "gain": 3},
        {"k": 15, "p": 0.5, "resolution": 70, "gain": 2},
    ]
    chosen = layer_settings([1, 2], "quick", k=[5, 6], p=0.3, resolution=None, gain=[2.5, 4])
    assert [(s["k"], s["p"], s["gain"]) for s in chosen] == [(5, 0.3, 2.5), (6, 0.3, 4)]


@given(st.lists(st.integers(0, 50), min_size=1).filter(lambda values: max(values) >= 1))
def test_checkpoints_are_sorted_and_distinct(values):
    assert check_checkpoints(values) == sorted(set(values))
    assert check_checkpoints(values[::-1]) == check_checkpoints(values)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"checkpoints": []}, "checkpoints"),
        ({"checkpoints": [0]}, "checkpoints"),
        ({"checkpoints": [-1, 2]}, "checkpoints"),
        ({"checkpoints": [1.5]}, "checkpoints"),
        ({"checkpoints": [True, 2]}, "checkpoints"),
        ({"n_networks": 2, "n_groups": 3}, "n_groups"),
        ({"scale": "huge"}, "scale"),
        ({"dataset": "imagenet"}, "dataset"),
        ({"k": 0}, "'k'"),
        ({"p": 0.0}, "'p'"),
        ({"layer": 0}, "'layer'"),
    ],
)
def test_persistence_vs_accuracy_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        persistence_vs_accuracy(**{"dataset": "digits", **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"iterations": [0]}, "checkpoints"),
        ({"layers": [3]}, "layers"),
        ({"layers": [1, 1]}, "layers"),
        ({"layers": [2], "spec": "M(4,0,8)"}, "layers"),
        ({"k": [4]}, "k must be"),
        ({"p": [1.0, 0.0]}, "p must be"),
        ({"gain": 1}, "gain must be"),
        ({"resolution": [3, 0]}, "resolution must be"),
        ({"scale": "huge"}, "scale"),
        ({"dataset": "imagenet"}, "dataset"),
    ],
)
def test_training_evolution_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        training_evolution(**{"dataset": "digits", "iterations": [2], **kwargs})


def test_plot_persistence_vs_accuracy(pva):
    ax = plot_persistence_vs_accuracy(pva)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["test accuracy", "top H1 lifetime", "random filters: median to 95%"]
    assert ax.get_title().startswith("Spearman")
    np.testing.assert_allclose(ax.get_lines()[0].get_xdata(), [2, 4])
    raw = plot_persistence_vs_accuracy(pva, standardize=False)
    table = pva.table
    np.testing.assert_allclose(
        raw.get_lines()[0].get_ydata(), table.groupby("iteration").test_accuracy.mean()
    )
    assert len(raw.figure.axes) == 2  # the lifetime's twin axis
    null = raw.figure.axes[1].get_lines()[1]  # on the lifetime's axis, in its units
    np.testing.assert_allclose(null.get_ydata(), table.groupby("iteration").h1_null_median.mean())
    display = pva.plot()
    assert isinstance(display, SimplicityDisplay) and display.ax_.get_title() == ax.get_title()
    assert (
        plot_persistence_vs_accuracy(table).get_title() == "Test accuracy and persistence"
    )  # no correlation


def test_plot_persistence_vs_accuracy_says_what_is_nan(pva, pva_small):
    ax = plot_persistence_vs_accuracy(pva_small)
    assert "NaN in every row, not drawn" in ax.get_lines()[1].get_label()
    assert ax.get_title().startswith("Spearman undefined")
    part = pva.table.copy()
    part.loc[part.iteration == 2, "h1_lifetime"] = np.nan
    ax = plot_persistence_vs_accuracy(part, standardize=False)
    assert ax.figure.axes[1].get_lines()[0].get_label() == "top H1 lifetime (2 of 4 rows NaN, left out)"


def test_plot_persistence_vs_accuracy_refuses_other_tables(pva):
    with pytest.raises(ValueError, match="several data sets"):
        plot_persistence_vs_accuracy(pd.concat([pva.table, pva.table.assign(dataset="svhn")]))
    with pytest.raises(ValueError, match="columns"):
        plot_persistence_vs_accuracy(pva.table.drop(columns="h1_lifetime"))


def test_plot_training_evolution(evolution):
    axes = plot_training_evolution(evolution)
    assert axes.shape == (2, 2)
    assert axes[1, 0].get_title().startswith("layer 2, 2 it.")
    assert len(axes[0, 0].figure.axes) == 4  # the cells' colour bars are removed
    assert plot_training_evolution(evolution, barcodes=True).shape == (4, 2)
    _, mine = plt.subplots(1, 2)
    first = evolution.table[evolution.table.layer == 1]
    display = EvolutionDisplay(first, evolution.mappers).plot(mine)
    assert display.axes_.shape == (1, 2) and display.axes_[0, 0] is mine[0]
    assert evolution.plot(barcodes=True).axes_.shape == (4, 2)


def test_plot_training_evolution_refuses_other_tables(evolution):
    with pytest.raises(TypeError, match="training_evolution result"):
        plot_training_evolution(evolution.table)
    with pytest.raises(ValueError, match="mappers must hold every"):
        EvolutionDisplay(evolution.table, {}).plot()
    with pytest.raises(ValueError, match="diagrams must hold every"):
        EvolutionDisplay(evolution.table, evolution.mappers).plot(barcodes=True)
    _, three = plt.subplots(1, 3)
    with pytest.raises(ValueError, match="axes must hold"):
        plot_training_evolution(evolution, axes=three)


def test_h1_lifetime_takes_landmarks_where_exact_barcodes_would_not_fit(monkeypatch):
    # with 0.5 GB available the exact barcodes of 900 rows (an estimated 0.83 GB) are refused, and
    # top_h1_lifetime, which has no n_landmarks for the user to change, takes 400 landmarks
    monkeypatch.setattr(persistence_module, "available_memory", lambda: 0.5e9)
    kernels = make_circle_filters(1800, noise=0.05, random_state=0).reshape(1800, 1, 3, 3)
    assert not persistence_module.exact_fits(900)
    assert top_h1_lifetime(kernels, k=10, p=0.5) > 1.0  # the circle, from landmarks


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: top_h1_lifetime(np.zeros((4, 1, 3, 3)), layer=0), "'layer' parameter"),
        (lambda: top_h1_lifetime(np.zeros((4, 1, 3, 3)), k=0), "'k' parameter"),
        (lambda: lifetime_reason(100, 5, p=-0.1), "'p' parameter"),
        (lambda: h1_null_level(np.zeros((10, 9)), 3, 0.5, -1, 0), "'n_draws' parameter"),
        (lambda: h1_null_level(np.zeros((10, 9)), 3, 0.5, 9, None), "'random_state' parameter"),
    ],
)
def test_simplicity_refuses_bad_parameters(call, match):
    with pytest.raises(ValueError, match=match):
        call()
