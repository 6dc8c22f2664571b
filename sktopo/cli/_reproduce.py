"""``sktopo reproduce``: the paper's experiments, each as a table, a figure and a report beside its numbers."""

import argparse
import json
import os
import re
import time

from .._validation import InvalidParameterError
from ..experiments import PRIMARY_CIRCLE_PRESETS
from ._analysis import add_figure, finish, labelled, say_verdict
from ._args import (
    MAX_RESOLUTION,
    UsageError,
    add_device,
    add_out,
    add_random_state,
    check_out,
    prepare_out,
    say,
)
from ._summary import jsonable, summary

#: Per experiment: what it is, and its data per scale (the quick scale runs offline).
EXPERIMENTS = {
    "fig2": (
        "Fig. 2: Mapper and barcodes of the first-layer filters of many MNIST networks",
        {"quick": "mnist_sample", "paper": "mnist"},
    ),
    "fig12": (
        "Fig. 12: the top H1 lifetime of the first-layer filters and test accuracy during training",
        {"quick": "mnist_sample", "paper": "mnist"},
    ),
    "fig13": (
        "Fig. 13: test accuracy against iterations with idealized filters' responses appended",
        {"quick": "mnist_sample", "paper": "svhn"},
    ),
    "generalization": (
        "Section VI (i): a first layer fixed to the primary circle, tested on another domain",
        {"quick": ("mnist_sample", "digits"), "paper": ("mnist", "svhn")},
    ),
    "evolution": (
        "Figs. 5 and 9: Mapper of the first two layers' filters across training",
        {"quick": "mnist_sample", "paper": "cifar10"},
    ),
}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "reproduce",
        help="one of the paper's experiments, with its numbers beside the paper's",
        description="Run one of the paper's experiments and write its table (OUT/<name>.csv), figure "
        "(OUT/<name>.png), summaries (OUT/summary.json) and OUT/report.html beside the paper's numbers (fig2 "
        "writes what the demo writes: OUT/report.html, its figures as PNG files and summary.json). "
        + "; ".join(f"{name}: {what}" for name, (what, _) in EXPERIMENTS.items())
        + ". The quick scale runs offline in minutes; the paper scale needs the datasets under "
        "--data-root and, in practice, a GPU.",
    )
    parser.add_argument("experiment", choices=list(EXPERIMENTS), help="the experiment")
    parser.add_argument(
        "--scale",
        choices=["quick", "paper"],
        default="quick",
        help="quick (offline, minutes on a CPU) or paper (the paper's sizes) (default: %(default)s)",
    )
    add_device(parser)
    add_random_state(parser)
    parser.add_argument(
        "--data-root",
        default=None,
        help="folder of the torchvision datasets (MNIST, SVHN, CIFAR-10) for --scale paper",
    )
    add_out(parser, None, shown="sktopo_output/EXPERIMENT")
    parser.add_argument(
        "--param",
        action="append",
        type=_param,
        default=[],
        metavar="NAME=VALUE",
        help="set a parameter of the experiment's function (sktopo.experiments), e.g. --param max_iter=50 "
        "--param n_repeats=1; VALUE is read as JSON (numbers, lists, quoted strings) or else as text. fig2 "
        "takes networks, iterations and resolution. May be repeated",
    )
    parser.set_defaults(run=run)


def _param(text) -> tuple:
    name, equals, value = text.partition("=")
    if not equals or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"must be NAME=VALUE, e.g. max_iter=50; got {text!r}")
    try:
        return name, json.loads(value)
    except json.JSONDecodeError:
        return name, value


def run(args) -> None:
    args.out = args.out or os.path.join("sktopo_output", args.experiment)
    if args.scale == "paper" and args.data_root is None:
        raise UsageError(
            f"--scale paper trains on the paper's datasets: give --data-root, the folder of "
            f"{EXPERIMENTS[args.experiment][1]['paper']!r} (torchvision's layout)"
        )
    if args.scale == "quick" and args.data_root is not None:
        raise UsageError(
            "--data-root is for --scale paper: the quick scale runs on the data that ship offline"
        )
    if args.experiment == "fig2":
        return _fig2(args)
    check_out(args)
    function = _function(args, dict(args.param))
    start = time.perf_counter()
    try:
        result = function(*_data(args), **_common(args), **dict(args.param))
    except InvalidParameterError as exc:  # the experiments check every parameter before any work
        raise UsageError(_as_param(exc)) from exc
    prepare_out(args)  # after the work: a refused or failed run leaves no folder behind
    _write(args, result, time.perf_counter() - start)


