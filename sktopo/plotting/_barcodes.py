"""Barcodes drawn as in the paper's figures: H0 above H1, one horizontal bar per class."""

from numbers import Integral

import numpy as np

from .._validation import HasMethods, validate_params
from ..homology import check_diagram

__all__ = ["plot_barcodes"]


@validate_params(
    {
        "diagrams": [list, tuple],
        "ax": [HasMethods(["hlines"]), None],
        "dims": ["array-like", None],
        "colors": [list, tuple],
    },
    prefer_skip_nested_validation=True,
)
def plot_barcodes(diagrams, ax=None, *, dims=None, colors=("tab:blue", "tab:red", "tab:green")):
    """Draw persistence barcodes, dimension by dimension, stacked top to bottom.

    Each bar runs from birth to death; bars that never die run to the right edge and end in
    an arrow. Within a dimension bars are sorted by birth, longest on top for equal births.
    persim draws persistence *diagrams* (``persim.plot_diagrams``); this draws the barcodes
    the paper shows beside its Mapper graphs.

    Parameters
    ----------
    diagrams : list of ndarray of shape (n_bars, 2)
        One per dimension, as returned by :func:`sktopo.homology.persistence_diagrams` or
        ripser: rows ``[birth, death]`` with finite births and deaths at or after them
        (``inf`` for a bar that never dies).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure's Axes when None.
    dims : list of int, default=None
        Dimensions to draw; all when None.
    colors : list or tuple of str, default=("tab:blue", "tab:red", "tab:green")
        Colour per dimension (cycled).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sktopo.plotting import plot_barcodes
    >>> ax = plot_barcodes([np.array([[0, 0.5], [0, np.inf]]), np.array([[0.2, 1.3]])])
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['H0', 'H1']
    """
    import matplotlib.pyplot as plt

    if not diagrams:
        raise ValueError("diagrams must be a non-empty list of (n_bars, 2) arrays, one per dimension.")
    if not colors:
        raise ValueError("colors must hold at least one colour.")
    diagrams = [check_diagram(d, name=f"diagrams[{i}]") for i, d in enumerate(diagrams)]
    dims = list(range(len(diagrams))) if dims is None else list(dims)
    if any(isinstance(d, bool) or not isinstance(d, Integral) or not 0 <= d < len(diagrams) for d in dims):
        raise ValueError(
            f"dims must be dimensions of diagrams (ints from 0 to {len(diagrams) - 1}); got {dims}."
        )
    finite = np.concatenate([d[np.isfinite(d)] for d in diagrams] + [np.zeros(1)])
    right = 1.05 * finite.max() or 1.0
    height = min(8.0, 1.5 + 0.01 * sum(len(diagrams[d]) for d in dims))
    ax = plt.figure(figsize=(6, height)).add_subplot() if ax is None else ax
    top, centres = 0.0, []
    for i, dim in enumerate(dims):
        bars = diagrams[dim][np.lexsort((-(diagrams[dim][:, 1] - diagrams[dim][:, 0]), diagrams[dim][:, 0]))]
        rows = top - np.arange(len(bars))
        ends = np.where(np.isfinite(bars[:, 1]), bars[:, 1], right)
        ax.hlines(rows, bars[:, 0], ends, color=colors[i % len(colors)], linewidth=1.5)
        ax.plot(
            right * np.ones(int(np.sum(~np.isfinite(bars[:, 1])))),
            rows[~np.isfinite(bars[:, 1])],
            ">",
            color=colors[i % len(colors)],
            markersize=4,
        )
        centres.append(top - (len(bars) - 1) / 2)
        top -= len(bars) + 2
    ax.set_yticks(centres, [f"H{dim}" for dim in dims])
    ax.set_xlim(0, right * 1.02)
    ax.set_xlabel("scale (Rips: edge length)")
    return ax
