"""Run the paper's Section VI experiments at the largest scale 2 CPU cores allow, and write the page.

Each experiment runs in its own call (about 20 minutes each on 2 cores) and leaves in
``docs/results/``: its result's tidy table (``<name>.csv``), what ran and the summaries
(``<name>.json``: under "result" the result's settings, the paper's numbers, its verdict,
speed-ups, correlations; the timings and the machine's matrix-product rate) and its figure
(``<name>.png``, the result's ``.plot()``). ``--page`` then writes
``docs/validation/section6.md`` from those files: the measured tables beside the paper's numbers.

    python benchmarks/section6.py generalization   # mnist_sample -> digits and digits -> mnist_sample
    python benchmarks/section6.py simplicity       # Fig. 12 on mnist_sample
    python benchmarks/section6.py speedup          # Fig. 13 on mnist_sample
    python benchmarks/section6.py --page
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(__file__))
from _results import numpy_matmul_gflops

OUT = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "results")
PAGE = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "validation", "section6.md")


def _jsonable(value):
    if isinstance(value, pd.DataFrame):
        return value.to_dict(orient="records")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


#: What an experiment's result measured besides its table, kept in its record (not the fitted
#: Mapper graphs and diagrams of ``training_evolution``).
MEASURED = ("correlation", "networks", "pooled", "speedup", "seeds")


def _finding(finding) -> dict:
    """A result's verdict (:class:`sktopo.homology.Finding`) as a record."""
    return {
        "level": finding.level,
        "reasons": list(finding.reasons),
        "margin": finding.margin,
        "agrees": finding.agrees,
    }


def _parts(result) -> dict:
    """What ``result`` holds besides its table: settings, the paper's numbers, the verdict, the measured."""
    parts = {"settings": result.settings, "paper": result.paper, "verdict": _finding(result.verdict)}
    return parts | {key: getattr(result, key) for key in MEASURED if hasattr(result, key)}


def _save(name: str, table: pd.DataFrame, parts: dict, seconds: float, figure) -> None:
    """Write ``<name>.csv`` (the table), ``<name>.json`` (``parts`` under "result", timings) and the figure."""
    os.makedirs(OUT, exist_ok=True)
    table.to_csv(os.path.join(OUT, f"{name}.csv"), index=False)
    record = {
        "seconds": round(seconds, 1),
        "matmul_gflops": numpy_matmul_gflops(),
        "result": _jsonable(parts),
    }
    with open(os.path.join(OUT, f"{name}.json"), "w") as f:
        json.dump(record, f, indent=2)
    figure.savefig(os.path.join(OUT, f"{name}.png"), dpi=110, bbox_inches="tight")
    print(f"{name}: {seconds:.0f} s, {len(table)} rows -> {OUT}")


def _timed(function):
    start = time.perf_counter()
    return function(), time.perf_counter() - start


def generalization():
    """Section VI (i) both ways between the offline digit sets: 3 arms x 3 repeats, 600 iterations."""
    from sktopo.experiments import cross_domain_generalization

    results, seconds = [], 0.0
    for source, target in (("mnist_sample", "digits"), ("digits", "mnist_sample")):
        result, s = _timed(
            lambda src=source, tgt=target: cross_domain_generalization(
                src, tgt, max_iter=600, n_repeats=3, verbose=1
            )
        )
        results.append(result)
        seconds += s
    # one table for both directions; each direction's settings and verdict, in order
    both = pd.concat([result.table for result in results], ignore_index=True)
    parts = {
        "settings": [result.settings for result in results],
        "paper": results[0].paper,
        "verdict": [_finding(result.verdict) for result in results],
    }
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, result in zip(axes, results):
        result.plot(ax=ax)
    _save("generalization", both, parts, seconds, fig)


def simplicity():
    """Fig. 12 on mnist_sample: 32 networks in 4 groups of 8, checkpoints to 400 iterations."""
    from sktopo.experiments import persistence_vs_accuracy

    checkpoints = [0, 25, 50, 100, 150, 200, 300, 400]
    result, seconds = _timed(
        lambda: persistence_vs_accuracy(
            "mnist_sample", checkpoints=checkpoints, n_networks=32, n_groups=4, verbose=1
        )
    )
    _save("simplicity", result.table, _parts(result), seconds, result.plot().figure_)


def speedup():
    """Fig. 13 on mnist_sample: the paper's 4 banks and 2 controls x 3 repeats, 150 iterations, every 10."""
    from sktopo.experiments import appended_features_speedup

    result, seconds = _timed(
        lambda: appended_features_speedup("mnist_sample", max_iter=150, eval_every=10, n_repeats=3, verbose=1)
    )
    _save("speedup", result.table, _parts(result), seconds, result.plot().figure_)


def evolution():
    """Figs. 5 and 9 at the quick preset on mnist_sample (8 networks, layers 1 and 2)."""
    from sktopo.experiments import training_evolution

    result, seconds = _timed(lambda: training_evolution("mnist_sample", verbose=1))
    _save("evolution", result.table, _parts(result), seconds, result.plot(barcodes=True).figure_)


EXPERIMENTS = {
    "generalization": generalization,
    "simplicity": simplicity,
    "speedup": speedup,
    "evolution": evolution,
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", nargs="*", help=f"experiments to run: {', '.join(EXPERIMENTS)}")
    parser.add_argument(
        "--page", action="store_true", help="write docs/validation/section6.md from docs/results/"
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.experiment) - set(EXPERIMENTS))
    if unknown:
        parser.error(f"unknown experiment(s) {unknown}; choose from {', '.join(EXPERIMENTS)}")
    for name in args.experiment:
        EXPERIMENTS[name]()
    if args.page:
        from _section6_page import write_page

        write_page(OUT, PAGE)


if __name__ == "__main__":
    main()
