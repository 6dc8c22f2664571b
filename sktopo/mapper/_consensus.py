"""A loop criterion for Mapper that does not flip between neighbouring resolutions."""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_array

from .._validation import Integral, Interval, Real, validate_params
from ._graph import n_loops
from ._mapper import Mapper

__all__ = ["LoopConsensus", "default_resolutions", "loop_consensus"]


@dataclass(frozen=True)
class LoopConsensus:
    """Loops of the Mapper graph over a range of resolutions, and the majority verdict.

    Attributes
    ----------
    resolutions : ndarray of shape (n_resolutions,)
        The resolutions, increasing.
    n_loops : ndarray of shape (n_resolutions,)
        :func:`n_loops` of ``Mapper(resolution, gain).fit(X).graph_`` at each resolution.
    n_with_one_loop : int
        How many resolutions give exactly one loop.
    fraction : float
        ``n_with_one_loop / n_resolutions``.
    one_loop : bool
        True if a strict majority of the resolutions give exactly one loop.
    loops : int
        The most common loop count (the smaller one on a tie).

    Examples
    --------
    :func:`loop_consensus` returns one:

    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.mapper import loop_consensus
    >>> from sktopo.preprocessing import normalize_filters
    >>> circle = normalize_filters(make_circle_filters(200, noise=0.05, random_state=0))
    >>> consensus = loop_consensus(circle, resolutions=[6, 8, 10])
    >>> consensus.resolutions.tolist(), consensus.n_loops.tolist()
    ([6, 8, 10], [1, 1, 1])
    >>> consensus.n_with_one_loop, consensus.fraction, consensus.one_loop, consensus.loops
    (3, 1.0, True, 1)
    """

    resolutions: np.ndarray
    n_loops: np.ndarray
    n_with_one_loop: int
    fraction: float
    one_loop: bool
    loops: int


@validate_params(
    {"n_samples": [Interval(Integral, 1, None, closed="left")]}, prefer_skip_nested_validation=True
)
def default_resolutions(n_samples: int) -> np.ndarray:
    """The resolutions :func:`loop_consensus` uses when none are given.

    ``round(c / 4), ..., round(3 c / 4)`` with ``c = sqrt(n_samples / 2)``, at least 2, and
    one more at the top where the count would be even: 3 to 9 for 300 rows, 8 to 24 for the
    paper's 1,920; beyond 9 resolutions, 9 spread evenly over that range (the time grows with
    their number). ``c`` is about where a Gaussian cloud's graph first shows spurious loops
    (near resolution 12 for 300 rows, 19 for 900); below it a loop of the data is seen whole.
    Measured on dense cores (ρ(n/32, 0.3)) of noisy circles, noise 0.1 to 0.4, 8 seeds each
    (docs/choices.md): a strict majority with one loop in 75-100% of 300-row cores and 100% of
    1,000-row cores, against 75-88% and 88-100% for a range centred on ``c``, and none of the
    Gaussian cores at 120, 300 or 1,000 rows under either.

    Parameters
    ----------
    n_samples : int
        Rows of the data, at least 1.

    Returns
    -------
    resolutions : ndarray of shape (n_resolutions,)
        Increasing, an odd count of at most 9.

    Examples
    --------
    >>> from sktopo.mapper import default_resolutions
    >>> default_resolutions(300)
    array([3, 4, 5, 6, 7, 8, 9])
    """
    centre = np.sqrt(n_samples / 2)
    low = max(2, round(centre / 4))
    high = max(low, round(3 * centre / 4))
    high += (high - low) % 2  # an odd count: a strict majority is never a tie
    return np.round(np.linspace(low, high, min(high - low + 1, 9))).astype(np.int64)


