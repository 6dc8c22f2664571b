"""A skorch callback that snapshots a conv layer's kernels during training."""

import numpy as np
from sklearn.base import BaseEstimator
from skorch.callbacks import Callback

from .._validation import Integral, Interval, fit_context
from ..filters import layer_kernel

__all__ = ["FilterRecorder"]

_ITERATION = Interval(Integral, 0, None, closed="left")  # refuses True, as it refuses any bool


class FilterRecorder(Callback, BaseEstimator):  # BaseEstimator: validation against the table below
    """Snapshot the kernels of one conv layer at chosen batch iterations.

    The paper's training-time figures (Figs. 5, 9, 12) look at the filters of the same
    networks after 100, 200, ... 2,000 batch iterations; with this callback one training run
    yields all of them. Snapshots live on the callback, not in ``net.history`` (which holds
    only scalars), and each is a kernel array that
    :class:`~sktopo.filters.SpatialFilterExtractor` reads as it is.

    Parameters
    ----------
    layer : int or str, default=1
        1-based depth among the ``Conv2d`` layers (>= 1), or a layer name.
    at : list of int, default=None
        Batch iterations (counted from 1 across ``fit`` and ``partial_fit`` calls) after which
        to take a snapshot; 0 records the initial weights. None: every 100 iterations.

    Notes
    -----
    Snapshots are not checkpointed: networks that :class:`~sktopo.nn.NetworkEnsemble` restores
    from its ``checkpoint_dir`` have none, and it warns when it restores them.

    Attributes
    ----------
    snapshots_ : dict of int to ndarray of shape (out_channels, in_channels, h, w)
    iteration_ : int
        Training batches seen.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.nn import FilterRecorder, make_classifier
    >>> X = np.random.default_rng(0).normal(size=(32, 1, 28, 28)).astype(np.float32)
    >>> recorder = FilterRecorder(layer=1, at=[0, 2, 5])
    >>> net = make_classifier("M(8,0,16)", max_iter=5, batch_size=8, callbacks=[recorder])
    >>> sorted(net.fit(X, np.arange(32) % 10).callbacks[0].snapshots_)
    [0, 2, 5]
    """

    _parameter_constraints = {
        "layer": [Interval(Integral, 1, None, closed="left"), str],
        "at": ["array-like", None],
    }

    def __init__(self, layer=1, at=None):
        self.layer = layer
        self.at = at

    @fit_context
    def initialize(self):
        if self.at is not None and not all(_ITERATION.is_satisfied_by(i) for i in self.at):
            raise ValueError(f"at must be a list of batch iterations (ints >= 0); got {self.at!r}.")
        self.snapshots_, self.iteration_ = {}, 0
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        layer_kernel(net, self.layer)  # a layer the network lacks is refused now, not after training
        if self.iteration_ == 0 and self._due():
            self._snapshot(net)

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.iteration_ += 1
            if self._due():
                self._snapshot(net)

    def _due(self) -> bool:
        if self.at is None:
            return self.iteration_ > 0 and self.iteration_ % 100 == 0
        return self.iteration_ in self.at

    def _snapshot(self, net):
        self.snapshots_[self.iteration_] = np.array(layer_kernel(net, self.layer)[2], copy=True)
