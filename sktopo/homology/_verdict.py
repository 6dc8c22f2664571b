"""Verdict levels: found, borderline, not found, or too small to judge, with the reasons.

One function, :func:`circle_verdict`, turns the evidence about a dense core (a
:class:`Significance`, and optionally the Mapper loop consensus, the networks' accuracy and the
covariance null) into a level that every caller shows: the profile, every command, the report
and summary.json. Too small comes first: where the evidence cannot answer, "not found" would be
a claim, so the level says the run cannot tell, and why.
"""

from dataclasses import dataclass

import numpy as np

from .._validation import Integral, Interval, Real, validate_params
from ._null import at_most
from ._rule import Significance

__all__ = ["LEVELS", "MIN_CORE_ROWS", "Finding", "Verdict", "circle_verdict"]

#: The fewest dense-core rows whose barcode a verdict is drawn from: below it, the rule's power
#: on the noisy circles of ``benchmarks/bench_significance.py`` is too low for "not found" to
#: mean anything, so the level is ``"too_small"`` and lifetimes are NaN with a reason.
MIN_CORE_ROWS = 50

#: The levels, surest first.
LEVELS = ("found", "borderline", "not_found", "too_small")


@dataclass(frozen=True)
class Finding:
    """A judgement with its level, its reasons and its margin: what every verdict of sktopo is.

    The level is one of :data:`LEVELS`: ``"found"`` (what was looked for is there: a circle, or
    the effect the paper reports), ``"borderline"`` (there, but within what the run's noise
    allows), ``"not_found"``, or ``"too_small"`` (the run cannot tell, and the reasons say why).
    :class:`Verdict` (a dense core's circle) and the experiments' verdicts
    (:attr:`sktopo.experiments.ExperimentResult.verdict`) are findings.

    Attributes
    ----------
    level : {"found", "borderline", "not_found", "too_small"}
    reasons : tuple of str
        Why, in plain words.
    margin : float
        How far the measurement clears its criterion (positive when it does); NaN when
        undefined.

    Examples
    --------
    >>> from sktopo.homology import Finding
    >>> finding = Finding("borderline", ("Spearman 0.40, 95% interval [-0.10, 0.80]",), -0.1)
    >>> finding.level, finding.agrees
    ('borderline', False)
    """

    level: str
    reasons: tuple
    margin: float

    @property
    def agrees(self) -> bool:
        """Whether the level is ``"found"``."""
        return self.level == "found"


@dataclass(frozen=True)
class Verdict(Finding):
    """Did this dense core show one circle? A level, its reasons, and the margin (a :class:`Finding`).

    Attributes
    ----------
    level : {"found", "borderline", "not_found", "too_small"}
    reasons : tuple of str
        Why, in plain words, one per piece of evidence that decided or qualified the level.
    margin : float
        How far the longest H1 bar clears the rule's threshold (:meth:`Significance.margin`):
        positive when it is significant; NaN when too small.
    n_significant : int
        Significant H1 bars.

    Examples
    --------
    :func:`circle_verdict` returns one, from a :class:`Significance`:

    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import circle_verdict, significance
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(200, noise=0.1, random_state=0))
    >>> verdict = circle_verdict(significance(X, n_draws=19, n_subsamples=5, n_landmarks=100, random_state=0))
    >>> verdict.level, verdict.n_significant, bool(verdict.margin > 0.5)
    ('found', 1, True)
    >>> verdict.reasons  # doctest: +ELLIPSIS
    ("1 significant H1 bar(s) by the 'null' rule at alpha = 0.05; the longest clears the threshold by ...",)
    """

    n_significant: int


