"""Which shape is it? ``identify_shape`` on synthetic filter clouds of known topology.

Shapes {circle, two circles, three circles, Klein bottle, torus, structureless Gaussian filters}
x sizes {1,000, 2,000, 5,000, 20,000} x noise {0, 0.05, 0.1} (per pixel, on unit-norm filters)
x 5 seeds (Gaussian filters: 15 seeds, no noise parameter), each cloud normalized (``normalize_filters``) and named with the defaults
(``n_jobs=2``). Targets (issue 10): the right name in >= 95% of the cases with structure where
the noise permits a decision, "none" (never a wrong name) where it does not, "none" for >= 95%
of the Gaussian clouds, and one call at 20,000 points in <= 10 s on 2 cores.

Each case is written to the JSON as it finishes; a rerun skips the cases already there (``--fresh``
starts over). ``--timing`` only times one call per shape at 20,000 points (seed 0, noise 0 and
0.1) on a quiet machine, with the current code, and adds the times to the JSON: the cases' own
times are taken while other work may share the cores.

Usage: python benchmarks/bench_models.py [--out benchmarks/results/models.json] [--fresh] [--timing]
"""

import argparse
import json
import os
from collections import Counter

from _results import RESULTS, timed, write_results

from sktopo.datasets import (
    make_circle_filters,
    make_gaussian_filters,
    make_klein_filters,
    make_three_circle_filters,
    make_torus_filters,
    make_two_circle_filters,
)
from sktopo.homology import identify_shape
from sktopo.preprocessing import normalize_filters

SHAPES = {
    "circle": make_circle_filters,
    "two circles": make_two_circle_filters,
    "three circles": make_three_circle_filters,
    "klein bottle": make_klein_filters,
    "torus": make_torus_filters,
    "gaussian": make_gaussian_filters,
}
SIZES = (1000, 2000, 5000, 20000)
NOISES = (0.0, 0.05, 0.1)
SEEDS = range(5)
GAUSSIAN_SEEDS = range(15)  # noise means nothing to them: three times as many draws instead


def case(shape, n, noise, seed):
    X = normalize_filters(SHAPES[shape](n, noise=noise, random_state=seed))
    verdict, seconds = timed(lambda: identify_shape(X, random_state=seed, n_jobs=2, return_verdict=True))
    expected = "none" if shape == "gaussian" else shape
    outcome = "right" if verdict.shape == expected else ("none" if verdict.shape == "none" else "wrong")
    return {
        "shape": shape,
        "n": n,
        "noise": noise,
        "seed": seed,
        "named": verdict.shape,
        "outcome": outcome,
        "betti_z2": verdict.betti[2],
        "betti_z3": verdict.betti[3],
        "threshold_z2": round(verdict.threshold[2], 4),
        "threshold_z3": round(verdict.threshold[3], 4),
        "margin": round(verdict.margin, 4),
        "gap": round(verdict.gap, 4) if verdict.gap < float("inf") else None,
        "field_distance": round(verdict.field_distance, 4),
        "seconds": round(seconds, 2),
    }


def summarize(cases):
    table = {}
    for c in cases:
        cell = table.setdefault(f"{c['shape']} | noise {c['noise']}", Counter())
        cell[c["named"]] += 1
    structured = [c for c in cases if c["shape"] != "gaussian"]
    decided = [c for c in structured if c["outcome"] != "none"]
    gaussian = [c for c in cases if c["shape"] == "gaussian"]
    slowest_20k = max((c["seconds"] for c in cases if c["n"] == 20000), default=None)
    return {
        "confusion": {cell: dict(counts) for cell, counts in sorted(table.items())},
        "structured_right": _share(structured, "right"),
        "structured_right_noise_at_most_0.05": _share([c for c in structured if c["noise"] <= 0.05], "right"),
        "structured_wrong": _share(structured, "wrong"),
        "decided_right": _share(decided, "right"),
        "gaussian_none": _share(gaussian, "right"),
        "seconds_20000_max": slowest_20k,
    }


def _share(cases, outcome):
    return round(sum(c["outcome"] == outcome for c in cases) / len(cases), 4) if cases else None


def _cases():
    for n in SIZES:
        for shape in SHAPES:
            if shape == "gaussian":
                yield from ((n, shape, 0.0, seed) for seed in GAUSSIAN_SEEDS)
            else:
                yield from ((n, shape, noise, seed) for noise in NOISES for seed in SEEDS)


def add_timing(path):
    with open(path) as f:
        results = json.load(f)["results"]
    timing = []
    for shape in SHAPES:
        for noise in (0.0,) if shape == "gaussian" else (0.0, 0.1):
            row = case(shape, 20000, noise, 0)
            timing.append({key: row[key] for key in ("shape", "noise", "named", "seconds")})
            print(timing[-1], flush=True)
    write_results(path, "models", {**results, "timing_20000": timing})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "models.json"))
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--timing", action="store_true")
    args = parser.parse_args()
    if args.timing:
        return add_timing(args.out)
    done = []
    if os.path.exists(args.out) and not args.fresh:
        with open(args.out) as f:
            done = json.load(f)["results"]["cases"]
    seen = {(c["shape"], c["n"], c["noise"], c["seed"]) for c in done}
    for n, shape, noise, seed in _cases():
        if (shape, n, noise, seed) not in seen:
            done.append(case(shape, n, noise, seed))
            print(done[-1], flush=True)
            write_results(args.out, "models", {"summary": summarize(done), "cases": done})
    print(json.dumps(summarize(done), indent=2))


if __name__ == "__main__":
    main()
