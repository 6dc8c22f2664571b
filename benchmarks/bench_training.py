"""Training throughput: N networks of M(64,32,64), batches of 128, sequential skorch vs batched.

For N = 1, 8 and 32 networks on the embedded real MNIST sample, each network trained for a few
batch iterations, this measures network-iterations per second (one network, one batch of 128,
forward, backward and Adam step) of

* **sequential skorch**, the peer: ``NetworkEnsemble(strategy="sequential")``, each network a
  ``make_classifier`` skorch net trained alone (what a user gets from skorch by itself);
* **batched**: ``strategy="batched"``, the N networks as one computation, with glibc's
  allocator left alone (the default);
* two cases at N = 8 with the opt-in allocator setting ``tune_glibc_malloc=True``
  (``_heap_allocations``, which changes the whole process): batched, and sequential skorch
  given the same setting, to show where the gain comes from.

Every case runs in a fresh process, so that no case inherits another's allocator state. Times
are steady-state: the median interval between successive batch iterations, the first
two of each run left out (one-off set-up such as oneDNN primitive creation). Rounds alternate
the peer and sktopo so that both see the same state of a shared machine (the speed-up is the
median of the rounds' own ratios), and the float32 matrix
product rate (2048 × 2048) is measured in every round; achieved GFLOP/s counts the model's
multiply-adds (2 FLOPs each): forward, gradient of the weights, gradient of the inputs except
the first layer's. Targets: batched at least 2 times sequential skorch at N = 8, and at least
40% of the measured matrix-product rate. Runs on CUDA too when present (then without the
allocator cases, and with 100 batched networks, the paper's ensemble); the summary estimates the
wall time of the paper's 100 × 40,000 iterations from the largest batched case, and says when no
GPU figure exists.

Usage: python benchmarks/bench_training.py [--out benchmarks/results/training.json] [--rounds 3]
"""

import argparse
import contextlib
import itertools
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from _results import RESULTS, write_results
from skorch.callbacks import Callback

from sktopo.datasets import load_mnist_sample
from sktopo.nn import NetworkEnsemble, _batched, make_classifier, make_cnn

SPEC, BATCH = "M(64,32,64)", 128
#: The paper's second-layer ensemble: 100 networks of 40,000 batch iterations each.
PAPER_ITERATIONS = 100 * 40_000


_STAMPS = []  # module level: NetworkEnsemble clones its estimator, callbacks included


class _Clock(Callback):
    """Appends the times of the ends of a network's batch iterations to ``_STAMPS``."""

    def on_train_begin(self, net, **kwargs):
        _STAMPS.append([time.perf_counter()])

    def on_batch_end(self, net, **kwargs):
        _STAMPS[-1].append(time.perf_counter())


def _steady_seconds(runs) -> list:
    """Intervals between successive iterations, the first two of each run dropped."""
    return [b - a for stamps in runs for a, b in itertools.pairwise(stamps[2:])]


def sequential(X, y, n, iterations, heap=False):
    _STAMPS.clear()
    net = make_classifier(SPEC, max_iter=iterations, batch_size=BATCH, callbacks=[_Clock()])
    context = _batched._heap_allocations(torch.device(net.device)) if heap else contextlib.nullcontext()
    with context:
        NetworkEnsemble(net, n_networks=n, strategy="sequential", random_state=0).fit(X, y)
    return float(np.median(_steady_seconds(_STAMPS)))  # one network per iteration


def batched(X, y, n, iterations, heap=False):
    stamps = [time.perf_counter()]
    net = make_classifier(SPEC, max_iter=iterations, batch_size=BATCH)

    def stamp(_):
        if net.device.startswith("cuda"):  # kernels are queued: time the work, not its launch
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())

    _batched.fit_batched(net, range(n), X, y, stamp, tune_glibc_malloc=heap)
    return float(np.median(_steady_seconds([stamps]))) / n  # n networks per iteration


def matmul_gflops(device="cpu", size=2048, repeats=10) -> float:
    """float32 matrix-product rate on ``device``, the one the networks train on."""
    a, b = torch.randn(size, size, device=device), torch.randn(size, size, device=device)
    synchronize = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    a @ b
    synchronize()
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    synchronize()
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def training_flops(spec=SPEC, batch=BATCH) -> float:
    """FLOPs of one training iteration: forward, weight gradients, input gradients but the first."""
    model, macs = make_cnn(spec), []

    def count(module, inputs, output):
        weight = module.weight
        per_output = weight[0].numel() if isinstance(module, torch.nn.Conv2d) else weight.shape[1]
        macs.append(output.numel() * per_output)

    for module in model.modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            module.register_forward_hook(count)
    model(torch.zeros(batch, 1, 28, 28))
    return 2.0 * (3 * sum(macs) - macs[0])


