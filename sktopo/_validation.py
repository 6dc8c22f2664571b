"""The one place that touches scikit-learn's private validation helpers, and input type tests.

scikit-learn's parameter-constraint machinery (``Interval``, ``StrOptions``,
``_fit_context``, ``validate_params``) is private API. Importing it here, and only
here, means a change in scikit-learn is mended in one file.
"""

import inspect
import math
import os
import sys
from numbers import Integral, Real

import numpy as np
import sklearn
from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    InvalidParameterError,
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
    "InvalidParameterError",
    "Real",
    "StrOptions",
    "available_memory",
    "check_memory",
    "check_squares_finite",
    "fit_context",
    "format_bytes",
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


def available_memory() -> float:
    """Bytes of memory free for new allocations.

    ``MemAvailable`` of ``/proc/meminfo`` (Linux), within the room left by the cgroup's limit
    (v2, as in containers); elsewhere the physical memory, or ``inf`` where even that is unknown.
    """
    try:
        with open("/proc/meminfo") as meminfo:
            kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError):
        try:
            return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (AttributeError, ValueError, OSError):  # no sysconf (Windows), or no such name
            return math.inf
    return min(1024.0 * kib, _cgroup_room())


def _cgroup_room() -> float:
    """Bytes left below the memory limit of this process's cgroup (v2); ``inf`` without one.

    The cgroup's usage counts its page cache; the inactive part is given back on demand, so it
    counts as room.
    """
    try:
        with open("/sys/fs/cgroup/memory.max") as limit, open("/sys/fs/cgroup/memory.current") as used:
            room = int(limit.read()) - int(used.read())
    except (OSError, ValueError):  # no cgroup v2 here, or no limit ("max")
        return math.inf
    try:
        with open("/sys/fs/cgroup/memory.stat") as stat:
            cache = next((int(line.split()[1]) for line in stat if line.startswith("inactive_file ")), 0)
    except (OSError, ValueError):
        cache = 0
    return float(max(0, room + cache))


def format_bytes(size: float) -> str:
    """``size`` bytes in binary units, to two significant figures or more: "7.3 TiB", "23 GiB"."""
    if not math.isfinite(size):
        return "an unknown amount"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if size < 1024 or unit == "EiB":
            break
        size /= 1024
    return f"{size:.0f} {unit}" if unit == "bytes" or size >= 10 else f"{size:.1f} {unit}"


def check_memory(
    name: str, value, needed: float, purpose: str, *, each: float | None = None, unit: str = ""
) -> None:
    """Refuse ``name=value`` before any work starts when it would need more than the available memory.

    Parameters
    ----------
    name, value :
        The parameter and its value, which the message names.
    needed : float
        Bytes that ``value`` would need: an estimate from the sizes of the arrays it allocates.
    purpose : str
        What the memory is for ("the networks' seeds and weights").
    each : float, default=None
        Bytes per unit of ``value`` (a network, an interval): the message then says the most
        units that fit, as "use at most N ``unit``".
    unit : str, default=""

    Raises
    ------
    ValueError
        When ``needed`` is more than :func:`available_memory`, with both amounts.
    """
    available = available_memory()
    if needed <= available:
        return
    fix = ""
    if each and math.isfinite(available):
        fix = f": use at most {max(0, int(available // each)):,} {unit}".rstrip()
    raise ValueError(
        f"{name}={value!r} would need about {format_bytes(needed)} of memory for {purpose}; this "
        f"machine has {format_bytes(available)} available{fix}."
    )


def check_squares_finite(X, name: str = "X", *, dtype=None, squared: bool = True, where: str = "") -> None:
    """Refuse values so large that distances between rows of ``X`` overflow the dtype they are computed in.

    Neighbour searches add squared differences (``squared=True``): past ``sqrt(max / (4 d))``
    the sum can overflow to ``inf`` in ``d`` columns. ripser.py keeps distances themselves in
    float32 (``squared=False``): past ``max / (2 sqrt(d))`` a distance is ``inf`` there.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    name : str, default="X"
        The parameter, which the message names.
    dtype : numpy dtype, default=None
        Where the distances are computed; ``X.dtype`` when None.
    squared : bool, default=True
        Whether squared distances are summed (else only distances are stored).
    where : str, default=""
        What computes them, for the message ("ripser").
    """
    X = np.asarray(X)
    if not X.size or X.dtype.kind not in "fiu":
        return
    dtype = np.dtype(X.dtype if dtype is None else dtype)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    d, top = X.shape[-1], float(np.finfo(dtype).max)
    limit = math.sqrt(top / (4 * d)) if squared else top / (2 * math.sqrt(d))
    largest = float(np.abs(X, dtype=np.float64).max())
    if largest > limit:
        what = "squared distances" if squared else "distances"
        raise ValueError(
            f"{name} holds values up to {largest:.3g}, so large that {what} between its rows overflow "
            f"{dtype}{where and ' in ' + where}: {name} must hold values of magnitude at most {limit:.3g}; "
            "rescale it (sktopo.preprocessing.normalize_filters makes each row unit norm)."
        )
