"""The whole pipeline, layer by layer: the topology of a network's spatial filters as a table.

For each conv layer: extract the spatial filters (:func:`~sktopo.filters.extract_spatial_filters`),
subsample them to at most ``max_filters``, normalize them, keep the dense core ρ(k, p)
(:class:`~sktopo.density.DensityFilter`), then read its barcodes with a confidence band
(:func:`~sktopo.homology.identify_shape`), test them against random filters
through the same pipeline (:func:`~sktopo.homology.significance`), and build its Mapper graph
(:class:`~sktopo.mapper.Mapper`): the paper's layer-by-layer study of VGG16 (Figs. 10 and 11 of
Brüel Gabrielsson & Carlsson) as one call. pandas and tqdm are imported when it runs.
"""

import os
import time
import warnings
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._validation import N_JOBS, Interval, Real, check_memory, validate_params
from .density import dense_core, n_dense_rows
from .filterbanks import edge_energy
from .filters import as_sources, extract_spatial_filters, layer_kernel, n_conv_layers
from .homology import (
    DRAW_BYTES,
    LEVELS,
    PERSISTENCE_CONSTRAINTS,
    SIGNIFICANCE_CONSTRAINTS,
    Finding,
    NullComparison,
    ShapeVerdict,
    Verdict,
    circle_verdict,
    identify_shape,
    persistence_diagrams,
    random_filter_test,
    top_lifetime,
)
from .io import load_state_dict
from .mapper import LoopConsensus, Mapper, check_resolution, graph_summary, loop_consensus
from .preprocessing import constant_rows

__all__ = [
    "COVARIANCE_EXCEEDANCES",
    "K_FRACTION",
    "MAX_FILTERS",
    "MIN_PIXELS",
    "PRIMARY_EDGE_ENERGY",
    "LayerTopology",
    "TopologyProfile",
    "covariance_draws",
    "default_k",
    "shows_circle",
    "shows_primary_circle",
    "topology_profile",
]

#: Edge energy from which a circle is called the primary circle of edges: half of each filter's
#: energy in the plane of the two linear edges of its kernel (:func:`~sktopo.filterbanks.edge_energy`:
#: 1 for pure edges at any size; on average ``2 / (h w − 1)`` for random h × w filters, 0.25 at
#: 3 × 3, 0.083 at 5 × 5, 0.042 at 7 × 7). It means the same at every size, half of the energy,
#: since the share is of the filter's own energy whatever its pixel count; random filters fall
#: further below it as the kernel grows (2 times at 3 × 3, 12 times at 7 × 7), so it is no looser
#: on large kernels. Not on 2 × 2 kernels, where the edges are 2 of the 3 zero-mean dimensions:
#: random filters average 2 / 3 and every great circle at least 1 / 2, so there the profile
#: leaves ``edge_energy`` NaN, as on kernels one pixel wide (1 × w), which have one edge.
PRIMARY_EDGE_ENERGY = 0.5

#: The fewest pixels a spatial filter needs for its layer to be analysed. Mean-centred and
#: normalized, filters of 3 pixels lie on a circle and filters of 2 on two points, whatever the
#: weights (and a 1 × 1 filter is zero): such a layer has no topology of its own to measure, so
#: the profile lists it as skipped, with the reason, at no cost.
MIN_PIXELS = 4

#: The covariance null's draws stop at this many reaching the layer's longest bar (Besag and
#: Clifford's sequential test, :func:`~sktopo.homology.random_filter_test`): a bar that
#: Gaussian filters with the layer's covariance reach often is settled in about ten draws.
COVARIANCE_EXCEEDANCES = 10


def covariance_draws(n_null: int, confidence: float) -> int:
    """Most clouds the profile's covariance null draws: ``n_null``, or fewer where fewer tell.

    Its p-value is a note on a loop, which says whether it is at most ``alpha = 1 - confidence``
    (:func:`~sktopo.homology.circle_verdict`): ``1 / alpha - 1`` draws are the fewest that can
    say so (19 at 0.95), and more only refine a number no level reads. Measured on ResNet-18
    with a loop in each of its 16 3 × 3 layers, on 2 cores: 297 s with 99 draws per layer,
    260 s with 19 (74 s with no loop: a loop also costs the band over Z/3).

    Parameters
    ----------
    n_null : int
        The profile's ``n_null``.
    confidence : float
        The profile's ``confidence``, in (0, 1).

    Returns
    -------
    n_draws : int

    Examples
    --------
    >>> from sktopo.profile import covariance_draws
    >>> covariance_draws(99, 0.95), covariance_draws(99, 0.99), covariance_draws(9, 0.95)
    (19, 99, 9)
    """
    fewest = int(np.ceil(1 / (1 - confidence) - 1 - 1e-9))
    return max(1, min(n_null, fewest))


#: The default cap on the spatial filters used per layer (``max_filters``): 64 × 64, the size of
#: the smallest 3 × 3 layers of VGG and ResNet, so that most layers of a network share one size,
#: hence one set of null clouds (see :func:`topology_profile` and ``docs/profile.md`` for what it
#: costs and keeps of the verdicts).
MAX_FILTERS = 4096

#: The default k of ρ(k, p) as a fraction of the cloud: the paper's ρ(200, 0.3) of 6,400 filters.
K_FRACTION = 1 / 32

