"""Synthetic spatial-filter clouds of known topology: ground truth for tests and experiments.

Each ``make_*_filters`` function samples points of an idealized filter space of
:mod:`sktopo.filterbanks` (unit-norm, zero-mean 3 × 3 filters; h × w for
:func:`make_circle_filters` with ``size``) at random parameters and adds independent Gaussian
noise of standard deviation ``noise`` to every pixel. The result is *not*
normalized: it plays the part of raw learned weights, to be passed through
:class:`~sktopo.preprocessing.FilterNormalizer` as real filters are.
"""

import numpy as np
from sklearn.utils import check_random_state

from .._validation import Integral, Interval, Real, check_memory, validate_params
from ..filterbanks import klein_filter

__all__ = [
    "make_circle_filters",
    "make_gaussian_filters",
    "make_klein_filters",
    "make_three_circle_filters",
    "make_torus_filters",
    "make_two_circle_filters",
]


_CONSTRAINTS = {
    "n": [Interval(Integral, 1, None, closed="left")],  # refuses booleans
    "noise": [Interval(Real, 0, None, closed="left")],  # refuses NaN and inf
    "random_state": ["random_state"],
}


#: Bytes per pixel of a cloud while it is drawn: about eight float64 arrays of ``n * h * w`` values.
_CLOUD_BYTES = 64


def _check_memory(n: int, n_pixels: int = 9) -> None:
    """Refuse, before any draw, ``n`` filters of ``n_pixels`` that would not fit in memory."""
    each = _CLOUD_BYTES * n_pixels
    check_memory("n", n, n * each, f"{n:,} filters of {n_pixels} pixels", each=each, unit="filters")


def _noisy(filters: np.ndarray, noise: float, rng) -> np.ndarray:
    flat = filters.reshape(len(filters), -1)
    return flat + noise * rng.standard_normal(flat.shape)


@validate_params(
    {**_CONSTRAINTS, "size": "no_validation"},  # checked by klein_filter, which says what it accepts
    prefer_skip_nested_validation=True,
)
def make_circle_filters(n: int = 6400, noise: float = 0.1, random_state=None, *, size=3) -> np.ndarray:
    """Noisy samples of the primary circle: linear edges at uniformly random angles.

    Parameters
    ----------
    n : int, default=6400
        Number of filters; 6,400 is the paper's 100 networks × 64 first-layer filters.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to each pixel of a unit-norm filter. The
        noise's expected norm is ``noise * sqrt(h * w)``: to keep a 3 × 3 cloud's signal-to-noise
        ratio at h × w, scale ``noise`` by ``3 / sqrt(h * w)``.
    random_state : int, RandomState instance or None, default=None
    size : int or tuple of (int, int), default=3
        The kernel: ``h = w = size``, or ``(h, w)``; each side at least 2. The edge at angle θ
        is :func:`sktopo.filterbanks.klein_filter` ``(θ, 0, size=size)``.

    Returns
    -------
    X : ndarray of shape (n, h * w)
        One filter per row, read row by row.

    Examples
    --------
    >>> from sktopo.datasets import make_circle_filters
    >>> make_circle_filters(100, noise=0.0, random_state=0).shape
    (100, 9)
    >>> make_circle_filters(100, noise=0.03, random_state=0, size=7).shape
    (100, 49)
    """
    side = (size, size) if isinstance(size, Integral) else size
    if isinstance(side, (tuple, list)) and all(isinstance(v, Integral) and v > 0 for v in side):
        _check_memory(n, int(np.prod(side, dtype=object)))  # a bad size: klein_filter says why
    rng = check_random_state(random_state)
    return _noisy(klein_filter(rng.uniform(0, 2 * np.pi, n), 0.0, size=size), noise, rng)


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_three_circle_filters(n: int = 6400, noise: float = 0.1, random_state=None) -> np.ndarray:
    """Noisy samples of the three-circle model (Fig. 8): primary plus two secondary circles.

    Each point lies on the primary circle with probability 1/2 and on each secondary circle
    with probability 1/4, at a uniformly random angle. Each secondary circle meets the primary
    circle in two points and the secondary circles do not meet: the four meeting points cut the
    union into eight arcs, so it has one component and ``8 - 4 + 1 = 5`` independent loops (the
    primary circle, and two for each secondary circle).

    Parameters
    ----------
    n : int, default=6400
    noise : float, default=0.1
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n, 9)

    Examples
    --------
    >>> from sktopo.datasets import make_three_circle_filters
    >>> make_three_circle_filters(10, random_state=0).shape
    (10, 9)
    """
    _check_memory(n)
    rng = check_random_state(random_state)
    circle = rng.choice(3, size=n, p=[0.5, 0.25, 0.25])
    angle = rng.uniform(0, 2 * np.pi, n)
    theta = np.where(circle == 0, angle, np.where(circle == 1, 0.0, np.pi / 2))
    phi = np.where(circle == 0, 0.0, angle)
    return _noisy(klein_filter(theta, phi), noise, rng)


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_klein_filters(n: int = 6400, noise: float = 0.1, random_state=None) -> np.ndarray:
    """Noisy samples of the Klein bottle of Carlsson et al. (2008), at uniform parameters.

    Parameters
    ----------
    n : int, default=6400
    noise : float, default=0.1
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n, 9)

    Examples
    --------
    >>> from sktopo.datasets import make_klein_filters
    >>> make_klein_filters(10, random_state=0).shape
    (10, 9)
    """
    _check_memory(n)
    rng = check_random_state(random_state)
    theta, phi = rng.uniform(0, np.pi, n), rng.uniform(0, 2 * np.pi, n)
    return _noisy(klein_filter(theta, phi), noise, rng)


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_two_circle_filters(n: int = 6400, noise: float = 0.1, random_state=None) -> np.ndarray:
    """Noisy samples of the primary circle and one secondary circle, which meet twice.

    Each point lies on the primary circle (edges at angle θ, φ = 0) or the vertical secondary
    circle (θ = 0, every φ) with probability 1/2, at a uniformly random angle. The circles meet
    at the vertical edge and its opposite (φ = 0 and φ = π, which is θ = π on the primary circle):
    two meeting points and four arcs give ``4 - 2 + 1 = 3`` independent loops.

    Parameters
    ----------
    n : int, default=6400
    noise : float, default=0.1
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n, 9)

    Examples
    --------
    >>> from sktopo.datasets import make_two_circle_filters
    >>> make_two_circle_filters(10, random_state=0).shape
    (10, 9)
    """
    _check_memory(n)
    rng = check_random_state(random_state)
    primary = rng.random_sample(n) < 0.5
    angle = rng.uniform(0, 2 * np.pi, n)
    return _noisy(klein_filter(np.where(primary, angle, 0.0), np.where(primary, 0.0, angle)), noise, rng)


