import io
import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import sktopo
import sktopo.profile
from sktopo.filterbanks import klein_filter
from sktopo.homology import SHAPES_BY_BETTI
from sktopo.nn import NetworkEnsemble, make_classifier
from sktopo.plotting import ProfileDisplay, plot_topology_profile
from sktopo.profile import (
    COLUMNS,
    COVARIANCE_EXCEEDANCES,
    K_FRACTION,
    TopologyProfile,
    default_k,
    shows_circle,
    topology_profile,
)

#: Small settings: a layer in a fraction of a second.
FAST = dict(n_subsamples=5, n_null=19, n_landmarks=80, resolution=8, random_state=0, progress=False)

INTS = ["layer", "n_filters", "n_used", "k", "n_dense", "n_significant_h1", "mapper_loops"]
FLOATS = [
    "p",
    "h1_top",
    "h1_second",
    "band",
    "threshold",
    "null_p_value",
    "null_ratio",
    "covariance_p_value",
    "edge_energy",
    "mapper_one_loop_share",
    "margin",
    "seconds",
]


def _circle_net(n=1000, noise=0.1, kernel=3, seed=0):
    """Layer 1: ``n`` noisy linear edges at random angles (the primary circle); layer 2: random."""
    rng = np.random.default_rng(seed)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, n, 3), torch.nn.ReLU(), torch.nn.Conv2d(n, 1, kernel))
    torch.manual_seed(seed)
    net[2].reset_parameters()
    edges = klein_filter(rng.uniform(0, 2 * np.pi, n), 0.0).reshape(n, 9)
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(edges + noise * rng.standard_normal((n, 9))).reshape(n, 1, 3, 3))
    return net


@pytest.fixture(scope="module")
def net():
    return _circle_net()


@pytest.fixture(scope="module")
def profile(net):
    return topology_profile(net, **FAST)


def _rows(frame):
    return frame.drop(columns="seconds").reset_index(drop=True)


def test_columns_and_dtypes(profile):
    assert isinstance(profile, TopologyProfile) and len(profile) == 2 and profile.layers == [1, 2]
    profile = profile.table
    assert list(profile.columns) == COLUMNS
    assert profile["layer"].tolist() == [1, 2]
    assert profile["layer_name"].tolist() == ["0", "2"]
    assert all(profile[c].dtype == np.int64 for c in INTS)
    assert all(profile[c].dtype == np.float64 for c in FLOATS)
    assert set(profile["shape"]) <= {*SHAPES_BY_BETTI.values(), "none"}
    assert profile["n_filters"].tolist() == profile["n_used"].tolist() == [1000, 1000]
    assert profile["k"].tolist() == [default_k(1000)] * 2 == [31, 31]
    assert profile["n_dense"].tolist() == [300, 300]  # round(0.3 * 1000)
    assert (profile["seconds"] > 0).all()


def test_known_circle_is_named_and_its_filters_are_edges(profile):
    circle, random = profile.table.iloc[0], profile.table.iloc[1]
    assert circle["shape"] == "circle"
    assert circle["n_significant_h1"] == 1
    assert circle["h1_top"] > circle["threshold"] >= 2 * circle["band"]
    assert circle["threshold"] > circle["h1_second"]
    assert circle["edge_energy"] > 0.95
    assert circle["null_p_value"] == pytest.approx(1 / 20)  # beyond every one of the 19 null clouds
    assert circle["null_ratio"] > 3
    assert circle["mapper_loops"] == 1 and circle["mapper_one_loop_share"] > 0.5
    assert circle["verdict"] == "found" and circle["margin"] > 0
    assert random["shape"] == "none"
    assert random["n_significant_h1"] == 0
    assert random["verdict"] in ("not_found", "too_small") and random["null_p_value"] > 0.05
    assert 0.1 < random["edge_energy"] < 0.4  # near 2 / 8
    assert shows_circle(profile).tolist() == shows_circle(profile.table).tolist() == [True, False]