#: The columns of a profile, in order.
COLUMNS = [
    "layer",
    "layer_name",
    "n_filters",
    "n_used",
    "k",
    "p",
    "n_dense",
    "h1_top",
    "h1_second",
    "band",
    "threshold",
    "n_significant_h1",
    "null_p_value",
    "null_ratio",
    "covariance_p_value",
    "shape",
    "edge_energy",
    "mapper_loops",
    "mapper_one_loop_share",
    "verdict",
    "margin",
    "seconds",
    "skipped",
]

#: identify_shape needs at least this many rows in the dense core.
_MIN_DENSE = 4


@dataclass(frozen=True, eq=False)
class LayerTopology:
    """The evidence behind one row of a topology profile.

    Compared by identity (``eq=False``): arrays have no single truth value.

    Attributes
    ----------
    layer : int
        1-based depth among the conv layers.
    verdict : ShapeVerdict
        :func:`~sktopo.homology.identify_shape` of the dense core: the Betti numbers over Z/2
        and Z/3, their significance (barcodes, bands, null draws).
    null : NullComparison
        The longest H1 bar against the null clouds of the significance rule (random filters
        through the same pipeline: each draw's longer top lifetime of Gaussian and of uniform
        filters, torch's initialization).
    covariance : NullComparison or None
        The same against Gaussian filters with the layer's own covariance
        (:func:`~sktopo.homology.random_filter_test` with ``null="covariance"``, the same seed),
        drawn until :data:`COVARIANCE_EXCEEDANCES` draws reach the bar, at most
        :func:`covariance_draws` (19 at the default confidence); None
        where the rule finds no loop, which this null would explain (it does not change the
        level: :func:`~sktopo.homology.circle_verdict`).
    dense : ndarray of shape (n_dense, n_features)
        The dense core ρ(k, p) of the normalized filters.
    mapper : Mapper
        The fitted Mapper graph of ``dense`` at the profile's resolution (the picture).
    consensus : LoopConsensus
        Loops of Mapper graphs over a range of resolutions (:func:`~sktopo.mapper.loop_consensus`).
    circle : Verdict
        :func:`~sktopo.homology.circle_verdict`: found, borderline, not found or too small.
    kernel_size : tuple of (int, int) or None
        The (height, width) of the layer's kernels, whose pixels are the columns of ``dense``.

    Examples
    --------
    >>> import torch
    >>> from sktopo.filterbanks import primary_circle
    >>> from sktopo.profile import topology_profile
    >>> net = torch.nn.Conv2d(1, 200, 3)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.tensor(primary_circle(200)).unsqueeze(1))
    >>> profile = topology_profile(net, n_subsamples=4, n_null=19, n_landmarks=60, random_state=0, progress=False)
    >>> evidence = profile.evidence[1]
    >>> evidence.layer, evidence.dense.shape, evidence.circle.level, evidence.null.p_value
    (1, (60, 9), 'found', 0.05)
    """

    layer: int
    verdict: ShapeVerdict
    null: NullComparison
    covariance: NullComparison | None
    dense: np.ndarray
    mapper: Mapper
    consensus: LoopConsensus
    circle: Verdict
    kernel_size: tuple | None = None

    @property
    def diagrams(self) -> list:
        """The dense core's barcodes over Z/2, H0 and H1 (landmark births as they are)."""
        return self.verdict.significance[2].diagrams

    @property
    def band(self) -> np.ndarray:
        """Half the significance threshold of each of :attr:`diagrams`: bars longer than twice it count."""
        return self.verdict.significance[2].thresholds / 2


