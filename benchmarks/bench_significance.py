"""False-positive rate and power of the significance rules, and the band against n.

Issue 20's measurements, each on the pipeline of a first layer: N raw 3 x 3 filters, normalized,
the dense core ρ(round(N / 32), 0.3) of n = 0.3 N rows, barcodes through 400 landmarks (exact
below 400 rows), alpha = 0.05, 99 null draws.

1. ``false_positives``: at dense-core sizes 100 to 5,000, clouds of three nulls, none of which
   has a loop: isotropic Gaussian filters, filters uniform on the sphere (the same law as the
   Gaussian once mean-centred and normalized, measured anyway, up to 1,000 rows), and randomly
   initialized conv filters (torch's default: i.i.d. uniform pixels). For each size the null
   threshold ``t`` comes from 99 draws of the default null (each draw's longer top lifetime of
   Gaussian and uniform filters), and, for comparison, from 99 Gaussian draws alone; then 100
   fresh clouds of each null are judged (a cell measured with fewer is extended on a rerun). The ``"null"`` rule
   rejects only when the top lifetime passes ``max(2 q, t)``, so the share of clouds whose top
   lifetime passes ``t`` is an upper bound of its family-wise false-positive rate
   (``null_upper``); ``universal`` is computed exactly on the same clouds. The full ``"null"``
   rule and ``"band"`` (``2 q`` alone) need 20 half-subsamples per cloud: they are measured on
   10 Gaussian and 10 conv-init clouds at sizes up to 1,000.
2. ``power``: noisy circles (noise 0.1 to 0.5) and weak circles (10% to 50% circle filters at
   noise 0.35 among Gaussian ones), at n = 50, 100, 300 and 1,000: the share of clouds in which each
   rule finds exactly one significant H1 bar (``one``) and at least one (``any``).
3. ``band_curve``: one weak circle (30% circle filters, noise 0.35) per seed (0 and 1; 0 alone
   beyond 1,000 rows) at n from 100 to 5,000, dense around ``n_landmarks`` = 400: the band ``q``, the null threshold ``t``, the top
   lifetime and the count; at n up to 500 also with exact diagrams (``n_landmarks=None``),
   beside the certified bound of the landmark diagrams.

Each finished cell is written at once to the output (``--out``), and a rerun skips the cells
already there: interrupt it and start it again to resume.

Usage: python benchmarks/bench_significance.py [--out benchmarks/results/significance.json] [--quick]
"""

import argparse
import json
import os
import time

import numpy as np
from _results import RESULTS, write_results

from sktopo.datasets import make_circle_filters, make_gaussian_filters
from sktopo.density import DensityFilter
from sktopo.homology import (
    DEFAULT_NULL,
    null_threshold,
    null_top_lifetimes,
    persistence_diagrams,
    significance,
    universal_p_values,
)
from sktopo.preprocessing import normalize_filters

ALPHA, P, N_DRAWS, N_LANDMARKS = 0.05, 0.3, 99, 400
SETTINGS = dict(maxdim=1, coeff=2, n_landmarks=N_LANDMARKS, metric="euclidean", exact_below=None)


def raw_size(n_dense: int) -> int:
    return round(n_dense / P)


def k_of(n_raw: int) -> int:
    return max(1, round(n_raw / 32))


def sphere(n, seed):
    raw = np.random.default_rng(seed).standard_normal((n, 9))
    return raw / np.linalg.norm(raw, axis=1, keepdims=True)


def conv_init(n, seed):
    # torch.nn.Conv2d's default init: kaiming_uniform(a=sqrt(5)) is uniform(-b, b) per weight
    return np.random.default_rng(seed).uniform(-1, 1, (n, 9))


def weak_circle(n, share, seed, noise=0.35):
    rng = np.random.RandomState(seed)
    n_circle = round(share * n)
    circle = make_circle_filters(n_circle, noise=noise, random_state=rng)
    return np.vstack([circle, make_gaussian_filters(n - n_circle, random_state=rng)])


NULLS = {
    "gaussian": lambda n, s: make_gaussian_filters(n, random_state=s),
    "sphere": sphere,
    "conv_init": conv_init,
}


def dense(raw):
    return DensityFilter(k=k_of(len(raw)), p=P).fit_transform(normalize_filters(raw))


def judge_full(raw):
    """H1 counts of the three rules, from one call (the band and diagrams serve all three).

    One seed for every cloud: a size's null draws are computed once (cached); the clouds differ.
    """
    result = significance(
        dense(raw),
        filters=raw,
        k=k_of(len(raw)),
        p=P,
        alpha=ALPHA,
        n_draws=N_DRAWS,
        n_landmarks=N_LANDMARKS,
        random_state=0,
    )
    return {
        "null": int(result.n_significant[1]),
        "band": int(result.band.n_significant[1]),
        "universal": int(np.sum(universal_p_values(result.diagrams[1]) < ALPHA)),
    }


