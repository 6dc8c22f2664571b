"""The interactive Mapper view (pan, zoom, hover) as an HTML fragment, and as one offline page."""

import html
import json
import os

import numpy as np

from .._validation import validate_params
from ..mapper import check_mapper_fitted
from ._mapper import describe, filter_side, named_colormap, node_positions

__all__ = ["MAPPER_VIEW_STYLE", "mapper_view_fragment", "save_mapper_html"]

#: The view's styles, once per page; each view is a ``div.sktopo-mapper`` sized by its page.
MAPPER_VIEW_STYLE = """
.sktopo-mapper { position: relative; overflow: hidden; }
.sktopo-mapper svg { width: 100%; height: 100%; cursor: grab; display: block; }
.sktopo-mapper .sktopo-tip { position: absolute; display: none; pointer-events: none; background: #fff;
  border: 1px solid #999; padding: 6px; box-shadow: 0 1px 4px #0003; font: 13px sans-serif; z-index: 1; }
.sktopo-mapper .sktopo-tip canvas { display: block; margin-top: 4px; image-rendering: pixelated;
  border: 1px solid #ccc; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; font: 13px sans-serif; background: #fff; }}
#mapper {{ height: 100%; }}
#title {{ position: absolute; left: 10px; top: 8px; color: #333; z-index: 1; }}
{style}</style></head>
<body><div id="title">{title} &middot; drag to pan, wheel to zoom, hover a node</div>
{view}
</body></html>
"""

_FRAGMENT = """<div class="sktopo-mapper" id="{element_id}"><svg xmlns="http://www.w3.org/2000/svg"></svg>\
<div class="sktopo-tip"></div></div>
<script>
((root) => {{
const DATA = {data};
{script}
}})(document.getElementById({element_id_js}));
</script>"""

# Everything the script touches hangs off ``root``, its own container: views on one page never clash.
_SCRIPT = """const svg = root.querySelector("svg"), tip = root.querySelector(".sktopo-tip");
const NS = "http://www.w3.org/2000/svg";
const xs = DATA.nodes.map(n => n.x), ys = DATA.nodes.map(n => n.y);
const pad = 0.08 * Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 1e-9);
let view = [Math.min(...xs) - pad, Math.min(...ys) - pad,
            Math.max(...xs) - Math.min(...xs) + 2 * pad, Math.max(...ys) - Math.min(...ys) + 2 * pad];
const unit = Math.max(view[2], view[3]) / 400;
function setView() { svg.setAttribute("viewBox", view.join(" ")); }
const edges = document.createElementNS(NS, "g"), nodes = document.createElementNS(NS, "g");
svg.append(edges, nodes);
for (const [a, b] of DATA.edges) {
  const line = document.createElementNS(NS, "line");
  const p = DATA.nodes[a], q = DATA.nodes[b];
  line.setAttribute("x1", p.x); line.setAttribute("y1", p.y);
  line.setAttribute("x2", q.x); line.setAttribute("y2", q.y);
  line.setAttribute("stroke", "#999"); line.setAttribute("stroke-width", unit * 0.6);
  edges.append(line);
}
const largest = Math.max(...DATA.nodes.map(n => n.size), 1);
DATA.nodes.forEach((n, i) => {
  const c = document.createElementNS(NS, "circle");
  c.setAttribute("cx", n.x); c.setAttribute("cy", n.y);
  c.setAttribute("r", unit * (2 + 4 * Math.sqrt(n.size / largest)));
  c.setAttribute("fill", n.color); c.setAttribute("class", "node");
  c.addEventListener("mouseenter", e => showTip(e, i));
  c.addEventListener("mousemove", moveTip);
  c.addEventListener("mouseleave", () => { tip.style.display = "none"; });
  nodes.append(c);
});
function showTip(event, i) {
  const n = DATA.nodes[i];
  tip.textContent = "node " + i + ": " + n.size + " rows";
  if (n.filter) {
    const side = DATA.side, scale = 12, canvas = document.createElement("canvas");
    canvas.width = canvas.height = side * scale;
    const ctx = canvas.getContext("2d"), lo = Math.min(...n.filter), hi = Math.max(...n.filter);
    n.filter.forEach((v, k) => {
      const g = Math.round(255 * (v - lo) / ((hi - lo) || 1));
      ctx.fillStyle = "rgb(" + g + "," + g + "," + g + ")";
      ctx.fillRect((k % side) * scale, Math.floor(k / side) * scale, scale, scale);
    });
    tip.append(canvas);
  }
  tip.style.display = "block"; moveTip(event);
}
function moveTip(e) {
  const r = root.getBoundingClientRect();
  tip.style.left = (e.clientX - r.left + 12) + "px"; tip.style.top = (e.clientY - r.top + 12) + "px";
}
let drag = null;
svg.addEventListener("mousedown", e => { drag = [e.clientX, e.clientY, view[0], view[1]]; });
window.addEventListener("mouseup", () => { drag = null; });
window.addEventListener("mousemove", e => {
  if (!drag) return;
  const s = view[2] / svg.clientWidth;
  view[0] = drag[2] - (e.clientX - drag[0]) * s; view[1] = drag[3] - (e.clientY - drag[1]) * s; setView();
});
svg.addEventListener("wheel", e => {
  e.preventDefault();
  const f = e.deltaY > 0 ? 1.15 : 1 / 1.15, r = svg.getBoundingClientRect();
  const mx = view[0] + view[2] * (e.clientX - r.left) / r.width, my = view[1] + view[3] * (e.clientY - r.top) / r.height;
  view = [mx - (mx - view[0]) * f, my - (my - view[1]) * f, view[2] * f, view[3] * f]; setView();
}, { passive: false });
setView();
root.dataset.rendered = DATA.nodes.length;"""


