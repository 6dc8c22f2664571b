"""What the Section VI experiments share: the device, the scale presets and the circle's strength."""

import os
import warnings
from numbers import Integral

import numpy as np

from .._validation import Interval
from ..datasets._named import DATASETS, as_dataset
from ..density import densest_rows, knn_density
from ..filters import extract_spatial_filters
from ..homology import persistence_diagrams, top_lifetime
from ..homology._persistence import exact_fits
from ..preprocessing import normalize_filters

__all__ = [
    "EXACT_MAX",
    "RUN_CONSTRAINTS",
    "SCALES",
    "SharedDict",
    "check_checkpoints",
    "check_names",
    "check_scale",
    "data_label",
    "dense_core",
    "image_kwargs",
    "load_images",
    "recorded",
    "resolve_device",
    "spearman_interval",
    "top_h1_lifetime",
    "train_recording",
]

_ITERATION = Interval(Integral, 0, None, closed="left")

#: The constraints of the parameters every experiment shares (``scale`` is checked by
#: :func:`check_scale`, whose message names both presets).
RUN_CONSTRAINTS = {
    "scale": "no_validation",
    "data_root": [str, os.PathLike, None],
    "device": [str, None],
    "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both")],
    "verbose": ["verbose"],
}

#: Dense cores up to this many rows get exact barcodes in :func:`top_h1_lifetime`.
EXACT_MAX = 1000

SCALES = ("quick", "paper")


def check_scale(scale) -> str:
    """``scale`` if it is "quick" or "paper", else a ValueError naming both."""
    if scale not in SCALES:
        raise ValueError(
            f"scale must be 'quick' (minutes on a laptop's CPU) or 'paper' (the paper's network counts "
            f"and iterations, meant for a GPU); got {scale!r}."
        )
    return scale


def resolve_device(device) -> str:
    """``device``, or CUDA when available and ``device`` is None, else the CPU; refuses the unusable."""
    import torch

    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
        kind, index = parsed.type, parsed.index
    except (RuntimeError, TypeError):
        kind, index = None, None
    cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if kind not in ("cpu", "cuda") or (kind == "cuda" and (not cuda or (index or 0) >= cuda)):
        available = (
            f"'cpu', 'cuda' or 'cuda:N' with N below {cuda}" if cuda else "'cpu' (no CUDA device here)"
        )
        raise ValueError(f"device must be None or {available}; got {device!r}.")
    return device


def top_h1_lifetime(sources, layer: int = 1, k: int = 100, p: float = 0.1) -> float:
    """Lifetime of the most persistent H1 bar of ρ(k, p) of ``sources``' spatial filters.

    The paper's "topological simplicity" (Section VI): the layer's spatial filters, pooled over
    ``sources`` (networks, kernels or an ensemble), mean-centred and normalized, filtered to the
    densest fraction ``p`` by the distance to the ``k``-th neighbour, then the Rips barcode:
    exact up to ``EXACT_MAX`` (1,000) dense rows, which covers the paper's ρ(100, 0.1) of 6,400
    filters (640 rows), where memory allows (see :func:`~sktopo.homology.persistence_diagrams`);
    beyond, 400 certified landmarks. ``k`` is capped at the
    number of filters minus one, so small quick runs still get a value.

    Parameters
    ----------
    sources : network, kernel array or list of them
    layer : int, default=1
    k : int, default=100
    p : float, default=0.1

    Returns
    -------
    lifetime : float
    """
    dense = dense_core(extract_spatial_filters(sources, layer=layer)[0], k, p)
    if len(dense) < 3:
        return 0.0
    # exact barcodes for the paper's 640-row core, where memory allows
    landmarks = None if len(dense) <= EXACT_MAX and exact_fits(len(dense)) else 400
    return top_lifetime(persistence_diagrams(dense, maxdim=1, n_landmarks=landmarks).diagrams[1])


def spearman_interval(x, y, groups, *, n_bootstrap: int = 1000, confidence: float = 0.95, random_state=0):
    """Spearman's rank correlation of ``x`` and ``y`` and a bootstrap interval over ``groups``.

    The groups (networks) are resampled with replacement, each with all its rows (checkpoints),
    so the interval reflects the spread between networks, not between rows of one network.
    With G groups there are at most C(2G - 1, G) distinct resamples (35 for 4 groups), so the
    interval is coarse for few groups; with one group there is no interval (NaN).

    Returns
    -------
    rho, low, high : float
    """
    from scipy.stats import ConstantInputWarning, spearmanr

    x, y, groups = np.asarray(x, float), np.asarray(y, float), np.asarray(groups)
    rho = float(spearmanr(x, y).statistic)
    labels = np.unique(groups)
    if len(labels) < 2:
        return rho, float("nan"), float("nan")
    rows = [np.flatnonzero(groups == g) for g in labels]
    rng = np.random.default_rng(random_state)
    draws = []
    with warnings.catch_warnings():  # a draw of constant values has no correlation: it is skipped
        warnings.simplefilter("ignore", ConstantInputWarning)
        for _ in range(n_bootstrap):
            pick = np.concatenate([rows[i] for i in rng.integers(0, len(labels), len(labels))])
            value = spearmanr(x[pick], y[pick]).statistic
            if np.isfinite(value):
                draws.append(value)
    tail = (1 - confidence) / 2
    low, high = np.quantile(draws, [tail, 1 - tail]) if draws else (np.nan, np.nan)
    return rho, float(low), float(high)


