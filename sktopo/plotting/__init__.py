"""Pictures of sktopo results; matplotlib is imported only when a picture is drawn."""

from ._barcodes import plot_barcodes
from ._html import save_mapper_html
from ._mapper import node_positions, plot_mapper_graph
from ._profile import plot_topology_profile

__all__ = [
    "node_positions",
    "plot_barcodes",
    "plot_mapper_graph",
    "plot_topology_profile",
    "save_mapper_html",
]
