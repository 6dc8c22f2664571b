"""One self-contained, offline HTML file showing a Mapper graph, with pan, zoom and hover."""

import html
import json
import os

import numpy as np

from .._validation import validate_params
from ..mapper import check_mapper_fitted
from ._mapper import describe, filter_side, named_colormap, node_positions

__all__ = ["save_mapper_html"]

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
html, body {{ margin: 0; height: 100%; font: 13px sans-serif; background: #fff; }}
#graph {{ width: 100%; height: 100%; cursor: grab; display: block; }}
#tip {{ position: absolute; display: none; pointer-events: none; background: #fff;
        border: 1px solid #999; padding: 6px; box-shadow: 0 1px 4px #0003; }}
#tip canvas {{ display: block; margin-top: 4px; image-rendering: pixelated; border: 1px solid #ccc; }}
#title {{ position: absolute; left: 10px; top: 8px; color: #333; }}
</style></head>
<body><div id="title">{title} &middot; drag to pan, wheel to zoom, hover a node</div>
<svg id="graph" xmlns="http://www.w3.org/2000/svg"></svg><div id="tip"></div>
<script>
const DATA = {data};
{script}
</script></body></html>
"""

_SCRIPT = """
const svg = document.getElementById("graph"), tip = document.getElementById("tip");
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
function moveTip(e) { tip.style.left = (e.pageX + 12) + "px"; tip.style.top = (e.pageY + 12) + "px"; }
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
document.body.dataset.rendered = DATA.nodes.length;
"""


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
    check_mapper_fitted(mapper)
    colormap = named_colormap(cmap)
    graph, positions = mapper.graph_, node_positions(mapper)
    index = {node: i for i, node in enumerate(graph.nodes)}
    sizes = np.array([d["size"] for _, d in graph.nodes(data=True)], dtype=float)
    colours = colormap((sizes - sizes.min()) / (np.ptp(sizes) or 1.0)) if len(sizes) else []
    side = filter_side(mapper.n_features_in_)
    data = {
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
    title = title or f"{describe(mapper)} of {len(mapper.lens_)} points"
    page = _PAGE.format(title=html.escape(title), data=json.dumps(data).replace("</", "<\\/"), script=_SCRIPT)
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return os.fspath(path)
