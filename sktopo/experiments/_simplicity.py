"""Section VI (ii), Fig. 12: the strength of the first layer's circle against test accuracy, over training."""

import time
from numbers import Integral, Real

import numpy as np

from .._validation import Interval, InvalidParameterError, check_memory, validate_params
from ..filters import extract_spatial_filters
from ..homology import DRAW_BYTES
from ..simplicity import h1_lifetime_and_reason, h1_null_level
from ._common import (
    RUN_CONSTRAINTS,
    check_checkpoints,
    check_run,
    check_scale,
    data_label,
    load_images,
    recorded,
    spearman_interval,
    train_recording,
    warn_unmeasured,
)
from ._evolution import _check_layers
from ._result import SimplicityResult

__all__ = ["PAPER", "PRESETS", "persistence_vs_accuracy"]

#: The paper's Fig. 12 (the claim only: the figure gives no numbers) and Section VI's lifetimes.
PAPER = {
    "figure": "Fig. 12",
    "claim": (
        "the top H1 lifetime of the first-layer spatial filters at rho(100, 0.1) rises with the test "
        "accuracy over batch iterations, on MNIST and on SVHN (M(64,32,64))"
    ),
    "filtration": "rho(100, 0.1)",
    "spec": "M(64,32,64)",
    "h1_lifetime_mnist_40k": 1.10,
    "h1_lifetime_svhn_40k": 1.27,
}

#: Networks, groups, checkpoints and ρ(k, p) per scale. "paper": 100 networks (the paper's usual
#: count; Fig. 12 does not say) to 40,000 iterations (Section VI), in 4 groups of 25 (1,600 filters
#: a group), at ρ(100, 0.1). "quick": 12 networks in 3 groups to 200 iterations, 485 s on mnist_sample
#: on 2 CPU cores shared with other work (0.2 CPU-seconds a network and iteration). At 256 filters a
#: group, ρ(100, 0.1) smooths over 40% of the cloud: with 4 groups to 300 iterations its lifetime was
#: noise at every checkpoint (0.10 to 0.26, no trend), while ρ(16, 0.3) rose from a mean of 0.29 to
#: 0.50 as the accuracy rose from 10% to 96%. To 200 iterations it does not yet (Spearman -0.12, 95%
#: interval -0.70 to 0.50; pooled over the 12 networks 0.33 to 0.42): the quick run shows the
#: machinery, longer training the effect.
#: ``n_null_draws``: random-filter clouds per row for the null level (19: the fewest whose
#: p-value can reach 0.05; the 95% quantile of 19 draws is coarse, that of 99 less so). At the
#: paper's scale the null costs about 15 minutes of 2 CPU cores (0.6 s a draw for the pooled
#: 6,400 filters' 640-row core, 0.06 s for a group's 160 rows; measured on Gaussian filters).
PRESETS = {
    "quick": {
        "n_networks": 12,
        "n_groups": 3,
        "checkpoints": (0, 25, 50, 100, 200),
        "k": 16,
        "p": 0.3,
        "n_null_draws": 19,
    },
    "paper": {
        "n_networks": 100,
        "n_groups": 4,
        "checkpoints": (0, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 30_000, 40_000),
        "k": 100,
        "p": 0.1,
        "n_null_draws": 99,
    },
}


def _settings(scale, **given) -> dict:
    """The preset of ``scale`` with the ``given`` values that are not None; checkpoints checked."""
    settings = PRESETS[check_scale(scale)] | {name: v for name, v in given.items() if v is not None}
    if settings["n_groups"] > settings["n_networks"]:
        raise InvalidParameterError(
            f"n_groups={settings['n_groups']} must be at most n_networks={settings['n_networks']}: a group "
            "needs a network."
        )
    return settings | {"checkpoints": check_checkpoints(settings["checkpoints"])}


def _lifetime_row(snapshots, k, p, n_draws, null_seed) -> dict:
    """The lifetime of the pooled ``snapshots`` (kernels), its reason if NaN, and the null level."""
    lifetime, reason = h1_lifetime_and_reason(snapshots, k=k, p=p)
    null = h1_null_level(extract_spatial_filters(snapshots)[0], k, p, n_draws, null_seed)
    return {"h1_lifetime": lifetime, "h1_lifetime_reason": reason, **null}


