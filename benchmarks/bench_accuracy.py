"""Accuracy of the top H1 lifetime: landmark births against refined ones, and what refining costs.

Issue 10, point 4: the 400-landmark diagrams report the top H1 lifetime of the 1,920-point
reference circle 4.5% low (landmark births come late); ``exact_below="auto"`` refines the births
against the exact diagrams of every row up to a small scale. This measures, to choose when
``persistence_diagrams`` does it by default:

1. the reference circle (``../shared/reference/circle1920.npz``, exact diagrams stored):
   ``exact_below=None`` and ``"auto"``, plain and centred, and the refinement as it was before
   this benchmark (dense ripser.py input, scale ``b + bound``);
2. normalized synthetic clouds (circle, noise 0.05 and 0.1; Klein bottle, noise 0.05;
   structureless Gaussian) of 500 ... 20,000 rows, seeds 0, 1, 2: time and top H1 lifetime with
   ``exact_below=None`` and ``"auto"`` (400 landmarks), whether ``"auto"`` refined, the scale
   and the estimated pairs of rows below it, and exact ripser.py where it finishes within
   60 s (500 rows; 1,000 rows seed 0);
3. the peak extra memory of ``"auto"`` (seed 0): tracemalloc (numpy's arrays) and the growth of
   the process's peak resident size (ripser.py's C++ too), where Linux lets it be reset; the
   latter is a lower bound (memory freed earlier and kept by the allocator is reused unseen);
4. the refinement forced (a float ``exact_below``, no budget) where ``"auto"`` skips it, seed 0:
   what the budget saves.

Usage: python benchmarks/bench_accuracy.py [--out benchmarks/results/accuracy.json] [--quick]
"""

import argparse
import json
import multiprocessing
import os
import tracemalloc

import numpy as np
from _results import RESULTS, timed, write_results
from bench_homology import REFERENCE
from ripser import ripser

from sktopo.datasets import make_circle_filters, make_klein_filters
from sktopo.homology import _persistence, persistence_diagrams, top_lifetime
from sktopo.homology._persistence import PAIR_BUDGET, _pairs_closer
from sktopo.preprocessing import normalize_filters

SIZES = (500, 1000, 2000, 5000, 10_000, 20_000)
SEEDS = (0, 1, 2)
EXACT_SECONDS = 60
CLOUDS = {
    "circle, noise 0.05": lambda n, seed: make_circle_filters(n, noise=0.05, random_state=seed),
    "circle, noise 0.1": lambda n, seed: make_circle_filters(n, noise=0.1, random_state=seed),
    "klein bottle, noise 0.05": lambda n, seed: make_klein_filters(n, noise=0.05, random_state=seed),
    "gaussian": lambda n, seed: np.random.default_rng(seed).standard_normal((n, 9)),
}


def cloud(name, n, seed):
    return normalize_filters(CLOUDS[name](n, seed))


class Attempts:
    """Record the scales the refinement computes exactly below, and ripser.py's seconds for each.

    Wraps the private ``_rips_below`` of ``sktopo.homology._persistence`` while in a ``with``.
    """

    def __enter__(self):
        self.scales, self._original = [], _persistence._rips_below

        def recorded(X, maxdim, coeff, tau):
            result, seconds = timed(lambda: self._original(X, maxdim, coeff, tau))
            self.scales.append({"scale": round(tau, 4), "seconds": round(seconds, 3)})
            return result

        _persistence._rips_below = recorded
        return self

    def __exit__(self, *exc):
        _persistence._rips_below = self._original


def run(X, **kwargs):
    result, seconds = timed(lambda: persistence_diagrams(X, maxdim=1, **kwargs))
    return result, {"top_h1": round(top_lifetime(result.diagrams[1]), 5), "seconds": round(seconds, 3)}


def auto_scale(result):
    """The scale "auto" refines below (centre=False): just above the longest bar's landmark birth."""
    finite = result.diagrams[1][np.isfinite(result.diagrams[1][:, 1])]
    return float(finite[np.argmax(finite[:, 1] - finite[:, 0]), 0]) * 1.02 + 1e-12


def percent(value, reference):
    return round(100 * (value - reference) / reference, 3)


def _exact_worker(X, queue):
    queue.put(timed(lambda: top_lifetime(ripser(X, maxdim=1)["dgms"][1])))


def exact(X):
    """ripser.py on every row, given EXACT_SECONDS: ``(top H1 lifetime, seconds)`` or None."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_exact_worker, args=(X, queue))
    process.start()
    process.join(EXACT_SECONDS)
    if process.is_alive():
        process.terminate()
        process.join()
        return None
    return queue.get()


def _rss_peak_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM, the peak resident size, to the current size
        return True
    except OSError:
        return False


def _status_kb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))


def peak_extra_mb(function):
    """Peak memory above the start while ``function()`` runs: tracemalloc's and resident (or None)."""
    rss = _rss_peak_reset()
    start = _status_kb("VmRSS") if rss else 0
    tracemalloc.start()
    function()
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    resident = round((_status_kb("VmHWM") - start) / 1024, 1) if rss else None
    return {"tracemalloc_mb": round(traced / 2**20, 1), "resident_mb": resident}


