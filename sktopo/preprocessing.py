"""Mean-centre and normalize spatial filters, as the paper does before anything else."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._validation import Integral, Interval, Real, fit_context, user_stacklevel, validate_params

__all__ = ["FilterNormalizer", "check_filters", "constant_rows", "normalize_filters"]

#: A row counts as constant when its centred norm is at most this times its largest entry.
CONSTANT_RTOL = 1e-10


@validate_params(
    {"X": ["array-like"], "rtol": [Interval(Real, 0, None, closed="left")]},
    prefer_skip_nested_validation=True,
)
def constant_rows(X, rtol: float = CONSTANT_RTOL) -> np.ndarray:
    """Boolean mask of the rows of ``X`` that are constant up to rounding.

    A row is constant when the norm of its mean-centred values is at most ``rtol`` times
    ``sqrt(n_features)`` times its largest absolute entry: a relative test, so it does not
    depend on the scale of the row. :func:`normalize_filters` sets these rows to zero.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
    rtol : float, default=1e-10
        Relative tolerance, >= 0.

    Returns
    -------
    mask : ndarray of shape (n_samples,), dtype=bool

    Examples
    --------
    >>> from sktopo.preprocessing import constant_rows
    >>> constant_rows([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    array([ True, False])
    """
    X = _scale_rows(check_array(X, dtype=(np.float64, np.float32), copy=True, input_name="X"))
    return _constant_after_scaling(
        np.linalg.norm(X - X.mean(axis=1, keepdims=True), axis=1), X.shape[1], rtol
    )


@validate_params(
    {
        "X": ["array-like"],
        "input_name": [str],
        "ensure_min_samples": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def check_filters(X, *, input_name: str = "X", ensure_min_samples: int = 1) -> np.ndarray:
    """``X`` validated as raw spatial filters that have a topology to measure.

    Mean-centred, as :func:`normalize_filters` and every null of random filters make them, a
    filter of one pixel is zero, and so is a constant filter (:func:`constant_rows`, all-zero
    included): a cloud of such filters is one point, whatever the weights. Filters of one pixel
    and clouds whose every filter is constant are refused; constant filters among others are
    said in a ``UserWarning``, with how many, since they all fall on one point, the origin.
    The functions that compare raw filters with random ones run this check:
    :func:`~sktopo.homology.random_filter_test` on its ``X``, and
    :func:`~sktopo.homology.significance` (so :func:`~sktopo.homology.identify_shape` and
    :func:`~sktopo.homology.betti_numbers`) on its ``filters``, or, for its null without them,
    on its ``X``.

    Parameters
    ----------
    X : array-like of shape (n_filters, n_features)
        One filter per row, its pixels in the columns.
    input_name : str, default="X"
        The caller's name for ``X``, which the messages use.
    ensure_min_samples : int, default=1
        The fewest rows accepted.

    Returns
    -------
    X_checked : ndarray of shape (n_filters, n_features)
        ``X`` as float64.

    Raises
    ------
    ValueError
        For fewer than 2 columns, or every row constant; and whatever
        :func:`sklearn.utils.check_array` refuses (NaN, too few rows...).

    Warns
    -----
    UserWarning
        When some rows, not all, are constant.

    Examples
    --------
    >>> from sktopo.preprocessing import check_filters
    >>> check_filters([[1, 2, 3], [3, 1, 2]])
    array([[1., 2., 3.],
           [3., 1., 2.]])
    >>> check_filters([[0.5], [2.0]])
    Traceback (most recent call last):
    ...
    ValueError: X has one pixel per filter (n_features=1): ...
    """
    X = check_array(X, dtype=np.float64, input_name=input_name, ensure_min_samples=ensure_min_samples)
    if X.shape[1] < 2:
        raise ValueError(
            f"{input_name} has one pixel per filter (n_features=1): mean-centred, a one-pixel filter is "
            f"zero, so there is no topology to measure; {input_name} must hold filters of at least 2 "
            "pixels (columns)."
        )
    constant = constant_rows(X)
    if constant.all():
        raise ValueError(
            f"Every row of {input_name} ({len(X)} of {len(X)}) is a constant filter (all-zero included): "
            "mean-centred each is zero, so there is no topology to measure; "
            f"{input_name} must hold at least one filter that is not (see sktopo.preprocessing.constant_rows)."
        )
    if constant.any():
        warnings.warn(
            f"{int(constant.sum())} of {len(X)} rows of {input_name} are constant filters (all-zero "
            "included): mean-centred they are zero, all on one point; leave them out first "
            "(sktopo.preprocessing.constant_rows) unless that point is meant to count.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    return X


def _scale_rows(X: np.ndarray) -> np.ndarray:
    """Divide each row of ``X``, in place, by its largest absolute entry (zero rows stay zero).

    Done first, so that the squares of tiny rows do not underflow (nor those of huge rows overflow).
    """
    scale = np.abs(X).max(axis=1)
    X /= np.where(scale > 0, scale, 1)[:, None]
    return X


def _constant_after_scaling(
    centred_norms: np.ndarray, n_features: int, rtol: float = CONSTANT_RTOL
) -> np.ndarray:
    """The constant-row rule, for rows scaled by :func:`_scale_rows` (largest entry 1, or all zero)."""
    return centred_norms <= rtol * np.sqrt(n_features)


@validate_params({"X": ["array-like"], "copy": ["boolean"]}, prefer_skip_nested_validation=True)
def normalize_filters(X, *, copy: bool = True) -> np.ndarray:
    """Mean-centre each row of ``X`` and scale it to unit Euclidean norm.

    This is the paper's "we always mean-center and normalize each point": a spatial filter
    becomes a point on the unit sphere of the hyperplane of zero-mean filters, so filters that
    differ only by brightness offset or contrast coincide.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        One spatial filter per row, e.g. the output of
        :class:`~sktopo.filters.SpatialFilterExtractor`.
    copy : bool, default=True
        When False and ``X`` is a float array, normalize it in place.

    Returns
    -------
    X_normalized : ndarray of shape (n_samples, n_features)
        Rows with zero mean and unit norm. Constant rows (see :func:`constant_rows`) become
        zero, as :func:`sklearn.preprocessing.normalize` leaves zero rows at zero.

    See Also
    --------
    FilterNormalizer : the same as a transformer.

    Examples
    --------
    >>> from sktopo.preprocessing import normalize_filters
    >>> normalize_filters([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]]).round(4)
    array([[-0.7071,  0.    ,  0.7071],
           [ 0.    ,  0.    ,  0.    ]])
    """
    X = _scale_rows(check_array(X, dtype=(np.float64, np.float32), copy=copy, input_name="X"))
    X -= X.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(X, axis=1)
    constant = _constant_after_scaling(norms, X.shape[1])
    norms[constant] = 1.0
    X[constant] = 0.0
    X /= norms[:, None]
    return X


class FilterNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Mean-centre each spatial filter and scale it to unit norm.

    A stateless transformer wrapping :func:`normalize_filters`, for use in Pipelines between
    :class:`~sktopo.filters.SpatialFilterExtractor` and :class:`~sktopo.density.DensityFilter`.
    ``fit`` only checks the data and records ``n_features_in_``.

    Parameters
    ----------
    copy : bool, default=True
        When False, normalize float input in place.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (``w * h`` of the spatial filters) seen in ``fit``.

    See Also
    --------
    normalize_filters : the functional form.
    sklearn.preprocessing.Normalizer : scales rows without centring them.

    Examples
    --------
    >>> from sktopo import FilterNormalizer
    >>> FilterNormalizer().fit_transform([[0.0, 1.0], [3.0, 1.0]])
    array([[-0.7071...,  0.7071...],
           [ 0.7071..., -0.7071...]])
    """

    _parameter_constraints = {"copy": ["boolean"]}

    def __init__(self, copy=True):
        self.copy = copy

    @fit_context
    def fit(self, X, y=None):
        """Check ``X`` and record its number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : FilterNormalizer
        """
        validate_data(self, X, dtype=(np.float64, np.float32))
        return self

    def transform(self, X, copy=None):
        """Mean-centre and normalize each row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        copy : bool, default=None
            Overrides the ``copy`` parameter for this call.

        Returns
        -------
        X_normalized : ndarray of shape (n_samples, n_features)
        """
        check_is_fitted(self)
        if copy is not None and not isinstance(copy, (bool, np.bool_)):
            raise ValueError(f"copy must be a bool or None; got {copy!r}.")
        copy = self.copy if copy is None else copy
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False, copy=copy)
        return normalize_filters(X, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.requires_fit = False
        return tags
