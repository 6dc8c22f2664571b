"""The defaults of ``sktopo demo``, chosen by measurement over seeds 0-4.

``sktopo demo`` trains an ensemble of M(64, 0, 64) networks on the embedded MNIST sample and
profiles their pooled first-layer filters (:func:`sktopo.profile.topology_profile`, layer 1,
ρ(n/32, 0.3), Mapper(resolution, 3)). Its defaults must be the smallest settings for which at
least 4 of the 5 seeds 0-4 show the circle by :func:`sktopo.profile.shows_circle` (exactly one
H1 bar longer than twice its confidence band, exactly one Mapper loop, random-filter p <= 0.05),
within 5 minutes on 2 CPU cores, training included. The grid also varies k (as a share of the
filters) and p of ρ(k, p), to see whether another density filtration would do better.

For each seed this trains the largest ensemble of the grid once, recording every network's
first-layer kernels and test accuracy at each iteration count of the grid (FilterRecorder and
AccuracyRecorder: the same values as separate, shorter runs, since Adam's step does not depend on
``max_iter`` and the networks' seeds are a prefix of the larger ensemble's; kept in ``CACHE``);
each cell (networks, iterations, k, p, resolution) then profiles the first ``networks`` networks' snapshots as the demo
does. A cell's time is its share of the measured training (network-iterations pro rata) plus its
own profile's time. The chosen default is then confirmed by running ``sktopo demo`` itself.

Writes ``benchmarks/results/demo_defaults.json`` (one row per seed and cell) and prints the table
that ``docs/demo.md`` shows.

Usage: python benchmarks/demo_defaults.py [--seeds 0 1 2 3 4] [--out ...]
"""

import argparse
import itertools
import json
import os
import tempfile
import time

import numpy as np
from _results import RESULTS, write_results
from sklearn.model_selection import train_test_split

from sktopo import Mapper
from sktopo.datasets import load_mnist_sample
from sktopo.mapper import graph_summary
from sktopo.nn import AccuracyRecorder, FilterRecorder, NetworkEnsemble, make_classifier
from sktopo.profile import shows_circle, topology_profile

NETWORKS = [12, 16]
ITERATIONS = [200, 300, 400]
K_FRACTIONS = [1 / 64, 1 / 32, 1 / 16]  # k of rho(k, p) as a share of the filters; the demo's is 1/32
P = [0.2, 0.3]
RESOLUTIONS = [8, 12]
CACHE = os.environ.get("SKTOPO_DEMO_CACHE", os.path.join(tempfile.gettempdir(), "sktopo_demo_defaults"))


def snapshots(seed, X_train, y_train, X_test, y_test) -> dict:
    """First-layer kernels and test accuracies of the largest ensemble at every iteration count (cached)."""
    path = os.path.join(CACHE, f"seed_{seed}_{max(NETWORKS)}x{max(ITERATIONS)}.npz")
    if os.path.exists(path):
        return dict(np.load(path))
    callbacks = [FilterRecorder(1, at=ITERATIONS), AccuracyRecorder(X_test, y_test, at=ITERATIONS)]
    network = make_classifier("M(64,0,64)", max_iter=max(ITERATIONS), callbacks=callbacks)
    ensemble = NetworkEnsemble(network, n_networks=max(NETWORKS), random_state=seed, tune_glibc_malloc=True)
    start = time.perf_counter()
    ensemble.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    nets = ensemble.estimators_
    record = {
        "kernels": np.array([[net.callbacks[0].snapshots_[t] for net in nets] for t in ITERATIONS]),
        "accuracies": np.array([[net.callbacks[1].accuracies_[t] for net in nets] for t in ITERATIONS]),
        "seconds": np.array(seconds),
    }
    os.makedirs(CACHE, exist_ok=True)
    np.savez(path, **record)
    return record


def cells(record, seed) -> list[dict]:
    """Every cell of the grid for one seed: the demo's analysis of the first n networks after t iterations."""
    rows = []
    for (i, iterations), n_networks, fraction, p in itertools.product(
        enumerate(ITERATIONS), NETWORKS, K_FRACTIONS, P
    ):
        kernels = list(record["kernels"][i, :n_networks])
        k = max(1, round(64 * n_networks * fraction))
        start = time.perf_counter()
        profile = topology_profile(
            kernels, 1, k=k, p=p, resolution=RESOLUTIONS[0], random_state=seed, progress=False
        )
        dense = profile.attrs["topology"][1].dense
        for resolution in RESOLUTIONS:
            if resolution != RESOLUTIONS[0]:
                loops = graph_summary(Mapper(resolution=resolution, gain=3).fit(dense).graph_)["n_loops"]
                profile = profile.assign(mapper_loops=loops)
            row = profile.iloc[0]
            train = float(record["seconds"]) * n_networks * iterations / (max(NETWORKS) * max(ITERATIONS))
            rows.append(
                {
                    "seed": seed,
                    "networks": n_networks,
                    "iterations": iterations,
                    "k_fraction": fraction,
                    "k": k,
                    "p": p,
                    "resolution": resolution,
                    "test_accuracy": float(record["accuracies"][i, :n_networks].mean()),
                    "n_dense": int(row.n_dense),
                    "h1_top": float(row.h1_top),
                    "band": float(row.band),
                    "n_significant_h1": int(row.n_significant_h1),
                    "null_p_value": float(row.null_p_value),
                    "mapper_loops": int(row.mapper_loops),
                    "model": row.model,
                    "found": bool(shows_circle(profile).iloc[0]),
                    "seconds": train + time.perf_counter() - start,
                }
            )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default=os.path.join(RESULTS, "demo_defaults.json"))
    parser.add_argument("--table", action="store_true", help="print the table of --out and stop")
    args = parser.parse_args()
    if args.table:
        with open(args.out) as f:
            return print(table(json.load(f)["results"]))
    X, y = load_mnist_sample()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=500, stratify=y, random_state=0)
    rows, training = [], {}
    for seed in args.seeds:
        record = snapshots(seed, X_train, y_train, X_test, y_test)
        training[seed] = float(record["seconds"])
        rows += cells(record, seed)
        print(table(rows), flush=True)
        write_results(
            args.out,
            "demo_defaults",
            rows,
            training_seconds=training,
            grid_largest=[max(NETWORKS), max(ITERATIONS)],
        )
    print(table(rows))


def table(rows) -> str:
    """The measurement as a Markdown table: per cell, the seeds that found the circle and the spread."""
    import pandas as pd

    df = pd.DataFrame(rows)
    lines = [
        "| networks | iterations | k / filters | p | Mapper resolution | seeds found | top H1 lifetime | 2 × band | test accuracy |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (n, its, fraction, p, res), cell in df.groupby(
        ["networks", "iterations", "k_fraction", "p", "resolution"]
    ):
        lines.append(
            f"| {n} | {its} | 1/{round(1 / fraction)} | {p} | {res} | {int(cell.found.sum())} of {len(cell)} ({_seeds(cell)}) | "
            f"{_spread(cell.h1_top)} | {_spread(2 * cell.band)} | {_spread(cell.test_accuracy)} |"
        )
    return "\n".join(lines)


def _seeds(cell) -> str:
    return "".join("+" if found else "-" for found in cell.sort_values("seed").found)


def _spread(values) -> str:
    return f"{values.mean():.2f} ± {values.std(ddof=1) if len(values) > 1 else 0:.2f}"


if __name__ == "__main__":
    main()
