"""Figs. 5 and 9: the Mapper graphs and barcodes of the first two layers' filters over training."""

import time
from numbers import Integral, Real

import numpy as np

from .._validation import Interval, InvalidParameterError, validate_params
from ..density import dense_core
from ..filters import extract_spatial_filters
from ..homology import exact_fits, persistence_diagrams, top_lifetime
from ..mapper import Mapper, graph_summary
from ..simplicity import EXACT_MAX, lifetime_reason
from ._common import (
    RUN_CONSTRAINTS,
    check_checkpoints,
    check_run,
    check_scale,
    data_label,
    load_images,
    recorded,
    train_recording,
    warn_unmeasured,
)
from ._result import EvolutionResult

__all__ = ["PAPER", "PRESETS", "training_evolution"]

#: What Figs. 5 and 9 show (pictures: the text gives the iterations at which the circle changes).
PAPER = {
    "fig5": {
        "networks": "100 x C(64,32,64), grayscale CIFAR-10",
        "iterations": "100 to 2,000",
        "layer1": "Mapper(30, 3), no density filtration",
        "layer2": "Mapper(70, 2) of rho(15, 0.5)",
        "layer1_circle_appears": 400,
        "layer1_circle_breaks": 500,
        "layer2_circle_appears": 2000,
    },
    "fig9": {
        "networks": "60 x C(64,32,64), colour CIFAR-10",
        "iterations": "100 to 1,500",
        "layer1": "Mapper(33, 2), no density filtration",
        "layer2": "Mapper(60, 2) of rho(100, 0.3)",
        "layer1_circle_appears": 300,
        "layer1_circle_breaks": 500,
        "layer1_circle_reappears": 1500,
        "layer2_circle_appears": 1000,
    },
}

#: Per scale: networks, checkpoints and, per layer, ρ(k, p) and Mapper(resolution, gain). "paper":
#: Fig. 5's (p=1: no density filtration, as for its first layer; its checkpoints are sktopo's
#: choice within the figure's 100 to 2,000). "quick": 8 networks to 200 iterations, 297 s on
#: mnist_sample on 2 CPU cores shared with other work (0.2 CPU-seconds a network and iteration;
#: Mapper and barcodes 0.4 s a checkpoint for layer 1, 1.6 s for layer 2), with covers as fine for its
#: 512 and 8,192 filters as Fig. 5's for 6,400 and 102,400: 8 and 20 filters a cell, Mapper(8, 3)
#: and Mapper(20, 2) (Mapper(12, 3) and (30, 2) gave graphs of 200 and 1,200 nodes).
PRESETS = {
    "quick": {
        "n_networks": 8,
        "iterations": (0, 50, 100, 200),
        "layers": {
            1: {"k": 15, "p": 1.0, "resolution": 8, "gain": 3},
            2: {"k": 15, "p": 0.5, "resolution": 20, "gain": 2},
        },
    },
    "paper": {
        "n_networks": 100,
        "iterations": (100, 200, 300, 400, 500, 1000, 1500, 2000),
        "layers": {
            1: {"k": 15, "p": 1.0, "resolution": 30, "gain": 3},
            2: {"k": 15, "p": 0.5, "resolution": 70, "gain": 2},
        },
    },
}

#: What each per-layer setting accepts.
_PER_LAYER = {
    "k": Interval(Integral, 1, None, closed="left"),
    "p": Interval(Real, 0, 1, closed="right"),
    "resolution": Interval(Integral, 1, None, closed="left"),
    "gain": Interval(Real, 1, None, closed="neither"),
}


def _check_layers(layers, spec) -> list:
    """Distinct conv layers of ``spec``'s network (1, or 1 and 2), or a ValueError naming them."""
    from ..nn import parse_spec

    n_conv = 1 + (parse_spec(spec)[3] > 0)
    values = list(layers) if layers is not None else []
    ok = all(isinstance(v, Integral) and not isinstance(v, bool) and 1 <= v <= n_conv for v in values)
    if not values or not ok or len(set(values)) != len(values):
        raise InvalidParameterError(
            f"layers must be distinct conv layers of {spec} (1 to {n_conv}); got {layers!r}."
        )
    return [int(v) for v in values]


def layer_settings(layers, scale, **given) -> list[dict]:
    """``k``, ``p``, ``resolution`` and ``gain`` per layer: one value for all, one per layer, or the preset's."""
    presets = PRESETS[scale]["layers"]
    settings = [dict(presets[min(layer, 2)]) for layer in layers]
    for name, value in given.items():
        if value is None:
            continue
        values = list(value) if np.ndim(value) else [value] * len(layers)
        if len(values) != len(layers) or not all(_PER_LAYER[name].is_satisfied_by(v) for v in values):
            raise InvalidParameterError(
                f"{name} must be {_PER_LAYER[name]}, or a list of them with one per layer of "
                f"layers={layers}; got {value!r}."
            )
        for setting, v in zip(settings, values):
            setting[name] = v
    return settings