@dataclass(frozen=True, eq=False)
class TopologyProfile:
    """What :func:`topology_profile` measured: the table, each layer's evidence and the settings.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per layer, the columns of :func:`topology_profile` (``shape``, ``verdict``...).
    evidence : dict of int to LayerTopology
        Each analysed layer's barcodes, band, null draws, dense core and Mapper graph, by layer
        number (a skipped layer has none: see the table's ``skipped``).
    settings : dict
        The analysis's settings: ``p``, ``max_filters``, ``confidence``, ``n_subsamples``,
        ``n_null``, ``n_landmarks``, ``mapper_resolution``, ``mapper_gain``.

    Examples
    --------
    >>> import torch
    >>> from sktopo.filterbanks import primary_circle
    >>> from sktopo.profile import topology_profile
    >>> net = torch.nn.Conv2d(1, 200, 3)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.tensor(primary_circle(200)).unsqueeze(1))
    >>> profile = topology_profile(net, n_subsamples=4, n_null=19, n_landmarks=60, random_state=0, progress=False)
    >>> profile.layers, profile.verdicts[1].level, profile.settings["p"]
    ([1], 'found', 0.3)
    >>> profile.verdict.level, profile.verdict.reasons[0]
    ('found', '1 of 1 layer(s) show a circle: [1]')
    >>> profile.evidence[1].diagrams[1].shape[1]
    2
    """

    table: object
    evidence: dict
    settings: dict

    @property
    def layers(self) -> list:
        """The layer numbers profiled, in the table's order."""
        return [int(layer) for layer in self.table["layer"]]

    @property
    def verdicts(self) -> dict:
        """Each analysed layer's :class:`~sktopo.homology.Verdict` (level, reasons, margin), by layer number."""
        return {layer: self.evidence[layer].circle for layer in self.layers if layer in self.evidence}

    @property
    def verdict(self) -> Finding:
        """The profile's :class:`~sktopo.homology.Finding`: the surest level of its analysed layers.

        ``"found"`` when a layer shows a circle, and so on down :data:`~sktopo.homology.LEVELS`;
        ``"too_small"`` when no layer was analysed. The reasons: how many layers show a circle,
        then one per layer, its level or why it was skipped. The margin is NaN (the layers'
        margins are in the table).
        """
        table = self.table
        levels = [level for level, skipped in zip(table["verdict"], table["skipped"]) if not skipped]
        level = min(levels, key=LEVELS.index) if levels else "too_small"
        found = [int(layer) for layer, v in zip(table["layer"], table["verdict"]) if v == "found"]
        reasons = [f"{len(found)} of {len(table)} layer(s) show a circle" + (f": {found}" if found else "")]
        reasons += [
            f"layer {row.layer} ({row.layer_name or 'unnamed'}): "
            + (f"not analysed, {row.skipped}" if row.skipped else row.verdict)
            for row in table.itertuples()
        ]
        return Finding(level, tuple(reasons), float("nan"))

    def select(self, layers):
        """The profile of some of its layers, in the order given.

        Parameters
        ----------
        layers : int or list of int
            Layer numbers of this profile.

        Returns
        -------
        profile : TopologyProfile

        Raises
        ------
        ValueError
            For a layer this profile does not hold.
        """
        message = f"layers must be a layer of this profile, {self.layers}, or a list of distinct ones; got {layers!r}."
        wanted = [layers] if isinstance(layers, Integral) else layers
        if isinstance(wanted, (str, bytes)) or not hasattr(wanted, "__iter__"):
            raise ValueError(message)
        wanted = list(wanted)
        if (
            not wanted
            or any(isinstance(i, bool) or not isinstance(i, Integral) or i not in self.layers for i in wanted)
            or len(set(wanted)) < len(wanted)
        ):
            raise ValueError(message)
        wanted = [int(i) for i in wanted]
        rows = self.table.set_index("layer", drop=False).loc[wanted].reset_index(drop=True)
        evidence = {layer: self.evidence[layer] for layer in wanted if layer in self.evidence}
        return TopologyProfile(rows, evidence, dict(self.settings))

    def plot(self, *, kind="barcodes", axes=None):
        """Draw the profile layer by layer (:class:`~sktopo.plotting.ProfileDisplay`).

        Parameters
        ----------
        kind : {"barcodes", "mapper"}, default="barcodes"
            Each layer's H1 barcode with its threshold, or its Mapper graph.
        axes : array-like of matplotlib Axes, default=None
            One per layer; a new figure when None.

        Returns
        -------
        display : ProfileDisplay
        """
        from .plotting import ProfileDisplay

        return ProfileDisplay.from_result(self, kind=kind, axes=axes)

    def __len__(self) -> int:
        return len(self.table)

    def __repr__(self) -> str:
        return f"TopologyProfile of {len(self)} layer(s)\n{self.table!r}"

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


@validate_params(
    {"n_filters": [Interval(Integral, 2, None, closed="left")]}, prefer_skip_nested_validation=True
)
def default_k(n_filters: int) -> int:
    """The default k of ρ(k, p) for a cloud of ``n_filters``: ``round(n_filters / 32)``, at least 1.

    The paper's reference cloud, ρ(200, 0.3) of 6,400 first-layer filters (Fig. 2, Section V-A),
    puts the k-th neighbour at ``k / n = 1 / 32`` of the cloud; see :func:`topology_profile` for
    why a fraction of the cloud rather than a fixed k.

    Parameters
    ----------
    n_filters : int
        At least 2.

    Returns
    -------
    k : int
        From 1 to ``n_filters - 1``.

    Examples
    --------
    >>> from sktopo.profile import default_k
    >>> default_k(6400), default_k(20000), default_k(64)
    (200, 625, 2)
    """
    return max(1, int(np.floor(n_filters * K_FRACTION + 0.5)))


_LAYERS_MESSAGE = "layers must be None (every conv layer), a layer number or a list of layer numbers"


def _check_layers(layers, n_layers: int) -> list[int]:
    """``layers`` as a list of distinct 1-based layer numbers of a source with ``n_layers``."""
    if layers is None:
        return list(range(1, n_layers + 1))
    items = [layers] if isinstance(layers, Integral) else layers
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise ValueError(f"{_LAYERS_MESSAGE}; got {layers!r}.")
    items = list(items)
    if not items or any(isinstance(i, bool) or not isinstance(i, Integral) for i in items):
        raise ValueError(f"{_LAYERS_MESSAGE} (ints, 1-based); got {layers!r}.")
    if not all(1 <= i <= n_layers for i in items):
        raise ValueError(
            f"layers must be from 1 to {n_layers}, the conv layers of this source; got {layers!r}."
        )
    if len(set(items)) < len(items):
        raise ValueError(f"layers must not repeat a layer; got {layers!r}.")
    return [int(i) for i in items]


