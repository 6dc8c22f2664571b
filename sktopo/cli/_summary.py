"""summary.json: one schema for every command (``summary.schema.json`` beside this module)."""

import importlib.metadata
import json
import math
import os
import platform
import shlex

import numpy as np

#: The version of summary.json's layout; raised when a key changes meaning or goes away.
SCHEMA_VERSION = 1

#: The packages whose versions summary.json and the report record.
PACKAGES = ("torch", "scikit-learn", "ripser", "numpy")

#: summary.json's name in ``--out``.
NAME = "summary.json"


def jsonable(value):
    """``value`` as strict JSON data: numpy scalars as Python's, NaN and infinities as None, DataFrames as records."""
    if hasattr(value, "to_dict") and hasattr(value, "columns"):
        return jsonable(value.to_dict(orient="records"))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def versions() -> dict:
    """The versions of Python and :data:`PACKAGES` (None for one not installed), without importing them."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = None
    return found


def command_line(args) -> str:
    """The command as typed, quoted for a POSIX shell."""
    return shlex.join(["sktopo", *args.argv])


def summary(args, *, verdict, shape, n_networks, layers, measured, parameters, paper, timings) -> dict:
    """The summary of a run of ``args.command``: the keys every command writes, in schema order.

    ``verdict`` is a :class:`~sktopo.homology.Finding` (level, reasons, margin); ``layers`` the
    rows of the layers analysed (the columns of ``profile.csv``); ``measured`` what else the
    command measured; ``timings`` seconds by step, ``total_seconds`` added.
    """
    return jsonable(
        {
            "schema_version": SCHEMA_VERSION,
            "command": args.command,
            "argv": list(args.argv),
            "started": args.started.isoformat(timespec="seconds"),
            "sktopo_version": args.versions["sktopo"],
            "versions": {key: value for key, value in args.versions.items() if key != "sktopo"},
            "verdict": {"level": verdict.level, "reasons": list(verdict.reasons), "margin": verdict.margin},
            "shape": shape,
            "n_networks": n_networks,
            "layers": layers,
            "measured": measured,
            "parameters": parameters,
            "paper": paper,
            "timings": timings,
            "files": [],
        }
    )


def write_summary(out: str, summary: dict, files) -> list[str]:
    """``summary`` as strict JSON in ``out/summary.json``, listing ``files`` and itself; that list."""
    written = sorted({*files, NAME})
    with open(os.path.join(out, NAME), "w", encoding="utf-8") as f:
        json.dump(summary | {"files": written}, f, indent=2, allow_nan=False)
    return written


#: What sktopo wrote before summary.json listed its files (schema 1): what --force replaces there.
EARLIER_FILES = (
    "report.html",
    "summary.json",
    "mapper.png",
    "barcodes.png",
    "profile.csv",
    "profile.png",
    "profile_mapper.png",
    *(
        f"{name}.{ext}"
        for name in ("fig12", "fig13", "generalization", "evolution")
        for ext in ("csv", "png")
    ),
)


def previous_files(out: str) -> list[str]:
    """The files an earlier run wrote in ``out``: those its summary.json lists (plain names in ``out``),
    :data:`EARLIER_FILES` for a summary.json from before the list, [] without one."""
    try:
        with open(os.path.join(out, NAME), encoding="utf-8") as f:
            summary = json.load(f)
    except (OSError, ValueError):
        return []
    files = summary.get("files", EARLIER_FILES) if isinstance(summary, dict) else []
    if not isinstance(files, (list, tuple)):
        return []
    return [
        f for f in files if isinstance(f, str) and f and os.path.basename(f) == f and f not in (".", "..")
    ]
