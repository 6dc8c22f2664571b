"""``sktopo analyze`` (one layer of saved or named networks) and ``sktopo profile`` (every layer)."""

import argparse
import os
import time

from .. import __version__
from ..profile import shows_circle
from ._analysis import add_layer, finish, measured, verdict
from ._args import above_one, add_random_state, fraction, layer_list, n_jobs, positive_int, prepare_out, say
from ._networks import add_source_arguments, load_networks


def _k(text):
    """``--k``: an int >= 1, or a float in (0, 1) for that fraction of the filters."""
    try:
        value = float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        value = None
    if (
        value is None
        or (isinstance(value, int) and value < 1)
        or (isinstance(value, float) and not 0 < value < 1)
    ):
        raise argparse.ArgumentTypeError(
            f"must be an integer >= 1 or a fraction of the filters in (0, 1); got {text!r}"
        )
    return value


def _add_analysis_arguments(parser, resolution) -> None:
    parser.add_argument(
        "--k",
        type=_k,
        default=None,
        help="the k of rho(k, p): an integer, or a fraction of the filters (default: 1/32 of them)",
    )
    parser.add_argument(
        "--p", type=fraction, default=0.3, help="share kept as the dense core (default: %(default)s)"
    )
    parser.add_argument(
        "--resolution", type=positive_int, default=resolution, help="Mapper resolution (default: %(default)s)"
    )
    parser.add_argument("--gain", type=above_one, default=3.0, help="Mapper gain, > 1 (default: %(default)s)")
    parser.add_argument(
        "--max-filters",
        type=positive_int,
        default=4096,  # sktopo.profile.MAX_FILTERS, not imported: --help stays light
        help="spatial filters used per layer, a random subsample beyond (default: %(default)s)",
    )
    parser.add_argument(
        "--n-jobs",
        type=n_jobs,
        default=-1,
        help="jobs for the null clouds, the confidence band and the neighbour searches: -1 every core, "
        "1 none in parallel (default: %(default)s)",
    )
    add_random_state(parser, "networks given by name, the subsample, the confidence band and the null test")
    out = os.path.join("sktopo_output", parser.prog.split()[-1])
    parser.add_argument("--out", default=out, help="folder for the report (default: %(default)s)")


def add_parsers(subparsers) -> None:
    analyze = subparsers.add_parser(
        "analyze",
        help="the topology of one conv layer of saved networks or torchvision networks by name",
        description="Pool the spatial filters of one conv layer of saved networks (or torchvision networks "
        "by name, randomly initialized), normalize them, keep the dense core rho(k, p), and write its Mapper "
        "graph, barcodes with their confidence band, the random-filter test and a verdict to "
        "OUT/report.html, the PNG figures and OUT/summary.json.",
    )
    add_source_arguments(analyze)
    analyze.add_argument(
        "--layer", type=positive_int, default=1, help="1-based conv layer (default: %(default)s)"
    )
    _add_analysis_arguments(analyze, resolution=30)
    analyze.set_defaults(run=run_analyze)
    profile = subparsers.add_parser(
        "profile",
        help="the topology of every conv layer, layer by layer (the paper's Figs. 10-11)",
        description="Run the analysis of 'sktopo analyze' on each conv layer of saved or named networks and "
        "write the profile as a table (OUT/profile.csv), the barcodes layer by layer (OUT/profile.png), "
        "OUT/report.html and OUT/summary.json.",
    )
    add_source_arguments(profile)
    profile.add_argument(
        "--layers",
        type=layer_list,
        default=None,
        help="layers and ranges, e.g. 1-13 or 1,3,5-7 (default: every conv layer)",
    )
    _add_analysis_arguments(profile, resolution=30)
    profile.set_defaults(run=run_profile)


