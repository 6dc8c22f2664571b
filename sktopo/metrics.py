"""The variance-normalized Euclidean (VNE) metric used by the paper's Mapper graphs.

Ayasdi's documentation (reference [12] of Brüel Gabrielsson & Carlsson) defines the
variance-normalized Euclidean distance between rows ``x`` and ``y`` of a data set as

.. math::

    d(x, y) = \\sqrt{\\sum_j \\frac{(x_j - y_j)^2}{V_j}},

where :math:`V_j` is the variance of column ``j`` over the data set. The paper paraphrases
this as "normalizes each column ... by dividing by its variance"; we read the division as
applying to the *squared* difference, that is, each column is divided by its standard
deviation before the Euclidean distance is taken. This is the reading that makes the metric
invariant to rescaling any column (dividing by the variance itself would not be), and it is
SciPy's ``seuclidean`` metric with ``V`` the column variances. Columns with zero variance
carry no information; they are left unscaled (their differences are zero anyway), following
``sklearn.preprocessing.StandardScaler``.
"""

import numpy as np
from scipy.spatial.distance import cdist
from sklearn.utils.validation import check_array

from ._validation import StrOptions, validate_params

__all__ = ["METRICS", "column_scale", "column_spread", "variance_normalized_euclidean"]

#: Metric names accepted by sktopo's estimators.
METRICS = ("euclidean", "vne")

#: The constraint of every ``metric`` parameter.
METRIC = [StrOptions(set(METRICS))]


@validate_params(
    {"X": ["array-like"], "metric": METRIC},
    prefer_skip_nested_validation=True,
)
def column_scale(X, metric: str = "vne") -> np.ndarray:
    """Per-column factors that turn ``metric`` on ``X`` into the Euclidean distance.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data set whose column variances define the metric.
    metric : {"euclidean", "vne"}, default="vne"
        ``"euclidean"`` gives ones; ``"vne"`` gives ``1 / std`` of each column (1 where the
        standard deviation is zero).

    Returns
    -------
    scale : ndarray of shape (n_features,)
        Multiply the columns of any data by ``scale`` and take Euclidean distances.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.metrics import column_scale
    >>> column_scale(np.array([[0.0, 1.0], [2.0, 1.0]]))
    array([1., 1.])
    >>> column_scale(np.array([[0.0, 0.0], [4.0, 2.0]]))
    array([0.5, 1. ])
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    if metric == "euclidean":
        return np.ones(X.shape[1])
    std, constant = column_spread(X)
    return 1.0 / np.where(constant, 1.0, std)


def column_spread(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's standard deviation, and whether it is zero up to rounding.

    The test is relative to the column's magnitude, so it is unit-free; columns are scaled
    before the standard deviation is taken, so that tiny columns do not underflow.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float64

    Returns
    -------
    std : ndarray of shape (n_features,)
    constant : ndarray of shape (n_features,), bool

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.metrics import column_spread
    >>> std, constant = column_spread(np.array([[1e-300, 2.0], [1e-300, 4.0]]))
    >>> std, constant
    (array([0., 1.]), array([ True, False]))
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    magnitude = np.abs(X).max(axis=0)
    magnitude[magnitude == 0] = 1.0
    relative_std = (X / magnitude).std(axis=0)
    std = relative_std * magnitude
    constant = (relative_std <= 10 * np.finfo(np.float64).eps) | (std < np.finfo(np.float64).tiny)
    return std, constant


@validate_params(
    {"X": ["array-like"], "Y": ["array-like", None], "variances": ["array-like", None]},
    prefer_skip_nested_validation=True,
)
def variance_normalized_euclidean(X, Y=None, *, variances=None) -> np.ndarray:
    """Pairwise variance-normalized Euclidean distances.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
        Rows to measure from.
    Y : array-like of shape (n_samples_Y, n_features), default=None
        Rows to measure to; ``X`` itself when None.
    variances : array-like of shape (n_features,), default=None
        Column variances :math:`V_j`. When None, the variances of ``X`` (population variance,
        ``ddof=0``), as Ayasdi computes them over the data set being analysed.

    Returns
    -------
    distances : ndarray of shape (n_samples_X, n_samples_Y)

    See Also
    --------
    column_scale : the equivalent column scaling, used by the estimators to stay on
        KD-trees instead of dense distance matrices.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.metrics import variance_normalized_euclidean
    >>> X = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 4.0]])
    >>> variance_normalized_euclidean(X).round(3)
    array([[0.   , 2.121, 2.121],
           [2.121, 0.   , 3.   ],
           [2.121, 3.   , 0.   ]])
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    Y = X if Y is None else check_array(Y, dtype=np.float64)
    if Y.shape[1] != X.shape[1]:
        raise ValueError(f"Y has {Y.shape[1]} features but X has {X.shape[1]}.")
    if variances is None:
        scale = column_scale(X, "vne")
    else:
        variances = check_array(variances, dtype=np.float64, ensure_2d=False, input_name="variances")
        if variances.shape != (X.shape[1],) or np.any(variances < 0):
            raise ValueError(
                f"variances must hold {X.shape[1]} non-negative numbers, one per column of X; got "
                f"shape {variances.shape} with smallest value {variances.min():g}."
            )
        scale = 1.0 / np.sqrt(np.where(variances > 0, variances, 1.0))
    return cdist(X * scale, Y * scale)
