"""One layer's analysis as the command reports it: the verdict in short, readable numbers, the figures."""

import os

from ..homology import finite_lifetimes
from ..mapper import graph_summary
from ..profile import shows_circle, shows_primary_circle
from ._summary import jsonable

#: What each column of a profile (and each other number the report shows) means, as the report labels it.
LABELS = {
    "layer": "layer (1-based, among the conv layers)",
    "layer_name": "layer name",
    "n_filters": "spatial filters in the layer",
    "n_used": "spatial filters used (a random subsample beyond --max-filters)",
    "k": "k of the density filtration ρ(k, p)",
    "p": "p of ρ(k, p): the share kept",
    "n_dense": "rows of the dense core",
    "h1_top": "longest H1 bar (lifetime)",
    "h1_second": "second-longest H1 bar",
    "band": "confidence band (half-width over half-samples)",
    "threshold": "significance threshold: max(2 × band, what random filters reach)",
    "n_significant_h1": "significant H1 bars",
    "null_p_value": "p-value of the longest bar against random filters",
    "null_ratio": "longest bar ÷ the median longest bar of random filters",
    "covariance_p_value": "p-value against Gaussian filters of the layer's covariance",
    "shape": "shape named from the significant bars",
    "edge_energy": "edge energy (1: pure edges; random 3 × 3 filters: 0.25)",
    "mapper_loops": "Mapper loops (at the report's resolution)",
    "mapper_one_loop_share": "share of Mapper resolutions with exactly one loop",
    "verdict": "verdict",
    "margin": "margin: how far the longest bar clears the threshold",
    "seconds": "seconds",
    "skipped": "not analysed because",
    "mapper_n_nodes": "Mapper nodes",
    "mapper_n_edges": "Mapper edges",
    "mapper_n_components": "Mapper connected components",
    "found_circle": "found a circle",
    "primary_circle": "found the primary circle (a circle of edges)",
    "test_accuracy": "mean test accuracy of the networks",
}

#: The headline of each verdict level.
HEADLINES = {
    "found": "This run FOUND a circle",
    "borderline": "This run found a circle only BORDERLINE",
    "not_found": "This run did NOT find a circle",
    "too_small": "This run is TOO SMALL to tell whether there is a circle",
}


def layer_rows(table) -> list[dict]:
    """A profile's table as JSON records: summary.json's ``layers``, named as ``profile.csv``'s columns."""
    return jsonable(table)


def measured(table, topology) -> dict:
    """What a one-layer report shows besides its row: the bars, the Mapper graph, the circle criteria."""
    graph = graph_summary(topology.mapper.graph_)
    return jsonable(
        {
            "h1_lifetimes": finite_lifetimes(topology.diagrams[1]).tolist(),
            "mapper_n_nodes": graph["n_nodes"],
            "mapper_n_edges": graph["n_edges"],
            "mapper_n_components": graph["n_components"],
            "found_circle": bool(shows_circle(table).iloc[0]),
            "primary_circle": bool(shows_primary_circle(table).iloc[0]),
        }
    )


def verdict(row: dict, numbers: dict, reasons) -> tuple[str, list[str]]:
    """A layer's verdict in plain words: a headline and a short list (reasons, shape, edge energy, caveats).

    ``row`` is the layer's record (:func:`layer_rows`), ``numbers`` its :func:`measured`,
    ``reasons`` those of its :func:`~sktopo.homology.circle_verdict`.
    """
    level, energy = row["verdict"], row["edge_energy"]
    head = HEADLINES[level]
    if level == "found" and energy is None:
        head += "; whether it is the primary circle of edges is not tested on these kernels"
    elif level == "found" and numbers["primary_circle"]:
        head = "This run FOUND the paper's primary circle: a circle of edge filters"
    elif level == "found":
        head += ", but not of edge filters: not the paper's primary circle"
    items = list(reasons)
    items.append(f"shape named from the significant bars: {row['shape']!r}")
    if energy is not None:
        items.append(
            f"edge energy {energy:.0%}: the share of the dense core's energy in the plane of the linear "
            "edges (100% for pure edges; 2 / (h·w − 1) on average for random h × w filters)"
        )
    else:
        items.append(
            "edge energy not defined: 2 × 2 kernels (where random filters hold 2/3 of their energy in the "
            "plane of the edges) or kernels one pixel wide"
        )
    if level == "too_small":
        items.append("too small to judge: the run cannot tell; a larger run can (see the reasons above)")
    return head, items


