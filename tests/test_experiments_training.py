"""Section VI's training experiments: cross-domain generalization and the appended-features speed-up."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sktopo.datasets import load_dataset
from sktopo.experiments import CrossDomainResult, SpeedupResult
from sktopo.experiments._generalization import NOT_LEARNED, cross_domain_generalization
from sktopo.experiments._speedup import _append, appended_features_speedup, speedup_summary
from sktopo.filterbanks import gradients, primary_circle
from sktopo.nn import NetworkEnsemble, make_classifier
from sktopo.plotting import CrossDomainDisplay, SpeedupDisplay, plot_cross_domain, plot_speedup

matplotlib.use("Agg")

TINY = {"spec": "M(4,2,8)", "n_repeats": 2, "device": "cpu"}
BANKS = ["primary_circle", "klein_bottle", "gaussian", "gradients", "none", "none_5x5"]


@pytest.fixture(scope="module")
def mnist():
    X, y = load_dataset("mnist_sample", "train")
    return X[:200], y[:200]


@pytest.fixture(scope="module")
def digits():
    X, y = load_dataset("digits", "train")
    return X[:200], y[:200]


@pytest.fixture(scope="module")
def cross(mnist, digits):
    with pytest.warns(UserWarning, match="NaN in 2 of 2 rows"):  # 2 networks' 8 filters: too few
        return cross_domain_generalization(mnist, digits, max_iter=3, **TINY)


@pytest.fixture(scope="module")
def speedup(mnist):
    return appended_features_speedup(mnist, max_iter=4, eval_every=2, n_filters=4, **TINY)


def test_cross_domain_table(cross):
    assert isinstance(cross, CrossDomainResult)
    cross = cross.table
    assert list(cross.columns) == [
        "first_layer",
        "repeat",
        "seed",
        "source",
        "target",
        "max_iter",
        "source_accuracy",
        "target_accuracy",
        "h1_lifetime",
        "h1_lifetime_reason",
    ]
    assert len(cross) == 6
    assert cross["first_layer"].tolist() == ["primary_circle"] * 2 + ["gaussian"] * 2 + ["trained"] * 2
    assert cross["repeat"].tolist() == [0, 1] * 3
    for column in ("repeat", "seed", "max_iter"):
        assert cross[column].dtype == np.int64
    for column in ("source_accuracy", "target_accuracy", "h1_lifetime"):
        assert cross[column].dtype == np.float64
    assert cross[["source_accuracy", "target_accuracy"]].stack().between(0, 1).all()
    assert (cross["source"] == "(X, y)").all() and (cross["max_iter"] == 3).all()


def test_cross_domain_arms_share_seeds_and_lifetime_of_trained_only(cross):
    cross = cross.table
    seeds = cross.pivot(index="repeat", columns="first_layer", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()  # repeat r has one seed in every arm
    assert seeds[seeds.columns[0]].nunique() == 2
    fixed = cross[cross["first_layer"] != "trained"]
    assert fixed["h1_lifetime"].isna().all() and (fixed["h1_lifetime_reason"] == NOT_LEARNED).all()


def test_cross_domain_lifetime_of_too_few_filters_is_nan_with_a_reason(cross):
    trained = cross.table[cross.table["first_layer"] == "trained"]
    assert trained["h1_lifetime"].isna().all()  # ρ(16, 0.3) of 2 networks' 8 filters: never a number
    reason = trained["h1_lifetime_reason"].iloc[0]
    assert "k=16 is not below half of the 8 filters" in reason
    assert "rho(16, 0.3) of 8 filters keeps 2 rows, fewer than MIN_CORE_ROWS=50" in reason


def test_cross_domain_lifetime_of_enough_filters(mnist, digits):
    # 2 networks M(32, ...): 64 filters, whose ρ(4, 0.8) keeps 51 rows
    result = cross_domain_generalization(
        mnist, digits, first_layers="trained", max_iter=2, k=4, p=0.8, **(TINY | {"spec": "M(32,2,8)"})
    )
    df = result.table
    assert df["h1_lifetime"].nunique() == 1 and (df["h1_lifetime"] > 0).all()  # of the filters pooled
    assert (df["h1_lifetime_reason"] == "").all()
    assert (result.settings["k"], result.settings["p"]) == (4, 0.8)
    assert result.verdict.level == "too_small"  # one first layer: nothing to compare the circle with


def test_cross_domain_settings_paper_and_verdict(cross):
    settings_ = cross.settings
    assert settings_["max_iter"] == 3 and settings_["n_repeats"] == 2 and settings_["spec"] == "M(4,2,8)"
    assert settings_["first_layers"] == ["primary_circle", "gaussian", "trained"]
    assert settings_["n_train"] == 160 and settings_["n_target_test"] == 40
    assert settings_["device"] == "cpu" and settings_["seconds"] > 0
    assert (settings_["k"], settings_["p"]) == (16, 0.3)  # the quick scale's
    accuracy = cross.table.groupby("first_layer")["target_accuracy"].agg(["mean", "std"])
    margin = accuracy.loc["primary_circle", "mean"] - accuracy["mean"].drop("primary_circle").max()
    assert cross.verdict.margin == pytest.approx(margin)
    expected = "not_found" if margin <= 0 else "found" if margin > accuracy["std"].max() else "borderline"
    assert cross.verdict.level == expected
    assert "primary circle 28%, gaussian 12%, trained 11%" in cross.verdict.reasons[1]
    assert cross.paper == {
        "primary_circle": 0.28,
        "gaussian": 0.12,
        "trained": 0.11,
        "svhn_to_mnist": 0.54,
        "h1_mnist": 1.10,
        "h1_svhn": 1.27,
    }


def test_cross_domain_fixed_arm_one_network(mnist):
    df = cross_domain_generalization(mnist, mnist, first_layers="klein_bottle", max_iter=2, **TINY).table
    assert df["first_layer"].tolist() == ["klein_bottle"] * 2
    assert (df["source_accuracy"] == df["target_accuracy"]).all()  # one data set: the same test split


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"first_layers": ("primary_circle", "circle")}, "first_layers"),
        ({"first_layers": ("trained", "trained")}, "first_layers"),
        ({"first_layers": ()}, "first_layers"),
        ({"scale": "huge"}, "scale"),
        ({"source": "imagenet"}, "source"),
        ({"target": (np.zeros((50, 1, 16, 16), np.float32), np.arange(50) % 10)}, "one shape"),
        ({"target": (np.zeros((50, 1, 16, 8), np.float32), np.arange(50) % 10)}, "square images"),
        ({"target": (np.zeros((50, 1, 28, 28), np.float32), np.arange(40) % 10)}, "as many labels"),
    ],
)
def test_cross_domain_refuses(mnist, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cross_domain_generalization(**{"source": mnist, "max_iter": 1, **TINY, **kwargs})


@pytest.mark.parametrize("kwargs", [{"n_repeats": 0}, {"max_iter": True}, {"p": 0.0}, {"random_state": -1}])
def test_cross_domain_refuses_parameters(mnist, kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        cross_domain_generalization(**{"source": mnist, "max_iter": 1, **TINY, **kwargs})


def test_speedup_table(speedup):
    assert isinstance(speedup, SpeedupResult)
    speedup = speedup.table
    assert list(speedup.columns) == ["bank", "repeat", "seed", "iteration", "test_accuracy"]
    assert len(speedup) == 6 * 2 * 2
    assert speedup["bank"].unique().tolist() == BANKS
    assert sorted(speedup["iteration"].unique()) == [2, 4]
    for column in ("repeat", "seed", "iteration"):
        assert speedup[column].dtype == np.int64
    assert speedup["test_accuracy"].dtype == np.float64
    assert speedup["test_accuracy"].between(0, 1).all()
    assert (speedup.groupby("repeat")["seed"].nunique() == 1).all()


def test_speedup_settings_paper_and_summary(speedup):
    settings_ = speedup.settings
    assert settings_["max_iter"] == 4 and settings_["eval_every"] == 2 and settings_["n_filters"] == 4
    table = speedup.table
    best = table[table["bank"] == "none"].groupby("iteration")["test_accuracy"].mean().max()
    assert settings_["target_accuracy"] == pytest.approx(0.95 * best)
    assert speedup.paper["speedup_mnist"] == 2.0 and speedup.paper["speedup_svhn"] == 3.5
    assert "2× on MNIST, 3.5× on SVHN" in speedup.verdict.reasons[1]
    assert "primary circle, then klein bottle" in speedup.verdict.reasons[1]
    summary = speedup.speedup
    assert set(summary) == set(BANKS)
    for bank in summary.values():
        assert len(bank["iterations"]) == len(bank["speedup"]) == 2
        assert {"mean", "std", "min", "max", "n_reached"} <= set(bank)
    reached = [r for r, i in enumerate(summary["none"]["iterations"]) if math.isfinite(i)]
    assert all(summary["none"]["speedup"][r] == 1.0 for r in reached)


def test_speedup_appends_64_filters_by_default(mnist):
    result = appended_features_speedup(
        mnist, banks=("primary_circle", None), max_iter=2, eval_every=2, **TINY
    )
    assert result.table["bank"].unique().tolist() == ["primary_circle", "none"]
    assert result.settings["n_filters"] == 64


def test_speedup_given_target(mnist):
    result = appended_features_speedup(
        mnist, banks=("gaussian", "none"), max_iter=2, eval_every=1, target_accuracy=0.5, **TINY
    )
    assert result.settings["target_rule"] == "given"
    assert result.settings["target_accuracy"] == 0.5
    assert sorted(result.table["iteration"].unique()) == [1, 2]
    assert result.speedup.keys() == speedup_summary(result.table, 0.5).keys() == {"gaussian", "none"}
    assert result.verdict.level == "too_small"  # no primary circle bank: no speed-up of it


def _curves(rows):
    return pd.DataFrame(rows, columns=["bank", "repeat", "iteration", "test_accuracy"])


def test_speedup_summary_counts_iterations_to_target():
    rows = [("none", 0, 10, 0.5), ("none", 0, 20, 0.9), ("primary_circle", 0, 10, 0.9)]
    rows += [("primary_circle", 0, 20, 0.95), ("none", 1, 10, 0.5), ("none", 1, 20, 0.6)]
    rows += [("primary_circle", 1, 10, 0.85), ("primary_circle", 1, 20, 0.9)]
    rows += [("gaussian", r, i, a) for r in (0, 1) for i, a in ((10, 0.1), (20, 0.2))]
    df = _curves(rows)
    summary = speedup_summary(df, 0.8)
    assert summary["none"]["iterations"] == [20.0, math.inf]
    assert summary["primary_circle"]["iterations"] == [10.0, 10.0]
    assert summary["primary_circle"]["speedup"] == [2.0, math.inf]  # the baseline never got there
    assert summary["gaussian"]["speedup"][0] == 0.0 and math.isnan(summary["gaussian"]["speedup"][1])
    assert summary["gaussian"]["n_reached"] == 0 and summary["primary_circle"]["n_reached"] == 2
    assert summary["primary_circle"]["min"] == 2.0 and summary["primary_circle"]["max"] == math.inf


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
    st.lists(st.floats(0, 1), min_size=3, max_size=3),
    st.floats(0.01, 1),
)
def test_speedup_is_the_ratio_of_first_crossings(baseline, bank, target):
    iterations = [5, 10, 15]
    rows = [("none", 0, i, a) for i, a in zip(iterations, baseline)]
    rows += [("primary_circle", 0, i, a) for i, a in zip(iterations, bank)]
    summary = speedup_summary(_curves(rows), target)

    def first(curve):
        return next((i for i, a in zip(iterations, curve) if a >= target), math.inf)

    own, base = first(bank), first(baseline)
    assert summary["primary_circle"]["iterations"] == [own]
    expected = math.nan if math.isinf(own) and math.isinf(base) else base / own
    result = summary["primary_circle"]["speedup"][0]
    assert result == expected or (math.isnan(result) and math.isnan(expected))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"banks": ("primary_circle", "torus", None)}, "banks"),
        ({"banks": ("primary_circle", "klein_bottle")}, "None"),
        ({"scale": "big"}, "scale"),
        ({"eval_every": 5}, "eval_every"),
        ({"dataset": "imagenet"}, "dataset"),
        ({"dataset": (np.zeros((50, 1, 28, 20), np.float32), np.arange(50) % 10)}, "square images"),
        ({"banks": ("gradients", None), "n_filters": 2}, "n_filters must be at least 3"),
    ],
)
def test_speedup_refuses(mnist, kwargs, match):
    with pytest.raises(ValueError, match=match):
        appended_features_speedup(**{"dataset": mnist, "max_iter": 2, **TINY, **kwargs})


def test_plots_return_axes(cross, speedup):
    import matplotlib.pyplot as plt

    ax = plot_cross_domain(cross)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["primary circle", "Gaussian", "trained"]
    assert len(ax.patches) == 3
    given_ax = plt.subplots()[1]
    assert plot_speedup(speedup, ax=given_ax) is given_ax
    labels = [t.get_text().split(" (")[0] for t in given_ax.get_legend().get_texts()]
    assert labels == [
        "primary circle",
        "Klein bottle",
        "Gaussian",
        "2 gradients, circle's gain",
        "Normal",
        "Normal, 5 × 5 first layer",
    ]
    assert [line.get_linestyle() for line in given_ax.get_lines()[3:6]] == ["--", "-", "--"]
    assert given_ax.get_lines()[0].get_xdata().tolist() == [2, 4]
    assert given_ax.get_lines()[-1].get_ydata()[0] == pytest.approx(speedup.settings["target_accuracy"])
    display = cross.plot()
    assert isinstance(display, CrossDomainDisplay) and display.figure_ is display.ax_.figure
    assert display.ax_.get_title() == "trained on (X, y), tested on (X, y)"
    assert isinstance(speedup.plot(), SpeedupDisplay)
    plt.close("all")


@pytest.mark.parametrize("plot", [plot_cross_domain, plot_speedup])
def test_plots_refuse_other_tables(plot):
    with pytest.raises(ValueError, match="missing"):
        plot(pd.DataFrame({"x": [1]}))


def test_speedup_summary_needs_the_baseline():
    with pytest.raises(ValueError, match="none"):
        speedup_summary(_curves([("gaussian", 0, 10, 0.5)]), 0.4)


def test_gradients_bank_is_the_primary_circles_span_at_its_gain(mnist):
    G, B = gradients(64).reshape(2, 9), primary_circle(64).reshape(64, 9)
    assert np.linalg.matrix_rank(B) == np.linalg.matrix_rank(G) == 2
    np.testing.assert_allclose(np.linalg.svd(B, compute_uv=False)[:2], np.linalg.svd(G, compute_uv=False))
    np.testing.assert_allclose(np.linalg.norm(G), np.linalg.norm(B))  # Frobenius: sqrt(64) both
    train, test = (mnist[0][:50], mnist[1][:50]), (mnist[0][50:60], mnist[1][50:60])
    (circle, _), _ = _append("primary_circle", train, test, 64, 0)
    (grad, _), _ = _append("gradients", train, test, 64, 0)
    assert circle.shape[1] == 65 and grad.shape[1] == 3
    np.testing.assert_array_equal(grad[:, 0], train[0][:, 0])  # the pixels first, unchanged
    # the same total variance of the appended responses on the images (and on every patch)
    total = [float(x[:, 1:].astype(np.float64).var(axis=(0, 2, 3)).sum()) for x in (circle, grad)]
    assert total[0] == pytest.approx(total[1], rel=1e-5)
    energy = [(x[:, 1:].astype(np.float64) ** 2).sum(axis=1) for x in (circle, grad)]
    np.testing.assert_allclose(energy[0], energy[1], rtol=1e-4, atol=1e-4)
    # the responses of the 64 re-encode those of the 2: a linear map, rank 2
    flat = circle[:, 1:].transpose(1, 0, 2, 3).reshape(64, -1).astype(np.float64)
    assert np.linalg.matrix_rank(flat, tol=1e-3 * np.abs(flat).max()) == 2


def test_receptive_field_control_trains_5x5_first_layer_kernels(mnist):
    net = make_classifier("M(4,2,8)", 2, device="cpu", module__first_kernel_size=5)
    ensemble = NetworkEnsemble(net, n_networks=2, random_state=0).fit(*mnist)
    for trained in ensemble.estimators_:
        assert trained.module_.net[0].weight.shape == (4, 1, 5, 5)
        assert trained.module_.net[3].weight.shape == (2, 4, 3, 3)  # the second layer keeps 3 x 3
    assert ensemble.estimators_[0].predict(mnist[0][:5]).shape == (5,)
    with pytest.raises(ValueError, match="first_kernel_size must be odd"):
        make_classifier("M(4,2,8)", 2, device="cpu", module__first_kernel_size=4).initialize()
