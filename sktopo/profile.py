"""The whole pipeline, layer by layer: the topology of a network's spatial filters as a table.

For each conv layer: extract the spatial filters (:func:`~sktopo.filters.extract_spatial_filters`),
subsample them to at most ``max_filters``, normalize them, keep the dense core ρ(k, p)
(:class:`~sktopo.density.DensityFilter`), then read its barcodes with a confidence band
(:func:`~sktopo.homology.identify_shape`), test them against random filters
(:func:`~sktopo.homology.random_filter_test`), and build its Mapper graph
(:class:`~sktopo.mapper.Mapper`): the paper's layer-by-layer study of VGG16 (Figs. 10 and 11 of
Brüel Gabrielsson & Carlsson) as one call. pandas and tqdm are imported when it runs.
"""

import os
import time
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._validation import N_JOBS, Interval, Real, validate_params
from .density import DensityFilter, _n_kept
from .filterbanks import edge_energy
from .filters import _as_sources, _is_tensor, conv_layers, extract_spatial_filters, layer_kernel
from .homology import NullComparison, ShapeVerdict, identify_shape, random_filter_test
from .homology._persistence import _constraints
from .homology._significance import SIGNIFICANCE_CONSTRAINTS
from .mapper import Mapper, graph_summary
from .preprocessing import normalize_filters

__all__ = ["K_FRACTION", "LayerTopology", "default_k", "shows_circle", "topology_profile"]

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
    "n_significant_h1",
    "null_p_value",
    "null_ratio",
    "model",
    "edge_energy",
    "mapper_loops",
    "seconds",
]

#: identify_shape needs at least this many rows in the dense core.
_MIN_DENSE = 4


@dataclass(frozen=True, eq=False)
class LayerTopology:
    """The evidence behind one row of a topology profile.

    Compared by identity (``eq=False``): a profile keeps these in ``attrs``, which pandas
    compares when it concatenates frames, and arrays have no single truth value.

    Attributes
    ----------
    layer : int
        1-based depth among the conv layers.
    verdict : ShapeVerdict
        :func:`~sktopo.homology.identify_shape` of the dense core: the Betti numbers over Z/2
        and Z/3, their confidence bands and barcodes.
    null : NullComparison
        :func:`~sktopo.homology.random_filter_test` of the filters used.
    dense : ndarray of shape (n_dense, n_features)
        The dense core ρ(k, p) of the normalized filters.
    mapper : Mapper
        The fitted Mapper graph of ``dense``.
    """

    layer: int
    verdict: ShapeVerdict
    null: NullComparison
    dense: np.ndarray
    mapper: Mapper

    @property
    def diagrams(self) -> list:
        """The dense core's barcodes over Z/2, H0 and H1 (centred landmark diagrams)."""
        return self.verdict.bands[2].diagrams

    @property
    def band(self) -> np.ndarray:
        """The confidence half-width of each of :attr:`diagrams`; bars longer than twice it count."""
        return self.verdict.bands[2].band


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


def _loaded(source) -> list:
    """The sources of ``source``, weights files read once (not once per layer)."""
    sources = _as_sources(source)
    if any(isinstance(s, (str, os.PathLike)) for s in sources):
        from .nn import load_state_dict

        sources = [load_state_dict(s) if isinstance(s, (str, os.PathLike)) else s for s in sources]
    return sources


def _n_layers(source) -> int:
    """Conv layers of a source; a kernel array is one layer."""
    return 1 if isinstance(source, np.ndarray) or _is_tensor(source) else len(conv_layers(source))


def _n_filters(sources, layer: int) -> int:
    """Spatial filters that :func:`extract_spatial_filters` will give, counted from the kernel shapes."""
    return sum(int(np.prod(layer_kernel(source, layer)[2].shape[:2])) for source in sources)


def _layer_k(k, n_used: int) -> int:
    if k is None:
        return default_k(n_used)
    return k if isinstance(k, Integral) else max(1, int(np.floor(k * n_used + 0.5)))


