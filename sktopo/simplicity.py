"""The paper's "topological simplicity": the top H1 lifetime of a layer's dense core, and when it means nothing.

Section VI of Brüel Gabrielsson & Carlsson measures how strongly a layer's spatial filters form
a circle by one number, the lifetime of the most persistent H1 bar of ρ(k, p) of the filters
pooled over many networks, and follows it over training (Fig. 12) and across data sets. This
module computes it (:func:`top_h1_lifetime`), says when a cloud is too small for the number to
mean anything (:func:`lifetime_reason`: then it is NaN with the reason, never a figure), and
what as many random filters reach through the same pipeline (:func:`h1_null_level`).
"""

import math
import warnings
from numbers import Integral, Real

import numpy as np

from ._validation import Interval, validate_params
from .density import dense_core, n_dense_rows
from .filters import extract_spatial_filters
from .homology import MIN_CORE_ROWS, exact_fits, persistence_diagrams, random_filter_test, top_lifetime

__all__ = ["EXACT_MAX", "h1_lifetime_and_reason", "h1_null_level", "lifetime_reason", "top_h1_lifetime"]

#: Dense cores up to this many rows get exact barcodes in :func:`top_h1_lifetime`.
EXACT_MAX = 1000

_K = [Interval(Integral, 1, None, closed="left")]
_P = [Interval(Real, 0, None, closed="neither")]
_LIFETIME = {
    "sources": "no_validation",
    "layer": [Interval(Integral, 1, None, closed="left")],
    "k": _K,
    "p": _P,
}


@validate_params(
    {"n_filters": [Interval(Integral, 0, None, closed="left")], "k": _K, "p": _P},
    prefer_skip_nested_validation=True,
)
def lifetime_reason(n_filters: int, k: int, p: float) -> str:
    """Why ρ(k, p) of ``n_filters`` filters has no top H1 lifetime worth a number; "" when it has one.

    Two clouds get none (their lifetime is NaN, with this reason):

    * ``k`` not below half the filters (with ``p < 1``): the ball reaching the ``k``-th
      neighbour then holds half the cloud or more, so its radius ranks filters by how central
      they are in the whole cloud, not by the density around them; the "densest" rows are a
      blob around the bulk of the cloud, without the shape's loop. The paper's ρ(100, 0.1)
      of 6,400 filters has k at 1.6% of them.
    * a dense core of fewer than :data:`~sktopo.homology.MIN_CORE_ROWS` rows: below it the
      significance rule has too little power on noisy circles for its answer to mean anything
      (the constant's comment), so a lifetime there, such as 0.21 from ρ(100, 0.1) of 3
      networks' 192 filters (19 rows), cannot be told from noise.

    The reason names what to change: more networks, a smaller ``k`` or a larger ``p``.

    Parameters
    ----------
    n_filters : int
        Filters in the cloud, before the density filtration.
    k : int
    p : float
        ρ(k, p); ``p`` of 1 (or more) keeps every filter and ignores ``k``.

    Returns
    -------
    reason : str
        Empty when the lifetime is measured.

    Examples
    --------
    >>> from sktopo.simplicity import lifetime_reason
    >>> lifetime_reason(6400, k=100, p=0.1)
    ''
    >>> lifetime_reason(192, k=100, p=0.1)[:60]
    'k=100 is not below half of the 192 filters: the distance to '
    """
    reasons = []
    if p < 1 and 2 * k >= n_filters:
        reasons.append(
            f"k={k} is not below half of the {n_filters} filters: the distance to the k-th neighbour then "
            "spans half the cloud and ranks filters by how central they are, not by local density; take "
            f"k below {math.ceil(n_filters / 2)} or pool more networks (more than {2 * k} filters)"
        )
    rows = n_dense_rows(n_filters, min(p, 1.0))
    if rows < MIN_CORE_ROWS:
        cloud = (
            f"rho({k}, {p:g}) of {n_filters} filters keeps {rows} rows" if p < 1 else f"{n_filters} filters"
        )
        change = f"pool more networks (at least {math.ceil(MIN_CORE_ROWS / min(p, 1.0))} filters)"
        if p < 1 and n_filters >= MIN_CORE_ROWS:
            change += f" or take p of at least {MIN_CORE_ROWS / n_filters:.2f}"
        reasons.append(
            f"{cloud}, fewer than MIN_CORE_ROWS={MIN_CORE_ROWS}, too few to tell a loop from noise; {change}"
        )
    return "; and ".join(reasons)


def _n_landmarks(n_rows: int):
    """Exact barcodes (None) up to ``EXACT_MAX`` rows where memory allows, else 400 landmarks."""
    return None if n_rows <= EXACT_MAX and exact_fits(n_rows) else 400


