"""Persistent homology of filter clouds: barcodes with a certified error, the paper's
"topological simplicity", and Betti numbers over Z/2 and Z/3.

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
"""

from dataclasses import dataclass

import numpy as np
from ripser import ripser
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._validation import Integral, Interval, Real, StrOptions, fit_context
from .metrics import METRICS, column_scale

__all__ = [
    "Persistence",
    "PersistenceScorer",
    "betti_from_diagrams",
    "betti_numbers",
    "greedy_landmarks",
    "identify_model",
    "persistence_diagrams",
    "refine_births",
    "top_lifetime",
    "topological_simplicity_scorer",
]


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
    """

    diagrams: list
    bound: float
    landmarks: np.ndarray


def greedy_landmarks(X, n_landmarks: int, stop_radius: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Farthest-point landmarks and the covering radius after each one.

    The first landmark is the row farthest from the centroid (ties: the lexicographically
    smallest row), so the choice does not depend on the order of the rows except through
    exact ties; each next one is the row farthest from those chosen (ties: lowest index).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_landmarks : int
        At most ``n_samples``.
    stop_radius : float, default=0.0
        Stop early once every row lies within this distance of a landmark.

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
    far = np.linalg.norm(X - X.mean(axis=0), axis=1)
    candidates = np.flatnonzero(far == far.max())
    first = candidates[np.lexsort(X[candidates].T[::-1])[0]]
    landmarks = [first]
    distance = np.linalg.norm(X - X[first], axis=1)
    radii = [distance.max()]
    while len(landmarks) < n_landmarks and radii[-1] > stop_radius:
        landmarks.append(int(np.argmax(distance)))
        np.minimum(distance, np.linalg.norm(X - X[landmarks[-1]], axis=1), out=distance)
        radii.append(distance.max())
    return np.array(landmarks), np.array(radii)


def persistence_diagrams(
    X,
    maxdim: int = 1,
    coeff: int = 2,
    *,
    n_landmarks=400,
    max_error=None,
    centre=False,
    exact_below=None,
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
        Prime field of coefficients: 2 or 3 tell the Klein bottle from the torus.
    n_landmarks : int or None, default=400
        How many greedy landmarks to compute on; None (or at least ``n_samples``) for the exact
        diagrams of every row. 400 landmarks take about a second in nine dimensions.
    max_error : float, default=None
        If given, take the fewest landmarks (at most ``n_landmarks``, or all rows when
        ``n_landmarks`` is None) whose certified bound (``2 r``, or ``r`` with ``centre``) is
        at most ``max_error``.
    centre : bool, default=False
        Move the landmark diagrams down by the covering radius ``r``, which halves the
        certified bound to ``r`` (see the module docstring). Lifetimes do not change, but the
        bars sit lower: deaths of large loops, nearly exact without it, come out early by
        about ``r``.
    exact_below : float or "auto", default=None
        If given, also compute the exact diagrams of *all* rows up to this scale (cheap when
        few pairs of rows are closer than it: a few thousand rows) and use them to make the
        births of long landmark bars exact where the correspondence is certain (see
        :func:`refine_births`). Landmark births are late by up to the bound while the deaths
        of large loops are nearly exact, so this makes the top lifetime (the paper's score)
        accurate; the certified bound is unchanged. ``"auto"``: just above ``b + bound`` for
        the longest landmark bar ``(b, d)`` in the highest dimension, the least scale at which
        its birth can be refined.
    metric : {"euclidean", "vne"}, default="euclidean"

    Returns
    -------
    persistence : Persistence
        ``diagrams``, ``bound`` (see the module docstring for the guarantee) and ``landmarks``.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import persistence_diagrams, top_lifetime
    >>> from sktopo.preprocessing import normalize_filters
    >>> X = normalize_filters(make_circle_filters(1000, noise=0.05, random_state=0))
    >>> result = persistence_diagrams(X, n_landmarks=200)
    >>> round(top_lifetime(result.diagrams[1]), 1), len(result.landmarks), result.bound > 0
    (1.5, 200, True)
    >>> persistence_diagrams(X[:50], n_landmarks=None).bound
    0.0
    """
    X = check_array(X, dtype=np.float64, ensure_min_samples=1)
    _check_args(maxdim, coeff, n_landmarks, max_error, metric, exact_below)
    X = X * column_scale(X, metric) if len(X) > 1 else X
    m = len(X) if n_landmarks is None else min(n_landmarks, len(X))
    factor = 1.0 if centre else 2.0
    landmarks, radii = greedy_landmarks(X, m, 0.0 if max_error is None else max_error / factor)
    bound = factor * float(radii[-1])  # 0 when every row is a landmark
    diagrams = ripser(X[landmarks], maxdim=maxdim, coeff=coeff)["dgms"]
    if centre and bound > 0:
        diagrams = [np.maximum(d - bound, 0.0) for d in diagrams]
    if exact_below is not None and bound > 0:
        tau = _auto_scale(diagrams[-1], bound) if exact_below == "auto" else exact_below
        below = ripser(X, maxdim=maxdim, coeff=coeff, thresh=tau)["dgms"]
        diagrams = [refine_births(d, b, tau, bound) for d, b in zip(diagrams, below)]
    return Persistence(diagrams=diagrams, bound=bound, landmarks=landmarks)


