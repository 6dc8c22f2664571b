"""The one place that touches scikit-learn's private validation helpers, and input type tests.

scikit-learn's parameter-constraint machinery (``Interval``, ``StrOptions``,
``_fit_context``, ``validate_params``) is private API. Importing it here, and only
here, means a change in scikit-learn is mended in one file.
"""

import inspect
import os
import sys
from numbers import Integral, Real

import sklearn
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    StrOptions,
    validate_parameter_constraints,
    validate_params,
)
from sklearn.utils._param_validation import Interval as _Interval

__all__ = [
    "N_JOBS",
    "HasMethods",
    "Integral",
    "Interval",
    "Real",
    "StrOptions",
    "fit_context",
    "is_tensor",
    "nested_fit_context",
    "user_stacklevel",
    "validate_parameter_constraints",
    "validate_params",
]

#: Decorator for ``fit``: validates ``self`` against ``_parameter_constraints`` first.
fit_context = _fit_context(prefer_skip_nested_validation=True)

#: The same for estimators made of other estimators (Mapper's lens, cover and clusterer): the
#: parts validate their own parameters when fitted, as in scikit-learn's meta-estimators.
nested_fit_context = _fit_context(prefer_skip_nested_validation=False)


class Interval(_Interval):
    """scikit-learn's ``Interval`` constraint, refusing booleans.

    ``True`` is an ``Integral`` (and a ``Real``) to Python, so scikit-learn's ``Interval``
    takes ``k=True`` as ``k=1``. No sktopo parameter means a count or a size by a boolean,
    so here a boolean is always refused, with the interval's own message.
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, bool) and super().is_satisfied_by(val)


#: The constraint of every ``n_jobs``, as joblib reads it: None (1), a positive count, or -1, -2...
#: for all cores, all but one... (0 and booleans are refused).
N_JOBS = [Interval(Integral, 1, None, closed="left"), Interval(Integral, None, -1, closed="right"), None]


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a torch tensor, without importing torch (no tensor exists before it is)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(obj, torch.Tensor)


#: Where sktopo's and scikit-learn's own frames come from (validate_params' wrapper, a search).
_LIBRARIES = tuple(
    os.path.dirname(os.path.abspath(m.__file__)) + os.sep for m in (sys.modules[__package__], sklearn)
)


def user_stacklevel() -> int:
    """The ``stacklevel`` that makes a warning point at the first caller outside sktopo and scikit-learn.

    For a warning raised at different depths (a check shared by several functions, behind
    ``validate_params``' wrapper or a ``GridSearchCV``): pandas' ``find_stack_level``, with
    scikit-learn's frames passed over as well.
    """
    frame, level = inspect.currentframe().f_back, 1  # the frame that calls warnings.warn
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_LIBRARIES):
        frame, level = frame.f_back, level + 1
    return level