def test_evidence_agrees_with_the_columns(profile):
    topology = profile.evidence
    assert sorted(topology) == [1, 2]
    assert profile.verdicts == {layer: topology[layer].circle for layer in (1, 2)}
    assert profile.settings["p"] == 0.3 and profile.settings["n_null"] == FAST["n_null"]
    for _, row in profile.table.iterrows():
        evidence = topology[row["layer"]]
        assert evidence.layer == row["layer"]
        assert evidence.verdict.shape == row["shape"]
        assert 2 * evidence.band[1] == row["threshold"]
        assert evidence.circle.level == row["verdict"]
        # the null comparison is the rule's: its longest bar against its null draws
        assert evidence.null.observed == evidence.verdict.significance[2].lifetimes[1][0]
        assert len(evidence.null.null) == FAST["n_null"]
        # the covariance null explains a loop: drawn only where the rule finds one, until settled
        if row["n_significant_h1"] >= 1:
            covariance = evidence.covariance
            assert covariance.observed == evidence.null.observed
            assert covariance.p_value == row["covariance_p_value"]
            assert len(covariance.null) <= FAST["n_null"]
            stopped = (
                covariance.n_reaching == COVARIANCE_EXCEEDANCES and len(covariance.null) < FAST["n_null"]
            )
            assert covariance.p_value == (
                COVARIANCE_EXCEEDANCES / len(covariance.null)
                if stopped
                else (1 + covariance.n_reaching) / (1 + len(covariance.null))
            )
        else:
            assert evidence.covariance is None and np.isnan(row["covariance_p_value"])
    assert [row["n_significant_h1"] >= 1 for _, row in profile.table.iterrows()] == [True, False]


def test_tables_concatenate_and_the_profile_selects(profile, net):
    other = topology_profile(net, 1, **FAST)
    both = pd.concat([profile.table, other.table], ignore_index=True)
    assert len(both) == 3
    second = profile.select(2)
    assert second.layers == [2] and list(second.evidence) == [2] and second.settings == profile.settings
    pd.testing.assert_frame_equal(second.table, profile.table.iloc[[1]].reset_index(drop=True))
    assert profile.select([2, 1]).layers == [2, 1]
    for bad in (3, [], [1, 5], [1, 1], True, [True], 1.0, None, "1"):
        with pytest.raises(
            ValueError, match=r"layers must be a layer of this profile, \[1, 2\], or a list of distinct ones"
        ):
            profile.select(bad)
    assert (
        list(profile.select(np.int64(2)).evidence) == [2]
        and type(profile.select([np.int64(1)]).layers[0]) is int
    )
    assert "TopologyProfile of 2 layer(s)" in repr(profile) and "<table" in profile._repr_html_()


def test_layers_selection_and_order(net, profile):
    one = topology_profile(net, 2, **FAST).table
    assert one["layer"].tolist() == [2]
    backwards = topology_profile(net, [2, 1], **FAST).table
    assert backwards["layer"].tolist() == [2, 1]
    # each layer draws from its own stream: its row does not depend on the other layers profiled
    pd.testing.assert_frame_equal(_rows(one), _rows(profile.table.iloc[[1]]))
    pd.testing.assert_frame_equal(_rows(backwards), _rows(profile.table.iloc[[1, 0]]))


@pytest.mark.parametrize("layers", [0, 3, -1, [], [1, 1], [1, 3], "1", 1.5, True, [True], [1, "2"], {"a": 1}])
def test_bad_layers(net, layers):
    with pytest.raises(ValueError, match="layers"):
        topology_profile(net, layers, **FAST)


def test_deterministic_for_a_fixed_random_state(net, profile):
    again = topology_profile(net, **FAST).table
    pd.testing.assert_frame_equal(_rows(again), _rows(profile.table))
    other = topology_profile(net, **{**FAST, "random_state": 1}).table
    assert not np.array_equal(other["null_ratio"], profile.table["null_ratio"])  # other null clouds


