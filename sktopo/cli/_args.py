"""Argument types and the parser of the ``sktopo`` command: bad arguments end in one line, exit 2."""

import argparse
import math
import os
import re
import sys
import tempfile

from ._summary import previous_files


class UsageError(Exception):
    """A bad argument found after parsing (a missing file, a layer the network lacks): exit 2."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2, never a traceback."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _number(kind, low, high=None, *, low_open=False):
    """An argparse type: a ``kind`` from ``low`` (excluded if ``low_open``) to ``high``."""

    def convert(text):
        try:  # ints in plain ASCII digits: not "1_0", " 5" or full-width digits, which int() accepts
            value = kind(text) if kind is float or re.fullmatch(r"[+-]?[0-9]+", text) else None
        except ValueError:
            value = None
        if (
            value is None
            or not math.isfinite(value)
            or (value <= low if low_open else value < low)
            or (high is not None and value > high)
        ):
            raise argparse.ArgumentTypeError(f"must be {_describe(kind, low, high, low_open)}; got {text!r}")
        return value

    return convert


def _describe(kind, low, high, low_open) -> str:
    noun = "an integer" if kind is int else "a number"
    if high is None:
        return f"{noun} {'>' if low_open else '>='} {low}"
    return f"{noun} in {'(' if low_open else '['}{low}, {high}]"


#: argparse types: numbers in a range, refused with a message that states the range.
positive_int = _number(int, 1)
seed = _number(int, 0, 2**32 - 1)
above_one = _number(float, 1, low_open=True)
fraction = _number(float, 0, 1, low_open=True)

#: The finest Mapper cover the command draws: the paper's are 30 intervals per lens dimension; beyond a
#: thousand, intervals hold a point or none, and the cover's cost grows with no picture to show.
MAX_RESOLUTION = 1000
resolution = _number(int, 1, MAX_RESOLUTION)


def n_jobs(text) -> int:
    """``--n-jobs``: -1 (every core) or a positive number of jobs."""
    if text.strip() == "-1":
        return -1
    try:
        return positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be -1 (every core) or an integer >= 1; got {text!r}"
        ) from None


#: The largest layer number --layers accepts (VGG19 has 16 conv layers; ResNet-152 has 155).
MAX_LAYER = 10_000


def layer_list(text) -> list[int]:
    """``"1-13"``, ``"3"`` or ``"1,3,5-7"`` as a list of 1-based layers, in order, without repeats."""
    layers = {}
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", part)
        first, last = (int(match[1]), int(match[2] or match[1])) if match else (0, 0)
        if not 1 <= first <= last <= MAX_LAYER:
            raise argparse.ArgumentTypeError(
                f"must be layer numbers from 1 to {MAX_LAYER} and ranges such as 1-13 or 1,3,5-7; got {text!r}"
            )
        layers |= dict.fromkeys(range(first, last + 1))
    return list(layers)


def add_random_state(parser, what: str = "the networks and the analysis") -> None:
    """``--random-state``, an int from 0 to 2**32 - 1, default 0."""
    parser.add_argument(
        "--random-state",
        type=seed,
        default=0,
        help=f"seeds {what}, from 0 to 2**32 - 1 (default: %(default)s)",
    )


def add_device(parser) -> None:
    """``--device``: a torch device, default CUDA where present."""
    parser.add_argument("--device", default=None, help="torch device: cpu or cuda (default: cuda if present)")


def add_out(parser, default, shown=None) -> None:
    """``--out`` (default ``default``, shown as ``shown``) and ``--force``."""
    parser.add_argument(
        "--out", default=default, help=f"folder for the report and its files (default: {shown or default})"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a --out that is not empty, replacing the files an earlier sktopo run listed in "
        "its summary.json; other files (checkpoints/ included) are kept",
    )


def check_out(args) -> None:
    """Refuse, before any work and changing nothing, an ``--out`` that cannot take this run's files.

    A file, a folder that cannot be written to, or a folder that is not empty without ``--force``
    is a UsageError naming ``--out``.
    """
    path = os.fspath(args.out)
    if not path.strip():
        raise UsageError(f"--out must name a folder; got {path!r}")
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"--out {path!r} is a file; give a folder (created if missing)")
    if os.path.isdir(path) and not args.force:
        entries = sorted(os.listdir(path))
        if entries:
            shown = ", ".join(entries[:4]) + (f" and {len(entries) - 4} more" if len(entries) > 4 else "")
            raise UsageError(
                f"--out {path!r} is not empty (it holds {shown}); give a new folder, or --force to replace "
                "the files of an earlier sktopo run there"
            )
    existing = os.path.abspath(path)
    while not os.path.exists(existing):  # the nearest path that exists, where path will be created
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise UsageError(f"--out {path!r} is not a folder that can be created: {existing!r} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out {path!r} is not a folder that can be written to (permission denied)")


def prepare_out(args) -> str:
    """Create ``args.out`` just before the first file is written; its path.

    With ``--force``, the files an earlier run listed there are noted (``args.replaced``), to be
    removed by :func:`retire` once this run's files are written: a run that fails keeps them.
    """
    path = os.fspath(args.out)
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        raise UsageError(
            f"--out {path!r} is not a folder that can be written to ({exc.strerror or exc})"
        ) from exc
    args.replaced = previous_files(path) if args.force else []
    return path


def retire(args, written) -> None:
    """Remove the files of an earlier run (``--force``) that this run, having written ``written``, did not."""
    stale = [name for name in args.replaced if name not in written]
    stale = [name for name in stale if os.path.isfile(os.path.join(args.out, name))]
    for name in stale:
        os.remove(os.path.join(args.out, name))
    if stale:
        detail(args, f"--force: removed the earlier run's {', '.join(stale)} from {args.out}")


def say(args, message: str) -> None:
    """Print ``message`` unless ``-q``."""
    if args.verbosity:
        print(message, file=sys.stdout, flush=True)


def detail(args, message: str) -> None:
    """Print ``message`` with ``-v`` only."""
    if args.verbosity > 1:
        print(message, file=sys.stdout, flush=True)
