import json
import os
import re
import shutil
import subprocess

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sktopo import FilterNormalizer, Mapper
from sktopo.datasets import make_circle_filters
from sktopo.plotting import plot_mapper_graph, save_mapper_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
    "--window-size=900,900",
]


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


def test_plot_bad_arguments(mapper):
    with pytest.raises(TypeError, match=r"fitted sktopo\.mapper\.Mapper"):
        plot_mapper_graph("graph")
    with pytest.raises(ValueError, match="n_filters must be an int >= 0"):
        plot_mapper_graph(mapper, n_filters=-1)
    with pytest.raises(Exception, match="not fitted"):
        plot_mapper_graph(Mapper())


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


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_html_renders_in_headless_chromium(mapper, tmp_path, tmp_path_factory):
    page = save_mapper_html(mapper, tmp_path / "mapper.html")
    profile = tmp_path / "profile"
    common = [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    dom = subprocess.run(
        [*common, "--dump-dom", f"file://{page}"], capture_output=True, text=True, timeout=120
    )
    assert f'data-rendered="{mapper.graph_.number_of_nodes()}"' in dom.stdout
    assert dom.stdout.count('class="node"') == mapper.graph_.number_of_nodes()
    errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert errors == []
    screenshot = tmp_path / "mapper.png"
    subprocess.run(
        [*common, f"--screenshot={screenshot}", f"file://{page}"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    pixels = plt.imread(screenshot)[..., :3]
    coloured = np.abs(pixels - pixels.mean(axis=2, keepdims=True)).max(axis=2) > 0.2
    assert coloured.sum() > 200  # the coloured nodes, not a blank page
    # kept as a test artefact, outside the repository
    artefacts = os.environ.get("SKTOPO_TEST_ARTEFACTS", tmp_path_factory.getbasetemp() / "artefacts")
    os.makedirs(artefacts, exist_ok=True)
    shutil.copy(screenshot, os.path.join(artefacts, "mapper_html_screenshot.png"))


def test_plot_barcodes():
    from sktopo.plotting import plot_barcodes

    diagrams = [np.array([[0, 0.5], [0, 0.2], [0, np.inf]]), np.array([[0.2, 1.3], [0.3, 0.4]])]
    _, ax = plt.subplots()
    assert plot_barcodes(diagrams, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == ["H0", "H1"]
    segments = [seg for collection in ax.collections for seg in collection.get_segments()]
    assert len(segments) == 5
    assert max(seg[1][0] for seg in segments) == pytest.approx(1.3 * 1.05)  # the infinite bar
    assert plot_barcodes(diagrams, dims=[1]).get_yticklabels()[0].get_text() == "H1"
    with pytest.raises(ValueError, match="non-empty list"):
        plot_barcodes([])
    with pytest.raises(ValueError, match="dims must be"):
        plot_barcodes(diagrams, dims=[2])
    plt.close("all")
