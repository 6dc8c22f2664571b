"""Many independently seeded networks, trained on the same data, resumable after interruption."""

import json
import os

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._validation import HasMethods, Integral, Interval, StrOptions, fit_context
from ..filters import load_state_dict

__all__ = ["NetworkEnsemble"]


def _checkpoint(directory, index, seed):
    return os.path.join(directory, f"network_{index:04d}_seed_{seed}.pt")


def _fit_one(estimator, seed, X, y, path):
    net = clone(estimator).set_params(random_state=int(seed))
    if path is not None and os.path.exists(path):
        net.initialize()
        net.module_.load_state_dict(load_state_dict(path))
        return net, True
    net.fit(X, y)
    if not _completed(net):  # skorch stops quietly on Ctrl-C: keep the interruption going
        raise KeyboardInterrupt("training was interrupted; finished networks are kept")
    if path is not None:  # written whole or not at all: an interruption leaves no half file
        torch.save(net.module_.state_dict(), path + ".partial")
        os.replace(path + ".partial", path)
    return net, False


def _completed(net) -> bool:
    """Whether ``net.fit`` ran all its epochs and, for a PaperNetClassifier, all its batches."""
    if len(net.history) < net.max_epochs:
        return False
    max_iter = getattr(net, "max_iter", None)
    return max_iter is None or len(net.history[-1, "batches"]) >= max_iter


class NetworkEnsemble(ClassifierMixin, BaseEstimator):
    """``n_networks`` clones of a network, each with its own seed, fitted on the same data.

    The paper pools filters over many networks ("100 × M^1_40K(64, 32, 64)"). Each clone gets
    its own ``random_state``, hence its own initialization and batch order. With
    ``checkpoint_dir``, every finished network is saved there as a state_dict, and a later
    ``fit`` with the same estimator and seeds loads it instead of training it again, so a run
    of hours survives an interruption and loses at most the networks in progress. Networks
    are fitted one after another, or ``n_jobs`` at a time with joblib (so that
    ``joblib.parallel_config(backend="dask")`` spreads them over a dask cluster; install the
    ``distributed`` extra).

    Parameters
    ----------
    estimator : skorch NeuralNet with a ``random_state`` parameter
        E.g. :func:`~sktopo.nn.make_classifier` ``("M(64,32,64)", max_iter=40_000)``.
    n_networks : int, default=100
    strategy : {"sequential"}, default="sequential"
        How the networks are trained: one by one (in parallel with ``n_jobs``).
    n_jobs : int, default=None
        Networks trained at once by joblib; None means 1.
    random_state : int, RandomState instance or None, default=None
        Draws the networks' seeds.
    checkpoint_dir : str or os.PathLike, default=None
        Where finished networks are kept; created if missing.
    verbose : int, default=0
        1 shows a progress bar.

    Attributes
    ----------
    estimators_ : list of fitted networks
    seeds_ : ndarray of shape (n_networks,)
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
    >>> SpatialFilterExtractor(layer=1).fit_transform(ensemble).shape
    (12, 9)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "initialize"])],
        "n_networks": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"sequential"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "checkpoint_dir": [str, os.PathLike, None],
        "verbose": ["verbose"],
    }

    def __init__(self, estimator, n_networks=100, strategy="sequential", n_jobs=None, random_state=None,
                 checkpoint_dir=None, verbose=0):  # fmt: skip
        self.estimator = estimator
        self.n_networks = n_networks
        self.strategy = strategy
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.checkpoint_dir = checkpoint_dir
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
            raise TypeError("estimator must have a random_state parameter, e.g. sktopo.nn.make_classifier(...).")
        self.seeds_ = check_random_state(self.random_state).randint(0, 2**31 - 1, size=self.n_networks)
        paths = self._paths()
        jobs = (delayed(_fit_one)(self.estimator, seed, X, y, path) for seed, path in zip(self.seeds_, paths))
        results = list(self._progress(Parallel(n_jobs=self.n_jobs, return_as="generator")(jobs)))
        self.estimators_ = [net for net, _ in results]
        self.n_restored_ = sum(restored for _, restored in results)
        self.classes_ = np.unique(np.asarray(y))
        return self

    def _paths(self) -> list:
        if self.checkpoint_dir is None:
            return [None] * self.n_networks
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        manifest = os.path.join(self.checkpoint_dir, "estimator.json")
        description = repr(sorted((k, repr(v)) for k, v in self.estimator.get_params(deep=False).items()))
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

    def _progress(self, results):
        if not self.verbose:
            return results
        from tqdm.auto import tqdm

        return tqdm(results, total=self.n_networks, desc="networks")

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
