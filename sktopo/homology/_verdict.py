"""Verdict levels: found, borderline, not found, or too small to judge, with the reasons."""

__all__ = ["MIN_CORE_ROWS"]

#: The fewest dense-core rows whose barcode a verdict is drawn from: below it, the rule's power
#: on the noisy circles of ``benchmarks/bench_significance.py`` is too low for "not found" to
#: mean anything, so the level is ``"too_small"`` and lifetimes are NaN with a reason.
MIN_CORE_ROWS = 50
