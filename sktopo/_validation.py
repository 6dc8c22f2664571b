"""The one place that touches scikit-learn's private validation helpers.

scikit-learn's parameter-constraint machinery (``Interval``, ``StrOptions``,
``_fit_context``, ``validate_params``) is private API. Importing it here, and only
here, means a change in scikit-learn is mended in one file.
"""

from numbers import Integral, Real

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params

__all__ = ["HasMethods", "Integral", "Interval", "Real", "StrOptions", "fit_context", "validate_params"]

#: Decorator for ``fit``: validates ``self`` against ``_parameter_constraints`` first.
fit_context = _fit_context(prefer_skip_nested_validation=True)
