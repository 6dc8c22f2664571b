import base64
import io
import os
import re
import shutil

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.exceptions import NotFittedError

from sktopo import FilterNormalizer, Mapper
from sktopo.datasets import make_circle_filters
from sktopo.plotting import Report, plot_barcodes, plot_mapper_graph

_HOSTILE = '<b id="x">&amp;'  # must show as text, never become markup
_ESCAPED = "&lt;b id=&quot;x&quot;&gt;&amp;amp;"


@pytest.fixture(scope="module")
def mapper():
    X = FilterNormalizer().fit_transform(make_circle_filters(300, noise=0.1, random_state=0))
    return Mapper(resolution=8, gain=3).fit(X)


@pytest.fixture
def full_report(mapper):
    report = Report(title="sktopo demo: circle filters")
    report.heading("Parameters")
    report.table({"resolution": 8, "gain": 3}, caption="Mapper")
    mapper_figure = plot_mapper_graph(mapper, n_filters=4).figure
    report.figure(mapper_figure, "Mapper graph with mean filters")
    bars = [np.array([[0, 0.5], [0, np.inf]]), np.array([[0.2, 1.3], [0.3, 0.4]])]
    report.figure(plot_barcodes(bars, band=0.1).figure, "Barcodes with the band")
    report.mapper_view(mapper, "The same graph, interactive")
    report.mapper_view(mapper, "A second view on the same page")
    report.verdict("The primary circle was found.", level="found", items=["1 significant H1 bar"])
    yield report
    plt.close("all")