def case_reference():
    data = np.load(REFERENCE)
    X, exact_top = data["points"], top_lifetime(data["h1"])
    row = {"case": "1,920-point reference circle", "exact_top_h1": exact_top, "runs": []}
    for name, kwargs in [
        ("400 landmarks", {"exact_below": None}),
        ('400 landmarks, exact_below="auto"', {"exact_below": "auto"}),
        ("400 landmarks, centred", {"exact_below": None, "centre": True}),
        ('400 landmarks, centred, exact_below="auto"', {"exact_below": "auto", "centre": True}),
    ]:
        result, timing = run(X, **kwargs)
        row["runs"].append(
            {"method": name, **timing, "error_percent": percent(timing["top_h1"], exact_top)}
            | {"refined": result.refined, "bound": round(result.bound, 4)}
        )
    plain = persistence_diagrams(X, maxdim=1, exact_below=None)
    old_tau = auto_scale(plain) + plain.bound * 1.02  # (b + bound) * 1.02: the scale before this change
    row["before_this_change"] = previous_refinement(X, old_tau)
    return row


def previous_refinement(X, tau):
    """The refinement's exact part as it was: ripser.py given every point, so every distance."""
    _, seconds = timed(lambda: ripser(X, maxdim=1, thresh=tau))
    memory = peak_extra_mb(lambda: ripser(X, maxdim=1, thresh=tau))
    return {
        "scale": round(tau, 4),
        "estimated_pairs_below": round(_pairs_closer(X, tau)),
        "seconds": round(seconds, 3),
        **memory,
        "resident_formula_mb": round(27 * len(X) ** 2 / 2**20, 1),  # distances, index grids, mask
    }


def case_cloud(name, n, seed, with_memory):
    X = cloud(name, n, seed)
    plain, none = run(X, exact_below=None)
    with Attempts() as attempts:
        refined, auto = run(X, exact_below="auto")
    tau = auto_scale(plain)
    row = {"cloud": name, "n": n, "seed": seed, "bound": round(plain.bound, 4), "none": none, "auto": auto}
    row["auto"] |= {"refined": refined.refined, "scale": round(tau, 4), "attempts": attempts.scales}
    row["auto"]["estimated_pairs_below"] = round(_pairs_closer(X, tau))
    row["none_vs_auto_percent"] = percent(none["top_h1"], auto["top_h1"])
    if n <= 500 or (n <= 1000 and seed == 0 and name != "gaussian"):
        answer = exact(X)
        row["exact"] = (
            {"top_h1": round(answer[0], 5), "seconds": round(answer[1], 2)}
            if answer
            else f"over {EXACT_SECONDS} s"
        )
        if answer:
            row["none_error_percent"] = percent(none["top_h1"], answer[0])
            row["auto_error_percent"] = percent(auto["top_h1"], answer[0])
    if with_memory:
        row["auto"]["peak_extra"] = peak_extra_mb(lambda: persistence_diagrams(X, exact_below="auto"))
        row["none_peak_extra"] = peak_extra_mb(lambda: persistence_diagrams(X, exact_below=None))
    print(json.dumps(row), flush=True)
    return row


def case_forced(name, n):
    """Refinement forced where "auto" skips it: its time and memory, seed 0."""
    X = cloud(name, n, 0)
    plain = persistence_diagrams(X, maxdim=1, exact_below=None)
    tau = auto_scale(plain)
    timing, memory = run(X, exact_below=tau)[1], None
    if n <= 10_000:
        memory = peak_extra_mb(lambda: persistence_diagrams(X, exact_below=tau))
    row = {
        "cloud": name,
        "n": n,
        "scale": round(tau, 4),
        "estimated_pairs_below": round(_pairs_closer(X, tau)),
        "forced": timing,
        "landmarks_only": run(X, exact_below=None)[1],
        "none_vs_forced_percent": percent(top_lifetime(plain.diagrams[1]), timing["top_h1"]),
        "peak_extra": memory,
    }
    print(json.dumps(row), flush=True)
    return row


def summary(rows):
    """Median over seeds per cloud and size: the table of the report."""
    table = []
    for name in CLOUDS:
        for n in SIZES:
            group = [r for r in rows if r["cloud"] == name and r["n"] == n]
            if not group:
                continue
            table.append(
                {
                    "cloud": name,
                    "n": n,
                    "none_seconds": float(np.median([r["none"]["seconds"] for r in group])),
                    "auto_seconds": float(np.median([r["auto"]["seconds"] for r in group])),
                    "refined": f"{sum(r['auto']['refined'] for r in group)}/{len(group)}",
                    "exact_seconds_in_auto": float(
                        np.median([sum(a["seconds"] for a in r["auto"]["attempts"]) for r in group])
                    ),
                    "attempts": float(np.median([len(r["auto"]["attempts"]) for r in group])),
                    "none_vs_auto_percent": float(np.median([r["none_vs_auto_percent"] for r in group])),
                    "estimated_pairs_below": float(
                        np.median([r["auto"]["estimated_pairs_below"] for r in group])
                    ),
                }
            )
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "accuracy.json"))
    parser.add_argument("--quick", action="store_true", help="sizes up to 2,000 and seed 0 only")
    args = parser.parse_args()
    sizes, seeds = (SIZES[:3], SEEDS[:1]) if args.quick else (SIZES, SEEDS)
    reference = case_reference()
    print(json.dumps(reference), flush=True)
    rows = [case_cloud(name, n, seed, seed == seeds[0]) for name in CLOUDS for n in sizes for seed in seeds]
    forced = []
    if not args.quick:
        cases = [("circle, noise 0.05", 10_000), ("circle, noise 0.1", 10_000), ("gaussian", 2000)]
        cases += [("gaussian", 5000), ("klein bottle, noise 0.05", 20_000)]
        forced = [case_forced(name, n) for name, n in cases]
    table = summary(rows)
    for line in table:
        print(json.dumps(line))
    write_results(
        args.out,
        "accuracy",
        {"reference": reference, "clouds": rows, "forced": forced, "summary": table},
        pair_budget=PAIR_BUDGET,
        n_landmarks=400,
    )


if __name__ == "__main__":
    main()
