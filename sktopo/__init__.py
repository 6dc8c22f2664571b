"""sktopo: the topology of convolutional neural networks' spatial filters, the scikit-learn way.

The pipeline reads in data-flow order: :class:`SpatialFilterExtractor` (trained networks to
spatial filters), :class:`FilterNormalizer` (mean-centre, unit norm) and
:class:`DensityFilter` (the densest fraction, ρ(k, p)), then :class:`Mapper` (the paper's
topological models as graphs) and :class:`PersistenceScorer` (barcodes and the "topological
simplicity" score). :func:`topology_profile` runs the whole pipeline on every conv layer of a
network, one row per layer.
"""

from .density import DensityFilter
from .filters import SpatialFilterExtractor
from .homology import PersistenceScorer
from .mapper import Mapper
from .preprocessing import FilterNormalizer
from .profile import topology_profile
from .responses import AppendFilterResponses

__version__ = "0.1.0"

__all__ = [
    "AppendFilterResponses",
    "DensityFilter",
    "FilterNormalizer",
    "Mapper",
    "PersistenceScorer",
    "SpatialFilterExtractor",
    "__version__",
    "topology_profile",
]