def _auto_scale(diagram: np.ndarray, bound: float) -> float:
    finite = diagram[np.isfinite(diagram[:, 1])]
    if not len(finite):
        return bound
    longest = finite[np.argmax(finite[:, 1] - finite[:, 0])]
    return float(longest[0] + bound) * 1.02 + 1e-12


def refine_births(approx, below, tau: float, bound: float) -> np.ndarray:
    """Replace approximate births by exact ones where the bottleneck matching is forced.

    ``approx`` is within ``bound`` (bottleneck) of the exact diagram D; ``below`` is D
    computed exactly up to scale ``tau`` (bars alive at ``tau`` have death ``inf``). Take an
    approximate bar ``(b, d)`` with lifetime over ``2 * bound`` (so a matching within
    ``bound`` cannot send it to the diagonal), ``d > tau + bound`` and ``b + bound < tau``: its
    partner in D is alive at ``tau`` and born within ``bound`` of ``b``, so it is one of the
    bars of ``below`` alive at ``tau``. When exactly one such bar qualifies, and it qualifies
    for no other approximate bar, it *is* the partner, and its birth is exact: the refined bar
    is as close to its partner as before, so ``bound`` still holds.

    Parameters
    ----------
    approx : ndarray of shape (n_bars, 2)
    below : ndarray of shape (n_bars_below, 2)
    tau : float
    bound : float

    Returns
    -------
    refined : ndarray of shape (n_bars, 2)
    """
    refined = np.array(approx, dtype=np.float64).reshape(-1, 2)
    alive = np.asarray(below, dtype=np.float64).reshape(-1, 2)
    births = alive[np.isinf(alive[:, 1]), 0]
    b, d = refined[:, 0], refined[:, 1]
    eligible = (d - b > 2 * bound) & (d > tau + bound) & (b + bound < tau)
    near = eligible[:, None] & (np.abs(b[:, None] - births[None, :]) <= bound)
    for j in np.flatnonzero(near.sum(axis=1) == 1):
        i = int(np.flatnonzero(near[j])[0])
        if near[:, i].sum() == 1:
            refined[j, 0] = births[i]
    return refined


def _check_args(maxdim, coeff, n_landmarks, max_error, metric, exact_below=None) -> None:
    if (
        exact_below is not None
        and exact_below != "auto"
        and not (isinstance(exact_below, Real) and not isinstance(exact_below, bool) and exact_below > 0)
    ):
        raise ValueError(f"exact_below must be a float > 0, 'auto' or None; got {exact_below!r}.")
    if not isinstance(maxdim, Integral) or maxdim < 0:
        raise ValueError(f"maxdim must be an int >= 0; got {maxdim!r}.")
    if not isinstance(coeff, Integral) or coeff < 2 or any(coeff % p == 0 for p in range(2, coeff)):
        raise ValueError(f"coeff must be a prime number such as 2 or 3; got {coeff!r}.")
    if n_landmarks is not None and (not isinstance(n_landmarks, Integral) or n_landmarks < 1):
        raise ValueError(f"n_landmarks must be an int >= 1 or None; got {n_landmarks!r}.")
    if max_error is not None and not (isinstance(max_error, Real) and max_error > 0):
        raise ValueError(f"max_error must be a float > 0 or None; got {max_error!r}.")
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}; got {metric!r}.")


