"""Section VI (iii), Fig. 13: appending the responses of idealized filters to each pixel speeds training up."""

import time
from numbers import Integral, Real

import numpy as np

from .._validation import Interval, InvalidParameterError, check_memory, validate_params
from ._common import (
    RUN_CONSTRAINTS,
    check_names,
    check_run,
    check_scale,
    data_label,
    image_kwargs,
    load_images,
)
from ._result import SpeedupResult

__all__ = ["BANKS", "appended_features_speedup", "speedup_summary"]

#: Banks compared, None for the raw images (the paper's "Normal" network, the baseline). The
#: paper's four, then the two controls it lacks: "gradients", the primary circle's rank-2 span at
#: its gain (:func:`~sktopo.filterbanks.gradients`), and "none_5x5", the raw images into a first
#: conv layer of 5 × 5 kernels (the receptive field a 3 × 3 conv has on 3 × 3 responses).
BANKS = ("primary_circle", "klein_bottle", "gaussian", "gradients", None, "none_5x5")

#: The raw-image arms, with the first conv layer's kernel size of each.
RAW = {None: 3, "none_5x5": 5}

#: The paper's numbers (Section VI, Fig. 13): iterations saved by the primary circle, and the order.
PAPER = {
    "speedup_mnist": 2.0,
    "speedup_svhn": 3.5,
    "order": ["primary_circle", "klein_bottle", "gaussian", "none"],
}

#: Batch iterations and test checkpoints per scale. "quick": the paper's four banks (12 networks of
#: M(64,32,64), 9 of them on 65 channels, scored 6 times on 1,000 images) took 392 s to 532 s on 2
#: shared CPU cores (load 3 to 5); the raw-image networks, still climbing at 60 (87.5% accuracy),
#: reached the default target (83%) at 50. The two controls add 6 networks on 3 and 1 channels.
#: "paper": the paper does not give Fig. 13's length; 40,000 as its other Section VI networks,
#: scored every 500 iterations.
PRESETS = {"quick": {"max_iter": 60, "n_checkpoints": 6}, "paper": {"max_iter": 40_000, "n_checkpoints": 80}}

#: The default target accuracy, as a share of the best mean accuracy of the raw-image networks.
TARGET_SHARE = 0.95


def _label(bank) -> str:
    return "none" if bank is None else bank


def _append(bank, train, test, n_filters, random_state):
    """``train`` and ``test`` (X, y) with ``bank``'s responses appended to the images; raw for None."""
    from ..filterbanks import gradients
    from ..responses import AppendFilterResponses

    if bank in RAW:
        return train, test
    if bank == "gradients":  # the 2 filters matched to the gain of n_filters on the primary circle
        bank, n_filters = gradients(n_filters), None
    responses = AppendFilterResponses(bank, n_filters=n_filters, random_state=random_state).fit(train[0])
    return (responses.transform(train[0]), train[1]), (responses.transform(test[0]), test[1])


def _curves(bank, template, train, test, at):
    """The ``template`` ensemble trained on ``train``, test accuracy at ``at``; its strategy and rows."""
    from sklearn.base import clone

    from ..nn import AccuracyRecorder

    ensemble = clone(template).set_params(
        estimator__module__in_channels=train[0].shape[1],
        estimator__module__first_kernel_size=RAW.get(bank, 3),
        estimator__callbacks=[("accuracy", AccuracyRecorder(*test, at=at))],
    )
    ensemble.fit(*train)
    return ensemble.strategy_, [
        {"bank": _label(bank), "repeat": r, "seed": int(seed), "iteration": it, "test_accuracy": acc}
        for r, (seed, net) in enumerate(zip(ensemble.seeds_, ensemble.estimators_))
        for it, acc in sorted(dict(net.callbacks_)["accuracy"].accuracies_.items())
    ]


def _iterations_to(curve, target: float) -> float:
    """The first iteration of ``curve`` (a Series indexed by iteration) at ``target`` or above; inf if none."""
    reached = curve.index[curve.to_numpy() >= target]
    return float(reached.min()) if len(reached) else float("inf")