def _check_pair(data, name: str) -> None:
    """Refuse an ``(X, y)`` pair the experiments cannot split or train on, naming ``name``."""
    if not isinstance(data, (tuple, list)) or len(data) != 2 or len(data[0]) != len(data[1]):
        raise ValueError(f"{name} must be an (X, y) pair of images and as many labels.")
    X, y = np.asarray(data[0]), np.asarray(data[1])
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name}'s images must hold numbers; got dtype {X.dtype}.")
    if y.dtype.kind not in "iu" or y.min() < 0 or y.max() > 9:
        raise ValueError(f"{name}'s labels must be integers 0 to 9 (the networks have 10 outputs).")
    counts = np.bincount(y)
    if counts[counts > 0].min() < 5:
        raise ValueError(
            f"{name} needs at least 5 images of each class it holds: it is split 80/20, stratified, into "
            f"training and test images; got {counts[counts > 0].min()} for some class."
        )


def load_images(data, split: str, root, name: str):
    """The ``split`` of ``data`` as float32 square images and labels; errors name the parameter ``name``."""
    if isinstance(data, str) and data not in DATASETS:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, DATASETS))} or an (X, y) pair; got {data!r}."
        )
    if not isinstance(data, str):
        _check_pair(data, name)
    X, y = as_dataset(data, split, root)
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 4 or X.shape[2] != X.shape[3]:
        raise ValueError(
            f"{name} must hold square images of shape (n_samples, channels, size, size); got shape {X.shape}."
        )
    return X, np.asarray(y)


def data_label(data) -> str:
    """A data set's name, or "(X, y)" for arrays: what the table's columns record."""
    return data if isinstance(data, str) else "(X, y)"


def check_names(values, allowed, name: str) -> list:
    """``values`` (one or several, no repeats) checked against ``allowed``; a ValueError names ``name``."""
    values = [values] if values is None or isinstance(values, str) else list(values)
    if not values or len(set(values)) != len(values) or any(v not in allowed for v in values):
        raise ValueError(
            f"{name} must be distinct values among {', '.join(map(repr, allowed))}; got {values!r}."
        )
    return values


class SharedDict(dict):
    """A dict for ``DataFrame.attrs`` that frames share, not copy, and that equals only itself.

    pandas deep-copies ``attrs`` into every frame derived from a result (a slice, ``assign``...)
    and, when frames are concatenated, keeps them only if they compare equal; a dict of fitted
    Mapper graphs or of diagram arrays would be copied at every step, and comparing two of them
    raises (arrays have no single truth value). Results that keep such objects in a
    ``SharedDict`` slice cheaply and concatenate (their differing ``attrs`` are then dropped).
    """

    def __deepcopy__(self, memo):
        return self

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    __hash__ = object.__hash__


def check_checkpoints(checkpoints) -> list:
    """Sorted distinct batch iterations (ints >= 0, at least one >= 1), or a ValueError naming them."""
    values = list(checkpoints) if checkpoints is not None else []
    if not values or not all(_ITERATION.is_satisfied_by(v) for v in values) or max(values) < 1:
        raise ValueError(
            "checkpoints must be batch iterations, ints >= 0 (0: the initial weights) with at least one "
            f">= 1; got {checkpoints!r}."
        )
    return sorted({int(v) for v in values})


def dense_core(filters, k: int, p: float) -> np.ndarray:
    """ρ(k, p) of the normalized ``filters`` (all of them when ``p`` is 1); ``k`` capped at n - 1."""
    X = normalize_filters(filters)
    if p >= 1 or len(X) < 2:
        return X
    return X[densest_rows(X, knn_density(X, k=min(k, len(X) - 1)), p)]


def image_kwargs(data, X) -> dict:
    """:func:`~sktopo.nn.make_classifier`'s image arguments for images ``X`` of data set ``data``.

    CIFAR-10 comes uncropped (32 × 32, :func:`~sktopo.datasets.load_dataset`): its networks take
    24 × 24 crops, drawn per batch with a flip and standardized (``augment="cifar10"``), as the
    TensorFlow tutorial that the paper's C networks follow.
    """
    if isinstance(data, str) and data == "cifar10":
        return {"in_channels": X.shape[1], "input_size": 24, "augment": "cifar10"}
    return {"in_channels": X.shape[1], "input_size": X.shape[-1]}


def train_recording(X, y, spec, at, layers, n_networks, test, *, device, random_state, verbose, data=None):
    """A fitted NetworkEnsemble whose networks recorded ``layers`` (and accuracy on ``test``) at ``at``.

    Callbacks are named ``"layer1"``, ``"layer2"``... and ``"accuracy"`` (when ``test`` is an
    ``(X, y)`` pair); training runs ``max(at)`` batch iterations.
    """
    from ..nn import AccuracyRecorder, FilterRecorder, NetworkEnsemble, make_classifier

    callbacks = [(f"layer{layer}", FilterRecorder(layer, at)) for layer in layers]
    if test is not None:
        callbacks.append(("accuracy", AccuracyRecorder(*test, at=at)))
    net = make_classifier(spec, max(at), **image_kwargs(data, X), device=device, callbacks=callbacks)
    ensemble = NetworkEnsemble(net, n_networks=n_networks, random_state=random_state, verbose=verbose)
    return ensemble.fit(X, y)


def recorded(ensemble, name: str) -> list:
    """The callback ``name`` of each network of a fitted ensemble."""
    return [dict(net.callbacks_)[name] for net in ensemble.estimators_]
