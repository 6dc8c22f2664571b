"""Vietoris-Rips barcodes of filter clouds on greedy landmarks, with a certified error.

Exact Vietoris-Rips persistence of the paper's cloud sizes is out of reach on a laptop
(ripser.py needs about 200 s for 1,920 nine-dimensional points). ``persistence_diagrams``
therefore computes the exact Rips persistence of a greedy (farthest-point) landmark subset and
returns, with it, a certified bound on its bottleneck distance to the exact diagrams of the whole
cloud: if every point lies within ``r`` of a landmark, mapping each point to its nearest
landmark distorts distances by at most ``2 r``, which interleaves the two Rips filtrations
additively by ``2 r``, so the bottleneck distance is at most ``2 r`` (Chazal, de Silva and Oudot,
"Persistence stability for geometric complexes", Geometriae Dedicata 2014, Theorem 5.2, with
the Gromov-Hausdorff distance of a subset bounded by its Hausdorff distance ``r``). With all
points as landmarks the bound is 0 and the answer is exact.

The interleaving is lopsided: ``Rips_a(L) ⊆ Rips_a(X)`` with no shift at all, and
``Rips_a(X) → Rips_{a+2r}(L)`` by the nearest-landmark map. Re-indexing the landmark
filtration by ``r`` makes it symmetric, an ``r``-interleaving, so the landmark diagrams moved
down by ``r`` (births clipped at 0, where every exact birth lies) are within ``r`` of the exact
ones: ``centre=True`` returns those, with the bound halved.

The same lopsidedness locates each long bar's exact birth: within ``2 r`` *below* its landmark
birth. ``persistence_diagrams`` therefore also computes, by default, the exact Rips persistence of
*all* rows up to just above the landmark birth ``b`` of the longest bar, a small scale where few
pairs of rows are linked, and there replaces the late landmark births by exact ones where the
correspondence is forced (:func:`refine_births`). The deaths of large loops being nearly exact,
this makes the top lifetime accurate (400 landmarks of the 1,920-point reference circle: 4.5%
low without, 0.08% high with, for 0.1 s more) while the certified bound still holds. It is skipped
where it cannot be certain (no bar long enough, as in structureless clouds, or several long bars
born together, as in a Klein bottle) and where it is costly: its cost grows with the number of
pairs of rows closer than ``b`` (above ``PAIR_BUDGET``: 400-landmark circles of 10,000 filters
and more; ``benchmarks/bench_accuracy.py`` measured the rule). ``Persistence.refined`` says
whether it was used.

ripser.py's memory grows about as the cube of the number of landmarks ``m`` in H1. Measured peak
memory beyond the imports (MiB; maxdim=1 over Z/2, greedy landmarks of 20,480 normalized circle
filters; noise 0 and 0.1 gave what 0.05 gave):

=============  ====  =====  =====  =====  ======  =====
m               500  1,000  1,500  2,000   3,000  4,000
noise 0.05       87    601  2,266  4,450  17,111
noise 0.3               241    347    610   1,243  3,336
=============  ====  =====  =====  =====  ======  =====

H0 alone took 63-65 bytes per ``m²``, and the pairs of rows closer than a scale (``exact_below``)
184-247 bytes a pair (1 and 4 million pairs of those 20,480 rows). ``persistence_diagrams``
estimates it, before ripser runs, as 250 bytes a pair plus, from H1 on, 2 bytes a pair per
mean neighbour (``m (m - 1)² ≈ m³`` bytes for ``m`` landmarks, all linked: at least 1.5 times every
measurement), and refuses with a ValueError what would pass half the memory available (Linux's
``MemAvailable``). The other half is left to the rest of the machine, to the jobs that run in
parallel (``n_jobs``) and each see the same memory, and to the spread of the estimate.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
from ripser import ripser
from scipy import sparse, special
from scipy.spatial import cKDTree
from sklearn.utils.validation import check_array

from .._validation import (
    Integral,
    Interval,
    Real,
    StrOptions,
    available_memory,
    check_squares_finite,
    validate_params,
)
from ..metrics import METRIC, column_scale

__all__ = [
    "PERSISTENCE_CONSTRAINTS",
    "Persistence",
    "check_diagram",
    "exact_fits",
    "finite_lifetimes",
    "greedy_landmarks",
    "persistence_diagrams",
    "refine_births",
    "top_lifetime",
]


class _Primes(Interval):
    """The primes ``2 <= p <= 127``: the fields Z/p that ripser computes over correctly.

    ripser.py packs each coefficient into 8 signed bits beside its simplex index, so a prime
    above 127 overflows them: measured, ``coeff=131`` already aborts the interpreter
    (``std::bad_alloc``) on a 300-point torus, where 127 gives the Z/2 barcode as it should.
    """

    def __init__(self):
        super().__init__(Integral, 2, 127, closed="both")

    def is_satisfied_by(self, val):
        return super().is_satisfied_by(val) and all(val % d for d in range(2, math.isqrt(val) + 1))

    def __str__(self):
        return "a prime number from 2 to 127 (ripser's limit), such as 2 or 3"


#: The constraints on the homology parameters: one table for the functions, the estimator and
#: the callers that pass these parameters on (``validate_params`` entries, by parameter name).
PERSISTENCE_CONSTRAINTS = {
    "X": ["array-like"],
    "maxdim": [Interval(Integral, 0, None, closed="left")],
    "dim": [Interval(Integral, 0, None, closed="left")],
    "coeff": [_Primes()],
    "n_landmarks": [Interval(Integral, 1, None, closed="left"), None],
    "max_error": [Interval(Real, 0, None, closed="neither"), None],
    "centre": ["boolean"],
    "exact_below": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
    "metric": METRIC,
    "min_ratio": [Interval(Real, 1, None, closed="left")],
}


#: Most pairs of rows closer than the refinement scales, all tries together, that
#: ``exact_below="auto"`` accepts. Measured (``benchmarks/bench_accuracy.py``, ripser.py, 2 cores):
#: the exact Rips persistence below the scale takes 2-5 microseconds and about 200 bytes a pair at
#: half a million pairs, 4-7 microseconds at two to three million. The budget keeps the refinement
#: to a few seconds and a few hundred MB: 400-landmark circles of 5,000 filters are refined (0.4
#: to 0.6 million pairs, 1-4 s more than the 1 s the landmarks take), circles of 10,000 filters
#: (2 to 2.6 million pairs: 9-18 s and 0.5 GB) and more are not.
PAIR_BUDGET = 1_500_000

# Rows whose distances to all rows estimate how many pairs are closer than the refinement scale.
_PAIR_SAMPLE = 256

#: Bytes that ripser.py takes, at most, per pair of rows it links; from H1 on, it also takes
#: ``_NEIGHBOUR_BYTES`` per pair and mean neighbour of a row (module docstring).
_PAIR_BYTES = 250
_NEIGHBOUR_BYTES = 2


def _constraints(*names: str) -> dict:
    """The rows of the constraints table for the parameters ``names``."""
    return {name: PERSISTENCE_CONSTRAINTS[name] for name in names}


@dataclass(frozen=True)
class Persistence:
    """Persistence diagrams with their certified error.

    Attributes
    ----------
    diagrams : list of ndarray of shape (n_bars, 2)
        ``(birth, death)`` per bar, one array per dimension 0 ... maxdim (ripser's
        convention: an edge enters at its length; death ``inf`` for bars that never die).
    bound : float
        Certified upper bound on the bottleneck distance to the exact Rips diagrams of the
        whole cloud in every dimension; 0 when exact.
    landmarks : ndarray of shape (n_landmarks,)
        Row indices of the landmarks, in the order the greedy choice took them.
    refined : bool, default=False
        Whether the birth of the longest finite bar in the highest dimension was made exact
        against the exact diagrams of all rows below a scale (see ``exact_below`` in
        :func:`persistence_diagrams`): then its lifetime is accurate, not just within the bound.
        False when skipped or not certain, and when the diagrams are exact (``bound`` 0).

    Examples
    --------
    :func:`persistence_diagrams` returns one:

    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import persistence_diagrams, top_lifetime
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(200, noise=0.1, random_state=0))
    >>> result = persistence_diagrams(X, n_landmarks=100)
    >>> len(result.diagrams), len(result.landmarks), result.bound > 0, result.refined
    (2, 100, True, True)
    >>> round(top_lifetime(result.diagrams[1]), 2)
    1.36
    """

    diagrams: list
    bound: float
    landmarks: np.ndarray
    refined: bool = False


@validate_params(
    {
        "X": ["array-like"],
        "n_landmarks": [Interval(Integral, 1, None, closed="left")],
        "stop_radius": [Interval(Real, 0, None, closed="left")],
        "first": [Interval(Integral, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def greedy_landmarks(
    X, n_landmarks: int, stop_radius: float = 0.0, *, first=None
) -> tuple[np.ndarray, np.ndarray]:
    """Farthest-point landmarks and the covering radius after each one.

    The first landmark is ``first`` or, by default, the row farthest from the centroid (ties:
    the lexicographically smallest row), so the choice does not depend on the order of the
    rows except through exact ties; each next one is the row farthest from those chosen
    (ties: lowest index).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Finite values.
    n_landmarks : int
        At least 1; at most ``n_samples`` are taken (fewer when rows repeat).
    stop_radius : float, default=0.0
        Stop early once every row lies within this distance of a landmark.
    first : int, default=None
        Row index (below ``n_samples``) of the first landmark; None for the row farthest from
        the centroid.

    Returns
    -------
    landmarks : ndarray of shape (n_landmarks,)
    radii : ndarray of shape (n_landmarks,)
        ``radii[i]``: the largest distance from a row to the first ``i + 1`` landmarks.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import greedy_landmarks
    >>> greedy_landmarks(np.array([[0.0], [1.0], [10.0], [4.0]]), 3)
    (array([2, 0, 3]), array([10.,  4.,  1.]))
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    check_squares_finite(X)
    if first is not None and first >= len(X):
        raise ValueError(f"first must be a row index of X, below n_samples={len(X)}; got {first!r}.")
    if first is None:
        far = np.linalg.norm(X - X.mean(axis=0), axis=1)
        candidates = np.flatnonzero(far == far.max())
        first = candidates[np.lexsort(X[candidates].T[::-1])[0]]
    landmarks = [int(first)]
    distance = np.linalg.norm(X - X[first], axis=1)
    radii = [distance.max()]
    while len(landmarks) < n_landmarks and radii[-1] > stop_radius:
        landmarks.append(int(np.argmax(distance)))
        np.minimum(distance, np.linalg.norm(X - X[landmarks[-1]], axis=1), out=distance)
        radii.append(distance.max())
    return np.array(landmarks), np.array(radii)