def top_lifetime(diagram) -> float:
    """Lifetime (death − birth) of the most persistent finite bar; 0 for none.

    Applied to the H1 diagram of first-layer filters this is the paper's "topological
    simplicity" (Section VI). Bars that never die are left out, so for H0 it is the longest
    finite bar.

    Parameters
    ----------
    diagram : ndarray of shape (n_bars, 2)

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
    diagram = np.asarray(diagram, dtype=np.float64).reshape(-1, 2)
    lifetimes = diagram[:, 1] - diagram[:, 0]
    finite = lifetimes[np.isfinite(lifetimes)]
    return float(finite.max()) if len(finite) else 0.0


def _standing_out(lifetimes: np.ndarray, min_ratio: float) -> int:
    """How many of the (descending) lifetimes lie above the largest ratio gap, if it is wide."""
    if len(lifetimes) < 2:
        return 0
    ratios = lifetimes[:-1] / np.maximum(lifetimes[1:], np.finfo(float).tiny)
    best = int(np.argmax(ratios))
    return best + 1 if ratios[best] >= min_ratio else 0


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
    diagrams : list of ndarray of shape (n_bars, 2)
        One per dimension, from dimension 0.
    min_ratio : float, default=2.0

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
    lifetimes = [np.sort(d[:, 1] - d[:, 0])[::-1] for d in map(np.asarray, diagrams)]
    finite0 = lifetimes[0][np.isfinite(lifetimes[0])]
    clusters = _standing_out(finite0, min_ratio)
    scale = finite0[clusters] if len(finite0) > clusters else 0.0
    betti = [int(np.isinf(lifetimes[0]).sum()) + clusters]
    return betti + [int(np.sum(lt > scale)) for lt in lifetimes[1:]]


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
    maxdim : int, default=1
    n_landmarks : int or None, default=400
    min_ratio : float, default=2.0
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


#: First Betti numbers over (Z/2, Z/3) of the models the paper meets, for connected clouds.
MODELS = {(1, 1): "circle", (2, 1): "klein bottle", (2, 2): "torus", (5, 5): "three circles"}


def identify_model(X, *, n_landmarks=400, min_ratio=2.0, metric="euclidean") -> str:
    """Name the model a filter cloud fits, from its Betti numbers over Z/2 and Z/3.

    A connected cloud (b0 = 1) whose first Betti numbers over (Z/2, Z/3) are (1, 1) is a
    circle; (2, 1) the Klein bottle; (2, 2) the torus; (5, 5) the three-circle model of
    Carlsson et al. (2008), whose two secondary circles each meet the primary circle twice
    (4 meeting points and 8 arcs give 8 − 4 + 1 = 5 independent loops). Anything else is
    ``"none"``. H1 alone cannot tell the torus from two circles joined at a point; that would
    take H2.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    n_landmarks : int or None, default=400
    min_ratio : float, default=2.0
    metric : {"euclidean", "vne"}, default="euclidean"

    Returns
    -------
    model : {"circle", "klein bottle", "torus", "three circles", "none"}

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import identify_model
    >>> identify_model(make_circle_filters(800, noise=0.05, random_state=0), n_landmarks=150)
    'circle'
    """
    z2, z3 = (
        betti_numbers(X, c, 1, n_landmarks=n_landmarks, min_ratio=min_ratio, metric=metric) for c in (2, 3)
    )
    if z2[0] != 1 or z3[0] != 1:
        return "none"
    return MODELS.get((z2[1], z3[1]), "none")


class PersistenceScorer(BaseEstimator):
    """Barcodes of a filter cloud, scored by the paper's "topological simplicity".

    ``fit(X)`` computes the persistence diagrams of ``X`` (see
    :func:`persistence_diagrams`); ``score(X)`` returns the lifetime of the most persistent
    bar in dimension ``dim`` for ``X`` (for ``dim=1`` the strength of the strongest loop,
    e.g. the primary circle). As the last step of a Pipeline after
    :class:`~sktopo.preprocessing.FilterNormalizer` and
    :class:`~sktopo.density.DensityFilter`, it lets ``GridSearchCV`` choose the density
    filtration ρ(k, p): each candidate is fitted on one part of the filters, and scored by the
    strength of the circle in the held-out part's rows that pass the fitted filtration. The
    search thus prefers the filtration whose circle is strongest on filters it has not seen,
    not one that fits the noise of a particular sample.

    Parameters
    ----------
    dim : int, default=1
        Homology dimension scored.
    coeff : int, default=2
        Prime field of coefficients.
    n_landmarks : int or None, default=400
        Landmarks for :func:`persistence_diagrams`; None for exact (slow beyond ~1,000 rows).
    max_error : float, default=None
        Certified error to aim for with the fewest landmarks.
    centre : bool, default=False
        Landmark diagrams moved down by the covering radius, halving ``bound_``.
    exact_below : float or "auto", default=None
        Exact births below this scale (see :func:`persistence_diagrams`); for clouds of a few
        thousand rows it makes the score accurate at little cost.
    metric : {"euclidean", "vne"}, default="euclidean"

    Attributes
    ----------
    diagrams_ : list of ndarray
        Diagrams of the ``fit`` data, dimensions 0 ... ``dim``.
    lifetime_ : float
        Lifetime of the most persistent finite bar in ``dim``.
    bound_ : float
        Certified bottleneck error of ``diagrams_`` (0 when exact); ``lifetime_`` is within
        ``2 * bound_`` of the exact lifetime.
    landmarks_ : ndarray
        Row indices of the landmarks used.
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV, ShuffleSplit
    >>> from sklearn.pipeline import make_pipeline
    >>> from sktopo import DensityFilter, FilterNormalizer, PersistenceScorer
    >>> from sktopo.datasets import make_circle_filters
    >>> X = make_circle_filters(600, noise=0.15, random_state=0)
    >>> pipe = make_pipeline(FilterNormalizer(), DensityFilter(), PersistenceScorer(n_landmarks=100))
    >>> search = GridSearchCV(pipe, {"densityfilter__k": [10, 30], "densityfilter__p": [0.3, 1.0]},
    ...                       cv=ShuffleSplit(n_splits=2, test_size=0.5, random_state=0)).fit(X)
    >>> sorted(search.best_params_)
    ['densityfilter__k', 'densityfilter__p']
    """

    _parameter_constraints = {
        "dim": [Interval(Integral, 0, None, closed="left")],
        "coeff": [Interval(Integral, 2, None, closed="left")],
        "n_landmarks": [Interval(Integral, 1, None, closed="left"), None],
        "max_error": [Interval(Real, 0, None, closed="neither"), None],
        "centre": ["boolean"],
        "exact_below": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"}), None],
        "metric": [StrOptions(set(METRICS))],
    }

    def __init__(
        self,
        dim=1,
        coeff=2,
        n_landmarks=400,
        max_error=None,
        centre=False,
        exact_below=None,
        metric="euclidean",
    ):
        self.dim = dim
        self.coeff = coeff
        self.n_landmarks = n_landmarks
        self.max_error = max_error
        self.centre = centre
        self.exact_below = exact_below
        self.metric = metric

    @fit_context
    def fit(self, X, y=None):
        """Compute the persistence diagrams of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : PersistenceScorer
        """
        X = validate_data(self, X, dtype=np.float64)
        result = self._persistence(X)
        self.diagrams_, self.bound_, self.landmarks_ = result.diagrams, result.bound, result.landmarks
        self.lifetime_ = top_lifetime(self.diagrams_[self.dim])
        return self

    def score(self, X, y=None) -> float:
        """Lifetime of the most persistent bar in ``dim`` for ``X`` (0 for fewer than 2 rows).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        lifetime : float
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, ensure_min_samples=0)
        return top_lifetime(self._persistence(X).diagrams[self.dim]) if len(X) > 1 else 0.0

    def _persistence(self, X) -> Persistence:
        return persistence_diagrams(
            X,
            self.dim,
            self.coeff,
            n_landmarks=self.n_landmarks,
            max_error=self.max_error,
            centre=self.centre,
            exact_below=self.exact_below,
            metric=self.metric,
        )


