"""Sphinx configuration of the sktopo documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (every warning an error).
The API reference is generated from the docstrings (numpydoc, autosummary into ``api/generated``);
the gallery runs every script of ``examples/`` on tiny settings (``gallery_argv.tiny_argv``).
"""

import os
import re
import sys

import sktopo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # gallery_argv, named below

project = "sktopo"
author = "the sktopo developers"
copyright = "the sktopo developers"
version = release = sktopo.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", ".venv", "**/.venv", "auto_examples/*.ipynb", "auto_examples/*.py"]
templates_path = ["_templates"]

# The API reference: one page per public object, written by autosummary from the docstrings.
autosummary_generate = True
autodoc_default_options = {"members": True}
autodoc_member_order = "bysource"
numpydoc_show_class_members = False  # the methods are documented by autodoc's ``members``
numpydoc_class_members_toctree = False
# Checked on every documented object: sections known and in order, parameters documented as in
# the signature and in its order, each with a type, ``name : type`` spaced as numpydoc reads it.
numpydoc_validation_checks = {"GL06", "GL07", "PR02", "PR03", "PR04", "PR10"}

# The Markdown pages: headings get anchors, so that ``page.md#section`` links resolve.
myst_heading_anchors = 3

# The gallery: every example runs, on tiny settings; a failing example fails the build.
abort_on_example_error = True
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",
    "reset_argv": "gallery_argv.tiny_argv",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "min_reported_time": 1,
}

html_theme = "alabaster"
html_title = f"sktopo {release}"
html_theme_options = {
    "description": "The topology of CNN filters, the scikit-learn way",
    "fixed_sidebar": True,
}


def _skip_metadata_requests(app, what, name, obj, skip, options):
    """Leave out scikit-learn's generated ``set_{method}_request`` methods (metadata routing)."""
    return True if re.fullmatch(r"set_\w+_request", name) else None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
