"""Ayasdi's resolution/gain cover of the lens space."""

import itertools

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array, check_is_fitted

from .._validation import Integral, Interval, Real, fit_context

__all__ = ["Cover"]


class Cover(BaseEstimator):
    """Overlapping equal-length intervals per lens dimension, as Ayasdi defines them.

    For a lens dimension with range ``[a, b]`` over the data, ``resolution`` = N intervals of
    equal length ``L`` are laid out so that consecutive intervals overlap by the fraction
    ``1 - 1/gain`` of their length (the paper's "percent overlap = 1 − (1/gain)"): their start
    points are ``s = L / gain`` apart, the first starts at ``a`` and the last ends at ``b``::

        L = (b - a) / ((N - 1) / gain + 1),    interval i = [a + i·s, a + i·s + L],  i < N.

    Intervals are closed, so every point lies in at least one; a point lies in about ``gain``
    intervals (exactly ``gain`` of them away from the ends when ``gain`` is an integer and the
    point is off the interval ends). A lens dimension with zero range gets N copies of its only
    value. The cover of a d-dimensional lens is the product: ``N ** d`` cells.

    Parameters
    ----------
    resolution : int, default=30
        Number of intervals per lens dimension, N >= 1.
    gain : float, default=3
        Overlap factor, > 1: consecutive intervals share the fraction ``1 - 1/gain``.

    Attributes
    ----------
    intervals_ : list of ndarray of shape (resolution, 2)
        ``[start, end]`` of each interval, per lens dimension.

    Examples
    --------
    >>> from sktopo.mapper import Cover
    >>> Cover(resolution=3, gain=2).fit([[0.0], [4.0]]).intervals_[0]
    array([[0., 2.],
           [1., 3.],
           [2., 4.]])
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
        lens = check_array(lens, dtype=np.float64)
        low, high = lens.min(axis=0), lens.max(axis=0)
        length = (high - low) / ((self.resolution - 1) / self.gain + 1)
        starts = low[:, None] + np.arange(self.resolution) * (length / self.gain)[:, None]
        self.intervals_ = [np.column_stack([s, s + width]) for s, width in zip(starts, length)]
        for intervals, top in zip(self.intervals_, high):
            intervals[-1, 1] = top  # exact end despite rounding
        return self

    def cells(self, lens) -> list[tuple[tuple[int, ...], np.ndarray]]:
        """The non-empty cells of the cover and the rows of ``lens`` in each.

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
        lens = check_array(lens, dtype=np.float64)
        per_dimension = [self._memberships(lens[:, j], self.intervals_[j]) for j in range(lens.shape[1])]
        cells = []
        for index in itertools.product(*(range(self.resolution) for _ in per_dimension)):
            members = per_dimension[0][index[0]]
            for j in range(1, len(index)):
                members = np.intersect1d(members, per_dimension[j][index[j]], assume_unique=True)
            if len(members):
                cells.append((index, members))
        return cells

    @staticmethod
    def _memberships(values, intervals) -> list[np.ndarray]:
        order = np.argsort(values, kind="stable")
        sorted_values = values[order]
        lo = np.searchsorted(sorted_values, intervals[:, 0], side="left")
        hi = np.searchsorted(sorted_values, intervals[:, 1], side="right")
        return [np.sort(order[a:b]) for a, b in zip(lo, hi)]
