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
returned here has rows of zero mean and unit norm, ready to be used as fixed weights.
"""

import numpy as np
from sklearn.utils import check_random_state

from .preprocessing import normalize_filters

__all__ = ["gaussian", "klein_bottle", "klein_filter", "primary_circle", "secondary_circles"]

_OFFSETS = np.array([-1.0, 0.0, 1.0])
_X, _Y = np.meshgrid(_OFFSETS, _OFFSETS)  # _X varies along a row, _Y down a column


def _check_n(n) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be an int >= 1; got {n!r}.")


def klein_filter(theta, phi) -> np.ndarray:
    """The Klein-bottle patches at angles ``theta`` (edge direction) and ``phi`` (edge to line).

    Parameters
    ----------
    theta, phi : array-like of shape (n,)
        Angles in radians; broadcast against each other.

    Returns
    -------
    filters : ndarray of shape (n, 3, 3)
        Mean-centred, unit-norm patches.

    Examples
    --------
    >>> from sktopo.filterbanks import klein_filter
    >>> (klein_filter([0.0], [0.0]) * 6 ** 0.5).round(6)
    array([[[-1.,  0.,  1.],
            [-1.,  0.,  1.],
            [-1.,  0.,  1.]]])
    """
    theta, phi = np.broadcast_arrays(np.atleast_1d(theta), np.atleast_1d(phi))
    t = np.cos(theta)[:, None, None] * _X + np.sin(theta)[:, None, None] * _Y
    raw = np.cos(phi)[:, None, None] * t + np.sin(phi)[:, None, None] * t**2
    return normalize_filters(raw.reshape(len(raw), 9)).reshape(-1, 3, 3)


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
    _check_n(n)
    return klein_filter(2 * np.pi * np.arange(n) / n, 0.0)


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
    _check_n(n)
    n_vertical = -(-n // 2)
    phi = np.concatenate([2 * np.pi * np.arange(m) / m for m in (n_vertical, n - n_vertical) if m])
    theta = np.where(np.arange(n) < n_vertical, 0.0, np.pi / 2)
    return klein_filter(theta, phi)


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
    _check_n(n)
    i = np.arange(n)
    return klein_filter(np.pi * (i + 0.5) / n, 2 * np.pi * np.mod(i * (np.sqrt(5) - 1) / 2, 1))


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
    _check_n(n)
    raw = check_random_state(random_state).standard_normal((n, 9))
    return normalize_filters(raw).reshape(n, 3, 3)