def _plan(sources, layers, k, p, max_filters) -> list[tuple[int, int, int]]:
    """``(layer, n_used, k)`` per layer; refuses layers too small for ρ(k, p), before any work."""
    plan = []
    for layer in layers:
        n_used = min(_n_filters(sources, layer), max_filters)
        k_used = _layer_k(k, n_used) if n_used > 1 else 1
        n_dense = _n_kept(p, n_used)
        if k_used >= n_used or n_dense < _MIN_DENSE:
            raise ValueError(
                f"Layer {layer} has {n_used} spatial filters (after max_filters={max_filters}): too few for "
                f"ρ(k={k_used}, p={p}), which needs k below that count and keeps {n_dense} rows where the "
                f"barcodes need at least {_MIN_DENSE}. Leave this layer out of layers, or change k or p."
            )
        plan.append((layer, n_used, k_used))
    return plan


def _lifetimes(diagram) -> np.ndarray:
    """Finite lifetimes of a diagram, longest first, padded with two zeros."""
    lifetimes = diagram[:, 1] - diagram[:, 0]
    return np.concatenate([np.sort(lifetimes[np.isfinite(lifetimes)])[::-1], [0.0, 0.0]])


def _profile_layer(sources, layer, n_used, k, settings, rng) -> tuple[dict, LayerTopology]:
    """One row of the profile and its evidence."""
    start = time.perf_counter()
    filters, provenance = extract_spatial_filters(sources, layer)
    if len(filters) > n_used:
        filters = filters[np.sort(rng.choice(len(filters), n_used, replace=False))]
    shape_seed, null_seed = rng.randint(np.iinfo(np.int32).max, size=2)
    common = {key: settings[key] for key in ("n_landmarks", "n_jobs")}
    p = settings["p"]
    dense = DensityFilter(k=k, p=p, n_jobs=settings["n_jobs"]).fit_transform(normalize_filters(filters))
    verdict = identify_shape(
        dense,
        confidence=settings["confidence"],
        n_bootstrap=settings["n_bootstrap"],
        random_state=shape_seed,
        return_verdict=True,
        **common,
    )
    test = random_filter_test(filters, k=k, p=p, n_draws=settings["n_null"], random_state=null_seed, **common)
    mapper = Mapper(resolution=settings["resolution"], gain=settings["gain"]).fit(dense)
    band = verdict.bands[2]
    second = _lifetimes(band.diagrams[1])[1]
    row = {
        "layer": layer,
        "layer_name": provenance["layer_name"].iloc[0],
        "n_filters": provenance.shape[0],
        "n_used": len(filters),
        "k": k,
        "p": p,
        "n_dense": len(dense),
        "h1_top": test.observed,  # with exact births where affordable: accurate
        "h1_second": second,
        "band": float(band.band[1]),
        "n_significant_h1": int(band.n_significant[1]),
        "null_p_value": test.p_value,
        "null_ratio": test.ratio_to_median,
        "model": verdict.shape,
        "edge_energy": float(edge_energy(dense).mean()) if dense.shape[1] == 9 else np.nan,
        "mapper_loops": graph_summary(mapper.graph_)["n_loops"],
        "seconds": time.perf_counter() - start,
    }
    return row, LayerTopology(layer, verdict, test, dense, mapper)