def _view_data(mapper, cmap: str) -> dict:
    """The nodes (position, size, colour, mean filter) and edges that the view's script draws."""
    colormap = named_colormap(cmap)
    graph, positions = mapper.graph_, node_positions(mapper)
    index = {node: i for i, node in enumerate(graph.nodes)}
    sizes = np.array([d["size"] for _, d in graph.nodes(data=True)], dtype=float)
    colours = colormap((sizes - sizes.min()) / (np.ptp(sizes) or 1.0)) if len(sizes) else []
    side = filter_side(mapper.n_features_in_)
    return {
        "side": side,
        "nodes": [
            {
                "x": float(positions[n][0]),
                "y": -float(positions[n][1]),
                "size": int(d["size"]),
                "color": "#" + "".join(f"{int(255 * c):02x}" for c in colour[:3]),
                "filter": [round(float(v), 5) for v in d["mean"]] if side else None,
            }
            for (n, d), colour in zip(graph.nodes(data=True), colours)
        ],
        "edges": [[index[a], index[b]] for a, b in graph.edges],
    }


def mapper_view_fragment(mapper, element_id: str, *, cmap: str = "jet") -> str:
    """The interactive view of a fitted Mapper graph: a ``div`` and the inline script that draws in it.

    The script reaches only its own ``div`` (``id=element_id``), so a page may hold several views
    with different ids. The page must include :data:`MAPPER_VIEW_STYLE` once and give each
    ``div.sktopo-mapper`` a height. Once drawn, the ``div`` carries ``data-rendered``, its number
    of nodes.

    Parameters
    ----------
    mapper : Mapper
        A fitted :class:`~sktopo.mapper.Mapper`.
    element_id : str
        The ``id`` of the view's ``div``, unique on its page.
    cmap : str, default="jet"
        Name of a matplotlib colour map, for node size.

    Returns
    -------
    fragment : str
        HTML, to place in a page's body.

    Examples
    --------
    >>> from sktopo import Mapper
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.plotting._html import mapper_view_fragment
    >>> mapper = Mapper(resolution=8).fit(make_circle_filters(300, random_state=0))
    >>> mapper_view_fragment(mapper, "view-1").startswith('<div class="sktopo-mapper" id="view-1">')
    True
    """
    check_mapper_fitted(mapper)
    data = json.dumps(_view_data(mapper, cmap)).replace("</", "<\\/")
    element_id_js = json.dumps(element_id).replace("</", "<\\/")
    return _FRAGMENT.format(
        element_id=html.escape(element_id), element_id_js=element_id_js, data=data, script=_SCRIPT
    )


@validate_params(
    {"mapper": "no_validation", "path": [str, os.PathLike], "title": [str, None], "cmap": [str]},
    prefer_skip_nested_validation=True,
)
def save_mapper_html(mapper, path, *, title=None, cmap="jet") -> str:
    """Write a fitted Mapper graph to one self-contained, offline HTML file.

    The page needs no network: its script, styles and data are inline. Drag to pan, use the
    wheel to zoom; hovering a node shows its number of rows and its mean filter as a picture.
    Nodes are coloured by size, blue (fewest rows) to red (most), as in the paper.

    Parameters
    ----------
    mapper : Mapper
        A fitted :class:`~sktopo.mapper.Mapper`.
    path : str or os.PathLike
        Where to write the file.
    title : str, default=None
        Page title; a description of the Mapper when None.
    cmap : str, default="jet"
        Name of a matplotlib colour map, for node size.

    Returns
    -------
    path : str
        The path written.

    See Also
    --------
    sktopo.plotting.Report.mapper_view : The same view, in a run's report.

    Examples
    --------
    >>> import tempfile, os
    >>> from sktopo import Mapper
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.plotting import save_mapper_html
    >>> mapper = Mapper(resolution=8).fit(make_circle_filters(300, random_state=0))
    >>> out = save_mapper_html(mapper, os.path.join(tempfile.mkdtemp(), "mapper.html"))
    >>> "http" in open(out).read().split("<script>")[1].replace("http://www.w3.org", "")
    False
    """
    view = mapper_view_fragment(mapper, "mapper", cmap=cmap)
    title = title or f"{describe(mapper)} of {len(mapper.lens_)} points"
    page = _PAGE.format(title=html.escape(title), style=MAPPER_VIEW_STYLE, view=view)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return os.fspath(path)