def _loaded(source, random_state=None) -> list:
    """The sources of ``source``, weights files read once (not once per layer), model names built.

    A str that is no existing file or folder names a torchvision model, built at random
    initialization with the int ``random_state``, a seed drawn from a RandomState, or (None) from
    torch's global generator.
    """
    loaded = []
    for item in as_sources(source):
        if isinstance(item, str) and not os.path.exists(item):
            from .nn import torchvision_model

            seed = random_state
            if seed is not None and not isinstance(seed, Integral):
                seed = int(check_random_state(seed).randint(2**32, dtype=np.int64))
            try:
                item = torchvision_model(item, random_state=seed)
            except ValueError as exc:
                raise FileNotFoundError(
                    f"No weights file at {item!r}, nor a network by that name: {exc}"
                ) from exc
        loaded.append(load_state_dict(item) if isinstance(item, (str, os.PathLike)) else item)
    return loaded


def _n_filters(sources, layer: int) -> int:
    """Spatial filters that :func:`extract_spatial_filters` will give, counted from the kernel shapes."""
    return sum(int(np.prod(layer_kernel(source, layer)[2].shape[:2])) for source in sources)


def _layer_k(k, n_used: int) -> int:
    if k is None:
        return default_k(n_used)
    return k if isinstance(k, Integral) else max(1, int(np.floor(k * n_used + 0.5)))


def _plan(sources, layers, k, p, max_filters) -> list[tuple]:
    """``(layer, n_used, k, skipped)`` per layer; refuses layers too small for ρ(k, p), before any work.

    ``skipped`` is the row of a layer that is not analysed (its filters have fewer than
    :data:`MIN_PIXELS` pixels), None for the others.
    """
    plan = []
    for layer in layers:
        _, name, kernel = layer_kernel(sources[0], layer)
        pixels, n_filters = kernel.shape[2] * kernel.shape[3], _n_filters(sources, layer)
        if pixels < MIN_PIXELS:
            shape = "zero" if pixels == 1 else "on a circle" if pixels == 3 else "two points"
            reason = (
                f"{kernel.shape[2]} × {kernel.shape[3]} kernels: spatial filters of {pixels} pixel(s), fewer "
                f"than MIN_PIXELS={MIN_PIXELS}; mean-centred and normalized they are {shape} whatever the "
                "weights, so there is no topology to measure"
            )
            plan.append((layer, 0, 0, _skipped_row(layer, name, n_filters, reason)))
            continue
        n_used = n_filters if max_filters is None else min(n_filters, max_filters)
        k_used = _layer_k(k, n_used) if n_used > 1 else 1
        n_dense = n_dense_rows(n_used, p)
        if k_used >= n_used or n_dense < _MIN_DENSE:
            raise ValueError(
                f"Layer {layer} has {n_used} spatial filters (after max_filters={max_filters}): too few for "
                f"ρ(k={k_used}, p={p}), which needs k below that count and keeps {n_dense} rows where the "
                f"barcodes need at least {_MIN_DENSE}. Give a smaller k or a larger p, or pool "
                "more networks."
            )
        plan.append((layer, n_used, k_used, None))
    return plan


def _skipped_row(layer, name, n_filters, reason) -> dict:
    """The row of a layer that is not analysed: what it holds, NaN for what was not measured."""
    return dict.fromkeys(COLUMNS, np.nan) | {
        "layer": layer,
        "layer_name": name,
        "n_filters": n_filters,
        "n_used": 0,
        "k": 0,
        "n_dense": 0,
        "shape": None,
        "verdict": "skipped",
        "seconds": 0.0,
        "skipped": reason,
    }


