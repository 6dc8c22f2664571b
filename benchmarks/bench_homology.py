"""Persistent homology of filter clouds: sktopo against ripser.py and GUDHI, time and error.

Three cases, the issue's targets on a 2-core machine:

1. the 1,920-point noisy primary circle of the paper's Fig. 2 size, whose exact diagrams
   (ripser.py, no subsampling, about 200 s) are stored in ``../shared/reference/circle1920.npz``
   (regenerated from the same distribution when absent, with the exact run then timed here):
   the top H1 lifetime within 3% of exact in at most 2 s;
2. 20,480 points of the same kind (the size of the dense core ρ(15, 0.1) of a second-layer
   cloud): at most 15 s with a certified bottleneck bound of at most 0.15 (centred landmark
   diagrams, whose bound is the covering radius, with the fewest landmarks that reach it);
3. 204,800 points of a weak circle (a stand-in for the paper's second-layer clouds), density
   filtering ρ(15, 0.1) included: at most 60 s.

The peers are ripser.py with the same number of greedy landmarks (``n_perm``), ripser.py's
exact answer where it is feasible (case 1), and GUDHI's sparse Rips complex (``pip install
gudhi``) where it is feasible (case 1). Exact is out of reach for cases 2 and 3. The summary
printed at the end sets sktopo's first run of each case against the best peer run: the one
nearest the exact lifetime where it is known, else the one with the smallest certified bound.

GUDHI's sparse Rips filtration with parameter eps is (1, 1/(1 - eps))-interleaved with the Rips
filtration (guarantees only for eps < 1): every bar endpoint v of the sparse diagram is within
eps * v of its Rips partner, so its top H1 lifetime is certified to within eps times the death of
its top bar, written as its ``certified_bound``. eps = 0.3. Matching sktopo's bound of 0.28 on
case 1 would take eps of about 0.15, out of reach here; measured on case 1 (2 shared cores):
eps = 1.0 took 2.1 s, +16.8% (no guarantee); 0.5 took 11.4 s, +6.1%, bound 0.91; 0.3 took 50 s,
+1.05%, bound 0.52 (29 million simplices, 2 GB), the smallest eps that runs within a minute.
At 20,480 points the sparse graph alone (eps = 0.5) has 15 million edges and took 22 s; its
2-skeleton would not fit in memory, so GUDHI is recorded as not run (``"gudhi": null``, with the
reason) above 2,000 points, and wherever it is not installed.

Usage: python benchmarks/bench_homology.py [--out benchmarks/results/homology.json] [--quick]
(``--quick``: 480, 2,048 and 20,480 points, exact computed here; a smoke run of a minute.)
"""

import argparse
import json
import os

import numpy as np
from _results import RESULTS, timed, write_results
from ripser import ripser

from sktopo import DensityFilter
from sktopo.datasets import make_circle_filters
from sktopo.homology import persistence_diagrams, top_lifetime
from sktopo.preprocessing import normalize_filters

try:
    import gudhi
except ImportError:
    gudhi = None

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "reference", "circle1920.npz")
# the reference adds noise 0.1 per pixel to the raw edge filter x cos t + y sin t, of norm sqrt(6)
REFERENCE_NOISE = 0.1 / np.sqrt(6)
SIZES = {False: (1920, 20_480, 204_800), True: (480, 2_048, 20_480)}
GUDHI_EPS = 0.3
GUDHI_MAX_POINTS = 2_000


def reference_circle(n=1920):
    if n == 1920 and os.path.exists(REFERENCE):
        data = np.load(REFERENCE)
        h1 = data["h1"]
        return data["points"], top_lifetime(h1), float(data["seconds"]), "stored reference"
    X = normalize_filters(make_circle_filters(n, noise=REFERENCE_NOISE, random_state=0))
    dgms, seconds = timed(lambda: ripser(X, maxdim=1)["dgms"])
    return X, top_lifetime(dgms[1]), seconds, "computed here"


def sktopo_h1(X, **kwargs):
    result = persistence_diagrams(X, maxdim=1, **kwargs)
    return result.diagrams[1], result.bound


def ripser_h1(X, n_perm):
    result = ripser(X, maxdim=1, n_perm=n_perm)
    return result["dgms"][1], 2 * float(result["r_cover"])


def gudhi_h1(X, eps):
    gudhi.random.set_seed(0)
    tree = gudhi.RipsComplex(points=X, sparse=eps).create_simplex_tree(max_dimension=2)
    tree.compute_persistence(homology_coeff_field=2)
    h1 = tree.persistence_intervals_in_dimension(1)
    finite = h1[np.isfinite(h1[:, 1])]
    top_death = finite[np.argmax(finite[:, 1] - finite[:, 0]), 1] if len(finite) else 0.0
    return h1, eps * float(top_death)


def measure(library, name, compute, exact=None, **fields):
    """Time ``compute() -> (h1 diagram, certified bound)`` and describe it as a run."""
    (h1, bound), seconds = timed(compute)
    return {**_run(name, top_lifetime(h1), bound, seconds, exact), "library": library, **fields}


