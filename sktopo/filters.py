"""Spatial filters: every w × h slice of every kernel of a conv layer, as one point in R^(w·h).

A conv layer with ``d`` output channels over ``c`` input channels gives ``d × c`` spatial
filters (Section I of Brüel Gabrielsson & Carlsson). This module reads them from trained
networks in any of the forms a PyTorch user holds them, pooled over many networks.

torch and pandas are imported when they are needed, not with this module: a source that is a
torch object can only exist once the user has imported torch, so ``sys.modules`` tells which
kinds of source are possible without importing anything.
"""

import os
import sys
from collections.abc import Mapping

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._validation import Integral, Interval, Real, fit_context, is_tensor, validate_params
from .io import load_state_dict

__all__ = [
    "SpatialFilterExtractor",
    "as_sources",
    "conv_layers",
    "extract_spatial_filters",
    "layer_kernel",
    "n_conv_layers",
]

_SOURCES = (
    "a torch.nn.Module, a fitted skorch NeuralNet or NetworkEnsemble, a state_dict mapping, a "
    "path to a saved state_dict, or a kernel array of shape (out_channels, in_channels, h, w)"
)

#: ``layer``: a 1-based depth among the conv layers (booleans refused), or a layer name.
_LAYER = [Interval(Integral, 1, None, closed="left"), str]


def _layer_name(key: str) -> str:
    """The layer name of a state_dict key or a layer name: ``"conv1.weight"`` -> ``"conv1"``.

    A bare conv layer's key, ``"weight"``, names the module itself: ``""``, as
    ``named_modules()`` names it.
    """
    return "" if key == "weight" else key[: -len(".weight")] if key.endswith(".weight") else key


def conv_layers(source) -> list[tuple[str, np.ndarray]]:
    """The 4-D conv kernels of ``source``, in depth order, as ``(name, kernel)`` pairs.

    A conv layer is a layer with a 4-D kernel: ``torch.nn.Conv2d`` or ``torch.nn.ConvTranspose2d``.
    Both count, in a module and in a state_dict alike, because a state_dict cannot tell them
    apart: so ``layer=2`` names the same layer, with the same name, in a module and in its
    ``state_dict()``. (``Conv1d`` and ``Conv3d`` kernels are 3-D and 5-D, and are not counted.)

    Parameters
    ----------
    source : torch.nn.Module, skorch.NeuralNet, Mapping, str or os.PathLike
        For a module (or a skorch net's ``module_``) these are its ``Conv2d`` and
        ``ConvTranspose2d`` layers in registration order, which need not be the order the
        forward pass uses them in (a module registered under two names counts twice); for a
        state_dict, its 4-D ``*.weight`` tensors in key order (the order ``module.state_dict()``
        writes them in, the same).

    Returns
    -------
    layers : list of (str, ndarray of shape (out_channels, in_channels / groups, h, w))
        Kernels in ``Conv2d``'s layout; a layer's name is its module's (``""`` for a bare conv
        layer, whose state_dict key is ``"weight"``). A module's ``ConvTranspose2d`` kernel,
        stored input channels first, ``(in, out / groups, h, w)``, is transposed to it. A
        state_dict records neither layer types nor ``groups``: its kernels are taken as they
        are, as ungrouped ``Conv2d`` kernels. So a ``ConvTranspose2d`` read from a state_dict
        gives the same spatial filters as from its module, in another order: its axes 0 and 1
        are taken as output and input channels, which for that layer are the other way round
        (see the provenance of :func:`extract_spatial_filters`). Pass the module itself where
        this matters. Floating types that numpy lacks (bfloat16, float8) are read as float32,
        exactly.

    Examples
    --------
    >>> import torch
    >>> from sktopo.filters import conv_layers
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 5))
    >>> [(name, kernel.shape) for name, kernel in conv_layers(net)]
    [('0', (4, 1, 3, 3)), ('2', (2, 4, 5, 5))]
    """
    return [(name, kernel) for name, kernel, _ in _conv_layers(source)]


