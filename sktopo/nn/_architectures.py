"""The paper's CNN architectures M(X, Y, Z) and C(X, Y, Z) (Tables I and II)."""

import re

import torch
from torch import nn

from .._validation import Integral, Interval, validate_params

__all__ = ["make_cnn", "parse_spec"]

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


def _pool(kind: str, block: int) -> list[nn.Module]:
    if kind == "M":
        return [nn.MaxPool2d(2)]
    if block == 1:  # 3x3, stride 2, TensorFlow "SAME" padding
        return [nn.MaxPool2d(3, stride=2, padding=1)]
    return [nn.ZeroPad2d((0, 1, 0, 1)), nn.MaxPool2d(2, stride=1)]  # 2x2, stride 1, "SAME"


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


@validate_params(
    {
        "spec": [str],
        "in_channels": [Interval(Integral, 1, None, closed="left")],
        "input_size": [Interval(Integral, 1, None, closed="left")],
        "max_pool": ["boolean", None],
        "n_classes": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def make_cnn(
    spec: str, in_channels: int = 1, input_size: int = 28, max_pool=None, n_classes: int = 10
) -> nn.Sequential:
    """Build M(X, Y, Z) (Table I) or C(X, Y, Z) (Table II) as a ``torch.nn.Sequential``.

    * ``M``: 3 × 3 convolutions with same padding, each followed by ReLU and 2 × 2 max-pooling;
      a fully connected layer of Z units with ReLU and dropout 0.5; 10 outputs (logits: the
      softmax is in the cross-entropy loss).
    * ``C``: 3 × 3 convolutions with same padding and ReLU; 3 × 3 max-pooling with stride 2
      after the first, 2 × 2 with stride 1 after the second (both with TensorFlow's "SAME"
      padding); local response normalization with depth radius 4 after each; Z units with ReLU;
      10 outputs.

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
    """
    kind, star, x, y, z = parse_spec(spec)
    pooling = not star if max_pool is None else max_pool
    _check_input_size(spec, kind, pooling, (x, y), input_size)
    layers, channels = [], in_channels
    for block, width in enumerate((x, y), start=1):
        if width == 0:
            continue
        layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
        layers += _pool(kind, block) if pooling else []
        layers += [_lrn()] if kind == "C" else []
        channels = width
    layers.append(nn.Flatten())
    with torch.no_grad():  # the flattened size, by a dry run of the convolutional part
        features = nn.Sequential(*layers)(torch.zeros(1, in_channels, input_size, input_size)).shape[1]
    if z:
        layers += [nn.Linear(features, z), nn.ReLU()] + ([nn.Dropout(0.5)] if kind == "M" else [])
        features = z
    layers.append(nn.Linear(features, n_classes))
    return nn.Sequential(*layers)
