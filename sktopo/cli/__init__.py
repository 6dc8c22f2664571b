"""The ``sktopo`` command: the demo, the analysis of saved networks, their profile, the paper's experiments.

``sktopo demo`` trains small CNNs on the embedded MNIST sample and reports whether their
first-layer filters form the paper's primary circle; ``sktopo analyze`` and ``sktopo profile``
do the same for saved networks or torchvision networks by name, one layer or every layer;
``sktopo reproduce`` runs the paper's experiments. Each writes a self-contained ``report.html``,
its figures as PNG files and ``summary.json`` into ``--out``. Run ``sktopo COMMAND --help`` for the options.
"""

import argparse
import datetime
import re
import sys
import traceback
import warnings

from .. import __version__
from . import _analyze, _demo, _reproduce
from ._args import Parser, UsageError
from ._summary import versions

__all__ = ["main"]

QUIET = "errors only: no progress bars, messages or warnings"
VERBOSE = "more detail: what was read and written, warnings in full, and the traceback of an error"

DESCRIPTION = (
    "The topology of CNNs' spatial filters (Bruel Gabrielsson and Carlsson, ICMLA 2019). 'sktopo demo' "
    "trains small CNNs on the embedded MNIST sample and reports whether their first-layer filters form the "
    "paper's primary circle; 'sktopo analyze' and 'sktopo profile' do the same for saved networks or "
    "torchvision networks by name, one layer or every layer; 'sktopo reproduce' runs the paper's "
    "experiments. Each writes a self-contained report.html, its figures as PNG files and summary.json "
    "into --out. Exit status: 0 done, 1 the run failed (unreadable data, a refused input, too little "
    "memory), 2 a bad command line, 130 interrupted."
)


def _add_verbosity(parser, **default) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help=QUIET, **default)
    group.add_argument("-v", "--verbose", action="store_true", help=VERBOSE, **default)


def _parser() -> Parser:
    parser = Parser(prog="sktopo", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"sktopo {__version__}")
    _add_verbosity(parser)
    commands = parser.add_subparsers(title="commands", dest="command", required=True, parser_class=Parser)
    _demo.add_parser(commands)
    _analyze.add_parsers(commands)
    _reproduce.add_parser(commands)
    for command in commands.choices.values():
        _add_verbosity(command, default=argparse.SUPPRESS)
    return parser


def main(argv=None) -> int:
    """Run the ``sktopo`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    Every failure ends with one line on stderr, ``sktopo COMMAND: error: ...``, never a
    traceback (``-v`` adds one): status 2 for a bad command line (an option's value, a missing
    file or folder, a layer the networks lack, an ``--out`` that is not empty), 1 for a run that
    failed (a file that is not a state_dict, data the library refuses, too little memory), 130
    when interrupted (Ctrl-C). Progress bars are drawn only when stderr is a terminal.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name.

    Returns
    -------
    status : int
        0 on success (and for ``--help`` and ``--version``), 1, 2 or 130 as above.

    Examples
    --------
    A missing weights file: one line on stderr, status 2.

    >>> from sktopo.cli import main
    >>> main(["analyze", "no_such_network.pt", "--layer", "1"])
    2
    """
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad argument (one line already on stderr)
        return exc.code
    if args.quiet and args.verbose:  # one given before the command, the other after it
        print(f"sktopo {args.command}: error: give -q or -v, not both", file=sys.stderr)
        return 2
    args.argv, args.started = argv, datetime.datetime.now(datetime.timezone.utc)
    args.versions = {"sktopo": __version__} | versions()
    args.verbosity = 0 if args.quiet else 2 if args.verbose else 1
    args.progress = args.verbosity > 0 and sys.stderr.isatty()  # no bars in a redirected log
    try:
        with warnings.catch_warnings():
            if args.quiet:
                warnings.simplefilter("ignore")
            elif not args.verbose:
                warnings.showwarning = _one_line_warning(args.command)
            args.run(args)
    except KeyboardInterrupt:
        print(f"sktopo {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        print(f"sktopo {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    return 0


#: Terminal control sequences (colours, bold) that a library's message may hold.
_CONTROL = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

#: Errors whose message is the whole story; any other is a bug of sktopo or a library.
_EXPECTED = (UsageError, ValueError, TypeError, OSError, MemoryError, RuntimeError)


def _one_line(exc) -> str:
    """The error as one line: its message, control sequences removed; a bug says so."""
    if isinstance(exc, OSError) and exc.strerror and exc.filename:
        text = f"{exc.strerror}: {exc.filename!r}"
    else:
        text = " ".join(_CONTROL.sub("", str(exc)).split())
    if isinstance(exc, MemoryError):
        text = f"out of memory{': ' + text if text else ''}; use fewer or smaller inputs"
    if not isinstance(exc, _EXPECTED):
        text = f"{type(exc).__name__}: {text} (an internal error: rerun with -v for the traceback, and report it)"
    return text or type(exc).__name__


def _one_line_warning(command):
    """``warnings.showwarning`` as one line, ``sktopo COMMAND: warning: ...``."""

    def show(message, category, filename, lineno, file=None, line=None):
        text = " ".join(_CONTROL.sub("", str(message)).split())
        print(f"sktopo {command}: warning: {text}", file=file or sys.stderr)

    return show
