"""The paper's experiments: its Fig. 2 and Section VI ("topology as a tool"), each one call.

* :func:`primary_circle`: Fig. 2, the primary circle in the first-layer filters of many
  networks, judged with its verdict (a :class:`PrimaryCircle` result);
* :func:`cross_domain_generalization`: a first layer fixed to the primary circle, a Gaussian
  bank, or trained, evaluated on another digit data set (Section VI (i));
* :func:`persistence_vs_accuracy`: the top H1 lifetime of the first-layer filters against test
  accuracy over training (Fig. 12);
* :func:`appended_features_speedup`: idealized filters' responses appended to the pixels, and
  the training they save (Fig. 13);
* :func:`training_evolution`: Mapper graphs and barcodes of layers 1 and 2 across training
  (Figs. 5 and 9).

Each returns a result object (:class:`ExperimentResult`): ``.table``, a pandas DataFrame with one
row per measurement, seeds and settings as columns; ``.settings``, what ran; ``.paper``, the
paper's numbers; ``.verdict``, whether this run shows what the paper reports (a level, the
reasons and the margin); ``.plot()``, its figure as a Display of :mod:`sktopo.plotting`; and
what else it measured as attributes. ``scale="quick"`` runs in minutes on a CPU,
``scale="paper"`` at the paper's counts and iterations (meant for a GPU). Data sets are named
(:func:`sktopo.datasets.load_dataset`) or given as ``(X, y)`` arrays.
"""

from ._evolution import training_evolution
from ._generalization import cross_domain_generalization
from ._primary import PRIMARY_CIRCLE_PRESETS, PrimaryCircle, primary_circle
from ._result import (
    CrossDomainResult,
    EvolutionResult,
    ExperimentResult,
    SimplicityResult,
    SpeedupResult,
)
from ._simplicity import persistence_vs_accuracy
from ._speedup import appended_features_speedup, speedup_summary

__all__ = [
    "PRIMARY_CIRCLE_PRESETS",
    "CrossDomainResult",
    "EvolutionResult",
    "ExperimentResult",
    "PrimaryCircle",
    "SimplicityResult",
    "SpeedupResult",
    "appended_features_speedup",
    "cross_domain_generalization",
    "persistence_vs_accuracy",
    "primary_circle",
    "speedup_summary",
    "training_evolution",
]
