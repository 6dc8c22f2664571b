"""Density filtration ρ(k, p) against a straightforward scikit-learn baseline.

The two sizes of the paper: ρ(15, 0.1) of 204,800 nine-dimensional points (second-layer
filters of 100 networks) and ρ(200, 0.3) of 6,400 points (first-layer filters, Fig. 2).
Each runs on two clouds of normalized filters: a weak noisy circle (the structure the paper
finds, what a density filter is for) and structureless Gaussian filters (uniform on the
7-sphere, the worst case for any space-partitioning tree). The baseline is what a user would
write: ``NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)``, then a stable argsort of
the k-th distances. Both use every core. The run checks that both keep the same rows.
Where faiss is installed (``pip install faiss-cpu``), its exact brute-force index
(``IndexFlatL2``, float32) is timed too, on every row for the small cases and on a tenth of the
rows (times ten) for the large ones, where all of them would take minutes; its rows are
compared where it ran whole. Clouds of 50,000 rows or more are searched by numba-compiled
code: the first such search in a process imports numba and loads the compiled code (compiles
it, the first time after installing), once; that cost is timed apart, before the cases, as
``first_large_cloud_overhead_s``, as the imports of both sides are. Targets: ρ(15, 0.1) of
204,800 in at most 3 s and at least 10 times faster than NearestNeighbors, on both clouds.

Usage: python benchmarks/bench_density.py [--out benchmarks/results/density.json] [--quick] [--seed 0]
"""

import argparse
import importlib.util
import json
import os

import numpy as np
from _results import RESULTS, timed, write_results
from sklearn.neighbors import NearestNeighbors

from sktopo import DensityFilter
from sktopo.datasets import make_circle_filters
from sktopo.preprocessing import normalize_filters


def kept_rows(kth, p):
    """The ``round(p * n)`` rows with the smallest k-th distances ``kth``, ties by row index."""
    order = np.argsort(kth, kind="stable")
    return np.sort(order[: max(1, int(np.floor(p * len(kth) + 0.5)))])


def baseline(X, k, p):
    distances, _ = NearestNeighbors(n_neighbors=k + 1, n_jobs=-1).fit(X).kneighbors(X)
    return kept_rows(distances[:, k], p)


def faiss_seconds(X, k, p):
    """faiss's exact k-th distances: (seconds for every row, kept rows or None if extrapolated)."""
    import faiss

    index = faiss.IndexFlatL2(X.shape[1])
    index.add(np.ascontiguousarray(X, dtype=np.float32))
    queries = X if len(X) <= 20_000 else X[::10]
    distances, seconds = timed(
        lambda: index.search(np.ascontiguousarray(queries, dtype=np.float32), k + 1)[0]
    )
    if len(queries) < len(X):
        return seconds * len(X) / len(queries), None
    return seconds, kept_rows(np.sqrt(distances[:, k]), p)


def cloud(kind, n, seed):
    if kind == "weak circle":
        return normalize_filters(make_circle_filters(n, noise=0.5, random_state=seed))
    return normalize_filters(np.random.default_rng(seed).standard_normal((n, 9)))


def warm_up():
    """Import and load the compiled search once, as a process does on its first large cloud."""
    from sktopo._leaftree import LeafTree

    return LeafTree(np.zeros((2, 2))).kth_rows(1)


def run(cases, seed):
    rows = []
    for n, k, p in cases:
        for kind in ("weak circle", "gaussian"):
            X = cloud(kind, n, seed)
            ours, seconds = timed(lambda X=X, k=k, p=p: DensityFilter(k=k, p=p, n_jobs=-1).fit(X).support_)
            theirs, base_seconds = timed(lambda X=X, k=k, p=p: baseline(X, k, p))
            row = {}
            if importlib.util.find_spec("faiss") is not None:
                faiss_s, faiss_rows = faiss_seconds(X, k, p)
                row = {
                    "faiss_flat_s": round(faiss_s, 3),
                    "faiss_extrapolated_from_a_tenth": faiss_rows is None,
                    "faiss_same_rows": None if faiss_rows is None else bool(np.array_equal(ours, faiss_rows)),
                }
            rows.append(
                {
                    "n": n,
                    "k": k,
                    "p": p,
                    "cloud": kind,
                    "seed": seed,
                    "sktopo_s": round(seconds, 3),
                    "sklearn_nearestneighbors_s": round(base_seconds, 3),
                    "speedup": round(base_seconds / seconds, 2),
                    "same_rows": bool(np.array_equal(ours, theirs)),
                    "rows_kept": len(ours),
                }
                | row
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "density.json"))
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, for a smoke run")
    parser.add_argument("--seed", type=int, default=0, help="seed of both clouds")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    _, first_call = timed(warm_up)
    results = run([(204_800 // scale, 15, 0.1), (6_400 // scale, 200 // scale, 0.3)], args.seed)
    large = [r for r in results if r["n"] == 204_800 // scale]
    summary = {
        "target_3s_met": all(r["sktopo_s"] <= 3 for r in large),
        "target_10x_met": all(r["speedup"] >= 10 for r in large),
        "same_rows_everywhere": all(r["same_rows"] for r in results),
        "first_large_cloud_overhead_s": round(first_call, 3),
    }
    print(json.dumps(summary))
    write_results(args.out, "density", results, summary=summary)


if __name__ == "__main__":
    main()
