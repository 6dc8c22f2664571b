"""primary_circle (Fig. 2) on tiny settings: its result, its presets and its errors."""

import numpy as np
import pytest

from sktopo.datasets import load_digits_28
from sktopo.experiments import PRIMARY_CIRCLE_PRESETS, PrimaryCircle, primary_circle
from sktopo.homology import LEVELS


@pytest.fixture(scope="module")
def tiny():
    X, y = load_digits_28()
    return primary_circle((X[:300], y[:300]), "M(8,0,16)", 3, 4, k=3, resolution=4, random_state=1)


def test_a_pair_of_arrays_and_given_settings(tiny):
    assert isinstance(tiny, PrimaryCircle)
    settings = tiny.settings
    assert (settings["dataset"], settings["spec"], settings["n_networks"], settings["iterations"]) == (
        "(X, y)",
        "M(8,0,16)",
        3,
        4,
    )
    assert (settings["n_train"], settings["n_test"]) == (240, 60)  # the offline 80/20 split of a pair
    assert (settings["k"], settings["n_filters"], settings["mapper_resolution"]) == (3, 24, 4)
    assert len(tiny.accuracies) == 3 and tiny.chance == pytest.approx(0.1)
    row = tiny.table.iloc[0]
    assert tiny.verdict is tiny.evidence.circle and tiny.verdict.level == row["verdict"] in LEVELS
    assert tiny.verdict.level == "too_small" and not tiny.found and not tiny.primary  # 24 filters
    assert tiny.paper["dense core"] == 1920


def test_the_presets_are_the_demo_and_the_paper():
    quick, paper = PRIMARY_CIRCLE_PRESETS["quick"], PRIMARY_CIRCLE_PRESETS["paper"]
    assert (quick["n_networks"], quick["iterations"], quick["spec"], quick["test_size"]) == (
        12,
        300,
        "M(64,0,64)",
        500,
    )
    assert (paper["n_networks"], paper["iterations"], paper["spec"], paper["k"]) == (
        100,
        40_000,
        "M(64,32,64)",
        200,
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"scale": "huge"}, ValueError, "scale must be 'quick'"),
        ({"n_networks": 0}, ValueError, "'n_networks' parameter of primary_circle"),
        ({"dataset": "imagenet"}, ValueError, "'dataset' parameter of primary_circle"),
        ({"scale": "paper"}, ValueError, "root is required"),
        ({"device": "tpu"}, ValueError, "device must be None or"),
    ],
)
def test_bad_settings_are_refused_before_training(kwargs, error, message):
    with pytest.raises(error, match=message):
        primary_circle(**kwargs)


def test_the_seed_makes_the_run(tiny):
    X, y = load_digits_28()
    again = primary_circle((X[:300], y[:300]), "M(8,0,16)", 3, 4, k=3, resolution=4, random_state=1)
    np.testing.assert_array_equal(again.accuracies, tiny.accuracies)
    np.testing.assert_array_equal(again.evidence.dense, tiny.evidence.dense)


def test_plot_draws_the_graph_beside_the_barcodes(tiny):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sktopo.experiments import ExperimentResult
    from sktopo.plotting import PrimaryCircleDisplay

    assert isinstance(tiny, ExperimentResult)
    display = tiny.plot(n_filters=2)
    assert isinstance(display, PrimaryCircleDisplay) and len(display.axes_) == 2
    assert display.mapper_.mapper is tiny.evidence.mapper and display.barcodes_.ax_ is display.axes_[1]
    assert display.axes_[1].get_title() == "layer 1: too_small"
    _, mine = plt.subplots(1, 2)
    assert PrimaryCircleDisplay(tiny.evidence).plot(mine).axes_[0] is mine[0]
    with pytest.raises(ValueError, match="two matplotlib Axes"):
        PrimaryCircleDisplay(tiny.evidence).plot([mine[0]])
    with pytest.raises(TypeError, match="primary_circle result"):
        PrimaryCircleDisplay.from_result(tiny.table)
    assert repr(tiny).startswith("PrimaryCircle (1 rows, verdict 'too_small')")
    plt.close("all")
