"""Peak memory and time of the whole analysis of the paper's largest cloud: 204,800 filters.

The paper's second-layer analysis: the 32 × 64 second-layer 3 × 3 kernels of 100 networks
M(64,32,64) give 204,800 spatial filters, which are normalized, density filtered by ρ(15, 0.1)
(20,480 left), then given to Mapper(30, 3) and to persistence at its defaults
(``PersistenceScorer()``: 400 landmarks, H0 and H1). The target is a peak resident memory of
at most 2 GB (2,048 MB) for the whole analysis.

The networks are freshly initialized (``torch.manual_seed(i)`` then ``make_cnn``, seeds
0-99), not trained: training 100 networks is out of scope here. Their kernels have the same
shape and number as trained ones, so the memory is the same; the times of the later stages
depend on the cloud's shape. ``--trained DIR`` reads a folder of saved state_dicts instead,
passed as paths to ``SpatialFilterExtractor``, which loads one file at a time
(``weights_only=True``). ``--cloud circle`` replaces the networks by
``make_circle_filters(204800, noise=0.3)`` for comparison. By default the networks are built
one at a time, their filters extracted and the network dropped, so that the 100 models are
never all in memory; ``--extract list`` builds all of them first and passes the list to
``SpatialFilterExtractor``, as its documentation shows, to measure what holding them costs.

The analysis runs in a fresh process (spawn), so that this process's memory does not count.
``ru_maxrss`` is a high-water mark: it is read after the imports (the baseline) and after each
stage, beside the resident memory at that moment. Mapper runs with ``n_jobs=1``, the bounded
path, so that the analysis's process holds all of its memory: the peaks of worker processes
cannot be read by ``RUSAGE_CHILDREN``, because a child started by fork (or vfork) then exec
keeps its parent's high-water mark (``import torch`` runs ``ldconfig``, whose peak reads as
torch's 430 MB). ``--mapper-on all`` gives Mapper all normalized filters instead of the dense
ones: the worst case.

Usage: python benchmarks/bench_scale.py [--out benchmarks/results/scale.json] [--quick]
       [--cloud {networks,circle}] [--trained DIR] [--extract {one-by-one,list}]
       [--mapper-on {dense,all}]
"""

import argparse
import json
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from _results import RESULTS, write_results

TARGET_MB = 2048
N_NETWORKS = 100
SPEC = "M(64,32,64)"
#: ru_maxrss is in kilobytes on Linux, in bytes on macOS.
_MAXRSS_UNIT = 1024 * 1024 if sys.platform == "darwin" else 1024


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / _MAXRSS_UNIT, 1)


def _resident_mb():
    """Resident memory now (Linux only; None elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)
    except OSError:
        return None


def _networks_one_by_one(n_networks):
    """Second-layer filters of ``n_networks`` fresh networks, each built, read and dropped in turn."""
    import numpy as np
    import torch

    from sktopo.filters import extract_spatial_filters
    from sktopo.nn import make_cnn

    parts = []
    for seed in range(n_networks):
        torch.manual_seed(seed)
        parts.append(extract_spatial_filters(make_cnn(SPEC), layer=2)[0])
    return np.concatenate(parts)


def _networks_as_list(n_networks):
    """Second-layer filters of ``n_networks`` fresh networks, all built first and passed as one list."""
    import torch

    from sktopo import SpatialFilterExtractor
    from sktopo.nn import make_cnn

    networks = []
    for seed in range(n_networks):
        torch.manual_seed(seed)
        networks.append(make_cnn(SPEC))
    return SpatialFilterExtractor(layer=2).fit_transform(networks)


def _filters(options):
    """The raw (not normalized) filters that ``options`` asks for."""
    if options["cloud"] == "circle":
        from sktopo.datasets import make_circle_filters

        return make_circle_filters(options["n_networks"] * 32 * 64, noise=0.3, random_state=0)
    if options["trained"]:
        from sktopo import SpatialFilterExtractor

        folder = options["trained"]
        paths = sorted(os.path.join(folder, name) for name in os.listdir(folder))[: options["n_networks"]]
        return SpatialFilterExtractor(layer=2).fit_transform(paths)
    if options["extract"] == "list":
        return _networks_as_list(options["n_networks"])
    return _networks_one_by_one(options["n_networks"])


def analysis(options) -> dict:
    """Run every stage in this process; seconds, peak and resident memory after each."""
    if options["cloud"] == "networks":  # before the baseline: every network source needs torch
        import torch  # noqa: F401

    from sktopo import DensityFilter, FilterNormalizer, Mapper, PersistenceScorer
    from sktopo.mapper import graph_summary

    stages = {"imports": {"seconds": 0.0, "peak_mb": _peak_mb(), "resident_mb": _resident_mb()}}

    def stage(name, function):
        start = time.perf_counter()
        result = function()
        seconds = round(time.perf_counter() - start, 3)
        stages[name] = {"seconds": seconds, "peak_mb": _peak_mb(), "resident_mb": _resident_mb()}
        print(name, json.dumps(stages[name]), flush=True)
        return result

    filters = stage("extract", lambda: _filters(options))
    X = stage("normalize", lambda: FilterNormalizer().fit_transform(filters))
    dense = stage("density", lambda: DensityFilter(k=15, p=0.1, n_jobs=-1).fit_transform(X))
    mapped = X if options["mapper_on"] == "all" else dense
    mapper = stage("mapper", lambda: Mapper(resolution=30, gain=3, n_jobs=1).fit(mapped))
    scorer = stage("persistence", lambda: PersistenceScorer().fit(dense))
    return {
        "n_filters": len(filters),
        "n_dense": len(dense),
        "n_mapped": len(mapped),
        "mapper": graph_summary(mapper.graph_),
        "h1_top_lifetime": round(float(scorer.lifetime_), 4),
        "h1_bound": round(float(scorer.bound_), 4),
        "stages": stages,
        "total_peak_mb": _peak_mb(),
    }


def run(options) -> dict:
    """The analysis in a fresh process, and whether its peak meets the target."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        result = pool.submit(analysis, options).result()
    return {
        **options,
        **result,
        "target_mb": TARGET_MB,
        "met": bool(result["total_peak_mb"] <= TARGET_MB),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "scale.json"))
    parser.add_argument("--quick", action="store_true", help="10 networks (20,480 filters), a smoke run")
    parser.add_argument("--cloud", choices=("networks", "circle"), default="networks")
    parser.add_argument("--trained", metavar="DIR", help="a folder of saved M(64,32,64) state_dicts")
    parser.add_argument("--extract", choices=("one-by-one", "list"), default="one-by-one")
    parser.add_argument("--mapper-on", choices=("dense", "all"), default="dense")
    args = parser.parse_args()
    if args.trained and args.cloud == "circle":
        parser.error("--trained reads networks; it cannot go with --cloud circle.")
    options = {
        "cloud": args.cloud,
        "trained": args.trained,
        "extract": args.extract,
        "n_networks": N_NETWORKS // 10 if args.quick else N_NETWORKS,
        "mapper_on": args.mapper_on,
    }
    result = run(options)  # first, while this process is small
    print(json.dumps({key: result[key] for key in ("n_filters", "total_peak_mb", "met")}))
    write_results(args.out, "scale", result)


if __name__ == "__main__":
    main()
