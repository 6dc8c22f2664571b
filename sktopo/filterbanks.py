"""Idealized filter banks at any kernel size: the primary circle, the secondary circles, the Klein bottle.

Carlsson, Ishkhanov, de Silva and Zomorodian (2008) model high-contrast 3 × 3 image patches
by the Klein bottle of polynomial patches

.. math::

    f_{\\theta, \\varphi}(x, y) = \\cos\\varphi \\,(x\\cos\\theta + y\\sin\\theta)
        + \\sin\\varphi \\,(x\\cos\\theta + y\\sin\\theta)^2,

sampled at the pixel offsets of the kernel (``x`` the column, ``y`` the row), then mean-centred
and normalized. ``(θ, φ)`` and ``(θ + π, π − φ)`` give the same patch, which is what makes the
torus of parameters a Klein bottle. ``φ = 0`` is the *primary circle* of linear edges at every
angle θ; ``θ = 0`` and ``θ = π/2`` are the two *secondary circles* of vertical and horizontal
patterns, each meeting the primary circle twice. Every bank returned here has rows of zero mean
and unit norm, ready to be used as fixed weights, but :func:`gradients`: the primary circle's
two-dimensional span, scaled to its gain.

**Any kernel size.** Each function takes ``size``: ``3`` (the default, the paper's 3 × 3
filters), an int for a square kernel, or ``(h, w)``. The offsets of an h × w kernel are centred
and scaled to [-1, 1] on each axis, ``x_j = (j − (w − 1) / 2) / ((w − 1) / 2)`` and likewise
``y_i`` with ``h``: the 3 × 3 grid is exactly Carlsson et al.'s ``{-1, 0, 1}``, so every 3 × 3
bank is what it was, and a 7 × 7 kernel samples the same function of the square [-1, 1]² as a
3 × 3 one, more finely, so a patch's (θ, φ) names the same edge or line at every size. Centred,
the grid is symmetric under ``(x, y) → (−x, −y)``, which makes the identification above hold and
keeps the two linear ramps ``x`` and ``y`` (odd) orthogonal to every line ``t²`` (even). Scaling
the axes otherwise would give the same set of patches (a linear function and its square, mixed
at every ratio) under other parameters. On a kernel that is not square the two ramps are still
orthogonal but of different norms: :func:`primary_circle` spaces its edges evenly in the plane
where they are orthonormal, and :func:`edge_energy` measures in that plane. A side of 2 pixels
is the least (the ramps need two values); across it a line is constant, so
:func:`secondary_circles` and :func:`klein_bottle` need 3 pixels on each side. A 2 × 2 kernel's
zero-mean filters span 3 dimensions (``x``, ``y``, ``xy``), of which the edges are 2.

References
----------
G. Carlsson, T. Ishkhanov, V. de Silva and A. Zomorodian, "On the local behavior of spaces of
natural images", International Journal of Computer Vision 76(1), 2008.
"""

import math

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._validation import Integral, Interval, Real, check_memory, validate_params
from .preprocessing import constant_rows, normalize_filters

__all__ = [
    "edge_energy",
    "gaussian",
    "gradients",
    "klein_bottle",
    "klein_filter",
    "primary_circle",
    "secondary_circles",
]


_COUNT = Interval(Integral, 1, None, closed="left")  # refuses booleans
_ANGLES = ["array-like", Interval(Real, None, None, closed="neither")]
_SIZE = "no_validation"  # an int or a pair: checked by _kernel_size, with what is accepted

#: Why the banks that leave the primary circle need 3 pixels on each side.
_LINES = (
    "across 2 pixels a line is constant: the secondary circles pinch and the Klein bottle is not embedded"
)


#: Bytes per pixel of a bank while it is built: about six float64 arrays of ``n * h * w`` values.
BANK_BYTES = 48


