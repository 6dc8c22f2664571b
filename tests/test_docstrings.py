"""Every public class and function has a numpydoc "Examples" section.

Public: the names in ``__all__`` of ``sktopo`` and of each ``sktopo.<module>`` whose name does
not start with ``_``. Constants (tuples, dicts, numbers, strings) are exempt. The examples
themselves run as doctests (``--doctest-modules``); this test makes sure there is one to run.
"""

import importlib
import inspect
import pkgutil
import re

import pytest

import sktopo


def _public_modules() -> list[str]:
    names = sorted(
        info.name for info in pkgutil.iter_modules(sktopo.__path__) if not info.name.startswith("_")
    )
    return ["sktopo", *(f"sktopo.{name}" for name in names)]


def _public_callables() -> list[tuple[str, str]]:
    """``(module, name)`` for every class or function in a public module's ``__all__``."""
    found = []
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isroutine(obj):
                found.append((module_name, name))
    return found


PUBLIC = _public_callables()

#: A numpydoc section header: "Examples" on its own line, underlined.
EXAMPLES = re.compile(r"^Examples\n-{8,}$", re.MULTILINE)


def test_public_modules_declare_all():
    missing = [name for name in _public_modules() if not hasattr(importlib.import_module(name), "__all__")]
    assert not missing, f"public modules without __all__: {missing}"


def test_found_the_public_api():
    # a guard against the collection silently finding nothing (an import or discovery change)
    assert ("sktopo.homology", "persistence_diagrams") in PUBLIC
    assert ("sktopo.nn", "PaperNetClassifier") in PUBLIC
    assert len(PUBLIC) > 100


@pytest.mark.parametrize(("module_name", "name"), PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_has_examples_section(module_name, name):
    obj = getattr(importlib.import_module(module_name), name)
    doc = inspect.getdoc(obj) or ""
    assert EXAMPLES.search(doc), f"{module_name}.{name} has no numpydoc 'Examples' section in its docstring"