def test_max_filters_subsamples_and_the_null_uses_as_many(net, monkeypatch):
    shapes = []

    def spy(shape, *args, **kwargs):  # the rule's null clouds: as many filters as the layer uses
        shapes.append(tuple(shape))
        return pipeline_null_tops(shape, *args, **kwargs)

    pipeline_null_tops = sktopo.homology._rule.pipeline_null_tops
    monkeypatch.setattr(sktopo.homology._rule, "pipeline_null_tops", spy)
    profile = topology_profile(net, 1, max_filters=500, **FAST).table
    row = profile.iloc[0]
    assert (row["n_filters"], row["n_used"], row["k"], row["n_dense"]) == (1000, 500, default_k(500), 150)
    assert shapes and set(shapes) == {(500, 9)}  # over Z/2 and Z/3
    assert row["shape"] == "circle"
    whole = topology_profile(net, 1, max_filters=None, **FAST).table  # None: no cap
    assert whole.n_used[0] == whole.n_filters[0] == 1000
    # another seed, another subsample
    other = topology_profile(net, 1, max_filters=500, **{**FAST, "random_state": 1}).table
    assert other["h1_top"].iloc[0] != row["h1_top"]


def test_default_k_is_the_papers_fraction_of_the_cloud():
    # the docstring: the paper's rho(200, 0.3) of 6,400 first-layer filters, k = n / 32
    assert K_FRACTION == 200 / 6400
    assert default_k(6400) == 200
    assert default_k(20000) == 625
    assert default_k(2) == 1


@given(st.integers(2, 10**7))
def test_default_k_rounds_n_over_32(n):
    k = default_k(n)
    assert 1 <= k < n
    assert abs(k - n / 32) <= 0.5 or k == 1


def test_k_as_a_count_or_a_fraction_and_p(net):
    fixed = topology_profile(net, 1, k=10, p=0.5, **FAST).table
    assert (fixed["k"].iloc[0], fixed["p"].iloc[0], fixed["n_dense"].iloc[0]) == (10, 0.5, 500)
    share = topology_profile(net, 1, k=0.05, max_filters=400, **FAST).table
    assert share["k"].iloc[0] == 20  # 0.05 of the 400 filters used


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"k": 0}, "'k' parameter"),
        ({"k": 1.0}, "'k' parameter"),
        ({"k": True}, "'k' parameter"),
        ({"p": 0}, "'p' parameter"),
        ({"max_filters": 0}, "'max_filters' parameter"),
        ({"n_null": 0}, "'n_null' parameter"),
        ({"n_subsamples": 1}, "'n_subsamples' parameter"),
        ({"confidence": 1}, "'confidence' parameter"),
        ({"gain": 1}, "'gain' parameter"),
        ({"progress": 1}, "'progress' parameter"),
        ({"k": 1000}, "Layer 1 has 1000 spatial filters"),
        ({"max_filters": 10}, "too few"),
    ],
)
def test_bad_parameters(net, kwargs, match):
    with pytest.raises(ValueError, match=match):
        topology_profile(net, **{**FAST, **kwargs})


def test_too_few_filters_is_refused_before_any_work():
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 900, 3), torch.nn.Conv2d(900, 1, 1), torch.nn.Conv2d(1, 8, 3)
    )
    with pytest.raises(ValueError, match="Layer 3 has 8 spatial filters"):
        topology_profile(net, progress=True)  # would take long if layers 1 and 2 ran first


def test_sources_state_dict_file_mapping_and_list(net, profile, tmp_path):
    path = tmp_path / "net.pt"
    torch.save(net.state_dict(), path)
    from_file = topology_profile(path, **FAST).table
    pd.testing.assert_frame_equal(_rows(from_file), _rows(profile.table))
    from_mapping = topology_profile(str(path), 2, **FAST).table
    pd.testing.assert_frame_equal(_rows(from_mapping), _rows(profile.table.iloc[[1]]))
    pooled = topology_profile([net, net.state_dict()], 1, **FAST).table
    assert pooled["n_filters"].iloc[0] == 2000
    assert pooled["shape"].iloc[0] == "circle"


def test_network_ensemble():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 1, 28, 28)).astype(np.float32), np.arange(40) % 10
    estimator = make_classifier("M(64,4,16)", max_iter=1, batch_size=20)
    ensemble = NetworkEnsemble(estimator, n_networks=3, random_state=0).fit(X, y)
    profile = topology_profile(ensemble, **FAST).table
    assert profile["n_filters"].tolist() == [3 * 64, 3 * 4 * 64]
    assert profile["shape"].notna().all()


