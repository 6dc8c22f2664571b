"""How long a topology profile takes, network by network, and whether the subsample cap changes a verdict.

**Networks** (the default part). ``topology_profile`` with its defaults and ``n_jobs=-1`` on
torchvision's ResNet-18, EfficientNet-B0 (81 conv layers: a 3 × 3 stem, 3 × 3 and 5 × 5
depthwise layers and 1 × 1 layers, the size of EfficientNet-Lite0), MobileNetV3-Small and VGG16,
at random initialization (seeded; no real weights are available offline, see
``docs/profile.md``), and ``resnet18_circles``, ResNet-18 whose every 3 × 3 layer holds noisy
primary-circle edges, where the rule finds a loop in each layer and so draws its covariance null
(``--networks resnet18_circles --no-peer --out benchmarks/results/profile_loops.json``). Each network runs in a fresh process, which records its wall time, its
peak resident memory (joblib's worker processes not included: their ``ru_maxrss`` starts at the
parent's), and the layers analysed and
skipped; ResNet-18's and VGG16's tables and six layers' barcodes go to
``docs/results/profile_<name>.csv`` and ``.png``, which ``docs/profile.md`` shows. The peer, in the same run: the profile at the previous default cap,
``max_filters=20000``, on VGG16's layers 1 to 3 (192, 4,096 and 8,192 filters), beside the
default cap on the same layers. Targets (issue 22), 2 cores: ResNet-18 and EfficientNet-B0 in at
most 120 s, VGG16 (13 layers) in at most 300 s.

**Cap** (``--part cap``). Whether the verdict on a ``max_filters`` subsample is the verdict on the
whole layer, for layers small enough to profile whole: 8,192 filters (VGG16's layer 3, ResNet-18's
``layer2.0.conv1``) of which a fraction are noisy edges of the primary circle and the rest
uniform random filters (torch's initialization), 3 seeds per fraction, profiled whole and at
caps of 2,048 and 4,096; and ResNet-18's layers 2 and 6 at random initialization (4,096 and
8,192 filters). ``n_null=39`` for all (the whole layers' null clouds cost 1.2 s each), the
other settings the defaults. Each case is written to the JSON as it finishes; a rerun skips the
cases already there (``--fresh`` starts over).

Usage: python benchmarks/bench_profile.py [--part networks|cap] [--networks resnet18 vgg16 ...]
       [--no-peer] [--out benchmarks/results/profile.json | profile_cap.json] [--fresh]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

from _results import RESULTS, write_results

NETWORKS = ("resnet18", "efficientnet_b0", "mobilenet_v3_small", "vgg16", "resnet18_circles")
TARGETS = {"resnet18": 120, "efficientnet_b0": 120, "vgg16": 300}
PEER_LAYERS = [1, 2, 3]
CAPS = (2048, 4096)
FRACTIONS = (0.0, 0.05, 0.1, 0.2, 0.4)
SEEDS = range(3)
WHOLE = 8192
CAP_SETTINGS = {"n_null": 39, "random_state": 0, "progress": False}
DOCS_RESULTS = os.path.join(os.path.dirname(__file__), os.pardir, "docs", "results")


def _network(name):
    import torch
    import torchvision

    torch.manual_seed(0)
    if name != "resnet18_circles":
        return torchvision.models.get_model(name, weights=None).eval()
    # every 3 x 3 layer's filters noisy primary-circle edges: the rule finds a loop in each
    from sktopo.datasets import make_circle_filters

    network = torchvision.models.resnet18(weights=None).eval()
    with torch.no_grad():
        for seed, module in enumerate(m for m in network.modules() if isinstance(m, torch.nn.Conv2d)):
            if module.kernel_size == (3, 3):
                edges = make_circle_filters(module.weight[:, :, 0, 0].numel(), noise=0.2, random_state=seed)
                module.weight.copy_(torch.as_tensor(edges, dtype=torch.float32).reshape(module.weight.shape))
    return network


def _rss_mb(who) -> float:
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)  # KiB on Linux


def run_network(name, layers=None, max_filters=None) -> dict:
    """One profile, in this process: what the parent reads from its output."""
    from sktopo.profile import topology_profile

    net = _network(name)
    before = _rss_mb(resource.RUSAGE_SELF)
    cap = {} if max_filters is None else {"max_filters": max_filters}
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant filters left out: counted in the table
        profile = topology_profile(net, layers, random_state=0, n_jobs=-1, progress=False, **cap)
    seconds = time.perf_counter() - start
    table = profile.table
    if layers is None and max_filters is None and name in PAGE_NETWORKS:
        _write_page_parts(name, profile)
    return {
        "network": name,
        "layers": "all" if layers is None else layers,
        "max_filters": profile.settings["max_filters"],
        "seconds": round(seconds, 1),
        "n_layers": len(table),
        "n_analysed": int((table["verdict"] != "skipped").sum()),
        "n_skipped": int((table["verdict"] == "skipped").sum()),
        "verdicts": table["verdict"].value_counts().to_dict(),
        "slowest_layer_seconds": round(float(table["seconds"].max()), 1),
        "peak_rss_mb": _rss_mb(resource.RUSAGE_SELF),
        "rss_before_profile_mb": before,
    }


#: What docs/profile.md shows of these networks' profiles (the table as CSV, six layers' barcodes).
PAGE_NETWORKS = ("resnet18", "vgg16")
PAGE_COLUMNS = ["layer", "layer_name", "n_filters", "n_used", "n_dense", "h1_top", "threshold", "shape"]
PAGE_COLUMNS += ["edge_energy", "verdict", "seconds", "skipped"]


def _write_page_parts(name, profile):
    import matplotlib

    matplotlib.use("Agg")
    os.makedirs(DOCS_RESULTS, exist_ok=True)
    table = profile.table[PAGE_COLUMNS].round(3)
    table.to_csv(os.path.join(DOCS_RESULTS, f"profile_{name}.csv"), index=False)
    shown = [layer for layer in profile.layers if layer in profile.evidence][:6]
    display = profile.select(shown).plot(kind="barcodes")
    display.figure_.savefig(os.path.join(DOCS_RESULTS, f"profile_{name}.png"), dpi=80, bbox_inches="tight")


def _in_fresh_process(*args) -> dict:
    command = [sys.executable, __file__, "--one", json.dumps(args)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def networks(names, out, with_peer=True):
    load = [round(x, 2) for x in os.getloadavg()]
    results = []
    for name in names:
        results.append(_in_fresh_process(name, None, None))
        print(results[-1], flush=True)
    peer = [_in_fresh_process("vgg16", PEER_LAYERS, cap) for cap in (20000, None)] if with_peer else []
    for row in peer:
        print(row, flush=True)
    summary = {
        name: {"seconds": row["seconds"], "target_s": TARGETS.get(name), "met": _met(row)}
        for name, row in zip(names, results)
    }
    if peer:
        summary["peer_vgg16_layers_1_3"] = {
            "max_filters_20000_s": peer[0]["seconds"],
            "default_s": peer[1]["seconds"],
            "speedup": round(peer[0]["seconds"] / peer[1]["seconds"], 2),
        }
    load.append([round(x, 2) for x in os.getloadavg()])
    write_results(out, "profile", {"summary": summary, "networks": results, "peer": peer}, load_average=load)
    print(json.dumps(summary, indent=2))


def _met(row):
    target = TARGETS.get(row["network"])
    return None if target is None else row["seconds"] <= target


def _planted(fraction, seed):
    """A layer of WHOLE filters, ``fraction`` of them noisy primary-circle edges, the rest uniform."""
    import numpy as np

    from sktopo.datasets import make_circle_filters

    rng = np.random.default_rng(seed)
    n_circle = round(fraction * WHOLE)
    filters = rng.uniform(-1, 1, (WHOLE, 9))
    if n_circle:
        filters[:n_circle] = make_circle_filters(n_circle, noise=0.2, random_state=seed)
    return filters[rng.permutation(WHOLE)].reshape(128, 64, 3, 3)


def _cap_case(kind, detail, seed, cap):
    from sktopo.profile import topology_profile

    if kind == "planted":
        source, layers = _planted(detail, seed), [1]
    else:
        source, layers = _network("resnet18"), [detail]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        row = topology_profile(source, layers, max_filters=cap or WHOLE, **CAP_SETTINGS).table.iloc[0]
    return {
        "kind": kind,
        "detail": detail,
        "seed": seed,
        "cap": cap,
        "n_used": int(row["n_used"]),
        "h1_top": round(float(row["h1_top"]), 4),
        "threshold": round(float(row["threshold"]), 4),
        "verdict": row["verdict"],
        "seconds": round(time.perf_counter() - start, 1),
    }


def cap_study(out, fresh):
    done = []
    if os.path.exists(out) and not fresh:
        with open(out) as f:
            done = json.load(f)["results"]["cases"]
    seen = {(c["kind"], c["detail"], c["seed"], c["cap"]) for c in done}
    cases = [("planted", f, s) for f in FRACTIONS for s in SEEDS] + [
        ("resnet18", layer, 0) for layer in (2, 6)
    ]
    for kind, detail, seed in cases:
        for cap in (None, *CAPS):
            if (kind, detail, seed, cap) not in seen:
                done.append(_cap_case(kind, detail, seed, cap))
                print(done[-1], flush=True)
                write_results(out, "profile_cap", {"summary": _agreement(done), "cases": done})
    print(json.dumps(_agreement(done), indent=2))


def _agreement(cases):
    whole = {(c["kind"], c["detail"], c["seed"]): c["verdict"] for c in cases if c["cap"] is None}
    summary = {}
    for cap in CAPS:
        pairs = [
            (whole[key], c["verdict"])
            for c in cases
            if c["cap"] == cap and (key := (c["kind"], c["detail"], c["seed"])) in whole
        ]
        summary[f"cap_{cap}"] = {
            "cases": len(pairs),
            "same_verdict": sum(a == b for a, b in pairs),
            "differ": [f"whole {a} / cap {b}" for a, b in pairs if a != b],
        }
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["networks", "cap"], default="networks")
    parser.add_argument(
        "--networks", nargs="+", choices=NETWORKS, default=[n for n in NETWORKS if n != "resnet18_circles"]
    )
    parser.add_argument("--out", default=None)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--no-peer", action="store_true", help="time the networks alone")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return print(json.dumps(run_network(*json.loads(args.one))))
    if args.part == "cap":
        return cap_study(args.out or os.path.join(RESULTS, "profile_cap.json"), args.fresh)
    networks(args.networks, args.out or os.path.join(RESULTS, "profile.json"), with_peer=not args.no_peer)


if __name__ == "__main__":
    main()