def _group_rows(group, seed, ensemble, at, layer, k, p, n_draws, null_seed) -> tuple[list, list]:
    """The group's rows (pooled lifetime, null level, mean accuracy) and its networks' rows, per checkpoint."""
    kernels = recorded(ensemble, f"layer{layer}")
    scores = recorded(ensemble, "accuracy")
    networks = [
        {
            "group": group,
            "network": i,
            "seed": int(net_seed),
            "iteration": it,
            "test_accuracy": s.accuracies_[it],
        }
        for i, (net_seed, s) in enumerate(zip(ensemble.seeds_, scores))
        for it in at
    ]
    rows = []
    for it in at:
        snapshots = [recorder.snapshots_[it] for recorder in kernels]
        accuracy = np.array([s.accuracies_[it] for s in scores])
        n_filters = sum(s.shape[0] * s.shape[1] for s in snapshots)
        row = {"iteration": it, "group": group, "n_networks": len(snapshots), "n_filters": n_filters}
        row |= {"k": k, "p": p} | _lifetime_row(snapshots, k, p, n_draws, null_seed)
        row |= {"test_accuracy": accuracy.mean(), "test_accuracy_std": _std(accuracy), "group_seed": seed}
        rows.append(row)
    return rows, networks


def _std(values: np.ndarray) -> float:
    """Sample standard deviation (ddof=1, as every spread sktopo reports); NaN for one value."""
    return float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def _pooled(networks, snapshots, at, k, p, n_draws, null_seed) -> list:
    """One record per checkpoint over all networks: the paper's cloud (100 networks' filters)."""
    rows = []
    for it in at:
        kernels = [s[it] for s in snapshots]
        accuracy = np.array([row["test_accuracy"] for row in networks if row["iteration"] == it])
        rows.append(
            {"iteration": it, "n_networks": len(kernels)} | _lifetime_row(kernels, k, p, n_draws, null_seed)
        )
        rows[-1] |= {"test_accuracy": accuracy.mean(), "test_accuracy_std": _std(accuracy)}
    return rows


def _correlation(df, random_state) -> dict:
    """Spearman's correlation of lifetime and accuracy over the rows whose lifetime is measured."""
    measured = df[np.isfinite(df["h1_lifetime"])]
    if len(measured) < 2:
        return {"spearman": np.nan, "low": np.nan, "high": np.nan, "confidence": 0.95}
    rho, low, high = spearman_interval(
        measured.h1_lifetime, measured.test_accuracy, measured.group, random_state=random_state
    )
    return {"spearman": rho, "low": low, "high": high, "confidence": 0.95}


