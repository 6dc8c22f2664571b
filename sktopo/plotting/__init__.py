"""Pictures of sktopo results; matplotlib is imported only when a picture is drawn."""

from ._accuracy import AccuracyDisplay, plot_accuracies
from ._barcodes import BarcodeDisplay, plot_barcodes
from ._dense_core import DenseCoreDisplay, plot_dense_core
from ._evolution import EvolutionDisplay, plot_training_evolution
from ._generalization import CrossDomainDisplay, plot_cross_domain
from ._html import save_mapper_html
from ._mapper import MapperGraphDisplay, node_positions, plot_mapper_graph
from ._null import NullDisplay, plot_null
from ._primary import PrimaryCircleDisplay
from ._profile import ProfileDisplay, plot_topology_profile
from ._report import Report
from ._simplicity import SimplicityDisplay, plot_persistence_vs_accuracy
from ._speedup import SpeedupDisplay, plot_speedup

__all__ = [
    "AccuracyDisplay",
    "BarcodeDisplay",
    "CrossDomainDisplay",
    "DenseCoreDisplay",
    "EvolutionDisplay",
    "MapperGraphDisplay",
    "NullDisplay",
    "PrimaryCircleDisplay",
    "ProfileDisplay",
    "Report",
    "SimplicityDisplay",
    "SpeedupDisplay",
    "node_positions",
    "plot_accuracies",
    "plot_barcodes",
    "plot_cross_domain",
    "plot_dense_core",
    "plot_mapper_graph",
    "plot_null",
    "plot_persistence_vs_accuracy",
    "plot_speedup",
    "plot_topology_profile",
    "plot_training_evolution",
    "save_mapper_html",
]
