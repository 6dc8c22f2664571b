"""What an experiment returns: its table, what ran, the paper's numbers, a verdict and a figure.

Each experiment's result holds its measurements as a pandas table (``.table``), what ran
(``.settings``), the paper's numbers (``.paper``) and what else it measured as attributes; its
:attr:`~ExperimentResult.verdict` (a :class:`~sktopo.homology.Finding`) says, with the levels of
:func:`~sktopo.homology.circle_verdict`,
whether this run shows what the paper reports, and why; ``.plot()`` draws its figure as a
Display object of :mod:`sktopo.plotting`.
"""

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..homology import MIN_CORE_ROWS, Finding

__all__ = [
    "CrossDomainResult",
    "EvolutionResult",
    "ExperimentResult",
    "SimplicityResult",
    "SpeedupResult",
]


@dataclass(frozen=True, eq=False)
class ExperimentResult(ABC):
    """What one of the paper's experiments measured: the base of the experiments' results.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per measurement, seeds and settings as columns.
    settings : dict
        What ran (data, networks, iterations, device, seed, ``seconds``).
    paper : dict
        The paper's numbers for this experiment.

    Examples
    --------
    >>> from sktopo.experiments import ExperimentResult, SpeedupResult
    >>> issubclass(SpeedupResult, ExperimentResult), SpeedupResult.display
    (True, 'SpeedupDisplay')
    """

    table: object
    settings: dict
    paper: dict
    #: The name of the experiment's Display in :mod:`sktopo.plotting`.
    display: ClassVar[str]

    @property
    @abstractmethod
    def verdict(self):
        """Whether this run shows what the paper reports, and why (level, reasons, margin)."""

    def plot(self, **kwargs):
        """Draw the experiment's figure: its Display's ``from_result`` (keywords passed on).

        Parameters
        ----------
        **kwargs : dict
            The Display's ``from_result`` keywords: ``ax`` for the one-panel figures
            (:class:`~sktopo.plotting.SimplicityDisplay`,
            :class:`~sktopo.plotting.CrossDomainDisplay`,
            :class:`~sktopo.plotting.SpeedupDisplay`), ``axes`` for the grids
            (:class:`~sktopo.plotting.PrimaryCircleDisplay`,
            :class:`~sktopo.plotting.EvolutionDisplay`), and their drawing options.

        Returns
        -------
        display : Display object of :mod:`sktopo.plotting`
        """
        import sktopo.plotting as plotting

        return getattr(plotting, self.display).from_result(self, **kwargs)

    def __repr__(self) -> str:
        try:
            level = repr(self.verdict.level)
        except (KeyError, TypeError, ValueError):  # a hand-made result may lack what its verdict reads
            level = "undefined"
        return f"{type(self).__name__} ({len(self.table)} rows, verdict {level})\n{self.table!r}"

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


def _number(value, form=".2f") -> str:
    return "undefined" if value is None or not math.isfinite(value) else format(value, form)


@dataclass(frozen=True, eq=False, repr=False)
class SimplicityResult(ExperimentResult):
    """:func:`~sktopo.experiments.persistence_vs_accuracy`: Fig. 12, lifetime and accuracy together.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (group, checkpoint).
    settings : dict
    paper : dict
    correlation : dict
        ``spearman``, ``low``, ``high`` (its bootstrap interval over groups), ``confidence``.
    networks : pandas.DataFrame
        One row per network and checkpoint: ``group``, ``network``, ``seed``, ``iteration``,
        ``test_accuracy``.
    pooled : pandas.DataFrame
        One row per checkpoint, every network's filters pooled (the paper's cloud).

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.experiments import SimplicityResult
    >>> correlation = {"spearman": 0.7, "low": 0.3, "high": 0.9, "confidence": 0.95}
    >>> result = SimplicityResult(pd.DataFrame(), {}, {}, correlation, pd.DataFrame(), pd.DataFrame())
    >>> result.verdict.level, result.verdict.margin
    ('found', 0.3)
    """

    correlation: dict
    networks: object
    pooled: object
    display: ClassVar[str] = "SimplicityDisplay"

    @property
    def verdict(self) -> Finding:
        """ "found" when the interval of the Spearman correlation is above 0 (Fig. 12's rise).

        "borderline" when the correlation is positive but its interval reaches 0 (or is
        undefined); "too_small" when the correlation is undefined (too few rows with a lifetime,
        or a constant curve).
        """
        c = self.correlation
        rho, low = c["spearman"], c["low"]
        reasons = (
            f"Spearman correlation of the top H1 lifetime with test accuracy across training: "
            f"{_number(rho)}, {c['confidence']:.0%} interval [{_number(low)}, {_number(c['high'])}]",
            "the paper reports that the lifetime rises with accuracy (Fig. 12)",
        )
        if rho is None or not math.isfinite(rho):
            reason = "the correlation is undefined: too few rows with a lifetime, or a constant curve"
            return Finding("too_small", (*reasons, reason), math.nan)
        low = math.nan if low is None else low
        if low > 0:
            return Finding("found", reasons, low)
        level = "borderline" if rho > 0 else "not_found"
        why = "the interval is undefined" if math.isnan(low) else "the interval is not above 0"
        return Finding(level, (*reasons, why), low)


