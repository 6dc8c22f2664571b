"""What every benchmark shares: where results go, how they are written, how long a call takes."""

import json
import os
import platform
import time

RESULTS = os.path.join(os.path.dirname(__file__), "results")


def timed(function):
    """``(result, seconds)`` of calling ``function()``."""
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def write_results(path: str, benchmark: str, results, **extra) -> None:
    """Write ``results`` with a description of the machine as JSON to ``path``."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    machine = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    with open(path, "w") as f:
        json.dump({"benchmark": benchmark, "machine": machine, "results": results, **extra}, f, indent=2)