def _profile_layer(
    sources,
    layer,
    n_used,
    rng,
    *,
    k,
    p,
    confidence,
    n_subsamples,
    n_null,
    accuracy,
    chance,
    n_landmarks,
    resolution,
    gain,
    seed,
    n_jobs,
) -> tuple[dict, LayerTopology | None]:
    """One row of the profile and its evidence: ``n_used`` of the layer's filters (drawn by ``rng``).

    Constant filters (all-zero included) are left out with a warning: mean-centred they are zero,
    and as many identical points would make the densest part of the cloud. A layer left with too
    few filters for ρ(k, p) is skipped (no evidence), with the reason in its row.
    """
    start = time.perf_counter()
    filters, provenance = extract_spatial_filters(sources, layer)
    constant = constant_rows(filters)
    if constant.any():
        filters = filters[~constant]
        if len(filters) <= k or n_dense_rows(len(filters), p) < _MIN_DENSE:
            reason = (
                f"{int(constant.sum())} of {len(constant)} spatial filters are constant (all-zero included), "
                f"which mean-centred are zero; the {len(filters)} left are too few for ρ(k={k}, p={p})"
            )
            return _skipped_row(layer, provenance["layer_name"].iloc[0], len(constant), reason), None
        warnings.warn(
            f"Layer {layer}: {int(constant.sum())} of {len(constant)} spatial filters are constant (all-zero "
            "included); they are left out of its analysis (mean-centred they are zero).",
            UserWarning,
            stacklevel=3,
        )
    if len(filters) > n_used:
        filters = filters[np.sort(rng.choice(len(filters), n_used, replace=False))]
    dense = dense_core(filters, k, p, n_jobs=n_jobs)
    # one seed for every layer: layers of the same size share their null draws (cached)
    rule = dict(k=k, p=p, n_landmarks=n_landmarks, n_jobs=n_jobs, random_state=seed)
    verdict = identify_shape(
        dense,
        filters=filters,
        confidence=confidence,
        n_subsamples=n_subsamples,
        n_draws=n_null,
        return_verdict=True,
        **rule,
    )
    result = verdict.significance[2]
    observed = float(result.lifetimes[1][0]) if len(result.lifetimes[1]) else 0.0
    null = NullComparison.compare(observed, result.null[:, 1])
    # a note on a loop the rule finds, not a level: only then drawn, until settled (Besag and Clifford)
    covariance = (
        random_filter_test(
            filters,
            null="covariance",
            n_draws=covariance_draws(n_null, confidence),
            exceedances=COVARIANCE_EXCEEDANCES,
            **rule,
        )
        if result.n_significant[1] >= 1
        else None
    )
    consensus = loop_consensus(dense, gain=gain)
    circle = circle_verdict(
        result,
        loop_fraction=consensus.fraction,
        accuracy=accuracy,
        chance=chance,
        covariance_p_value=None if covariance is None else covariance.p_value,
    )
    mapper = Mapper(resolution=resolution, gain=gain).fit(dense)
    too_small = circle.level == "too_small"
    row = {
        "layer": layer,
        "layer_name": provenance["layer_name"].iloc[0],
        "n_filters": provenance.shape[0],
        "n_used": len(filters),
        "k": k,
        "p": p,
        "n_dense": len(dense),
        # the paper's number, with exact births where affordable; NaN where the core is too small
        "h1_top": np.nan
        if too_small
        else top_lifetime(persistence_diagrams(dense, n_landmarks=n_landmarks).diagrams[1]),
        "h1_second": float(result.lifetimes[1][1]) if len(result.lifetimes[1]) > 1 else 0.0,
        "band": float(result.band.band[1]),
        "threshold": float(result.thresholds[1]),
        "n_significant_h1": int(result.n_significant[1]),
        "null_p_value": null.p_value,
        "null_ratio": null.ratio_to_median,
        "covariance_p_value": np.nan if covariance is None else covariance.p_value,
        "shape": verdict.shape,
        "edge_energy": _edge_energy(dense, provenance.attrs["kernel_size"]),
        "mapper_loops": graph_summary(mapper.graph_)["n_loops"],
        "mapper_one_loop_share": consensus.fraction,
        "verdict": circle.level,
        "margin": circle.margin,
        "seconds": time.perf_counter() - start,
        "skipped": "",
    }
    kernel_size = tuple(int(side) for side in provenance.attrs["kernel_size"])
    return row, LayerTopology(layer, verdict, null, covariance, dense, mapper, consensus, circle, kernel_size)


def _edge_energy(dense, kernel_size) -> float:
    """The core's mean :func:`~sktopo.filterbanks.edge_energy`; NaN where it tells nothing.

    That is on kernels of one row or column (1 × w: the plane of edges is a line) and where
    random filters reach :data:`PRIMARY_EDGE_ENERGY` on average (2 × 2: 2 / 3).
    """
    if min(kernel_size) < 2 or 2 / (dense.shape[1] - 1) >= PRIMARY_EDGE_ENERGY:
        return np.nan
    return float(edge_energy(dense, size=kernel_size).mean())