def _measure(kernels, setting, n_landmarks):
    """One cell of the figure: the row, the fitted Mapper and the persistence of pooled ``kernels``."""
    filters = extract_spatial_filters(kernels)[0]
    dense = dense_core(filters, setting["k"], setting["p"])
    mapper = Mapper(resolution=setting["resolution"], gain=setting["gain"]).fit(dense)
    exact = n_landmarks is None or (len(dense) <= max(n_landmarks, EXACT_MAX) and exact_fits(len(dense)))
    persistence = persistence_diagrams(dense, maxdim=1, n_landmarks=None if exact else n_landmarks)
    graph = graph_summary(mapper.graph_)
    row = {"n_filters": len(filters), **setting, "n_dense": len(dense)}
    row |= {"mapper_n_nodes": graph["n_nodes"], "mapper_n_edges": graph["n_edges"]}
    row |= {"mapper_n_components": graph["n_components"], "mapper_cycle_rank": graph["cycle_rank"]}
    reason = lifetime_reason(len(filters), setting["k"], setting["p"])
    h1_top = float("nan") if reason else top_lifetime(persistence.diagrams[1])
    row |= {"mapper_n_loops": graph["n_loops"], "h1_top": h1_top, "h1_top_reason": reason}
    return row | {"h1_bound": persistence.bound}, mapper, persistence