def _torus_basis() -> np.ndarray:
    """Four orthonormal zero-mean 3 x 3 patterns: the x and y gradients, then x² and y² made orthogonal."""
    x, y = np.meshgrid([-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0])
    patterns = np.stack([x.ravel(), y.ravel(), (x**2).ravel(), (y**2).ravel()])
    patterns -= patterns.mean(axis=1, keepdims=True)
    return np.linalg.qr(patterns.T)[0].T


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_torus_filters(n: int = 6400, noise: float = 0.1, random_state=None) -> np.ndarray:
    """Noisy samples of a flat torus of unit-norm filters, a control with H1 of rank 2 over any field.

    ``(cos α e1 + sin α e2 + cos β e3 + sin β e4) / √2`` at uniform angles α and β, with ``e1, e2``
    the linear edges along x and y and ``e3, e4`` the zero-mean x² and y² patterns made
    orthonormal (a Clifford torus in the space of zero-mean filters). Unlike the Klein bottle
    its Betti numbers are the same over Z/2 and Z/3.

    Parameters
    ----------
    n : int, default=6400
    noise : float, default=0.1
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n, 9)

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.datasets import make_torus_filters
    >>> X = make_torus_filters(5, noise=0.0, random_state=0)
    >>> np.linalg.norm(X, axis=1).round(12).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0]
    """
    _check_memory(n)
    rng = check_random_state(random_state)
    alpha, beta = rng.uniform(0, 2 * np.pi, (2, n))
    circles = np.stack([np.cos(alpha), np.sin(alpha), np.cos(beta), np.sin(beta)], axis=1) / np.sqrt(2)
    return _noisy(circles @ _torus_basis(), noise, rng)


@validate_params(_CONSTRAINTS, prefer_skip_nested_validation=True)
def make_gaussian_filters(n: int = 6400, noise: float = 0.1, random_state=None) -> np.ndarray:
    """Structureless filters: i.i.d. standard normal pixels, mean-centred (``noise`` is not used).

    The null model of :func:`sktopo.homology.random_filter_test`, as a cloud: no shape should be
    found in it. ``noise`` is accepted, and ignored, so that every ``make_*_filters`` function can
    be called alike.

    Parameters
    ----------
    n : int, default=6400
    noise : float, default=0.1
        Ignored.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n, 9)

    Examples
    --------
    >>> from sktopo.datasets import make_gaussian_filters
    >>> make_gaussian_filters(4, random_state=0).sum(axis=1).round(12) + 0
    array([0., 0., 0., 0.])
    """
    _check_memory(n)
    raw = check_random_state(random_state).standard_normal((n, 9))
    return raw - raw.mean(axis=1, keepdims=True)
