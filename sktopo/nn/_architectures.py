"""The paper's CNN architectures M(X, Y, Z) and C(X, Y, Z) (Tables I and II)."""

import re

import numpy as np
import torch
from torch import nn

from .. import filterbanks
from .._validation import Integral, Interval, StrOptions, check_memory, validate_params

__all__ = ["FIRST_LAYERS", "make_cnn", "parse_spec"]

#: The named banks a first conv layer can be fixed to (``make_cnn(first_layer=...)``).
FIRST_LAYERS = ("primary_circle", "klein_bottle", "gaussian")

_SPEC = re.compile(r"^\s*([MC])(\*?)\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*$")


def parse_spec(spec: str) -> tuple[str, bool, int, int, int]:
    """Read the paper's notation: ``"M(64,32,64)"`` -> ``("M", False, 64, 32, 64)``.

    A ``*`` after the letter (``"C*(48,0,64)"``) means without max-pooling, as in Fig. 7.

    Parameters
    ----------
    spec : str

    Returns
    -------
    kind, no_pooling, X, Y, Z : str, bool, int, int, int

    Examples
    --------
    >>> from sktopo.nn import parse_spec
    >>> parse_spec("C*(48, 0, 64)")
    ('C', True, 48, 0, 64)
    """
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise ValueError(
            f"spec must look like 'M(64,32,64)' or 'C(64,32,64)' (a '*' after the letter drops "
            f"max-pooling); got {spec!r}."
        )
    kind, star, *sizes = match.groups()
    x, y, z = (int(v) for v in sizes)
    if x == 0:
        raise ValueError(f"spec {spec!r}: the first conv layer needs X >= 1 filters.")
    return kind, bool(star), x, y, z


def _pool(kind: str, block: int, size: int) -> tuple[list[nn.Module], int]:
    """Max-pooling layers after conv block ``block`` of a ``size`` × ``size`` map, and the size after."""
    if kind == "M":
        return [nn.MaxPool2d(2)], size // 2
    kernel, stride = (3, 2) if block == 1 else (2, 1)
    return _same_max_pool(kernel, stride, size)


