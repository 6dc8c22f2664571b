"""A dense core on its first two principal components, beside the idealized primary circle."""

import math

import numpy as np

from .._validation import HasMethods, validate_params
from ..filterbanks import primary_circle
from ..preprocessing import normalize_filters

__all__ = ["DenseCoreDisplay", "plot_dense_core"]

#: Filters of the primary-circle bank drawn as the closed line.
N_CIRCLE = 128

#: Fewest rows of a core with two principal components worth drawing.
MIN_ROWS = 3


def check_core(dense) -> np.ndarray:
    """``dense`` as a finite float array of shape (n, n_features), n >= 3, n_features >= 2, not constant."""
    array = np.asarray(dense)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"dense must be an array of real numbers; got dtype {array.dtype}.")
    if array.ndim != 2 or array.shape[0] < MIN_ROWS or array.shape[1] < 2:
        raise ValueError(
            f"dense must have shape (n_filters, n_features) with at least {MIN_ROWS} filters and 2 "
            f"features, for two principal components; got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError("dense must hold finite numbers; got NaN or infinite values.")
    array = array.astype(float)
    if not np.ptp(array, axis=0).any():
        raise ValueError(
            f"dense has zero variance: its {len(array)} rows are one filter, with no principal component."
        )
    return array


def _circle_side(n_features: int, kernel_size) -> tuple:
    """The side of the square kernel of rows of ``n_features`` pixels and None, or None and why not.

    ``kernel_size`` (h, w), where given, decides; otherwise a square pixel count is taken as a
    square kernel.
    """
    if kernel_size is not None:
        h, w = kernel_size
        if h * w != n_features:
            raise ValueError(
                f"kernel_size={tuple(kernel_size)} has {h * w} pixels; the core's rows have {n_features}."
            )
        if h != w or h < 2:
            return None, f"no primary circle: {h} × {w} kernels are not square"
        return h, None
    side = math.isqrt(n_features)
    if side >= 2 and side * side == n_features:
        return side, None
    return None, f"no primary circle: {n_features} features are not a square kernel"


class DenseCoreDisplay:
    """A dense core on its first two principal components, with the idealized primary circle.

    The points are the core's filters projected on its first two principal components (the
    singular vectors of the mean-centred core); each axis says the share of the variance it
    carries. The closed line is the primary circle of :func:`sktopo.filterbanks.primary_circle`
    at the core's kernel size, normalized as the core is
    (:func:`sktopo.preprocessing.normalize_filters`) and projected with the core's mean and
    axes: a core that shows the circle lies along it. The circle is drawn for square kernels of
    side 2 or more, ``kernel_size`` where given, else where the feature count is a square
    ``s * s``; otherwise the title says why not. scikit-learn's Display API;
    :func:`plot_dense_core` is its shortcut.

    Parameters
    ----------
    dense : array-like of shape (n_filters, n_features)
        The dense core: normalized filters (zero mean, unit norm), rows read row by row; at
        least 3 rows, not all equal.
    circle : bool, default=True
        Whether to draw the primary circle.
    kernel_size : tuple of (int, int), default=None
        The (height, width) of the kernels the rows come from
        (:attr:`sktopo.profile.LayerTopology.kernel_size`); None takes a square pixel count as a
        square kernel, so pass it for a 4 × 9 kernel, whose 36 pixels are not a 6 × 6 one.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    mean_ : ndarray of shape (n_features,)
        The core's mean filter.
    components_ : ndarray of shape (2, n_features)
        The first two principal axes, unit vectors.
    explained_variance_ratio_ : ndarray of shape (2,)
        The share of the core's variance along each.
    scores_ : ndarray of shape (n_filters, 2)
        The filters' coordinates on them (the points drawn).
    circle_ : ndarray of shape (N_CIRCLE + 1, 2) or None
        The primary circle's coordinates, its first point repeated at the end (the line
        drawn); None when it is not drawn.
    circle_line_ : matplotlib Line2D or None
        The circle's line.
    circle_note_ : str or None
        Why the circle is not drawn, for a core that is not of a square kernel.

    See Also
    --------
    sktopo.filterbanks.primary_circle : The idealized filters.
    PrimaryCircleDisplay : The same core as a Mapper graph, beside its barcodes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.plotting import DenseCoreDisplay
    >>> from sktopo.preprocessing import normalize_filters
    >>> dense = normalize_filters(make_circle_filters(100, noise=0.05, random_state=0))
    >>> display = DenseCoreDisplay.from_core(dense)
    >>> display.scores_.shape, display.circle_.shape
    ((100, 2), (129, 2))
    >>> display.ax_.get_xlabel().startswith("PC1 (")
    True
    """

    def __init__(self, dense, *, circle=True, kernel_size=None):
        self.dense = dense
        self.circle = circle
        self.kernel_size = kernel_size

    @classmethod
    def from_core(cls, dense, *, circle=True, kernel_size=None, ax=None):
        """Draw a dense core.

        Parameters
        ----------
        dense : array-like of shape (n_filters, n_features)
        circle : bool, default=True
        kernel_size : tuple of (int, int), default=None
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : DenseCoreDisplay
        """
        return cls(dense, circle=circle, kernel_size=kernel_size).plot(ax)

    def plot(self, ax=None):
        """Draw the core's points and, where it can, the primary circle.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure's Axes when None.

        Returns
        -------
        self : DenseCoreDisplay

        Raises
        ------
        TypeError
            If ``dense`` does not hold real numbers.
        ValueError
            If ``dense`` is not 2-D, has fewer than 3 rows or 2 features, holds NaN or infinite
            values, or has zero variance (every row the same filter); or if ``kernel_size``
            does not hold the rows' pixel count.
        """
        import matplotlib.pyplot as plt

        dense = check_core(self.dense)
        self.mean_ = dense.mean(axis=0)
        _, singular, axes = np.linalg.svd(dense - self.mean_, full_matrices=False)
        variance = singular**2  # at least two: 3 rows or more, 2 features or more
        self.components_, self.explained_variance_ratio_ = axes[:2], variance[:2] / variance.sum()
        self.scores_ = (dense - self.mean_) @ self.components_.T
        self.circle_, self.circle_note_ = self._circle(dense.shape[1])
        ax = plt.figure(figsize=(5, 5)).add_subplot() if ax is None else ax
        ax.scatter(
            *self.scores_.T, s=8, alpha=0.6, color="tab:blue", label=f"dense core ({len(dense)} filters)"
        )
        self.circle_line_ = None
        if self.circle_ is not None:
            side = math.isqrt(dense.shape[1])
            label = f"primary circle ({side}×{side})"
            (self.circle_line_,) = ax.plot(*self.circle_.T, color="tab:red", linewidth=1.5, label=label)
        self._decorate(ax)
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _circle(self, n_features: int) -> tuple:
        """The primary circle's closed line in the PC plane and None, or None and why it is not drawn."""
        if not self.circle:
            return None, None
        side, why_not = _circle_side(n_features, self.kernel_size)
        if side is None:
            return None, why_not
        bank = normalize_filters(primary_circle(N_CIRCLE, size=side).reshape(N_CIRCLE, n_features))
        points = (bank - self.mean_) @ self.components_.T
        return np.vstack([points, points[:1]]), None

    def _decorate(self, ax) -> None:
        for i, (axis, ratio) in enumerate(zip("xy", self.explained_variance_ratio_)):
            getattr(ax, f"set_{axis}label")(f"PC{i + 1} ({ratio:.0%} of variance)")
        ax.set_aspect("equal", adjustable="datalim")
        ax.axhline(0, color="grey", linewidth=0.5)
        ax.axvline(0, color="grey", linewidth=0.5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small")
        title = "Dense core on its first two principal components"
        ax.set_title(
            title if self.circle_note_ is None else f"{title}\n({self.circle_note_})", fontsize="medium"
        )


@validate_params(
    {
        "dense": ["array-like"],
        "ax": [HasMethods(["scatter", "plot"]), None],
        "circle": ["boolean"],
        "kernel_size": [tuple, None],
    },
    prefer_skip_nested_validation=True,
)
def plot_dense_core(dense, ax=None, *, circle: bool = True, kernel_size=None):
    """Draw a dense core on its first two principal components: :class:`DenseCoreDisplay`'s shortcut.

    Parameters
    ----------
    dense : array-like of shape (n_filters, n_features)
        The dense core: normalized filters, rows read row by row; at least 3 rows, not all equal.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.
    circle : bool, default=True
        Whether to draw the primary circle of the core's kernel size, projected on the same
        plane (only for square kernels, of side 2 or more).
    kernel_size : tuple of (int, int), default=None
        The (height, width) of the kernels; None takes a square pixel count as a square kernel.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    TypeError
        If ``dense`` does not hold real numbers.
    ValueError
        If ``dense`` is not 2-D, has fewer than 3 rows or 2 features, holds NaN or infinite
        values, or has zero variance; or if ``kernel_size`` does not hold the rows' pixel count.

    See Also
    --------
    DenseCoreDisplay : the same picture as an object (``scores_``, ``circle_``...).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sktopo.plotting import plot_dense_core
    >>> dense = np.random.default_rng(0).standard_normal((20, 8))
    >>> plot_dense_core(dense).get_title()
    'Dense core on its first two principal components\\n(no primary circle: 8 features are not a square kernel)'
    """
    return DenseCoreDisplay(dense, circle=circle, kernel_size=kernel_size).plot(ax).ax_
