"""What the Section VI experiments share: the device, the scale presets and the circle's strength."""

import math
import os
import warnings
from numbers import Integral

import numpy as np

from .._validation import Interval
from ..datasets import DATASETS, as_dataset
from ..density import densest_rows, knn_density, n_dense_rows
from ..filters import extract_spatial_filters
from ..homology import MIN_CORE_ROWS, exact_fits, persistence_diagrams, random_filter_test, top_lifetime
from ..preprocessing import normalize_filters

__all__ = [
    "EXACT_MAX",
    "RUN_CONSTRAINTS",
    "SCALES",
    "check_checkpoints",
    "check_names",
    "check_scale",
    "data_label",
    "dense_core",
    "h1_lifetime_and_reason",
    "h1_null_level",
    "image_kwargs",
    "lifetime_reason",
    "load_images",
    "recorded",
    "spearman_interval",
    "top_h1_lifetime",
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


def lifetime_reason(n_filters: int, k: int, p: float) -> str:
    """Why ρ(k, p) of ``n_filters`` filters has no top H1 lifetime worth a number; "" when it has one.

    Two clouds get none (their lifetime is NaN, with this reason):

    * ``k`` not below half the filters (with ``p < 1``): the ball reaching the ``k``-th
      neighbour then holds half the cloud or more, so its radius ranks filters by how central
      they are in the whole cloud, not by the density around them; the "densest" rows are a
      blob around the bulk of the cloud, without the shape's loop. The paper's ρ(100, 0.1)
      of 6,400 filters has k at 1.6% of them.
    * a dense core of fewer than :data:`~sktopo.homology.MIN_CORE_ROWS` rows: below it the
      significance rule has too little power on noisy circles for its answer to mean anything
      (the constant's comment), so a lifetime there, such as 0.21 from ρ(100, 0.1) of 3
      networks' 192 filters (19 rows), cannot be told from noise.

    The reason names what to change: more networks, a smaller ``k`` or a larger ``p``.

    Parameters
    ----------
    n_filters : int
        Filters in the cloud, before the density filtration.
    k : int
    p : float
        ρ(k, p); ``p`` of 1 (or more) keeps every filter and ignores ``k``.

    Returns
    -------
    reason : str
        Empty when the lifetime is measured.

    Examples
    --------
    >>> from sktopo.experiments._common import lifetime_reason
    >>> lifetime_reason(6400, k=100, p=0.1)
    ''
    >>> lifetime_reason(192, k=100, p=0.1)[:60]
    'k=100 is not below half of the 192 filters: the distance to '
    """
    reasons = []
    if p < 1 and 2 * k >= n_filters:
        reasons.append(
            f"k={k} is not below half of the {n_filters} filters: the distance to the k-th neighbour then "
            "spans half the cloud and ranks filters by how central they are, not by local density; take "
            f"k below {math.ceil(n_filters / 2)} or pool more networks (more than {2 * k} filters)"
        )
    rows = n_dense_rows(n_filters, min(p, 1.0))
    if rows < MIN_CORE_ROWS:
        cloud = (
            f"rho({k}, {p:g}) of {n_filters} filters keeps {rows} rows" if p < 1 else f"{n_filters} filters"
        )
        change = f"pool more networks (at least {math.ceil(MIN_CORE_ROWS / min(p, 1.0))} filters)"
        if p < 1 and n_filters >= MIN_CORE_ROWS:
            change += f" or take p of at least {MIN_CORE_ROWS / n_filters:.2f}"
        reasons.append(
            f"{cloud}, fewer than MIN_CORE_ROWS={MIN_CORE_ROWS}, too few to tell a loop from noise; {change}"
        )
    return "; and ".join(reasons)


def _n_landmarks(n_rows: int):
    """Exact barcodes (None) up to ``EXACT_MAX`` rows where memory allows, else 400 landmarks."""
    return None if n_rows <= EXACT_MAX and exact_fits(n_rows) else 400


def h1_lifetime_and_reason(sources, layer: int = 1, k: int = 100, p: float = 0.1) -> tuple[float, str]:
    """:func:`top_h1_lifetime` without its warning: ``(lifetime, "")`` or ``(nan, reason)``."""
    filters = extract_spatial_filters(sources, layer=layer)[0]
    reason = lifetime_reason(len(filters), k, p)
    if reason:
        return float("nan"), reason
    dense = dense_core(filters, k, p)
    diagrams = persistence_diagrams(dense, maxdim=1, n_landmarks=_n_landmarks(len(dense))).diagrams
    return top_lifetime(diagrams[1]), ""


def top_h1_lifetime(sources, layer: int = 1, k: int = 100, p: float = 0.1) -> float:
    """Lifetime of the most persistent H1 bar of ρ(k, p) of ``sources``' spatial filters.

    The paper's "topological simplicity" (Section VI): the layer's spatial filters, pooled over
    ``sources`` (networks, kernels or an ensemble), mean-centred and normalized, filtered to the
    densest fraction ``p`` by the distance to the ``k``-th neighbour, then the Rips barcode:
    exact up to ``EXACT_MAX`` (1,000) dense rows, which covers the paper's ρ(100, 0.1) of 6,400
    filters (640 rows), where memory allows (see :func:`~sktopo.homology.persistence_diagrams`);
    beyond, 400 certified landmarks.

    A cloud too small for its ρ(k, p) gets NaN and a ``UserWarning`` that says why and what to
    change (:func:`lifetime_reason`: ``k`` not below half the filters, or a dense core of fewer
    than :data:`~sktopo.homology.MIN_CORE_ROWS` rows), never a number.

    Parameters
    ----------
    sources : network, kernel array or list of them
    layer : int, default=1
    k : int, default=100
    p : float, default=0.1

    Returns
    -------
    lifetime : float
        NaN for a cloud too small for ρ(k, p).

    See Also
    --------
    h1_lifetime_and_reason : the same, returning the reason instead of warning.
    """
    lifetime, reason = h1_lifetime_and_reason(sources, layer, k, p)
    if reason:
        warnings.warn(f"The top H1 lifetime is NaN: {reason}.", UserWarning, stacklevel=2)
    return lifetime


def h1_null_level(filters, k: int, p: float, n_draws: int, random_state) -> dict:
    """What as many random filters reach: the null's median and 95% quantile, and the p-value.

    :func:`~sktopo.homology.random_filter_test` on the raw ``filters``, with :func:`top_h1_lifetime`'s
    ρ(k, p) and landmarks (exact barcodes for its dense cores up to ``EXACT_MAX`` rows), landmark
    births as they are for the data and the null alike, ``n_draws`` clouds of its default null
    (each draw's longer top lifetime of Gaussian and of uniform filters). ``random_state`` is an
    int, so that clouds of the same size share their null draws. NaN where the lifetime is, or
    when ``n_draws`` is 0.

    Returns
    -------
    level : dict
        ``h1_null_median``, ``h1_null_q95``, ``h1_p_value`` (Monte Carlo, ``(1 + reaching) /
        (1 + n_draws)``).
    """
    filters = np.asarray(filters, dtype=np.float64).reshape(len(filters), -1)
    nan = {"h1_null_median": np.nan, "h1_null_q95": np.nan, "h1_p_value": np.nan}
    if not n_draws or lifetime_reason(len(filters), k, p):
        return nan
    test = random_filter_test(
        filters,
        k=None if p >= 1 else k,
        p=None if p >= 1 else p,
        n_draws=n_draws,
        n_landmarks=_n_landmarks(n_dense_rows(len(filters), min(p, 1.0))),
        random_state=random_state,
    )
    median, q95 = np.quantile(test.null, [0.5, 0.95])
    return {"h1_null_median": float(median), "h1_null_q95": float(q95), "h1_p_value": test.p_value}


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
    """ρ(k, p) of the normalized ``filters`` (all of them when ``p`` is 1); ``k`` capped at n - 1.

    The cap keeps Mapper graphs of small clouds drawable
    (:func:`~sktopo.experiments.training_evolution`); a lifetime
    first asks :func:`lifetime_reason` whether the cloud is large enough for ρ(k, p).
    """
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