def _profile(args, layers):
    """The profile of ``layers`` of the sources, the output folder prepared after they are read."""
    from ..profile import topology_profile

    networks = load_networks(args.sources, args.arch, args.random_state)
    prepare_out(args.out)
    return topology_profile(
        networks,
        layers,
        k=args.k,
        max_filters=args.max_filters,
        resolution=args.resolution,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
        progress=not args.quiet,
        p=args.p,
        gain=args.gain,
    )


def _parameters(args, profile, **extra) -> dict:
    """What ran: the sources and the command's arguments, then the profile's own settings."""
    names = ("sources", "arch", "k", "random_state")
    return {name: getattr(args, name) for name in names} | profile.settings | extra


def _finish(args, report, summary: dict, start: float) -> str:
    """The report and summary.json, with the time since ``start``; the report's path."""
    timings = {"total_seconds": time.perf_counter() - start}
    return finish(report, args.out, summary | {"timings": timings, "sktopo_version": __version__})


def run_analyze(args) -> None:
    from ..plotting import Report

    start = time.perf_counter()
    profile = _profile(args, [args.layer])
    if args.layer not in profile.evidence:
        raise ValueError(f"--layer {args.layer} is not analysed: {profile.table['skipped'].iloc[0]}.")
    numbers = measured(profile.table, profile.evidence[args.layer])
    report = Report(title=f"sktopo analyze: layer {args.layer} of {len(args.sources)} source(s)")
    report.verdict(verdict(numbers), found=numbers["found_circle"])
    report.heading("Measured")
    report.table({key: value for key, value in numbers.items() if key != "h1_lifetimes"})
    add_layer(report, profile.evidence[args.layer], args.out)
    path = _finish(
        args, report, numbers | {"parameters": _parameters(args, profile, layer=args.layer)}, start
    )
    say(args, f"{verdict(numbers)}\nwrote {path}, mapper.png, barcodes.png and summary.json")


#: What the paper found layer by layer (Section V-C), beside which a profile is read.
PAPER_PROFILE = (
    "The paper (Section V-C, Figs. 10 and 11) finds in VGG16's dense cores rho(100, 0.3) the primary circle "
    "as the dominant structure in every layer but the last (13), with patches outside the Klein bottle "
    "model in layers 5, 6, 8, 11, 12 and 13; in VGG19 other dominant structures at some layers, e.g. at "
    "layer 5 the circle of VGG16's layer 13."
)


def run_profile(args) -> None:
    import matplotlib.pyplot as plt

    from ..plotting import Report

    start = time.perf_counter()
    profile = _profile(args, args.layers)
    table = profile.table
    table.to_csv(os.path.join(args.out, "profile.csv"), index=False)
    report = Report(title=f"sktopo profile: {len(profile)} layer(s) of {len(args.sources)} source(s)")
    found = table.layer[shows_circle(profile)].tolist()
    levels = ", ".join(f"layer {row.layer}: {row.verdict}" for row in table.itertuples())
    report.verdict(
        f"{len(found)} of {len(profile)} layers show a circle (verdict 'found': exactly one significant H1 bar "
        f"beyond the band and random filters, and one Mapper loop at most resolutions). {levels}.",
        found=bool(found),
    )
    report.heading("The profile, one row per layer")
    report.table(table.round(4))
    figure = profile.plot().figure_
    caption = "H1 barcodes of each layer's dense core, with the significance threshold in grey"
    report.figure(figure, caption, path=os.path.join(args.out, "profile.png"))
    plt.close(figure)
    figure = profile.plot(kind="mapper").figure_
    caption = "Mapper graph of each layer's dense core, with mean filters (the paper's Figs. 10 and 11)"
    report.figure(figure, caption, path=os.path.join(args.out, "profile_mapper.png"))
    plt.close(figure)
    report.paragraph(PAPER_PROFILE)
    path = _finish(args, report, {"layers": table, "parameters": _parameters(args, profile)}, start)
    say(
        args,
        f"{len(found)} of {len(profile)} layers show a circle; wrote {path}, profile.csv, profile.png, "
        "profile_mapper.png and summary.json",
    )