@dataclass(frozen=True, eq=False, repr=False)
class CrossDomainResult(ExperimentResult):
    """:func:`~sktopo.experiments.cross_domain_generalization`: Section VI (i).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (first layer, repeat).
    settings : dict
    paper : dict

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.experiments import CrossDomainResult
    >>> table = pd.DataFrame({"first_layer": ["primary_circle", "trained"] * 2,
    ...                       "target_accuracy": [0.3, 0.1, 0.32, 0.12]})
    >>> paper = {"primary_circle": 0.28, "gaussian": 0.12, "trained": 0.11}
    >>> result = CrossDomainResult(table, {"source": "mnist", "target": "svhn"}, paper)
    >>> result.verdict.level, round(result.verdict.margin, 2)
    ('found', 0.2)
    """

    display: ClassVar[str] = "CrossDomainDisplay"

    @property
    def verdict(self) -> Finding:
        """ "found" when the fixed primary circle's mean target accuracy beats every other first layer.

        By more than the largest standard deviation of an arm's repeats; "borderline" when it
        leads by less, or with one repeat (no spread to judge by); "too_small" when the primary
        circle, or every other first layer, was not run, or an accuracy is NaN.
        """
        accuracy = self.table.groupby("first_layer", sort=False)["target_accuracy"].agg(["mean", "std"])
        arms = ", ".join(f"{arm.replace('_', ' ')} {row['mean']:.1%}" for arm, row in accuracy.iterrows())
        paper = ", ".join(
            f"{arm.replace('_', ' ')} {self.paper[arm]:.0%}"
            for arm in ("primary_circle", "gaussian", "trained")
        )
        reasons = (
            f"accuracy on {self.settings['target']} after training on {self.settings['source']}: {arms}",
            f"the paper, MNIST to SVHN: {paper}",
        )
        others = accuracy.drop("primary_circle", errors="ignore")
        if "primary_circle" not in accuracy.index or not len(others):
            reason = "the primary circle and another first layer must both run"
            return Finding("too_small", (*reasons, reason), math.nan)
        margin = float(accuracy.loc["primary_circle", "mean"] - others["mean"].max())
        if not math.isfinite(margin):
            return Finding("too_small", (*reasons, "an accuracy is undefined (NaN)"), math.nan)
        spread = float(accuracy["std"].max())
        if math.isfinite(spread):
            reasons += (f"the repeats spread by up to {spread:.1%} (standard deviation)",)
        better = "beats" if margin > 0 else "does not beat"
        reasons += (f"the fixed primary circle {better} the other first layers here, by {margin:+.1%}",)
        if margin <= 0:
            return Finding("not_found", reasons, margin)
        if not math.isfinite(spread) or margin <= spread:
            within = "within the spread" if math.isfinite(spread) else "from one repeat, without a spread"
            return Finding("borderline", (*reasons, f"the lead is {within}"), margin)
        return Finding("found", reasons, margin)


