"""Mapper(30, 3) with sktopo against KeplerMapper on the same lens, cover and clustering.

Both get the same normalized noisy primary-circle filters (nine-dimensional), the same PCA
lens (fitted inside the timed region by each), a cover of 30 intervals per lens dimension
in which each point lies in about 3 intervals (sktopo: ``gain=3``; KeplerMapper:
``Cover(n_cubes=30, perc_overlap=2/3)``, the same number and overlap of intervals though not
the same end points), and the same clusterer on each cover set: sktopo's single linkage with
the histogram-gap cut (Euclidean metric for both). KeplerMapper skips cover sets of a single
point, sktopo makes them nodes. Targets: at 20,000 points, sktopo at least 3 times faster
than KeplerMapper and under 2 seconds; at 200,000 points, at most 10 seconds (sktopo with
``n_jobs=-1``, cover sets clustered in parallel processes; KeplerMapper is run there only with
``--kmapper-200k``, as its pairwise nerve takes very long). giotto-tda's Mapper, the other peer
one would reach for, pins scikit-learn 1.3.2 (below sktopo's 1.6) and cannot be installed beside
it.

``--check-linkage`` also clusters the 200,000 points the old way, every cover set from all its
pairwise distances (one process, about 1.5 minutes), and records whether the graph is the same.

Usage: python benchmarks/bench_mapper.py [--out benchmarks/results/mapper.json] [--kmapper-200k]
       [--check-linkage]
"""

import argparse
import json
import os
from unittest import mock

import kmapper
import numpy as np
from _results import RESULTS, timed, write_results
from sklearn.decomposition import PCA

from sktopo import Mapper
from sktopo.datasets import make_circle_filters
from sktopo.mapper import GapSingleLinkage, _cluster
from sktopo.preprocessing import normalize_filters


def run_sktopo(X, n_jobs):
    mapper = Mapper(resolution=30, gain=3, metric="euclidean", n_jobs=n_jobs)
    return timed(lambda: mapper.fit(X).graph_)


def same_graph_as_linkage(X, graph):
    """Whether clustering every cover set from all its pairwise distances (the old way, one
    process: slow) gives ``graph``: the same nodes, members and edges."""
    with mock.patch.object(_cluster, "DENSE_MAX", np.inf):
        old = Mapper(resolution=30, gain=3, metric="euclidean", n_jobs=1).fit(X).graph_
    return bool(
        sorted(old.edges) == sorted(graph.edges)
        and all(np.array_equal(old.nodes[n]["members"], graph.nodes[n]["members"]) for n in graph)
    )


def kmapper_graph(X):
    mapper = kmapper.KeplerMapper(verbose=0)
    lens = mapper.fit_transform(X, projection=PCA(2, svd_solver="full"), scaler=None)
    return mapper.map(
        lens, X, cover=kmapper.Cover(n_cubes=30, perc_overlap=2 / 3), clusterer=GapSingleLinkage()
    )


def run_kmapper(X):
    graph, seconds = timed(lambda: kmapper_graph(X))
    return seconds, len(graph["nodes"]), sum(len(targets) for targets in graph["links"].values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "mapper.json"))
    parser.add_argument("--kmapper-200k", action="store_true")
    parser.add_argument(
        "--check-linkage",
        action="store_true",
        help="at 200,000 points, also cluster every cover set from all its distances and compare",
    )
    args = parser.parse_args()
    rows = []
    for n in (2_000, 20_000, 200_000):
        X = normalize_filters(make_circle_filters(n, noise=0.1, random_state=0))
        n_jobs = -1 if n >= 200_000 else None
        graph, seconds = run_sktopo(X, n_jobs)
        row = {
            "n": n,
            "sktopo_s": round(seconds, 3),
            "sktopo_n_jobs": n_jobs,
            "sktopo_nodes": graph.number_of_nodes(),
            "sktopo_edges": graph.number_of_edges(),
        }
        if n == 200_000 and args.check_linkage:
            row["same_graph_as_linkage"] = same_graph_as_linkage(X, graph)
        if n < 200_000 or args.kmapper_200k:
            k_seconds, k_nodes, k_edges = run_kmapper(X)
            row.update(
                kmapper_s=round(k_seconds, 3),
                kmapper_nodes=k_nodes,
                kmapper_edges=k_edges,
                speedup=round(k_seconds / seconds, 2),
            )
        rows.append(row)
        print(json.dumps(row), flush=True)
    target = next(r for r in rows if r["n"] == 20_000)
    largest = next(r for r in rows if r["n"] == 200_000)
    summary = {
        "target_20k_met": bool(target["sktopo_s"] < 2 and target["speedup"] >= 3),
        "target_200k_met": bool(largest["sktopo_s"] <= 10),
    }
    print(json.dumps(summary))
    write_results(args.out, "mapper", rows, summary=summary, kmapper=kmapper.__version__)


if __name__ == "__main__":
    main()
