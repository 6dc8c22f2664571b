"""What the experiments share: the scale presets, the data, recorded training and the warnings."""

import os
import warnings
from numbers import Integral

import numpy as np

from .._validation import Interval, InvalidParameterError, check_memory
from ..datasets import DATASETS, as_dataset

__all__ = [
    "RUN_CONSTRAINTS",
    "SCALES",
    "check_checkpoints",
    "check_names",
    "check_run",
    "check_scale",
    "data_label",
    "image_kwargs",
    "load_images",
    "recorded",
    "spearman_interval",
    "train_recording",
    "warn_unmeasured",
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

SCALES = ("quick", "paper")


def check_scale(scale) -> str:
    """``scale`` if it is "quick" or "paper", else a ValueError naming both."""
    if scale not in SCALES:
        raise InvalidParameterError(
            f"scale must be 'quick' (minutes on a laptop's CPU) or 'paper' (the paper's network counts "
            f"and iterations, meant for a GPU); got {scale!r}."
        )
    return scale


def warn_unmeasured(experiment: str, reasons, column: str = "h1_lifetime_reason") -> None:
    """One warning for the rows of ``experiment`` whose lifetime is NaN, naming each reason once.

    ``reasons`` is the frame's ``column``: one reason per row, "" where the lifetime was measured.
    """
    reasons = list(reasons)
    missing = [reason for reason in reasons if reason]
    if missing:
        distinct = "; ".join(dict.fromkeys(missing))
        warnings.warn(
            f"{experiment}: the top H1 lifetime is NaN in {len(missing)} of {len(reasons)} rows (column "
            f"{column}): {distinct}.",
            UserWarning,
            stacklevel=4,  # the caller of the experiment, past validate_params' wrapper
        )


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


def check_run(n_networks: int, spec: str, *, layers=(1,), k=None, resolution=None, name="n_networks") -> None:
    """Refuse, before any data is loaded or network trained, what the run could not finish.

    ``n_networks`` networks of ``spec`` that would not fit in memory (counted for 28 × 28
    grayscale images: a lower bound for larger ones); a Mapper ``resolution`` whose intervals
    would not (:func:`~sktopo.mapper.check_resolution`); and an int ``k`` (one, or one per layer
    of ``layers``) not below the filters that the networks' layer will pool.
    """
    from ..mapper import check_resolution
    from ..nn import PARAMETER_BYTES, check_networks_memory, count_parameters, parse_spec

    n_parameters = count_parameters(spec)
    one = f"one network of {spec} ({n_parameters:,} trained parameters)"
    check_memory("spec", spec, PARAMETER_BYTES * n_parameters, one)
    check_networks_memory(n_networks, n_parameters, name)
    for value in [resolution] if isinstance(resolution, Integral) else resolution or []:
        check_resolution(value)
    widths = parse_spec(spec)[2:4]
    ks = k if isinstance(k, (list, tuple)) else [k] * len(layers)
    for layer, value in zip(layers, ks):
        n_filters = n_networks * (widths[layer - 1] if layer <= 2 else 0)
        if isinstance(value, Integral) and n_filters and value >= n_filters:
            raise InvalidParameterError(
                f"k={value} must be smaller than the {n_filters:,} filters of layer {layer} that "
                f"{n_networks} network(s) of {spec} pool: each filter needs k others to measure its density."
            )


def data_label(data) -> str:
    """A data set's name, or "(X, y)" for arrays: what the table's columns record."""
    return data if isinstance(data, str) else "(X, y)"


def check_names(values, allowed, name: str) -> list:
    """``values`` (one or several, no repeats) checked against ``allowed``; a ValueError names ``name``."""
    values = [values] if values is None or isinstance(values, str) else list(values)
    if not values or len(set(values)) != len(values) or any(v not in allowed for v in values):
        raise InvalidParameterError(
            f"{name} must be distinct values among {', '.join(map(repr, allowed))}; got {values!r}."
        )
    return values


def check_checkpoints(checkpoints) -> list:
    """Sorted distinct batch iterations (ints >= 0, at least one >= 1), or a ValueError naming them."""
    values = list(checkpoints) if checkpoints is not None else []
    if not values or not all(_ITERATION.is_satisfied_by(v) for v in values) or max(values) < 1:
        raise InvalidParameterError(
            "checkpoints must be batch iterations, ints >= 0 (0: the initial weights) with at least one "
            f">= 1; got {checkpoints!r}."
        )
    return sorted({int(v) for v in values})


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
