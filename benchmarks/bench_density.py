"""Density filtration ρ(k, p) against a straightforward scikit-learn baseline.

The two sizes of the paper: ρ(15, 0.1) of 204,800 nine-dimensional points (second-layer
filters of 100 networks) and ρ(200, 0.3) of 6,400 points (first-layer filters, Fig. 2).
Each runs on two clouds of normalized filters: a weak noisy circle (the structure the paper
finds, what a density filter is for) and structureless Gaussian filters (uniform on the
7-sphere, the worst case for any space-partitioning tree). The baseline is what a user would
write: ``NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X)``, then a stable argsort of
the k-th distances. Both use every core. The run checks that both keep the same rows.

Usage: python benchmarks/bench_density.py [--out benchmarks/results/density.json] [--quick]
"""

import argparse
import json
import os

import numpy as np
from _results import RESULTS, timed, write_results
from sklearn.neighbors import NearestNeighbors

from sktopo import DensityFilter
from sktopo.datasets import make_circle_filters
from sktopo.preprocessing import normalize_filters


def baseline(X, k, p):
    distances, _ = NearestNeighbors(n_neighbors=k + 1, n_jobs=-1).fit(X).kneighbors(X)
    order = np.argsort(distances[:, k], kind="stable")
    return np.sort(order[: max(1, int(np.floor(p * len(X) + 0.5)))])


def cloud(kind, n):
    if kind == "weak circle":
        return normalize_filters(make_circle_filters(n, noise=0.5, random_state=0))
    return normalize_filters(np.random.default_rng(0).standard_normal((n, 9)))


def run(cases):
    rows = []
    for n, k, p in cases:
        for kind in ("weak circle", "gaussian"):
            X = cloud(kind, n)
            ours, seconds = timed(lambda X=X, k=k, p=p: DensityFilter(k=k, p=p, n_jobs=-1).fit(X).support_)
            theirs, base_seconds = timed(lambda X=X, k=k, p=p: baseline(X, k, p))
            rows.append(
                {
                    "n": n,
                    "k": k,
                    "p": p,
                    "cloud": kind,
                    "sktopo_s": round(seconds, 3),
                    "sklearn_nearestneighbors_s": round(base_seconds, 3),
                    "speedup": round(base_seconds / seconds, 2),
                    "same_rows": bool(np.array_equal(ours, theirs)),
                    "rows_kept": len(ours),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "density.json"))
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, for a smoke run")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    results = run([(204_800 // scale, 15, 0.1), (6_400 // scale, 200 // scale, 0.3)])
    write_results(args.out, "density", results)


if __name__ == "__main__":
    main()
