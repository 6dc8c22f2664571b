import ast
import json
import os
import pathlib
import re
import shutil

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.exceptions import NotFittedError

import sktopo.plotting
from sktopo import FilterNormalizer, Mapper
from sktopo.datasets import make_circle_filters
from sktopo.mapper import Cover
from sktopo.plotting import node_positions, plot_barcodes, plot_mapper_graph, save_mapper_html


@pytest.fixture(scope="module")
def mapper():
    X = FilterNormalizer().fit_transform(make_circle_filters(800, noise=0.1, random_state=0))
    return Mapper(resolution=10, gain=3).fit(X)


def test_plot_mapper_graph(mapper):
    fig, ax = plt.subplots()
    assert plot_mapper_graph(mapper, ax=ax, n_filters=6) is ax
    assert len(ax.child_axes) == 6  # the mean-filter pictures
    picture = ax.child_axes[0].images[0].get_array()
    assert picture.shape == (3, 3)
    nodes = ax.collections[1]
    sizes = [d["size"] for _, d in mapper.graph_.nodes(data=True)]
    np.testing.assert_array_equal(nodes.get_array(), sizes)
    assert nodes.get_cmap().name == "jet"  # blue (few rows) to red (many)
    plt.close(fig)


def test_plot_without_filters_and_with_a_new_figure(mapper):
    ax = plot_mapper_graph(mapper, n_filters=0)
    assert ax.child_axes == []
    plt.close(ax.figure)


def test_mean_filters_only_for_square_filters(tmp_path):
    X = FilterNormalizer().fit_transform(make_circle_filters(300, noise=0.1, random_state=0))[:, :8]
    mapper = Mapper(resolution=6).fit(X)
    assert plot_mapper_graph(mapper, n_filters=4).child_axes == []
    _, data = _page_data(save_mapper_html(mapper, tmp_path / "m.html"))
    assert data["side"] is None and {node["filter"] is None for node in data["nodes"]} == {True}
    plt.close("all")


def test_titles_describe_the_fitted_cover(mapper, tmp_path):
    assert plot_mapper_graph(mapper, n_filters=0).get_title().startswith("Mapper(10, 3): ")
    with_cover = Mapper(cover=Cover(7, 2.5)).fit(mapper.lens_)
    text, _ = _page_data(save_mapper_html(with_cover, tmp_path / "m.html"))
    assert f"<title>Mapper(7, 2.5) of {len(mapper.lens_)} points</title>" in text
    plt.close("all")


