"""Calibration and power of the random-filter test and of the confidence band.

1. False positives: ``random_filter_test`` on clouds of structureless Gaussian filters (the
   null itself), 100 clouds of 1,000 filters, each test with its own 19 null draws, the pipeline
   of the main job in miniature (normalize, density filtration ρ(20, 0.3), 150 landmarks):
   the share of p-values <= alpha must be at most alpha + 0.05 (issue 10), for alpha in
   {0.05, 0.10}.
2. Power: the same test on ``make_circle_filters(2000, noise=0.1)`` over 20 seeds: rejected at
   alpha = 0.05 each time.
3. The band's false positives: ``confidence_band`` (defaults) on 30 Gaussian clouds of 1,000
   filters: the share with a significant H1 bar.

Usage: python benchmarks/bench_significance.py [--out benchmarks/results/significance.json]
"""

import argparse
import os

import numpy as np
from _results import RESULTS, timed, write_results

from sktopo.datasets import make_circle_filters, make_gaussian_filters
from sktopo.homology import confidence_band, random_filter_test
from sktopo.preprocessing import normalize_filters

SETTINGS = dict(k=20, p=0.3, n_draws=19, n_landmarks=150, n_jobs=2)


def p_values(make, seeds):
    return [random_filter_test(make(seed), random_state=10_000 + seed, **SETTINGS).p_value for seed in seeds]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "significance.json"))
    args = parser.parse_args()
    null_p, null_seconds = timed(
        lambda: p_values(lambda s: make_gaussian_filters(1000, random_state=s), range(100))
    )
    circle_p, circle_seconds = timed(
        lambda: p_values(lambda s: make_circle_filters(2000, noise=0.1, random_state=s), range(20))
    )
    bands, band_seconds = timed(
        lambda: [
            confidence_band(
                normalize_filters(make_gaussian_filters(1000, random_state=s)), random_state=s, n_jobs=2
            )
            for s in range(30)
        ]
    )
    results = {
        "random_filter_test": {
            "settings": {key: value for key, value in SETTINGS.items() if key != "n_jobs"},
            "gaussian_false_positive_rate": {
                str(alpha): float(np.mean(np.array(null_p) <= alpha)) for alpha in (0.05, 0.10)
            },
            "gaussian_p_values": null_p,
            "circle_rejection_rate_at_0.05": float(np.mean(np.array(circle_p) <= 0.05)),
            "circle_p_values": circle_p,
            "seconds_per_test": round((null_seconds + circle_seconds) / 120, 2),
        },
        "confidence_band": {
            "gaussian_share_with_a_significant_h1_bar": float(
                np.mean([b.n_significant[1] > 0 for b in bands])
            ),
            "gaussian_h1_band": [round(float(b.band[1]), 4) for b in bands],
            "gaussian_top_h1_lifetime": [
                round(float(np.max(np.diff(b.diagrams[1], axis=1))), 4) for b in bands
            ],
            "seconds_per_band": round(band_seconds / len(bands), 2),
        },
    }
    write_results(args.out, "significance", results)
    print(
        results["random_filter_test"]["gaussian_false_positive_rate"],
        results["confidence_band"]["gaussian_share_with_a_significant_h1_bar"],
    )


if __name__ == "__main__":
    main()
