"""One layer's analysis as the command reports it: the verdict, the numbers, the figures, summary.json."""

import json
import math
import os

import numpy as np

from ..homology import finite_lifetimes
from ..mapper import graph_summary
from ..profile import shows_circle, shows_primary_circle


def measured(profile, topology) -> dict:
    """The numbers of a one-row profile and its evidence; NaN (an undefined ratio) as None."""
    row, graph = profile.iloc[0], graph_summary(topology.mapper.graph_)
    numbers = {key: row[key] for key in ("layer", "layer_name", "n_filters", "n_used", "k", "p", "n_dense")}
    numbers |= {
        "h1_lifetimes": finite_lifetimes(topology.diagrams[1]).tolist(),
        "h1_top": row.h1_top,
        "band": row.band,
        "significance_threshold": row.threshold,
        "n_significant_h1": row.n_significant_h1,
        "null_p_value": row.null_p_value,
        "null_ratio": row.null_ratio,
        "covariance_p_value": row.covariance_p_value,
        "shape": row["shape"],
        "edge_energy": row.edge_energy,
        "mapper_n_nodes": graph["n_nodes"],
        "mapper_n_edges": graph["n_edges"],
        "mapper_n_components": graph["n_components"],
        "mapper_n_loops": row.mapper_loops,
        "mapper_one_loop_share": row.mapper_one_loop_share,
        "verdict_level": topology.circle.level,
        "verdict_reasons": list(topology.circle.reasons),
        "verdict_margin": topology.circle.margin,
        "found_circle": bool(shows_circle(profile).iloc[0]),
        "primary_circle": bool(shows_primary_circle(profile).iloc[0]),
    }
    return jsonable(numbers)


#: The headline of each verdict level.
HEADLINES = {
    "found": "This run FOUND a circle",
    "borderline": "This run found a circle only BORDERLINE",
    "not_found": "This run did NOT find a circle",
    "too_small": "This run is TOO SMALL to tell whether there is a circle",
}


def verdict(numbers: dict) -> str:
    """A plain-language verdict: the level, its reasons, and which circle where one is found."""
    level, energy = numbers["verdict_level"], numbers["edge_energy"]
    head = HEADLINES[level]
    if level == "found" and energy is None:
        head += (
            "; its filters are 2 × 2 (where random filters hold 2/3 of their energy in the plane of the "
            "edges) or one pixel wide, so whether it is the primary circle of edges is not tested"
        )
    elif level == "found" and numbers["primary_circle"]:
        head = "This run FOUND the paper's primary circle: a circle of edge filters"
    elif level == "found":
        head += ", but not of edge filters: not the paper's primary circle"
    edges = (
        ""
        if energy is None
        else f"the dense core's filters hold {energy:.0%} of their energy in the plane of the linear edges "
        "(100% for pure edges; on average 2 / (h·w − 1) for random h × w filters: 25% at 3 × 3, 4% at 7 × 7)"
    )
    reasons = [
        *numbers["verdict_reasons"],
        f"the shape named from the significant bars is {numbers['shape']!r}",
    ]
    reasons += [edges] if edges else []
    return f"{head} (verdict: {level}).\n" + "\n".join(f"- {reason}" for reason in reasons)


def add_layer(report, topology, out: str) -> None:
    """The figures of one layer into ``report`` (and as PNG files in ``out``): Mapper, its view, barcodes."""
    import matplotlib.pyplot as plt

    from ..plotting import BarcodeDisplay, plot_mapper_graph

    name = f"layer {topology.layer}"
    ax = plot_mapper_graph(topology.mapper)
    caption = f"Mapper graph of the dense core of {name}, with mean filters; nodes coloured by size (blue: few, red: many)"
    report.figure(ax.figure, caption, path=os.path.join(out, "mapper.png"))
    plt.close(ax.figure)
    report.mapper_view(topology.mapper, f"The same Mapper graph of {name}, interactive")
    ax = BarcodeDisplay.from_result(topology.verdict.significance[2]).ax_
    caption = (
        f"Barcodes of the dense core of {name}: bars longer than the grey bracket (the significance threshold, "
        "max(2 x band, what random filters reach)) are significant"
    )
    report.figure(ax.figure, caption, path=os.path.join(out, "barcodes.png"))
    plt.close(ax.figure)


def jsonable(value):
    """``value`` as strict JSON data: numpy scalars as Python's, NaN and infinities as None, DataFrames as records."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return jsonable(value.to_dict(orient="records"))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def finish(report, out: str, summary: dict) -> str:
    """``summary``'s parameters and timings into ``report``; summary.json and report.html written in ``out``.

    Returns the report's path.
    """
    report.heading("Parameters")
    report.table(summary["parameters"])
    report.heading("Timings")
    report.table({key: f"{value:.1f}" for key, value in summary["timings"].items()})
    write_summary(out, summary)
    return report.save(os.path.join(out, "report.html"))


def write_summary(out: str, summary: dict) -> str:
    """``summary`` as strict JSON in ``out/summary.json``; returns its path."""
    path = os.path.join(out, "summary.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(jsonable(summary), f, indent=2, allow_nan=False)
    return path
