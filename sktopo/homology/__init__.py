"""Persistent homology of filter clouds: barcodes with a certified error, the paper's
"topological simplicity", which bars are significant, and Betti numbers over Z/2 and Z/3.

Private modules behind this public face: ``_persistence`` (certified landmark barcodes),
``_bottleneck`` (the bottleneck distance), ``_significance`` (confidence bands by subsampling),
``_null`` (the random-filter test), ``_betti`` (Betti numbers and shape naming) and
``_scoring`` (the scikit-learn estimator and scorer).
"""

from ._betti import SHAPES_BY_BETTI, ShapeVerdict, betti_from_diagrams, betti_numbers, identify_shape
from ._bottleneck import bottleneck_distance
from ._null import (
    DEFAULT_NULL,
    DRAW_BYTES,
    NULLS,
    NullComparison,
    covariance_null,
    null_threshold,
    null_top_lifetimes,
    random_filter_test,
)
from ._persistence import (
    PERSISTENCE_CONSTRAINTS,
    Persistence,
    check_diagram,
    exact_fits,
    finite_lifetimes,
    greedy_landmarks,
    persistence_diagrams,
    refine_births,
    top_lifetime,
)
from ._rule import METHODS, Significance, significance, universal_p_values
from ._scoring import PersistenceScorer, topological_simplicity_scorer
from ._significance import SIGNIFICANCE_CONSTRAINTS, ConfidenceBand, check_band, confidence_band
from ._verdict import LEVELS, MIN_CORE_ROWS, Finding, Verdict, circle_verdict

__all__ = [
    "DEFAULT_NULL",
    "DRAW_BYTES",
    "LEVELS",
    "METHODS",
    "MIN_CORE_ROWS",
    "NULLS",
    "PERSISTENCE_CONSTRAINTS",
    "SHAPES_BY_BETTI",
    "SIGNIFICANCE_CONSTRAINTS",
    "ConfidenceBand",
    "Finding",
    "NullComparison",
    "Persistence",
    "PersistenceScorer",
    "ShapeVerdict",
    "Significance",
    "Verdict",
    "betti_from_diagrams",
    "betti_numbers",
    "bottleneck_distance",
    "check_band",
    "check_diagram",
    "circle_verdict",
    "confidence_band",
    "covariance_null",
    "exact_fits",
    "finite_lifetimes",
    "greedy_landmarks",
    "identify_shape",
    "null_threshold",
    "null_top_lifetimes",
    "persistence_diagrams",
    "random_filter_test",
    "refine_births",
    "significance",
    "top_lifetime",
    "topological_simplicity_scorer",
    "universal_p_values",
]
