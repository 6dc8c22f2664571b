"""The command-line arguments with which the gallery runs each example: tiny settings.

sphinx-gallery calls :func:`tiny_argv` for every script of ``examples/`` (``reset_argv`` in
``conf.py``). Run by hand, the examples keep their larger defaults. Whatever an example writes
goes to a temporary folder, never into the repository.
"""

import atexit
import shutil
import tempfile
from pathlib import Path

#: Per script: options that make it run in seconds on 2 CPU cores.
TINY = {
    "mnist_first_layer.py": ["--networks", "2", "--iterations", "20"],
    "synthetic_shapes.py": ["--n-filters", "1000"],
    "layer_profile.py": ["--networks", "2", "--iterations", "20", "--max-filters", "1000"],
}

_OUT = tempfile.mkdtemp(prefix="sktopo_gallery_")
atexit.register(shutil.rmtree, _OUT, ignore_errors=True)


def tiny_argv(gallery_conf, script_vars):
    """The arguments of the script ``script_vars["src_file"]`` (after ``sys.argv[0]``)."""
    name = Path(script_vars["src_file"]).name
    if name not in TINY:
        raise KeyError(f"examples/{name} has no tiny settings: add them to TINY in docs/gallery_argv.py.")
    return [*TINY[name], "--out", str(Path(_OUT) / Path(name).stem)]
