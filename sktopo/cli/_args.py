"""Argument types and the parser of the ``sktopo`` command: bad arguments end in one line, exit 2."""

import argparse
import math
import sys


class UsageError(Exception):
    """A bad argument found after parsing (a missing file, a layer the network lacks): exit 2."""


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr and exit status 2, never a traceback."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _number(kind, low, high=None, *, low_open=False):
    """An argparse type: a ``kind`` from ``low`` (excluded if ``low_open``) to ``high``."""

    def convert(text):
        try:
            value = kind(text)
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
natural_int = _number(int, 0)
fraction = _number(float, 0, 1, low_open=True)
positive_float = _number(float, 0, low_open=True)


def layer_list(text) -> list[int]:
    """``"1-13"``, ``"3"`` or ``"1,3,5-7"`` as a list of 1-based layers, in order, without repeats."""
    layers = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            first = last = 0
        if first < 1 or last < first:
            raise argparse.ArgumentTypeError(
                f"must be 1-based layer numbers and ranges such as 1-13 or 1,3,5-7; got {text!r}"
            )
        layers += [layer for layer in range(first, last + 1) if layer not in layers]
    return layers


def say(args, message: str) -> None:
    """Print ``message`` unless ``-q``."""
    if not args.quiet:
        print(message, file=sys.stdout, flush=True)
