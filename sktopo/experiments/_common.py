"""What the Section VI experiments share: the device, the scale presets and the circle's strength."""

import numpy as np

from ..density import densest_rows, knn_density
from ..filters import extract_spatial_filters
from ..homology import persistence_diagrams, top_lifetime
from ..preprocessing import normalize_filters

__all__ = ["SCALES", "check_scale", "resolve_device", "spearman_interval", "top_h1_lifetime"]

SCALES = ("quick", "paper")


def check_scale(scale) -> str:
    """``scale`` if it is "quick" or "paper", else a ValueError naming both."""
    if scale not in SCALES:
        raise ValueError(
            f"scale must be 'quick' (minutes on a laptop's CPU) or 'paper' (the paper's network counts "
            f"and iterations, meant for a GPU); got {scale!r}."
        )
    return scale


def resolve_device(device) -> str:
    """``device``, or CUDA when available and ``device`` is None, else the CPU."""
    if device is None:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    if not isinstance(device, str):
        raise TypeError(f"device must be None, 'cpu', 'cuda' or 'cuda:N'; got {type(device).__name__}.")
    return device


def top_h1_lifetime(sources, layer: int = 1, k: int = 100, p: float = 0.1) -> float:
    """Lifetime of the most persistent H1 bar of ρ(k, p) of ``sources``' spatial filters.

    The paper's "topological simplicity" (Section VI): the layer's spatial filters, pooled over
    ``sources`` (networks, kernels or an ensemble), mean-centred and normalized, filtered to the
    densest fraction ``p`` by the distance to the ``k``-th neighbour, then the Rips barcode
    (exact where the cloud is small, certified landmarks otherwise). ``k`` is capped at the
    number of filters minus one, so small quick runs still get a value.

    Parameters
    ----------
    sources : network, kernel array or list of them
    layer : int, default=1
    k : int, default=100
    p : float, default=0.1

    Returns
    -------
    lifetime : float
    """
    filters = normalize_filters(extract_spatial_filters(sources, layer=layer)[0])
    k = min(k, len(filters) - 1)
    dense = filters[densest_rows(filters, knn_density(filters, k=k), p)]
    if len(dense) < 3:
        return 0.0
    return top_lifetime(persistence_diagrams(dense, maxdim=1).diagrams[1])


def spearman_interval(x, y, groups, *, n_bootstrap: int = 1000, confidence: float = 0.95, random_state=0):
    """Spearman's rank correlation of ``x`` and ``y`` and a bootstrap interval over ``groups``.

    The groups (networks) are resampled with replacement, each with all its rows (checkpoints),
    so the interval reflects the spread between networks, not between rows of one network.

    Returns
    -------
    rho, low, high : float
    """
    from scipy.stats import spearmanr

    x, y, groups = np.asarray(x, float), np.asarray(y, float), np.asarray(groups)
    rho = float(spearmanr(x, y).statistic)
    labels = np.unique(groups)
    rows = [np.flatnonzero(groups == g) for g in labels]
    rng = np.random.default_rng(random_state)
    draws = []
    for _ in range(n_bootstrap):
        pick = np.concatenate([rows[i] for i in rng.integers(0, len(labels), len(labels))])
        value = spearmanr(x[pick], y[pick]).statistic
        if np.isfinite(value):
            draws.append(value)
    tail = (1 - confidence) / 2
    low, high = np.quantile(draws, [tail, 1 - tail]) if draws else (np.nan, np.nan)
    return rho, float(low), float(high)
