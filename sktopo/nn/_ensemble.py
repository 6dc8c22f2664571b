"""Many independently seeded networks, trained on the same data, resumable after interruption."""

import contextlib
import json
import os

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._validation import HasMethods, Integral, Interval, StrOptions, fit_context
from ._batched import batched_unsupported, fit_batched
from ._weights import load_state_dict

__all__ = ["NetworkEnsemble"]


def _checkpoint(directory, index, seed):
    return os.path.join(directory, f"network_{index:04d}_seed_{seed}.pt")


def _describe(estimator) -> str:
    """The estimator's public parameters as text that is the same in every process.

    Private entries (skorch's ``_params_to_validate``, a set whose order follows string
    hashing, which differs from one Python process to the next) are left out, so that a run
    resumed in a new process recognizes its own networks.
    """
    params = estimator.get_params(deep=False)
    return repr(sorted((key, repr(value)) for key, value in params.items() if not key.startswith("_")))


class _NoBar:
    def update(self, n):
        pass


def _restore(estimator, seed, path, X, y):
    """The network saved at ``path``, or None when there is none."""
    if path is None or not os.path.exists(path):
        return None
    net = clone(estimator).set_params(random_state=int(seed)).initialize()
    net.module_.load_state_dict(load_state_dict(path))
    net.check_data(X, y)  # learns the classes from y, as fit does
    return net


def _fit_group(estimator, strategy, seeds, X, y, paths, progress=None):
    """Train the networks of ``seeds`` (together if batched) and save each one that finishes."""
    if strategy == "batched":
        nets = fit_batched(estimator, seeds, X, y, progress)
    else:
        nets = [clone(estimator).set_params(random_state=int(seed)).fit(X, y) for seed in seeds]
        if not all(_completed(net) for net in nets):  # skorch stops quietly on Ctrl-C: pass it on
            raise KeyboardInterrupt("training was interrupted; finished networks are kept")
    for net, path in zip(nets, paths):
        if path is not None:  # written whole or not at all: an interruption leaves no half file
            torch.save(net.module_.state_dict(), path + ".partial")
            os.replace(path + ".partial", path)
    return nets


def _completed(net) -> bool:
    """Whether ``net.fit`` ran all its epochs and, for a PaperNetClassifier, all its batches."""
    if len(net.history) < net.max_epochs:
        return False
    max_iter = getattr(net, "max_iter", None)
    return max_iter is None or len(net.history[-1, "batches"]) >= max_iter


