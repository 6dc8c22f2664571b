"""Every kind of conv layer: its spatial filters and their provenance, exactly.

The truth is worked out here from ``module.weight`` and ``module.groups`` alone, as torch
documents them: a ``Conv2d`` stores ``(out, in / groups, h, w)``, and output channel ``o`` reads
the ``in / groups`` input channels of its group; a ``ConvTranspose2d`` stores
``(in, out / groups, h, w)``, and input channel ``i`` feeds the ``out / groups`` output channels
of its group. Every weight is numbered (0, 1, 2, ...), so a slice out of place cannot pass.
"""

import numpy as np
import pytest
import torch
from torch import nn

from sktopo import SpatialFilterExtractor
from sktopo.filters import conv_layers, extract_spatial_filters, layer_kernel
from sktopo.profile import topology_profile

CONV = {
    "plain 3x3": lambda: nn.Conv2d(4, 6, 3),
    "depthwise": lambda: nn.Conv2d(6, 6, 3, groups=6),
    "depthwise, two outputs per input": lambda: nn.Conv2d(4, 8, 3, groups=4),
    "grouped 2": lambda: nn.Conv2d(4, 6, 3, groups=2),
    "grouped 4": lambda: nn.Conv2d(8, 12, 3, groups=4),
    "dilated": lambda: nn.Conv2d(3, 4, 3, dilation=2),
    "strided": lambda: nn.Conv2d(3, 4, 3, stride=2),
    "padded": lambda: nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode="reflect"),
    "5x5": lambda: nn.Conv2d(2, 3, 5),
    "5x5 single-channel": lambda: nn.Conv2d(1, 4, 5),
    "7x7 RGB": lambda: nn.Conv2d(3, 8, 7, stride=2, padding=3),
    "7x7 single-channel": lambda: nn.Conv2d(1, 4, 7),
    "11x11 RGB": lambda: nn.Conv2d(3, 4, 11, stride=4, padding=2),
    "11x11 single-channel": lambda: nn.Conv2d(1, 4, 11),
    "3x5": lambda: nn.Conv2d(2, 3, (3, 5)),
    "5x3 grouped dilated": lambda: nn.Conv2d(4, 6, (5, 3), groups=2, dilation=(1, 2)),
}

TRANSPOSED = {
    "transposed": lambda: nn.ConvTranspose2d(4, 6, 3),
    "transposed grouped": lambda: nn.ConvTranspose2d(4, 6, 3, groups=2),
    "transposed depthwise": lambda: nn.ConvTranspose2d(4, 4, 3, groups=4),
    "transposed 3x5 grouped strided": lambda: nn.ConvTranspose2d(6, 4, (3, 5), groups=2, stride=2),
}

KINDS = {**CONV, **TRANSPOSED}


def _numbered(module, start=0):
    """``module`` with its weights numbered from ``start``: every slice distinct."""
    weight = module.weight
    with torch.no_grad():
        weight.copy_(torch.arange(start, start + weight.numel(), dtype=weight.dtype).reshape(weight.shape))
    return module


def _network(make, start=0):
    """A network whose only conv layer is ``make()``, numbered, second in its Sequential."""
    return nn.Sequential(nn.ReLU(), _numbered(make(), start))


def _true_slice(layer, out_channel, in_channel):
    """The ``h × w`` weights from ``in_channel`` to ``out_channel``; None where no weight connects them."""
    weight, groups = layer.weight.detach().numpy(), layer.groups
    out_per_group, in_per_group = layer.out_channels // groups, layer.in_channels // groups
    group = out_channel // out_per_group
    if in_channel // in_per_group != group:
        return None
    if layer.transposed:
        return weight[in_channel, out_channel - group * out_per_group]
    return weight[out_channel, in_channel - group * in_per_group]


def _channels(provenance):
    return list(provenance[["network", "out_channel", "in_channel"]].itertuples(index=False, name=None))