@validate_params(
    {
        "dataset": [str, tuple, list],
        "spec": [str, None],
        "iterations": ["array-like", None],
        "n_networks": [Interval(Integral, 1, None, closed="left"), None],
        "layers": ["array-like"],
        "k": ["array-like", Integral, None],
        "p": ["array-like", Real, None],
        "resolution": ["array-like", Integral, None],
        "gain": ["array-like", Real, None],
        "n_landmarks": [Interval(Integral, 3, None, closed="left"), None],
        **RUN_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def training_evolution(
    dataset="mnist_sample",
    spec: str | None = None,
    iterations=None,
    n_networks: int | None = None,
    layers=(1, 2),
    k=None,
    p=None,
    resolution=None,
    gain=None,
    n_landmarks: int | None = 400,
    scale: str = "quick",
    data_root=None,
    device: str | None = None,
    random_state: int = 0,
    verbose: int = 0,
):
    """Mapper graphs and barcodes of each layer's pooled filters at checkpoints of training.

    The paper's Figs. 5 and 9: the first- and second-layer spatial filters of 100 (60)
    networks C(64, 32, 64) on CIFAR-10 after 100, ..., 2,000 (1,500) batch iterations, as Mapper
    graphs; the primary circle appears in the first layer at 400 (300) iterations, breaks apart
    at 500 and reappears later, and appears in the second layer at 2,000 (1,000). Here the
    ``n_networks`` networks train once, recorded at ``iterations``
    (:class:`~sktopo.nn.FilterRecorder`); for each layer and checkpoint their filters are pooled,
    mean-centred and normalized, filtered to ρ(k, p) (``p=1``: not filtered, as the paper's first
    layer), and given a :class:`~sktopo.Mapper` graph (PCA lens) and Rips barcodes
    (:func:`~sktopo.homology.persistence_diagrams`, ``n_landmarks`` certified landmarks).

    ``k``, ``p``, ``resolution`` and ``gain`` are per layer: one value for every layer, a list
    with one per entry of ``layers``, or None for the scale's (paper: Fig. 5's ρ(·, 1) with
    Mapper(30, 3) for layer 1, ρ(15, 0.5) with Mapper(70, 2) for layer 2; quick: the same
    filtration with coarser covers, Mapper(8, 3) and Mapper(20, 2), for its smaller clouds).

    Parameters
    ----------
    dataset : str or (X, y) pair, default="mnist_sample"
        A :func:`sktopo.datasets.load_dataset` name ("cifar10" for Fig. 5) or images and labels
        (their 80% training split is used). The scale never changes it.
    spec : str, default=None
        The architecture; None: the paper's for the data, "C(64,32,64)" for "cifar10" (Fig. 5),
        else "M(64,32,64)".
    iterations : list of int, default=None
        Checkpoints (0: the initial weights); training runs to the last. None takes the
        scale's: quick 0, 50, 100, 200; paper 100, 200, 300, 400, 500, 1,000, 1,500, 2,000.
    n_networks : int, default=None
        None takes the scale's: quick 8, paper 100.
    layers : list of int, default=(1, 2)
        Conv layers to look at (the spec's: 1, or 1 and 2).
    k, p : int, float or list of them, default=None
        ρ(k, p) per layer; ``k`` is capped at the cloud's filters minus one.
    resolution, gain : int, float or list of them, default=None
        Mapper(resolution, gain) per layer.
    n_landmarks : int or None, default=400
        Landmarks of the barcodes of clouds of more than 1,000 dense filters (smaller ones get
        exact barcodes, whose certified error is 0); None for exact barcodes of every cloud.
    scale : {"quick", "paper"}, default="quick"
    data_root : str or os.PathLike, default=None
        Folder of torchvision's files, for "mnist", "svhn" or "cifar10".
    device : str, default=None
        None: CUDA when available, else the CPU.
    random_state : int, default=0
        Draws the networks' seeds.
    verbose : int, default=0
        1 shows progress bars.

    Returns
    -------
    result : EvolutionResult
        ``result.table`` has one row per (layer, iteration): ``layer``, ``iteration``, ``n_networks``, ``n_filters``,
        ``k``, ``p``, ``resolution``, ``gain``, ``n_dense`` (rows of ρ(k, p)),
        ``mapper_n_nodes``, ``mapper_n_edges``, ``mapper_n_components``, ``mapper_cycle_rank``
        (edges - nodes + components: every cycle, the many triangles of a gain-3 cover
        included), ``mapper_n_loops`` (the loops that triangles do not fill:
        :func:`~sktopo.mapper.n_loops`, 1 for a clean circle), ``h1_top`` (top H1 lifetime;
        NaN with a ``UserWarning`` where the cloud is too small for its ρ(k, p)),
        ``h1_top_reason`` (why it is NaN: ``k`` not below half the filters, or a dense core of
        fewer than :data:`~sktopo.homology.MIN_CORE_ROWS` rows; "" when measured),
        ``h1_bound`` (its certified bottleneck error), ``dataset``, ``spec``.
        ``result.mappers`` and ``result.diagrams``: the fitted :class:`~sktopo.Mapper` and the
        diagrams, by ``(layer, iteration)``; ``result.seeds``; ``result.settings`` (what ran;
        ``seconds``); ``result.paper``; ``result.verdict``: whether one Mapper loop appears;
        ``result.plot()`` draws the grid.

    Raises
    ------
    ValueError
        For bad iterations, layers the spec lacks, per-layer settings of the wrong length or
        range, an unknown data set or a bad scale.

    See Also
    --------
    sktopo.plotting.EvolutionDisplay : its figure.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section V-B and Figs. 5 and 9.

    Examples
    --------
    >>> from sktopo.datasets import load_mnist_sample
    >>> from sktopo.experiments import training_evolution
    >>> X, y = load_mnist_sample()
    >>> result = training_evolution((X[::25], y[::25]), "M(4,2,8)", iterations=[2, 4], n_networks=2,
    ...                             k=4, resolution=4)
    >>> result.table[["layer", "iteration", "n_filters"]].values.tolist()
    [[1, 2, 8], [1, 4, 8], [2, 2, 16], [2, 4, 16]]
    >>> sorted(result.mappers)
    [(1, 2), (1, 4), (2, 2), (2, 4)]

    Fig. 5, on a GPU with CIFAR-10 in ``root``:

    >>> result = training_evolution("cifar10", "C(64,32,64)", scale="paper", data_root=root)  # doctest: +SKIP
    """
    import pandas as pd
    from tqdm.auto import tqdm

    preset = PRESETS[check_scale(scale)]
    at = check_checkpoints(preset["iterations"] if iterations is None else iterations)
    n_networks = preset["n_networks"] if n_networks is None else n_networks
    if spec is None:
        spec = "C(64,32,64)" if isinstance(dataset, str) and dataset == "cifar10" else "M(64,32,64)"
    layers = _check_layers(layers, spec)
    settings = layer_settings(layers, scale, k=k, p=p, resolution=resolution, gain=gain)
    check_run(n_networks, spec, resolution=[setting["resolution"] for setting in settings])  # before training
    X, y = load_images(dataset, "train", data_root, "dataset")
    from ..nn import resolve_device  # torch, when an experiment runs

    device, start = resolve_device(device), time.perf_counter()
    ensemble = train_recording(
        X,
        y,
        spec,
        at,
        layers,
        n_networks,
        None,
        device=device,
        random_state=random_state,
        verbose=verbose,
        data=dataset,
    )
    rows, mappers, diagrams = [], {}, {}
    cells = [(layer, setting, it) for layer, setting in zip(layers, settings) for it in at]
    for layer, setting, it in tqdm(cells, desc="Mapper and barcodes", disable=not verbose):
        kernels = [recorder.snapshots_[it] for recorder in recorded(ensemble, f"layer{layer}")]
        row, mappers[layer, it], persistence = _measure(kernels, setting, n_landmarks)
        diagrams[layer, it] = persistence.diagrams
        rows.append({"layer": layer, "iteration": it, "n_networks": n_networks, **row})
    df = pd.DataFrame(rows).assign(dataset=data_label(dataset), spec=spec)
    warn_unmeasured("training_evolution", df.h1_top_reason, "h1_top_reason")
    settings = {
        "dataset": data_label(dataset),
        "spec": spec,
        "scale": scale,
        "iterations": at,
        "n_networks": n_networks,
        "layers": dict(zip(layers, settings)),
        "n_landmarks": n_landmarks,
        "batch_size": ensemble.estimator.batch_size,
        "n_train": len(X),
        "device": device,
        "strategy": ensemble.strategy_,
        "random_state": random_state,
        "seconds": time.perf_counter() - start,
    }
    return EvolutionResult(df, settings, dict(PAPER), mappers, diagrams, ensemble.seeds_.tolist())