def add_gudhi(row, X, exact=None):
    """Append GUDHI's sparse Rips run to ``row``, or record why it was not run."""
    if gudhi is None:
        reason = "gudhi is not installed (pip install gudhi)"
    elif len(X) > GUDHI_MAX_POINTS:
        reason = (
            f"not run above {GUDHI_MAX_POINTS:,} points: at 20,480 the sparse graph alone (eps=0.5) had "
            "15 million edges and took 22 s; its 2-skeleton would not fit in memory"
        )
    else:
        row["gudhi"] = gudhi.__version__
        row["runs"].append(
            measure(
                "gudhi",
                f"GUDHI sparse Rips eps={GUDHI_EPS}",
                lambda: gudhi_h1(X, GUDHI_EPS),
                exact,
                gudhi_sparse_eps=GUDHI_EPS,
                interleaving_factor=round(1 / (1 - GUDHI_EPS), 4),
            )
        )
        return
    row["gudhi"] = None
    row["gudhi_reason"] = reason


def case_1920(n):
    X, exact, exact_seconds, source = reference_circle(n)
    row = {
        "case": f"{n:,}-point circle",
        "exact_top_h1": exact,
        "exact_seconds": exact_seconds,
        "exact_source": source,
        "runs": [],
    }
    for name, kwargs in [
        ("sktopo 300 landmarks, exact births", {"n_landmarks": 300, "exact_below": "auto"}),
        ("sktopo 300 landmarks, landmark births", {"n_landmarks": 300, "exact_below": None}),
    ]:
        row["runs"].append(measure("sktopo", name, lambda kwargs=kwargs: sktopo_h1(X, **kwargs), exact))
    row["runs"].append(measure("ripser.py", "ripser.py n_perm=300", lambda: ripser_h1(X, 300), exact))
    add_gudhi(row, X, exact)
    best = row["runs"][0]
    row["target_met"] = bool(best["seconds"] <= 2 and abs(best["error_percent"]) <= 3)
    return row


def _run(name, lifetime, bound, seconds, exact=None):
    run = {
        "method": name,
        "top_h1": round(lifetime, 5),
        "certified_bound": round(bound, 4),
        "seconds": round(seconds, 3),
    }
    if exact is not None:
        run["error_percent"] = round(100 * (lifetime - exact) / exact, 3)
    return run


def case_20480(n):
    X = normalize_filters(make_circle_filters(n, noise=REFERENCE_NOISE, random_state=1))
    row = {"case": f"{n:,}-point circle", "runs": []}
    row["runs"].append(
        measure(
            "sktopo",
            "sktopo centred, fewest landmarks for bound 0.15",
            lambda: sktopo_h1(X, n_landmarks=None, max_error=0.15, centre=True),
        )
    )
    for m in (400, 600):
        row["runs"].append(
            measure("sktopo", f"sktopo {m} landmarks", lambda m=m: sktopo_h1(X, n_landmarks=m))
        )
        row["runs"].append(measure("ripser.py", f"ripser.py n_perm={m}", lambda m=m: ripser_h1(X, m)))
    add_gudhi(row, X)
    best = row["runs"][0]
    row["target_met"] = bool(best["seconds"] <= 15 and best["certified_bound"] <= 0.15)
    return row


def case_204800(n):
    X = normalize_filters(make_circle_filters(n, noise=0.5, random_state=2))
    core, density_seconds = timed(lambda: DensityFilter(k=15, p=0.1, n_jobs=-1).fit_transform(X))
    run = measure("sktopo", "sktopo 400 landmarks", lambda: sktopo_h1(core, n_landmarks=400))
    total = density_seconds + run["seconds"]
    row = {
        "case": f"{n:,}-point weak circle, rho(15, 0.1) then homology",
        "core_rows": len(core),
        "density_seconds": round(density_seconds, 2),
        "runs": [run],
        "total_seconds": round(total, 2),
        "target_met": bool(total <= 60),
    }
    add_gudhi(row, core)
    return row


def summarize(row):
    """sktopo's first run of ``row`` against its best peer run (see the module docstring)."""
    ours = row["runs"][0]
    peers = [run for run in row["runs"] if run["library"] != "sktopo"]
    if not peers:
        return {"case": row["case"], "sktopo": ours, "best_peer": None}
    if "exact_top_h1" in row:
        best = min(peers, key=lambda run: abs(run["error_percent"]))
    else:
        best = min(peers, key=lambda run: (run["certified_bound"], run["seconds"]))
    ratio = round(best["seconds"] / ours["seconds"], 2)
    return {"case": row["case"], "sktopo": ours, "best_peer": best, "peer_seconds_over_sktopo": ratio}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "homology.json"))
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    rows = []
    for case, n in zip((case_1920, case_20480, case_204800), SIZES[args.quick]):
        rows.append(case(n))
        print(json.dumps(rows[-1]), flush=True)
    summary = [summarize(row) for row in rows]
    print(json.dumps({"summary": summary}, indent=2), flush=True)
    write_results(args.out, "homology", rows, quick=args.quick, summary=summary)


if __name__ == "__main__":
    main()