def _assert_exact(filters, provenance, layers):
    """Each row is the true slice of its channels; each connected pair once; network, out, in order."""
    for row, (network, out_channel, in_channel) in zip(filters, _channels(provenance)):
        truth = _true_slice(layers[network], out_channel, in_channel)
        assert truth is not None, f"output channel {out_channel} does not read input channel {in_channel}"
        np.testing.assert_array_equal(row, truth.ravel())
    keys = _channels(provenance)
    assert keys == sorted(set(keys))  # in order, none twice
    assert len(keys) == sum(layer.out_channels * layer.in_channels // layer.groups for layer in layers)


@pytest.mark.parametrize("make", KINDS.values(), ids=KINDS)
def test_every_row_is_the_true_slice_of_its_channels_in_order(make):
    networks = [_network(make), _network(make, start=100_000)]
    layers = [network[1] for network in networks]
    filters, provenance = extract_spatial_filters(networks)
    _assert_exact(filters, provenance, layers)
    assert provenance.attrs["kernel_size"] == layers[0].kernel_size
    assert filters.shape[1] == np.prod(layers[0].kernel_size)
    assert set(provenance.layer) == {1} and set(provenance.layer_name) == {"1"}
    extractor = SpatialFilterExtractor().fit(networks)
    np.testing.assert_array_equal(extractor.transform(networks), filters)
    assert extractor.provenance_.equals(provenance) and extractor.kernel_size_ == layers[0].kernel_size


@pytest.mark.parametrize("make", CONV.values(), ids=CONV)
def test_a_conv2d_from_its_state_dict_reads_in_channels_within_the_group(make):
    network = _network(make)
    layer = network[1]
    filters, provenance = extract_spatial_filters(network)
    from_state, state_provenance = extract_spatial_filters(network.state_dict())
    np.testing.assert_array_equal(from_state, filters)
    assert state_provenance.out_channel.tolist() == provenance.out_channel.tolist()
    in_per_group = layer.in_channels // layer.groups
    assert state_provenance.in_channel.tolist() == (provenance.in_channel % in_per_group).tolist()
    assert state_provenance.attrs == provenance.attrs


@pytest.mark.parametrize("make", TRANSPOSED.values(), ids=TRANSPOSED)
def test_a_transposed_conv_from_its_state_dict_has_out_and_in_channels_swapped(make):
    network = _network(make)
    layer = network[1]
    filters, provenance = extract_spatial_filters(network)
    from_state, state_provenance = extract_spatial_filters(network.state_dict())
    # the same filters, each once
    assert sorted(map(tuple, from_state)) == sorted(map(tuple, filters))
    # row (c, o) of the state_dict: input channel c, the o-th output channel of c's group
    out_per_group, in_per_group = layer.out_channels // layer.groups, layer.in_channels // layer.groups
    for row, c, o in zip(from_state, state_provenance.out_channel, state_provenance.in_channel):
        np.testing.assert_array_equal(
            row, _true_slice(layer, c // in_per_group * out_per_group + o, c).ravel()
        )
    assert state_provenance.out_channel.is_monotonic_increasing  # input channels first
    if layer.groups == 1:  # plainly swapped
        swapped = provenance.rename(columns={"out_channel": "in_channel", "in_channel": "out_channel"})
        assert sorted(_channels(swapped)) == _channels(state_provenance)
    assert state_provenance[["layer", "layer_name"]].equals(provenance[["layer", "layer_name"]])
    assert state_provenance.attrs == provenance.attrs


class Mixed(nn.Module):
    """Every kind of conv layer, nested in Sequentials; the head is registered first, used last."""

    def __init__(self):
        super().__init__()
        self.head = nn.Conv2d(16, 2, (3, 5), padding=(1, 2))
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 7, stride=2, padding=3), nn.BatchNorm2d(8), nn.ReLU())
        self.blocks = nn.Sequential(
            nn.Sequential(nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.Conv2d(8, 16, 1)),
            nn.Sequential(
                nn.Conv2d(16, 16, 3, padding=2, dilation=2, groups=4),
                nn.ReLU(),
                nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1, groups=2),
            ),
        )
        self.conv5 = nn.Conv2d(16, 16, 5, padding=2)
        self.big = nn.Conv2d(16, 16, 11, padding=5, bias=False)
        self.up = nn.ConvTranspose2d(16, 16, 3, padding=1)
        self.fc = nn.Linear(2, 10)

    def forward(self, x):
        x = self.up(self.big(self.conv5(self.blocks(self.stem(x)))))
        return self.fc(self.head(x).mean(dim=(2, 3)))


#: Mixed's conv layers in registration order, which is the order of its state_dict.
MIXED = ["head", "stem.0", "blocks.0.0", "blocks.0.1", "blocks.1.0", "blocks.1.2", "conv5", "big", "up"]


def test_layer_numbers_and_names_agree_in_a_module_its_state_dict_and_its_file(tmp_path):
    torch.manual_seed(0)
    model = Mixed()
    assert model(torch.zeros(1, 3, 16, 16)).shape == (1, 10)  # a working network, head last
    path = tmp_path / "mixed.pt"
    torch.save(model.state_dict(), path)
    for source in (model, model.state_dict(), path):
        assert [name for name, _ in conv_layers(source)] == MIXED
        for depth, name in enumerate(MIXED, start=1):
            assert layer_kernel(source, depth)[:2] == layer_kernel(source, name)[:2] == (depth, name)
            filters, provenance = extract_spatial_filters(source, layer=depth)
            assert set(provenance.layer) == {depth} and set(provenance.layer_name) == {name}
            module_filters = extract_spatial_filters(model, layer=depth)[0]
            assert sorted(map(tuple, filters)) == sorted(map(tuple, module_filters))
            layer = model.get_submodule(name)
            if not layer.transposed:  # the same rows in the same order
                np.testing.assert_array_equal(filters, module_filters)
            assert provenance.attrs["kernel_size"] == layer.kernel_size


