"""One self-contained HTML file per run: its parameters, timings, figures, numbers and verdict."""

import base64
import html
import io
import math
import os
import sys
from collections.abc import Mapping
from numbers import Integral, Real

from .._validation import StrOptions, validate_params
from ..homology import LEVELS
from ._html import MAPPER_VIEW_STYLE, mapper_view_fragment

__all__ = ["Report"]

#: Each verdict level in words, as the box shows it.
LEVEL_WORDS = {
    "found": "found",
    "borderline": "borderline",
    "not_found": "not found",
    "too_small": "too small to judge",
}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ margin: 0 auto; max-width: 1000px; padding: 16px 24px; font: 15px/1.45 sans-serif; color: #222; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }}
.verdict {{ margin: 12px 0; padding: 12px 16px; border-left: 8px solid; border-radius: 4px; font-size: 1.1em; }}
.verdict .level {{ margin: 0 0 4px; font-size: 1.25em; font-weight: bold; text-transform: uppercase; letter-spacing: 0.04em; }}
.verdict .headline {{ margin: 0; white-space: pre-line; }} .verdict ul {{ margin: 6px 0 0; font-size: 0.9em; }}
.verdict.found {{ background: #e8f5e9; border-color: #2e7d32; }} .verdict.found .level {{ color: #1b5e20; }}
.verdict.borderline {{ background: #fff8e1; border-color: #ffb300; }} .verdict.borderline .level {{ color: #8d6e00; }}
.verdict.not-found {{ background: #fbe9e7; border-color: #e64a19; }} .verdict.not-found .level {{ color: #bf360c; }}
.verdict.too-small {{ background: #f2f2f2; border-color: #9e9e9e; }} .verdict.too-small .level {{ color: #555; }}
pre {{ margin: 8px 0 16px; padding: 8px 12px; background: #f6f8fa; border: 1px solid #ddd; border-radius: 4px; overflow-x: auto; }}
figure.code {{ margin: 8px 0 16px; }} figure.code pre {{ margin: 4px 0 0; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
caption {{ text-align: left; font-weight: bold; padding-bottom: 4px; }}
th, td {{ border: 1px solid #ccc; padding: 3px 10px; text-align: left; }}
th {{ background: #f3f3f3; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 16px 0; }} figure img {{ max-width: 100%; height: auto; }}
figcaption {{ color: #555; font-size: 0.9em; }}
.sktopo-mapper {{ height: 560px; border: 1px solid #ddd; }}
footer {{ margin-top: 32px; color: #888; font-size: 0.85em; }}
{mapper_style}</style></head>
<body>
<h1>{title}</h1>
{body}
<footer>Written by sktopo; a single file that needs no network.</footer>
<script>
(() => {{
const body = document.body, images = document.querySelectorAll("figure img");
let loaded = 0;
const count = img => {{ if (img.naturalWidth > 0) {{ img.dataset.loaded = "true"; body.dataset.figuresLoaded = ++loaded; }} }};
body.dataset.figures = images.length; body.dataset.figuresLoaded = 0;
images.forEach(img => img.complete ? count(img) : img.addEventListener("load", () => count(img)));
body.dataset.mapperViews = document.querySelectorAll(".sktopo-mapper").length;
body.dataset.mapperViewsRendered = document.querySelectorAll(".sktopo-mapper[data-rendered]").length;
}})();
</script></body></html>
"""


class Report:
    """One self-contained, offline HTML page of a run, built item by item.

    Items appear in the order they are added, except verdicts, which open the page under its
    title. Text is escaped, never read as HTML. Figures are inline PNG pictures and the Mapper
    view's script and data are inline too, so the single file opens anywhere without a network.
    Once the page has loaded, its ``body`` carries ``data-figures`` (pictures in the page),
    ``data-figures-loaded`` (those decoded, of nonzero width), ``data-mapper-views`` and
    ``data-mapper-views-rendered``.

    Parameters
    ----------
    title : str, default="sktopo report"
        The page's title and top heading.

    See Also
    --------
    save_mapper_html : The interactive Mapper view alone, as a page.

    Examples
    --------
    >>> import os, tempfile
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> from sktopo.plotting import Report
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> report = Report(title="A <small> run")
    >>> report.heading("Parameters")
    >>> report.table({"k": 200, "p": 0.3}, caption="Density filter")
    >>> report.figure(fig, "A line")
    >>> report.verdict("A line.", level="found", items=["It goes down.", "It is straight."])
    >>> report.code("sktopo analyze weights.pt --layer 1", caption="To run it again")
    >>> path = report.save(os.path.join(tempfile.mkdtemp(), "report.html"))
    >>> "<h1>A &lt;small&gt; run</h1>" in open(path, encoding="utf-8").read()
    True
    >>> plt.close(fig)
    """

    @validate_params({"title": [str]}, prefer_skip_nested_validation=True)
    def __init__(self, title="sktopo report"):
        self.title = title
        self._verdicts = []
        self._items = []
        self._n_views = 0

    @validate_params(
        {"headline": [str], "level": [StrOptions(set(LEVELS))], "items": [list, tuple]},
        prefer_skip_nested_validation=True,
    )
    def verdict(self, headline, *, level, items=()) -> None:
        """Add a verdict box under the title: its level in words, the headline, then the items.

        The box is coloured by level: green for ``"found"``, amber for ``"borderline"``,
        orange-red for ``"not_found"`` and grey for ``"too_small"``; its ``div`` has the classes
        ``verdict`` and the level with a hyphen (``not-found``), and ``data-level`` the level.

        Parameters
        ----------
        headline : str
            The verdict, in plain words; line breaks are kept.
        level : {"found", "borderline", "not_found", "too_small"}
            One of :data:`sktopo.homology.LEVELS`, shown as "found", "borderline", "not found"
            or "too small to judge".
        items : list or tuple of str, default=()
            Why, one reason or number per item: a bulleted list under the headline; none when empty.

        Raises
        ------
        TypeError
            If an item is not a str.
        """
        others = [type(item).__name__ for item in items if not isinstance(item, str)]
        if others:
            raise TypeError(f"items must be a list or tuple of str; got one holding {others[0]}.")
        bullets = "".join(f"<li>{_escape(item)}</li>" for item in items)
        self._verdicts.append(
            f'<div class="verdict {level.replace("_", "-")}" data-level="{level}">'
            f'<p class="level">{LEVEL_WORDS[level]}</p><p class="headline">{_escape(headline)}</p>'
            + (f"<ul>{bullets}</ul>" if bullets else "")
            + "</div>"
        )

    @validate_params({"text": [str], "caption": [str, None]}, prefer_skip_nested_validation=True)
    def code(self, text, caption=None) -> None:
        """Add preformatted text, such as a command line, in a fixed-width block.

        Parameters
        ----------
        text : str
            Shown as it is: spaces and line breaks kept, escaped.
        caption : str, default=None
            Shown above the block.
        """
        caption = "" if caption is None else f"<figcaption>{_escape(caption)}</figcaption>"
        self._items.append(f'<figure class="code">{caption}<pre><code>{_escape(text)}</code></pre></figure>')

    @validate_params({"text": [str]}, prefer_skip_nested_validation=True)
    def heading(self, text) -> None:
        """Add a section heading.

        Parameters
        ----------
        text : str
        """
        self._items.append(f"<h2>{_escape(text)}</h2>")

    @validate_params({"text": [str]}, prefer_skip_nested_validation=True)
    def paragraph(self, text) -> None:
        """Add a paragraph of plain text.

        Parameters
        ----------
        text : str
        """
        self._items.append(f"<p>{_escape(text)}</p>")

    @validate_params({"data": "no_validation", "caption": [str, None]}, prefer_skip_nested_validation=True)
    def table(self, data, caption=None) -> None:
        """Add a table: a DataFrame, a dict (as name and value) or a list of dicts (one per row).

        Numbers are right-aligned and floats written with 4 significant digits; None and NaN are
        written as a dash. A DataFrame's index is shown unless it is the default 0, 1, 2... without
        a name.

        Parameters
        ----------
        data : pandas.DataFrame, dict or list of dict
            The rows. A list of dicts has a column for every key, in the order first seen.
        caption : str, default=None
            Shown above the table.
        """
        columns, rows = _columns_and_rows(data)
        head = "".join(f"<th>{_escape(str(c))}</th>" for c in columns)
        lines = ["<tr>" + "".join(_cell(value) for value in row) + "</tr>" for row in rows]
        caption = "" if caption is None else f"<caption>{_escape(caption)}</caption>"
        self._items.append(
            f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"
        )

    @validate_params(
        {"fig": "no_validation", "caption": [str], "path": [str, os.PathLike, None]},
        prefer_skip_nested_validation=True,
    )
    def figure(self, fig, caption, *, path=None) -> None:
        """Add a matplotlib figure as an inline PNG picture, its caption as alternative text.

        The figure is drawn now (later changes to it do not show) and left open.

        Parameters
        ----------
        fig : matplotlib Figure
            For an Axes ``ax``, pass ``ax.figure``.
        caption : str
            Shown under the picture.
        path : str or os.PathLike, default=None
            Where to write the same PNG as a file too; no file when None.
        """
        from matplotlib.figure import Figure

        if not isinstance(fig, Figure):
            raise TypeError(
                f"fig must be a matplotlib Figure (ax.figure for an Axes); got {type(fig).__name__}."
            )
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        png = buffer.getvalue()
        if path is not None:
            with open(path, "wb") as f:
                f.write(png)
        source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        alt = _escape(caption)
        self._items.append(f'<figure><img src="{source}" alt="{alt}"><figcaption>{alt}</figcaption></figure>')

    @validate_params(
        {"mapper": "no_validation", "caption": [str], "cmap": [str]}, prefer_skip_nested_validation=True
    )
    def mapper_view(self, mapper, caption, *, cmap="jet") -> None:
        """Add the interactive view of a fitted Mapper graph: drag to pan, wheel to zoom, hover a node.

        It is the view that :func:`save_mapper_html` writes as a page of its own.

        Parameters
        ----------
        mapper : Mapper
            A fitted :class:`~sktopo.mapper.Mapper`.
        caption : str
            Shown under the view.
        cmap : str, default="jet"
            Name of a matplotlib colour map, for node size.
        """
        view = mapper_view_fragment(mapper, f"mapper-view-{self._n_views + 1}", cmap=cmap)
        self._n_views += 1
        hint = "drag to pan, wheel to zoom, hover a node"
        self._items.append(
            f'<figure class="mapper">{view}<figcaption>{_escape(caption)} &middot; {hint}</figcaption></figure>'
        )

    def to_html(self) -> str:
        """The page, as text.

        Returns
        -------
        html : str
        """
        return _PAGE.format(
            title=_escape(self.title),
            body="\n".join(self._verdicts + self._items),
            mapper_style=MAPPER_VIEW_STYLE if self._n_views else "",
        )

    @validate_params({"path": [str, os.PathLike]}, prefer_skip_nested_validation=True)
    def save(self, path) -> str:
        """Write the page to ``path``, in UTF-8.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        path : str
            The path written.
        """
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_html())
        return os.fspath(path)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _columns_and_rows(data) -> tuple[list, list]:
    """The header and the rows of a DataFrame, a dict or a list of dicts."""
    pandas = sys.modules.get("pandas")  # a DataFrame means pandas is loaded: sktopo never loads it here
    if pandas is not None and isinstance(data, pandas.DataFrame):
        if data.index.names != [None] or list(data.index) != list(range(len(data))):
            data = data.reset_index()
        return list(data.columns), list(data.itertuples(index=False, name=None))
    if isinstance(data, Mapping):
        return ["name", "value"], list(data.items())
    wanted = "data must be a pandas DataFrame, a dict or a list of dicts; got"
    if not isinstance(data, list):
        raise TypeError(f"{wanted} {type(data).__name__}.")
    others = [type(row).__name__ for row in data if not isinstance(row, Mapping)]
    if others:
        raise TypeError(f"{wanted} a list holding {others[0]}.")
    columns = list(dict.fromkeys(key for row in data for key in row))
    return columns, [[row.get(key) for key in columns] for row in data]


def _cell(value) -> str:
    """One table cell: numbers right-aligned, floats to 4 significant digits, None and NaN as a dash."""
    if value is None or (isinstance(value, Real) and math.isnan(value)):
        return "<td>&mdash;</td>"
    if isinstance(value, Real) and not isinstance(value, bool):
        text = str(int(value)) if isinstance(value, Integral) else f"{value:.4g}"
        return f'<td class="num">{text}</td>'
    return f"<td>{_escape(str(value))}</td>"