@validate_params(
    _constraints("X", "maxdim", "coeff", "n_landmarks", "max_error", "centre", "exact_below", "metric"),
    prefer_skip_nested_validation=True,
)
def persistence_diagrams(
    X,
    maxdim: int = 1,
    coeff: int = 2,
    *,
    n_landmarks=400,
    max_error=None,
    centre=False,
    exact_below="auto",
    metric="euclidean",
) -> Persistence:
    """Vietoris-Rips persistence diagrams of ``X``, with a certified bottleneck error.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        E.g. normalized, density-filtered spatial filters.
    maxdim : int, default=1
        Highest homology dimension.
    coeff : int, default=2
        Prime field of coefficients, from 2 to 127 (ripser's limit): 2 and 3 tell the Klein
        bottle from the torus.
    n_landmarks : int or None, default=400
        How many greedy landmarks to compute on; None (or at least ``n_samples``) for the exact
        diagrams of every row. 400 landmarks take about a second in nine dimensions.
    max_error : float, default=None
        If given, take the fewest landmarks (at most ``n_landmarks``, or all rows when
        ``n_landmarks`` is None) whose certified bound (``2 r``, or ``r`` with ``centre``) is
        at most ``max_error``.
    centre : bool, default=False
        Move the landmark diagrams down by the covering radius ``r``, which halves the
        certified bound to ``r`` (see the module docstring). The bars sit lower: deaths of
        large loops, nearly exact without it, come out early by about ``r``. Lifetimes do not
        change unless ``exact_below`` makes births exact: then those of large loops come out
        short by about ``r`` (7.8% on the reference circle of the module docstring, against
        0.08% long without ``centre``).
    exact_below : float, "auto" or None, default="auto"
        Also compute the exact diagrams of *all* rows up to this scale, and use them to make the
        births of long landmark bars exact where the correspondence is forced (see
        :func:`refine_births`). Landmark births are late by up to the bound while the deaths
        of large loops are nearly exact, so this makes the top lifetime (the paper's score)
        accurate; the certified bound is unchanged. The cost grows with the number of pairs of
        rows closer than the scale. A float is used as given, unless their memory could not fit
        (see Raises); None never refines. ``"auto"`` aims at the longest bar ``(b, d)`` of the
        highest dimension: it tries just above ``b`` (the latest its exact birth can be;
        ``b + bound`` with ``centre``), then a quarter and a half of ``bound`` higher (a half and
        a whole with ``centre``) while short bars still alive there make the bar's partner
        ambiguous, and stops once its birth is exact. It is not used, or stops early:

        - when the bar is too short for its partner to be certain (lifetime at most ``bound``,
          ``2 * bound`` with ``centre``), as in structureless clouds;
        - when another bar longer than that is born within ``bound`` of it (``2 * bound`` with
          ``centre``), so that a matching might swap their partners: Klein bottles, tori, three
          circles;
        - when the pairs of rows closer than the scales tried, all together and estimated from
          the distances of 256 rows to all, would pass ``PAIR_BUDGET`` (1.5 million: a few
          seconds; 400-landmark circles of 10,000 filters and more in nine dimensions).

        ``refined`` in the result says whether the longest bar was refined.
    metric : {"euclidean", "vne"}, default="euclidean"

    Returns
    -------
    persistence : Persistence
        ``diagrams``, ``bound`` (see the module docstring for the guarantee), ``landmarks``
        and ``refined``.

    Raises
    ------
    ValueError
        Before ripser runs, if its memory, estimated from the landmarks needed (or, for a float
        ``exact_below``, from the pairs of rows closer than it), could pass half the memory
        available: the message names the setting to change, with the numbers. The estimate
        grows about as the cube of the number of landmarks (1.1 GB for 1,000, 8.5 GB for 2,000;
        a lower estimate for ``maxdim`` 2 and more): 400 landmarks (84 MB) are refused only
        below 170 MB available, ``n_landmarks=None`` or a small ``max_error`` on clouds of a
        few thousand rows and more can be.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import persistence_diagrams, top_lifetime
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(1000, noise=0.05, random_state=0))
    >>> result = persistence_diagrams(X, n_landmarks=200)
    >>> round(top_lifetime(result.diagrams[1]), 2), result.refined, len(result.landmarks), result.bound > 0
    (1.59, True, 200, True)

    Landmark births alone come late: the exact top lifetime (ripser.py, 20 s) is 1.59.

    >>> round(top_lifetime(persistence_diagrams(X, n_landmarks=200, exact_below=None).diagrams[1]), 2)
    1.5
    >>> persistence_diagrams(X[:50], n_landmarks=None).bound
    0.0
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    X = X * column_scale(X, metric) if len(X) > 1 else X
    check_squares_finite(X, dtype=np.float32, squared=False, where="ripser")
    m = len(X) if n_landmarks is None else min(n_landmarks, len(X))
    _check_simplex_index(m, maxdim)
    if exact_below is not None and m < len(X):  # the refinement may give ripser every row
        _check_simplex_index(len(X), maxdim, "rows of X (exact_below refines on them)")
    factor = 1.0 if centre else 2.0
    landmarks, radii = _landmarks(X, m, factor, maxdim, n_landmarks, max_error)
    bound = factor * float(radii[-1])  # 0 when every row is a landmark
    if bound > 0 and exact_below not in ("auto", None):
        _check_pairs(X, exact_below, maxdim)
    diagrams = _rips(X[landmarks], maxdim, coeff)
    if centre and bound > 0:
        diagrams = [np.maximum(d - bound, 0.0) for d in diagrams]
    refined = False
    if exact_below is not None and bound > 0:
        lag = 0.0 if centre else bound / 2  # landmark bars lag the exact ones (module docstring)
        diagrams, refined = _exact_births(X, diagrams, bound - lag, lag, coeff, exact_below)
    return Persistence(diagrams=diagrams, bound=bound, landmarks=landmarks, refined=refined)


def _landmarks(X, m: int, factor: float, maxdim: int, n_landmarks, max_error) -> tuple:
    """:func:`greedy_landmarks`, or a ValueError before ripser runs when it could not afford them.

    With ``max_error``, the search stops one past the most landmarks affordable: more would be
    refused anyway, and the search would take long on a large cloud.
    """
    available = available_memory()
    needed = _landmark_memory(np.arange(m + 1), maxdim)
    most = int(np.searchsorted(needed, available / 2, side="right")) - 1
    fix = (
        f"Set n_landmarks to at most {most:,} (400 take about a second)" if most > 1 else "Free memory first"
    ) + (f", or a maxdim below {maxdim}" if maxdim >= 2 else "")
    if most < m and max_error is None:  # all m are needed
        raise ValueError(
            f"n_landmarks={n_landmarks} takes {m:,} landmarks: {_too_much(needed[m], available)} {fix}."
        )
    landmarks, radii = greedy_landmarks(X, min(m, most + 1), 0.0 if max_error is None else max_error / factor)
    if len(landmarks) > most:
        raise ValueError(
            f"n_landmarks={n_landmarks} with max_error={max_error} needs more than {most:,} landmarks "
            f"(with {most + 1:,} the bound is still {factor * radii[-1]:.3g}): "
            f"{_too_much(needed[most + 1], available, 'more than')} {fix}, or a larger max_error."
        )
    return landmarks, radii


def _check_pairs(X: np.ndarray, tau: float, maxdim: int) -> None:
    """Refuse ``exact_below=tau`` before ripser runs when the pairs closer than it could not fit."""
    available = available_memory()
    pairs = _pairs_closer(X, tau)
    needed = _memory(pairs, len(X), maxdim)
    if needed > available / 2:
        raise ValueError(
            f"exact_below={tau} links about {pairs:,.0f} pairs of the {len(X):,} rows: "
            f"{_too_much(needed, available, on='below it')} Set a smaller exact_below, "
            '"auto" (which keeps within PAIR_BUDGET), or None.'
        )


def exact_fits(n_rows: int, maxdim: int = 1) -> bool:
    """Whether exact diagrams of ``n_rows`` rows fit in the memory :func:`persistence_diagrams` allows.

    For callers that choose between exact and landmark barcodes themselves: exact diagrams make
    every row a landmark, and are refused past half of the available memory.

    Parameters
    ----------
    n_rows : int
    maxdim : int, default=1

    Returns
    -------
    fits : bool

    Examples
    --------
    >>> from sktopo.homology import exact_fits
    >>> exact_fits(500)
    True
    """
    return bool(_landmark_memory(n_rows, maxdim) <= available_memory() / 2)


def _landmark_memory(m, maxdim: int):
    """:func:`_memory` of ``m`` landmarks, every pair of them linked (``m`` may be an array).

    Past H1, ripser reduces a column per simplex of each dimension up to ``maxdim``: at least
    16 bytes for each of the ``C(m, d + 1)`` of the largest dimension ``d`` (``C`` peaks at
    ``m / 2``), which soon outgrows the pairs' memory.
    """
    memory = _memory(m * (m - 1) / 2, m, maxdim)
    if maxdim >= 2:
        memory = np.maximum(memory, 16.0 * special.comb(m, np.minimum(maxdim + 1, np.asarray(m) // 2)))
    return memory


#: ripser.py numbers simplices in 64 bits, 8 of them for the coefficient: the largest index.
_MAX_SIMPLEX_INDEX = 2**55 - 1


def _check_simplex_index(n: int, maxdim: int, what: str = "landmarks") -> None:
    """Refuse ``maxdim`` on ``n`` points when ripser.py could not number their simplices.

    ripser.py checks the binomial ``C(n, min(n // 2, maxdim + 2))`` against its largest index and
    aborts the whole process (an uncaught C++ ``overflow_error``) when it is larger.
    """

    def index(d):
        return math.comb(n, min(n // 2, d + 2))

    if index(maxdim) <= _MAX_SIMPLEX_INDEX:
        return
    most = 0
    while index(most + 1) <= _MAX_SIMPLEX_INDEX:
        most += 1
    fix = (
        f"with {n:,} {what} maxdim must be at most {most}" if index(0) <= _MAX_SIMPLEX_INDEX else "use fewer"
    )
    raise ValueError(
        f"maxdim={maxdim} on {n:,} {what}: ripser numbers the simplices up to dimension maxdim + 1 "
        f"below 2**55, and C({n:,}, {min(n // 2, maxdim + 2)}) is more; {fix}."
    )


def _memory(pairs, rows, maxdim: int):
    """Upper estimate, in bytes, of ripser.py's memory on ``pairs`` pairs of ``rows`` rows."""
    neighbours = 2 * pairs / np.maximum(rows, 1)  # mean number of neighbours of a row
    return pairs * (_PAIR_BYTES + (_NEIGHBOUR_BYTES * neighbours if maxdim else 0))


def _too_much(needed: float, available: float, qualifier: str = "up to", on: str = "on them") -> str:
    """The refusal's reason: ``needed`` bytes, more than half of the ``available`` ones."""
    return (
        f"ripser may need {qualifier} {needed / 1e9:,.1f} GB {on}, more than half of the "
        f"{available / 1e9:,.1f} GB available."
    )


def _rips(X: np.ndarray, maxdim: int, coeff: int) -> list:
    with warnings.catch_warnings():  # few rows in many dimensions: still a cloud, not its transpose
        warnings.filterwarnings("ignore", "The input (point cloud has more columns|matrix is square)")
        return ripser(X, maxdim=maxdim, coeff=coeff)["dgms"]


def _rips_below(X: np.ndarray, maxdim: int, coeff: int, tau: float) -> list:
    """Exact Rips diagrams of every row up to ``tau``, from the pairs closer than it only.

    ripser.py given the points would build all ``n (n - 1) / 2`` distances (and index grids
    twice that size): about 27 n² bytes, 11 GB for 20,000 rows.
    """
    # a hair more than tau: ripser.py keeps the pairs whose float32 distance is at most tau's
    i, j = cKDTree(X).query_pairs(tau * (1 + 1e-6), output_type="ndarray").T
    distances = np.empty(len(i))
    for start in range(0, len(i), 65536):  # in blocks: X[i] whole would take 72 bytes a pair
        block = slice(start, start + 65536)
        distances[block] = np.linalg.norm(X[i[block]] - X[j[block]], axis=1)
    graph = sparse.coo_matrix((distances, (i, j)), shape=(len(X), len(X)))
    return ripser(graph, maxdim=maxdim, coeff=coeff, distance_matrix=True, thresh=tau)["dgms"]


def _exact_births(X, diagrams: list, bound: float, lag: float, coeff: int, exact_below) -> tuple:
    """``diagrams`` refined below ``exact_below``, and whether the longest top-dimension bar was.

    ``"auto"`` tries the scales of :func:`_auto_scales` in turn, until that bar is refined.
    """
    top = _longest(diagrams[-1])
    scales = [exact_below] if exact_below != "auto" else _auto_scales(X, diagrams, bound, lag)
    for tau in scales:
        below = _rips_below(X, len(diagrams) - 1, coeff, tau)
        refined, matched = zip(*(_refine(d, b, tau, bound, lag) for d, b in zip(diagrams, below)))
        diagrams = list(refined)  # every refinement keeps the bound, whether it reached the top or not
        if top < len(matched[-1]) and matched[-1][top]:
            return diagrams, True
    return diagrams, False


def _longest(diagram: np.ndarray) -> int:
    """Index of the longest finite bar (the first one when there is none)."""
    lifetimes = diagram[:, 1] - diagram[:, 0]
    return int(np.argmax(np.where(np.isfinite(lifetimes), lifetimes, -1.0))) if len(diagram) else 0


def _auto_scales(X, diagrams: list, bound: float, lag: float):
    """Scales at which refining the longest bar in the highest dimension is certain and affordable.

    Just above its latest possible exact birth ``b - lag + bound``, then half a ``bound`` and a
    whole one above it (fewer short bars are still alive there to make its partner ambiguous,
    but more pairs of rows are linked), while the bar stays long enough for
    :func:`refine_births` and while the pairs of rows estimated closer than the scales tried,
    all together, are at most ``PAIR_BUDGET``. None at all when another bar longer than
    ``2 * bound`` is born within ``2 * bound`` of it: measured on Klein bottles, tori and three
    circles, its refinement was then never certain.
    """
    diagram = diagrams[-1]
    if len(diagrams) == 1 or not np.isfinite(diagram[:, 1]).any():  # H0 births are 0: exact already
        return
    top = _longest(diagram)
    long = diagram[:, 1] - diagram[:, 0] > 2 * bound
    if np.count_nonzero(long & (np.abs(diagram[:, 0] - diagram[top, 0]) <= 2 * bound)) > 1:
        return  # another long bar born as close: its partner may stay a candidate at every scale
    b, d = diagram[top] - lag
    pairs = 0.0
    for step in (0.0, 0.5, 1.0):
        tau = (b + bound * (1 + step)) * 1.02 + 1e-12
        if d - b <= 2 * bound or d <= tau + bound:  # refine_births could not match it for certain
            return
        pairs += _pairs_closer(X, tau)
        if pairs > PAIR_BUDGET:
            return
        yield tau


def _pairs_closer(X: np.ndarray, tau: float) -> float:
    """Estimated number of pairs of rows at most ``tau`` apart (exact up to 256 rows).

    The sampled rows are spread along a fixed random direction: the estimate does not depend on
    the order of the rows.
    """
    order = np.argsort(X @ np.random.default_rng(0).standard_normal(X.shape[1]), kind="stable")
    rows = order[np.linspace(0, len(X) - 1, min(len(X), _PAIR_SAMPLE)).astype(int)]
    counts = cKDTree(X).query_ball_point(X[rows], tau, return_length=True)
    return len(X) * (counts.mean() - 1) / 2


@validate_params(
    {
        "approx": ["array-like"],
        "below": ["array-like"],
        "tau": [Interval(Real, 0, None, closed="left")],
        "bound": [Interval(Real, 0, None, closed="left")],
        "lag": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def refine_births(approx, below, tau: float, bound: float, *, lag: float = 0.0) -> np.ndarray:
    """Replace approximate births by exact ones where the bottleneck matching is forced.

    ``approx`` moved down by ``lag`` is within ``bound`` (bottleneck) of the exact diagram D;
    ``below`` is D computed exactly up to scale ``tau`` (bars alive at ``tau`` have death
    ``inf``). Take an approximate bar ``(b, d)``, and ``(b', d') = (b - lag, d - lag)``, with
    lifetime over ``2 * bound`` (so a matching within ``bound`` cannot send it to the
    diagonal), ``d' > tau + bound`` and ``b' + bound < tau``: its partner in D is alive at
    ``tau`` and born within ``bound`` of ``b'``, so it is one of the bars of ``below`` alive at
    ``tau``. When exactly one such bar qualifies, and it qualifies for no other approximate
    bar, it *is* the partner, and its birth is exact: the refined bar is as close to its
    partner as before, so ``approx`` and the result are both within ``bound + lag`` of D.

    Landmark diagrams lag by the covering radius ``r`` and are within ``r`` of D once moved
    down by it (see the module docstring): ``lag=r, bound=r`` locates each exact birth within
    ``2 r`` below the landmark one, twice as sharply as ``lag=0, bound=2 r``.

    Parameters
    ----------
    approx : array-like of shape (n_bars, 2)
        A persistence diagram (see :func:`check_diagram`).
    below : array-like of shape (n_bars_below, 2)
        A persistence diagram, exact up to ``tau``.
    tau : float
        At least 0.
    bound : float
        At least 0.
    lag : float, default=0.0
        At least 0.

    Returns
    -------
    refined : ndarray of shape (n_bars, 2)
        ``approx`` with exact births where forced; deaths unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import refine_births
    >>> refine_births(np.array([[0.3, 2.0], [0.1, 0.2]]), np.array([[0.25, np.inf]]), 0.6, 0.2)
    array([[0.25, 2.  ],
           [0.1 , 0.2 ]])
    >>> refine_births(np.array([[0.3, 2.0]]), np.array([[0.15, np.inf]]), 0.31, 0.1, lag=0.1)
    array([[0.15, 2.  ]])
    """
    approx, below = check_diagram(approx, name="approx"), check_diagram(below, name="below")
    return _refine(approx, below, tau, bound, lag)[0]


def _refine(approx: np.ndarray, below: np.ndarray, tau: float, bound: float, lag: float) -> tuple:
    """:func:`refine_births`, and which bars it refined."""
    refined, matched = approx.copy(), np.zeros(len(approx), dtype=bool)
    births = below[np.isinf(below[:, 1]), 0]
    b, d = approx[:, 0] - lag, approx[:, 1] - lag
    eligible = (d - b > 2 * bound) & (d > tau + bound) & (b + bound < tau)
    near = eligible[:, None] & (np.abs(b[:, None] - births[None, :]) <= bound)
    for j in np.flatnonzero(near.sum(axis=1) == 1):
        i = int(np.flatnonzero(near[j])[0])
        if near[:, i].sum() == 1:
            refined[j, 0], matched[j] = births[i], True
    return refined, matched


@validate_params({"diagram": ["array-like"]}, prefer_skip_nested_validation=True)
def finite_lifetimes(diagram) -> np.ndarray:
    """Lifetimes (death − birth) of the bars that die, largest first.

    Parameters
    ----------
    diagram : array-like of shape (n_bars, 2)
        A persistence diagram (see :func:`check_diagram`).

    Returns
    -------
    lifetimes : ndarray of shape (n_finite_bars,)

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import finite_lifetimes
    >>> finite_lifetimes(np.array([[0.2, 0.3], [0.25, 1.5], [0.0, np.inf]]))
    array([1.25, 0.1 ])
    """
    diagram = check_diagram(diagram)
    lifetimes = diagram[:, 1] - diagram[:, 0]
    return np.sort(lifetimes[np.isfinite(lifetimes)])[::-1]


@validate_params({"diagram": ["array-like"]}, prefer_skip_nested_validation=True)
def top_lifetime(diagram) -> float:
    """Lifetime (death − birth) of the most persistent finite bar; 0 for none.

    Applied to the H1 diagram of first-layer filters this is the paper's "topological
    simplicity" (Section VI). Bars that never die are left out, so for H0 it is the longest
    finite bar.

    Parameters
    ----------
    diagram : array-like of shape (n_bars, 2)
        A persistence diagram (see :func:`check_diagram`).

    Returns
    -------
    lifetime : float

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import top_lifetime
    >>> top_lifetime(np.array([[0.25, 1.5], [0.2, 0.3], [0.0, np.inf]]))
    1.25
    """
    finite = finite_lifetimes(diagram)
    return float(finite[0]) if len(finite) else 0.0


def check_diagram(diagram, *, name: str = "diagram") -> np.ndarray:
    """Validate a persistence diagram: one ``(birth, death)`` row per bar.

    Births are finite; deaths are at least the birth, ``inf`` for a bar that never dies.

    Parameters
    ----------
    diagram : array-like of shape (n_bars, 2)
    name : str, default="diagram"
        How error messages call the diagram (a parameter's name).

    Returns
    -------
    diagram : ndarray of shape (n_bars, 2)
        As float64.

    Raises
    ------
    TypeError
        If ``diagram`` is not an array of numbers.
    ValueError
        If it has not exactly two columns, or a birth is NaN or infinite, or a death is NaN or
        earlier than its birth.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.homology import check_diagram
    >>> check_diagram([[0.0, np.inf], [0.5, 1.0]])
    array([[0. , inf],
           [0.5, 1. ]])
    """
    try:
        diagram = np.asarray(diagram, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers of shape (n_bars, 2).") from None
    if diagram.size == 0:  # no bars
        return diagram.reshape(0, 2)
    if diagram.ndim != 2 or diagram.shape[1] != 2:
        raise ValueError(
            f"{name} must have shape (n_bars, 2), a (birth, death) row per bar; got {diagram.shape}."
        )
    births, deaths = diagram.T
    if not np.isfinite(births).all():
        raise ValueError(f"{name} must have finite births; got NaN or infinite ones.")
    if not (deaths >= births).all():
        raise ValueError(
            f"{name} must have deaths at least their births (inf: never dies); got NaN or earlier ones."
        )
    return diagram