@validate_params(
    {
        "source": "no_validation",
        "layers": "no_validation",  # checked against the source's conv layers
        "k": [Interval(Integral, 1, None, closed="left"), Interval(Real, 0, 1, closed="neither"), None],
        "p": [Interval(Real, 0, 1, closed="right")],
        "max_filters": [Interval(Integral, 1, None, closed="left")],
        "confidence": SIGNIFICANCE_CONSTRAINTS["confidence"],
        "n_bootstrap": SIGNIFICANCE_CONSTRAINTS["n_bootstrap"],
        "n_null": [Interval(Integral, 1, None, closed="left")],
        **_constraints("n_landmarks"),
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
    max_filters=20000,
    confidence=0.95,
    n_bootstrap=20,
    n_null=19,
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
    top H1 lifetime is tested against as many random filters by
    :func:`~sktopo.homology.random_filter_test` (same k, p and landmarks); Mapper(``resolution``,
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
    ``max_filters`` rows, and the null test draws clouds of the same size. Measured with the
    defaults on layer 13 of VGG16 (random weights; a shared 2-core machine): 3.5 minutes, of
    which about 130 s are the 20 density filtrations ρ(625, 0.3) of 20,000 filters (the layer's and
    the 19 null clouds'), 25 s the 2 × 21 barcodes of the band and 15 s the null clouds' barcodes;
    memory grew by under 70 MB beyond the network's own. The density filtrations grow about as
    ``max_filters`` squared (the k-th neighbour of every filter, k a fraction of them).

    Parameters
    ----------
    source : source or list of sources
        What :func:`~sktopo.filters.extract_spatial_filters` reads: a ``torch.nn.Module`` (e.g.
        :func:`sktopo.nn.vgg16`), a fitted skorch net or :class:`~sktopo.nn.NetworkEnsemble`, a
        state_dict, a path to a saved state_dict (read once, with ``weights_only=True``), a
        kernel array, or a list of these, pooled layer by layer.
    layers : int or list of int, default=None
        1-based conv layer numbers (as ``layer`` of :class:`~sktopo.filters.SpatialFilterExtractor`),
        counted in the first source; None for every conv layer. Rows come in this order.
    k : int, float or None, default=None
        The neighbour of ρ(k, p): an int for every layer; a float in (0, 1) for that fraction
        of each layer's ``n_used``; None for ``round(n_used / 32)`` (see above).
    p : float, default=0.3
        Fraction of the filters kept in the dense core, in (0, 1].
    max_filters : int, default=20000
        Largest number of spatial filters used per layer (see above).
    confidence : float, default=0.95
        Of the confidence band (:func:`~sktopo.homology.confidence_band`).
    n_bootstrap : int, default=20
        Half-subsamples for the band, in each of Z/2 and Z/3.
    n_null : int, default=19
        Random-filter clouds of the null test; 19 is the fewest that can give p = 0.05.
    n_landmarks : int or None, default=300
        Landmarks of every barcode (:func:`~sktopo.homology.persistence_diagrams`).
    resolution : int, default=30
    gain : float, default=3
        The paper's Mapper(30, 3) (:class:`~sktopo.mapper.Mapper`, PCA lens, VNE metric).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsamples, the bands and the null clouds; each layer draws from its own
        stream, so a layer's row does not depend on which other layers are profiled.
    n_jobs : int, default=None
        For the neighbour searches (threads), the band's subsamples and the null clouds
        (joblib); None means 1, -1 all cores.
    progress : bool, default=True
        Show a progress bar over the layers (tqdm).

    Returns
    -------
    profile : pandas.DataFrame
        One row per layer:

        * ``layer``, ``layer_name``; ``n_filters``: spatial filters extracted; ``n_used``:
          after subsampling to ``max_filters``; ``k``, ``p``: the ρ(k, p) applied;
          ``n_dense``: rows of the dense core.
        * ``h1_top``: the longest H1 lifetime of the core over Z/2, the paper's "topological
          simplicity", with exact births where affordable (``exact_below="auto"`` of
          :func:`~sktopo.homology.persistence_diagrams`); ``h1_second``: the second longest, as
          the band's diagrams give it (0 for none); ``band``: the H1 confidence
          half-width; ``n_significant_h1``: H1 bars longer than ``2 * band``.
        * ``null_p_value``, ``null_ratio``: the random-filter test's Monte Carlo p-value and
          ``h1_top`` over the null clouds' median.
        * ``model``: the shape named (``"circle"``, ``"two circles"``, ``"three circles"``,
          ``"klein bottle"``, ``"torus"`` or ``"none"``).
        * ``edge_energy``: mean over the core of :func:`~sktopo.filterbanks.edge_energy`
          (1 for pure edges, 0.25 for random filters); NaN for kernels other than 3 × 3.
        * ``mapper_loops``: loops of the core's Mapper graph; ``seconds``: time for the layer.

        ``profile.attrs["topology"]`` maps each layer to its :class:`LayerTopology` (barcodes,
        bands, null draws, the dense core and its Mapper graph), which
        :func:`sktopo.plotting.plot_topology_profile` draws. pandas copies ``attrs`` with the
        frame, and drops them where frames with other ``attrs`` meet.

    Raises
    ------
    ValueError
        For ``layers`` that are not conv layers of the source, or a layer with too few filters
        for ρ(k, p) (checked for every layer before any work); and whatever
        :func:`~sktopo.filters.extract_spatial_filters` refuses.

    See Also
    --------
    sktopo.plotting.plot_topology_profile : the barcodes of each layer, side by side.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", ICMLA 2019, Sections IV, V-C and VI.

    Examples
    --------
    >>> import torch
    >>> from sktopo.filterbanks import primary_circle
    >>> from sktopo.profile import topology_profile
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 400, 3), torch.nn.ReLU(), torch.nn.Conv2d(400, 1, 3))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor(primary_circle(400)).unsqueeze(1))
    >>> profile = topology_profile(
    ...     net, 1, n_bootstrap=5, n_null=4, n_landmarks=80, random_state=0, progress=False
    ... )
    >>> profile[["layer", "n_filters", "k", "n_dense", "n_significant_h1", "model"]]
       layer  n_filters   k  n_dense  n_significant_h1   model
    0      1        400  13      120                 1  circle
    >>> round(float(profile.edge_energy.iloc[0]), 3), float(profile.null_p_value.iloc[0])
    (1.0, 0.2)
    """
    import pandas as pd
    from tqdm.auto import tqdm

    sources = _loaded(source)
    plan = _plan(sources, _check_layers(layers, _n_layers(sources[0])), k, p, max_filters)
    settings = dict(
        p=p,
        confidence=confidence,
        n_bootstrap=n_bootstrap,
        n_null=n_null,
        n_landmarks=n_landmarks,
        resolution=resolution,
        gain=gain,
        n_jobs=n_jobs,
    )
    base = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    rows, topology = [], {}
    for layer, n_used, k_used in tqdm(plan, desc="topology profile", unit="layer", disable=not progress):
        rng = np.random.RandomState(np.random.SeedSequence([base, layer]).generate_state(1)[0])
        row, topology[layer] = _profile_layer(sources, layer, n_used, k_used, settings, rng)
        rows.append(row)
    profile = pd.DataFrame(rows, columns=COLUMNS)
    profile.attrs["topology"] = topology
    return profile


@validate_params(
    {"profile": "no_validation", "alpha": [Interval(Real, 0, 1, closed="neither")]},
    prefer_skip_nested_validation=True,
)
def shows_circle(profile, alpha: float = 0.05):
    """Which layers of a profile show a circle: one significant H1 bar, one Mapper loop, beyond chance.

    A layer shows a circle when its dense core has **exactly one significant H1 bar** (longer than
    twice the confidence band: a dominant loop, and no second one as in the two-circle, three-circle
    or Klein bottle models), its Mapper graph has **exactly one loop**, and random filters through
    the same pipeline reach its top H1 lifetime with a p-value of at most ``alpha``. The paper
    reads its circles from the Mapper graph and the barcodes together (Fig. 2); this asks both, and
    the random-filter test as well. Whether it is the *primary* circle of edges is a further
    question, which the ``edge_energy`` column answers (1 for pure edges, 0.25 for random filters).

    Parameters
    ----------
    profile : pandas.DataFrame
        Returned by :func:`topology_profile`, or rows of it.
    alpha : float, default=0.05
        Largest random-filter p-value accepted; with the default 19 null clouds, 0.05 means that
        none of them reached the observed lifetime.

    Returns
    -------
    shows : pandas.Series of bool
        One per row of ``profile``, with its index.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktopo.profile import shows_circle
    >>> rows = pd.DataFrame(
    ...     {"n_significant_h1": [1, 1, 2, 1], "mapper_loops": [1, 0, 1, 1], "null_p_value": [0.05, 0.05, 0.05, 0.4]}
    ... )
    >>> shows_circle(rows).tolist()
    [True, False, False, False]
    """
    missing = [
        c
        for c in ("n_significant_h1", "mapper_loops", "null_p_value")
        if c not in getattr(profile, "columns", [])
    ]
    if missing:
        raise TypeError(f"profile must be a DataFrame returned by topology_profile; it lacks {missing}.")
    return (profile.n_significant_h1 == 1) & (profile.mapper_loops == 1) & (profile.null_p_value <= alpha)