def topological_simplicity_scorer(dim=1, coeff=2, n_landmarks=400, metric="euclidean"):
    """A ``scoring=`` callable: the top lifetime of what a fitted transformer outputs.

    For searches over pipelines that end in a transformer (``FilterNormalizer`` then
    ``DensityFilter``, say): ``GridSearchCV(pipe, grid, scoring=topological_simplicity_scorer())``
    scores each candidate by the lifetime of the most persistent bar in ``dim`` of
    ``pipe.transform(X_test)``.

    Parameters
    ----------
    dim : int, default=1
    coeff : int, default=2
    n_landmarks : int or None, default=400
    metric : {"euclidean", "vne"}, default="euclidean"

    Returns
    -------
    scorer : callable ``(estimator, X, y=None) -> float``

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sktopo import DensityFilter, FilterNormalizer
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.homology import topological_simplicity_scorer
    >>> X = make_circle_filters(400, noise=0.05, random_state=0)
    >>> pipe = make_pipeline(FilterNormalizer(), DensityFilter(k=10, p=0.5)).fit(X)
    >>> topological_simplicity_scorer(n_landmarks=100)(pipe, X) > 1
    True
    """
    _check_args(dim, coeff, n_landmarks, None, metric)

    def scorer(estimator, X, y=None) -> float:
        Z = check_array(estimator.transform(X), dtype=np.float64, ensure_min_samples=0)
        if len(Z) < 2:
            return 0.0
        result = persistence_diagrams(Z, dim, coeff, n_landmarks=n_landmarks, metric=metric)
        return top_lifetime(result.diagrams[dim])

    return scorer
