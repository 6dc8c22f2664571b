"""A skorch callback that snapshots a conv layer's kernels during training."""

import numpy as np
from skorch.callbacks import Callback

from ..filters import layer_kernel

__all__ = ["FilterRecorder"]


class FilterRecorder(Callback):
    """Snapshot the kernels of one conv layer at chosen batch iterations.

    The paper's training-time figures (Figs. 5, 9, 12) look at the filters of the same
    networks after 100, 200, ... 2,000 batch iterations; with this callback one training run
    yields all of them. Snapshots live on the callback, not in ``net.history`` (which holds
    only scalars), and each is a kernel array that
    :class:`~sktopo.filters.SpatialFilterExtractor` reads as it is.

    Parameters
    ----------
    layer : int or str, default=1
        1-based depth among the ``Conv2d`` layers, or a layer name.
    at : list of int, default=None
        Batch iterations (counted from 1 across ``fit`` and ``partial_fit`` calls) after which
        to take a snapshot; 0 records the initial weights. None: every 100 iterations.

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

    def __init__(self, layer=1, at=None):
        self.layer = layer
        self.at = at

    def initialize(self):
        at = range(100, 10**9, 100) if self.at is None else self.at
        if self.at is not None and any(not isinstance(i, (int, np.integer)) or i < 0 for i in at):
            raise ValueError(f"at must be a list of batch iterations (ints >= 0); got {self.at!r}.")
        self._at = at if self.at is None else set(int(i) for i in at)
        self.snapshots_, self.iteration_ = {}, 0
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        if self.iteration_ == 0 and 0 in self._at:
            self._snapshot(net)

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.iteration_ += 1
            if self.iteration_ in self._at:
                self._snapshot(net)

    def _snapshot(self, net):
        self.snapshots_[self.iteration_] = np.array(layer_kernel(net, self.layer)[2], copy=True)
