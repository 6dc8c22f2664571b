"""The defaults of ``sktopo demo``, chosen by measurement over seeds 0-4.

``sktopo demo`` trains an ensemble of M(64, 0, 64) networks on the embedded MNIST sample and
profiles their pooled first-layer filters (:func:`sktopo.profile.topology_profile`, layer 1,
ρ(n/32, 0.3), Mapper(resolution, 3)). Its defaults must be the smallest settings for which at
least 4 of the 5 seeds 0-4 show a significant dominant H1 bar (longer than twice its confidence
band) and exactly one Mapper loop, within 5 minutes on 2 CPU cores, training included.

For each seed this trains the largest ensemble of the grid once, recording every network's
first-layer kernels and test accuracy at each iteration count of the grid (FilterRecorder and
AccuracyRecorder: the same values as separate, shorter runs, since Adam's step does not depend on
``max_iter`` and the networks' seeds are a prefix of the larger ensemble's); each cell (networks,
iterations, resolution) then profiles the first ``networks`` networks' snapshots as the demo
does. A cell's time is its share of the measured training (network-iterations pro rata) plus its
own profile's time. The chosen default is then confirmed by running ``sktopo demo`` itself.

Writes ``benchmarks/results/demo_defaults.json`` (one row per seed and cell) and prints the table
that ``docs/demo.md`` shows.

Usage: python benchmarks/demo_defaults.py [--seeds 0 1 2 3 4] [--out ...]
"""

import argparse
import itertools
import os
import time

import numpy as np
from _results import RESULTS, write_results
from sklearn.model_selection import train_test_split

from sktopo.datasets import load_mnist_sample
from sktopo.nn import AccuracyRecorder, FilterRecorder, NetworkEnsemble, make_classifier
from sktopo.profile import topology_profile

NETWORKS = [8, 16, 24, 32]
ITERATIONS = [100, 200, 300]
RESOLUTIONS = [8, 12]


def train(seed, X_train, y_train, X_test, y_test):
    """The largest ensemble of the grid, with snapshots and accuracies at every iteration count."""
    callbacks = [FilterRecorder(1, at=ITERATIONS), AccuracyRecorder(X_test, y_test, at=ITERATIONS)]
    network = make_classifier("M(64,0,64)", max_iter=max(ITERATIONS), callbacks=callbacks)
    ensemble = NetworkEnsemble(network, n_networks=max(NETWORKS), random_state=seed, tune_glibc_malloc=True)
    start = time.perf_counter()
    ensemble.fit(X_train, y_train)
    return ensemble, time.perf_counter() - start


def cell(ensemble, seconds, seed, n_networks, iterations, resolution) -> dict:
    nets = ensemble.estimators_[:n_networks]
    kernels = [net.callbacks[0].snapshots_[iterations] for net in nets]
    start = time.perf_counter()
    row = topology_profile(kernels, 1, resolution=resolution, random_state=seed, progress=False).iloc[0]
    train_share = seconds * n_networks * iterations / (max(NETWORKS) * max(ITERATIONS))
    found = bool(row.n_significant_h1 >= 1 and row.mapper_loops == 1)
    return {
        "seed": seed,
        "networks": n_networks,
        "iterations": iterations,
        "resolution": resolution,
        "test_accuracy": float(np.mean([net.callbacks[1].accuracies_[iterations] for net in nets])),
        "n_dense": int(row.n_dense),
        "h1_top": float(row.h1_top),
        "band": float(row.band),
        "n_significant_h1": int(row.n_significant_h1),
        "null_p_value": float(row.null_p_value),
        "mapper_loops": int(row.mapper_loops),
        "model": row.model,
        "found": found,
        "seconds": train_share + time.perf_counter() - start,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", default=os.path.join(RESULTS, "demo_defaults.json"))
    args = parser.parse_args()
    X, y = load_mnist_sample()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=500, stratify=y, random_state=0)
    rows, training = [], {}
    for seed in args.seeds:
        ensemble, seconds = train(seed, X_train, y_train, X_test, y_test)
        training[seed] = seconds
        for n, its, res in itertools.product(NETWORKS, ITERATIONS, RESOLUTIONS):
            rows.append(cell(ensemble, seconds, seed, n, its, res))
            print(rows[-1], flush=True)
        write_results(args.out, "demo_defaults", rows, training_seconds=training, grid_largest=[max(NETWORKS), max(ITERATIONS)])
    print(table(rows))


def table(rows) -> str:
    import pandas as pd

    df = pd.DataFrame(rows)
    return (
        df.groupby(["networks", "iterations", "resolution"])
        .agg(found=("found", "sum"), seeds=("seed", "count"), seconds=("seconds", "median"))
        .reset_index()
        .to_string(index=False)
    )


if __name__ == "__main__":
    main()