def test_a_bare_conv_layer_and_a_shared_one_are_named_alike_in_module_and_state_dict():
    shared = nn.Conv2d(2, 2, 3)
    twice = nn.Sequential(shared, nn.ReLU(), nn.Conv2d(2, 2, 5), shared)  # state_dict() has 0. and 3.
    for model, names in ((nn.Conv2d(1, 4, 3), [""]), (twice, ["0", "2", "3"])):
        assert [name for name, _ in conv_layers(model)] == names
        assert [name for name, _ in conv_layers(model.state_dict())] == names
    bare = nn.Conv2d(1, 4, 3)
    for source in (bare, bare.state_dict()):  # "weight", the key, names the bare layer
        assert set(extract_spatial_filters(source, layer="weight")[1].layer_name) == {""}
    assert layer_kernel(twice, 3)[:2] == layer_kernel(twice.state_dict(), 3)[:2] == (3, "3")


def _kinds_network():
    """One layer of each kind, small enough to profile in seconds; layer 7 all zero (never run forward)."""
    torch.manual_seed(0)
    network = nn.Sequential(
        nn.Conv2d(3, 64, 7, stride=2),  # 7 x 7 RGB stem: 192 filters
        nn.Conv2d(64, 32, 1),  # 1 x 1: skipped
        nn.Conv2d(32, 32, 3, groups=32),  # depthwise: 32 filters
        nn.Conv2d(32, 32, 3, groups=4),  # grouped: 256 filters
        nn.Conv2d(32, 8, 5),  # 5 x 5: 256 filters
        nn.ConvTranspose2d(8, 16, 3),  # transposed: 128 filters
        nn.Conv2d(16, 4, 3),  # all zero: skipped
        nn.Conv2d(4, 32, 3, dilation=2),  # dilated: 128 filters
        nn.Conv2d(1, 64, 11),  # 11 x 11, one input channel: 64 filters
        nn.Conv2d(16, 8, (1, 7)),  # one pixel high: 128 filters, no edge energy
    )
    with torch.no_grad():
        network[6].weight.zero_()
    return network


_PROFILE = dict(n_subsamples=3, n_null=19, n_landmarks=60, max_filters=200, random_state=0, progress=False)


def test_profile_lists_each_kind_of_layer_and_a_state_dict_lists_the_same():
    network = _kinds_network()
    table = topology_profile(network, **_PROFILE).table
    counted = [layer.out_channels * layer.in_channels // layer.groups for layer in network]
    assert table.layer.tolist() == list(range(1, 11))
    assert table.layer_name.tolist() == [str(i) for i in range(10)]
    assert table.n_filters.tolist() == counted
    skipped = table.verdict == "skipped"
    assert skipped.tolist() == [False, True, False, False, False, False, True, False, False, False]
    # the plane of edges needs two pixels each way: a 1 x 7 layer is analysed, its edge energy NaN
    assert table.edge_energy[~skipped].isna().tolist() == [False] * 7 + [True]
    assert table.skipped[1].startswith("1 × 1 kernels: spatial filters of 1 pixel(s)")
    assert table.skipped[6].startswith("64 of 64 spatial filters are constant (all-zero included)")
    assert (table.n_used[skipped] == 0).all() and (table.n_dense[skipped] == 0).all()
    # a skipped layer is never a row of zeros: what was not measured is missing
    measured = ["h1_top", "band", "threshold", "null_p_value", "covariance_p_value", "margin"]
    assert table.loc[skipped, measured].isna().all().all() and table["shape"][skipped].isna().all()
    analysed = table[~skipped]
    assert set(analysed.verdict) <= {"found", "borderline", "not_found", "too_small"}
    assert (analysed.skipped == "").all()
    assert analysed.n_used.tolist() == [min(n, 200) for n in analysed.n_filters]
    assert analysed.threshold.notna().all() and analysed.null_p_value.notna().all()
    from_state = topology_profile(network.state_dict(), **_PROFILE).table
    columns = ["layer", "layer_name", "n_filters", "skipped"]
    assert from_state[columns].equals(table[columns])
