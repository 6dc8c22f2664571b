"""Many independently seeded networks, trained on the same data, resumable after interruption."""

import hashlib
import json
import math
import os
import re
import warnings
from collections.abc import Mapping

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, check_X_y
from tqdm.auto import tqdm

from .._validation import (
    N_JOBS,
    HasMethods,
    Integral,
    Interval,
    StrOptions,
    check_memory,
    fit_context,
    validate_params,
)
from ..io import load_state_dict
from ._architectures import count_parameters
from ._batched import batched_unsupported, fit_batched
from ._classifier import PaperNetClassifier
from ._recorder import is_recorder, user_callbacks

__all__ = ["PARAMETER_BYTES", "NetworkEnsemble", "check_networks_memory"]


#: Bytes a network keeps per parameter once trained: its float32 weight and Adam's two moments.
PARAMETER_BYTES = 12


@validate_params(
    {
        "n_networks": [Interval(Integral, 0, None, closed="left")],
        "n_parameters": [Interval(Integral, 0, None, closed="left")],
        "name": [str],
    },
    prefer_skip_nested_validation=True,
)
def check_networks_memory(n_networks: int, n_parameters: int, name: str = "n_networks") -> None:
    """Refuse, before any network is built, more networks than memory holds.

    Each keeps its seed (8 bytes) and, trained, ``PARAMETER_BYTES`` per parameter.

    Parameters
    ----------
    n_networks : int
        The networks asked for.
    n_parameters : int
        Parameters of one network (:func:`~sktopo.nn.count_parameters`); 0 counts the seeds only.
    name : str, default="n_networks"
        The parameter the message names.

    Raises
    ------
    ValueError
        Saying the memory needed, the memory available and the most networks that fit.

    Examples
    --------
    >>> from sktopo.nn import check_networks_memory, count_parameters
    >>> check_networks_memory(12, count_parameters("M(64,0,64)"))
    """
    each = 8 + PARAMETER_BYTES * n_parameters
    check_memory(
        name,
        n_networks,
        n_networks * each,
        f"{n_networks:,} networks (a seed and {n_parameters:,} trained parameters each)",
        each=each,
        unit="networks",
    )


def _checkpoint(directory, index, seed):
    return os.path.join(directory, f"network_{index:04d}_seed_{seed}.pt")


def _describe(value):
    """``value`` as JSON data that is the same in every process.

    An object with ``get_params`` (the estimator, its callbacks) is its class and its public
    parameters, described in turn; a class or a function is its qualified name; containers go
    item by item, sets and mappings in sorted order; an array or a tensor is its fingerprint
    (shape, dtype, hash of its bytes). Anything else is its ``repr`` without
    memory addresses. Private parameters (skorch's ``_params_to_validate``) are left out.
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):  # data (an AccuracyRecorder's test set): by content, not repr
        return {"array": _fingerprint(value)}
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # NaN would never equal itself
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_describe(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_describe(item) for item in value), key=json.dumps)
    if isinstance(value, Mapping):
        return {str(key): _describe(item) for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return f"{value.__module__}.{value.__qualname__}"
    if hasattr(value, "get_params"):
        params = value.get_params(deep=False)
        public = {key: item for key, item in params.items() if not key.startswith("_")}
        return {"class": _describe(type(value)), "params": _describe(public)}
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


def _fingerprint(array: np.ndarray) -> dict:
    """Shape, dtype and BLAKE2 hash of all of ``array``'s bytes."""
    data = np.ascontiguousarray(array)
    return {"shape": list(data.shape), "dtype": data.dtype.str, "blake2b": hashlib.blake2b(data).hexdigest()}