def _kernel_size(
    size, smallest: int = 2, why: str = "the linear edges need two values on each axis", *, n: int = 1
) -> tuple:
    """``size`` as ``(h, w)``: an int for a square kernel or a pair, each side at least ``smallest``.

    ``n`` filters of that size are refused, before any work, when they would not fit in memory.
    """
    pair = (size, size) if isinstance(size, Integral) else size
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or any(isinstance(side, bool) or not isinstance(side, Integral) or side < smallest for side in pair)
    ):
        raise ValueError(
            f"size must be an int of at least {smallest} (a square kernel) or a pair (h, w) of such ints "
            f"({why}); got {size!r}."
        )
    h, w = int(pair[0]), int(pair[1])
    name, value = ("size", size) if n == 1 else ("n", n)
    each = BANK_BYTES * h * w
    check_memory(name, value, n * each, f"{n:,} filters of {h} x {w} pixels", each=each, unit="filters")
    return h, w


def _grid(h: int, w: int) -> tuple[np.ndarray, np.ndarray]:
    """The offsets ``x`` (varying along a row) and ``y`` (down a column), each centred and in [-1, 1]."""
    return np.meshgrid(
        (np.arange(w) - (w - 1) / 2) / ((w - 1) / 2), (np.arange(h) - (h - 1) / 2) / ((h - 1) / 2)
    )


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


@validate_params({"theta": _ANGLES, "phi": _ANGLES, "size": _SIZE}, prefer_skip_nested_validation=True)
def klein_filter(theta, phi, *, size=3) -> np.ndarray:
    """The Klein-bottle patches at angles ``theta`` (edge direction) and ``phi`` (edge to line).

    Parameters
    ----------
    theta, phi : float or array-like of shape (n,)
        Finite angles in radians; broadcast against each other.
    size : int or tuple of (int, int), default=3
        The kernel: ``h = w = size``, or ``(h, w)``; each side at least 2.

    Returns
    -------
    filters : ndarray of shape (n, h, w)
        Mean-centred, unit-norm patches.

    Raises
    ------
    ValueError
        For angles that are NaN or infinite, empty, not 1-D, or of lengths that do not broadcast;
        for a ``size`` that is not an int or a pair of ints of at least 2; for angles whose patch
        is constant (only on a side of 2 pixels, for a line across it), which has no direction.
    TypeError
        For angles that are not real numbers.

    Examples
    --------
    >>> from sktopo.filterbanks import klein_filter
    >>> (klein_filter([0.0], [0.0]) * 6 ** 0.5).round(6)
    array([[[-1.,  0.,  1.],
            [-1.,  0.,  1.],
            [-1.,  0.,  1.]]])
    >>> klein_filter(0.0, [0.0, 1.0], size=(5, 7)).shape
    (2, 5, 7)
    """
    theta, phi = _as_angles(theta, phi)
    h, w = _kernel_size(size, n=len(theta))
    x, y = _grid(h, w)
    t = np.cos(theta)[:, None, None] * x + np.sin(theta)[:, None, None] * y
    raw = (np.cos(phi)[:, None, None] * t + np.sin(phi)[:, None, None] * t**2).reshape(len(t), h * w)
    constant = constant_rows(raw)
    if constant.any():
        i = int(np.flatnonzero(constant)[0])
        raise ValueError(
            f"theta and phi must give a patch that is not constant at size {(h, w)}; theta={theta[i]!r}, "
            f"phi={phi[i]!r} give a line across a side of 2 pixels, which is constant there."
        )
    return normalize_filters(raw).reshape(-1, h, w)


