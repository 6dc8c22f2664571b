"""persistence_diagrams refuses, before ripser runs, what would not fit in memory (issue 13)."""

import io
import os
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sktopo
import sktopo._validation as validation
import sktopo.homology._persistence as persistence
from sktopo.datasets import make_circle_filters
from sktopo.homology import PersistenceScorer, persistence_diagrams
from sktopo.preprocessing import normalize_filters


def _documented(m: int) -> float:
    """The module docstring's estimate for m landmarks in H1: 250 bytes a pair plus m (m - 1)²."""
    return m * (m - 1) / 2 * 250 + m * (m - 1) ** 2


def _most(budget: float) -> int:
    """The most landmarks whose documented estimate is at most ``budget`` bytes, by counting."""
    m = 1
    while _documented(m + 1) <= budget:
        m += 1
    return m


@pytest.fixture
def no_ripser(monkeypatch):
    """ripser fails the test if it is ever called."""

    def ran(*args, **kwargs):
        raise AssertionError("ripser ran")

    monkeypatch.setattr(persistence, "_rips", ran)
    monkeypatch.setattr(persistence, "_rips_below", ran)


@pytest.fixture
def available(monkeypatch):
    """Set the memory available, in bytes."""
    return lambda size: monkeypatch.setattr(persistence, "available_memory", lambda: float(size))


def _circle(n, noise=0.1):
    return normalize_filters(make_circle_filters(n, noise=noise, random_state=0))