def false_positives(n, n_clouds, n_band_clouds, nulls, done=None):
    """One size's cell; ``done``, an earlier cell of the same size with fewer clouds, is extended."""
    n_raw = raw_size(n)
    settings = {key: value for key, value in SETTINGS.items() if key != "exact_below"}
    common = dict(k=k_of(n_raw), p=P, n_draws=N_DRAWS, random_state=0, n_jobs=2, **settings)
    thresholds = {
        label: null_threshold(null_top_lifetimes((n_raw, 9), null=null, **common)[:, 1], ALPHA)
        for label, null in (("default", DEFAULT_NULL), ("gaussian_only", "gaussian"))
    }
    cell = {"n_dense": n, "n_raw": n_raw, "threshold": thresholds["default"], "thresholds": thresholds}
    for name in nulls:
        before = (done or {}).get(name, {"n_clouds": 0, "top_lifetimes": [], "universal": 0.0})
        tops, universal = list(before["top_lifetimes"]), [before["universal"]] * before["n_clouds"]
        for seed in range(before["n_clouds"], n_clouds):
            h1 = persistence_diagrams(dense(NULLS[name](n_raw, 1_000 + seed)), **SETTINGS).diagrams[1]
            tops.append(float(np.max(h1[:, 1] - h1[:, 0], initial=0.0)))
            universal.append(int(np.sum(universal_p_values(h1) < ALPHA)) > 0)
        cell[name] = {
            "n_clouds": n_clouds,
            "null_upper": float(np.mean(np.array(tops) > thresholds["default"])),
            "null_upper_gaussian_only": float(np.mean(np.array(tops) > thresholds["gaussian_only"])),
            "universal": float(np.mean(universal)),
            "top_lifetimes": [round(t, 4) for t in tops],
        }
    if done and "full_rule" in done:
        cell["full_rule"] = done["full_rule"]
    elif n_band_clouds and n <= 1000:
        full = [
            judge_full(NULLS[name](n_raw, 5_000 + s))
            for name in ("gaussian", "conv_init")
            for s in range(n_band_clouds)
        ]
        cell["full_rule"] = {
            "n_clouds": len(full),
            "nulls": ["gaussian", "conv_init"],
            "null": float(np.mean([f["null"] > 0 for f in full])),
            "band": float(np.mean([f["band"] > 0 for f in full])),
        }
    return cell


def power(n, kind, level, n_clouds):
    n_raw = raw_size(n)
    make = (
        (lambda s: make_circle_filters(n_raw, noise=level, random_state=s))
        if kind == "noisy"
        else (lambda s: weak_circle(n_raw, level, s))
    )
    judged = [judge_full(make(2_000 + s)) for s in range(n_clouds)]
    return {
        "n_dense": n,
        "kind": kind,
        "level": level,
        "n_clouds": n_clouds,
        **{
            m: {
                "one": float(np.mean([j[m] == 1 for j in judged])),
                "any": float(np.mean([j[m] > 0 for j in judged])),
            }
            for m in ("null", "universal", "band")
        },
    }


