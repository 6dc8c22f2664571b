"""One plain sentence per experiment: what this run measured, beside what the paper reports.

The paper's numbers come from each result's ``attrs["paper"]``, which the experiments hold.
"""

import math


def _number(value, form=".2f") -> str:
    return "undefined" if value is None or not math.isfinite(value) else format(value, form)


def _generalization(df) -> tuple[str, bool]:
    accuracy = df.groupby("first_layer")["target_accuracy"].mean()
    circle, others = accuracy.get("primary_circle"), accuracy.drop("primary_circle", errors="ignore")
    arms = ", ".join(f"{arm.replace('_', ' ')} {value:.1%}" for arm, value in accuracy.items())
    better = circle is not None and len(others) and circle > others.max()
    paper = ", ".join(
        f"{arm.replace('_', ' ')} {df.attrs['paper'][arm]:.0%}"
        for arm in ("primary_circle", "gaussian", "trained")
    )
    return (
        f"Accuracy on {df['target'].iloc[0]} after training on {df['source'].iloc[0]}: {arms} (the paper, "
        f"MNIST to SVHN: {paper}). The fixed primary circle "
        f"{'beats' if better else 'does not beat'} the other first layers here.",
        bool(better),
    )


def _simplicity(df) -> tuple[str, bool]:
    c = df.attrs["correlation"]
    positive = c["low"] is not None and c["low"] > 0
    return (
        f"Spearman correlation of the top H1 lifetime with test accuracy across training: "
        f"{_number(c['spearman'])}, {c['confidence']:.0%} interval [{_number(c['low'])}, {_number(c['high'])}]. "
        f"The paper reports that the lifetime rises with accuracy (Fig. 12): "
        f"{'reproduced' if positive else 'not reproduced here (the interval is not above 0)'}.",
        positive,
    )


def _speedup(df) -> tuple[str, bool]:
    summary = df.attrs["speedup"]
    banks = {bank: s for bank, s in summary.items() if bank != "none"}
    text = ", ".join(f"{b.replace('_', ' ')} {_number(s['mean'], '.1f')}×" for b, s in banks.items())
    circle = banks.pop("primary_circle", {}).get("mean")
    others = [s["mean"] for s in banks.values() if s["mean"] is not None and not math.isnan(s["mean"])]
    fastest = circle is not None and circle > max(others, default=-math.inf)
    paper = df.attrs["paper"]
    order = ", then ".join(bank.replace("_", " ") for bank in paper["order"] if bank != "none")
    return (
        f"Mean speed-up in batch iterations to the target accuracy over the raw-image networks: {text} "
        f"(the paper: {paper['speedup_mnist']:g}× on MNIST, {paper['speedup_svhn']:g}× on SVHN, fastest "
        f"first: {order}). The primary circle is {'' if fastest else 'not '}the fastest here.",
        bool(fastest),
    )


def _evolution(df) -> tuple[str, bool]:
    loops = df[df["mapper_n_loops"] == 1].groupby("layer")["iteration"].apply(list)
    seen = (
        "; ".join(f"layer {layer}: at iterations {its}" for layer, its in loops.items()) or "at no iteration"
    )
    fig5, fig9 = df.attrs["paper"]["fig5"], df.attrs["paper"]["fig9"]
    return (
        f"One Mapper loop appears {seen} (the paper, Fig. 5: in the first layer at "
        f"{fig5['layer1_circle_appears']:,} batch iterations, broken at {fig5['layer1_circle_breaks']:,}, in "
        f"the second at {fig5['layer2_circle_appears']:,}; Fig. 9: the first layer at "
        f"{fig9['layer1_circle_appears']:,}, the second at {fig9['layer2_circle_appears']:,}).",
        bool(len(loops)),
    )


#: Per experiment of ``sktopo reproduce``: ``(sentence, agrees)`` from its table.
VERDICTS = {
    "fig12": _simplicity,
    "fig13": _speedup,
    "generalization": _generalization,
    "evolution": _evolution,
}
