"""Fig. 13 of the paper: test accuracy against batch iterations, one curve per appended bank."""

import math

from .._validation import HasMethods, validate_params
from ._tables import check_table

__all__ = ["plot_speedup"]

#: Legend labels and colours of the banks; "none" is the paper's "Normal" network.
STYLE = {
    "primary_circle": ("primary circle", "tab:red"),
    "klein_bottle": ("Klein bottle", "tab:green"),
    "gaussian": ("Gaussian", "tab:orange"),
    "gradients": ("2 gradients, circle's gain", "tab:purple"),
    "none": ("Normal", "tab:blue"),
    "none_5x5": ("Normal, 5 × 5 first layer", "tab:cyan"),
}

_COLUMNS = ("bank", "repeat", "iteration", "test_accuracy")

#: The controls the paper lacks (matched gain, receptive field), drawn dashed.
CONTROLS = ("gradients", "none_5x5")


def _label(bank: str, speedup: dict) -> str:
    """The bank's legend label, with its mean speed-up over "none" when known and finite."""
    label = STYLE.get(bank, (bank, None))[0]
    mean = speedup.get(bank, {}).get("mean", math.nan)
    if bank == "none":
        return label
    if not math.isfinite(mean):  # a repeat that never reached the target: inf or NaN
        return f"{label} (speed-up undefined)" if bank in speedup else label
    return f"{label} (×{mean:.2g})"


@validate_params(
    {"df": "no_validation", "ax": [HasMethods(["fill_between"]), None]}, prefer_skip_nested_validation=True
)
def plot_speedup(df, ax=None):
    """Test accuracy against batch iterations per bank: the mean over repeats, a band from min to max.

    The figure of :func:`~sktopo.experiments.appended_features_speedup`, drawn as the paper's
    Fig. 13: one line per bank (the raw images are "Normal"), the band spanning the repeats'
    lowest and highest accuracy at each checkpoint, the legend giving each bank's mean speed-up
    over "Normal" (``df.attrs["speedup"]``; "undefined" where a repeat's is inf or NaN: some
    network never reached the target), the controls "gradients" and "Normal, 5 × 5 first
    layer" dashed, and the target accuracy at which the speed-up
    was read (``df.attrs["settings"]["target_accuracy"]``) as a dashed line.

    Parameters
    ----------
    df : pandas.DataFrame
        As returned by :func:`~sktopo.experiments.appended_features_speedup`.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        When ``df`` lacks the columns ``bank``, ``repeat``, ``iteration``, ``test_accuracy``.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section VI and Fig. 13.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import plot_speedup
    >>> df = pd.DataFrame({"bank": ["none"] * 4 + ["primary_circle"] * 4, "repeat": [0, 0, 1, 1] * 2,
    ...                    "iteration": [10, 20] * 4,
    ...                    "test_accuracy": [0.5, 0.8, 0.6, 0.8, 0.7, 0.9, 0.7, 0.9]})
    >>> ax = plot_speedup(df)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['primary circle', 'Normal']
    """
    import matplotlib.pyplot as plt

    check_table(df, _COLUMNS, "appended_features_speedup")
    ax = plt.subplots(figsize=(5, 3.5))[1] if ax is None else ax
    speedup = df.attrs.get("speedup", {})
    order = list(STYLE)
    for bank in sorted(df["bank"].unique(), key=lambda b: order.index(b) if b in order else len(order)):
        curve = df[df["bank"] == bank].groupby("iteration")["test_accuracy"].agg(["mean", "min", "max"])
        color = STYLE.get(bank, (bank, None))[1]
        style = "--" if bank in CONTROLS else "-"
        line = ax.plot(curve.index, curve["mean"], style, color=color, label=_label(bank, speedup))[0]
        ax.fill_between(
            curve.index, curve["min"], curve["max"], color=line.get_color(), alpha=0.2, linewidth=0
        )
    target = df.attrs.get("settings", {}).get("target_accuracy")
    if target is not None:
        ax.axhline(target, color="grey", linestyle="--", linewidth=1)
    ax.set_xlabel("batch iterations")
    ax.set_ylabel("test accuracy")
    ax.legend(loc="lower right", fontsize="small")
    return ax