def test_all_rows_refused_before_ripser(no_ripser, available):
    available(2e9)
    message = (
        f"n_landmarks=None takes 1,200 landmarks: ripser may need up to {_documented(1200) / 1e9:.1f} GB on "
        f"them, more than half of the 2.0 GB available. Set n_landmarks to at most {_most(1e9):,} "
        "(400 take about a second)."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        persistence_diagrams(_circle(1200), n_landmarks=None)


def test_max_error_refused_before_ripser(no_ripser, available):
    available(2e8)
    most = _most(1e8)
    with pytest.raises(ValueError) as error:
        persistence_diagrams(_circle(2000, noise=0.3), n_landmarks=None, max_error=0.05)
    assert str(error.value).startswith(
        f"n_landmarks=None with max_error=0.05 needs more than {most:,} landmarks (with {most + 1:,} the bound"
    )
    assert str(error.value).endswith(
        f"ripser may need more than {_documented(most + 1) / 1e9:.1f} GB on them, more than half of the "
        f"0.2 GB available. Set n_landmarks to at most {most:,} (400 take about a second), or a larger "
        "max_error."
    )


def test_max_error_reached_within_the_budget_is_not_refused(available):
    X = _circle(600, noise=0.05)
    unlimited = persistence_diagrams(X, n_landmarks=None, max_error=1.0)
    available(2 * _documented(len(unlimited.landmarks)))  # exactly affordable: the search stops one past it
    limited = persistence_diagrams(X, n_landmarks=None, max_error=1.0)
    np.testing.assert_array_equal(limited.landmarks, unlimited.landmarks)
    assert limited.bound == unlimited.bound <= 1.0


def test_n_landmarks_refused_names_it(no_ripser, available):
    available(2e9)
    with pytest.raises(
        ValueError, match=rf"^n_landmarks=1500 takes 1,500 landmarks: .* at most {_most(1e9)} "
    ):
        persistence_diagrams(_circle(2000), n_landmarks=1500)


def test_default_settings_are_not_refused_with_the_real_budget(monkeypatch):
    shapes = []
    monkeypatch.setattr(persistence, "_rips", lambda X, maxdim, coeff: shapes.append(X.shape) or [])
    monkeypatch.setattr(persistence, "_exact_births", lambda X, diagrams, *args: (diagrams, False))
    persistence_diagrams(_circle(20480, noise=0.3))
    assert shapes == [(400, 9)]


def test_float_exact_below_refused_before_ripser(no_ripser, available):
    available(1e9)  # 50 landmarks fit; every pair of 2,000 rows does not
    with pytest.raises(ValueError) as error:
        persistence_diagrams(_circle(2000), n_landmarks=50, exact_below=5.0)
    pairs = 2000 * 1999 / 2  # exactly: 5.0 is more than any distance
    assert str(error.value) == (
        f"exact_below=5.0 links about 1,999,000 pairs of the 2,000 rows: ripser may need up to "
        f"{(250 + 2 * 2 * pairs / 2000) * pairs / 1e9:.1f} GB below it, more than half of the 1.0 GB "
        'available. Set a smaller exact_below, "auto" (which keeps within PAIR_BUDGET), or None.'
    )


def test_small_exact_below_and_auto_are_not_refused(available):
    available(1e9)
    X = _circle(2000)
    assert persistence_diagrams(X, n_landmarks=50, exact_below=1e-3).bound > 0
    assert persistence_diagrams(X, n_landmarks=50, exact_below="auto").bound > 0


@pytest.mark.parametrize("scorer", [PersistenceScorer, sktopo.PersistenceScorer])
def test_scorer_propagates_the_refusal(no_ripser, available, scorer):
    available(2e9)
    with pytest.raises(ValueError, match=r"^n_landmarks=None takes 1,200 landmarks: ripser may need up to"):
        scorer(n_landmarks=None).fit(_circle(1200))


@given(st.integers(1, 5000), st.integers(1, 5000))
def test_estimate_grows_with_the_landmarks(a, b):
    small, large = sorted((a, b))
    assert persistence._memory(small * (small - 1) / 2, small, 1) <= persistence._memory(
        large * (large - 1) / 2, large, 1
    )
    assert persistence._memory(large * (large - 1) / 2, large, 1) == pytest.approx(_documented(large))
    assert persistence._memory(large * (large - 1) / 2, large, 0) == pytest.approx(large * (large - 1) * 125)


@pytest.mark.parametrize(
    "pairs, rows, maxdim, measured_mib",
    [  # the module docstring's measurements: m landmarks (m (m - 1) / 2 pairs), then exact_below
        *((m * (m - 1) / 2, m, 1, mib) for m, mib in [(500, 87), (1000, 601), (1500, 2266), (2000, 4450)]),
        (3000 * 2999 / 2, 3000, 1, 17111),
        (4000 * 3999 / 2, 4000, 1, 3336),
        (4000 * 3999 / 2, 4000, 0, 960),
        (1_069_018, 20480, 1, 188),
        (4_144_477, 20480, 1, 976),
    ],
)
def test_estimate_covers_the_measurements(pairs, rows, maxdim, measured_mib):
    assert persistence._memory(pairs, rows, maxdim) >= 1.5 * measured_mib * 2**20


@given(st.floats(1e4, 1e7), st.integers(2, 80))
def test_refused_exactly_when_the_estimate_passes_half(size, m):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(persistence, "available_memory", lambda: size)
        patch.setattr(persistence, "_rips", lambda X, maxdim, coeff: [np.zeros((0, 2))] * 2)
        try:
            persistence_diagrams(_circle(m), n_landmarks=None)
            refused = False
        except ValueError:
            refused = True
    assert refused == (_documented(m) > size / 2)


def _files(contents: dict):
    def fake_open(path, *args, **kwargs):
        if path not in contents:
            raise FileNotFoundError(path)
        return io.StringIO(contents[path])

    return fake_open


@pytest.mark.parametrize(
    "contents, expected",
    [
        ({"/proc/meminfo": "MemTotal: 9 kB\nMemAvailable:    2048 kB\n"}, 2048 * 1024.0),
        (
            {
                "/proc/meminfo": "MemAvailable: 2048 kB\n",
                "/sys/fs/cgroup/memory.max": "1000\n",
                "/sys/fs/cgroup/memory.current": "400\n",
            },
            600.0,
        ),
        (  # the inactive page cache is given back on demand
            {
                "/proc/meminfo": "MemAvailable: 2048 kB\n",
                "/sys/fs/cgroup/memory.max": "1000\n",
                "/sys/fs/cgroup/memory.current": "900\n",
                "/sys/fs/cgroup/memory.stat": "active_file 50\ninactive_file 300\n",
            },
            400.0,
        ),
        (  # over the limit: no room, never a negative one
            {
                "/proc/meminfo": "MemAvailable: 2048 kB\n",
                "/sys/fs/cgroup/memory.max": "1000\n",
                "/sys/fs/cgroup/memory.current": "1200\n",
            },
            0.0,
        ),
        (
            {
                "/proc/meminfo": "MemAvailable: 2048 kB\n",
                "/sys/fs/cgroup/memory.max": "max\n",
                "/sys/fs/cgroup/memory.current": "400\n",
            },
            2048 * 1024.0,
        ),
    ],
)
def test_available_memory_reads_meminfo_within_the_cgroup(monkeypatch, contents, expected):
    monkeypatch.setattr(validation, "open", _files(contents), raising=False)
    assert validation.available_memory() == expected


@pytest.mark.skipif(not hasattr(os, "sysconf"), reason="no os.sysconf")
def test_available_memory_falls_back_to_physical(monkeypatch):
    monkeypatch.setattr(validation, "open", _files({}), raising=False)
    assert validation.available_memory() == os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