@validate_params({"n": [_COUNT], "size": _SIZE}, prefer_skip_nested_validation=True)
def primary_circle(n: int = 64, *, size=3) -> np.ndarray:
    """``n`` linear edge filters at evenly spaced angles ``2 π i / n``: the primary circle.

    On a square kernel the angle is the edge's, ``klein_filter(2 π i / n, 0)``. On an h × w kernel
    with ``h != w`` the vertical and the horizontal ramp have different norms, and the edges are
    spaced evenly in the plane where they are orthonormal: the ``i``-th filter is
    ``cos θ_i e_x + sin θ_i e_y`` (``e_x, e_y`` the normalized ramps), so at every size the bank
    steps along its circle in equal steps and has the Gram matrix that :func:`gradients` matches.

    Parameters
    ----------
    n : int, default=64
    size : int or tuple of (int, int), default=3
        The kernel: ``h = w = size``, or ``(h, w)``; each side at least 2.

    Returns
    -------
    filters : ndarray of shape (n, h, w)

    Examples
    --------
    >>> from sktopo.filterbanks import edge_energy, primary_circle
    >>> primary_circle(4)[1].round(3) + 0.0
    array([[-0.408, -0.408, -0.408],
           [ 0.   ,  0.   ,  0.   ],
           [ 0.408,  0.408,  0.408]])
    >>> bank = primary_circle(16, size=7)
    >>> bank.shape, bool(edge_energy(bank).min() > 1 - 1e-12)
    ((16, 7, 7), True)
    """
    h, w = _kernel_size(size, n=n)
    theta = 2 * np.pi * np.arange(n) / n
    if h != w:  # the angle in the plane of the orthonormal ramps: cos θ e_x + sin θ e_y
        x, y = _grid(h, w)
        theta = np.arctan2(np.sin(theta) / np.linalg.norm(y), np.cos(theta) / np.linalg.norm(x))
    return klein_filter(theta, 0.0, size=(h, w))


