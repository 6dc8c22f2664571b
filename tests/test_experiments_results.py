"""The experiments' result objects: their verdicts read the paper's claim off the measurements."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

from sktopo.experiments import (
    CrossDomainResult,
    EvolutionResult,
    ExperimentResult,
    SimplicityResult,
    SpeedupResult,
)
from sktopo.experiments._evolution import PAPER as EVOLUTION
from sktopo.experiments._generalization import PAPER as GENERALIZATION
from sktopo.experiments._simplicity import PAPER as SIMPLICITY
from sktopo.experiments._speedup import PAPER as SPEEDUP
from sktopo.homology import LEVELS, Finding, Verdict

matplotlib.use("Agg")

EMPTY = pd.DataFrame()


def _simplicity(spearman, low, high):
    correlation = {"spearman": spearman, "low": low, "high": high, "confidence": 0.95}
    return SimplicityResult(EMPTY, {}, dict(SIMPLICITY), correlation, EMPTY, EMPTY)


@pytest.mark.parametrize(
    "spearman, low, high, level",
    [
        (0.8, 0.2, 0.95, "found"),
        (0.5, -0.1, 0.9, "borderline"),
        (-0.3, -0.7, 0.2, "not_found"),
        (0.0, -0.5, 0.5, "not_found"),
        (math.nan, math.nan, math.nan, "too_small"),
    ],
)
def test_simplicity_verdict_reads_the_interval(spearman, low, high, level):
    finding = _simplicity(spearman, low, high).verdict
    assert finding.level == level and finding.level in LEVELS
    assert finding.agrees == (level == "found")
    assert "Spearman correlation of the top H1 lifetime" in finding.reasons[0]
    assert (finding.margin == low) if level != "too_small" else math.isnan(finding.margin)


def _cross(accuracies):
    rows = [{"first_layer": arm, "target_accuracy": a} for arm, values in accuracies.items() for a in values]
    settings = {"source": "mnist_sample", "target": "digits"}
    return CrossDomainResult(pd.DataFrame(rows), settings, dict(GENERALIZATION))


def test_cross_domain_verdict_compares_the_circle_with_every_other_first_layer():
    better = _cross({"primary_circle": [0.3, 0.32], "gaussian": [0.2, 0.22], "trained": [0.1, 0.1]}).verdict
    assert better.level == "found" and better.margin == pytest.approx(0.1)
    assert "on digits after training on mnist_sample: primary circle 31.0%" in better.reasons[0]
    assert "primary circle 28%, gaussian 12%, trained 11%" in better.reasons[1]  # the paper's
    assert "spread by up to" in better.reasons[2] and "beats" in better.reasons[-1]
    worse = _cross({"primary_circle": [0.2], "trained": [0.3]}).verdict
    assert worse.level == "not_found" and worse.margin == pytest.approx(-0.1)
    close = _cross({"primary_circle": [0.2, 0.5], "trained": [0.3, 0.3]}).verdict  # lead 0.05, spread 0.21
    assert close.level == "borderline" and close.reasons[-1] == "the lead is within the spread"
    alone = _cross({"primary_circle": [0.4], "trained": [0.3]}).verdict
    assert alone.level == "borderline" and "one repeat" in alone.reasons[-1]
    undefined = _cross({"primary_circle": [float("nan")], "trained": [0.3]}).verdict
    assert undefined.level == "too_small" and "NaN" in undefined.reasons[-1]
    assert _cross({"gaussian": [0.2], "trained": [0.3]}).verdict.level == "too_small"
    assert _cross({"primary_circle": [0.2]}).verdict.level == "too_small"


def _speedup(means):
    summary = {bank: {"mean": mean} for bank, mean in means.items()}
    paper = {**SPEEDUP, "order": list(SPEEDUP["order"])}
    return SpeedupResult(EMPTY, {}, paper, summary)


def test_speedup_verdict_asks_whether_the_circle_is_fastest():
    fastest = _speedup({"none": 1.0, "primary_circle": 2.5, "gaussian": 1.5}).verdict
    assert fastest.level == "found" and fastest.margin == pytest.approx(1.0)
    assert "2× on MNIST, 3.5× on SVHN" in fastest.reasons[1]
    assert "primary circle, then klein bottle" in fastest.reasons[1]
    slower = _speedup({"none": 1.0, "primary_circle": 1.2, "klein_bottle": 1.5}).verdict
    assert slower.level == "not_found" and "not the fastest" in slower.reasons[-1]
    undefined = _speedup({"none": 1.0, "primary_circle": math.inf, "gaussian": 1.5}).verdict
    assert undefined.level == "too_small" and "never reached" in undefined.reasons[-1]
    alone = _speedup({"none": 1.0, "primary_circle": 2.0}).verdict
    assert alone.level == "found" and alone.margin == pytest.approx(1.0)  # over the raw images' 1x
    slower = _speedup({"none": 1.0, "primary_circle": 0.7, "gaussian": 0.5}).verdict
    assert slower.level == "not_found" and slower.margin == pytest.approx(-0.3)
    assert _speedup({"none": 1.0, "primary_circle": 2.0, "gaussian": None}).verdict.level == "found"


@pytest.mark.parametrize(
    ("iterations", "level", "nearest"),
    [
        # every bank read at the same checkpoint: each "1.0x", a tie the scoring cannot break
        ({"none": [20, 20], "primary_circle": [20, 20], "gaussian": [20, 20]}, "borderline", "raw images"),
        # a lead of less than one scoring interval (10 iterations) is a tie too
        ({"none": [20, 30], "primary_circle": [20, 20], "gaussian": [40, 40]}, "borderline", "raw images"),
        ({"none": [40, 40], "primary_circle": [20, 30], "gaussian": [30, 30]}, "borderline", "gaussian"),
        # a lead of one interval or more is not
        ({"none": [40, 40], "primary_circle": [20, 20], "gaussian": [30, 30]}, "found", None),
        ({"none": [20, 20], "primary_circle": [40, 40], "gaussian": [30, 30]}, "not_found", None),
        # a bank that never reached the target is no tie
        ({"none": [40, 40], "primary_circle": [20, 20], "gaussian": [math.inf, math.inf]}, "found", None),
    ],
)
def test_speedup_ties_within_the_scoring_interval_are_borderline(iterations, level, nearest):
    summary = {
        bank: {"iterations": its, "mean": float(np.mean(np.divide(iterations["none"], its)))}
        for bank, its in iterations.items()
    }
    paper = {**SPEEDUP, "order": list(SPEEDUP["order"])}
    finding = SpeedupResult(EMPTY, {"eval_every": 10}, paper, summary).verdict
    assert finding.level == level
    tie = [
        reason for reason in finding.reasons if "ties within the scoring interval are inconclusive" in reason
    ]
    assert len(tie) == (nearest is not None)
    if nearest:
        assert f"within one scoring interval (10 iterations) of {nearest}:" in tie[0]


def test_evolution_verdict_reads_the_loops():
    table = pd.DataFrame(
        {
            "layer": [1, 1, 2],
            "iteration": [50, 100, 100],
            "n_dense": [60, 60, 60],
            "mapper_n_loops": [0, 1, 2],
        }
    )
    finding = EvolutionResult(table, {}, dict(EVOLUTION), {}, {}, [0]).verdict
    assert finding.level == "found" and "appears in layer 1 at iterations [100]" in finding.reasons[0]
    assert "first layer at 400 batch iterations" in finding.reasons[1]
    none = EvolutionResult(table.assign(mapper_n_loops=0), {}, dict(EVOLUTION), {}, {}, [0]).verdict
    assert none.level == "not_found" and "at no iteration" in none.reasons[0]
    small = EvolutionResult(table.assign(n_dense=49), {}, dict(EVOLUTION), {}, {}, [0]).verdict
    assert small.level == "too_small" and "MIN_CORE_ROWS=50" in small.reasons[-1]


def test_the_base_result_is_abstract_and_findings_are_values():
    with pytest.raises(TypeError, match="abstract"):
        ExperimentResult(EMPTY, {}, {})
    assert Finding("found", ("a",), 0.1) == Finding("found", ("a",), 0.1)
    assert not Finding("borderline", (), 0.0).agrees
    assert Verdict("found", (), 0.2, 1).agrees and isinstance(Verdict("found", (), 0.2, 1), Finding)
    assert "verdict undefined" in repr(CrossDomainResult(pd.DataFrame(), {}, {}))  # no first_layer


def test_results_show_their_verdict_and_table():
    result = _simplicity(0.8, 0.2, 0.95)
    assert repr(result).startswith("SimplicityResult (0 rows, verdict 'found')")
    assert result._repr_html_() == EMPTY._repr_html_()


def test_displays_draw_undefined_numbers_as_undefined():
    import matplotlib.pyplot as plt

    from sktopo.plotting import SimplicityDisplay, SpeedupDisplay

    table = pd.DataFrame({"iteration": [1, 2], "test_accuracy": [0.5, 0.6], "h1_lifetime": [0.2, 0.3]})
    title = SimplicityDisplay(
        table, correlation={"spearman": 0.5, "low": None, "high": None, "confidence": 0.95}
    )
    assert title.plot().ax_.get_title() == "Spearman 0.50, 95% CI [undefined, undefined]"
    curves = pd.DataFrame(
        {"bank": ["none", "gaussian"], "repeat": [0, 0], "iteration": [1, 1], "test_accuracy": [0.5, 0.6]}
    )
    legend = SpeedupDisplay(curves, speedup={"none": {"mean": 1.0}, "gaussian": {"mean": None}}).plot()
    assert [t.get_text() for t in legend.ax_.get_legend().get_texts()] == [
        "Gaussian (speed-up undefined)",
        "Normal",
    ]
    with pytest.raises(ValueError, match="table must be the table of a result of appended_features_speedup"):
        SpeedupDisplay(curves.drop(columns="bank")).plot()
    plt.close("all")