def _read_manifest(path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except (ValueError, OSError) as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        manifest = exc
    if not isinstance(manifest, dict) or set(manifest) != {"estimator", "data"}:
        raise ValueError(
            f"{path!r} is not a checkpoint manifest of this version of NetworkEnsemble; "
            "checkpoint_dir must be a folder that it wrote, or a new one."
        )
    return manifest


def _restore(estimator, seed, path, X, y):
    """The network saved at ``path``, or None when there is none."""
    if path is None or not os.path.exists(path):
        return None
    net = clone(estimator).set_params(random_state=int(seed)).initialize()
    try:
        net.module_.load_state_dict(load_state_dict(path))
    except (RuntimeError, TypeError, AttributeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{path!r} does not hold weights of this estimator's network: {reason}") from exc
    net.check_data(X, y)  # learns the classes from y, as fit does
    return net


def _advance(steps, bar, networks_per_step):
    """A batched group's progress callback: one step on ``steps``, its share of a network on ``bar``."""

    def advance(n):
        steps.update(n)
        bar.update(n * networks_per_step)

    return advance


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
    """Whether ``net.fit`` ran all its epochs to their ends.

    skorch records an epoch's ``train_batch_count`` once its last batch has ended (callbacks'
    ``on_batch_end`` included); a batch row of the history appears when a batch begins.
    """
    return len(net.history) >= net.max_epochs and "train_batch_count" in net.history[-1]


def _records_history(estimator) -> bool:
    return any(is_recorder(cb) for cb in user_callbacks(estimator))


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
      :func:`~sktopo.nn.make_classifier` network with SGD, Adam or AdamW and no callbacks but
      :class:`~sktopo.nn.FilterRecorder` and :class:`~sktopo.nn.AccuracyRecorder`, which
      record the same iterations with the same values as in sequential training.
      Groups run ``n_jobs`` at a time. On the CPU, each batch goes forward and backward in
      passes of a few samples (layer outputs of at most 16 MiB), gradients summed before the
      step, so that PyTorch's allocations stay in memory that ``malloc`` keeps instead of
      being mapped afresh at every iteration; nothing process-wide is changed.
    * ``strategy="auto"`` is batched where the estimator allows it, sequential otherwise.

    With ``checkpoint_dir``, every finished network is saved there as a state_dict, and a
    later ``fit`` with the same estimator, seeds and data loads it instead of training it
    again, so a run of hours survives an interruption (in a new process too) and loses at most
    the networks in progress (a group, when batched). The folder's manifest describes the
    estimator (its parameters and callbacks') and fingerprints ``X`` and ``y``; a ``fit`` with
    another estimator or other data is refused. Checkpoints keep weights only: restored
    networks have empty :class:`~sktopo.nn.FilterRecorder` snapshots (with a warning).

    Parameters
    ----------
    estimator : skorch NeuralNet with a ``random_state`` parameter
        E.g. :func:`~sktopo.nn.make_classifier` ``("M(64,32,64)", max_iter=40_000)``.
    n_networks : int, default=100
    strategy : {"auto", "sequential", "batched"}, default="auto"
    n_jobs : int, default=None
        Networks (sequential) or groups (batched) trained at once by joblib; None means 1,
        -1 all CPUs.
    random_state : int, RandomState instance or None, default=None
        Draws the networks' seeds.
    checkpoint_dir : str or os.PathLike, default=None
        Where finished networks are kept; created if missing. Needs an int ``random_state``,
        by whose seeds a rerun finds its networks again.
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
    classes_ : ndarray of shape (n_outputs,)
        0, ..., n_outputs - 1: the labels of the networks' outputs, the columns of
        :meth:`predict_proba`.

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
        "n_jobs": N_JOBS,
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
        X, y = self._check_data(X, y)
        self.strategy_ = self._resolve_strategy()
        check_networks_memory(self.n_networks, self._network_parameters())
        self.seeds_ = check_random_state(self.random_state).randint(0, 2**31 - 1, size=self.n_networks)
        paths = self._paths(X, y)
        nets = [_restore(self.estimator, seed, path, X, y) for seed, path in zip(self.seeds_, paths)]
        self.n_restored_ = sum(net is not None for net in nets)
        if self.n_restored_ and _records_history(self.estimator):
            warnings.warn(
                f"{self.n_restored_} network(s) restored from checkpoint_dir={os.fspath(self.checkpoint_dir)!r} "
                "have no FilterRecorder snapshots or AccuracyRecorder scores: checkpoints keep weights only. "
                "To record them, "
                "train in a new checkpoint_dir.",
                UserWarning,
                stacklevel=2,
            )
        self.estimators_ = self._train(nets, paths, X, y)
        self.classes_ = np.arange(self.estimators_[0].predict_proba(X[:1]).shape[1])
        return self

    def _network_parameters(self) -> int:
        """Parameters of one network: counted for a :class:`PaperNetClassifier`, else 0 (unknown)."""
        if not isinstance(self.estimator, PaperNetClassifier):
            return 0
        params = self.estimator.get_params()
        names = ("in_channels", "input_size", "max_pool", "n_classes", "first_kernel_size")
        given = {name: params[f"module__{name}"] for name in names if f"module__{name}" in params}
        return count_parameters(params.get("module__spec", "M(64,32,64)"), **given)

    def _check_data(self, X, y):
        if isinstance(self.estimator, PaperNetClassifier):
            return self.estimator.check_images_and_labels(X, y)
        return check_X_y(X, y, allow_nd=True)

    def _train(self, nets, paths, X, y) -> list:
        """``nets`` with the missing ones (None) trained, group by group."""
        todo = [i for i, net in enumerate(nets) if net is None]
        size = self.group_size if self.strategy_ == "batched" else 1
        groups = [todo[start : start + size] for start in range(0, len(todo), size)]
        in_process = self.strategy_ == "batched" and self.n_jobs in (None, 1)
        n_steps = len(groups) * self.estimator.max_epochs * self.estimator.max_iter if in_process else 0
        with (
            self._progress("networks", self.n_networks, self.n_restored_, fractional=in_process) as bar,
            self._progress("batch iterations", n_steps) as steps,
        ):
            share = len(groups) / n_steps if n_steps else 0  # of a network per step, group by group
            jobs = (
                delayed(_fit_group)(
                    self.estimator,
                    self.strategy_,
                    self.seeds_[g],
                    X,
                    y,
                    [paths[i] for i in g],
                    _advance(steps, bar, share * len(g)) if self.verbose and in_process else None,
                )
                for g in groups
            )
            done = self.n_restored_
            for group, trained in zip(groups, Parallel(n_jobs=self.n_jobs, return_as="generator")(jobs)):
                for i, net in zip(group, trained):
                    nets[i] = net
                done += len(group)
                bar.n = done  # whole networks, whatever the steps added
                bar.refresh()
        return nets

    def _resolve_strategy(self) -> str:
        reason = batched_unsupported(self.estimator)
        if self.strategy == "batched" and reason is not None:
            raise ValueError(
                f"strategy='batched' cannot train this estimator: {reason}; use strategy='sequential'."
            )
        if self.strategy == "auto":
            return "sequential" if reason is not None else "batched"
        return self.strategy

    def _paths(self, X, y) -> list:
        if self.checkpoint_dir is None:
            return [None] * self.n_networks
        folder = os.fspath(self.checkpoint_dir)
        if isinstance(self.random_state, bool) or not isinstance(self.random_state, Integral):
            raise ValueError(
                f"checkpoint_dir={folder!r} needs an int random_state, whose seeds a rerun uses to find "
                f"its networks again; got random_state={self.random_state!r}."
            )
        if os.path.isfile(folder):
            raise ValueError(
                f"checkpoint_dir={folder!r} is a file; it must be a folder (created if missing)."
            )
        os.makedirs(folder, exist_ok=True)
        manifest = os.path.join(folder, "estimator.json")
        expected = {
            "estimator": _describe(self.estimator),
            "data": {"X": _fingerprint(X), "y": _fingerprint(y)},
        }
        if not os.path.exists(manifest):
            with open(manifest, "w", encoding="utf-8") as f:
                json.dump(expected, f)
        found = _read_manifest(manifest)
        if found["estimator"] != expected["estimator"]:
            raise ValueError(
                f"checkpoint_dir={folder!r} holds networks of another estimator; use a new folder for a "
                "different network or training."
            )
        if found["data"] != expected["data"]:
            raise ValueError(
                f"checkpoint_dir={folder!r} holds networks trained on other data (X and y differ from "
                "those of the first fit); resume with the same X and y, or use a new folder."
            )
        return [_checkpoint(folder, i, seed) for i, seed in enumerate(self.seeds_)]

    def _progress(self, desc, total, initial=0, fractional=False):
        """A tqdm bar, shown with ``verbose``; ``fractional`` counts in tenths (networks part-trained)."""
        return tqdm(
            total=total,
            initial=initial,
            desc=desc,
            disable=not self.verbose or not total,
            bar_format="{l_bar}{bar}| {n:.1f}/{total} [{elapsed}<{remaining}]" if fractional else None,
        )

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
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