class NetworkEnsemble(ClassifierMixin, BaseEstimator):
    """``n_networks`` clones of a network, each with its own seed, fitted on the same data.

    The paper pools filters over many networks ("100 × M^1_40K(64, 32, 64)"). Each clone gets
    its own ``random_state``, hence its own initialization, batch order and dropout masks.

    * ``strategy="sequential"`` fits the clones one after another with their own ``fit``, or
      ``n_jobs`` at a time with joblib (so that ``joblib.parallel_config(backend="dask")``
      spreads them over a dask cluster; install the ``distributed`` extra).
    * ``strategy="batched"`` trains ``group_size`` networks at a time as one computation:
      stacked parameters, grouped convolutions, batched matrix products, one optimizer step
      (:mod:`sktopo.nn._batched`). Each network gets the weights that sequential training with
      its seed gives, up to floating-point rounding; it needs a
      :func:`~sktopo.nn.make_classifier` network with SGD, Adam or AdamW and no callbacks.
      Groups run ``n_jobs`` at a time.
    * ``strategy="auto"`` is batched where the estimator allows it, sequential otherwise.

    With ``checkpoint_dir``, every finished network is saved there as a state_dict, and a
    later ``fit`` with the same estimator and seeds loads it instead of training it again, so a
    run of hours survives an interruption and loses at most the networks in progress (a group,
    when batched).

    Parameters
    ----------
    estimator : skorch NeuralNet with a ``random_state`` parameter
        E.g. :func:`~sktopo.nn.make_classifier` ``("M(64,32,64)", max_iter=40_000)``.
    n_networks : int, default=100
    strategy : {"auto", "sequential", "batched"}, default="auto"
    n_jobs : int, default=None
        Networks (sequential) or groups (batched) trained at once by joblib; None means 1.
    random_state : int, RandomState instance or None, default=None
        Draws the networks' seeds.
    checkpoint_dir : str or os.PathLike, default=None
        Where finished networks are kept; created if missing.
    group_size : int, default=8
        Networks trained together by the batched strategy. On a 2-core CPU, 8 was faster per
        network than 32 (``benchmarks/bench_training.py``); memory grows with it; on a GPU,
        larger groups fill the device better.
    verbose : int, default=0
        1 shows progress bars (networks, and batch iterations of a batched group).

    Attributes
    ----------
    estimators_ : list of fitted networks
    seeds_ : ndarray of shape (n_networks,)
    strategy_ : {"sequential", "batched"}
        The strategy used.
    n_restored_ : int
        Networks loaded from ``checkpoint_dir`` rather than trained.
    classes_ : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo import SpatialFilterExtractor
    >>> from sktopo.nn import NetworkEnsemble, make_classifier
    >>> X = np.random.default_rng(0).normal(size=(32, 1, 28, 28)).astype(np.float32)
    >>> ensemble = NetworkEnsemble(make_classifier("M(4,0,8)", max_iter=2, batch_size=8),
    ...                            n_networks=3, random_state=0).fit(X, np.arange(32) % 10)
    >>> ensemble.strategy_
    'batched'
    >>> SpatialFilterExtractor(layer=1).fit_transform(ensemble).shape
    (12, 9)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "initialize"])],
        "n_networks": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"auto", "sequential", "batched"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "checkpoint_dir": [str, os.PathLike, None],
        "group_size": [Interval(Integral, 1, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        n_networks=100,
        strategy="auto",
        n_jobs=None,
        random_state=None,
        checkpoint_dir=None,
        group_size=8,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_networks = n_networks
        self.strategy = strategy
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.checkpoint_dir = checkpoint_dir
        self.group_size = group_size
        self.verbose = verbose

    @fit_context
    def fit(self, X, y):
        """Train (or restore) every network.

        Parameters
        ----------
        X : array-like of shape (n_samples, channels, height, width)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : NetworkEnsemble
        """
        if "random_state" not in self.estimator.get_params():
            raise TypeError(
                "estimator must have a random_state parameter, e.g. sktopo.nn.make_classifier(...)."
            )
        self.strategy_ = self._resolve_strategy()
        self.seeds_ = check_random_state(self.random_state).randint(0, 2**31 - 1, size=self.n_networks)
        paths = self._paths()
        nets = [_restore(self.estimator, seed, path, X, y) for seed, path in zip(self.seeds_, paths)]
        self.n_restored_ = sum(net is not None for net in nets)
        todo = [i for i, net in enumerate(nets) if net is None]
        size = self.group_size if self.strategy_ == "batched" else 1
        groups = [todo[start : start + size] for start in range(0, len(todo), size)]
        in_process = self.strategy_ == "batched" and self.n_jobs in (None, 1)
        n_steps = len(groups) * self.estimator.max_epochs * self.estimator.max_iter if in_process else 0
        with (
            self._progress("networks", self.n_networks, self.n_restored_) as bar,
            self._progress("batch iterations", n_steps) as steps,
        ):
            progress = steps.update if self.verbose and in_process else None
            jobs = (
                delayed(_fit_group)(
                    self.estimator, self.strategy_, self.seeds_[g], X, y, [paths[i] for i in g], progress
                )
                for g in groups
            )
            for group, trained in zip(groups, Parallel(n_jobs=self.n_jobs, return_as="generator")(jobs)):
                for i, net in zip(group, trained):
                    nets[i] = net
                bar.update(len(group))
        self.estimators_ = nets
        self.classes_ = np.unique(np.asarray(y))
        return self

    def _resolve_strategy(self) -> str:
        reason = batched_unsupported(self.estimator)
        if self.strategy == "batched" and reason is not None:
            raise ValueError(
                f"strategy='batched' cannot train this estimator: {reason}; use strategy='sequential'."
            )
        if self.strategy == "auto":
            return "sequential" if reason is not None else "batched"
        return self.strategy

    def _paths(self) -> list:
        if self.checkpoint_dir is None:
            return [None] * self.n_networks
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        manifest = os.path.join(self.checkpoint_dir, "estimator.json")
        description = _describe(self.estimator)
        if os.path.exists(manifest):
            with open(manifest) as f:
                if json.load(f)["estimator"] != description:
                    raise ValueError(
                        f"checkpoint_dir={os.fspath(self.checkpoint_dir)!r} holds networks of another "
                        "estimator; use a new folder for a different network or training."
                    )
        else:
            with open(manifest, "w") as f:
                json.dump({"estimator": description}, f)
        return [_checkpoint(self.checkpoint_dir, i, seed) for i, seed in enumerate(self.seeds_)]

    def _progress(self, desc, total, initial=0):
        if not self.verbose or not total:
            return contextlib.nullcontext(_NoBar())
        from tqdm.auto import tqdm

        return tqdm(total=total, initial=initial, desc=desc)

    def predict_proba(self, X) -> np.ndarray:
        """Mean of the networks' class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, channels, height, width)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        return np.mean([net.predict_proba(X) for net in self.estimators_], axis=0)

    def predict(self, X) -> np.ndarray:
        """Class with the highest mean probability.

        Parameters
        ----------
        X : array-like of shape (n_samples, channels, height, width)

        Returns
        -------
        y : ndarray of shape (n_samples,)
        """
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]
