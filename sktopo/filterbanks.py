"""Idealized 3 × 3 filter banks: the primary circle, the secondary circles, the Klein bottle.

Carlsson, Ishkhanov, de Silva and Zomorodian (2008) model high-contrast 3 × 3 image patches
by the Klein bottle of polynomial patches

.. math::

    f_{\\theta, \\varphi}(x, y) = \\cos\\varphi \\,(x\\cos\\theta + y\\sin\\theta)
        + \\sin\\varphi \\,(x\\cos\\theta + y\\sin\\theta)^2,

sampled at the pixel offsets ``x, y in {-1, 0, 1}`` (``x`` the column, ``y`` the row), then
mean-centred and normalized. ``(θ, φ)`` and ``(θ + π, π − φ)`` give the same patch, which is
what makes the torus of parameters a Klein bottle. ``φ = 0`` is the *primary circle* of
linear edges at every angle θ; ``θ = 0`` and ``θ = π/2`` are the two *secondary circles*
of vertical and horizontal patterns, each meeting the primary circle twice. Every bank
returned here has rows of zero mean and unit norm, ready to be used as fixed weights, but
:func:`gradients`: the primary circle's two-dimensional span, scaled to its gain.
"""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._validation import Integral, Interval, Real, validate_params
from .preprocessing import normalize_filters

__all__ = [
    "edge_energy",
    "gaussian",
    "gradients",
    "klein_bottle",
    "klein_filter",
    "primary_circle",
    "secondary_circles",
]

_OFFSETS = np.array([-1.0, 0.0, 1.0])
_X, _Y = np.meshgrid(_OFFSETS, _OFFSETS)  # _X varies along a row, _Y down a column


_COUNT = Interval(Integral, 1, None, closed="left")  # refuses booleans
_ANGLES = ["array-like", Interval(Real, None, None, closed="neither")]


def _as_angles(theta, phi) -> list[np.ndarray]:
    """``theta`` and ``phi`` as float arrays of one length, refusing what is not a finite angle."""
    arrays = []
    for name, value in (("theta", theta), ("phi", phi)):
        try:
            array = np.atleast_1d(np.asarray(value))
        except ValueError:
            raise ValueError(
                f"{name} must be an angle or a 1-D array of angles; got a ragged sequence."
            ) from None
        if array.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold real angles in radians; got dtype {array.dtype}.")
        if array.ndim != 1 or not len(array):
            raise ValueError(
                f"{name} must be an angle or a non-empty 1-D array of angles; got shape {array.shape}."
            )
        if not np.isfinite(array).all():
            raise ValueError(f"{name} must hold finite angles; got NaN or infinite values.")
        arrays.append(array.astype(float))
    lengths = {len(array) for array in arrays} - {1}
    if len(lengths) > 1:
        raise ValueError(f"theta and phi must broadcast to one length; got lengths {sorted(lengths)}.")
    return np.broadcast_arrays(*arrays)


@validate_params({"theta": _ANGLES, "phi": _ANGLES}, prefer_skip_nested_validation=True)
def klein_filter(theta, phi) -> np.ndarray:
    """The Klein-bottle patches at angles ``theta`` (edge direction) and ``phi`` (edge to line).

    Parameters
    ----------
    theta, phi : float or array-like of shape (n,)
        Finite angles in radians; broadcast against each other.

    Returns
    -------
    filters : ndarray of shape (n, 3, 3)
        Mean-centred, unit-norm patches.

    Raises
    ------
    ValueError
        For angles that are NaN or infinite, empty, not 1-D, or of lengths that do not broadcast.
    TypeError
        For angles that are not real numbers.

    Examples
    --------
    >>> from sktopo.filterbanks import klein_filter
    >>> (klein_filter([0.0], [0.0]) * 6 ** 0.5).round(6)
    array([[[-1.,  0.,  1.],
            [-1.,  0.,  1.],
            [-1.,  0.,  1.]]])
    """
    theta, phi = _as_angles(theta, phi)
    t = np.cos(theta)[:, None, None] * _X + np.sin(theta)[:, None, None] * _Y
    raw = np.cos(phi)[:, None, None] * t + np.sin(phi)[:, None, None] * t**2
    return normalize_filters(raw.reshape(len(raw), 9)).reshape(-1, 3, 3)


