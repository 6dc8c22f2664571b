"""scikit-learn glue: the ``PersistenceScorer`` estimator and a ``scoring=`` callable."""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._validation import fit_context, validate_params
from ._persistence import Persistence, _constraints, persistence_diagrams, top_lifetime
from ._rule import RULE_CONSTRAINTS, significance
from ._significance import SIGNIFICANCE_CONSTRAINTS

__all__ = ["PersistenceScorer", "topological_simplicity_scorer"]


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
        Prime field of coefficients, from 2 to 127 (ripser's limit).
    n_landmarks : int or None, default=400
        Landmarks for :func:`persistence_diagrams`; None for exact (slow beyond ~1,000 rows;
        refused, with the numbers, where ripser's memory could pass half of what is available).
    max_error : float, default=None
        Certified error to aim for with the fewest landmarks.
    centre : bool, default=False
        Landmark diagrams moved down by the covering radius, halving ``bound_``.
    exact_below : float, "auto" or None, default="auto"
        Exact births below this scale (see :func:`persistence_diagrams`); ``"auto"`` makes the
        top lifetime accurate where it is affordable and certain (on the 1,920-point reference
        circle, +0.08% instead of -4.5%, for about 0.1 s more; skipped, and said in
        ``refined_``, above a budget of pairs or where the longest bar's partner is ambiguous).
    metric : {"euclidean", "vne"}, default="euclidean"
    confidence : float or None, default=None
        If given (strictly between 0 and 1, e.g. 0.95), ``fit`` also says which bars are
        significant at level ``alpha = 1 - confidence`` by :func:`significance` (its default
        rule: beyond the confidence band of half-subsamples and the top lifetimes of
        ``n_draws`` clouds of as many normalized random filters, with ``n_landmarks`` landmarks
        and landmark births; ``max_error``, ``centre`` and ``exact_below`` shape ``diagrams_``
        only): ``band_``, ``threshold_`` and ``n_significant_``.
    n_subsamples : int, default=20
        Half-subsamples for the band.
    n_draws : int, default=99
        Null clouds for the threshold.
    random_state : int, RandomState instance or None, default=None
        Draws the half-subsamples and the null clouds.
    n_jobs : int, default=None
        Half-subsamples and null clouds computed in parallel.

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
    refined_ : bool
        Whether the longest bar of ``diagrams_[dim]`` got an exact birth (``exact_below``).
    band_ : ndarray of shape (dim + 1,)
        With ``confidence``: the band's half-width per dimension.
    threshold_ : ndarray of shape (dim + 1,)
        With ``confidence``: lifetimes above these are significant (``max(2 * band_, t)``, ``t``
        the null quantile).
    n_significant_ : ndarray of shape (dim + 1,)
        With ``confidence``: significant bars per dimension of the rule's diagrams.
    n_features_in_ : int

    Examples
    --------
    A circle hidden among as many noise filters: the search keeps the densest 30%.

    >>> import numpy as np
    >>> from sklearn.model_selection import GridSearchCV, ShuffleSplit
    >>> from sklearn.pipeline import make_pipeline
    >>> from sktopo import DensityFilter, FilterNormalizer, PersistenceScorer
    >>> from sktopo.datasets import make_circle_filters
    >>> noise = np.random.default_rng(0).normal(size=(400, 9))
    >>> X = np.vstack([make_circle_filters(400, noise=0.05, random_state=0), noise])
    >>> pipe = make_pipeline(FilterNormalizer(), DensityFilter(), PersistenceScorer(n_landmarks=100))
    >>> search = GridSearchCV(pipe, {"densityfilter__k": [10, 30], "densityfilter__p": [0.3, 1.0]},
    ...                       cv=ShuffleSplit(n_splits=2, test_size=0.5, random_state=0)).fit(X)
    >>> print(search.best_params_, search.best_score_ > 1)
    {'densityfilter__k': 10, 'densityfilter__p': 0.3} True

    With ``confidence``, the fitted scorer also says which bars are significant:

    >>> scorer = PersistenceScorer(n_landmarks=100, confidence=0.95, n_subsamples=5, n_draws=19, random_state=0)
    >>> scorer = scorer.fit(make_circle_filters(300, noise=0.05, random_state=0))
    >>> scorer.n_significant_.tolist(), bool(scorer.lifetime_ > scorer.threshold_[1])
    ([1, 1], True)
    """

    _parameter_constraints = {
        **_constraints("dim", "coeff", "n_landmarks", "max_error", "centre", "exact_below", "metric"),
        **SIGNIFICANCE_CONSTRAINTS,
        "confidence": [*SIGNIFICANCE_CONSTRAINTS["confidence"], None],
        "n_draws": RULE_CONSTRAINTS["n_draws"],
    }

    def __init__(
        self,
        dim=1,
        coeff=2,
        n_landmarks=400,
        max_error=None,
        centre=False,
        exact_below="auto",
        metric="euclidean",
        confidence=None,
        n_subsamples=20,
        n_draws=99,
        random_state=None,
        n_jobs=None,
    ):
        self.dim = dim
        self.coeff = coeff
        self.n_landmarks = n_landmarks
        self.max_error = max_error
        self.centre = centre
        self.exact_below = exact_below
        self.metric = metric
        self.confidence = confidence
        self.n_subsamples = n_subsamples
        self.n_draws = n_draws
        self.random_state = random_state
        self.n_jobs = n_jobs

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

        Raises
        ------
        ValueError
            If the barcodes could need more than half of the memory available (see
            :func:`persistence_diagrams`): the message names ``n_landmarks``, ``max_error`` or
            ``exact_below`` and the numbers.
        """
        X = validate_data(self, X, dtype=np.float64)
        for stale in ("band_", "threshold_", "n_significant_"):  # from an earlier fit with confidence
            self.__dict__.pop(stale, None)
        result = self._persistence(X)
        self.diagrams_, self.bound_, self.landmarks_ = result.diagrams, result.bound, result.landmarks
        self.refined_ = result.refined
        self.lifetime_ = top_lifetime(self.diagrams_[self.dim])
        if self.confidence is not None:
            rule = significance(
                X,
                alpha=1 - self.confidence,
                n_draws=self.n_draws,
                n_subsamples=self.n_subsamples,
                maxdim=self.dim,
                coeff=self.coeff,
                n_landmarks=self.n_landmarks,
                metric=self.metric,
                random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
            self.band_, self.threshold_, self.n_significant_ = (
                rule.band.band,
                rule.thresholds,
                rule.n_significant,
            )
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


@validate_params(_constraints("dim", "coeff", "n_landmarks", "metric"), prefer_skip_nested_validation=True)
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
        A prime from 2 to 127 (ripser's limit).
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

    def scorer(estimator, X, y=None) -> float:
        if not hasattr(estimator, "transform"):
            raise TypeError(
                "topological_simplicity_scorer scores a fitted transformer (or a pipeline ending in "
                f"one); got {type(estimator).__name__}, which has no transform."
            )
        Z = check_array(estimator.transform(X), dtype=np.float64, ensure_min_samples=0)
        if len(Z) < 2:
            return 0.0
        result = persistence_diagrams(Z, dim, coeff, n_landmarks=n_landmarks, metric=metric)
        return top_lifetime(result.diagrams[dim])

    return scorer
