"""sktopo: the topology of convolutional neural networks' spatial filters, the scikit-learn way.

The pipeline reads in data-flow order: :class:`SpatialFilterExtractor` (trained networks to
spatial filters), :class:`FilterNormalizer` (mean-centre, unit norm) and
:class:`DensityFilter` (the densest fraction, ρ(k, p)).
"""

from .density import DensityFilter
from .filters import SpatialFilterExtractor
from .preprocessing import FilterNormalizer

__version__ = "0.1.0"

__all__ = ["DensityFilter", "FilterNormalizer", "SpatialFilterExtractor", "__version__"]