@validate_params(
    {
        "dataset": [str, tuple, list],
        "checkpoints": ["array-like", None],
        "n_networks": [Interval(Integral, 1, None, closed="left"), None],
        "n_groups": [Interval(Integral, 1, None, closed="left"), None],
        "spec": [str],
        "k": [Interval(Integral, 1, None, closed="left"), None],
        "p": [Interval(Real, 0, 1, closed="right"), None],
        "layer": [Interval(Integral, 1, None, closed="left")],
        "n_null_draws": [Interval(Integral, 0, None, closed="left"), None],
        **RUN_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def persistence_vs_accuracy(
    dataset="mnist_sample",
    checkpoints=None,
    n_networks: int | None = None,
    n_groups: int | None = None,
    spec: str = "M(64,32,64)",
    k: int | None = None,
    p: float | None = None,
    layer: int = 1,
    n_null_draws: int | None = None,
    scale: str = "quick",
    data_root=None,
    device: str | None = None,
    random_state: int = 0,
    verbose: int = 0,
):
    """Top H1 lifetime of the first-layer filters and test accuracy, at checkpoints of training.

    The paper's Fig. 12: networks M(64, 32, 64) trained on MNIST (and on SVHN); at each
    checkpoint, the lifetime of the most persistent H1 bar of ρ(100, 0.1) of their first-layer
    spatial filters (the "topological simplicity", :func:`~sktopo.simplicity.top_h1_lifetime`)
    and their test accuracy, which the paper finds to rise together.

    The lifetime belongs to a pooled cloud (ρ(100, 0.1) needs a thousand filters or more, 16
    networks' worth), the accuracy to each network. So the ``n_networks`` networks train in
    ``n_groups`` groups (one :class:`~sktopo.nn.NetworkEnsemble` each, with its own seeds):
    a row is one (group, checkpoint), with the lifetime of the group's pooled filters and the
    mean (and spread) of its networks' accuracies. The Spearman correlation of ``h1_lifetime``
    and ``test_accuracy`` over the rows gets a bootstrap interval that resamples whole groups
    (:func:`~sktopo.experiments._common.spearman_interval`), so it shows how much another set
    of networks could change it. Both quantities move with training time: the correlation says
    that they rise together over training, as Fig. 12 shows, not that at a given iteration the
    networks with the stronger circle generalize better. ``result.pooled`` has the lifetime
    of all networks' filters pooled (the paper's cloud: 100 networks, 6,400 filters), the one to
    compare with the paper's 1.10 (MNIST) and 1.27 (SVHN) at 40,000 iterations; a group's cloud
    is smaller and, at the same k, its dense core coarser.

    Each lifetime comes with the level random filters reach (``h1_null_median``,
    ``h1_null_q95``, ``h1_p_value``): ``n_null_draws`` clouds of as many random filters
    (Gaussian or uniform pixels, each draw's longer top lifetime) through the same ρ(k, p) and
    the same persistence settings (:func:`~sktopo.homology.random_filter_test`). A lifetime within that band is what
    structureless filters of that count give, whatever the accuracy; a rise of the lifetime
    means a stronger circle only where it leaves the band. A cloud too small for its ρ(k, p)
    (:func:`~sktopo.simplicity.lifetime_reason`) gets NaN for the lifetime and its
    null, and ``h1_lifetime_reason`` says why and what to change; the correlation is over the
    rows that have a lifetime.

    Networks are recorded during one training run (:class:`~sktopo.nn.FilterRecorder` and
    :class:`~sktopo.nn.AccuracyRecorder` at ``checkpoints``), batches of 128, Adam 1e-3
    (:func:`~sktopo.nn.make_classifier`); accuracy is on the test split of ``dataset``.

    Parameters
    ----------
    dataset : str or (X, y) pair, default="mnist_sample"
        A :func:`sktopo.datasets.load_dataset` name ("mnist" and "svhn" as in the paper) or
        images and labels (split 80/20 as the offline sets are). The scale never changes it.
    checkpoints : list of int, default=None
        Batch iterations at which to measure (0: the initial weights); training runs to the
        last. None takes the scale's: quick 0, 25, 50, 100, 200; paper 0, 100, 200, 500,
        1,000, 2,000, 5,000, 10,000, 20,000, 30,000, 40,000.
    n_networks : int, default=None
        None takes the scale's: quick 12, paper 100.
    n_groups : int, default=None
        Groups the networks are split into (as evenly as possible); None takes the scale's:
        quick 3, paper 4.
    spec : str, default="M(64,32,64)"
    k : int, default=None
    p : float, default=None
        ρ(k, p) of the lifetime. None takes the scale's: paper ρ(100, 0.1), as the paper;
        quick ρ(16, 0.3), for its 256-filter groups (see ``PRESETS``: there ρ(100, 0.1) measured
        only noise, and is now NaN: ``k`` is not below half the filters).
    layer : int, default=1
        The conv layer whose filters are measured.
    n_null_draws : int, default=None
        Random-filter clouds per row for the null level; 0 skips it (NaN columns). None takes
        the scale's: quick 19, paper 99.
    scale : {"quick", "paper"}, default="quick"
    data_root : str or os.PathLike, default=None
        Folder of torchvision's files, for "mnist", "svhn" or "cifar10".
    device : str, default=None
        None: CUDA when available, else the CPU.
    random_state : int, default=0
        Draws the groups' seeds, from which each group draws its networks' seeds, then the
        seeds of the null draws.
    verbose : int, default=0
        1 shows progress bars.

    Returns
    -------
    result : SimplicityResult
        ``result.table`` has one row per (group, checkpoint): ``iteration``, ``group``, ``n_networks``,
        ``n_filters``, ``k``, ``p``, ``h1_lifetime`` (NaN for a cloud too small for ρ(k, p)),
        ``h1_lifetime_reason`` (why it is NaN; "" where it is not), ``h1_null_median`` and
        ``h1_null_q95`` (of the random-filter null), ``h1_p_value`` (the Monte Carlo p-value of
        the lifetime against it), ``test_accuracy`` (the group's mean),
        ``test_accuracy_std`` (its spread over the group's networks), ``group_seed``,
        ``dataset``, ``spec``. ``result.correlation``: ``spearman``, ``low``, ``high``,
        ``confidence``; ``result.networks``: one row per network and checkpoint (``group``,
        ``network``, ``seed``, ``iteration``, ``test_accuracy``); ``result.pooled``: one row per
        checkpoint, all networks pooled (``iteration``, ``n_networks``, ``h1_lifetime``,
        ``h1_lifetime_reason``, the three null columns, ``test_accuracy``,
        ``test_accuracy_std``); ``result.settings``: what ran (``seconds``); ``result.paper``;
        ``result.verdict``: whether the correlation's interval is above 0; ``result.plot()``.

    Raises
    ------
    ValueError
        For bad checkpoints, more groups than networks, an unknown data set or a bad scale.

    Warns
    -----
    UserWarning
        When some rows' lifetime is NaN: how many, why, and what to change.

    See Also
    --------
    sktopo.plotting.SimplicityDisplay : its figure.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section VI and Fig. 12.

    Examples
    --------
    >>> from sktopo.datasets import load_mnist_sample
    >>> from sktopo.experiments import persistence_vs_accuracy
    >>> X, y = load_mnist_sample()
    >>> result = persistence_vs_accuracy((X[::25], y[::25]), checkpoints=[2, 4], n_networks=4,
    ...                                  n_groups=2, spec="M(4,2,8)", k=4, p=0.5)
    >>> df = result.table
    >>> df[["iteration", "group", "n_networks", "n_filters"]].values.tolist()
    [[2, 0, 2, 8], [4, 0, 2, 8], [2, 1, 2, 8], [4, 1, 2, 8]]
    >>> bool(df.h1_lifetime.isna().all()), df.h1_lifetime_reason[0][:28]  # 8 filters: too few for a lifetime
    (True, 'k=4 is not below half of the')
    >>> sorted(result.correlation), result.verdict.level
    (['confidence', 'high', 'low', 'spearman'], 'too_small')

    At the paper's scale, on a GPU with MNIST in ``root``:

    >>> result = persistence_vs_accuracy("mnist", scale="paper", data_root=root)  # doctest: +SKIP
    """
    import pandas as pd
    from tqdm.auto import tqdm

    run = _settings(
        scale,
        n_networks=n_networks,
        n_groups=n_groups,
        checkpoints=checkpoints,
        k=k,
        p=p,
        n_null_draws=n_null_draws,
    )
    at, k, p, n_draws = run["checkpoints"], run["k"], run["p"], run["n_null_draws"]
    _check_layers([layer], spec)  # before any training, as the rest
    check_run(run["n_networks"], spec)
    check_memory(
        "n_null_draws",
        n_draws,
        DRAW_BYTES * n_draws,
        "the null draws' seeds and top lifetimes",
        each=DRAW_BYTES,
        unit="draws",
    )
    X, y = load_images(dataset, "train", data_root, "dataset")
    test = load_images(dataset, "test", data_root, "dataset")
    from ..nn import resolve_device  # torch, when an experiment runs

    device, start = resolve_device(device), time.perf_counter()
    rng = np.random.RandomState(random_state)  # the groups' seeds, then the null draws'
    seeds = rng.randint(0, 2**31 - 1, size=run["n_groups"])
    null_seed = int(rng.randint(0, 2**31 - 1))  # one for every row: clouds of a size share their draws
    sizes = [len(part) for part in np.array_split(np.arange(run["n_networks"]), run["n_groups"])]
    rows, networks, snapshots = [], [], []
    for group, (seed, size) in enumerate(tqdm(list(zip(seeds, sizes)), desc="groups", disable=not verbose)):
        ensemble = train_recording(
            X,
            y,
            spec,
            at,
            [layer],
            size,
            test,
            device=device,
            random_state=seed,
            verbose=verbose,
            data=dataset,
        )
        group_rows, group_networks = _group_rows(
            group, int(seed), ensemble, at, layer, k, p, n_draws, null_seed
        )
        rows, networks = rows + group_rows, networks + group_networks
        snapshots += [r.snapshots_ for r in recorded(ensemble, f"layer{layer}")]
    df = pd.DataFrame(rows).assign(dataset=data_label(dataset), spec=spec)
    warn_unmeasured("persistence_vs_accuracy", df["h1_lifetime_reason"])
    pooled = _pooled(networks, snapshots, at, k, p, n_draws, null_seed)
    settings = {
        "dataset": data_label(dataset),
        "spec": spec,
        "scale": scale,
        **run,
        "layer": layer,
        "batch_size": ensemble.estimator.batch_size,
        "n_train": len(X),
        "n_test": len(test[0]),
        "device": device,
        "strategy": ensemble.strategy_,
        "random_state": random_state,
        "seconds": time.perf_counter() - start,
    }
    correlation = _correlation(df, random_state)
    return SimplicityResult(
        df, settings, dict(PAPER), correlation, pd.DataFrame(networks), pd.DataFrame(pooled)
    )