@validate_params(
    {
        "significance": [Significance],
        "loop_fraction": [Interval(Real, 0, 1, closed="both"), None],
        "accuracy": [Interval(Real, 0, 1, closed="both"), None],
        "chance": [Interval(Real, 0, 1, closed="neither"), None],
        "covariance_p_value": [Interval(Real, 0, 1, closed="right"), None],
        "min_rows": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def circle_verdict(
    significance,
    *,
    loop_fraction=None,
    accuracy=None,
    chance=None,
    covariance_p_value=None,
    min_rows=MIN_CORE_ROWS,
) -> Verdict:
    """The level of the evidence that a dense core shows one circle.

    * ``"too_small"`` when the evidence cannot answer: fewer than ``min_rows`` rows (the rule's
      power there is too low for a miss to mean anything); a band half-width at least the
      longest H1 bar (the barcode does not reproduce in half-samples); too few null draws to
      reach ``alpha``; or networks whose test ``accuracy`` is less than halfway from ``chance``
      to 1 (they have not learned yet).
    * ``"found"``: exactly one significant H1 bar and, when ``loop_fraction`` is given, Mapper
      shows exactly one loop at a strict majority of resolutions.
    * ``"borderline"``: one significant bar that Mapper does not confirm; or none, but the
      longest bar passes the null alone (beaten by the band's sampling noise) or has a
      p-value within twice ``alpha``.
    * ``"not_found"`` otherwise, more than one significant loop included (not *one* circle:
      see the shape named by :func:`identify_shape`).

    Parameters
    ----------
    significance : Significance
        From :func:`significance` (H1 is judged).
    loop_fraction : float, default=None
        Share of Mapper resolutions with exactly one loop (``LoopConsensus.fraction`` of
        :func:`sktopo.mapper.loop_consensus`); None leaves Mapper out.
    accuracy, chance : float, default=None
        Mean test accuracy of the networks, and the accuracy of guessing (0.1 for ten classes);
        both or neither.
    covariance_p_value : float, default=None
        The longest bar's p-value against Gaussian filters with the data's covariance
        (:func:`random_filter_test` with ``null="covariance"``): reported among the reasons,
        with what it means, when the rule finds a loop; it does not change the level.
    min_rows : int, default=MIN_CORE_ROWS

    Returns
    -------
    verdict : Verdict

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import circle_verdict, significance
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(200, noise=0.1, random_state=0))
    >>> result = significance(X, n_draws=19, n_subsamples=5, random_state=0)
    >>> circle_verdict(result).level, circle_verdict(result, accuracy=0.2, chance=0.1).level
    ('found', 'too_small')
    """
    if len(significance.diagrams) < 2:
        raise ValueError("significance must judge H1 (maxdim of at least 1); it holds H0 only.")
    if (accuracy is None) != (chance is None):
        raise ValueError(
            f"accuracy and chance are compared together: give both or neither; got accuracy={accuracy!r}, "
            f"chance={chance!r}."
        )
    small = _too_small(significance, accuracy, chance, min_rows)
    # what the covariance null says matters only of a loop the rule found
    found_loop = significance.n_significant[1] >= 1
    notes = _covariance_note(covariance_p_value, significance.alpha) if found_loop else []
    if small:
        return Verdict("too_small", tuple(small + notes), float("nan"), int(significance.n_significant[1]))
    level, reasons = _level(significance, loop_fraction)
    return Verdict(level, tuple(reasons + notes), significance.margin(1), int(significance.n_significant[1]))


def _too_small(result: Significance, accuracy, chance, min_rows) -> list[str]:
    reasons = []
    if result.n_samples < min_rows:
        reasons.append(
            f"the dense core has {result.n_samples} rows, fewer than {min_rows}: too small for the rule "
            "to find a circle reliably (train more networks, or raise p)"
        )
    lifetimes = result.lifetimes[1]
    top = float(lifetimes[0]) if len(lifetimes) else 0.0
    if result.band is not None and result.band.band[1] >= top:
        reasons.append(
            f"the band's half-width ({result.band.band[1]:.3f}) is at least the longest H1 bar ({top:.3f}): "
            "the barcode does not reproduce in half of the rows"
        )
    if result.method == "null" and np.isinf(result.thresholds[1]):  # too few draws to reach alpha
        reasons.append(
            f"{len(result.null)} null draws cannot give a p-value of {result.alpha:g} (the smallest is "
            f"{result.resolution:.3f}): draw more"
        )
    if accuracy is not None and accuracy < (1 + chance) / 2:
        reasons.append(
            f"the networks' test accuracy ({accuracy:.1%}) is near chance ({chance:.0%}): they have not "
            "learned yet (train longer)"
        )
    return reasons


def _level(result: Significance, loop_fraction) -> tuple[str, list[str]]:
    count, margin, alpha = int(result.n_significant[1]), result.margin(1), result.alpha
    rule = f"{count} significant H1 bar(s) by the {result.method!r} rule at alpha = {alpha:g}"
    unit = " decades of p-value" if result.method == "universal" else ""
    clears = f"the longest clears the threshold by {margin:.3f}{unit}" if np.isfinite(margin) else ""
    mapper = (
        None
        if loop_fraction is None
        else f"Mapper shows exactly one loop at {loop_fraction:.0%} of the resolutions tried"
    )
    if count > 1:
        return "not_found", [f"{rule}: more than one loop, not one circle (see the shape named)"]
    if count == 1:
        reasons = [f"{rule}; {clears}" if clears else rule]
        if loop_fraction is not None and loop_fraction <= 0.5:
            return "borderline", [*reasons, f"{mapper}: not a majority"]
        return "found", reasons + ([mapper] if mapper else [])
    near = _near_miss(result)
    reasons = [
        f"{rule}; the longest misses the threshold by {abs(margin):.3f}{unit}"
        if np.isfinite(margin)
        else rule
    ]
    if near:
        return "borderline", [*reasons, near]
    return "not_found", reasons + ([mapper] if mapper else [])


def _near_miss(result: Significance) -> str:
    """Why a bar that is not significant is nevertheless close, or an empty string."""
    if result.method != "null" or not len(result.p_values[1]):
        return ""
    p_value = float(result.p_values[1][0])
    if at_most(p_value, result.alpha):
        return (
            f"the longest bar beats the random filters (p = {p_value:.2f}) but not the band's sampling "
            f"noise (2q = {2 * result.band.band[1]:.3f})"
        )
    if at_most(p_value, 2 * result.alpha):
        return f"the longest bar's p-value against random filters ({p_value:.2f}) is within twice alpha"
    return ""


def _covariance_note(p_value, alpha) -> list[str]:
    if p_value is None:
        return []
    if at_most(p_value, alpha):
        return [
            f"Gaussian filters with the data's own covariance do not reach the longest bar either (p = "
            f"{p_value:.2f}): a loop beyond second-order structure"
        ]
    return [
        f"Gaussian filters with the data's own covariance reach the longest bar (p = {p_value:.2f}): the "
        "loop is what anisotropic, edge-rich filters give by their covariance alone"
    ]
