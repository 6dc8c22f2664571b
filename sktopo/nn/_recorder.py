"""skorch callbacks that record a network at chosen batch iterations: its kernels, its test accuracy."""

import numpy as np
from sklearn.base import BaseEstimator
from skorch.callbacks import Callback

from .._validation import Integral, Interval, fit_context
from ..filters import layer_kernel

__all__ = ["AccuracyRecorder", "FilterRecorder", "is_recorder", "recorders", "user_callbacks"]

_ITERATION = Interval(Integral, 0, None, closed="left")  # refuses True, as it refuses any bool


class _Scheduled(Callback, BaseEstimator):  # BaseEstimator: validation against the table below
    """Call ``record(net)`` after the batch iterations ``at`` (0: before training), counted from 1.

    The batched strategy of :class:`~sktopo.nn.NetworkEnsemble` drives the same schedule through
    :meth:`step`, so both strategies record the same iterations.
    """

    def _check_at(self):
        if self.at is not None and not all(_ITERATION.is_satisfied_by(i) for i in self.at):
            raise ValueError(f"at must be a list of batch iterations (ints >= 0); got {self.at!r}.")

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.check(net)
        if self.iteration_ == 0 and self._due():
            self.record(net)

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.step(net)

    def step(self, net) -> None:
        """Count one training batch of ``net``; record it if this iteration is due."""
        self.iteration_ += 1
        if self._due():
            self.record(net)

    def is_due(self, iteration: int) -> bool:
        """Whether batch iteration ``iteration`` (0: before training) is one to record."""
        if self.at is None:
            return iteration > 0 and iteration % 100 == 0
        return iteration in self.at

    def _due(self) -> bool:
        return self.is_due(self.iteration_)

    def check(self, net) -> None:
        """Refuse, before training, a network this callback cannot record."""


class FilterRecorder(_Scheduled):
    """Snapshot the kernels of one conv layer at chosen batch iterations.

    The paper's training-time figures (Figs. 5, 9, 12) look at the filters of the same
    networks after 100, 200, ... 2,000 batch iterations; with this callback one training run
    yields all of them. Snapshots live on the callback, not in ``net.history`` (which holds
    only scalars), and each is a kernel array that
    :class:`~sktopo.filters.SpatialFilterExtractor` reads as it is. It works in both strategies
    of :class:`~sktopo.nn.NetworkEnsemble`, with the same snapshots per seed.

    Parameters
    ----------
    layer : int or str, default=1
        1-based depth among the ``Conv2d`` layers (>= 1), or a layer name.
    at : list of int, default=None
        Batch iterations (counted from 1 across ``fit`` and ``partial_fit`` calls) after which
        to take a snapshot; 0 records the initial weights. None: every 100 iterations.

    Attributes
    ----------
    snapshots_ : dict of int to ndarray of shape (out_channels, in_channels, h, w)
    iteration_ : int
        Training batches seen.

    See Also
    --------
    AccuracyRecorder : the test accuracy at chosen iterations.

    Notes
    -----
    Snapshots are not checkpointed: networks that :class:`~sktopo.nn.NetworkEnsemble` restores
    from its ``checkpoint_dir`` have none, and it warns when it restores them.

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
        self._check_at()
        self.snapshots_, self.iteration_ = {}, 0
        return self

    def check(self, net) -> None:
        layer_kernel(net, self.layer)  # a layer the network lacks is refused now, not after training

    def record(self, net) -> None:
        """Keep a copy of ``net``'s kernels of this layer as the snapshot of this iteration."""
        self.snapshots_[self.iteration_] = np.array(layer_kernel(net, self.layer)[2], copy=True)


class AccuracyRecorder(_Scheduled):
    """The network's accuracy on held-out images at chosen batch iterations.

    The paper's Figs. 12 and 13 plot test accuracy against batch iterations. skorch scores
    once per epoch, and a :class:`~sktopo.nn.PaperNetClassifier` trains in one epoch of
    ``max_iter`` batches; this callback scores within it, in both strategies of
    :class:`~sktopo.nn.NetworkEnsemble`, with the same values per seed. Prediction leaves the
    training's random state alone (no dropout at evaluation, torch's generators untouched).

    ``X`` and ``y`` are shared, not copied, by clones (``sklearn.base.clone``), so that an
    ensemble of 100 networks holds one test set: treat them as read-only.

    Parameters
    ----------
    X : array-like of shape (n_samples, channels, height, width)
        Held-out images.
    y : array-like of shape (n_samples,)
        Their labels.
    at : list of int, default=None
        Batch iterations (counted from 1) after which to score; 0 scores the initial network.
        None: every 100 iterations.

    Attributes
    ----------
    accuracies_ : dict of int to float
        Share of ``X`` predicted right, per iteration.
    iteration_ : int
        Training batches seen.

    See Also
    --------
    FilterRecorder : the kernels at chosen iterations.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.nn import AccuracyRecorder, make_classifier
    >>> X = np.random.default_rng(0).normal(size=(32, 1, 28, 28)).astype(np.float32)
    >>> y = np.arange(32) % 10
    >>> scores = AccuracyRecorder(X[:8], y[:8], at=[0, 4])
    >>> net = make_classifier("M(8,0,16)", max_iter=4, batch_size=8, callbacks=[scores]).fit(X, y)
    >>> sorted(net.callbacks[0].accuracies_)
    [0, 4]
    """

    _parameter_constraints = {"X": ["array-like"], "y": ["array-like"], "at": ["array-like", None]}

    def __init__(self, X, y, at=None):
        self.X = X
        self.y = y
        self.at = at

    def __sklearn_clone__(self):
        """A clone that shares ``X`` and ``y`` with this callback (read-only test data)."""
        return type(self)(self.X, self.y, at=None if self.at is None else list(self.at))

    @fit_context
    def initialize(self):
        self._check_at()
        if len(self.X) != len(self.y) or not len(self.y):
            raise ValueError(
                f"X and y must hold the same number (>= 1) of images and labels; got {len(self.X)} and "
                f"{len(self.y)}."
            )
        self.accuracies_, self.iteration_ = {}, 0
        return self

    def check(self, net) -> None:
        if hasattr(net, "check_images_and_labels"):  # the network's own checks, before training
            net.check_images_and_labels(self.X, self.y)

    def record(self, net) -> None:
        """Score ``net`` on ``X`` now, as the accuracy of this iteration."""
        self.accuracies_[self.iteration_] = float(np.mean(net.predict(self.X) == np.asarray(self.y)))


def user_callbacks(estimator) -> list:
    """The callbacks of ``estimator``'s ``callbacks`` parameter, unnamed (``(name, cb)`` gives ``cb``)."""
    return [cb[1] if isinstance(cb, tuple) else cb for cb in estimator.callbacks or []]


def is_recorder(callback) -> bool:
    """Whether ``callback`` is a :class:`FilterRecorder` or an :class:`AccuracyRecorder`."""
    return isinstance(callback, _Scheduled)


def recorders(net) -> list:
    """The initialized :class:`FilterRecorder` and :class:`AccuracyRecorder` callbacks of ``net``."""
    return [cb for _, cb in getattr(net, "callbacks_", []) if is_recorder(cb)]