def _spread(values) -> dict:
    """Mean, sample standard deviation, minimum and maximum of ``values`` (inf and NaN kept)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        std = float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")
        return {
            "mean": float(np.mean(values)),
            "std": std,
            "min": float(values.min()),
            "max": float(values.max()),
        }


def speedup_summary(df, target_accuracy: float) -> dict:
    """Per bank: iterations to ``target_accuracy`` per repeat, and the speed-up over "none".

    The speed-up of repeat r is the raw-image network r's iterations divided by the bank's
    network r's (the same seed, so the same batch order). A network that never reaches the
    target counts inf iterations: the speed-up is then inf where only the baseline never
    reaches it, 0 where only the bank never does, NaN where neither does; the mean, std, min
    and max over repeats carry them (a mean of inf says some repeat's baseline never got
    there). Iterations are read at the checkpoints, so they are multiples of ``eval_every``.

    Parameters
    ----------
    df : pandas.DataFrame
        Columns ``bank`` (with "none" among them), ``repeat``, ``iteration``, ``test_accuracy``,
        as :func:`appended_features_speedup` returns them.
    target_accuracy : float

    Returns
    -------
    summary : dict of str to dict
        Per bank: ``iterations`` and ``speedup`` (lists, one per repeat), ``n_reached``,
        ``mean``, ``std`` (sample, ddof=1; NaN for one repeat), ``min``, ``max``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.experiments import speedup_summary
    >>> df = pd.DataFrame({"bank": ["none", "none", "primary_circle", "primary_circle"],
    ...                    "repeat": 0, "iteration": [10, 20, 10, 20],
    ...                    "test_accuracy": [0.5, 0.9, 0.85, 0.95]})
    >>> speedup_summary(df, 0.8)["primary_circle"]["speedup"]
    [2.0]
    """
    if "none" not in set(df["bank"]):
        raise ValueError('df must hold the raw-image networks (bank "none"), the baseline of the speed-up.')
    curves = df.set_index("iteration").groupby(["bank", "repeat"])["test_accuracy"]
    iterations = {key: _iterations_to(curve, target_accuracy) for key, curve in curves}
    repeats = sorted(df["repeat"].unique())
    baseline = np.array([iterations[("none", r)] for r in repeats])
    summary = {}
    for bank in df["bank"].unique():
        own = np.array([iterations[(bank, r)] for r in repeats])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(np.isinf(own) & np.isinf(baseline), np.nan, baseline / own)
        summary[bank] = {
            "iterations": own.tolist(),
            "n_reached": int(np.isfinite(own).sum()),
            "speedup": ratio.tolist(),
            **_spread(ratio),
        }
    return summary


def _default_target(df) -> float:
    """``TARGET_SHARE`` of the best accuracy of the raw-image networks' mean curve."""
    baseline = df[df["bank"] == "none"].groupby("iteration")["test_accuracy"].mean()
    return TARGET_SHARE * float(baseline.max())


def _check_banks(banks) -> list:
    banks = check_names(
        [None if b == "none" else b for b in ([banks] if isinstance(banks, str) else banks)], BANKS, "banks"
    )
    if None not in banks:
        raise InvalidParameterError(
            f"banks must include None (the raw images), the baseline of the speed-up; got {banks!r}."
        )
    return banks


def _check_gradients(banks, n_filters: int) -> None:
    """Refuse "gradients" against a primary circle of fewer than 3 filters, which has rank 1."""
    if "gradients" in banks and n_filters < 3:
        raise InvalidParameterError(
            f'n_filters must be at least 3 with the "gradients" bank, which matches the gain of a primary '
            f"circle of n_filters filters (fewer do not span the gradients' plane); got {n_filters}."
        )