@validate_params(_LIFETIME, prefer_skip_nested_validation=True)
def h1_lifetime_and_reason(sources, layer: int = 1, k: int = 100, p: float = 0.1) -> tuple[float, str]:
    """:func:`top_h1_lifetime` without its warning: ``(lifetime, "")`` or ``(nan, reason)``.

    Parameters
    ----------
    sources : network, kernel array or list of them
        What :func:`~sktopo.filters.extract_spatial_filters` reads, pooled.
    layer : int, default=1
        1-based conv layer.
    k : int, default=100
    p : float, default=0.1
        ρ(k, p), the paper's ρ(100, 0.1) by default.

    Returns
    -------
    lifetime : float
        NaN where the cloud is too small for ρ(k, p).
    reason : str
        Why it is NaN (:func:`lifetime_reason`); "" where it is measured.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.simplicity import h1_lifetime_and_reason
    >>> kernels = make_circle_filters(400, noise=0.05, random_state=0).reshape(400, 1, 3, 3)
    >>> lifetime, reason = h1_lifetime_and_reason(kernels, k=10, p=0.5)
    >>> bool(lifetime > 1), reason
    (True, '')
    >>> h1_lifetime_and_reason(kernels[:40], k=10, p=0.5)[1][:40]
    'rho(10, 0.5) of 40 filters keeps 20 rows'
    """
    filters = extract_spatial_filters(sources, layer=layer)[0]
    reason = lifetime_reason(len(filters), k, p)
    if reason:
        return float("nan"), reason
    dense = dense_core(filters, k, p)
    diagrams = persistence_diagrams(dense, maxdim=1, n_landmarks=_n_landmarks(len(dense))).diagrams
    return top_lifetime(diagrams[1]), ""


@validate_params(_LIFETIME, prefer_skip_nested_validation=True)
def top_h1_lifetime(sources, layer: int = 1, k: int = 100, p: float = 0.1) -> float:
    """Lifetime of the most persistent H1 bar of ρ(k, p) of ``sources``' spatial filters.

    The paper's "topological simplicity" (Section VI): the layer's spatial filters, pooled over
    ``sources`` (networks, kernels or an ensemble), mean-centred and normalized, filtered to the
    densest fraction ``p`` by the distance to the ``k``-th neighbour, then the Rips barcode:
    exact up to ``EXACT_MAX`` (1,000) dense rows, which covers the paper's ρ(100, 0.1) of 6,400
    filters (640 rows), where memory allows (see :func:`~sktopo.homology.persistence_diagrams`);
    beyond, 400 certified landmarks.

    A cloud too small for its ρ(k, p) gets NaN and a ``UserWarning`` that says why and what to
    change (:func:`lifetime_reason`: ``k`` not below half the filters, or a dense core of fewer
    than :data:`~sktopo.homology.MIN_CORE_ROWS` rows), never a number.

    Parameters
    ----------
    sources : network, kernel array or list of them
        What :func:`~sktopo.filters.extract_spatial_filters` reads, pooled.
    layer : int, default=1
        1-based conv layer.
    k : int, default=100
    p : float, default=0.1
        ρ(k, p), the paper's ρ(100, 0.1) by default.

    Returns
    -------
    lifetime : float
        NaN for a cloud too small for ρ(k, p).

    Warns
    -----
    UserWarning
        When the lifetime is NaN: why, and what to change.

    See Also
    --------
    h1_lifetime_and_reason : the same, returning the reason instead of warning.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.simplicity import top_h1_lifetime
    >>> kernels = make_circle_filters(400, noise=0.05, random_state=0).reshape(400, 1, 3, 3)
    >>> bool(top_h1_lifetime(kernels, k=10, p=0.5) > 1)
    True
    """
    lifetime, reason = h1_lifetime_and_reason(sources, layer, k, p)
    if reason:
        warnings.warn(f"The top H1 lifetime is NaN: {reason}.", UserWarning, stacklevel=2)
    return lifetime


@validate_params(
    {
        "filters": ["array-like"],
        "k": _K,
        "p": _P,
        "n_draws": [Interval(Integral, 0, None, closed="left")],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def h1_null_level(filters, k: int, p: float, n_draws: int, random_state) -> dict:
    """What as many random filters reach: the null's median and 95% quantile, and the p-value.

    :func:`~sktopo.homology.random_filter_test` on the raw ``filters``, with :func:`top_h1_lifetime`'s
    ρ(k, p) and landmarks (exact barcodes for its dense cores up to ``EXACT_MAX`` rows), landmark
    births as they are for the data and the null alike, ``n_draws`` clouds of its default null
    (each draw's longer top lifetime of Gaussian and of uniform filters). ``random_state`` is an
    int, so that clouds of the same size share their null draws. NaN where the lifetime is, or
    when ``n_draws`` is 0.

    Parameters
    ----------
    filters : array-like of shape (n_filters, ...)
        Raw spatial filters (each flattened).
    k : int
    p : float
        ρ(k, p) of the lifetime.
    n_draws : int
        Random clouds; 0 gives NaN.
    random_state : int
        Seeds the clouds.

    Returns
    -------
    level : dict
        ``h1_null_median``, ``h1_null_q95``, ``h1_p_value`` (Monte Carlo, ``(1 + reaching) /
        (1 + n_draws)``).

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.simplicity import h1_null_level
    >>> level = h1_null_level(make_circle_filters(200, noise=0.05, random_state=0), 10, 0.5, 9, 1)
    >>> level["h1_p_value"], bool(level["h1_null_q95"] < 1)
    (0.1, True)
    """
    filters = np.asarray(filters, dtype=np.float64).reshape(len(filters), -1)
    nan = {"h1_null_median": np.nan, "h1_null_q95": np.nan, "h1_p_value": np.nan}
    if not n_draws or lifetime_reason(len(filters), k, p):
        return nan
    test = random_filter_test(
        filters,
        k=None if p >= 1 else k,
        p=None if p >= 1 else p,
        n_draws=n_draws,
        n_landmarks=_n_landmarks(n_dense_rows(len(filters), min(p, 1.0))),
        random_state=random_state,
    )
    median, q95 = np.quantile(test.null, [0.5, 0.95])
    return {"h1_null_median": float(median), "h1_null_q95": float(q95), "h1_p_value": test.p_value}