@dataclass(frozen=True, eq=False, repr=False)
class SpeedupResult(ExperimentResult):
    """:func:`~sktopo.experiments.appended_features_speedup`: Fig. 13, the training saved.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (bank, repeat, iteration).
    settings : dict
        ``target_accuracy`` included.
    paper : dict
    speedup : dict
        Per bank, :func:`~sktopo.experiments.speedup_summary`: ``iterations``, ``n_reached``,
        ``speedup`` and its ``mean``, ``std``, ``min``, ``max``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.experiments import SpeedupResult
    >>> paper = {"speedup_mnist": 2.0, "speedup_svhn": 3.5, "order": ["primary_circle", "none"]}
    >>> speedup = {"none": {"mean": 1.0}, "primary_circle": {"mean": 2.4}, "gaussian": {"mean": 1.3}}
    >>> result = SpeedupResult(pd.DataFrame(), {}, paper, speedup)
    >>> result.verdict.level, round(result.verdict.margin, 1)
    ('found', 1.1)
    """

    speedup: dict
    display: ClassVar[str] = "SpeedupDisplay"

    @property
    def verdict(self) -> Finding:
        """ "found" when the primary circle's mean speed-up is above 1 and the highest of the banks.

        "too_small" when its speed-up is undefined (a repeat never reached the target accuracy);
        "borderline" when its mean iterations to the target are within one scoring interval
        (``settings["eval_every"]``) of another bank's, raw images included: a tie the scoring
        cannot break.
        """
        banks = {bank: s for bank, s in self.speedup.items() if bank != "none"}
        text = ", ".join(f"{b.replace('_', ' ')} {_number(s.get('mean'), '.1f')}×" for b, s in banks.items())
        order = ", then ".join(bank.replace("_", " ") for bank in self.paper["order"] if bank != "none")
        reasons = (
            f"mean speed-up in batch iterations to the target accuracy over the raw-image networks: {text}",
            f"the paper: {self.paper['speedup_mnist']:g}× on MNIST, {self.paper['speedup_svhn']:g}× on SVHN, "
            f"fastest first: {order}",
        )
        circle = banks.pop("primary_circle", {}).get("mean")
        if circle is None or not math.isfinite(circle):
            reason = (
                "the primary circle's speed-up is undefined: some network never reached the target accuracy"
            )
            return Finding("too_small", (*reasons, reason), math.nan)
        # the raw images are 1x by definition: the circle must beat them and every other bank
        others = [s.get("mean") for s in banks.values()]
        margin = circle - max([1.0, *(m for m in others if m is not None and math.isfinite(m))])
        fastest = margin > 0
        reasons += (
            f"the primary circle is {'' if fastest else 'not '}the fastest here, raw images included",
        )
        tie = self._tie(self.speedup)
        if tie:
            return Finding("borderline", (*reasons, tie), margin)
        return Finding("found" if fastest else "not_found", reasons, margin)

    def _tie(self, speedup) -> str | None:
        """Why the primary circle's lead (or lag) is a tie: within one scoring interval; else None.

        Iterations to the target are read every ``eval_every`` iterations, so mean iterations
        closer than that to the nearest other bank's (raw images included) cannot tell them apart.
        """
        step = self.settings.get("eval_every")
        means = {bank: float(np.mean(s["iterations"])) for bank, s in speedup.items() if s.get("iterations")}
        circle = means.pop("primary_circle", None)
        finite = {bank: m for bank, m in means.items() if math.isfinite(m)}
        if not step or circle is None or not math.isfinite(circle) or not finite:
            return None
        nearest = min(finite, key=lambda bank: abs(finite[bank] - circle))
        if abs(finite[nearest] - circle) >= step:
            return None
        return (
            f"the primary circle reaches the target within one scoring interval ({step} iterations) of "
            f"{'raw images' if nearest == 'none' else nearest.replace('_', ' ')}: ties within the scoring interval are inconclusive"
        )


@dataclass(frozen=True, eq=False, repr=False)
class EvolutionResult(ExperimentResult):
    """:func:`~sktopo.experiments.training_evolution`: Figs. 5 and 9, the layers across training.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (layer, iteration).
    settings : dict
    paper : dict
    mappers : dict
        The fitted :class:`~sktopo.Mapper` of each ``(layer, iteration)``.
    diagrams : dict
        The persistence diagrams of each ``(layer, iteration)``.
    seeds : list of int
        The networks' seeds.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.experiments import EvolutionResult
    >>> from sktopo.experiments._evolution import PAPER
    >>> table = pd.DataFrame({"layer": [1, 1], "iteration": [100, 400], "n_dense": [640, 640],
    ...                       "mapper_n_loops": [3, 1]})
    >>> result = EvolutionResult(table, {}, PAPER, {}, {}, [0])
    >>> result.verdict.level, result.verdict.reasons[0]
    ('found', 'one Mapper loop appears in layer 1 at iterations [400]')
    """

    mappers: dict
    diagrams: dict
    seeds: list
    display: ClassVar[str] = "EvolutionDisplay"

    @property
    def verdict(self) -> Finding:
        """ "found" when a layer's Mapper graph shows one loop at some iteration (Figs. 5 and 9).

        Only cells whose dense core has at least :data:`~sktopo.homology.MIN_CORE_ROWS` rows
        are read (a graph of fewer points loops by chance); "too_small" when no cell has as many.
        """
        judged = self.table[self.table["n_dense"] >= MIN_CORE_ROWS]
        loops = judged[judged["mapper_n_loops"] == 1].groupby("layer")["iteration"].apply(list)
        seen = (
            "; ".join(f"in layer {layer} at iterations {its}" for layer, its in loops.items())
            or "at no iteration"
        )
        fig5, fig9 = self.paper["fig5"], self.paper["fig9"]
        reasons = (
            f"one Mapper loop appears {seen}",
            f"the paper, Fig. 5: in the first layer at {fig5['layer1_circle_appears']:,} batch iterations, "
            f"broken at {fig5['layer1_circle_breaks']:,}, in the second at {fig5['layer2_circle_appears']:,}; "
            f"Fig. 9: the first layer at {fig9['layer1_circle_appears']:,}, the second at "
            f"{fig9['layer2_circle_appears']:,}",
        )
        if not len(judged):
            reason = (
                f"every dense core has fewer than MIN_CORE_ROWS={MIN_CORE_ROWS} rows: too few to read a loop"
            )
            return Finding("too_small", (*reasons, reason), math.nan)
        return Finding("found" if len(loops) else "not_found", reasons, math.nan)
