"""Betti numbers read off barcodes, and the naming of the shape a cloud samples."""

import numpy as np

from .._validation import validate_params
from ._persistence import _constraints, check_diagram, persistence_diagrams

__all__ = ["SHAPES_BY_BETTI", "betti_from_diagrams", "betti_numbers", "identify_shape"]


def _n_above_widest_gap(lifetimes: np.ndarray, min_ratio: float) -> int:
    """How many of the (descending) lifetimes lie above the largest ratio gap, if it is wide."""
    if len(lifetimes) < 2:
        return 0
    ratios = lifetimes[:-1] / np.maximum(lifetimes[1:], np.finfo(float).tiny)
    best = int(np.argmax(ratios))
    return best + 1 if ratios[best] >= min_ratio else 0


@validate_params({"diagrams": [list, tuple], **_constraints("min_ratio")}, prefer_skip_nested_validation=True)
def betti_from_diagrams(diagrams, min_ratio: float = 2.0) -> list[int]:
    """Betti numbers read off persistence diagrams by a gap rule.

    * **H0**: the bars that never die, plus the finite bars above the widest gap between
      consecutive lifetimes (sorted, longest first), when that gap is a ratio of at least
      ``min_ratio``: well separated clusters.
    * **H1 and up**: the bars that never die, plus the bars longer-lived than the *sampling
      scale*, the longest H0 lifetime left after the standing-out H0 bars: the scale at which
      each cluster of the sample is connected. A loop that lives for less than the sample takes
      to connect cannot be told from sampling noise.

    Parameters
    ----------
    diagrams : list of array-like of shape (n_bars, 2)
        One persistence diagram per dimension (see :func:`check_diagram`), from dimension 0.
    min_ratio : float, default=2.0
        At least 1: how many times longer a lifetime must be than the next to stand out.

    Returns
    -------
    betti : list of int

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import betti_from_diagrams
    >>> h0 = np.array([[0, 0.3], [0, 0.32], [0, 0.29], [0, np.inf]])
    >>> h1 = np.array([[0.2, 1.5], [0.3, 0.4], [0.2, 0.25]])
    >>> betti_from_diagrams([h0, h1])
    [1, 1]
    """
    if not len(diagrams):
        raise ValueError("diagrams must hold one diagram per dimension from 0; got none.")
    diagrams = [check_diagram(d, name=f"diagrams[{i}]") for i, d in enumerate(diagrams)]
    lifetimes = [np.sort(d[:, 1] - d[:, 0])[::-1] for d in diagrams]
    finite0 = lifetimes[0][np.isfinite(lifetimes[0])]
    clusters = _n_above_widest_gap(finite0, min_ratio)
    scale = finite0[clusters] if len(finite0) > clusters else 0.0
    betti = [int(np.isinf(lifetimes[0]).sum()) + clusters]
    return betti + [int(np.sum(lt > scale)) for lt in lifetimes[1:]]


@validate_params(
    _constraints("X", "coeff", "maxdim", "n_landmarks", "min_ratio", "metric"),
    prefer_skip_nested_validation=True,
)
def betti_numbers(
    X, coeff: int = 2, maxdim: int = 1, *, n_landmarks=400, min_ratio=2.0, metric="euclidean"
) -> list[int]:
    """Betti numbers of the shape a point cloud samples, over the field Z/``coeff``.

    Persistence by :func:`persistence_diagrams`, then the gap rule of
    :func:`betti_from_diagrams`. Over Z/2 the Klein bottle has H1 of rank 2 and over Z/3 of
    rank 1; the torus has rank 2 over both; a circle 1 over both.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    coeff : int, default=2
        A prime from 2 to 127 (ripser's limit).
    maxdim : int, default=1
    n_landmarks : int or None, default=400
    min_ratio : float, default=2.0
        At least 1 (see :func:`betti_from_diagrams`).
    metric : {"euclidean", "vne"}, default="euclidean"

    Returns
    -------
    betti : list of int
        Indexed by dimension.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import betti_numbers
    >>> from sktopo.preprocessing import normalize_filters
    >>> betti_numbers(normalize_filters(make_circle_filters(800, noise=0.05, random_state=0)), n_landmarks=150)
    [1, 1]
    """
    result = persistence_diagrams(X, maxdim, coeff, n_landmarks=n_landmarks, metric=metric)
    return betti_from_diagrams(result.diagrams, min_ratio)


#: The shape named by the first Betti numbers over (Z/2, Z/3) of a connected cloud.
SHAPES_BY_BETTI = {(1, 1): "circle", (2, 1): "klein bottle", (2, 2): "torus", (5, 5): "three circles"}


@validate_params(_constraints("X", "n_landmarks", "min_ratio", "metric"), prefer_skip_nested_validation=True)
def identify_shape(X, *, n_landmarks=400, min_ratio=2.0, metric="euclidean") -> str:
    """Name the shape a filter cloud samples, from its Betti numbers over Z/2 and Z/3.

    A connected cloud (b0 = 1) whose first Betti numbers over (Z/2, Z/3) are (1, 1) is a
    circle; (2, 1) the Klein bottle; (2, 2) the torus; (5, 5) the three-circle model of
    Carlsson et al. (2008), whose two secondary circles each meet the primary circle twice
    (4 meeting points and 8 arcs give 8 − 4 + 1 = 5 independent loops); see
    ``SHAPES_BY_BETTI``. Anything else is ``"none"``. H1 alone cannot tell the torus from two
    circles joined at a point; that would take H2.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_landmarks : int or None, default=400
    min_ratio : float, default=2.0
        At least 1 (see :func:`betti_from_diagrams`).
    metric : {"euclidean", "vne"}, default="euclidean"

    Returns
    -------
    shape : {"circle", "klein bottle", "torus", "three circles", "none"}

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import identify_shape
    >>> identify_shape(make_circle_filters(800, noise=0.05, random_state=0), n_landmarks=150)
    'circle'
    """
    z2, z3 = (
        betti_numbers(X, c, 1, n_landmarks=n_landmarks, min_ratio=min_ratio, metric=metric) for c in (2, 3)
    )
    if z2[0] != 1 or z3[0] != 1:
        return "none"
    return SHAPES_BY_BETTI.get((z2[1], z3[1]), "none")