@validate_params(
    {
        "source": "no_validation",
        "layers": "no_validation",  # checked against the source's conv layers
        "k": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="neither"), None],
        "p": [Interval(Real, 0, 1, closed="right")],
        "max_filters": [Interval(Integral, 1, None, closed="left"), None],
        "confidence": SIGNIFICANCE_CONSTRAINTS["confidence"],
        "n_subsamples": SIGNIFICANCE_CONSTRAINTS["n_subsamples"],
        "n_null": [Interval(Integral, 1, None, closed="left")],
        "accuracy": [Interval(Real, 0, 1, closed="both"), None],
        "chance": [Interval(Real, 0, 1, closed="neither"), None],
        "n_landmarks": PERSISTENCE_CONSTRAINTS["n_landmarks"],
        "resolution": Mapper._parameter_constraints["resolution"],
        "gain": Mapper._parameter_constraints["gain"],
        "random_state": ["random_state"],
        "n_jobs": N_JOBS,
        "progress": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def topology_profile(
    source,
    layers=None,
    *,
    k=None,
    p=0.3,
    max_filters=MAX_FILTERS,
    confidence=0.95,
    n_subsamples=20,
    n_null=99,
    accuracy=None,
    chance=None,
    n_landmarks=300,
    resolution=30,
    gain=3,
    random_state=None,
    n_jobs=None,
    progress=True,
):
    """The topology of each conv layer's spatial filters, one row per layer.

    For each layer: the spatial filters of every network in ``source`` are pooled
    (:func:`~sktopo.filters.extract_spatial_filters`), subsampled at random to at most
    ``max_filters``, mean-centred and normalized, and filtered to their dense core ρ(k, p)
    (:class:`~sktopo.density.DensityFilter`). The core's H1 barcode over Z/2, its confidence band
    and the shape named over Z/2 and Z/3 come from :func:`~sktopo.homology.identify_shape`; the
    top H1 lifetime is tested against as many random filters through the same pipeline (the
    rule's null, and Gaussian filters with the layer's own covariance); Mapper(``resolution``,
    ``gain``) of the core counts the loops a reader sees (:func:`~sktopo.mapper.graph_summary`).

    **The defaults, from the paper.** ``p = 0.3`` is the paper's choice for the layer-by-layer
    study of VGG16 and VGG19 (ρ(100, 0.3) for layers 3 to 13, Figs. 10 and 11, Section V-C) and
    for its reference first-layer cloud (ρ(200, 0.3), Fig. 2); its ρ(100, 0.1) of Section VI
    serves one number, the top lifetime, rather than a picture of the core. ``k`` is a fraction
    of the cloud, ``k = round(n_used / 32)`` (:func:`default_k`): that of the paper's reference
    ρ(200, 0.3) of 6,400 filters (Fig. 2), near which its other first-layer clouds lie (200 of
    11,520 and of 11,808 filters, 1 / 58; 75 of 2,048, 1 / 27; Figs. 4, 6, 7). A k-nearest-neighbour
    density estimate averages over the ball holding ``k / n`` of the cloud, so a fraction means the
    same on a ``max_filters`` subsample as on the whole layer, which a fixed k does not. For VGG the
    paper kept k = 100 on every layer, whatever its size (``k / n`` from 1 / 41 in layer 2 to
    1 / 2,621 in layers 9 to 13): the default smooths those deep layers more than the paper did.
    It is the better estimate here: measured on 20,000 filters, 30 % of them noisy edges of the
    primary circle and the rest random, the top H1 lifetime of the ρ(k, 0.3) core grows with k and
    levels off near ``n / 64`` (0.25 at k = 8, the paper's VGG share of 20,000; 0.75 at 100; 0.79
    at 300; 0.80 at 625 = ``n / 32``). Pass ``k=100`` for the paper's VGG setting on layers small
    enough not to be subsampled.

    **max_filters.** VGG16's layers 9 to 13 have 512 × 512 = 262,144 spatial filters each. A
    random subsample (without replacement, the same for a given ``random_state`` whichever
    ``layers`` are profiled) bounds memory and time: every step then works on at most
    ``max_filters`` rows, and the null test draws clouds of the same size, which the layers of
    that size (and pixel count) share. The default, :data:`MAX_FILTERS` = 4,096, is 64 × 64, the
    smallest 3 × 3 layers of VGG and ResNet, so most layers of a network share one set of null
    clouds. Measured with the defaults and ``n_jobs=-1`` on 2 cores, at random initialization
    (``benchmarks/bench_profile.py``): ResNet-18 in 74 s, EfficientNet-B0 in 73 s and VGG16 in
    65 s, the profile adding at most 260 MB to the network's memory. A layer where the rule finds
    a loop costs more: the band over Z/3 and up to :func:`covariance_draws` clouds of the
    covariance null (ResNet-18 with a loop in each 3 × 3 layer: 260 s). On layers of
    8,192 filters the cap gave the whole layer's verdict on 15 of 16, missing one weak circle
    (``docs/profile.md``): pass a larger ``max_filters`` for weak circles, at a cost that grows
    about as its square (the density filtrations: the k-th neighbour of every filter, k a
    fraction of them).

    Parameters
    ----------
    source : source or list of sources
        What :func:`~sktopo.filters.extract_spatial_filters` reads: a ``torch.nn.Module`` (e.g.
        :func:`sktopo.nn.vgg16`), a fitted skorch net or :class:`~sktopo.nn.NetworkEnsemble`, a
        state_dict, a path to a saved state_dict (read once, with ``weights_only=True``), a
        kernel array, or a list of these, pooled layer by layer; and, here only, the name of a
        torchvision classification model (``"resnet18"``, ``"vgg16"``...), randomly initialized.
        A str is a path when a file or folder of that name exists, else a model name, built by
        :func:`sktopo.nn.torchvision_model` with ``random_state`` when it is an int (the same
        network each time: a name given twice is one network twice), a seed drawn from it when
        it is a RandomState, torch's global generator when None. For trained weights pass the
        model itself, e.g. ``torchvision_model("resnet18", "DEFAULT")``.
    layers : int or list of int, default=None
        1-based conv layer numbers (as ``layer`` of :class:`~sktopo.filters.SpatialFilterExtractor`),
        counted in the first source; None for every conv layer. Rows come in this order.
    k : int, float or None, default=None
        The neighbour of ρ(k, p): an int for every layer; a float in (0, 1) for that fraction
        of each layer's ``n_used``; None for ``round(n_used / 32)`` (see above).
    p : float, default=0.3
        Fraction of the filters kept in the dense core, in (0, 1].
    max_filters : int or None, default=MAX_FILTERS
        Largest number of spatial filters used per layer (see above); :data:`MAX_FILTERS` is
        4,096. None uses every filter of every layer.
    confidence : float, default=0.95
        ``1 - alpha``, the level of the significance rule (:func:`~sktopo.homology.significance`).
    n_subsamples : int, default=20
        Half-subsamples for the band, in each of Z/2 and Z/3.
    n_null : int, default=99
        Random-filter clouds of the null, through the same pipeline; 99 resolves p = 0.01.
        Layers with the same number of filters and pixels share them. The covariance null
        draws only for a layer where the rule finds a loop (its p-value is a note on that loop,
        not a level), at most :func:`covariance_draws` (19 at the default confidence, the fewest
        that can reach its level), and stops once :data:`COVARIANCE_EXCEEDANCES` of them reach
        the longest bar.
    accuracy, chance : float, default=None
        The networks' mean test accuracy and the accuracy of guessing: a layer of networks that
        have not learned is judged ``"too_small"`` (:func:`~sktopo.homology.circle_verdict`).
    n_landmarks : int or None, default=300
        Landmarks of every barcode (:func:`~sktopo.homology.persistence_diagrams`).
    resolution : int, default=30
    gain : float, default=3
        The paper's Mapper(30, 3) (:class:`~sktopo.mapper.Mapper`, PCA lens, VNE metric).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples, the bands and the null clouds; a layer's row does not depend on
        which other layers are profiled.
    n_jobs : int, default=None
        For the neighbour searches (threads), the band's subsamples and the null clouds
        (joblib); None means 1, -1 all cores.
    progress : bool, default=True
        Show a progress bar over the layers (tqdm).

    Returns
    -------
    profile : TopologyProfile
        ``profile.table`` has one row per layer:

        * ``layer``, ``layer_name``; ``n_filters``: spatial filters extracted; ``n_used``:
          after subsampling to ``max_filters``; ``k``, ``p``: the ρ(k, p) applied;
          ``n_dense``: rows of the dense core.
        * ``h1_top``: the longest H1 lifetime of the core over Z/2, the paper's "topological
          simplicity", with exact births where affordable (``exact_below="auto"`` of
          :func:`~sktopo.homology.persistence_diagrams`); ``h1_second``: the second longest, as
          the rule's diagrams give it (0 for none); ``band``: the H1 confidence half-width;
          ``threshold``: the significance threshold, ``max(2 * band, t)`` with ``t`` the null
          quantile; ``n_significant_h1``: H1 bars longer than ``threshold``. ``h1_top`` is NaN
          where the verdict is ``"too_small"``.
        * ``null_p_value``, ``null_ratio``: the longest bar's Monte Carlo p-value against
          random filters through the same pipeline (Gaussian or uniform, each draw's longer top
          lifetime), and its lifetime over their median;
          ``covariance_p_value``: the same against Gaussian filters with the layer's covariance,
          where the rule finds a loop (NaN elsewhere: no loop for it to explain).
        * ``shape``: the shape named (``"circle"``, ``"two circles"``, ``"three circles"``,
          ``"klein bottle"``, ``"torus"`` or ``"none"``).
        * ``edge_energy``: mean over the core of :func:`~sktopo.filterbanks.edge_energy` at
          the layer's kernel size (1 for pure edges; ``2 / (h w − 1)`` on average for random
          h × w filters, 0.25 at 3 × 3, 0.042 at 7 × 7); NaN for 2 × 2 kernels, where random
          filters average 2 / 3, above :data:`PRIMARY_EDGE_ENERGY`, and for kernels one pixel
          wide (1 × w or h × 1).
        * ``mapper_loops``: loops of the core's Mapper graph at ``resolution``;
          ``mapper_one_loop_share``: the share of the resolutions of
          :func:`~sktopo.mapper.loop_consensus` with exactly one loop.
        * ``verdict``: ``"found"``, ``"borderline"``, ``"not_found"`` or ``"too_small"``
          (:func:`~sktopo.homology.circle_verdict`; its reasons are in the evidence), or
          ``"skipped"``; ``margin``: how far the longest bar clears the threshold; ``seconds``:
          time for the layer.
        * ``skipped``: why a layer is not analysed, "" for the others. A layer whose spatial
          filters have fewer than :data:`MIN_PIXELS` pixels (1 × 1 convolutions, say) is skipped
          before any work, as is one whose filters are all constant (all-zero included); its
          row keeps ``layer``, ``layer_name`` and ``n_filters``, 0 for ``n_used``, ``k`` and
          ``n_dense``, NaN for what was not measured, and it has no evidence. Constant filters
          among others are left out of the analysis, with a ``UserWarning``.

        ``profile.evidence`` maps each layer to its :class:`LayerTopology` (barcodes, bands, null
        draws, the dense core and its Mapper graph), which ``profile.plot()`` draws;
        ``profile.verdicts`` its :class:`~sktopo.homology.Verdict` with the reasons;
        ``profile.settings`` the analysis's settings (``p``, ``max_filters``, ``confidence``,
        ``n_subsamples``, ``n_null``, ``n_landmarks``, ``mapper_resolution``, ``mapper_gain``).

    Raises
    ------
    ValueError
        For ``layers`` that are not conv layers of the source, or a layer with too few filters
        for ρ(k, p) (checked for every layer before any work); and whatever
        :func:`~sktopo.filters.extract_spatial_filters` refuses.
    FileNotFoundError
        For a str that is neither an existing path nor a torchvision classification model name
        (the message says both, with close names).

    See Also
    --------
    TopologyProfile.plot : the barcodes of each layer, side by side.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", ICMLA 2019, Sections IV, V-C and VI.

    Examples
    --------
    >>> import torch
    >>> from sktopo.datasets import make_circle_filters
    >>> from sktopo.profile import topology_profile
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 600, 3), torch.nn.ReLU(), torch.nn.Conv2d(600, 1, 3))
    >>> edges = make_circle_filters(600, noise=0.2, random_state=0).reshape(600, 1, 3, 3)
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor(edges))
    >>> profile = topology_profile(
    ...     net, 1, n_subsamples=5, n_null=19, n_landmarks=80, random_state=0, progress=False
    ... )
    >>> profile.table[["layer", "n_filters", "k", "n_dense", "n_significant_h1", "shape", "verdict"]]
       layer  n_filters   k  n_dense  n_significant_h1   shape verdict
    0      1        600  19      180                 1  circle   found
    >>> float(profile.table.edge_energy.iloc[0]) > 0.85, float(profile.table.null_p_value.iloc[0])
    (True, 0.05)
    """
    import pandas as pd
    from tqdm.auto import tqdm

    check_resolution(resolution)  # before any work: the Mapper step comes last
    for name, count in (("n_null", n_null), ("n_subsamples", n_subsamples)):
        purpose = "the null draws' seeds and top lifetimes" if name == "n_null" else "the subsamples' seeds"
        check_memory(name, count, DRAW_BYTES * count, purpose, each=DRAW_BYTES, unit="draws")
    sources = _loaded(source, random_state)
    plan = _plan(sources, _check_layers(layers, n_conv_layers(sources[0])), k, p, max_filters)
    base = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    analysis = dict(
        seed=int(base),
        accuracy=accuracy,
        chance=chance,
        p=p,
        confidence=confidence,
        n_subsamples=n_subsamples,
        n_null=n_null,
        n_landmarks=n_landmarks,
        resolution=resolution,
        gain=gain,
        n_jobs=n_jobs,
    )
    rows, topology = [], {}
    for layer, n_used, k_used, skipped in tqdm(
        plan, desc="topology profile", unit="layer", disable=not progress
    ):
        if skipped is not None:
            rows.append(skipped)
            continue
        rng = np.random.RandomState(np.random.SeedSequence([base, layer]).generate_state(1)[0])
        row, evidence = _profile_layer(sources, layer, n_used, rng, k=k_used, **analysis)
        rows.append(row)
        if evidence is not None:
            topology[layer] = evidence
    settings = {
        "p": p,
        "max_filters": max_filters,
        "confidence": confidence,
        "n_subsamples": n_subsamples,
        "n_null": n_null,
        "n_landmarks": n_landmarks,
        "mapper_resolution": resolution,
        "mapper_gain": gain,
    }
    return TopologyProfile(pd.DataFrame(rows, columns=COLUMNS), topology, settings)