CASES = {
    "sequential skorch": lambda X, y, n, k: sequential(X, y, n, k),
    "batched": lambda X, y, n, k: batched(X, y, n, k),
    "batched, tune_glibc_malloc": lambda X, y, n, k: batched(X, y, n, k, heap=True),
    "sequential skorch, tune_glibc_malloc": lambda X, y, n, k: sequential(X, y, n, k, heap=True),
}


def run_case(name, n, iterations) -> float:
    """Seconds per network-iteration of one case, in a fresh process (glibc and caches untouched)."""
    command = [sys.executable, __file__, "--case", name, str(n), "--iterations", str(iterations)]
    return float(subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(RESULTS, "training.json"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=8, help="batch iterations per network")
    parser.add_argument("--case", nargs=2, metavar=("NAME", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(CASES[args.case[0]](*load_mnist_sample(), int(args.case[1]), args.iterations))
        return
    flops, device = training_flops(), "cuda" if torch.cuda.is_available() else "cpu"
    cases = [(name, n) for n in (1, 8, 32) for name in ("sequential skorch", "batched")]
    if device == "cuda":
        cases += [("batched", 100)]  # the paper's ensemble as one computation
    else:
        cases += [("batched, tune_glibc_malloc", 8), ("sequential skorch, tune_glibc_malloc", 8)]
    seconds, rates = {case: [] for case in cases}, []
    for _ in range(args.rounds):
        for name, n in sorted(cases, key=lambda case: case[1]):  # peer and sktopo side by side
            rates.append(matmul_gflops(device))
            seconds[name, n].append(run_case(name, n, args.iterations))
            print(
                f"{name:<36} N={n:<3} {seconds[name, n][-1] * 1000:7.1f} ms per network-iteration", flush=True
            )
    matmul = float(np.median(rates))
    rows = [_row(name, n, s, flops, matmul) for (name, n), s in seconds.items()]
    summary = _summary(rows, seconds, matmul, device)
    print(json.dumps(summary, indent=2))
    write_results(
        args.out, "training", rows, summary=summary, torch=torch.__version__, iterations=args.iterations
    )


def _row(name, n, rounds, flops, matmul):
    seconds = float(np.median(rounds))
    gflops = flops / seconds / 1e9
    return {
        "strategy": name,
        "networks": n,
        "ms_per_network_iteration": round(seconds * 1000, 2),
        "ms_per_round": [round(s * 1000, 1) for s in rounds],
        "network_iterations_per_s": round(1 / seconds, 2),
        "gflops": round(gflops, 1),
        "fraction_of_matmul": round(gflops / matmul, 3),
    }


def _speedup(seconds, name, peer="sequential skorch") -> list:
    """Ratios ``peer`` / ``name`` at N = 8, round by round: a shared machine drifts."""
    return [theirs / ours for theirs, ours in zip(seconds[peer, 8], seconds[name, 8])]


def _summary(rows, seconds, matmul, device):
    """Speed-up at N = 8 as the median of the rounds' own ratios, default allocator and tuned."""
    rounds = _speedup(seconds, "batched")
    speedup = float(np.median(rounds))
    fraction = {(r["strategy"], r["networks"]): r for r in rows}["batched", 8]["fraction_of_matmul"]
    tuned = {}
    if ("batched, tune_glibc_malloc", 8) in seconds:
        tuned_rounds = _speedup(seconds, "batched, tune_glibc_malloc")
        # like for like: the allocator setting on both sides
        both = _speedup(seconds, "batched, tune_glibc_malloc", peer="sequential skorch, tune_glibc_malloc")
        tuned = {
            "speedup_batched_tune_glibc_malloc_vs_sequential_skorch_at_8": round(
                float(np.median(tuned_rounds)), 2
            ),
            "speedup_both_tune_glibc_malloc_at_8": round(float(np.median(both)), 2),
        }
    largest = max((r for r in rows if r["strategy"] == "batched"), key=lambda r: r["networks"])
    return {
        "device": device,
        "gpu": "measured" if device == "cuda" else "no GPU figure: no CUDA device in this run",
        "paper_100x40000_estimated_hours": round(
            PAPER_ITERATIONS / largest["network_iterations_per_s"] / 3600, 1
        ),
        "estimate_from_batched_networks": largest["networks"],
        "matmul_gflops": round(matmul, 1),
        "gflops_per_iteration": training_flops() / 1e9,
        "speedup_batched_vs_sequential_skorch_at_8": round(speedup, 2),
        "speedup_per_round": [round(r, 2) for r in rounds],
        "target_speedup": 2.0,
        "batched_fraction_of_matmul_at_8": fraction,
        "target_fraction": 0.4,
        "targets_met": bool(speedup >= 2.0 and fraction >= 0.4),
        **tuned,
    }


if __name__ == "__main__":
    main()
