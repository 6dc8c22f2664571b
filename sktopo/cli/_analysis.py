"""One layer's analysis as the command reports it: the verdict, the numbers, the figures, summary.json."""

import json
import os

import numpy as np

from ..mapper import graph_summary


def h1_lifetimes(topology) -> list[float]:
    """Finite H1 lifetimes of the layer's barcode (the one tested against the band), largest first."""
    diagram = topology.diagrams[1]
    lifetimes = diagram[:, 1] - diagram[:, 0]
    return [float(v) for v in np.sort(lifetimes[np.isfinite(lifetimes)])[::-1]]


def measured(row, topology) -> dict:
    """The numbers of one profile row and its evidence, as plain JSON types."""
    graph = graph_summary(topology.mapper.graph_)
    band = float(row.band)
    return {
        "layer": int(row.layer),
        "layer_name": str(row.layer_name),
        "n_filters": int(row.n_filters),
        "n_used": int(row.n_used),
        "k": int(row.k),
        "p": float(row.p),
        "n_dense": int(row.n_dense),
        "h1_lifetimes": h1_lifetimes(topology),
        "h1_top": float(row.h1_top),
        "band": band,
        "significance_threshold": 2 * band,
        "n_significant_h1": int(row.n_significant_h1),
        "null_p_value": float(row.null_p_value),
        "null_ratio": float(row.null_ratio),
        "model": str(row.model),
        "edge_energy": None if np.isnan(row.edge_energy) else float(row.edge_energy),
        "mapper_n_nodes": int(graph["n_nodes"]),
        "mapper_n_edges": int(graph["n_edges"]),
        "mapper_n_components": int(graph["n_components"]),
        "mapper_n_loops": int(graph["n_loops"]),
        "found_circle": bool(row.n_significant_h1 >= 1 and graph["n_loops"] == 1),
    }


def verdict(numbers: dict) -> str:
    """A plain-language verdict with the numbers behind it: did this run find a circle?"""
    top = numbers["h1_lifetimes"][0] if numbers["h1_lifetimes"] else 0.0
    bar = (
        f"the longest H1 bar ({top:.3f}) is {'longer' if top > numbers['significance_threshold'] else 'not longer'} "
        f"than twice its confidence band (2 × {numbers['band']:.3f} = {numbers['significance_threshold']:.3f}); "
        f"{numbers['n_significant_h1']} H1 bar(s) are significant"
    )
    loops = f"the Mapper graph has {numbers['mapper_n_loops']} loop(s)"
    null = (
        f"random filters through the same pipeline give a p-value of {numbers['null_p_value']:.2f} "
        f"(the top lifetime is {numbers['null_ratio']:.1f} times their median)"
    )
    edges = (
        ""
        if numbers["edge_energy"] is None
        else f" The dense core's filters hold {numbers['edge_energy']:.0%} of their energy in the plane of "
        "the linear edges (100% for pure edges, 25% for random 3 × 3 filters)."
    )
    if numbers["found_circle"]:
        head = "This run FOUND a circle, as the paper's primary circle: "
    else:
        head = "This run did NOT find a clear circle: "
    return f"{head}{bar}; {loops}; {null}; the shape named from the significant bars is {numbers['model']!r}.{edges}"


def add_layer(report, row, topology, out: str, prefix: str = "") -> None:
    """The figures of one layer into ``report`` (and as PNG files in ``out``): Mapper, its view, barcodes."""
    import matplotlib.pyplot as plt

    from ..plotting import plot_barcodes, plot_mapper_graph

    name = f"layer {int(row.layer)} ({row.layer_name})"
    mapper = topology.mapper
    ax = plot_mapper_graph(mapper)
    report.figure(
        ax.figure,
        f"Mapper graph of the dense core of {name}, with mean filters; nodes coloured "
        "by size (blue: few filters, red: many)",
        path=os.path.join(out, f"{prefix}mapper.png"),
    )
    plt.close(ax.figure)
    report.mapper_view(mapper, f"The same Mapper graph of {name}, interactive")
    ax = plot_barcodes(topology.diagrams, band=topology.band)
    report.figure(
        ax.figure,
        f"Barcodes of the dense core of {name}: bars longer than the grey bracket (twice "
        "the confidence band) are significant",
        path=os.path.join(out, f"{prefix}barcodes.png"),
    )
    plt.close(ax.figure)


def write_summary(out: str, summary: dict) -> str:
    """``summary`` as ``out/summary.json``; returns its path."""
    path = os.path.join(out, "summary.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=2)
    return path