def test_other_kernel_sizes_have_their_edge_energy():
    profile = topology_profile(_circle_net(300, kernel=5), 2, **FAST).table
    assert 0 < profile["edge_energy"].iloc[0] < 0.2  # random 5 x 5 filters: 2 / 24 on average
    assert profile["n_filters"].iloc[0] == 300
    assert 0 < profile["null_p_value"].iloc[0] <= 1  # the null draws 5 x 5 random filters


def test_kernel_array_source():
    kernel = _circle_net()[0].weight.detach().numpy()
    profile = topology_profile(kernel, **FAST).table
    assert profile["layer"].tolist() == [1] and profile["shape"].iloc[0] == "circle"


def test_progress_bar_over_layers(net, capsys):
    topology_profile(net, 1, **{**FAST, "progress": True})
    assert "topology profile" in capsys.readouterr().err
    topology_profile(net, 1, **FAST)
    assert capsys.readouterr().err == ""


def test_import_sktopo_profile_loads_neither_torch_nor_pandas():
    code = textwrap.dedent("""
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] in ("torch", "pandas"):
                    raise ImportError("blocked " + name)

        sys.meta_path.insert(0, Block())
        import sktopo, sktopo.profile, sktopo.plotting
        print(sktopo.topology_profile is sktopo.profile.topology_profile)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_plot_topology_profile(profile):
    axes = plot_topology_profile(profile)
    assert [ax.get_title() for ax in axes] == ["layer 1", "layer 2"]
    assert "circle" in axes[0].texts[-1].get_text() and "none" in axes[1].texts[-1].get_text()
    assert [label.get_text() for label in axes[0].get_yticklabels()] == ["H1"]
    assert axes[0].texts[0].get_text().endswith("1 significant")  # plot_barcodes' band bracket
    axes[0].figure.savefig(io.BytesIO(), format="png")
    _, given_axes = plt.subplots(1, 1)
    assert plot_topology_profile(profile.select(2), axes=[given_axes])[0] is given_axes
    plt.close("all")


def test_plot_topology_profile_bad_input(profile):
    with pytest.raises(TypeError, match="must be a TopologyProfile"):
        plot_topology_profile(profile.table)
    with pytest.raises(ValueError, match="'kind' parameter"):
        plot_topology_profile(profile, kind="graph")
    with pytest.raises(ValueError, match="kind must be one of"):
        ProfileDisplay(profile, kind="graph").plot()
    _, ax = plt.subplots(1, 1)
    with pytest.raises(ValueError, match="one matplotlib Axes per layer"):
        plot_topology_profile(profile, axes=[ax])
    plt.close("all")


def test_the_primary_circle_needs_a_circle_found_and_edges():
    from sktopo.profile import PRIMARY_EDGE_ENERGY, shows_primary_circle

    rows = pd.DataFrame(
        {"verdict": ["found", "found", "found", "borderline"], "edge_energy": [0.5, 0.49, np.nan, 0.9]}
    )
    assert PRIMARY_EDGE_ENERGY == 0.5
    assert shows_primary_circle(rows).tolist() == [True, False, False, False]  # NaN (2 x 2): never
    assert shows_primary_circle(rows, min_edge_energy=0.4).tolist() == [True, True, False, False]
    with pytest.raises(TypeError, match="lacks 'edge_energy'"):
        shows_primary_circle(rows[["verdict"]])


def test_profile_display_keeps_its_panels_and_barcodes(profile):
    display = profile.plot()
    assert isinstance(display, ProfileDisplay)
    assert len(display.axes_) == len(display.panels_) == len(profile)
    assert all(bars.ax_ is ax for bars, ax in zip(display.panels_, display.axes_))
    assert display.figure_ is display.axes_[0].figure
    assert [ax.get_title() for ax in display.axes_] == [f"layer {layer}" for layer in profile.layers]
    with pytest.raises(ValueError, match="one matplotlib Axes per layer"):
        ProfileDisplay(profile).plot(axes=[display.axes_[0]])
    plt.close("all")


def test_profile_display_of_mapper_graphs(profile):
    display = ProfileDisplay.from_result(profile, kind="mapper")
    assert [type(panel).__name__ for panel in display.panels_] == ["MapperGraphDisplay"] * 2
    assert [panel.mapper for panel in display.panels_] == [profile.evidence[i].mapper for i in (1, 2)]
    assert [ax.get_title() for ax in display.axes_] == ["layer 1", "layer 2"]
    plt.close("all")


def test_layers_without_spatial_structure_are_skipped_with_a_reason():
    from sktopo.filterbanks import primary_circle

    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 200, 3),
        torch.nn.Conv2d(200, 4, 1),  # 1 x 1: 800 one-pixel filters
        torch.nn.Conv2d(4, 50, (1, 3)),  # 3 pixels: a circle whatever the weights
        torch.nn.Conv2d(50, 2, 3),  # all zero
        torch.nn.Conv2d(2, 300, 3),  # a circle, with 100 zero filters among its 600
    )
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(primary_circle(200)).unsqueeze(1))
        net[3].weight.zero_()
        net[4].weight.copy_(torch.tensor(primary_circle(600)).reshape(300, 2, 3, 3))
        net[4].weight[:50].zero_()
    with pytest.warns(UserWarning, match=r"Layer 5: 100 of 600 spatial filters are constant"):
        profile = topology_profile(net, **FAST)
    table = profile.table
    assert table["verdict"].tolist()[:4] == ["found", "skipped", "skipped", "skipped"]
    assert table["shape"][4] == "circle" and table["verdict"][4] != "skipped"  # analysed, zeros left out
    assert table["skipped"][0] == table["skipped"][4] == ""
    assert table["skipped"][1].startswith(
        "1 × 1 kernels: spatial filters of 1 pixel(s), fewer than MIN_PIXELS=4"
    )
    assert "they are on a circle whatever the weights" in table["skipped"][2]
    assert table["skipped"][3].startswith("100 of 100 spatial filters are constant (all-zero included)")
    assert table["n_filters"].tolist() == [200, 800, 200, 100, 600]
    assert table["n_used"].tolist() == [200, 0, 0, 0, 500] and table["h1_top"][1:4].isna().all()
    assert (
        list(profile.evidence) == [1, 5]
        and list(profile.verdicts) == [1, 5]
        and profile.layers == [1, 2, 3, 4, 5]
    )
    assert profile.select([2, 5]).layers == [2, 5] and list(profile.select([2, 5]).evidence) == [5]
    display = profile.plot()
    assert display.panels_[1] is None and "skipped" in display.axes_[1].texts[0].get_text()
    plt.close("all")


#: Small settings for a torchvision network's first layer, built at random initialization.
NAMED = dict(layers=[1], n_subsamples=3, n_null=19, n_landmarks=60, max_filters=600, progress=False)


def test_a_torchvision_model_by_name_at_random_initialization(monkeypatch):
    from sktopo.nn import torchvision_model

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_download)
    before = torch.get_rng_state()
    by_name = topology_profile("mobilenet_v3_small", **NAMED, random_state=0).table
    assert torch.equal(torch.get_rng_state(), before)
    assert by_name[["layer", "layer_name", "n_filters"]].values.tolist() == [[1, "features.0.0", 16 * 3]]
    pd.testing.assert_frame_equal(
        _rows(by_name), _rows(topology_profile("mobilenet_v3_small", **NAMED, random_state=0).table)
    )
    model = torchvision_model("mobilenet_v3_small", random_state=0)
    pd.testing.assert_frame_equal(
        _rows(by_name), _rows(topology_profile(model, **NAMED, random_state=0).table)
    )


def test_an_existing_path_wins_over_a_model_name(net, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    torch.save(net.state_dict(), tmp_path / "resnet18")
    table = topology_profile("resnet18", 1, **FAST).table
    assert table["n_filters"].tolist() == [1000]  # the file's first layer, not resnet18's 3 x 64
    with pytest.raises(
        FileNotFoundError, match=r"No weights file at 'resnet181', nor a network .*'resnet18'"
    ):
        topology_profile("resnet181", **FAST)
    with pytest.raises(FileNotFoundError, match="No weights file at"):
        topology_profile(tmp_path / "resnet34", **FAST)  # a path object is never a name