def _conv_layers(source) -> list[tuple[str, np.ndarray, int]]:
    """``(name, kernel, groups)`` of each conv layer of ``source``; see :func:`conv_layers`."""
    if isinstance(source, (str, os.PathLike)):
        source = load_state_dict(source)
    if _is_skorch_net(source):
        source = _fitted_module(source)
    torch = sys.modules.get("torch")  # None: no torch object can exist
    if torch is not None and isinstance(source, torch.nn.Module):
        return [
            (name, _conv2d_layout(module), module.groups)
            # a module registered twice counts twice, as state_dict() writes its weight twice
            for name, module in source.named_modules(remove_duplicate=False)
            if isinstance(module, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))
        ]
    if isinstance(source, Mapping):
        return [
            (_layer_name(key), _as_numpy(value), 1)
            for key, value in source.items()
            if is_tensor(value) and value.ndim == 4 and (key == "weight" or key.endswith(".weight"))
        ]
    raise TypeError(f"Cannot read conv layers from a {type(source).__name__}; expected {_SOURCES}.")


def _conv2d_layout(module) -> np.ndarray:
    """The kernel of a ``Conv2d`` or ``ConvTranspose2d`` in ``Conv2d``'s layout.

    ``ConvTranspose2d`` stores ``(in, out / groups, h, w)``: input channel ``i`` of group
    ``i // (in / groups)`` feeds that group's outputs.
    """
    kernel = _as_numpy(module.weight)
    if not module.transposed:
        return kernel
    groups, (n_in, out_per_group, h, w) = module.groups, kernel.shape
    grouped = kernel.reshape(groups, n_in // groups, out_per_group, h, w).transpose(0, 2, 1, 3, 4)
    return grouped.reshape(groups * out_per_group, n_in // groups, h, w)


def _describe_source(source) -> str:
    """How an error message names ``source``: its path, or its type."""
    if isinstance(source, (str, os.PathLike)):
        return f"The file {os.fspath(source)!r}"
    return f"This {type(source).__name__}"


def _as_numpy(tensor) -> np.ndarray:
    """A tensor as a numpy array; floating types numpy lacks (bfloat16, float8) become float32, exactly."""
    torch = sys.modules["torch"]
    tensor = tensor.detach().cpu()
    if tensor.is_floating_point() and tensor.dtype not in (torch.float16, torch.float32, torch.float64):
        tensor = tensor.float()
    return tensor.numpy()


def _is_skorch_net(obj) -> bool:
    skorch = sys.modules.get("skorch")
    return skorch is not None and isinstance(obj, skorch.NeuralNet)


def _is_ensemble(obj) -> bool:
    nn = sys.modules.get("sktopo.nn")
    return nn is not None and isinstance(obj, nn.NetworkEnsemble)


def _fitted_module(net):
    if not getattr(net, "initialized_", False) or not hasattr(net, "module_"):
        raise ValueError(
            f"This {type(net).__name__} is not initialized: fit it (or call .initialize()) "
            "before extracting its filters."
        )
    return net.module_


@validate_params({"source": "no_validation", "layer": _LAYER}, prefer_skip_nested_validation=True)
def layer_kernel(source, layer) -> tuple[int | None, str | None, np.ndarray]:
    """Depth, name and kernel of ``layer`` in one source; a kernel array is taken as it is.

    See :func:`extract_spatial_filters` for the sources and ``layer``, and :func:`conv_layers`
    for the kernel's layout; raises the same errors.

    Examples
    --------
    >>> import torch
    >>> from sktopo.filters import layer_kernel
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 5))
    >>> depth, name, kernel = layer_kernel(net, 2)
    >>> depth, name, kernel.shape
    (2, '2', (2, 4, 5, 5))
    """
    return _select_layer(source, layer)[:3]


def _select_layer(source, layer) -> tuple[int | None, str | None, np.ndarray, int]:
    """:func:`layer_kernel`, with the layer's ``groups`` (1 where the source does not say)."""
    if isinstance(source, np.ndarray) or is_tensor(source):
        kernel = _as_numpy(source) if is_tensor(source) else source
        if kernel.ndim != 4 or not kernel.size or kernel.dtype.kind not in "iuf":
            raise ValueError(
                "A kernel array must hold real numbers, of shape (out_channels, in_channels, h, w) with "
                f"no axis empty; got shape {kernel.shape} and dtype {kernel.dtype}."
            )
        return (layer if isinstance(layer, Integral) else None), None, kernel, 1
    layers = _conv_layers(source)
    if not layers:
        raise ValueError(
            f"{_describe_source(source)} has no conv layers (Conv2d or ConvTranspose2d: 4-D weights)."
        )
    names = [name for name, _, _ in layers]
    if isinstance(layer, str):
        if _layer_name(layer) not in names:
            raise ValueError(f"layer={layer!r} is not a conv layer here; its conv layers are {names}.")
        depth = names.index(_layer_name(layer)) + 1
    elif layer > len(layers):
        raise ValueError(
            f"layer={layer} is out of range: this {type(source).__name__} has {len(layers)} "
            f"conv layer(s); layer counts them from 1."
        )
    else:
        depth = layer
    return (depth, *layers[depth - 1])


def as_sources(X) -> list:
    """The sources in ``X``, one per network: lists flattened, a fitted ensemble its networks.

    Parameters
    ----------
    X : source or list of sources
        As in :func:`extract_spatial_filters`; weights files stay paths.

    Returns
    -------
    sources : list

    Raises
    ------
    ValueError
        For an empty list.
    sklearn.exceptions.NotFittedError
        For an ensemble that is not fitted.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.filters import as_sources
    >>> kernel = np.zeros((4, 1, 3, 3))
    >>> len(as_sources([kernel, [kernel, kernel]]))
    3
    """
    if isinstance(X, (list, tuple)):
        if not X:
            raise ValueError(f"X is an empty list; expected one or more of: {_SOURCES}.")
        return [source for item in X for source in as_sources(item)]
    if _is_ensemble(X):
        check_is_fitted(X)
        return list(X.estimators_)
    return [X]


def n_conv_layers(source) -> int:
    """How many conv layers one source has; a kernel array is one layer.

    Parameters
    ----------
    source : a single source
        As in :func:`extract_spatial_filters`, not a list.

    Returns
    -------
    n_layers : int

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sktopo.filters import n_conv_layers
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Conv2d(4, 2, 5))
    >>> n_conv_layers(net), n_conv_layers(np.zeros((4, 1, 3, 3)))
    (2, 1)
    """
    return 1 if isinstance(source, np.ndarray) or is_tensor(source) else len(_conv_layers(source))


def _low_contrast(filters: np.ndarray, tol: float) -> np.ndarray:
    """Rows whose contrast (norm after mean-centring) is at most ``tol`` times the median contrast.

    Relative to the pooled cloud, not to each row's own magnitude: a filter of uniform
    brightness with a little noise on it is dropped here although it is not constant in the
    sense of :func:`sktopo.preprocessing.constant_rows` (which only catches rows flat up to
    rounding, and which :func:`~sktopo.preprocessing.normalize_filters` sets to zero).
    """
    contrast = np.linalg.norm(filters - filters.mean(axis=1, keepdims=True), axis=1)
    return contrast <= tol * np.median(contrast)


@validate_params(
    {
        "X": "no_validation",
        "layer": _LAYER,
        "drop_constant": ["boolean"],
        "constant_tol": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def extract_spatial_filters(X, layer=1, *, drop_constant=False, constant_tol=1e-3):
    """Pool the spatial filters of one conv layer over one or many networks.

    Parameters
    ----------
    X : source or list of sources
        Each source is a ``torch.nn.Module``, a fitted skorch ``NeuralNet`` (a fitted
        :class:`~sktopo.nn.NetworkEnsemble` stands for its networks), a state_dict mapping, a
        path to a state_dict saved with ``torch.save`` (read with ``weights_only=True``), or a
        kernel array (numpy or torch) of shape ``(out_channels, in_channels, h, w)``, which is
        used as it is whatever ``layer`` says (e.g. a :class:`~sktopo.nn.FilterRecorder`
        snapshot).
    layer : int or str, default=1
        Which conv layer: its 1-based depth among the conv layers (``Conv2d`` and
        ``ConvTranspose2d``, counted alike in a module and in its state_dict: see
        :func:`conv_layers`), as in the paper's superscripts (``M^1``), or its name
        (``"features.0"``; a trailing ``".weight"`` is allowed).
    drop_constant : bool, default=False
        Drop low-contrast spatial filters, whose contrast (norm after mean-centring) is at
        most ``constant_tol`` times the median contrast of the pooled filters. Normalizing such
        a filter would blow its noise up to a unit vector. This is relative to the pooled
        filters, unlike :func:`~sktopo.preprocessing.constant_rows`, which is relative to each
        row and catches only rows flat up to rounding.
    constant_tol : float, default=1e-3
        Relative contrast below which ``drop_constant`` drops a filter.

    Returns
    -------
    filters : ndarray of shape (n_filters, h * w)
        One row per spatial filter, float64, network by network, then output channel, then
        input channel; each row is the ``h × w`` slice read row by row.
    provenance : pandas.DataFrame
        Aligned with the rows: ``network`` (0-based position in ``X``), ``layer`` (1-based
        depth; missing for a kernel array given with a layer name), ``layer_name``,
        ``out_channel`` and ``in_channel``: the index, among the layer's input channels, of
        the channel the filter reads. For a grouped or depthwise layer (``groups > 1``)
        output channel ``o`` reads input channels ``(o // (out / groups)) * (in / groups) + i``,
        ``i`` from 0 to ``in / groups - 1``.
        A state_dict or a kernel array records neither ``groups`` nor the layer's type, and is
        read as an ungrouped ``Conv2d``: for a grouped layer, ``in_channel`` is then ``i``,
        the index within the group. For a ``ConvTranspose2d``, whose kernel is stored
        ``(in, out / groups, h, w)``, the state_dict gives the module's filters in another
        order, with ``out_channel`` and ``in_channel`` swapped: its row ``out_channel=c``,
        ``in_channel=o`` is the module's row of input channel ``c`` and output channel ``o``
        (when grouped, the ``o``-th output channel of ``c``'s group), and its rows run over
        input channels first. Pass the module itself for the true channels of a grouped or
        transposed layer.

    Raises
    ------
    ValueError
        For a layer out of range or unknown, a model without conv layers, kernels of different
        spatial sizes, weights that are NaN or infinite, an unreadable or refused file, or
        nothing left after dropping.
    TypeError
        For a source of none of the accepted kinds.

    Examples
    --------
    >>> import torch
    >>> from sktopo.filters import extract_spatial_filters
    >>> nets = [torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3)) for _ in range(2)]
    >>> filters, provenance = extract_spatial_filters(nets, layer=1)
    >>> filters.shape
    (48, 9)
    >>> print(provenance.tail(2))
        network  layer layer_name  out_channel  in_channel
    46        1      1          0            7           1
    47        1      1          0            7           2
    """
    import pandas as pd

    rows, frames = [], []
    for network, source in enumerate(as_sources(X)):
        depth, name, kernel, groups = _select_layer(source, layer)
        if kernel.dtype.kind not in "biuf":
            raise TypeError(
                f"Network {network} (position in X), layer {layer!r}: the weights must be real numbers; "
                f"got dtype {kernel.dtype}."
            )
        if not np.all(np.isfinite(kernel)):
            raise ValueError(
                f"Network {network} (position in X), layer {layer!r}: the weights contain NaN or "
                "infinity; was its training run diverging?"
            )
        rows.append(kernel.reshape(kernel.shape[0] * kernel.shape[1], -1).astype(np.float64))
        frames.append(_provenance(network, depth, name, kernel.shape, groups))
    sizes = sorted({frame.attrs["kernel_size"] for frame in frames})
    if len(sizes) > 1:
        raise ValueError(f"The networks' layer {layer!r} kernels differ in spatial size: {sizes}.")
    filters, provenance = np.concatenate(rows), pd.concat(frames, ignore_index=True)
    provenance.attrs = {"kernel_size": sizes[0]}
    if drop_constant:
        keep = ~_low_contrast(filters, constant_tol)
        filters, provenance = filters[keep], provenance[keep].reset_index(drop=True)
    if not len(filters):
        raise ValueError("No spatial filters left: every filter had low contrast (drop_constant=True).")
    return filters, provenance


def _provenance(network, depth, name, shape, groups):
    """Provenance of the rows of a kernel of ``shape`` in ``Conv2d``'s (out, in / groups, h, w) layout."""
    import pandas as pd

    out_channels, in_per_group = shape[:2]
    out_channel, in_group_channel = np.divmod(np.arange(out_channels * in_per_group), in_per_group)
    in_channel = out_channel // (out_channels // groups) * in_per_group + in_group_channel
    frame = pd.DataFrame(
        {
            "network": network,
            "layer": pd.array([depth] * len(out_channel), dtype="Int64"),
            "layer_name": name,
            "out_channel": out_channel,
            "in_channel": in_channel,
        }
    )
    frame.attrs = {"kernel_size": tuple(shape[2:])}
    return frame


class SpatialFilterExtractor(TransformerMixin, BaseEstimator):
    """Transformer from trained networks to their pooled spatial filters.

    The first step of every analysis in the paper: ``100 × M^1_40K(64, 32, 64)`` is
    ``SpatialFilterExtractor(layer=1).fit_transform(networks)`` with 100 trained networks.
    Accepts the same sources as :func:`extract_spatial_filters`; ``fit`` records where each
    row came from in ``provenance_``. The output columns are named after the weights of the
    slice (``w0_0``, ``w0_1``, ...: see :meth:`get_feature_names_out`), so
    ``set_output(transform="pandas")`` works through a whole Pipeline.

    Parameters
    ----------
    layer : int or str, default=1
        1-based depth among the conv layers (see :func:`conv_layers`), or a layer name.
    drop_constant : bool, default=False
        Drop low-contrast spatial filters (see :func:`extract_spatial_filters`).
    constant_tol : float, default=1e-3
        Relative contrast below which ``drop_constant`` drops a filter.

    Attributes
    ----------
    provenance_ : pandas.DataFrame
        One row per spatial filter extracted in ``fit``: ``network``, ``layer``,
        ``layer_name``, ``out_channel``, ``in_channel`` (see :func:`extract_spatial_filters`:
        from a state_dict, a ``ConvTranspose2d`` layer's ``out_channel`` and ``in_channel``
        are swapped, and a grouped layer's ``in_channel`` is the index within its group; fit
        the modules themselves for their true channels).
    kernel_size_ : tuple of int
        ``(h, w)`` of the spatial filters.
    n_networks_ : int
        Number of sources seen in ``fit``.

    See Also
    --------
    extract_spatial_filters : the functional form.
    sktopo.preprocessing.FilterNormalizer : the next step.

    Examples
    --------
    >>> import torch
    >>> from sklearn.pipeline import make_pipeline
    >>> from sktopo import FilterNormalizer, SpatialFilterExtractor
    >>> torch.manual_seed(0) and None
    >>> nets = [torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3)) for _ in range(3)]
    >>> pipe = make_pipeline(SpatialFilterExtractor(layer=1), FilterNormalizer())
    >>> pipe.fit_transform(nets).shape
    (48, 9)
    >>> pipe[0].provenance_.network.value_counts().tolist()
    [16, 16, 16]
    """

    _parameter_constraints = {
        "layer": _LAYER,
        "drop_constant": ["boolean"],
        "constant_tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, layer=1, drop_constant=False, constant_tol=1e-3):
        self.layer = layer
        self.drop_constant = drop_constant
        self.constant_tol = constant_tol

    @fit_context
    def fit(self, X, y=None):
        """Extract the filters of ``X`` and record their provenance.

        Parameters
        ----------
        X : source or list of sources
            See :func:`extract_spatial_filters`.
        y : None
            Ignored.

        Returns
        -------
        self : SpatialFilterExtractor
        """
        self._fit_extract(X)
        return self

    @fit_context
    def fit_transform(self, X, y=None):
        """Extract the filters of ``X``, record their provenance and return them.

        Parameters
        ----------
        X : source or list of sources
        y : None
            Ignored.

        Returns
        -------
        filters : ndarray of shape (n_filters, h * w)
        """
        return self._fit_extract(X)

    def transform(self, X):
        """Extract the filters of ``X`` (``provenance_`` still describes the ``fit`` data).

        Parameters
        ----------
        X : source or list of sources

        Returns
        -------
        filters : ndarray of shape (n_filters, h * w)
        """
        check_is_fitted(self)
        filters, provenance = self._extract(X)
        if provenance.attrs["kernel_size"] != self.kernel_size_:
            raise ValueError(
                f"X has {provenance.attrs['kernel_size']} kernels; this extractor was fitted on "
                f"{self.kernel_size_} kernels."
            )
        return filters

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns: ``"w{i}_{j}"``, the weight at row i, column j of the slice.

        A 3 × 3 layer gives ``w0_0, w0_1, w0_2, w1_0, ..., w2_2``: each spatial filter is its
        ``h × w`` slice read row by row, rows and columns counted from 0.

        Parameters
        ----------
        input_features : None
            Ignored: the input is networks, not columns.

        Returns
        -------
        feature_names_out : ndarray of str objects of shape (h * w,)
        """
        check_is_fitted(self)
        h, w = self.kernel_size_
        return np.asarray([f"w{i}_{j}" for i in range(h) for j in range(w)], dtype=object)

    def _fit_extract(self, X) -> np.ndarray:
        filters, self.provenance_ = self._extract(X)
        self.kernel_size_ = self.provenance_.attrs["kernel_size"]
        self.n_networks_ = len(as_sources(X))
        return filters

    def _extract(self, X):
        return extract_spatial_filters(
            X, self.layer, drop_constant=self.drop_constant, constant_tol=self.constant_tol
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
