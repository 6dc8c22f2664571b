"""Persistent homology of filter clouds: barcodes with a certified error, the paper's
"topological simplicity", and Betti numbers over Z/2 and Z/3.

Three private modules behind this public face: ``_persistence`` (certified landmark barcodes),
``_betti`` (Betti numbers and model naming) and ``_scoring`` (the scikit-learn estimator and
scorer).
"""

from ._betti import MODELS, betti_from_diagrams, betti_numbers, identify_model
from ._persistence import Persistence, greedy_landmarks, persistence_diagrams, refine_births, top_lifetime
from ._scoring import PersistenceScorer, topological_simplicity_scorer

__all__ = [
    "MODELS",
    "Persistence",
    "PersistenceScorer",
    "betti_from_diagrams",
    "betti_numbers",
    "greedy_landmarks",
    "identify_model",
    "persistence_diagrams",
    "refine_births",
    "top_lifetime",
    "topological_simplicity_scorer",
]