@validate_params(
    {
        "dataset": [str, tuple, list],
        "banks": [str, tuple, list, None],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "eval_every": [Interval(Integral, 1, None, closed="left"), None],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "spec": [str],
        "target_accuracy": [Interval(Real, 0, 1, closed="right"), None],
        "n_filters": [Interval(Integral, 1, None, closed="left")],
        **RUN_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def appended_features_speedup(
    dataset="mnist_sample",
    banks=BANKS,
    max_iter: int | None = None,
    eval_every: int | None = None,
    n_repeats: int = 3,
    spec: str = "M(64,32,64)",
    target_accuracy: float | None = None,
    scale: str = "quick",
    n_filters: int = 64,
    data_root=None,
    device: str | None = None,
    random_state: int = 0,
    verbose: int = 0,
):
    """Test accuracy against batch iterations with each bank's responses appended to the pixels.

    The paper's last Section VI experiment (Fig. 13): each image is preprocessed once with a
    fixed bank of 3 × 3 filters, whose inner product with the 3 × 3 patch around each pixel is
    appended to that pixel (:class:`~sktopo.AppendFilterResponses`: 1 + 64 channels), and
    networks trained on these images reach a given test accuracy in fewer iterations: the
    primary circle before the Klein bottle before Gaussian filters before the raw images
    ("Normal"), 2 times fewer iterations on MNIST, 3.5 on SVHN.

    Each bank gets ``n_repeats`` networks, one :class:`~sktopo.nn.NetworkEnsemble` with an
    :class:`~sktopo.nn.AccuracyRecorder` scoring the test split every ``eval_every``
    iterations; the seeds are the same for every bank (repeat r shares its batch order), and
    one bank (for "gaussian", drawn from ``random_state``) serves every repeat. The appended
    bank has ``n_filters`` (64, as the paper) filters whatever the network's width. The
    appended images are held in memory, ``1 + n_filters`` times the raw ones (15 GB of float32
    for SVHN's 73,257 training images).

    The speed-up is read at ``target_accuracy``, by default 95% of the best accuracy of the
    raw-image networks' mean curve (a level the baseline does reach, on its way up rather than
    at its noisy plateau). The paper does not say at which accuracy it compared.

    The paper attributes the speed-up to the topology of the bank, but the primary circle
    differs from the raw images in more than its circle: its 64 responses re-encode the patch
    linearly through two gradient filters (the bank has rank 2) at a large total gain, and a
    3 × 3 conv on 3 × 3 responses sees a 5 × 5 patch. Two controls separate these:
    ``"gradients"`` appends those two filters alone, scaled so that the total energy of their
    responses equals the primary circle's on every patch
    (:func:`~sktopo.filterbanks.gradients`: the same Gram matrix, so the same Frobenius norm and
    the same total variance of the appended channels on any images); ``"none_5x5"`` trains the
    raw images with a first conv layer of 5 × 5 kernels. A primary circle no faster than
    "gradients" has no speed-up left to credit to the circle (its 64 channels carry the same
    information and gain); a "none_5x5" as fast as the banks credits the receptive field.

    Parameters
    ----------
    dataset : str or (X, y) pair, default="mnist_sample"
        A :func:`sktopo.datasets.load_dataset` name ("svhn" for Fig. 13) or arrays, split 80/20.
    banks : sequence of {"primary_circle", "klein_bottle", "gaussian", "gradients", None, \
"none_5x5"}, default=("primary_circle", "klein_bottle", "gaussian", "gradients", None, "none_5x5")
        None (or "none") is the raw images, the baseline, and must be among them;
        "gradients" the primary circle's 2-filter span at its gain (3 channels for MNIST);
        "none_5x5" the raw images into a first layer of 5 × 5 kernels.
    max_iter : int, default=None
        Batch iterations; None takes the scale's (quick: 60, paper: 40,000).
    eval_every : int, default=None
        Iterations between test scores; None: ``max_iter`` // 6 (quick) or // 80 (paper).
    n_repeats : int, default=3
    spec : str, default="M(64,32,64)"
    target_accuracy : float in (0, 1], default=None
        None: 95% of the best mean accuracy of the raw-image networks.
    scale : {"quick", "paper"}, default="quick"
    n_filters : int, default=64
        Filters of each appended bank; for "gradients" (2 filters), the primary circle whose
        gain they match (at least 3).
    data_root : str or os.PathLike, default=None
    device : str, default=None
        None: CUDA when available, else the CPU.
    random_state : int, default=0
        Draws the networks' seeds and the Gaussian bank.
    verbose : int, default=0

    Returns
    -------
    result : SpeedupResult
        ``result.table`` has one row per (bank, repeat, iteration): ``bank`` ("none" for the raw images, "none_5x5"
        for them with 5 × 5 first-layer kernels),
        ``repeat``, ``seed``, ``iteration``, ``test_accuracy``. ``result.speedup``: per bank,
        ``iterations`` (to the target, per repeat; inf when never reached), ``n_reached``,
        ``speedup`` (per repeat, over "none") and its ``mean``, ``std``, ``min``, ``max`` (see
        :func:`speedup_summary` for inf and NaN). ``result.settings`` records what ran,
        ``target_accuracy`` included; ``result.paper`` the paper's numbers; ``result.verdict``
        whether the primary circle is the fastest; ``result.plot()`` draws it.

    Raises
    ------
    ValueError
        For an unknown bank or data set, banks without None, a bad scale, ``eval_every``
        beyond ``max_iter``, or "gradients" with ``n_filters`` below 3.

    See Also
    --------
    sktopo.plotting.SpeedupDisplay : its figure.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section VI and Fig. 13.

    Examples
    --------
    >>> from sktopo.experiments import appended_features_speedup
    >>> result = appended_features_speedup(spec="M(4,2,8)", max_iter=4, eval_every=2, n_repeats=2,
    ...                                    n_filters=4)
    >>> len(result.table), result.table["iteration"].unique().tolist()
    (24, [2, 4])
    >>> sorted(result.speedup)
    ['gaussian', 'gradients', 'klein_bottle', 'none', 'none_5x5', 'primary_circle']

    At the paper's scale, on a GPU with SVHN in ``root``:

    >>> result = appended_features_speedup("svhn", scale="paper", data_root=root)  # doctest: +SKIP
    """
    import pandas as pd
    from tqdm.auto import tqdm

    from ..nn import NetworkEnsemble, make_classifier, resolve_device

    preset = PRESETS[check_scale(scale)]
    max_iter = preset["max_iter"] if max_iter is None else max_iter
    eval_every = max(1, max_iter // preset["n_checkpoints"]) if eval_every is None else eval_every
    if eval_every > max_iter:
        raise InvalidParameterError(f"eval_every must be at most max_iter={max_iter}; got {eval_every}.")
    n_evals = max_iter // eval_every  # each evaluation keeps a row of each curve: 40 bytes at the least
    check_memory("eval_every", eval_every, 40 * n_evals, f"{n_evals:,} evaluations to max_iter={max_iter}")
    banks, at = _check_banks(banks), list(range(eval_every, max_iter + 1, eval_every))
    _check_gradients(banks, n_filters)
    check_run(n_repeats, spec, name="n_repeats")  # before any data is loaded or network trained
    train, test = (
        load_images(dataset, "train", data_root, "dataset"),
        load_images(dataset, "test", data_root, "dataset"),
    )
    raw = train[0].nbytes + test[0].nbytes  # appended, the images take 1 + n_filters times as much
    check_memory(
        "n_filters",
        n_filters,
        (1 + n_filters) * raw,
        "the images and their filter responses",
        each=raw,
        unit="filters",
    )
    device, start, rows = resolve_device(device), time.perf_counter(), []
    net = make_classifier(spec, max_iter, **image_kwargs(dataset, train[0]), device=device)
    template = NetworkEnsemble(net, n_networks=n_repeats, random_state=random_state, verbose=verbose)
    for bank in tqdm(banks, desc="banks", disable=not verbose):
        strategy, curves = _curves(bank, template, *_append(bank, train, test, n_filters, random_state), at)
        rows += curves
    df = pd.DataFrame(rows)
    target = _default_target(df) if target_accuracy is None else target_accuracy
    settings = {
        "dataset": data_label(dataset),
        "banks": [_label(b) for b in banks],
        "n_filters": n_filters,
        "max_iter": max_iter,
        "eval_every": eval_every,
        "n_repeats": n_repeats,
        "spec": spec,
        "scale": scale,
        "target_accuracy": target,
        "target_rule": f"{TARGET_SHARE} x best mean accuracy of 'none'"
        if target_accuracy is None
        else "given",
        "batch_size": net.batch_size,
        "n_train": len(train[0]),
        "n_test": len(test[0]),
        "device": device,
        "strategy": strategy,
        "random_state": random_state,
        "seconds": time.perf_counter() - start,
    }
    paper = {**PAPER, "order": list(PAPER["order"])}
    return SpeedupResult(df, settings, paper, speedup_summary(df, target))