@validate_params({"n": [_COUNT]}, prefer_skip_nested_validation=True)
def primary_circle(n: int = 64) -> np.ndarray:
    """``n`` linear edge filters at evenly spaced angles ``2 π i / n``: the primary circle.

    Parameters
    ----------
    n : int, default=64

    Returns
    -------
    filters : ndarray of shape (n, 3, 3)

    Examples
    --------
    >>> from sktopo.filterbanks import primary_circle
    >>> primary_circle(4)[1].round(3) + 0.0
    array([[-0.408, -0.408, -0.408],
           [ 0.   ,  0.   ,  0.   ],
           [ 0.408,  0.408,  0.408]])
    """
    return klein_filter(2 * np.pi * np.arange(n) / n, 0.0)


@validate_params({"n": [_COUNT]}, prefer_skip_nested_validation=True)
def secondary_circles(n: int = 64) -> np.ndarray:
    """``n`` filters on the two secondary circles: ``ceil(n / 2)`` vertical, the rest horizontal.

    Each circle runs from an edge (``φ = 0``) through a line (``φ = π / 2``) to the opposite
    edge and back, at evenly spaced ``φ``.

    Parameters
    ----------
    n : int, default=64

    Returns
    -------
    filters : ndarray of shape (n, 3, 3)

    Examples
    --------
    >>> from sktopo.filterbanks import secondary_circles
    >>> secondary_circles(8)[1].round(3)
    array([[ 0.236, -0.471,  0.236],
           [ 0.236, -0.471,  0.236],
           [ 0.236, -0.471,  0.236]])
    """
    n_vertical = -(-n // 2)
    phi = np.concatenate([2 * np.pi * np.arange(m) / m for m in (n_vertical, n - n_vertical) if m])
    theta = np.where(np.arange(n) < n_vertical, 0.0, np.pi / 2)
    return klein_filter(theta, phi)


@validate_params({"n": [_COUNT]}, prefer_skip_nested_validation=True)
def klein_bottle(n: int = 64) -> np.ndarray:
    """``n`` filters spread evenly over the Klein bottle (a golden-ratio lattice).

    ``θ_i = π (i + 1/2) / n`` covers the fundamental domain ``[0, π)`` and
    ``φ_i = 2 π frac(i (√5 − 1) / 2)`` fills ``[0, 2 π)`` with no two points close together,
    for any ``n``.

    Parameters
    ----------
    n : int, default=64

    Returns
    -------
    filters : ndarray of shape (n, 3, 3)

    Examples
    --------
    >>> from sktopo.filterbanks import klein_bottle
    >>> klein_bottle(64).shape
    (64, 3, 3)
    """
    i = np.arange(n)
    return klein_filter(np.pi * (i + 0.5) / n, 2 * np.pi * np.mod(i * (np.sqrt(5) - 1) / 2, 1))


@validate_params({"n": [Interval(Integral, 3, None, closed="left")]}, prefer_skip_nested_validation=True)
def gradients(n: int = 64) -> np.ndarray:
    """The two linear edge filters, scaled to the gain of ``primary_circle(n)``: its rank-2 span.

    The primary circle's ``n`` filters ``cos θ_i e_x + sin θ_i e_y`` all lie in the plane of
    the vertical and the horizontal edge ``e_x, e_y`` (orthonormal), so its ``n`` responses
    re-encode two gradient responses linearly. For ``n >= 3`` evenly spaced angles
    ``Σ cos² θ_i = Σ sin² θ_i = n / 2`` and ``Σ cos θ_i sin θ_i = 0``: the bank's Gram matrix
    ``Bᵀ B`` is ``n / 2`` times the projection on that plane. Scaling ``e_x, e_y`` by
    ``sqrt(n / 2)`` gives the same Gram matrix, hence the same Frobenius norm (``n``) and the
    same sum of squared responses on *every* 3 × 3 patch, so the same total variance of the
    appended responses on any images: the control for Fig. 13 that has the primary circle's
    information and gain in 2 channels instead of ``n``, and no circle.

    Parameters
    ----------
    n : int, default=64
        Filters of the primary circle to match, at least 3 (fewer do not span the plane).

    Returns
    -------
    filters : ndarray of shape (2, 3, 3)
        The vertical edge (θ = 0), then the horizontal one (θ = π/2), each of norm ``sqrt(n / 2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.filterbanks import gradients, primary_circle
    >>> G, B = gradients(64).reshape(2, 9), primary_circle(64).reshape(64, 9)
    >>> int(np.linalg.matrix_rank(B)), np.allclose(G.T @ G, B.T @ B)
    (2, True)
    """
    return np.sqrt(n / 2) * primary_circle(4)[:2]


@validate_params({"n": [_COUNT], "random_state": ["random_state"]}, prefer_skip_nested_validation=True)
def gaussian(n: int = 64, random_state=None) -> np.ndarray:
    """``n`` random filters: standard normal pixels, then mean-centred and normalized.

    The paper's control: "a random gaussian" in place of the idealized filters.

    Parameters
    ----------
    n : int, default=64
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    filters : ndarray of shape (n, 3, 3)

    Examples
    --------
    >>> from sktopo.filterbanks import gaussian
    >>> gaussian(5, random_state=0).reshape(5, 9).sum(axis=1).round(12) + 0
    array([0., 0., 0., 0., 0.])
    """
    raw = check_random_state(random_state).standard_normal((n, 9))
    return normalize_filters(raw).reshape(n, 3, 3)


@validate_params({"filters": ["array-like"]}, prefer_skip_nested_validation=True)
def edge_energy(filters) -> np.ndarray:
    """Share of each 3 × 3 filter's energy in the plane of the linear edge filters.

    Each filter is first mean-centred and normalized (:func:`~sktopo.preprocessing.normalize_filters`),
    then projected on the plane of the primary circle: the span of the horizontal and the vertical
    linear edge, ``primary_circle(4)[:2]``, which are orthonormal. The squared length of the
    projection is the share: 1 for a linear edge at any angle (a filter of the primary circle), 0
    for a filter orthogonal to every edge (a line, a centre-surround), and on average ``2 / 8``
    for random zero-mean filters, whose energy spreads evenly over the 8 dimensions of zero-mean
    3 × 3 filters. A constant filter has no energy once centred: its share is 0.

    Parameters
    ----------
    filters : array-like of shape (n_filters, 9) or (n_filters, 3, 3)
        Finite 3 × 3 filters, normalized or not; rows of 9 are read row by row.

    Returns
    -------
    energy : ndarray of shape (n_filters,)
        In [0, 1]; empty for no filters.

    Raises
    ------
    ValueError
        For filters that are not 3 × 3, or not finite.

    Examples
    --------
    >>> from sktopo.filterbanks import edge_energy, gaussian, primary_circle, secondary_circles
    >>> edge_energy(primary_circle(5)).round(6)
    array([1., 1., 1., 1., 1.])
    >>> edge_energy(secondary_circles(8)).round(3)  # edge, line, opposite edge, line, twice
    array([1., 0., 1., 0., 1., 0., 1., 0.])
    >>> round(float(edge_energy(gaussian(20000, random_state=0)).mean()), 2)  # 2 / 8
    0.25
    """
    array = check_array(
        filters, dtype=np.float64, ensure_2d=False, allow_nd=True, ensure_min_samples=0, input_name="filters"
    )
    if array.shape[1:] not in ((9,), (3, 3)):
        raise ValueError(
            f"filters must be 3 x 3 filters, of shape (n_filters, 9) or (n_filters, 3, 3); got shape {array.shape}."
        )
    if not len(array):
        return np.zeros(0)
    plane = primary_circle(4)[:2].reshape(2, 9)  # the horizontal and vertical edge, orthonormal
    unit = normalize_filters(array.reshape(len(array), 9))
    return np.clip(np.sum((unit @ plane.T) ** 2, axis=1), 0.0, 1.0)
