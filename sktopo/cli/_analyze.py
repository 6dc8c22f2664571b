"""``sktopo analyze`` (one layer of saved or named networks) and ``sktopo profile`` (every layer)."""

import argparse
import os
import time

from ._analysis import (
    LABELS,
    add_figure,
    add_layer,
    finish,
    labelled,
    layer_rows,
    measured,
    say_verdict,
    verdict,
)
from ._args import (
    UsageError,
    above_one,
    add_out,
    add_random_state,
    check_out,
    detail,
    fraction,
    layer_list,
    n_jobs,
    positive_int,
    prepare_out,
    resolution,
    say,
)
from ._networks import add_source_arguments, load_networks
from ._summary import summary


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


def _add_analysis_arguments(parser, default_resolution) -> None:
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
        "--resolution",
        type=resolution,
        default=default_resolution,
        help="Mapper resolution, from 1 to 1000 (default: %(default)s)",
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
    add_out(parser, os.path.join("sktopo_output", parser.prog.split()[-1]))


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
    _add_analysis_arguments(analyze, default_resolution=30)
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
    _add_analysis_arguments(profile, default_resolution=30)
    profile.set_defaults(run=run_profile)


def _profile(args, layers):
    """The profile of ``layers`` of the sources; the output folder checked before, created after."""
    from ..filters import n_conv_layers
    from ..profile import topology_profile

    check_out(args)
    networks = load_networks(args.sources, args.arch, args.random_state)
    detail(args, f"read {len(networks)} network(s): {', '.join(args.sources)}")
    n_layers, option = n_conv_layers(networks[0]), "--layer" if args.command == "analyze" else "--layers"
    beyond = [layer for layer in layers or () if layer > n_layers]
    if beyond:
        raise UsageError(
            f"{option} {beyond[0]}: the networks have {n_layers} conv layer(s); give layers from 1 to {n_layers}"
        )
    profile = topology_profile(
        networks,
        layers,
        k=args.k,
        max_filters=args.max_filters,
        resolution=args.resolution,
        random_state=args.random_state,
        n_jobs=args.n_jobs,
        progress=args.progress,
        p=args.p,
        gain=args.gain,
    )
    return profile, len(networks)


def _parameters(args, profile, **extra) -> dict:
    """What ran: the sources and the command's arguments, then the profile's own settings."""
    names = ("sources", "arch", "k", "random_state")
    return {name: getattr(args, name) for name in names} | profile.settings | extra


def run_analyze(args) -> None:
    from ..plotting import Report

    start = time.perf_counter()
    profile, n_networks = _profile(args, [args.layer])
    if args.layer not in profile.evidence:
        raise ValueError(f"--layer {args.layer} is not analysed: {profile.table['skipped'].iloc[0]}")
    prepare_out(args)  # after the work: a refused or failed run leaves no folder behind
    topology, rows = profile.evidence[args.layer], layer_rows(profile.table)
    numbers = measured(profile.table, topology)
    head, items = verdict(rows[0], numbers, topology.circle.reasons)
    report = Report(title=f"sktopo analyze: layer {args.layer} of {n_networks} network(s)")
    report.verdict(head, level=topology.circle.level, items=items)
    files = add_layer(report, topology, args.out)
    report.heading("Measured")
    report.table(labelled(rows[0] | numbers))
    result = summary(
        args,
        verdict=topology.circle,
        shape=rows[0]["shape"],
        n_networks=n_networks,
        layers=rows,
        measured=numbers,
        parameters=_parameters(args, profile, layer=args.layer),
        paper=None,
        timings={"total_seconds": time.perf_counter() - start},
    )
    path = finish(report, args, result, files)
    say(args, f"{say_verdict(head, items)}\nwrote {path}, {', '.join(files)} and summary.json")


#: What the paper found layer by layer (Section V-C), beside which a profile is read.
PAPER_PROFILE = (
    "The paper (Section V-C, Figs. 10 and 11) finds in VGG16's dense cores rho(100, 0.3) the primary circle "
    "as the dominant structure in every layer but the last (13), with patches outside the Klein bottle "
    "model in layers 5, 6, 8, 11, 12 and 13; in VGG19 other dominant structures at some layers, e.g. at "
    "layer 5 the circle of VGG16's layer 13."
)


def run_profile(args) -> None:
    from ..plotting import Report

    start = time.perf_counter()
    profile, n_networks = _profile(args, args.layers)
    table, finding = profile.table, profile.verdict
    prepare_out(args)  # after the work: a refused or failed run leaves no folder behind
    table.to_csv(os.path.join(args.out, "profile.csv"), index=False)
    report = Report(title=f"sktopo profile: {len(profile)} layer(s) of {n_networks} network(s)")
    report.verdict(
        f"The surest verdict over the layers: {finding.level.replace('_', ' ')} (a layer 'found' has exactly "
        "one significant H1 bar beyond the band and random filters, and one Mapper loop at most resolutions)",
        level=finding.level,
        items=finding.reasons,
    )
    report.heading("The profile, one row per layer")
    report.table(table.round(4).rename(columns=LABELS))
    files = ["profile.csv"]
    for kind, file, caption in (
        (
            "barcodes",
            "profile.png",
            "H1 barcodes of each layer's dense core, with the significance threshold in grey",
        ),
        (
            "mapper",
            "profile_mapper.png",
            "Mapper graph of each layer's dense core, with mean filters (the paper's Figs. 10 and 11)",
        ),
    ):
        add_figure(report, profile.plot(kind=kind).figure_, caption, os.path.join(args.out, file))
        files.append(file)
    report.paragraph(PAPER_PROFILE)
    result = summary(
        args,
        verdict=finding,
        shape=None,
        n_networks=n_networks,
        layers=layer_rows(table),
        measured={},
        parameters=_parameters(args, profile),
        paper={"text": PAPER_PROFILE},
        timings={"total_seconds": time.perf_counter() - start},
    )
    path = finish(report, args, result, files)
    say(args, f"{finding.reasons[0]}; wrote {path}, {', '.join(files)} and summary.json")