def test_plotting_imports_no_private_name_of_another_package():
    # sktopo._validation is the one module meant for every sktopo package (scikit-learn's helpers)
    private = []
    for path in pathlib.Path(sktopo.plotting.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level != 1 and node.module != "_validation":
                names = [*(node.module or "").split("."), *(alias.name for alias in node.names)]
                private += [(path.name, node.module, name) for name in names if name.startswith("_")]
    assert private == []


def _page_data(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return text, json.loads(re.search(r"const DATA = (.*);\n", text).group(1))


def test_html_is_self_contained(mapper, tmp_path):
    text, data = _page_data(save_mapper_html(mapper, tmp_path / "m.html", title="<circle>"))
    assert len(data["nodes"]) == mapper.graph_.number_of_nodes()
    assert len(data["edges"]) == mapper.graph_.number_of_edges()
    assert len(data["nodes"][0]["filter"]) == 9 and data["side"] == 3
    assert "&lt;circle&gt;" in text
    for reference in ("src=", "href=", "@import", "url(", "fetch(", "XMLHttpRequest"):
        assert reference not in text


def test_html_renders_in_headless_chromium(mapper, tmp_path, tmp_path_factory, chromium):
    rendered = chromium(save_mapper_html(mapper, tmp_path / "mapper.html"))
    assert f'data-rendered="{mapper.graph_.number_of_nodes()}"' in rendered.dom
    assert rendered.dom.count('class="node"') == mapper.graph_.number_of_nodes()
    assert rendered.errors == []
    assert rendered.coloured > 200  # the coloured nodes, not a blank page
    # kept as a test artefact, outside the repository
    artefacts = os.environ.get("SKTOPO_TEST_ARTEFACTS", tmp_path_factory.getbasetemp() / "artefacts")
    os.makedirs(artefacts, exist_ok=True)
    shutil.copy(rendered.screenshot, os.path.join(artefacts, "mapper_html_screenshot.png"))


def test_plot_barcodes():
    diagrams = [np.array([[0, 0.5], [0, 0.2], [0, np.inf]]), np.array([[0.2, 1.3], [0.3, 0.4]])]
    _, ax = plt.subplots()
    assert plot_barcodes(diagrams, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["H0", "H1"]
    segments = [seg for collection in ax.collections for seg in collection.get_segments()]
    assert len(segments) == 5
    assert max(seg[1][0] for seg in segments) == pytest.approx(1.3 * 1.05)  # the infinite bar
    assert plot_barcodes(diagrams, dims=[1]).get_yticklabels()[0].get_text() == "H1"
    empty = plot_barcodes([np.empty((0, 2)), np.array([[0.1, 0.2]])])  # ripser's diagram of no bars
    assert [t.get_text() for t in empty.get_yticklabels()] == ["H0", "H1"]
    plt.close("all")


_BARS = [np.array([[0, 0.5], [0, 0.2], [0, np.inf]]), np.array([[0.2, 1.3], [0.3, 0.4]])]


def _full_and_faded(ax):
    """The bars drawn in full colour and those faded, as sorted (birth, end) pairs, rounded."""
    bars = {None: [], 0.3: []}
    for collection in ax.collections:
        bars[collection.get_alpha()] += [tuple(np.round(seg[:, 0], 6)) for seg in collection.get_segments()]
    return sorted(bars[None]), sorted(bars[0.3])


@pytest.mark.parametrize(
    "band, faded, labels",
    [
        (0.15, [(0, 0.2), (0.3, 0.4)], ["threshold 0.3, 2 significant", "threshold 0.3, 1 significant"]),
        # a bar exactly 2 * band long is not significant (as ConfidenceBand.n_significant counts)
        ([0.25, 0], [(0, 0.2), (0, 0.5)], ["threshold 0.5, 1 significant", "threshold 0, 2 significant"]),
        (
            np.array([0.3, 0.6]),
            [(0, 0.2), (0, 0.5), (0.2, 1.3), (0.3, 0.4)],
            ["threshold 0.6, 1 significant", "threshold 1.2, 0 significant"],
        ),
        (np.float64(0), [], ["threshold 0, 3 significant", "threshold 0, 2 significant"]),
    ],
)
def test_plot_barcodes_fades_the_bars_inside_the_band(band, faded, labels):
    ax = plot_barcodes(_BARS, band=band)
    full, drawn_faded = _full_and_faded(ax)
    assert drawn_faded == faded
    assert len(full) + len(faded) == 5
    assert (0, round(1.3 * 1.05, 6)) in full  # the infinite bar is always significant
    assert [text.get_text() for text in ax.texts] == labels
    widths = np.broadcast_to(band, 2)
    brackets = [line.get_xdata() for line in ax.lines if line.get_color() == "grey"]
    np.testing.assert_allclose(brackets, [[0, 2 * widths[0]], [0, 2 * widths[1]]])
    plt.close("all")


def test_plot_barcodes_band_of_the_drawn_dimensions():
    ax = plot_barcodes(_BARS, dims=[1], band=[0.0, 0.3])
    assert _full_and_faded(ax) == ([(0.2, 1.3)], [(0.3, 0.4)])
    assert [text.get_text() for text in ax.texts] == ["threshold 0.6, 1 significant"]
    wide = plot_barcodes(_BARS, band=2.0)  # the bracket, longer than every bar, stays in view
    assert wide.get_xlim()[1] >= 4.0
    assert _full_and_faded(wide)[1] == [(0, 0.2), (0, 0.5), (0.2, 1.3), (0.3, 0.4)]
    without = plot_barcodes(_BARS)
    assert len(_full_and_faded(without)[0]) == 5 and len(without.texts) == 0
    plt.close("all")


_FINE = [np.array([[0.0, 1.0]])]


@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        (plot_mapper_graph, {"mapper": "graph"}, TypeError, r"fitted sktopo\.mapper\.Mapper; got str"),
        (plot_mapper_graph, {"mapper": Mapper()}, NotFittedError, "not fitted"),
        (plot_mapper_graph, {"n_filters": -1}, ValueError, "'n_filters' parameter"),
        (plot_mapper_graph, {"n_filters": True}, ValueError, "'n_filters' parameter"),
        (plot_mapper_graph, {"n_filters": 2.0}, ValueError, "'n_filters' parameter"),
        (
            plot_mapper_graph,
            {"cmap": "no such map"},
            ValueError,
            "cmap must be the name of a matplotlib colour map",
        ),
        (plot_mapper_graph, {"filter_size": 0}, ValueError, "'filter_size' parameter"),
        (plot_mapper_graph, {"ax": "axes"}, ValueError, "'ax' parameter"),
        (node_positions, {"random_state": "seed"}, ValueError, "'random_state' parameter"),
        (node_positions, {"mapper": 3}, TypeError, "fitted sktopo.mapper.Mapper; got int"),
        (save_mapper_html, {"mapper": "graph"}, TypeError, r"fitted sktopo\.mapper\.Mapper; got str"),
        (save_mapper_html, {"mapper": Mapper()}, NotFittedError, "not fitted"),
        (
            save_mapper_html,
            {"cmap": "no such map"},
            ValueError,
            "cmap must be the name of a matplotlib colour map",
        ),
        (save_mapper_html, {"path": None}, ValueError, "'path' parameter"),
        (save_mapper_html, {"path": "/no/such/folder/m.html"}, FileNotFoundError, "/no/such/folder/m.html"),
        (save_mapper_html, {"title": 3}, ValueError, "'title' parameter"),
        (plot_barcodes, {"diagrams": []}, ValueError, "diagrams must be a non-empty list"),
        (plot_barcodes, {"diagrams": np.array([[0.0, 1.0]])}, ValueError, "'diagrams' parameter"),
        (
            plot_barcodes,
            {"diagrams": [[[0.0, 1.0, 2.0]]]},
            ValueError,
            r"diagrams\[0\] must have shape \(n_bars, 2\).*got \(1, 3\)",
        ),
        (
            plot_barcodes,
            {"diagrams": [[0.0, 1.0, 2.0]]},
            ValueError,
            r"diagrams\[0\] must have shape \(n_bars, 2\).*got \(3,\)",
        ),
        (
            plot_barcodes,
            {"diagrams": [*_FINE, [[np.nan, 1.0]]]},
            ValueError,
            r"diagrams\[1\] must have finite births",
        ),
        (
            plot_barcodes,
            {"diagrams": [[[np.inf, np.inf]]]},
            ValueError,
            r"diagrams\[0\] must have finite births",
        ),
        (
            plot_barcodes,
            {"diagrams": [[[0.0, np.nan]]]},
            ValueError,
            r"diagrams\[0\] must have deaths at least their births",
        ),
        (
            plot_barcodes,
            {"diagrams": [[[1.0, 0.5]]]},
            ValueError,
            r"diagrams\[0\] must have deaths at least their births",
        ),
        (
            plot_barcodes,
            {"diagrams": [[["a", "b"]]]},
            TypeError,
            r"diagrams\[0\] must be an array of numbers",
        ),
        (plot_barcodes, {"diagrams": _FINE, "dims": [1]}, ValueError, r"dims must be dimensions of diagrams"),
        (
            plot_barcodes,
            {"diagrams": _FINE, "dims": [True]},
            ValueError,
            r"dims must be dimensions of diagrams",
        ),
        (plot_barcodes, {"diagrams": _FINE, "colors": "red"}, ValueError, "'colors' parameter"),
        (
            plot_barcodes,
            {"diagrams": _FINE, "colors": []},
            ValueError,
            "colors must hold at least one colour",
        ),
        (plot_barcodes, {"diagrams": _FINE, "ax": "axes"}, ValueError, "'ax' parameter"),
        (plot_barcodes, {"diagrams": _FINE, "band": -0.1}, ValueError, r"band must hold non-negative finite"),
        (
            plot_barcodes,
            {"diagrams": _FINE, "band": np.inf},
            ValueError,
            r"band must hold non-negative finite",
        ),
        (
            plot_barcodes,
            {"diagrams": _FINE, "band": [np.nan]},
            ValueError,
            r"band must hold non-negative finite",
        ),
        (
            plot_barcodes,
            {"diagrams": _FINE, "band": [0.1, 0.2]},
            ValueError,
            r"band must be a float or hold one half-width per diagram \(1\); got shape \(2,\)",
        ),
        (plot_barcodes, {"diagrams": _FINE, "band": [[0.1]]}, ValueError, r"one half-width per diagram"),
        (plot_barcodes, {"diagrams": _FINE, "band": []}, ValueError, r"one half-width per diagram"),
        (
            plot_barcodes,
            {"diagrams": [*_FINE, *_FINE], "band": [0.1, [0.2]]},
            ValueError,
            r"band must be a float",
        ),
        (plot_barcodes, {"diagrams": _FINE, "band": "wide"}, ValueError, "'band' parameter"),
        (
            plot_barcodes,
            {"diagrams": _FINE, "band": ["0.1"]},
            TypeError,
            r"band must be a float or an array of floats",
        ),
        (
            plot_barcodes,
            {"diagrams": _FINE, "band": True},
            TypeError,
            r"band must be a float or an array of floats",
        ),
        (
            plot_barcodes,
            {"diagrams": _FINE, "band": [None]},
            TypeError,
            r"band must be a float or an array of floats",
        ),
    ],
)
def test_bad_input(mapper, tmp_path, function, kwargs, error, match):
    defaults = {plot_mapper_graph: {"mapper": mapper}, node_positions: {"mapper": mapper}}
    defaults[save_mapper_html] = {"mapper": mapper, "path": tmp_path / "m.html"}
    with pytest.raises(error, match=match):
        function(**{**defaults.get(function, {}), **kwargs})
    plt.close("all")


def test_mapper_graph_display_keeps_its_figure_and_can_leave_the_colour_bar_out():
    from sktopo.plotting import MapperGraphDisplay

    mapper = Mapper(resolution=8).fit(make_circle_filters(300, random_state=0))
    with_bar = MapperGraphDisplay.from_estimator(mapper, n_filters=0)
    assert with_bar.colorbar_ is not None and len(with_bar.figure_.axes) == 2  # the graph and its colour bar
    assert with_bar.nodes_.get_offsets().shape == (mapper.graph_.number_of_nodes(), 2)
    figure, ax = plt.subplots()
    without = MapperGraphDisplay(mapper, node_positions(mapper)).plot(ax, n_filters=0, colorbar=False)
    assert without.ax_ is ax and without.figure_ is figure and without.colorbar_ is None
    assert figure.axes == [ax]
    assert len(plot_mapper_graph(mapper, colorbar=False, n_filters=0).figure.axes) == 1
    with pytest.raises(ValueError, match=r"'colorbar' parameter of MapperGraphDisplay\.plot"):
        without.plot(colorbar="no")


def test_barcode_display_from_result_marks_what_the_rule_marks():
    from sktopo.homology import significance
    from sktopo.plotting import BarcodeDisplay

    X = FilterNormalizer().fit_transform(make_circle_filters(200, noise=0.1, random_state=0))
    result = significance(X, n_draws=19, n_subsamples=5, n_landmarks=None, random_state=0)
    display = BarcodeDisplay.from_result(result, dims=[1])
    label = display.ax_.texts[0].get_text()
    assert label == f"threshold {result.thresholds[1]:.2g}, {result.n_significant[1]} significant"
    assert display.figure_ is display.ax_.figure
    same = plot_barcodes(result.diagrams, band=result.thresholds / 2, dims=[1])
    assert same.texts[0].get_text() == label
    unreachable = significance(X, n_draws=9, n_subsamples=3, n_landmarks=None, random_state=0)
    assert np.isinf(unreachable.thresholds).all()  # 9 draws cannot reach alpha = 0.05
    undrawn = BarcodeDisplay.from_result(unreachable, dims=[1])
    assert undrawn.band is None and not undrawn.ax_.texts  # no bracket for a threshold none can reach


def test_barcode_display_checks_what_it_draws():
    from sktopo.plotting import BarcodeDisplay

    display = BarcodeDisplay([np.array([[0.0, 1.0]])])
    with pytest.raises(ValueError, match=r"'colors' parameter of BarcodeDisplay\.plot"):
        display.plot(colors="red")
    with pytest.raises(ValueError, match=r"'ax' parameter of BarcodeDisplay\.plot"):
        display.plot(ax="x")