@validate_params({"n": [_COUNT], "size": _SIZE}, prefer_skip_nested_validation=True)
def secondary_circles(n: int = 64, *, size=3) -> np.ndarray:
    """``n`` filters on the two secondary circles: ``ceil(n / 2)`` vertical, the rest horizontal.

    Each circle runs from an edge (``φ = 0``) through a line (``φ = π / 2``) to the opposite
    edge and back, at evenly spaced ``φ``.

    Parameters
    ----------
    n : int, default=64
    size : int or tuple of (int, int), default=3
        The kernel: ``h = w = size``, or ``(h, w)``; each side at least 3 (across 2 pixels a
        line is constant, and a secondary circle pinches to two points).

    Returns
    -------
    filters : ndarray of shape (n, h, w)

    Examples
    --------
    >>> from sktopo.filterbanks import secondary_circles
    >>> secondary_circles(8)[1].round(3)
    array([[ 0.236, -0.471,  0.236],
           [ 0.236, -0.471,  0.236],
           [ 0.236, -0.471,  0.236]])
    >>> secondary_circles(8, size=(3, 5))[1][0].round(3)  # each row: a dark line down the middle
    array([ 0.309, -0.154, -0.309, -0.154,  0.309])
    """
    size = _kernel_size(size, 3, _LINES, n=n)
    n_vertical = -(-n // 2)
    phi = np.concatenate([2 * np.pi * np.arange(m) / m for m in (n_vertical, n - n_vertical) if m])
    theta = np.where(np.arange(n) < n_vertical, 0.0, np.pi / 2)
    return klein_filter(theta, phi, size=size)


@validate_params({"n": [_COUNT], "size": _SIZE}, prefer_skip_nested_validation=True)
def klein_bottle(n: int = 64, *, size=3) -> np.ndarray:
    """``n`` filters spread evenly over the Klein bottle (a golden-ratio lattice).

    ``θ_i = π (i + 1/2) / n`` covers the fundamental domain ``[0, π)`` and
    ``φ_i = 2 π frac(i (√5 − 1) / 2)`` fills ``[0, 2 π)`` with no two points close together,
    for any ``n``.

    Parameters
    ----------
    n : int, default=64
    size : int or tuple of (int, int), default=3
        The kernel: ``h = w = size``, or ``(h, w)``; each side at least 3 (across 2 pixels a
        line is constant, and the patches no longer make a Klein bottle).

    Returns
    -------
    filters : ndarray of shape (n, h, w)

    Examples
    --------
    >>> from sktopo.filterbanks import klein_bottle
    >>> klein_bottle(64).shape, klein_bottle(64, size=5).shape
    ((64, 3, 3), (64, 5, 5))
    """
    size = _kernel_size(size, 3, _LINES, n=n)
    i = np.arange(n)
    theta, phi = np.pi * (i + 0.5) / n, 2 * np.pi * np.mod(i * (np.sqrt(5) - 1) / 2, 1)
    return klein_filter(theta, phi, size=size)


@validate_params(
    {"n": [Interval(Integral, 3, None, closed="left")], "size": _SIZE}, prefer_skip_nested_validation=True
)
def gradients(n: int = 64, *, size=3) -> np.ndarray:
    """The two linear edge filters, scaled to the gain of ``primary_circle(n)``: its rank-2 span.

    The primary circle's ``n`` filters ``cos θ_i e_x + sin θ_i e_y`` all lie in the plane of
    the vertical and the horizontal edge ``e_x, e_y`` (orthonormal at every kernel size), so its
    ``n`` responses re-encode two gradient responses linearly. For ``n >= 3`` evenly spaced
    angles ``Σ cos² θ_i = Σ sin² θ_i = n / 2`` and ``Σ cos θ_i sin θ_i = 0``: the bank's Gram
    matrix ``Bᵀ B`` is ``n / 2`` times the projection on that plane. Scaling ``e_x, e_y`` by
    ``sqrt(n / 2)`` gives the same Gram matrix, hence the same Frobenius norm (``n``) and the
    same sum of squared responses on *every* patch of the kernel's size, so the same total
    variance of the appended responses on any images: the control for Fig. 13 that has the
    primary circle's information and gain in 2 channels instead of ``n``, and no circle.

    Parameters
    ----------
    n : int, default=64
        Filters of the primary circle to match, at least 3 (fewer do not span the plane).
    size : int or tuple of (int, int), default=3
        The kernel of that primary circle: ``h = w = size``, or ``(h, w)``; each side at least 2.

    Returns
    -------
    filters : ndarray of shape (2, h, w)
        The vertical edge (θ = 0), then the horizontal one (θ = π/2), each of norm ``sqrt(n / 2)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.filterbanks import gradients, primary_circle
    >>> G, B = gradients(64).reshape(2, 9), primary_circle(64).reshape(64, 9)
    >>> int(np.linalg.matrix_rank(B)), np.allclose(G.T @ G, B.T @ B)
    (2, True)
    >>> G, B = gradients(64, size=(3, 5)).reshape(2, 15), primary_circle(64, size=(3, 5)).reshape(64, 15)
    >>> np.allclose(G.T @ G, B.T @ B)
    True
    """
    return np.sqrt(n / 2) * primary_circle(4, size=size)[:2]


@validate_params(
    {"n": [_COUNT], "random_state": ["random_state"], "size": _SIZE}, prefer_skip_nested_validation=True
)
def gaussian(n: int = 64, random_state=None, *, size=3) -> np.ndarray:
    """``n`` random filters: standard normal pixels, then mean-centred and normalized.

    The paper's control: "a random gaussian" in place of the idealized filters.

    Parameters
    ----------
    n : int, default=64
    random_state : int, RandomState instance or None, default=None
    size : int or tuple of (int, int), default=3
        The kernel: ``h = w = size``, or ``(h, w)``; each side at least 2.

    Returns
    -------
    filters : ndarray of shape (n, h, w)

    Examples
    --------
    >>> from sktopo.filterbanks import gaussian
    >>> gaussian(5, random_state=0).reshape(5, 9).sum(axis=1).round(12) + 0
    array([0., 0., 0., 0., 0.])
    >>> gaussian(5, random_state=0, size=(2, 4)).shape
    (5, 2, 4)
    """
    h, w = _kernel_size(size, n=n)
    raw = check_random_state(random_state).standard_normal((n, h * w))
    return normalize_filters(raw).reshape(n, h, w)


def _filter_size(shape: tuple, size) -> tuple:
    """The kernel ``(h, w)`` of filters of array ``shape``: from the array, from ``size``, or from a square row."""
    if len(shape) == 3:
        if min(shape[1:]) < 2:
            raise ValueError(f"filters must have at least 2 pixels on each side; got shape {shape}.")
        if size is not None and _kernel_size(size) != shape[1:]:
            raise ValueError(f"size must be the filters' own (h, w) = {shape[1:]} or None; got {size!r}.")
        return shape[1:]
    if len(shape) != 2:
        raise ValueError(
            f"filters must be of shape (n_filters, h * w), rows read row by row, or (n_filters, h, w); "
            f"got shape {shape}."
        )
    if size is not None:
        h, w = _kernel_size(size)
        if h * w != shape[1]:
            raise ValueError(
                f"size must give rows of the filters' length, {shape[1]} pixels; got {size!r} ({h * w} pixels)."
            )
        return h, w
    side = math.isqrt(shape[1])
    if side < 2 or side * side != shape[1]:
        raise ValueError(
            f"filters have rows of {shape[1]} pixels, not the square of a side of at least 2: pass "
            "size=(h, w), or filters of shape (n_filters, h, w)."
        )
    return side, side


@validate_params({"filters": ["array-like"], "size": _SIZE}, prefer_skip_nested_validation=True)
def edge_energy(filters, *, size=None) -> np.ndarray:
    """Share of each filter's energy in the plane of the linear edge filters, at any kernel size.

    Each filter is first mean-centred and normalized (:func:`~sktopo.preprocessing.normalize_filters`),
    then projected on the plane of the primary circle: the span of the horizontal and the vertical
    linear edge (the two centred ramps of the kernel's grid, orthogonal at every size, each
    normalized: ``primary_circle(4, size=(h, w))[:2]``). The squared length of the projection is
    the share: 1 for a linear edge at any angle (a filter of the primary circle), 0 for a filter
    orthogonal to every edge (a line, a centre-surround: patterns symmetric under a half-turn),
    and on average ``2 / (h w − 1)`` for random zero-mean h × w filters, whose energy spreads
    evenly over the ``h w − 1`` dimensions of zero-mean filters: 2 / 8 at 3 × 3, 2 / 24 at 5 × 5,
    2 / 48 at 7 × 7, and 2 / 3 at 2 × 2, where the edges are 2 of the 3 dimensions. A constant
    filter has no energy once centred: its share is 0.

    Parameters
    ----------
    filters : array-like of shape (n_filters, h, w) or (n_filters, h * w)
        Finite filters, normalized or not, at least 2 pixels on each side; rows of ``h * w`` are
        read row by row.
    size : int, tuple of (int, int) or None, default=None
        The kernel ``(h, w)`` (an int for a square one). None takes it from 3-D filters, and for
        rows of ``h * w`` assumes a square kernel, which needs a square row length: rows of 15
        pixels need ``size=(3, 5)`` or ``(5, 3)``.

    Returns
    -------
    energy : ndarray of shape (n_filters,)
        In [0, 1]; empty for no filters.

    Raises
    ------
    ValueError
        For filters that are not finite, or not of those shapes; a ``size`` that does not fit
        them; rows whose length is not a square, without ``size``.

    Examples
    --------
    >>> from sktopo.filterbanks import edge_energy, gaussian, primary_circle, secondary_circles
    >>> edge_energy(primary_circle(5)).round(6)
    array([1., 1., 1., 1., 1.])
    >>> edge_energy(secondary_circles(8)).round(3)  # edge, line, opposite edge, line, twice
    array([1., 0., 1., 0., 1., 0., 1., 0.])
    >>> round(float(edge_energy(gaussian(20000, random_state=0)).mean()), 2)  # 2 / 8
    0.25
    >>> round(float(edge_energy(gaussian(20000, random_state=0, size=7)).mean()), 3)  # 2 / 48
    0.042
    >>> edge_energy(primary_circle(3, size=(3, 5)).reshape(3, 15), size=(3, 5)).round(6)
    array([1., 1., 1.])
    """
    array = check_array(
        filters, dtype=np.float64, ensure_2d=False, allow_nd=True, ensure_min_samples=0, input_name="filters"
    )
    h, w = _filter_size(array.shape, size)
    if not len(array):
        return np.zeros(0)
    plane = primary_circle(4, size=(h, w))[:2].reshape(2, h * w)  # the horizontal and vertical edge
    unit = normalize_filters(array.reshape(len(array), h * w))
    return np.clip(np.sum((unit @ plane.T) ** 2, axis=1), 0.0, 1.0)