def _check_resolutions(resolutions) -> np.ndarray:
    """Distinct integers >= 1, increasing; the message names what is wrong."""
    values = np.asarray(resolutions)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"resolutions must be a non-empty 1-D list of integers; got {resolutions!r}.")
    if values.dtype.kind not in "iu":  # floats, booleans, strings, objects
        raise TypeError(f"resolutions must hold integers (not floats or booleans); got {resolutions!r}.")
    if values.min() < 1:
        raise ValueError(f"resolutions must all be >= 1; got {values.tolist()}.")
    if len(np.unique(values)) != len(values):
        raise ValueError(f"resolutions must be distinct (each counts once); got {values.tolist()}.")
    return np.sort(values).astype(np.int64)


@validate_params(
    {
        "X": ["array-like"],
        "resolutions": ["array-like", None],
        "gain": [Interval(Real, 1, None, closed="neither")],
    },
    prefer_skip_nested_validation=False,  # the Mappers validate mapper_params
)
def loop_consensus(X, resolutions=None, *, gain: float = 3, **mapper_params) -> LoopConsensus:
    """Whether the Mapper graph of ``X`` has exactly one loop, by a majority of resolutions.

    "Exactly one loop at ``Mapper(12, 3)``" flips between neighbouring resolutions: on the
    300-row dense cores of noisy circles and of Gaussian clouds it changes from ``r`` to
    ``r + 1`` (8 <= r <= 16) in 19 to 31 % of the clouds. This fits
    ``Mapper(resolution=r, gain=gain)`` for every ``r`` in ``resolutions``, counts each graph's
    loops with :func:`n_loops`, and says "one loop" when a strict majority of the resolutions
    give exactly one. Shifting a range by one either way changes that verdict in 0 to 5 % of the
    same clouds (``docs/choices.md``).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        E.g. density-filtered, normalized spatial filters. The rows are put in lexicographic
        order first, so the result does not depend on their order.
    resolutions : array-like of int, default=None
        Distinct resolutions, each at least 1; an odd number avoids ties. None means
        :func:`default_resolutions` of ``n_samples``: 3 to 9 for 300 rows.
    gain : float, default=3
        Gain of every cover, > 1.
    **mapper_params
        Other :class:`Mapper` parameters (``lens``, ``metric``, ``clusterer``, ``n_jobs``), the
        same at every resolution. ``resolution`` and ``cover`` are refused: the resolutions are
        the point.

    Returns
    -------
    consensus : LoopConsensus

    See Also
    --------
    n_loops : the loops of one graph.
    Mapper : one graph at one resolution.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters, make_gaussian_filters
    >>> from sktopo.mapper import loop_consensus
    >>> from sktopo.preprocessing import normalize_filters
    >>> circle = normalize_filters(make_circle_filters(200, noise=0.05, random_state=0))
    >>> result = loop_consensus(circle, resolutions=[6, 7, 8, 9, 10])
    >>> result.n_loops.tolist(), result.one_loop, result.loops
    ([1, 1, 1, 1, 1], True, 1)
    >>> cloud = normalize_filters(make_gaussian_filters(200, random_state=0))
    >>> loop_consensus(cloud, resolutions=[6, 7, 8, 9, 10]).one_loop
    False
    """
    refused = sorted({"resolution", "cover"} & mapper_params.keys())
    if refused:
        raise TypeError(
            f"loop_consensus sets the Mapper's resolution from resolutions; got {', '.join(refused)}="
            f"{', '.join(repr(mapper_params[name]) for name in refused)}. Pass resolutions=[...] instead."
        )
    X = check_array(X, dtype=np.float64, input_name="X")
    X = X[np.lexsort(X.T[::-1])]
    resolutions = default_resolutions(len(X)) if resolutions is None else _check_resolutions(resolutions)
    loops = np.array(
        [n_loops(Mapper(resolution=int(r), gain=gain, **mapper_params).fit(X).graph_) for r in resolutions]
    )
    n_one = int(np.sum(loops == 1))
    return LoopConsensus(
        resolutions=resolutions,
        n_loops=loops,
        n_with_one_loop=n_one,
        fraction=n_one / len(loops),
        one_loop=2 * n_one > len(loops),
        loops=int(np.bincount(loops).argmax()),
    )
