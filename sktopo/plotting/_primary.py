"""Fig. 2: the first layer's dense core as a Mapper graph, beside its barcodes."""

import numpy as np

from ._barcodes import BarcodeDisplay
from ._mapper import MapperGraphDisplay

__all__ = ["PrimaryCircleDisplay"]


class PrimaryCircleDisplay:
    """One layer's dense core as the paper's Fig. 2 shows it: its Mapper graph and its barcodes.

    Left, the Mapper graph with mean filters (:class:`MapperGraphDisplay`); right, the H0 and
    H1 barcodes with the significance threshold as a grey bracket (:class:`BarcodeDisplay`),
    titled with the verdict. scikit-learn's Display API.

    Parameters
    ----------
    evidence : sktopo.profile.LayerTopology
        A layer's evidence: :attr:`sktopo.experiments.PrimaryCircle.evidence`, or a value of
        :attr:`sktopo.profile.TopologyProfile.evidence`.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes, shape (2,)
    figure_ : matplotlib Figure
    mapper_ : MapperGraphDisplay
    barcodes_ : BarcodeDisplay

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktopo.experiments import primary_circle
    >>> from sktopo.plotting import PrimaryCircleDisplay
    >>> result = primary_circle(n_networks=2, iterations=5, random_state=0)
    >>> display = PrimaryCircleDisplay.from_result(result)
    >>> display.axes_[1].get_title()
    'layer 1: too_small'
    """

    def __init__(self, evidence):
        self.evidence = evidence

    @classmethod
    def from_result(cls, result, *, axes=None, n_filters=8):
        """Draw a :func:`~sktopo.experiments.primary_circle` result.

        Parameters
        ----------
        result : PrimaryCircle
        axes : array-like of two matplotlib Axes, default=None
        n_filters : int, default=8
            As in :meth:`plot`.

        Returns
        -------
        display : PrimaryCircleDisplay
        """
        if not hasattr(getattr(result, "evidence", None), "mapper"):
            raise TypeError(
                f"result must be a primary_circle result (with one layer's evidence); got {type(result).__name__}. "
                "For a layer of a profile: PrimaryCircleDisplay(profile.evidence[layer]).plot()."
            )
        return cls(result.evidence).plot(axes, n_filters=n_filters)

    def plot(self, axes=None, *, n_filters=8):
        """Draw the graph and the barcodes.

        Parameters
        ----------
        axes : array-like of two matplotlib Axes, default=None
            The graph's and the barcodes'; a new figure's when None.
        n_filters : int, default=8
            Mean filters drawn beside the graph.

        Returns
        -------
        self : PrimaryCircleDisplay

        Raises
        ------
        ValueError
            If ``axes`` does not hold two Axes.
        """
        import matplotlib.pyplot as plt

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(11, 4.5), width_ratios=(1.3, 1))
        axes = np.asarray(axes, dtype=object).ravel()
        if len(axes) != 2 or not all(hasattr(ax, "hlines") for ax in axes):
            raise ValueError(f"axes must hold two matplotlib Axes (graph, barcodes); got {len(axes)}.")
        evidence = self.evidence
        self.mapper_ = MapperGraphDisplay.from_estimator(evidence.mapper, ax=axes[0], n_filters=n_filters)
        self.barcodes_ = BarcodeDisplay.from_result(evidence.verdict.significance[2], ax=axes[1])
        axes[1].set_title(f"layer {evidence.layer}: {evidence.circle.level}")
        self.axes_, self.figure_ = axes, axes[0].figure
        return self
