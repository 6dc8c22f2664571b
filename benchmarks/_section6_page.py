"""Write ``docs/section6.md``: the measured Section VI tables beside the paper's numbers."""

import json
import os

import numpy as np
import pandas as pd


def _load(out: str, name: str):
    path = os.path.join(out, f"{name}.json")
    if not os.path.exists(path):
        return None, None
    with open(path) as f:
        record = json.load(f)
    return pd.read_csv(os.path.join(out, f"{name}.csv")), record


def _pm(values, digits: int = 3) -> str:
    """Mean ± standard deviation (min-max) of ``values``, n = their number."""
    v = np.asarray(values, dtype=float)
    sd = v.std(ddof=1) if len(v) > 1 else 0.0
    return f"{v.mean():.{digits}f} ± {sd:.{digits}f} ({v.min():.{digits}f}-{v.max():.{digits}f})"


def _table(header, rows) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]


def _ran(record) -> str:
    return (
        f"{record['seconds'] / 60:.1f} min on this machine (matrix product {record['matmul_gflops']} GFLOP/s)"
    )


def _paper_accuracy(paper: dict, source: str, target: str, arm: str) -> str:
    """The paper's number in the matching direction: MNIST → SVHN by arm, SVHN → MNIST (trained)."""
    if source in ("mnist", "mnist_sample") and arm in paper:
        return f"{paper[arm]:.2f} (MNIST → SVHN)"
    if target in ("mnist", "mnist_sample") and arm == "trained":
        return f"{paper['svhn_to_mnist']:.2f} (SVHN → MNIST)"
    return "-"


def _generalization(df, record) -> list[str]:
    paper = record["attrs"]["paper"]
    lines = ["## (i) A fixed first layer and generalization to another digit set", ""]
    lines += [f"Ran: {_ran(record)}; `benchmarks/section6.py generalization`.", ""]
    rows = []
    for (source, target), part in df.groupby(["source", "target"], sort=False):
        for arm, runs in part.groupby("first_layer", sort=False):
            h1 = runs["h1_lifetime"].iloc[0]
            rows.append(
                [
                    f"{source} → {target}",
                    arm,
                    len(runs),
                    int(runs["max_iter"].iloc[0]),
                    _pm(runs["source_accuracy"]),
                    _pm(runs["target_accuracy"]),
                    "-" if pd.isna(h1) else f"{h1:.3f}",
                    _paper_accuracy(paper, source, target, arm),
                ]
            )
    header = [
        "train → test",
        "first layer",
        "networks",
        "iterations",
        "source test accuracy",
        "target accuracy",
        "top H1 lifetime (trained)",
        "paper",
    ]
    lines += _table(header, rows)
    lines += [
        "",
        "Accuracies: mean ± standard deviation over the repeats (min-max). The paper: "
        f"SVHN → MNIST {paper['svhn_to_mnist']:.2f}; top H1 lifetime {paper['h1_mnist']} "
        f"(MNIST) vs {paper['h1_svhn']} (SVHN) at ρ(100, 0.1) after 40,000 iterations.",
        "",
        "![cross-domain](results/generalization.png)",
        "",
    ]
    return lines


def _simplicity(df, record) -> list[str]:
    attrs = record["attrs"]
    corr, pooled = attrs["correlation"], pd.DataFrame(attrs["pooled"])
    settings = attrs["settings"]
    lines = ["## (ii) Topological simplicity and test accuracy over training (Fig. 12)", ""]
    lines += [
        f"Ran: {_ran(record)}; {settings['n_networks']} networks {settings['spec']} in "
        f"{settings['n_groups']} groups on {settings['dataset']}, ρ({settings['k']}, {settings['p']}); "
        "`benchmarks/section6.py simplicity`.",
        "",
    ]
    rows = []
    for it, part in df.groupby("iteration"):
        whole = pooled[pooled["iteration"] == it].iloc[0]
        rows.append([it, _pm(part["h1_lifetime"]), f"{whole['h1_lifetime']:.3f}", _pm(part["test_accuracy"])])
    lines += _table(
        ["iteration", "top H1 lifetime per group", "all networks pooled", "test accuracy (group means)"], rows
    )
    lines += [
        "",
        f"Spearman correlation of the groups' lifetime and accuracy over checkpoints: "
        f"{corr['spearman']:.2f}, {100 * corr['confidence']:.0f}% bootstrap interval over groups "
        f"[{corr['low']:.2f}, {corr['high']:.2f}]. The paper: the two rise together (Fig. 12); "
        f"top H1 lifetime {attrs['paper']['h1_lifetime_mnist_40k']} on MNIST at 40,000 iterations "
        "(ρ(100, 0.1) of 100 networks: set it beside the pooled column only where the filtration is the same).",
        "",
        "![persistence vs accuracy](results/simplicity.png)",
        "",
    ]
    return lines