def _cells(page):
    """Each table of the page as rows of cell texts, header row first."""
    return [
        [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
        for table in re.findall(r"<table>(.*?)</table>", page)
    ]


def test_items_in_order_and_verdicts_first():
    report = Report(title="run")
    report.heading("Parameters")
    report.paragraph("Some words.")
    report.code("sktopo analyze w.pt")
    report.verdict("Not found.", level="not_found")
    report.verdict("Found.", level="found")
    page = report.to_html()
    places = [
        page.index(s)
        for s in (
            "<h1>run</h1>",
            '<p class="headline">Not found.</p>',
            '<p class="headline">Found.</p>',
            "<h2>Parameters</h2>",
            "<p>Some words.</p>",
            "<pre><code>sktopo analyze w.pt</code></pre>",
        )
    ]
    assert places == sorted(places)
    assert "<title>run</title>" in page
    assert ".sktopo-mapper svg" not in page  # the view's styles come only with a view


def test_text_is_escaped_everywhere(mapper):
    report = Report(title=_HOSTILE)
    report.verdict(_HOSTILE, level="borderline", items=[_HOSTILE])
    report.code(_HOSTILE, caption=_HOSTILE)
    report.heading(_HOSTILE)
    report.paragraph(_HOSTILE)
    report.table([{_HOSTILE: _HOSTILE}], caption=_HOSTILE)
    fig = plt.figure()
    report.figure(fig, _HOSTILE)
    report.mapper_view(mapper, _HOSTILE)
    page = report.to_html()
    assert _HOSTILE not in page
    # title twice, verdict and its item, code and its caption, heading, paragraph, table caption,
    # header and cell, alt and caption, view
    assert page.count(_ESCAPED) == 14
    assert f'alt="{_ESCAPED}"' in page
    plt.close(fig)


@pytest.mark.parametrize(
    "level, css, words, items",
    [
        ("found", "found", "found", ["1 significant H1 bar", "p = 0.01 against 99 random draws"]),
        ("borderline", "borderline", "borderline", ["the bar clears the threshold by 0.01"]),
        ("not_found", "not-found", "not found", []),
        ("too_small", "too-small", "too small to judge", ("12 rows", "fewer than 50", "no barcode")),
    ],
)
def test_verdict_box_per_level(level, css, words, items):
    report = Report()
    report.verdict("Line one\nline two", level=level, items=items)
    page = report.to_html()
    box = re.search(r'<div class="verdict ([a-z-]+)" data-level="([a-z_]+)">(.*?)</div>', page, re.S)
    assert box[1] == css and box[2] == level
    assert re.search(
        rf"\.verdict\.{css} {{ background: #[0-9a-f]{{6}}; border-color: #[0-9a-f]{{6}}; }}", page
    )
    assert box[3].startswith(f'<p class="level">{words}</p><p class="headline">Line one\nline two</p>')
    assert re.findall(r"<li>(.*?)</li>", box[3]) == list(items)
    assert ("<ul>" in box[3]) == bool(items)


def test_verdict_colours_differ_by_level():
    rule = r"\.verdict\.([a-z-]+) \{ background: (#[0-9a-f]{6}); border-color: (#[0-9a-f]{6}); \}"
    colours = re.findall(rule, Report().to_html())
    assert [c[0] for c in colours] == ["found", "borderline", "not-found", "too-small"]
    assert len({c[1] for c in colours}) == 4 and len({c[2] for c in colours}) == 4


def test_code_keeps_the_text_as_it_is():
    report = Report()
    report.code("sktopo analyze \\\n    weights.pt --layer 1", caption="To run it again")
    report.code("sktopo demo")
    page = report.to_html()
    assert (
        '<figure class="code"><figcaption>To run it again</figcaption>'
        "<pre><code>sktopo analyze \\\n    weights.pt --layer 1</code></pre></figure>"
    ) in page
    assert '<figure class="code"><pre><code>sktopo demo</code></pre></figure>' in page


def test_table_forms():
    report = Report()
    report.table({"k": 200, "p": 0.3, "seed": None, "exact": True, "name": "circle"})
    report.table([{"H": 0, "measured": 1.0 / 3}, {"H": 1, "paper": 2.5e-7, "measured": np.nan}])
    report.table(pd.DataFrame({"measured": [np.float32(0.5), 12345.678]}))
    report.table(pd.DataFrame({"measured": [1, 2]}, index=pd.Index(["b0", "b1"], name="bar")))
    by_name, by_row, plain, indexed = _cells(report.to_html())
    assert by_name == [
        ["name", "value"],
        ["k", "200"],
        ["p", "0.3"],
        ["seed", "&mdash;"],
        ["exact", "True"],
        ["name", "circle"],
    ]
    assert by_row == [["H", "measured", "paper"], ["0", "0.3333", "&mdash;"], ["1", "&mdash;", "2.5e-07"]]
    assert plain == [["measured"], ["0.5"], ["1.235e+04"]]
    assert indexed == [["bar", "measured"], ["b0", "1"], ["b1", "2"]]
    numbers = re.findall(r'<td class="num">(.*?)</td>', report.to_html())
    assert numbers == ["200", "0.3", "0", "0.3333", "1", "2.5e-07", "0.5", "1.235e+04", "1", "2"]


def test_self_contained(full_report):
    page = full_report.to_html()
    for reference in (
        'src="http',
        "src='http",
        'href="http',
        "@import",
        "url(http",
        "fetch(",
        "XMLHttpRequest",
    ):
        assert reference not in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 2 and all(s.startswith("data:image/png;base64,") for s in sources)
    assert page.count('<div class="sktopo-mapper" id="mapper-view-') == 2
    assert {"mapper-view-1", "mapper-view-2"} == set(re.findall(r'id="(mapper-view-\d)"', page))


def test_figures_decode_and_save_the_same_png(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.plot([0, 1], [1, 0], color="red")
    report = Report()
    report.figure(fig, "first", path=tmp_path / "first.png")
    report.figure(fig, "second")
    sources = re.findall(r'src="data:image/png;base64,([^"]*)"', report.to_html())
    pngs = [base64.b64decode(s) for s in sources]
    assert pngs[0] == (tmp_path / "first.png").read_bytes() == pngs[1]
    assert sorted(os.listdir(tmp_path)) == ["first.png"]
    pixels = plt.imread(io.BytesIO(pngs[0]))
    assert pixels.ndim == 3 and pixels.shape[2] == 4 and 0 < pixels.shape[0] < pixels.shape[1] <= 150
    red = (pixels[..., 0] > 0.8) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    assert red.sum() > 20  # the line, drawn
    plt.close(fig)


def test_save_writes_utf8_and_returns_a_str(tmp_path):
    report = Report(title="ρ(k, p) ≈ 0.3")
    path = report.save(tmp_path / "report.html")
    assert path == str(tmp_path / "report.html")
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == report.to_html()
    assert "<h1>ρ(k, p) ≈ 0.3</h1>" in report.to_html()


@pytest.mark.parametrize(
    "method, args, kwargs, error, match",
    [
        (None, (3,), {}, ValueError, "'title' parameter of Report"),
        ("verdict", ("words",), {"level": "yes"}, ValueError, "'level' parameter of Report.verdict"),
        ("verdict", ("words",), {"level": "not found"}, ValueError, "'level' parameter of Report.verdict"),
        ("verdict", ("words",), {"level": True}, ValueError, "'level' parameter of Report.verdict"),
        (
            "verdict",
            ("w",),
            {"level": "found", "found": True},
            TypeError,
            "unexpected keyword argument 'found'",
        ),
        ("verdict", (None,), {"level": "found"}, ValueError, "'headline' parameter of Report.verdict"),
        (
            "verdict",
            ("w",),
            {"level": "found", "items": "why"},
            ValueError,
            "'items' parameter of Report.verdict",
        ),
        (
            "verdict",
            ("w",),
            {"level": "found", "items": ["a", 2]},
            TypeError,
            "items must be a list or tuple of str",
        ),
        ("code", (None,), {}, ValueError, "'text' parameter of Report.code"),
        ("code", ("sktopo",), {"caption": 3}, ValueError, "'caption' parameter of Report.code"),
        ("heading", (1,), {}, ValueError, "'text' parameter of Report.heading"),
        ("paragraph", (["words"],), {}, ValueError, "'text' parameter of Report.paragraph"),
        ("table", ("name, value",), {}, TypeError, "data must be a pandas DataFrame, .* got str"),
        ("table", ([{"a": 1}, 2],), {}, TypeError, "got a list holding int"),
        ("table", ({"a": 1},), {"caption": 2}, ValueError, "'caption' parameter of Report.table"),
        ("figure", ("axes", "caption"), {}, TypeError, r"fig must be a matplotlib Figure \(ax.figure"),
        ("figure", ("figure", None), {}, ValueError, "'caption' parameter of Report.figure"),
        ("figure", ("figure", "c"), {"path": 3}, ValueError, "'path' parameter of Report.figure"),
        ("figure", ("figure", "c"), {"path": "/no/such/folder/f.png"}, FileNotFoundError, "/no/such"),
        ("mapper_view", ("graph", "c"), {}, TypeError, r"fitted sktopo\.mapper\.Mapper; got str"),
        ("mapper_view", ("unfitted", "c"), {}, NotFittedError, "not fitted"),
        ("mapper_view", ("mapper", None), {}, ValueError, "'caption' parameter of Report.mapper_view"),
        ("mapper_view", ("mapper", "c"), {"cmap": "no such map"}, ValueError, "name of a matplotlib colour"),
        ("save", (None,), {}, ValueError, "'path' parameter of Report.save"),
    ],
)
def test_bad_input(mapper, method, args, kwargs, error, match):
    fig, ax = plt.subplots()
    stand_ins = {"axes": ax, "figure": fig, "mapper": mapper, "unfitted": Mapper()}
    args = [stand_ins.get(a, a) if isinstance(a, str) else a for a in args]
    report = Report()
    with pytest.raises(error, match=match):
        Report(*args) if method is None else getattr(report, method)(*args, **kwargs)
    assert report.to_html() == Report().to_html()  # nothing half-added
    plt.close(fig)


def test_renders_in_headless_chromium(full_report, mapper, tmp_path, tmp_path_factory, chromium):
    page = full_report.save(tmp_path / "report.html")
    rendered = chromium(page, window=(1000, 3000))
    n_nodes = mapper.graph_.number_of_nodes()
    body = re.search(r"<body[^>]*>", rendered.dom).group(0)
    for attribute in ('data-figures="2"', 'data-figures-loaded="2"', 'data-mapper-views="2"'):
        assert attribute in body
    assert 'data-mapper-views-rendered="2"' in body
    assert rendered.dom.count(f'data-rendered="{n_nodes}"') == 2
    assert rendered.dom.count('class="node"') == 2 * n_nodes
    assert rendered.errors == []
    assert rendered.coloured > 5000  # the figures and the views' nodes, not only the verdict's border
    artefacts = os.environ.get("SKTOPO_TEST_ARTEFACTS", tmp_path_factory.getbasetemp() / "artefacts")
    os.makedirs(artefacts, exist_ok=True)
    shutil.copy(rendered.screenshot, os.path.join(artefacts, "report_screenshot.png"))
    # the count can fail: a picture that does not decode is not counted
    broken = tmp_path / "broken.html"
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    broken.write_text(
        text.replace("data:image/png;base64,", "data:image/png;base64,AAAA", 1), encoding="utf-8"
    )
    assert 'data-figures-loaded="1"' in chromium(broken).dom
