"""Mapper graphs: lens, cover, clustering per cover set, and the nerve of the clusters."""

from ._cluster import GapSingleLinkage, gap_single_linkage, gap_threshold
from ._consensus import LoopConsensus, default_resolutions, loop_consensus
from ._cover import Cover, check_resolution
from ._graph import graph_summary, n_loops
from ._mapper import Mapper, check_mapper_fitted

__all__ = [
    "Cover",
    "GapSingleLinkage",
    "LoopConsensus",
    "Mapper",
    "check_mapper_fitted",
    "check_resolution",
    "default_resolutions",
    "gap_single_linkage",
    "gap_threshold",
    "graph_summary",
    "loop_consensus",
    "n_loops",
]
