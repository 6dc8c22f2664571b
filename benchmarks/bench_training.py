"""Training throughput: N networks of M(64,32,64), batches of 128, sequential skorch vs batched.

For N = 1, 8 and 32 networks on the embedded real MNIST sample, each network trained for a few
batch iterations, this measures network-iterations per second (one network, one batch of 128,
forward, backward and Adam step) of

* **sequential skorch**, the peer: ``NetworkEnsemble(strategy="sequential")``, each network a
  ``make_classifier`` skorch net trained alone (what a user gets from skorch by itself);
* **batched**: ``strategy="batched"`` with default settings, the N networks as one
  computation (on the CPU in passes of a few samples, which keep PyTorch's allocations in
  memory that ``malloc`` keeps; nothing process-wide is changed);
* on the CPU, two cases at N = 8 in a process whose glibc allocator this benchmark itself
  tunes at start-up (``mallopt(M_MMAP_MAX, 0)`` and a huge ``M_TRIM_THRESHOLD``: no block is
  ever mapped afresh), batched and sequential skorch, to show what the allocator still costs
  each side. sktopo has no such setting (it had ``tune_glibc_malloc`` until issue 21).

Every case runs in a fresh process, so that no case inherits another's allocator state, and
through the public API only. Times are steady-state: after a warm-up fit, the time of a fit of
``2 + iterations`` batch iterations per network minus that of a fit of 2, so that set-up and
one-off costs (oneDNN primitive creation) cancel, on both sides alike. Rounds alternate
the peer and sktopo so that both see the same state of a shared machine (the speed-up is the
median of the rounds' own ratios), and the float32 matrix product rate (2048 × 2048, on the
training device) is measured before every case; each case's ``fraction_of_matmul`` divides its
achieved GFLOP/s by the median of those rates. Achieved GFLOP/s counts the model's
multiply-adds (2 FLOPs each): forward, gradient of the weights, gradient of the inputs except
the first layer's. The load average is recorded at the start, after every round and at the end.

Targets (issue 21), default settings, N = 8: batched at least 60% of the measured matmul rate
and at least 1.3 times sequential skorch; the summary says whether each is met. Runs on CUDA too
when present (then without the allocator cases, and with 100 batched networks, the paper's
ensemble); the summary estimates the wall time of the paper's 100 × 40,000 iterations from the
largest batched case, and says when no GPU figure exists.

Usage: python benchmarks/bench_training.py [--out benchmarks/results/training.json] [--rounds 3]
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from _results import RESULTS, write_results

from sktopo.datasets import load_mnist_sample
from sktopo.nn import NetworkEnsemble, make_classifier, make_cnn

SPEC, BATCH = "M(64,32,64)", 128
#: Issue 21's targets at N = 8, default settings.
TARGET_FRACTION, TARGET_SPEEDUP = 0.6, 1.3
#: The paper's second-layer ensemble: 100 networks of 40,000 batch iterations each.
PAPER_ITERATIONS = 100 * 40_000


def tune_glibc_in_this_process() -> None:
    """Serve every block of this (benchmark) process from glibc's heap and keep freed memory.

    ``M_MMAP_MAX = 0`` (no block mapped afresh) and ``M_TRIM_THRESHOLD = 2**31 - 1`` (freed memory
    is kept). Called at the start of a case's own process, never by sktopo.
    """
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    m_trim_threshold, m_mmap_max = -1, -4
    if not (libc.mallopt(m_mmap_max, 0) and libc.mallopt(m_trim_threshold, 2**31 - 1)):
        raise RuntimeError("glibc's mallopt refused the setting")


def seconds_per_network_iteration(strategy, X, y, n, iterations) -> float:
    """Steady-state seconds per network-iteration of ``NetworkEnsemble(strategy=...)``.

    Through the public API only: after a warm-up fit, the time of a fit of ``2 + iterations``
    batch iterations per network minus that of a fit of 2 (set-up, cloning and the first
    iterations' one-off costs cancel), divided by ``n × iterations``.
    """
    device = make_classifier(SPEC).device
    synchronize = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)

    def fit(max_iter):
        net = make_classifier(SPEC, max_iter=max_iter, batch_size=BATCH)
        ensemble = NetworkEnsemble(net, n_networks=n, strategy=strategy, group_size=n, random_state=0)
        synchronize()
        start = time.perf_counter()
        ensemble.fit(X, y)
        synchronize()  # on CUDA kernels are queued: time the work, not its launch
        return time.perf_counter() - start

    fit(2)  # warm-up: oneDNN primitives, the allocator's thresholds
    long, short = fit(2 + iterations), fit(2)
    return (long - short) / (n * iterations)


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


TUNED_BATCHED = "batched, glibc tuned by the benchmark"
TUNED_SEQUENTIAL = "sequential skorch, glibc tuned by the benchmark"
#: case name -> (strategy, whether the benchmark tunes glibc's allocator in the case's process)
CASES = {
    "sequential skorch": ("sequential", False),
    "batched": ("batched", False),
    TUNED_BATCHED: ("batched", True),
    TUNED_SEQUENTIAL: ("sequential", True),
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
        strategy, tuned = CASES[args.case[0]]
        if tuned:
            tune_glibc_in_this_process()
        print(
            seconds_per_network_iteration(strategy, *load_mnist_sample(), int(args.case[1]), args.iterations)
        )
        return
    flops, device = training_flops(), "cuda" if torch.cuda.is_available() else "cpu"
    cases = [(name, n) for n in (1, 8, 32) for name in ("sequential skorch", "batched")]
    if device == "cuda":
        cases += [("batched", 100)]  # the paper's ensemble as one computation
    else:
        cases += [(TUNED_BATCHED, 8), (TUNED_SEQUENTIAL, 8)]
    seconds, rates, load = {case: [] for case in cases}, [], [_load("start")]
    for round_ in range(args.rounds):
        for name, n in sorted(cases, key=lambda case: case[1]):  # peer and sktopo side by side
            rates.append(matmul_gflops(device))
            seconds[name, n].append(run_case(name, n, args.iterations))
            print(
                f"{name:<48} N={n:<3} {seconds[name, n][-1] * 1000:7.1f} ms per network-iteration", flush=True
            )
        load.append(_load(f"after round {round_ + 1}"))
    matmul = float(np.median(rates))
    rows = [_row(name, n, s, flops, matmul) for (name, n), s in seconds.items()]
    summary = _summary(rows, seconds, matmul, device)
    summary["load_average"] = load
    print(json.dumps(summary, indent=2))
    write_results(
        args.out, "training", rows, summary=summary, torch=torch.__version__, iterations=args.iterations
    )


def _load(when) -> dict:
    """The 1, 5 and 15 minute load averages (2 cores: 2 means both busy), labelled ``when``."""
    return {"when": when, "load_1_5_15_min": [round(x, 2) for x in os.getloadavg()]}


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
    """Speed-up at N = 8 as the median of the rounds' own ratios; the targets and whether they are met."""
    rounds = _speedup(seconds, "batched")
    speedup = float(np.median(rounds))
    fraction = {(r["strategy"], r["networks"]): r for r in rows}["batched", 8]["fraction_of_matmul"]
    tuned = {}
    if (TUNED_BATCHED, 8) in seconds:
        tuned = {  # what the allocator still costs: like for like, the setting on both sides
            "speedup_both_glibc_tuned_by_the_benchmark_at_8": round(
                float(np.median(_speedup(seconds, TUNED_BATCHED, peer=TUNED_SEQUENTIAL))), 2
            ),
            "batched_default_vs_glibc_tuned_at_8": round(
                float(np.median(_speedup(seconds, "batched", peer=TUNED_BATCHED))), 2
            ),
        }
    largest = max((r for r in rows if r["strategy"] == "batched"), key=lambda r: r["networks"])
    return {
        "device": device,
        "gpu": "measured" if device == "cuda" else "no GPU figure: no CUDA device in this run",
        "settings": "default (NetworkEnsemble(strategy='batched'), nothing process-wide changed)",
        "paper_100x40000_estimated_hours": round(
            PAPER_ITERATIONS / largest["network_iterations_per_s"] / 3600, 1
        ),
        "estimate_from_batched_networks": largest["networks"],
        "matmul_gflops": round(matmul, 1),
        "gflops_per_iteration": training_flops() / 1e9,
        "speedup_batched_vs_sequential_skorch_at_8": round(speedup, 2),
        "speedup_per_round": [round(r, 2) for r in rounds],
        "target_speedup": TARGET_SPEEDUP,
        "speedup_target_met": bool(speedup >= TARGET_SPEEDUP),
        "batched_fraction_of_matmul_at_8": fraction,
        "target_fraction": TARGET_FRACTION,
        "fraction_target_met": bool(fraction >= TARGET_FRACTION),
        "targets_met": bool(speedup >= TARGET_SPEEDUP and fraction >= TARGET_FRACTION),
        **tuned,
    }


if __name__ == "__main__":
    main()
