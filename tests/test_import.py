"""``import sktopo`` and its analysis modules load neither torch nor pandas, nor numba (which only
the density filtration of a large cloud needs); ``sktopo --help`` loads no torch, skorch,
matplotlib or numba."""

import subprocess
import sys
import textwrap

import pytest

_ANALYSIS = "sktopo, sktopo.density, sktopo.filters, sktopo.filterbanks, sktopo.homology, sktopo.mapper, "
_ANALYSIS += "sktopo.metrics, sktopo.plotting, sktopo.preprocessing, sktopo.datasets"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)


def test_import_sktopo_leaves_torch_out():
    result = _run(
        f"import sys\nimport {_ANALYSIS}\nprint(sorted({{'torch', 'skorch', 'numba'}} & set(sys.modules)))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("blocked", ["torch", "pandas"])
def test_analysis_modules_import_without(blocked):
    # scikit-learn itself imports pandas when it can, so pandas is blocked rather than looked
    # for: sktopo's modules must import (and filter a cloud) without it.
    result = _run(f"""
        import importlib.abc, sys

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name.split(".")[0] == {blocked!r}:
                    raise ImportError("blocked " + name)

        sys.meta_path.insert(0, Block())
        import {_ANALYSIS}
        import numpy as np
        X = sktopo.FilterNormalizer().fit_transform(np.random.default_rng(0).normal(size=(50, 9)))
        print(sktopo.DensityFilter(k=5, p=0.5).fit_transform(X).shape)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(25, 9)"


def test_reading_weights_has_one_home_and_imports_no_torch():
    result = _run("""
        import sys
        import sktopo.filters, sktopo.io, sktopo.profile
        print("torch" in sys.modules)
        import sktopo.nn
        print("torch" in sys.modules, "load_state_dict" in sktopo.io.__all__, hasattr(sktopo.nn, "load_state_dict"))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "False"]  # torch with sktopo.nn only


#: What the command's help must not load: the networks' stack, plotting and the compiled KD-tree.
#: (pandas is loaded by scikit-learn itself where it is installed, so it is not listed.)
_HEAVY = ("torch", "torchvision", "skorch", "matplotlib", "numba")


@pytest.mark.parametrize(
    "argv", [["--help"], ["demo", "--help"], ["profile", "--help"], ["analyze", "--help"]]
)
def test_command_help_loads_nothing_heavy(argv):
    result = _run(f"""
        import runpy, sys
        sys.argv = ["sktopo", *{argv!r}]
        try:
            runpy.run_module("sktopo", run_name="__main__")
        except SystemExit as exc:
            assert exc.code == 0, exc.code
        print(sorted({{name.split(".")[0] for name in sys.modules}} & set({_HEAVY!r})))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]", result.stdout[-500:]


def test_the_suite_runs_offline():
    """conftest's guard: a lookup or connection beyond this machine fails at once, as without a network."""
    import socket
    from urllib.error import URLError
    from urllib.request import urlopen

    with pytest.raises(URLError, match="the tests run offline"):
        urlopen("https://download.pytorch.org/models/", timeout=5)
    with pytest.raises(OSError, match="the tests run offline"):
        socket.create_connection(("192.0.2.1", 443), timeout=5)  # an address, no lookup
