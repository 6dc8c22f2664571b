"""Ayasdi's resolution/gain cover of the lens space."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from .._validation import Integral, Interval, Real, check_memory, fit_context, validate_params

__all__ = ["Cover"]


#: How many ulps (of the lens values' magnitude) the inner interval ends are widened by.
_SLACK_ULPS = 16


def _slack(low, high):
    """The widening of the inner interval ends: a few ulps of the largest value involved."""
    return _SLACK_ULPS * np.spacing(np.maximum(np.maximum(np.abs(low), np.abs(high)), high - low))


def _no_range(low, high):
    """Lens dimensions whose range is zero up to rounding: a few times the intervals' slack."""
    return np.asarray(high - low) <= 4 * _slack(low, high)


#: Bytes a cover allocates per interval and lens dimension while laying them out (the index, the
#: starts, the ends and the ``[start, end]`` pairs: 5 float64 values).
INTERVAL_BYTES = 40


@validate_params(
    {
        "resolution": [Interval(Integral, 1, None, closed="left")],
        "n_dimensions": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def check_resolution(resolution: int, n_dimensions: int = 2) -> None:
    """Refuse, before any work, a ``resolution`` whose intervals would not fit in memory.

    Parameters
    ----------
    resolution : int
        Intervals per lens dimension.
    n_dimensions : int, default=2
        Lens dimensions (2: :class:`~sktopo.mapper.Mapper`'s default PCA lens).

    Raises
    ------
    ValueError
        When ``resolution`` intervals on each dimension need more than the available memory,
        saying how much they need and the most that fit.

    Examples
    --------
    >>> from sktopo.mapper import check_resolution
    >>> check_resolution(30)
    """
    each = INTERVAL_BYTES * n_dimensions
    check_memory(
        "resolution",
        resolution,
        each * resolution,
        f"the cover's intervals on {n_dimensions} lens dimension(s)",
        each=each,
        unit="intervals",
    )


class Cover(BaseEstimator):
    """Overlapping equal-length intervals per lens dimension, as Ayasdi defines them.

    For a lens dimension with range ``[a, b]`` over the data, ``resolution`` = N intervals of
    equal length ``L`` are laid out so that consecutive intervals overlap by the fraction
    ``1 - 1/gain`` of their length (the paper's "percent overlap = 1 − (1/gain)"): their start
    points are ``s = L / gain`` apart, the first starts at ``a`` and the last ends at ``b``::

        L = (b - a) / ((N - 1) / gain + 1),    interval i = [a + i·s, a + i·s + L],  i < N.

    Intervals are closed, so every point lies in at least one; a point lies in about ``gain``
    intervals (exactly ``gain`` of them away from the ends when ``gain`` is an integer and the
    point is off the interval ends). The inner ends are widened by 16 ulps of the values'
    magnitude, so that rounding never leaves a gap between interval ``i``'s end and interval ``i + gain``'s
    start, which the formula makes equal. The cover of a d-dimensional lens is the product of the
    intervals of its dimensions; :meth:`cells` visits only the cells that hold rows, so the
    cost follows the data, not ``N ** d``.

    A lens dimension with zero range up to rounding (within a few ulps: a constant cloud, or a
    lens that ignores the data) gets a single interval ``[low, high]`` and a warning: N copies
    of it would only repeat the same cell N times, and N intervals over rounding noise would
    cut one cluster into pieces.

    The cover of :class:`~sktopo.mapper.Mapper` (``Mapper(cover=Cover(...))``); any estimator
    with ``fit(lens)`` and ``cells(lens)`` as here can take its place.

    Parameters
    ----------
    resolution : int, default=30
        Number of intervals per lens dimension, N >= 1; refused when they would not fit in
        memory (:func:`check_resolution`).
    gain : float, default=3
        Overlap factor, > 1: consecutive intervals share the fraction ``1 - 1/gain``.

    Attributes
    ----------
    intervals_ : list of ndarray of shape (resolution, 2)
        ``[start, end]`` of each interval, per lens dimension (shape (1, 2) for a dimension of
        zero range up to rounding).
    n_features_in_ : int
        Number of lens dimensions.

    Examples
    --------
    >>> from sktopo.mapper import Cover
    >>> cover = Cover(resolution=3, gain=2).fit([[0.0], [4.0]])
    >>> cover.intervals_[0]
    array([[0., 2.],
           [1., 3.],
           [2., 4.]])
    >>> cover.cells([[0.0], [2.0], [4.0]])
    [((0,), array([0, 1])), ((1,), array([1])), ((2,), array([1, 2]))]
    """

    _parameter_constraints = {
        "resolution": [Interval(Integral, 1, None, closed="left")],
        "gain": [Interval(Real, 1, None, closed="neither")],
    }

    def __init__(self, resolution=30, gain=3):
        self.resolution = resolution
        self.gain = gain

    @fit_context
    def fit(self, lens, y=None):
        """Lay out the intervals over the range of each lens dimension.

        Parameters
        ----------
        lens : array-like of shape (n_samples, n_dimensions)
        y : None
            Ignored.

        Returns
        -------
        self : Cover
        """
        lens = validate_data(self, lens, dtype=np.float64)
        check_resolution(self.resolution, lens.shape[1])
        low, high = lens.min(axis=0), lens.max(axis=0)
        constant = np.flatnonzero(_no_range(low, high))
        if len(constant):
            warnings.warn(
                f"The lens is constant along dimension(s) {constant.tolist()} (zero range up to rounding: "
                f"every row has the same lens value, e.g. all rows of the data are identical); each gets "
                f"one interval instead of resolution={self.resolution}, and the graph shows nothing along it.",
                UserWarning,
                stacklevel=3,
            )
        self.intervals_ = [self._layout(a, b) for a, b in zip(low, high)]
        return self

    def cells(self, lens) -> list[tuple[tuple[int, ...], np.ndarray]]:
        """The non-empty cells of the cover and the rows of ``lens`` in each.

        Only occupied cells are visited: each row's intervals are found per dimension by binary
        search, the rows are expanded into the (about ``gain ** d``) cells holding them, and the
        pairs are grouped by cell.

        Parameters
        ----------
        lens : array-like of shape (n_samples, n_dimensions)

        Returns
        -------
        cells : list of (tuple of int, ndarray of int)
            The cell's interval index per dimension, and the row indices in it (increasing),
            in lexicographic order of the cells.
        """
        check_is_fitted(self)
        lens = validate_data(self, lens, dtype=np.float64, reset=False)
        rows, index = self._memberships(lens)
        if not len(rows):
            return []
        order = np.lexsort((rows, *index.T[::-1]))  # by cell, lexicographically, then by row
        rows, index = rows[order], index[order]
        starts = np.flatnonzero(np.r_[True, np.any(index[1:] != index[:-1], axis=1)])
        return [
            (tuple(int(i) for i in index[s]), members)
            for s, members in zip(starts, np.split(rows, starts[1:]))
        ]

    def _layout(self, low: float, high: float) -> np.ndarray:
        if _no_range(low, high):
            return np.array([[low, high]])
        length = (high - low) / ((self.resolution - 1) / self.gain + 1)
        starts = low + np.arange(self.resolution) * (length / self.gain)
        intervals = np.column_stack([starts, starts + length])
        # Interval i should end exactly where interval i + gain starts, but the two are computed
        # apart and differ by an ulp about as often as not: a value between them would lie in one
        # interval fewer than the overlap promises. Widening the inner ends by a few ulps closes
        # such gaps and moves nothing else.
        slack = _slack(low, high)
        intervals[1:, 0] -= slack
        intervals[:-1, 1] += slack
        intervals[0, 0], intervals[-1, 1] = low, high  # exact ends
        return intervals

    def _memberships(self, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (row, cell) pair of the cover: the row index and the cell's interval indices."""
        # the intervals holding a value run from the first that ends at or after it up to, not
        # including, the first that starts after it (starts and ends both increase)
        first = np.column_stack(
            [np.searchsorted(iv[:, 1], v, "left") for iv, v in zip(self.intervals_, lens.T)]
        )
        stop = np.column_stack(
            [np.searchsorted(iv[:, 0], v, "right") for iv, v in zip(self.intervals_, lens.T)]
        )
        counts = np.maximum(stop - first, 0)
        per_row = counts.prod(axis=1)
        rows = np.repeat(np.arange(len(lens)), per_row)
        rank = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        index = np.empty((len(rows), lens.shape[1]), dtype=np.intp)
        for j in reversed(range(lens.shape[1])):  # the pair's rank, in mixed radix over the counts
            index[:, j] = first[rows, j] + rank % counts[rows, j]
            rank //= counts[rows, j]
        return rows, index
