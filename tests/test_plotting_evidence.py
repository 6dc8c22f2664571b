"""The pictures a self-explaining report shows: the dense core, the null, the accuracies."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import PercentFormatter
from sklearn.decomposition import PCA

from sktopo.datasets import make_circle_filters
from sktopo.filterbanks import primary_circle
from sktopo.homology import NullComparison, null_threshold
from sktopo.plotting import (
    AccuracyDisplay,
    DenseCoreDisplay,
    NullDisplay,
    plot_accuracies,
    plot_dense_core,
    plot_null,
)
from sktopo.preprocessing import normalize_filters


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _circle_core(n=200, random_state=0):
    return normalize_filters(make_circle_filters(n, noise=0.1, random_state=random_state))


def _conic_residual(points):
    """The least-squares conic through ``points``: its relative residual and discriminant b^2 - 4ac."""
    x, y = (points - points.mean(axis=0)).T / np.abs(points).max()
    design = np.column_stack([x**2, x * y, y**2, x, y, np.ones_like(x)])
    _, singular, vt = np.linalg.svd(design)
    a, b, c = vt[-1][:3]
    return singular[-1] / singular[0], b**2 - 4 * a * c


# ---------------------------------------------------------------- dense core


def test_dense_core_points_are_the_pca_scores():
    dense = normalize_filters(np.random.default_rng(0).standard_normal((60, 9)))
    display = DenseCoreDisplay.from_core(dense)
    pca = PCA(n_components=2).fit(dense)
    signs = np.sign(np.sum(display.components_ * pca.components_, axis=1))
    np.testing.assert_allclose(display.scores_ * signs, pca.transform(dense), atol=1e-10)
    np.testing.assert_allclose(display.explained_variance_ratio_, pca.explained_variance_ratio_)
    np.testing.assert_allclose(display.ax_.collections[0].get_offsets(), display.scores_)
    percent = [f"{100 * r:.0f}%" for r in pca.explained_variance_ratio_]
    assert display.ax_.get_xlabel() == f"PC1 ({percent[0]} of variance)"
    assert display.ax_.get_ylabel() == f"PC2 ({percent[1]} of variance)"


@pytest.mark.parametrize("side", [3, 5])
def test_dense_core_circle_is_the_bank_projected_as_a_closed_ellipse(side):
    # a cloud that is not the circle's plane: the circle is still a linear image of a circle
    dense = normalize_filters(np.random.default_rng(side).standard_normal((80, side * side)))
    display = DenseCoreDisplay.from_core(dense)
    assert display.circle_line_ in display.ax_.get_lines()
    np.testing.assert_allclose(display.circle_line_.get_xydata(), display.circle_)
    np.testing.assert_array_equal(display.circle_[0], display.circle_[-1])  # closed
    residual, discriminant = _conic_residual(display.circle_[:-1])
    assert residual < 1e-8 and discriminant < 0  # an ellipse
    # the same as projecting the bank by hand with scikit-learn's PCA of the core
    pca = PCA(n_components=2).fit(dense)
    signs = np.sign(np.sum(display.components_ * pca.components_, axis=1))
    bank = primary_circle(len(display.circle_) - 1, size=side).reshape(-1, side * side)
    np.testing.assert_allclose(display.circle_[:-1] * signs, pca.transform(bank), atol=1e-10)


def test_dense_core_of_a_circle_lies_along_the_drawn_circle():
    display = DenseCoreDisplay.from_core(_circle_core())
    radii = np.linalg.norm(display.circle_, axis=1)
    assert np.ptp(radii) < 0.1 and abs(radii.mean() - 1) < 0.1  # the core's plane is the circle's
    assert display.explained_variance_ratio_.sum() > 0.8
    assert display.ax_.get_legend().get_texts()[1].get_text() == "primary circle (3×3)"


@pytest.mark.parametrize(
    "n_features, circle, note",
    [(8, True, "no primary circle: 8 features are not a square kernel"), (9, False, None)],
)
def test_dense_core_without_circle(n_features, circle, note):
    dense = np.random.default_rng(0).standard_normal((30, n_features))
    ax = plt.figure().add_subplot()
    assert plot_dense_core(dense, ax, circle=circle) is ax
    display = DenseCoreDisplay(dense, circle=circle).plot(ax=plt.figure().add_subplot())
    assert display.circle_ is None and display.circle_line_ is None and display.circle_note_ == note
    assert len(display.ax_.get_lines()) == 2  # the axes through the origin alone
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == ["dense core (30 filters)"]
    assert display.ax_.get_title().endswith(f"\n({note})") == (note is not None)


_SAME = np.tile(np.arange(9.0), (5, 1))


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"dense": np.zeros((0, 9))}, ValueError, r"at least 3 filters.*got shape \(0, 9\)"),
        ({"dense": _circle_core()[:2]}, ValueError, r"at least 3 filters.*got shape \(2, 9\)"),
        ({"dense": np.arange(9.0)}, ValueError, r"shape \(n_filters, n_features\).*got shape \(9,\)"),
        ({"dense": np.ones((5, 3, 3))}, ValueError, r"got shape \(5, 3, 3\)"),
        ({"dense": np.ones((5, 1))}, ValueError, r"2 features.*got shape \(5, 1\)"),
        ({"dense": [[0.0, 1.0], [np.nan, 1.0], [1.0, 0.0]]}, ValueError, "dense must hold finite numbers"),
        ({"dense": [[0.0, 1.0], [np.inf, 1.0], [1.0, 0.0]]}, ValueError, "dense must hold finite numbers"),
        ({"dense": _SAME}, ValueError, "dense has zero variance: its 5 rows are one filter"),
        ({"dense": [["a", "b"]] * 3}, TypeError, "dense must be an array of real numbers"),
        ({"dense": "core"}, ValueError, "'dense' parameter"),
        ({"ax": "axes"}, ValueError, "'ax' parameter"),
        ({"circle": "yes"}, ValueError, "'circle' parameter"),
    ],
)
def test_plot_dense_core_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_dense_core(**{"dense": _circle_core(20), **kwargs})


# ---------------------------------------------------------------- the null


@pytest.fixture
def comparison():
    null = np.random.default_rng(0).gamma(4, 0.05, 99)
    return NullComparison.compare(0.6, null)


def test_null_histogram_counts_every_draw_and_marks_observed(comparison):
    threshold = null_threshold(comparison.null)
    display = NullDisplay.from_comparison(comparison, threshold=threshold)
    assert display.counts_.sum() == len(comparison.null) == 99
    np.testing.assert_array_equal(display.counts_, np.histogram(comparison.null, bins=display.bins_)[0])
    heights = [patch.get_height() for patch in display.ax_.patches]
    np.testing.assert_array_equal(heights, display.counts_)
    assert list(display.observed_line_.get_xdata()) == [0.6, 0.6]
    assert list(display.threshold_line_.get_xdata()) == [threshold, threshold]
    assert display.ax_.get_xlim()[1] > 0.6  # the observed line is not on the edge
    assert display.ax_.get_title() == f"Random-filter null: p = {comparison.p_value:.3g}, 99 draws"
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == ["99 null draws", "observed 0.6 (p = 0.01)", f"threshold {threshold:.3g}"]


def test_null_without_threshold_or_with_an_unreachable_one(comparison):
    ax = plt.figure().add_subplot()
    assert plot_null(comparison, ax) is ax
    assert len(ax.get_lines()) == 1  # the observed line alone
    display = NullDisplay.from_comparison(comparison, threshold=np.inf)
    assert display.threshold_line_ is None
    assert "threshold: unreachable with these draws" in [
        t.get_text() for t in display.ax_.get_legend().get_texts()
    ]


def _comparison(observed=0.5, null=(0.1, 0.2, 0.3)):
    return NullComparison(observed, np.asarray(null, dtype=float), 0, 0.25, 2.5)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"comparison": {"observed": 0.5, "null": [0.1]}}, ValueError, "'comparison' parameter"),
        ({"comparison": _comparison(null=[])}, ValueError, r"one lifetime per null draw; got shape \(0,\)"),
        ({"comparison": _comparison(null=[[0.1, 0.2]])}, ValueError, r"got shape \(1, 2\)"),
        ({"comparison": _comparison(null=[0.1, np.nan])}, ValueError, "must hold finite lifetimes"),
        ({"comparison": _comparison(observed=np.inf)}, ValueError, "must hold finite lifetimes"),
        ({"threshold": -0.1}, ValueError, "'threshold' parameter"),
        ({"threshold": np.nan}, ValueError, "'threshold' parameter"),
        ({"threshold": "high"}, ValueError, "'threshold' parameter"),
        ({"threshold": True}, ValueError, "'threshold' parameter"),
        ({"ax": "axes"}, ValueError, "'ax' parameter"),
    ],
)
def test_plot_null_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_null(**{"comparison": _comparison(), **kwargs})


@pytest.mark.parametrize("threshold", [-1.0, np.nan, True, "high"])
def test_null_display_checks_its_threshold(threshold):
    with pytest.raises(ValueError, match="threshold must be a non-negative number"):
        NullDisplay(_comparison(), threshold=threshold).plot()
    with pytest.raises(TypeError, match=r"comparison must be a sktopo\.homology\.NullComparison; got dict"):
        NullDisplay({}).plot()


# ---------------------------------------------------------------- accuracies


def test_accuracies_one_bar_per_network_with_mean_and_chance():
    accuracies = [0.9, 0.6, 0.75, 1.0, 0.0]
    display = AccuracyDisplay(accuracies, chance=0.1).plot()
    assert len(display.bars_) == len(display.ax_.patches) == 5
    np.testing.assert_array_equal([bar.get_height() for bar in display.bars_], accuracies)
    np.testing.assert_allclose([bar.get_x() + bar.get_width() / 2 for bar in display.bars_], [1, 2, 3, 4, 5])
    np.testing.assert_allclose(display.mean_line_.get_ydata(), [0.65, 0.65])
    np.testing.assert_allclose(display.chance_line_.get_ydata(), [0.1, 0.1])
    assert display.chance_line_.get_linestyle() == "--" and display.mean_line_.get_linestyle() == "-"
    assert display.ax_.get_ylim() == (0, 1)
    formatter = display.ax_.yaxis.get_major_formatter()
    assert isinstance(formatter, PercentFormatter) and formatter(0.5, 0) == "50%"
    assert display.ax_.get_title() == "Test accuracy of 5 networks: mean 65.0%"


def test_plot_accuracies_without_chance():
    ax = plt.figure().add_subplot()
    assert plot_accuracies(np.array([0.8]), ax) is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["mean 80.0%", "test accuracy"]
    assert AccuracyDisplay([0.8, 0.9]).plot().chance_line_ is None


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"accuracies": []}, ValueError, r"accuracies must be a non-empty 1-D array.*got shape \(0,\)"),
        ({"accuracies": [[0.5, 0.6]]}, ValueError, r"accuracies must be a non-empty 1-D array.*\(1, 2\)"),
        ({"accuracies": 0.5}, ValueError, "'accuracies' parameter"),
        ({"accuracies": [0.5, np.nan]}, ValueError, "accuracies must be finite"),
        ({"accuracies": [0.5, np.inf]}, ValueError, "accuracies must be finite"),
        ({"accuracies": [0.5, 1.2]}, ValueError, r"accuracies must lie in \[0, 1\]"),
        ({"accuracies": [-0.1, 0.5]}, ValueError, r"accuracies must lie in \[0, 1\]"),
        ({"accuracies": [85, 90]}, ValueError, r"accuracies must lie in \[0, 1\] \(fractions, not percent\)"),
        ({"accuracies": ["a", "b"]}, TypeError, "accuracies must hold real numbers"),
        ({"accuracies": [True, False]}, TypeError, "accuracies must hold real numbers"),
        ({"chance": 1.5}, ValueError, "'chance' parameter"),
        ({"chance": -0.1}, ValueError, "'chance' parameter"),
        ({"chance": True}, ValueError, "'chance' parameter"),
        ({"chance": np.nan}, ValueError, "'chance' parameter"),
        ({"ax": "axes"}, ValueError, "'ax' parameter"),
    ],
)
def test_plot_accuracies_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_accuracies(**{"accuracies": [0.5, 0.7], **kwargs})


def test_accuracy_display_checks_chance():
    with pytest.raises(ValueError, match=r"chance must be a number in \[0, 1\] or None; got 2"):
        AccuracyDisplay([0.5], chance=2).plot()


@pytest.mark.parametrize(
    ("kernel_size", "note"),
    [((4, 9), "no primary circle: 4 × 9 kernels are not square"), ((6, 6), None), (None, None)],
)
def test_dense_core_reads_the_kernel_shape_where_given(kernel_size, note):
    """36 pixels are a 6 × 6 kernel or a 4 × 9 one: only the kernel's shape can tell."""
    dense = np.random.default_rng(0).standard_normal((30, 36))
    display = DenseCoreDisplay.from_core(dense, kernel_size=kernel_size)
    assert display.circle_note_ == note and (display.circle_ is None) == (note is not None)
    with pytest.raises(ValueError, match=r"kernel_size=\(3, 3\) has 9 pixels; the core's rows have 36"):
        DenseCoreDisplay.from_core(dense, kernel_size=(3, 3))


def test_a_profiles_evidence_knows_its_kernel_shape():
    import torch

    from sktopo.profile import topology_profile

    net = torch.nn.Conv2d(1, 200, (3, 5))
    profile = topology_profile(net, n_subsamples=4, n_null=19, n_landmarks=60, random_state=0, progress=False)
    assert profile.evidence[1].kernel_size == (3, 5)