def _fig2(args):
    from ._demo import first_layer_study

    preset = PRIMARY_CIRCLE_PRESETS[args.scale]
    settings = {
        "networks": preset["n_networks"],
        "iterations": preset["iterations"],
        "resolution": preset["resolution"],
    }
    chosen = settings | dict(args.param)
    bad = {key: value for key, value in chosen.items() if key not in settings or not _count(value)}
    if _count(chosen.get("resolution")) and chosen["resolution"] > MAX_RESOLUTION:
        bad["resolution"] = chosen["resolution"]
    if bad:
        raise UsageError(
            f"fig2 takes --param {', '.join(settings)}, integers >= 1 (resolution at most {MAX_RESOLUTION}); "
            f"got {bad}"
        )
    first_layer_study(
        args,
        f"sktopo reproduce fig2 ({args.scale})",
        **chosen,
        scale=args.scale,
        data_root=args.data_root,
        checkpoint_dir=None if args.scale == "quick" else os.path.join(args.out, "checkpoints"),
        extra={"experiment": "fig2", "scale": args.scale},
        options={
            "n_networks": "--param networks=",
            "iterations": "--param iterations=",
            "resolution": "--param resolution=",
        },
    )


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _common(args) -> dict:
    return {
        "scale": args.scale,
        "data_root": args.data_root,
        "device": args.device,
        "random_state": args.random_state,
        "verbose": int(args.progress),
    }


#: Per experiment: its function in sktopo.experiments.
_RUNNERS = {
    "fig12": "persistence_vs_accuracy",
    "fig13": "appended_features_speedup",
    "generalization": "cross_domain_generalization",
    "evolution": "training_evolution",
}


def _as_param(exc) -> str:
    """scikit-learn's refusal of a parameter, naming the option that set it."""
    found = re.match(r"(?:The '(\w+)' parameter of \w+ must be|(\w+)=?\S* must be) (.*)", str(exc), re.S)
    return f"--param {found[1] or found[2]}: must be {found[3]}" if found else f"--param: {exc}"


def _data(args) -> tuple:
    data = EXPERIMENTS[args.experiment][1][args.scale]
    return data if isinstance(data, tuple) else (data,)


def _function(args, params):
    """The experiment's function, with ``params`` checked against its signature before any work."""
    import inspect

    from .. import experiments

    function_name = _RUNNERS[args.experiment]
    function = getattr(experiments, function_name)
    names = list(inspect.signature(function).parameters)[len(_data(args)) :]  # after the datasets
    accepted = [name for name in names if name not in _common(args)]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise UsageError(
            f"{args.experiment} ({function_name}) takes --param {', '.join(accepted)}; got {unknown}"
        )
    return function


#: What each experiment measured besides its table, written to summary.json and the report.
_MEASURED = {"fig12": ("correlation", "pooled"), "fig13": ("speedup",)}


def _write(args, result, seconds) -> None:
    """The table, the figure, summary.json (with the verdict) and the report of an experiment."""
    name, finding = args.experiment, result.verdict
    result.table.to_csv(os.path.join(args.out, f"{name}.csv"), index=False)
    measured = {"experiment": name, "scale": args.scale, "agrees_with_paper": finding.agrees}
    measured |= {key: getattr(result, key) for key in _MEASURED.get(name, ())}
    study = summary(
        args,
        verdict=finding,
        shape=None,
        n_networks=result.settings.get("n_networks"),
        layers=[],
        measured=measured,
        parameters=result.settings,
        paper=result.paper,
        timings={"total_seconds": seconds},
    )
    path = _report(args, result, study)
    say(
        args,
        f"{say_verdict(*_said(finding))}\nwrote {path}, {name}.csv, {name}.png and summary.json in {seconds:.0f} s",
    )


def _said(finding) -> tuple[str, list[str]]:
    """The verdict as the report and the command say it: a headline and its reasons."""
    head = {
        "found": "This run shows what the paper reports",
        "borderline": "This run shows what the paper reports only BORDERLINE",
        "not_found": "This run does NOT show what the paper reports",
        "too_small": "This run is TOO SMALL to tell whether it shows what the paper reports",
    }[finding.level]
    margin = [] if finding.margin != finding.margin else [f"margin {finding.margin:+.3g} over the criterion"]
    return head, [*finding.reasons, *margin]


def _report(args, result, study) -> str:
    from ..plotting import Report

    name, (what, _) = args.experiment, EXPERIMENTS[args.experiment]
    report = Report(title=f"sktopo reproduce {name} ({args.scale}): {what}")
    head, items = _said(result.verdict)
    report.verdict(head, level=result.verdict.level, items=items)
    add_figure(report, result.plot().figure_, what, os.path.join(args.out, f"{name}.png"))
    report.heading("The paper's numbers")
    report.table(labelled(jsonable(result.paper)))
    for key in _MEASURED.get(name, ()):
        report.heading(f"Measured: {key}")
        value = jsonable(getattr(result, key))
        report.table(labelled(value if isinstance(value, dict) else {key: value}))
    report.heading("The measured table")
    report.table(result.table.round(4).rename(columns=lambda c: c.replace("_", " ")))
    return finish(report, args, study, [f"{name}.csv", f"{name}.png"])
