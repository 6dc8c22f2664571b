"""The ``sktopo`` command: the demo, the analysis of saved networks, their profile, the paper's experiments.

``sktopo demo`` trains small CNNs on the embedded MNIST sample and reports whether their
first-layer filters form the paper's primary circle; ``sktopo analyze`` and ``sktopo profile``
do the same for saved networks or torchvision networks by name, one layer or every layer;
``sktopo reproduce`` runs the paper's experiments. Each writes a self-contained ``report.html``,
its figures as PNG files and ``summary.json`` into ``--out``. Run ``sktopo COMMAND --help`` for the options.
"""

import argparse
import os
import sys
import warnings

from .. import __version__
from . import _analyze, _demo, _reproduce
from ._args import Parser, UsageError

__all__ = ["main"]

QUIET = "no progress bars, messages or warnings: errors only"

DESCRIPTION = (
    "The topology of CNNs' spatial filters (Bruel Gabrielsson and Carlsson, ICMLA 2019). 'sktopo demo' "
    "trains small CNNs on the embedded MNIST sample and reports whether their first-layer filters form the "
    "paper's primary circle; 'sktopo analyze' and 'sktopo profile' do the same for saved networks or "
    "torchvision networks by name, one layer or every layer; 'sktopo reproduce' runs the paper's "
    "experiments. Each writes a self-contained report.html, its figures as PNG files and summary.json "
    "into --out."
)


def _parser() -> Parser:
    parser = Parser(prog="sktopo", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"sktopo {__version__}")
    parser.add_argument("-q", "--quiet", action="store_true", help=QUIET)
    commands = parser.add_subparsers(title="commands", dest="command", required=True, parser_class=Parser)
    _demo.add_parser(commands)
    _analyze.add_parsers(commands)
    _reproduce.add_parser(commands)
    for command in commands.choices.values():
        command.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            default=argparse.SUPPRESS,
            help=QUIET,
        )
    return parser


def main(argv=None) -> int:
    """Run the ``sktopo`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    Bad arguments, missing or unreadable files and inputs the library refuses end with one line
    on stderr and exit status 2, never a traceback (set the environment variable
    ``SKTOPO_TRACEBACK=1`` to see one); an interruption (Ctrl-C) ends with status 130.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments, without the program name.

    Returns
    -------
    status : int
        0 on success (and for ``--help`` and ``--version``), 2 for a refusal, 130 when interrupted.

    Examples
    --------
    A missing weights file: one line on stderr, status 2.

    >>> from sktopo.cli import main
    >>> main(["analyze", "no_such_network.pt", "--layer", "1"])
    2
    """
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a bad argument (one line already on stderr)
        return exc.code
    try:
        with warnings.catch_warnings():
            if args.quiet:  # -q: errors only
                warnings.simplefilter("ignore")
            args.run(args)
    except (UsageError, ValueError, TypeError, OSError) as exc:
        if os.environ.get("SKTOPO_TRACEBACK"):
            raise
        print(f"sktopo {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"sktopo {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


def _one_line(exc) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
