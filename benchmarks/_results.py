"""What every benchmark shares: where results go, how they are written, how long a call takes."""

import json
import os
import platform
import time

import numpy as np

RESULTS = os.path.join(os.path.dirname(__file__), "results")


def timed(function):
    """``(result, seconds)`` of calling ``function()``."""
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def numpy_matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """The machine's float64 matrix-product rate through numpy's BLAS, best of ``repeats``.

    Machines differ by several times in this rate; it is written beside every set of times so
    that results are compared as ratios, not as seconds.
    """
    a = np.random.default_rng(0).standard_normal((size, size))
    best = min(timed(lambda: a @ a)[1] for _ in range(repeats))
    return round(2 * size**3 / best / 1e9, 1)


def write_results(path: str, benchmark: str, results, **extra) -> None:
    """Write ``results`` with a description of the machine (matmul rate included) as JSON to ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy_float64_matmul_gflops": numpy_matmul_gflops(),
    }
    with open(path, "w") as f:
        json.dump({"benchmark": benchmark, "machine": machine, "results": results, **extra}, f, indent=2)