def _finite(values) -> str:
    v = np.asarray([float(x) for x in values])
    finite = v[np.isfinite(v)]
    text = _pm(finite, 2) if len(finite) else "never reached"
    return text + (f"; {len(v) - len(finite)} of {len(v)} not finite" if len(finite) < len(v) else "")


def _speedup(df, record) -> list[str]:
    attrs = record["attrs"]
    settings, summary, paper = attrs["settings"], attrs["speedup"], attrs["paper"]
    lines = ["## (iii) Appended filter responses speed training up (Fig. 13)", ""]
    lines += [
        f"Ran: {_ran(record)}; {settings['n_repeats']} networks {settings['spec']} per bank on "
        f"{settings['dataset']}, {settings['max_iter']} iterations scored every {settings['eval_every']}; "
        f"target accuracy {settings['target_accuracy']:.3f} ({settings['target_rule']}); "
        "`benchmarks/section6.py speedup`.",
        "",
    ]
    rows = []
    last = df[df["iteration"] == df["iteration"].max()]
    for bank, s in summary.items():
        final = last[last["bank"] == bank]["test_accuracy"]
        rows.append([bank, _finite(s["iterations"]), _finite(s["speedup"]), _pm(final)])
    lines += _table(["appended bank", "iterations to target", "speed-up over none", "final accuracy"], rows)
    lines += [
        "",
        f"The paper: {paper['speedup_mnist']}× fewer iterations on MNIST, {paper['speedup_svhn']}× "
        f"on SVHN, in the order {' > '.join(paper['order'])}.",
        "",
        "![speed-up](results/speedup.png)",
        "",
    ]
    return lines


def _evolution(df, record) -> list[str]:
    settings = record["attrs"]["settings"]
    lines = ["## Training evolution (Figs. 5 and 9)", ""]
    lines += [
        f"Ran: {_ran(record)}; {settings['n_networks']} networks {settings['spec']} on "
        f"{settings['dataset']}; `benchmarks/section6.py evolution`.",
        "",
    ]
    rows = [
        [r.layer, r.iteration, r.n_dense, r.mapper_n_loops, f"{r.h1_top:.3f}", f"{r.h1_bound:.3f}"]
        for r in df.itertuples()
    ]
    header = [
        "layer",
        "iteration",
        "filters (dense)",
        "Mapper loops",
        "top H1 lifetime",
        "its certified error",
    ]
    lines += _table(header, rows)
    return [*lines, "", "![evolution](results/evolution.png)", ""]


SECTIONS = {
    "generalization": _generalization,
    "simplicity": _simplicity,
    "speedup": _speedup,
    "evolution": _evolution,
}


def write_page(out: str, page: str) -> None:
    lines = [
        "# Section VI, measured",
        "",
        "The paper's experiments on topology as a tool, run with `sktopo.experiments` on 2 CPU cores",
        "with the offline data (MNIST's 5,000-image sample and scikit-learn's digits, each split",
        "80/20 into training and test images). Generated by `python benchmarks/section6.py --page`",
        "from `docs/results/`; what the numbers mean and where they disagree with the paper is",
        "discussed on the [experiments page](experiments.md#what-they-measured-here).",
        "",
    ]
    for name, section in SECTIONS.items():
        df, record = _load(out, name)
        if df is not None:
            lines += section(df, record)
    with open(page, "w") as f:
        f.write("\n".join(lines))
