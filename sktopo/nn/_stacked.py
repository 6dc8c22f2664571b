"""Many copies of one ``make_cnn`` architecture evaluated as one computation.

The networks' parameters are stacked along a first axis. Convolutions run as one grouped
convolution in channels-last memory (group n holds network n), fully connected layers as one
batched matrix product, so one call of each kernel serves every network. ``ReLU`` followed by
``MaxPool2d`` (with TensorFlow's "SAME" zero padding between them, for C) is computed as
max-pooling then ReLU: ReLU is monotone and keeps 0 at 0, so values and gradients are the same,
on a quarter of the data (these small networks are limited by memory traffic on the
CPU, not by arithmetic).
"""

from collections import deque

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["StackedCNN"]


def _pooling_after(layers, i: int) -> list:
    """The ``MaxPool2d`` right after layer ``i``, with the ``ZeroPad2d`` before it if any; else []."""
    following = layers[i + 1 : i + 3]
    if following and isinstance(following[0], nn.MaxPool2d):
        return following[:1]
    if (
        len(following) == 2
        and isinstance(following[0], nn.ZeroPad2d)
        and isinstance(following[1], nn.MaxPool2d)
    ):
        return following
    return []


class StackedCNN:
    """N networks of one ``make_cnn`` architecture with parameters stacked along a first axis.

    Parameters
    ----------
    networks : list of torch.nn.Sequential
        Same architecture (``make_cnn`` layers: Conv2d, ReLU, MaxPool2d, ZeroPad2d,
        LocalResponseNorm, Flatten, Linear, Dropout). Their parameters are copied.

    Attributes
    ----------
    params : list of torch.Tensor
        Leaf tensors (N, ...) in the networks' parameter order, each requiring a gradient where
        the networks' parameter does (a frozen first layer does not).
    """

    _LAYERS = (
        nn.Conv2d,
        nn.ReLU,
        nn.MaxPool2d,
        nn.ZeroPad2d,
        nn.LocalResponseNorm,
        nn.Flatten,
        nn.Linear,
        nn.Dropout,
    )

    def __init__(self, networks):
        self.layers = list(networks[0])
        unknown = sorted({type(m).__name__ for m in self.layers if not isinstance(m, self._LAYERS)})
        if unknown:
            raise ValueError(f"the batched strategy cannot stack layers of type {unknown}.")
        self.n = len(networks)
        self.params = [  # a frozen parameter (requires_grad=False) stays frozen
            torch.stack([p.detach() for p in ps]).requires_grad_(ps[0].requires_grad)
            for ps in zip(*(net.parameters() for net in networks))
        ]
        # (p, width) of each Dropout; its width is that of the next Linear's input
        self.dropouts = [
            (m.p, next(k.in_features for k in self.layers[i:] if isinstance(k, nn.Linear)))
            for i, m in enumerate(self.layers)
            if isinstance(m, nn.Dropout)
        ]
        self._largest = {}  # largest_activation by sample shape

    def dropout_masks(self, generators, batch: int, device) -> list:
        """Scaled keep-masks, (N, B, features) per Dropout layer, one generator per network.

        Drawn as ``torch.nn.functional.dropout`` draws them on the CPU (``bernoulli_(1 - p)``
        from the generator, then divided by 1 - p), so network n gets the masks it would get
        trained alone with that generator's state.
        """
        masks = [
            [torch.empty(batch, width).bernoulli_(1 - p, generator=g).div_(1 - p) for g in generators]
            for p, width in self.dropouts
        ]
        return [torch.stack(m).to(device) for m in masks]

    def __call__(self, x: torch.Tensor, masks=()) -> torch.Tensor:
        """Logits (N, B, classes) of network n on its batch ``x[n]``, x of shape (N, B, C, H, W)."""
        return deque(self._outputs(x, masks), maxlen=1)[0]  # the last output, the others let go

    def largest_activation(self, sample_shape) -> int:
        """Entries of the largest layer output for one sample of every network.

        Parameters
        ----------
        sample_shape : tuple of int
            ``(channels, height, width)`` of one input image.

        Returns
        -------
        numel : int
            The most numbers one layer's output holds per sample, over all N networks; a
            batch of B samples takes B times as many in that layer (and as many again in its
            gradient).
        """
        sample_shape = tuple(sample_shape)
        if sample_shape not in self._largest:  # a dry run on one sample, once per shape
            device = self.params[0].device
            x = torch.zeros((self.n, 1, *sample_shape), device=device)
            masks = [torch.ones(self.n, 1, width, device=device) for _, width in self.dropouts]
            with torch.no_grad():
                self._largest[sample_shape] = max(h.numel() for h in self._outputs(x, masks))
        return self._largest[sample_shape]

    def _outputs(self, x, masks):
        """Each layer's output in turn, the logits last (ReLU and pooling fused as documented)."""
        params, masks, layers = iter(self.params), iter(masks), self.layers
        h = x.transpose(0, 1).flatten(1, 2)  # (B, N·C, H, W): network n's channels are group n
        i = 0
        while i < len(layers):
            layer = layers[i]
            pooling = _pooling_after(layers, i) if isinstance(layer, nn.ReLU) else []
            if pooling:  # ReLU then (zero padding and) max-pooling: pool first, on less data
                for module in pooling:
                    h = module(h)
                h, i = F.relu(h), i + 1 + len(pooling)
            else:
                h, i = self._apply(layer, h, params, masks), i + 1
            yield h

    def _apply(self, layer, h, params, masks):
        if isinstance(layer, nn.Conv2d):
            weight, bias = next(params), next(params)
            h = h.contiguous(memory_format=torch.channels_last)
            return F.conv2d(
                h, weight.flatten(0, 1), bias.flatten(), layer.stride, layer.padding, groups=self.n
            )
        if isinstance(layer, nn.LocalResponseNorm):
            batch, channels, height, width = h.shape
            return layer(h.reshape(batch * self.n, channels // self.n, height, width)).view(h.shape)
        if isinstance(layer, nn.Flatten):
            return h.reshape(h.shape[0], self.n, -1).transpose(0, 1)
        if isinstance(layer, nn.Linear):
            weight, bias = next(params), next(params)
            return torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))
        if isinstance(layer, nn.Dropout):
            return h * next(masks)
        return layer(h)

    def to(self, device):
        """Move the stacked parameters (as new leaves) to ``device``; returns self."""
        self.params = [p.detach().to(device).requires_grad_(p.requires_grad) for p in self.params]
        return self

    def unstack_into(self, networks) -> None:
        """Copy network n's parameters back into ``networks[n]``."""
        with torch.no_grad():
            for n, net in enumerate(networks):
                for stacked, p in zip(self.params, net.parameters()):
                    p.copy_(stacked[n])
