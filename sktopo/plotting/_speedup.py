"""Fig. 13 of the paper: test accuracy against batch iterations, one curve per appended bank."""

import math

from .._validation import HasMethods, validate_params
from ._tables import check_table, result_parts

__all__ = ["SpeedupDisplay", "plot_speedup"]

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
    mean = speedup.get(bank, {}).get("mean")
    mean = math.nan if mean is None else mean
    if bank == "none":
        return label
    if not math.isfinite(mean):  # a repeat that never reached the target: inf or NaN
        return f"{label} (speed-up undefined)" if bank in speedup else label
    return f"{label} (×{mean:.2g})"


class SpeedupDisplay:
    """Test accuracy against batch iterations per bank, as the paper's Fig. 13.

    The figure of :func:`~sktopo.experiments.appended_features_speedup`: one line per bank (the
    raw images are "Normal") at the mean over repeats, a band from the repeats' lowest to
    highest accuracy at each checkpoint, the legend giving each bank's mean speed-up over
    "Normal" (``speedup``; "undefined" where a repeat's is inf or NaN: some network never
    reached the target), the controls "gradients" and "Normal, 5 × 5 first layer" dashed, and
    the target accuracy at which the speed-up was read as a dashed line. scikit-learn's Display
    API; :func:`plot_speedup` is its shortcut.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of an :func:`~sktopo.experiments.appended_features_speedup` result (columns
        ``bank``, ``repeat``, ``iteration``, ``test_accuracy``).
    speedup : dict, default=None
        The result's ``speedup`` (per bank, :func:`~sktopo.experiments.speedup_summary`).
    target_accuracy : float, default=None
        Where the speed-up was read (the result's ``settings["target_accuracy"]``).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section VI and Fig. 13.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import SpeedupDisplay
    >>> df = pd.DataFrame({"bank": ["none"] * 4 + ["primary_circle"] * 4, "repeat": [0, 0, 1, 1] * 2,
    ...                    "iteration": [10, 20] * 4,
    ...                    "test_accuracy": [0.5, 0.8, 0.6, 0.8, 0.7, 0.9, 0.7, 0.9]})
    >>> display = SpeedupDisplay(df, target_accuracy=0.75).plot()
    >>> [t.get_text() for t in display.ax_.get_legend().get_texts()]
    ['primary circle', 'Normal']
    """

    def __init__(self, table, *, speedup=None, target_accuracy=None):
        self.table = table
        self.speedup = speedup
        self.target_accuracy = target_accuracy

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw an :func:`~sktopo.experiments.appended_features_speedup` result.

        Parameters
        ----------
        result : SpeedupResult
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        display : SpeedupDisplay
        """
        table, parts = result_parts(result, ["speedup", "settings"])
        target = (parts["settings"] or {}).get("target_accuracy")
        return cls(table, speedup=parts["speedup"], target_accuracy=target).plot(ax)

    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        self : SpeedupDisplay

        Raises
        ------
        ValueError
            When the table lacks the columns ``bank``, ``repeat``, ``iteration``, ``test_accuracy``.
        """
        import matplotlib.pyplot as plt

        df = self.table
        check_table(df, _COLUMNS, "appended_features_speedup")
        ax = plt.subplots(figsize=(5, 3.5))[1] if ax is None else ax
        speedup = self.speedup or {}
        order = list(STYLE)
        for bank in sorted(df["bank"].unique(), key=lambda b: order.index(b) if b in order else len(order)):
            curve = df[df["bank"] == bank].groupby("iteration")["test_accuracy"].agg(["mean", "min", "max"])
            color = STYLE.get(bank, (bank, None))[1]
            style = "--" if bank in CONTROLS else "-"
            line = ax.plot(curve.index, curve["mean"], style, color=color, label=_label(bank, speedup))[0]
            ax.fill_between(
                curve.index, curve["min"], curve["max"], color=line.get_color(), alpha=0.2, linewidth=0
            )
        if self.target_accuracy is not None:
            ax.axhline(self.target_accuracy, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel("batch iterations")
        ax.set_ylabel("test accuracy")
        ax.legend(loc="lower right", fontsize="small")
        self.ax_, self.figure_ = ax, ax.figure
        return self


@validate_params(
    {"result": "no_validation", "ax": [HasMethods(["fill_between"]), None]},
    prefer_skip_nested_validation=True,
)
def plot_speedup(result, ax=None):
    """Test accuracy against batch iterations per bank: :class:`SpeedupDisplay`'s shortcut.

    Parameters
    ----------
    result : SpeedupResult or pandas.DataFrame
        An :func:`~sktopo.experiments.appended_features_speedup` result, or its table (then
        without speed-ups and target).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        When the table lacks the columns ``bank``, ``repeat``, ``iteration``, ``test_accuracy``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sktopo.plotting import plot_speedup
    >>> df = pd.DataFrame({"bank": ["none"] * 2 + ["klein_bottle"] * 2, "repeat": [0, 0] * 2,
    ...                    "iteration": [10, 20] * 2, "test_accuracy": [0.5, 0.8, 0.7, 0.9]})
    >>> [t.get_text() for t in plot_speedup(df).get_legend().get_texts()]
    ['Klein bottle', 'Normal']
    """
    return SpeedupDisplay.from_result(result, ax=ax).ax_