def band_point(n, seed):
    raw = weak_circle(raw_size(n), 0.3, seed)
    X = dense(raw)
    point = {"n_dense": len(X), "seed": seed}
    for label, landmarks in (("landmarks", N_LANDMARKS), ("exact", None)):
        if landmarks is None and n > 500:
            continue
        start = time.perf_counter()
        result = significance(
            X,
            filters=raw,
            k=k_of(len(raw)),
            p=P,
            alpha=ALPHA,
            n_draws=N_DRAWS,
            n_landmarks=landmarks,
            random_state=0,
        )
        point[label] = {
            "q": float(result.band.band[1]),
            "null_threshold": null_threshold(result.null[:, 1], ALPHA),
            "threshold": float(result.thresholds[1]),
            "top": float(result.lifetimes[1][0]) if len(result.lifetimes[1]) else 0.0,
            "n_significant": int(result.n_significant[1]),
            "bound": result.bound,
            "max_half_bound": float(result.band.half_bounds.max()),
            "seconds": round(time.perf_counter() - start, 2),
        }
    return point


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "significance.json"))
    parser.add_argument("--quick", action="store_true", help="a few clouds per cell, to try the script")
    parser.add_argument("--parts", default="fp,power,curve")
    parser.add_argument("--power-sizes", type=int, nargs="+", default=[50, 100, 300, 1000])
    parser.add_argument("--table", action="store_true", help="print the Markdown tables of --out and stop")
    args = parser.parse_args()
    if args.table:
        with open(args.out) as f:
            return print(tables(json.load(f)["results"]))
    done = {}
    if os.path.exists(args.out):
        with open(args.out) as f:
            done = json.load(f).get("results", {})
    results = {"false_positives": {}, "power": {}, "band_curve": {}, **done}
    clouds = 4 if args.quick else 100

    def save():
        write_results(
            args.out,
            "significance",
            results,
            settings={"alpha": ALPHA, "p": P, "n_draws": N_DRAWS, "n_landmarks": N_LANDMARKS},
        )

    def cell(part, key, compute, complete=lambda cell: True):
        if key in results[part] and complete(results[part][key]):
            return
        start = time.perf_counter()
        results[part][key] = {**compute(), "seconds": round(time.perf_counter() - start, 1)}
        save()
        print(part, key, json.dumps(results[part][key])[:300], flush=True)

    parts = args.parts.split(",")
    if "fp" in parts:
        for n in (100, 200, 300, 500, 1000, 2000, 5000):
            nulls = ("gaussian", "sphere", "conv_init") if n <= 1000 else ("gaussian", "conv_init")
            done = results["false_positives"].get(str(n))  # a cell of fewer clouds is extended
            cell(
                "false_positives",
                str(n),
                lambda n=n, nulls=nulls, done=done: false_positives(
                    n, clouds, 2 if args.quick else 10, nulls, done
                ),
                complete=lambda cell, nulls=nulls: all(cell[name]["n_clouds"] >= clouds for name in nulls),
            )
    if "power" in parts:
        for n in args.power_sizes:
            for kind, levels in (("noisy", (0.1, 0.2, 0.3, 0.4, 0.5)), ("weak", (0.1, 0.2, 0.3, 0.4, 0.5))):
                for level in levels:
                    n_clouds = 2 if args.quick else (20 if n <= 300 else 10)
                    cell(
                        "power",
                        f"{n}/{kind}/{level}",
                        lambda n=n, kind=kind, level=level, c=n_clouds: power(n, kind, level, c),
                    )
    if "curve" in parts:
        for n in (100, 200, 300, 380, 400, 420, 500, 1000, 2000, 5000):
            for seed in (0, 1) if n <= 1000 else (0,):
                cell("band_curve", f"{n}/{seed}", lambda n=n, seed=seed: band_point(n, seed))
    save()


def tables(results) -> str:
    """The three measurements as the Markdown tables of benchmarks/README.md."""
    lines = [
        "| dense rows | threshold t (Gaussian only) | Gaussian: null / Gaussian-only t / universal | sphere | conv init | full rule: null / band |",
        "|---|---|---|---|---|---|",
    ]
    for n, cell in results["false_positives"].items():
        rates = [
            f"{cell[name]['null_upper']:.2f} / {cell[name]['null_upper_gaussian_only']:.2f} / {cell[name]['universal']:.2f}"
            if name in cell
            else "-"
            for name in ("gaussian", "sphere", "conv_init")
        ]
        full = cell.get("full_rule")
        lines.append(
            f"| {n} | {cell['thresholds']['default']:.3f} ({cell['thresholds']['gaussian_only']:.3f}) | "
            + " | ".join(rates)
            + (
                f" | {full['null']:.2f} / {full['band']:.2f} ({full['n_clouds']} clouds) |"
                if full
                else " | - |"
            )
        )
    lines += [
        "",
        "| dense rows | kind | level | null: one / any | universal: one / any | band: one / any |",
        "|---|---|---|---|---|---|",
    ]
    for cell in results["power"].values():
        lines.append(
            f"| {cell['n_dense']} | {cell['kind']} | {cell['level']} | "
            + " | ".join(
                f"{cell[m]['one']:.2f} / {cell[m]['any']:.2f}" for m in ("null", "universal", "band")
            )
            + " |"
        )
    lines += [
        "",
        "| dense rows | seed | q | t | threshold | top | significant | exact: q / threshold / significant | bound |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for point in results["band_curve"].values():
        lm, ex = point["landmarks"], point.get("exact")
        exact = f"{ex['q']:.3f} / {ex['threshold']:.3f} / {ex['n_significant']}" if ex else "-"
        lines.append(
            f"| {point['n_dense']} | {point['seed']} | {lm['q']:.3f} | {lm['null_threshold']:.3f} | "
            f"{lm['threshold']:.3f} | {lm['top']:.3f} | {lm['n_significant']} | {exact} | {lm['bound']:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