def shows_circle(profile):
    """Which layers of a profile show a circle: the rows whose ``verdict`` is ``"found"``.

    The level comes from :func:`~sktopo.homology.circle_verdict`: exactly one significant H1
    bar by the calibrated rule (beyond the confidence band and the top lifetimes of random
    filters through the same pipeline), confirmed by Mapper showing exactly one loop at a
    majority of resolutions, on a dense core large enough to judge. Whether it is the
    *primary* circle of edges is a further question, which the ``edge_energy`` column answers
    (1 for pure edges, ``2 / (h w − 1)`` on average for random h × w filters: 0.25 at 3 × 3).

    Parameters
    ----------
    profile : TopologyProfile or pandas.DataFrame
        Returned by :func:`topology_profile`, its ``table``, or rows of it.

    Returns
    -------
    shows : pandas.Series of bool
        One per row of the table, with its index.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.profile import shows_circle
    >>> rows = pd.DataFrame({"verdict": ["found", "borderline", "not_found", "too_small"]})
    >>> shows_circle(rows).tolist()
    [True, False, False, False]
    """
    table = _table(profile, "verdict")
    return table["verdict"] == "found"


def shows_primary_circle(profile, min_edge_energy: float = PRIMARY_EDGE_ENERGY):
    """Which layers of a profile show the paper's primary circle: a circle found, of edge filters.

    A row qualifies when :func:`shows_circle` does and its dense core holds at least
    ``min_edge_energy`` of its energy in the plane of the two linear edges of its kernel
    (``edge_energy``: 1 for pure edges at any size, ``2 / (h w − 1)`` on average for random
    h × w filters, 0.25 at 3 × 3 and 0.042 at 7 × 7; NaN for 2 × 2 kernels and kernels one
    pixel wide, which never qualify: see :data:`PRIMARY_EDGE_ENERGY`).

    Parameters
    ----------
    profile : TopologyProfile or pandas.DataFrame
        Returned by :func:`topology_profile`, its ``table``, or rows of it.
    min_edge_energy : float, default=PRIMARY_EDGE_ENERGY
        0.5: half of each filter's energy, at every kernel size.

    Returns
    -------
    shows : pandas.Series of bool
        One per row of the table, with its index.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.profile import shows_primary_circle
    >>> rows = pd.DataFrame({"verdict": ["found", "found", "borderline"], "edge_energy": [0.7, 0.3, 0.9]})
    >>> shows_primary_circle(rows).tolist()
    [True, False, False]
    """
    table = _table(profile, "edge_energy")
    return shows_circle(table) & (table["edge_energy"] >= min_edge_energy)


def _table(profile, column: str):
    """The table of a :class:`TopologyProfile` (or a table itself), with ``column``, or a clear error."""
    table = profile.table if isinstance(profile, TopologyProfile) else profile
    if column not in getattr(table, "columns", []):
        raise TypeError(
            f"profile must be a TopologyProfile returned by topology_profile, or its table; it lacks {column!r}."
        )
    return table