def _same_max_pool(kernel: int, stride: int, size: int) -> tuple[list[nn.Module], int]:
    """TensorFlow's ``"SAME"`` max-pooling: ``ceil(size / stride)`` outputs, padded bottom/right first.

    TensorFlow pads ``max((out - 1) * stride + kernel - size, 0)`` in all, half of it (rounded
    down) at the top and left, the rest at the bottom and right, and ignores padded values. After
    a ReLU every value is >= 0, so zeros give the same maxima (and gradients: a ReLU passes none
    to a zero).
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    before, after = total // 2, total - total // 2
    return [nn.ZeroPad2d((before, after, before, after)), nn.MaxPool2d(kernel, stride)], out


def _lrn() -> nn.Module:
    # TensorFlow's local_response_normalization(depth_radius=4, bias=1, alpha=0.001/9, beta=0.75)
    # as in the CIFAR-10 tutorial the paper follows; torch divides alpha by the window size 9.
    return nn.LocalResponseNorm(size=9, alpha=0.001, beta=0.75, k=1.0)


def _check_input_size(spec, kind, pooling, widths, input_size) -> None:
    """Refuse an image too small for ``M``'s 2 × 2 max-poolings (``C``'s keep any size >= 1)."""
    n_pools = sum(width > 0 for width in widths) if kind == "M" and pooling else 0
    if input_size < 2**n_pools:
        raise ValueError(
            f"input_size={input_size} is too small for {spec}: its {n_pools} max-pooling layer(s) each "
            f"halve the image, so input_size must be at least {2**n_pools}."
        )


def _sizes(kind, pooling, widths, in_channels, input_size, first_size, z, n_classes) -> tuple[int, int]:
    """The parameters of the network, and the values of its dry run's largest feature map.

    Counted from the spec, before any layer is built, so that an absurd size is refused first.
    """
    parameters, channels, size, largest = 0, in_channels, input_size, in_channels * input_size**2
    for block, width in enumerate(widths, start=1):
        if width == 0:
            continue
        kernel = first_size if block == 1 else 3
        parameters += (kernel**2 * channels + 1) * width
        largest = max(largest, width * size**2)
        size = _pool(kind, block, size)[1] if pooling else size
        channels = width
    features = channels * size**2
    if z:
        parameters, features = parameters + (features + 1) * z, z
    return parameters + (features + 1) * n_classes, largest


#: The constraints of a network's shape, shared by :func:`make_cnn` and :func:`count_parameters`.
_SHAPE_CONSTRAINTS = {
    "spec": [str],
    "in_channels": [Interval(Integral, 1, None, closed="left")],
    "input_size": [Interval(Integral, 1, None, closed="left")],
    "max_pool": ["boolean", None],
    "n_classes": [Interval(Integral, 1, None, closed="left")],
    "first_kernel_size": [Interval(Integral, 1, None, closed="left")],
}


@validate_params(_SHAPE_CONSTRAINTS, prefer_skip_nested_validation=True)
def count_parameters(
    spec: str,
    in_channels: int = 1,
    input_size: int = 28,
    max_pool=None,
    n_classes: int = 10,
    first_kernel_size: int = 3,
) -> int:
    """The number of parameters of ``make_cnn(spec, ...)``, counted without building it.

    For memory estimates made before any network exists (an absurd ``n_networks`` or width is
    refused first).

    Parameters
    ----------
    spec : str
        The paper's "M(X,Y,Z)" or "C(X,Y,Z)", as :func:`make_cnn` reads it.
    in_channels : int, default=1
    input_size : int, default=28
    max_pool : bool, default=None
    n_classes : int, default=10
    first_kernel_size : int, default=3
        As :func:`make_cnn`'s.

    Returns
    -------
    n_parameters : int

    Examples
    --------
    >>> from sktopo.nn import count_parameters
    >>> count_parameters("M(64,32,64)"), count_parameters("C(64,64,384)", in_channels=3, input_size=24)
    (120170, 3581898)
    """
    kind, star, x, y, z = parse_spec(spec)
    pooling = not star if max_pool is None else max_pool
    return _sizes(kind, pooling, (x, y), in_channels, input_size, first_kernel_size, z, n_classes)[0]


def _check_memory(spec, input_size, parameters: int, largest: int) -> None:
    """Refuse a network whose float32 weights and dry run would not fit in memory, before building it."""
    check_memory(
        "spec",
        spec,
        4 * parameters + 2 * 4 * largest,  # the weights, and a feature map and the next one
        f"{spec} on input_size={input_size} images ({parameters:,} float32 parameters and the feature "
        "maps of a dry run)",
    )


def _first_kernels(first_layer, width: int, in_channels: int, size: int = 3) -> torch.Tensor:
    """The kernels (width, in_channels, size, size) that ``first_layer`` names or holds, as float32."""
    if not isinstance(first_layer, str):
        return _check_kernels(first_layer, (width, in_channels, size, size))
    if size != 3:
        raise ValueError(
            f"first_layer={first_layer!r} is a bank of 3 × 3 filters; the first layer's kernels are "
            f"{size} × {size} (first_kernel_size={size}). Pass an array of shape ({width}, {in_channels}, "
            f"{size}, {size}) instead."
        )
    if in_channels != 1:
        raise ValueError(
            f"first_layer={first_layer!r} is a bank of 3 × 3 grayscale filters, for in_channels=1; got "
            f"in_channels={in_channels}. Pass an array of shape ({width}, {in_channels}, 3, 3) instead."
        )
    if first_layer == "gaussian":  # seeded from torch's global generator: one bank per network seed
        bank = filterbanks.gaussian(width, random_state=int(torch.randint(2**31 - 1, ())))
    else:
        bank = getattr(filterbanks, first_layer)(width)
    return torch.as_tensor(bank.reshape(width, 1, 3, 3), dtype=torch.float32)


def _check_kernels(kernels, shape: tuple) -> torch.Tensor:
    """``kernels`` as a float32 tensor of ``shape``, refusing other shapes, non-numbers and NaN."""
    try:
        array = np.asarray(kernels.detach().cpu() if isinstance(kernels, torch.Tensor) else kernels)
    except ValueError as error:  # a ragged nested list
        raise ValueError(f"first_layer must be an array of shape {shape}; got {error}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"first_layer must hold numbers (kernel weights); got an array of dtype {array.dtype}."
        )
    if array.shape != shape:
        raise ValueError(
            f"first_layer must have shape {shape} (the first layer's filters, in_channels and kernel "
            "size); "
            f"got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError("first_layer contains NaN or infinite values.")
    return torch.tensor(array, dtype=torch.float32)


def _fix_first_layer(conv: nn.Conv2d, first_layer, freeze: bool) -> None:
    """Set ``conv``'s kernels to ``first_layer``'s and its bias to 0; ``freeze`` stops its training."""
    kernels = _first_kernels(first_layer, conv.out_channels, conv.in_channels, conv.kernel_size[0])
    with torch.no_grad():
        conv.weight.copy_(kernels)
        conv.bias.zero_()
    conv.requires_grad_(not freeze)


def _features(kind, pooling, widths, in_channels, input_size, first_size=3) -> list[nn.Module]:
    """The convolutional part: conv, ReLU, max-pooling (and LRN for ``C``) per block, then Flatten."""
    layers, channels, size = [], in_channels, input_size
    for block, width in enumerate(widths, start=1):
        if width == 0:
            continue
        kernel = first_size if block == 1 else 3
        layers += [nn.Conv2d(channels, width, kernel, padding=kernel // 2), nn.ReLU()]
        if pooling:
            pool, size = _pool(kind, block, size)
            layers += pool
        layers += [_lrn()] if kind == "C" else []
        channels = width
    return [*layers, nn.Flatten()]


@validate_params(
    _SHAPE_CONSTRAINTS
    | {"first_layer": [None, StrOptions(set(FIRST_LAYERS)), "array-like"], "freeze_first_layer": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def make_cnn(
    spec: str,
    in_channels: int = 1,
    input_size: int = 28,
    max_pool=None,
    n_classes: int = 10,
    *,
    first_layer=None,
    freeze_first_layer: bool = True,
    first_kernel_size: int = 3,
) -> nn.Sequential:
    """Build M(X, Y, Z) (Table I) or C(X, Y, Z) (Table II) as a ``torch.nn.Sequential``.

    * ``M``: 3 × 3 convolutions with same padding, each followed by ReLU and 2 × 2 max-pooling;
      a fully connected layer of Z units with ReLU and dropout 0.5; 10 outputs (logits: the
      softmax is in the cross-entropy loss).
    * ``C``: 3 × 3 convolutions with same padding and ReLU; 3 × 3 max-pooling with stride 2
      after the first, 2 × 2 with stride 1 after the second, both with TensorFlow's "SAME"
      padding (a ``ZeroPad2d`` that pads the bottom and right first, as TensorFlow does, then
      ``MaxPool2d``); local response normalization with depth radius 4 after each; Z units with
      ReLU; 10 outputs.

    A 0 removes its block: ``M(64, 0, 64)`` has one conv layer, ``Z = 0`` no hidden layer.

    Parameters
    ----------
    spec : str
        ``"M(64,32,64)"``, ``"C(64,32,64)"``, ``"C*(48,0,64)"``...
    in_channels : int, default=1
        1 for MNIST and grayscale CIFAR-10, 3 for colour.
    input_size : int, default=28
        Height and width of the input: 28 for MNIST, 24 for cropped CIFAR-10. Each 2 × 2
        max-pooling of ``M`` halves it, so ``M`` with two conv layers needs at least 4.
    max_pool : bool, default=None
        False drops every max-pooling layer (the paper's C*); None follows the spec.
    n_classes : int, default=10
        Outputs: class labels are 0, ..., n_classes - 1.
    first_layer : {"primary_circle", "klein_bottle", "gaussian"}, array-like or None, default=None
        Fixed kernels for the first conv layer (Section VI (i)); its bias is then 0. A name takes
        the bank of :mod:`sktopo.filterbanks` with X filters (grayscale input only); "gaussian"
        draws its seed from torch's global generator, so ``torch.manual_seed`` (or a
        classifier's ``random_state``) decides the bank. An array has shape
        (X, in_channels, 3, 3). None keeps torch's default initialization.
    freeze_first_layer : bool, default=True
        With ``first_layer``, the first conv layer's weight and bias get ``requires_grad=False``:
        no gradient, no update, no weight decay. No effect when ``first_layer`` is None.
    first_kernel_size : int, default=3
        Side of the first conv layer's kernels, odd (same padding keeps the image size); the
        paper's are 3. 5 is Fig. 13's receptive-field control: a 3 × 3 conv on 3 × 3 filter
        responses sees the 5 × 5 patch around each pixel. Named banks are 3 × 3 only.

    Returns
    -------
    model : torch.nn.Sequential

    Examples
    --------
    >>> from sktopo.nn import make_cnn
    >>> sum(p.numel() for p in make_cnn("M(64,32,64)").parameters())
    120170
    >>> sum(p.numel() for p in make_cnn("M(64,0,64)").parameters())
    804170
    >>> model = make_cnn("M(8,0,16)", first_layer="primary_circle")
    >>> model[0].weight.shape, model[0].weight.requires_grad
    (torch.Size([8, 1, 3, 3]), False)
    >>> make_cnn("M(8,0,16)", first_kernel_size=5)[0].weight.shape
    torch.Size([8, 1, 5, 5])
    """
    kind, star, x, y, z = parse_spec(spec)
    if first_kernel_size % 2 == 0:
        raise ValueError(
            f"first_kernel_size must be odd (same padding of (size - 1) / 2 keeps the image size); "
            f"got {first_kernel_size}."
        )
    pooling = not star if max_pool is None else max_pool
    _check_input_size(spec, kind, pooling, (x, y), input_size)
    _check_memory(
        spec,
        input_size,
        *_sizes(kind, pooling, (x, y), in_channels, input_size, first_kernel_size, z, n_classes),
    )
    layers = _features(kind, pooling, (x, y), in_channels, input_size, first_kernel_size)
    with torch.no_grad():  # the flattened size, by a dry run of the convolutional part
        features = nn.Sequential(*layers)(torch.zeros(1, in_channels, input_size, input_size)).shape[1]
    if z:
        layers += [nn.Linear(features, z), nn.ReLU()] + ([nn.Dropout(0.5)] if kind == "M" else [])
        features = z
    layers.append(nn.Linear(features, n_classes))
    if first_layer is not None:  # last: the other layers start as they would without it
        _fix_first_layer(layers[0], first_layer, freeze_first_layer)
    return nn.Sequential(*layers)