def say_verdict(head: str, items: list[str]) -> str:
    """The verdict as the command prints it: the headline, then one line per item."""
    return head + "\n" + "\n".join(f"- {item}" for item in items)


def labelled(mapping: dict) -> dict:
    """``mapping`` for a table: readable names (:data:`LABELS`), nested keys joined by a colon, lists as text."""
    flat = {}
    for key, value in mapping.items():
        name = LABELS.get(key, str(key).replace("_", " "))
        if isinstance(value, dict):
            flat |= {f"{name}: {inner}": v for inner, v in labelled(value).items()}
        elif isinstance(value, (list, tuple)):
            flat[name] = ", ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in value) or "none"
        else:
            flat[name] = value
    return flat


def add_layer(report, topology, out: str) -> list[str]:
    """The figures of one layer into ``report`` and as PNG files in ``out``; their names.

    The dense core beside the idealized primary circle, the barcodes with their threshold, the
    random-filter null with the longest bar, and the Mapper graph (a picture and a view).
    """
    from ..plotting import BarcodeDisplay, DenseCoreDisplay, NullDisplay, plot_mapper_graph

    name, significance = f"layer {topology.layer}", topology.verdict.significance[2]
    figures = [
        (
            DenseCoreDisplay.from_core(topology.dense, kernel_size=topology.kernel_size).figure_,
            "dense_core.png",
            f"The dense core of {name} on its first two principal components (dots), beside the paper's "
            "idealized primary circle of edges in the same plane (line): a ring around the line is the "
            "primary circle",
        ),
        (
            BarcodeDisplay.from_result(significance).figure_,
            "barcodes.png",
            f"Barcodes of the dense core of {name}: bars longer than the grey bracket (the significance "
            "threshold, max(2 × band, what random filters reach)) are significant",
        ),
        (
            NullDisplay.from_comparison(topology.null, threshold=significance.thresholds[1]).figure_,
            "null.png",
            f"The longest H1 bar of {name} (line) against the longest bars of clouds of random filters put "
            "through the same pipeline (histogram): a real loop stands far to the right",
        ),
        (
            plot_mapper_graph(topology.mapper).figure,
            "mapper.png",
            f"Mapper graph of the dense core of {name}, with mean filters; nodes coloured by size (blue: "
            "few, red: many)" + _crowded(topology),
        ),
    ]
    for figure, file, caption in figures:
        add_figure(report, figure, caption, os.path.join(out, file))
    report.mapper_view(topology.mapper, f"The same Mapper graph of {name}, interactive")
    return [file for _, file, _ in figures]


def _crowded(topology) -> str:
    """A caveat for a Mapper graph with more nodes than the core has points; else ""."""
    n_nodes, n_points = topology.mapper.graph_.number_of_nodes(), len(topology.dense)
    if n_nodes <= n_points:
        return ""
    return (
        f". It has more nodes ({n_nodes}) than the core has points ({n_points}): the cover is too fine for "
        "so few points, so read its shape with care (a lower --resolution draws a coarser graph)"
    )


def add_figure(report, figure, caption: str, path: str) -> None:
    """``figure`` into ``report`` and saved at ``path``, then closed."""
    import matplotlib.pyplot as plt

    report.figure(figure, caption, path=path)
    plt.close(figure)


def provenance(report, args, summary: dict) -> None:
    """How the run was made, into ``report``: the command line, when, how long, the versions."""
    from ._summary import command_line

    report.heading("How this run was made")
    report.code(command_line(args), caption="The command")
    report.table(
        {"started (UTC)": summary["started"], "seconds": round(summary["timings"]["total_seconds"], 1)}
        | {f"{name} version": version for name, version in args.versions.items()}
    )


def finish(report, args, summary: dict, files) -> str:
    """The parameters, timings and provenance into ``report``; report.html and summary.json written.

    Returns the report's path.
    """
    from ._args import retire
    from ._summary import write_summary

    report.heading("Parameters")
    report.table(labelled(summary["parameters"]))
    report.heading("Timings")
    report.table({key.replace("_", " "): f"{value:.1f}" for key, value in summary["timings"].items()})
    provenance(report, args, summary)
    path = report.save(os.path.join(args.out, "report.html"))
    retire(args, write_summary(args.out, summary, [*files, "report.html"]))
    return path
