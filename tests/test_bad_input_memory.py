"""Issue 23: absurd sizes are refused before any work starts, saying the memory they would need.

The memory available is mocked (``sktopo._validation.available_memory``): nothing here
allocates what it refuses. The experiments must refuse every such parameter before any data is
loaded or network trained: both are replaced by functions that fail the test if called.
"""

import re

import numpy as np
import pytest

import sktopo._validation as validation
import sktopo.experiments._common as common
import sktopo.experiments._primary as primary
from sktopo import experiments
from sktopo._validation import check_memory, format_bytes
from sktopo.datasets import make_circle_filters, make_gaussian_filters
from sktopo.filterbanks import primary_circle as primary_circle_bank
from sktopo.mapper import Mapper, check_resolution
from sktopo.nn import NetworkEnsemble, count_parameters, make_classifier, make_cnn
from sktopo.profile import topology_profile
from sktopo.responses import append_filter_responses

GIB = 2**30


@pytest.fixture
def available(monkeypatch):
    """Set the memory available to the package's checks, in bytes."""
    return lambda size: monkeypatch.setattr(validation, "available_memory", lambda: float(size))


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if an experiment loads its data or trains a network."""

    def worked(*args, **kwargs):
        raise AssertionError("work started before the parameters were checked")

    monkeypatch.setattr(NetworkEnsemble, "fit", worked)
    monkeypatch.setattr(primary, "as_dataset", worked)
    monkeypatch.setattr(common, "as_dataset", worked)


# the helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1000, "1000 bytes"),
        (1536, "1.5 KiB"),
        (23 * GIB, "23 GiB"),
        (8e12, "7.3 TiB"),
        (2.0**70, "1024 EiB"),
        (float("inf"), "an unknown amount"),
    ],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text


def test_check_memory_names_the_parameter_the_need_and_the_most_that_fits(available):
    available(23 * GIB)
    check_memory("n", 10, 10 * 8, "ten numbers", each=8, unit="numbers")  # fits: nothing said
    message = (
        "n_networks=1000000000000 would need about 7.3 TiB of memory for their seeds; this machine has "
        f"23 GiB available: use at most {23 * GIB // 8:,} networks."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_memory("n_networks", 10**12, 8e12, "their seeds", each=8, unit="networks")


# the experiments: every parameter checked before training ----------------------------------


def test_primary_circle_refuses_a_trillion_networks_with_what_they_need(available, no_work):
    available(23 * GIB)
    each = 8 + 12 * count_parameters("M(64,0,64)")
    message = (
        f"n_networks=1000000000000 would need about {format_bytes(each * 10**12)} of memory for "
        f"1,000,000,000,000 networks (a seed and {count_parameters('M(64,0,64)'):,} trained parameters "
        f"each); this machine has 23 GiB available: use at most {23 * GIB // each:,} networks."
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        experiments.primary_circle(n_networks=10**12)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"resolution": 10**9},
            r"^resolution=1000000000 would need about 75 GiB of memory for the cover's intervals on 2 lens "
            r"dimension\(s\); this machine has 23 GiB available: use at most [\d,]+ intervals\.$",
        ),
        ({"k": 10**12}, r"^k=1000000000000 must be smaller than the 768 filters of layer 1 that 12 network"),
        ({"k": 768}, r"^k=768 must be smaller than the 768 filters"),
        (
            {"spec": "M(1000000000,0,64)"},
            r"^spec='M\(1000000000,0,64\)' would need about [\d.]+ TiB of memory for one network",
        ),
        ({"n_networks": True}, r"'n_networks' parameter of primary_circle"),
    ],
    ids=["resolution", "k-huge", "k-all-filters", "spec-width", "n_networks-bool"],
)
def test_primary_circle_checks_every_parameter_before_training(available, no_work, kwargs, message):
    available(23 * GIB)
    with pytest.raises(ValueError, match=message):
        experiments.primary_circle(**kwargs)


@pytest.mark.parametrize(
    ("experiment", "kwargs", "message"),
    [
        (experiments.training_evolution, {"n_networks": 10**12}, r"^n_networks=1000000000000 would need"),
        (experiments.training_evolution, {"resolution": 10**9}, r"^resolution=1000000000 would need"),
        (experiments.training_evolution, {"resolution": [30, 10**9]}, r"^resolution=1000000000 would need"),
        (
            experiments.persistence_vs_accuracy,
            {"n_networks": 10**12},
            r"^n_networks=1000000000000 would need",
        ),
        (experiments.persistence_vs_accuracy, {"layer": 10**12}, r"^layers must be distinct conv layers of"),
        (
            experiments.persistence_vs_accuracy,
            {"n_null_draws": 10**12},
            r"^n_null_draws=1000000000000 would need",
        ),
        (
            experiments.cross_domain_generalization,
            {"n_repeats": 10**12},
            r"^n_repeats=1000000000000 would need",
        ),
        (
            experiments.appended_features_speedup,
            {"n_repeats": 10**12},
            r"^n_repeats=1000000000000 would need",
        ),
        (
            experiments.appended_features_speedup,
            {"max_iter": 10**15, "eval_every": 1},
            r"^eval_every=1 would need about [\d.]+ PiB of memory for 1,000,000,000,000,000 evaluations",
        ),
    ],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_the_other_experiments_check_before_training(available, no_work, experiment, kwargs, message):
    available(23 * GIB)
    with pytest.raises(ValueError, match=message):
        experiment(**kwargs)


def test_appended_features_speedup_refuses_responses_that_do_not_fit(available, monkeypatch):
    """The appended images take 1 + n_filters times the images: checked once they are loaded, before training."""
    images = np.zeros((10, 1, 28, 28), np.float32), np.arange(10) % 10
    monkeypatch.setattr("sktopo.experiments._speedup.load_images", lambda *args: images)
    monkeypatch.setattr(NetworkEnsemble, "fit", lambda *a, **k: pytest.fail("trained"))
    raw = 2 * images[0].nbytes
    available(100 * raw)
    message = (
        rf"^n_filters=1000 would need about {re.escape(format_bytes(1001 * raw))} of memory for the images"
    )
    with pytest.raises(ValueError, match=message + r".*use at most 100 filters\.$"):
        experiments.appended_features_speedup(n_filters=1000, max_iter=2, eval_every=1, n_repeats=1)


# the library: the sizes of its arrays ------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: make_circle_filters(10**6),
            r"^n=1000000 would need about 549 MiB of memory for 1,000,000 filters of 9 pixels",
        ),
        (lambda: make_gaussian_filters(10**6), r"^n=1000000 would need about 549 MiB"),
        (
            lambda: make_circle_filters(10, size=1000),
            r"^n=10 would need about [\d.]+ MiB of memory for 10,000,000 pixels|^n=10 would need",
        ),
        (
            lambda: primary_circle_bank(10**6),
            r"^n=1000000 would need about 412 MiB of memory for 1,000,000 filters of 3 x 3 pixels",
        ),
        (lambda: primary_circle_bank(4, size=4000), r"^size=4000 would need|^n=4 would need"),
        (lambda: Mapper(resolution=10**6).fit(np.eye(5)), r"^resolution=1000000 would need about 76 MiB"),
        (
            lambda: check_resolution(10**6, 1),
            r"^resolution=1000000 would need about 38 MiB .* use at most 262,144 intervals\.$",
        ),
        (
            lambda: make_cnn("M(64,32,64)", input_size=10**5),
            r"^spec='M\(64,32,64\)' would need about [\d.]+ [GT]iB of memory for M\(64,32,64\) on input_size=100000 images",
        ),
        (
            lambda: append_filter_responses(np.zeros((10, 1, 28, 28), np.float32), n_filters=10**5),
            r"^n_filters=100000 would need about [\d.]+ GiB of memory for the images and their responses",
        ),
    ],
    ids=["circle", "gaussian", "circle-size", "bank", "bank-size", "mapper", "cover", "cnn", "responses"],
)
def test_arrays_that_would_not_fit_are_refused_first(available, call, message):
    available(10 * 2**20)  # 10 MiB
    with pytest.raises(ValueError, match=message):
        call()


def test_what_fits_still_runs(available):
    available(10 * 2**20)
    assert make_circle_filters(100, random_state=0).shape == (100, 9)
    assert primary_circle_bank(64).shape == (64, 3, 3)
    assert len(Mapper(resolution=30).fit(make_circle_filters(60, random_state=0)).graph_) > 0
    assert sum(p.numel() for p in make_cnn("M(8,0,16)").parameters()) == count_parameters("M(8,0,16)")


def test_topology_profile_refuses_before_reading_the_source(available):
    available(23 * GIB)

    class Unreadable:
        def __getattr__(self, name):
            raise AssertionError("the source was read")

    for kwargs, name in (({"resolution": 10**9}, "resolution"), ({"n_null": 10**12}, "n_null")):
        with pytest.raises(ValueError, match=rf"^{name}=10+ would need about"):
            topology_profile(Unreadable(), progress=False, **kwargs)


def test_an_ensemble_of_too_many_networks_is_refused_before_training(available):
    available(GIB)
    net = make_classifier("M(64,0,64)", max_iter=1)
    X, y = np.zeros((20, 1, 28, 28), np.float32), np.arange(20) % 10
    each = 8 + 12 * count_parameters("M(64,0,64)")
    with pytest.raises(
        ValueError, match=rf"^n_networks=1000 would need .* use at most {GIB // each:,} networks\.$"
    ):
        NetworkEnsemble(net, n_networks=1000).fit(X, y)
