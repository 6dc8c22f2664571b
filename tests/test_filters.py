import os
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from skorch import NeuralNetClassifier

from sktopo import SpatialFilterExtractor
from sktopo.filters import conv_layers, extract_spatial_filters, layer_kernel
from sktopo.io import load_state_dict


class TwoConv(torch.nn.Module):
    def __init__(self, width=4):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(2, width, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(width, 3, 5, padding=2)
        self.head = torch.nn.Linear(3 * 8 * 8, 10)

    def forward(self, x):
        x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
        return self.head(x.flatten(1))


def _expected(kernel):
    kernel = kernel.detach().numpy()
    return kernel.reshape(kernel.shape[0] * kernel.shape[1], -1).astype(np.float64)


@pytest.fixture
def model():
    torch.manual_seed(0)
    return TwoConv()


def test_module_gives_its_exact_weights(model):
    filters, provenance = extract_spatial_filters(model, layer=2)
    np.testing.assert_array_equal(filters, _expected(model.conv2.weight))
    assert filters.shape == (3 * 4, 25)
    row = provenance.iloc[5]
    assert (row.network, row.layer, row.layer_name) == (0, 2, "conv2")
    np.testing.assert_array_equal(
        filters[5], model.conv2.weight[row.out_channel, row.in_channel].detach().numpy().ravel()
    )


def test_skorch_net_gives_its_exact_weights():
    torch.manual_seed(0)
    net = NeuralNetClassifier(TwoConv, max_epochs=1, batch_size=8, train_split=None, verbose=0)
    X = np.random.default_rng(0).normal(size=(16, 2, 8, 8)).astype(np.float32)
    net.fit(X, np.arange(16) % 10)
    filters = SpatialFilterExtractor(layer=1).fit_transform(net)
    np.testing.assert_array_equal(filters, _expected(net.module_.conv1.weight))


def test_state_dict_and_file_give_exact_weights(model, tmp_path):
    path = tmp_path / "weights.pt"
    torch.save(model.state_dict(), path)
    expected = _expected(model.conv1.weight)
    for source in (model.state_dict(), path, str(path)):
        filters, provenance = extract_spatial_filters(source, layer=1)
        np.testing.assert_array_equal(filters, expected)
        assert provenance.layer_name.iloc[0] == "conv1"


class _Hostile:
    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_hostile_pickle_is_refused_without_running(tmp_path):
    marker = tmp_path / "pwned"
    hostile = _Hostile()
    hostile.marker = marker
    path = tmp_path / "weights.pt"
    with open(path, "wb") as f:
        pickle.dump({"conv.weight": hostile}, f)
    with pytest.raises(ValueError, match="weights_only"):
        extract_spatial_filters(path)
    assert not marker.exists()
    # the same file through torch.save's format
    torch.save({"conv.weight": hostile}, path)
    with pytest.raises(ValueError, match="Cannot read a state_dict"):
        load_state_dict(path)
    assert not marker.exists()


def test_pooling_over_networks_and_kernel_arrays(model):
    kernel = np.random.default_rng(0).normal(size=(5, 2, 3, 3))
    sources = [model, kernel, torch.from_numpy(kernel)]
    extractor = SpatialFilterExtractor(layer=1)
    filters = extractor.fit_transform(sources)
    assert filters.shape == (8 + 10 + 10, 9)
    np.testing.assert_array_equal(filters[8:18], kernel.reshape(10, 9))
    assert extractor.provenance_.network.tolist() == [0] * 8 + [1] * 10 + [2] * 10
    assert extractor.n_networks_ == 3 and extractor.kernel_size_ == (3, 3)
    # out_channel / in_channel follow the kernel's layout
    prov = extractor.provenance_.iloc[8:18]
    np.testing.assert_array_equal(filters[8:18], kernel[prov.out_channel, prov.in_channel].reshape(10, 9))


def test_layer_by_name(model):
    by_name = extract_spatial_filters([model, model.state_dict()], layer="conv2")[0]
    by_key = extract_spatial_filters(model, layer="conv2.weight")[0]
    np.testing.assert_array_equal(by_name[:12], by_key)
    np.testing.assert_array_equal(by_name[12:], by_key)
    assert extract_spatial_filters(model, layer="conv2")[1].layer.iloc[0] == 2


def test_conv_layers_in_depth_order(model):
    assert [name for name, _ in conv_layers(model)] == ["conv1", "conv2"]
    assert [name for name, _ in conv_layers(model.state_dict())] == ["conv1", "conv2"]


def test_drop_constant():
    kernel = np.random.default_rng(0).normal(size=(4, 1, 3, 3))
    kernel[1] = 0.7
    kernel[2] = 1e-9 * np.random.default_rng(1).normal(size=(1, 3, 3)) + 0.2
    filters, provenance = extract_spatial_filters(kernel, drop_constant=True)
    assert provenance.out_channel.tolist() == [0, 3]
    np.testing.assert_array_equal(filters, kernel[[0, 3]].reshape(2, 9))
    with pytest.raises(ValueError, match="No spatial filters left"):
        extract_spatial_filters(np.zeros((2, 1, 3, 3)), drop_constant=True)


@pytest.fixture
def named(model, tmp_path):
    """The sources that the table below names in angle brackets."""
    # hello.pt: pickle reads "h" as a memo lookup and fails with a KeyError
    files = {
        "empty.pt": b"",
        "text.pt": b"not a torch file",
        "int.pt": b"\x80\x04K\x01.",
        "hello.pt": b"hello",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    torch.save(model, tmp_path / "model.pt")
    torch.save(torch.nn.Linear(3, 2).state_dict(), tmp_path / "noconv.pt")
    paths = {f"<{name}>": tmp_path / name for name in [*files, "model.pt", "noconv.pt", "missing.pt"]}
    return {
        "<model>": model,
        "<mixed>": [np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 5, 5))],
        "<unfitted skorch>": NeuralNetClassifier(TwoConv),
        "<complex>": torch.nn.Conv2d(1, 4, 3, dtype=torch.complex64),
        **paths,
    }


def _fit(X, **params):
    return SpatialFilterExtractor(**params).fit(X)


def _unfitted_feature_names():
    return SpatialFilterExtractor().get_feature_names_out()


_KERNEL = np.zeros((2, 1, 3, 3))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        (_fit, {"X": "<model>", "layer": 3}, ValueError, "layer=3 is out of range: this TwoConv has 2 conv"),
        (layer_kernel, {"source": "<model>", "layer": 3}, ValueError, "layer=3 is out of range"),
        (_fit, {"X": "<model>", "layer": "head"}, ValueError, "'head' is not a conv layer here"),
        *[
            (function, {key: "<model>", "layer": layer}, ValueError, f"'layer' parameter of {name}")
            for function, key, name in [
                (_fit, "X", "SpatialFilterExtractor"),
                (extract_spatial_filters, "X", "extract_spatial_filters"),
                (layer_kernel, "source", "layer_kernel"),
            ]
            for layer in (0, -1, True, 1.0, None)
        ],
        (layer_kernel, {"source": _KERNEL, "layer": 0}, ValueError, "'layer' parameter of layer_kernel"),
        (_fit, {"X": _KERNEL, "drop_constant": "yes"}, ValueError, "'drop_constant' parameter"),
        (
            extract_spatial_filters,
            {"X": _KERNEL, "drop_constant": 1},
            ValueError,
            "'drop_constant' parameter",
        ),
        (_fit, {"X": _KERNEL, "constant_tol": -1.0}, ValueError, "'constant_tol' parameter"),
        (_fit, {"X": torch.nn.Linear(3, 2)}, ValueError, "has no conv layers"),
        (_fit, {"X": {"fc.weight": torch.zeros(2, 3)}}, ValueError, "has no conv layers"),
        (_fit, {"X": np.zeros((3, 3))}, ValueError, "shape \\(out_channels, in_channels, h, w\\)"),
        (_fit, {"X": np.full((1, 1, 3, 3), "a")}, ValueError, "must hold real numbers.*dtype <U1"),
        (_fit, {"X": np.empty((0, 2, 3, 3))}, ValueError, r"no axis empty; got shape \(0, 2, 3, 3\)"),
        (_fit, {"X": "<noconv.pt>"}, ValueError, r"The file '.*noconv\.pt' has no conv layers"),
        (_fit, {"X": []}, ValueError, "empty list"),
        (_fit, {"X": 42}, TypeError, "Cannot read conv layers from a int"),
        (conv_layers, {"source": 42}, TypeError, "Cannot read conv layers from a int"),
        (_fit, {"X": "<mixed>"}, ValueError, "differ in spatial size"),
        (_fit, {"X": np.full((2, 1, 3, 3), np.nan)}, ValueError, "Network 0 .* NaN or infinity"),
        (_fit, {"X": [_KERNEL, np.full((2, 1, 3, 3), np.inf)]}, ValueError, "Network 1 .* NaN or infinity"),
        (_fit, {"X": np.zeros((2, 1, 3, 3)), "drop_constant": True}, ValueError, "No spatial filters left"),
        (_fit, {"X": "<unfitted skorch>"}, ValueError, "not initialized"),
        (_fit, {"X": "<complex>"}, TypeError, "Network 0 .* must be real numbers; got dtype complex64"),
        *[
            (_fit, {"X": f"<{name}>"}, ValueError, name.replace(".", "\\."))
            for name in ["empty.pt", "text.pt", "int.pt", "hello.pt"]
        ],
        (
            _fit,
            {"X": "<model.pt>"},
            ValueError,
            r"holds Python objects \(test_filters\.TwoConv\), such as a whole pickled model",
        ),
        (_fit, {"X": "<missing.pt>"}, FileNotFoundError, "missing\\.pt"),
        (_unfitted_feature_names, {}, NotFittedError, "not fitted"),
    ],
)
def test_bad_input(named, function, kwargs, error, match):
    kwargs = {
        key: named.get(value, value) if isinstance(value, str) else value for key, value in kwargs.items()
    }
    with pytest.raises(error, match=match):
        function(**kwargs)


def test_transform_checks_kernel_size(model):
    extractor = SpatialFilterExtractor(layer=1).fit(model)
    np.testing.assert_array_equal(extractor.transform([model]), _expected(model.conv1.weight))
    with pytest.raises(ValueError, match="fitted on \\(3, 3\\)"):
        extractor.transform(np.zeros((1, 1, 5, 5)))


def test_clone_and_params():
    extractor = SpatialFilterExtractor(layer="conv1", drop_constant=True)
    assert clone(extractor).get_params() == extractor.get_params()
    assert clone(extractor).set_params(layer=2).layer == 2


@pytest.mark.parametrize(
    "layer",
    [
        torch.nn.Conv2d(4, 6, 3),
        torch.nn.Conv2d(4, 6, 3, groups=2),
        torch.nn.Conv2d(3, 3, 3, groups=3),  # depthwise
        torch.nn.Conv2d(3, 6, 3, groups=3),  # depthwise, two outputs per input
        torch.nn.ConvTranspose2d(2, 3, 3),
        torch.nn.ConvTranspose2d(4, 6, 3, groups=2),
    ],
    ids=repr,
)
def test_in_channel_is_the_input_channel_the_filter_reads(layer):
    # Reference: torch itself. Input channel c alone carries an image R; output channel o then
    # answers sum(filter * R) for a conv, or the filter itself for a transposed conv on a 1 × 1
    # input, exactly when the filter of row (o, c) is the one that reads channel c.
    torch.manual_seed(0)
    filters, provenance = extract_spatial_filters(layer)
    assert len(filters) == layer.out_channels * layer.in_channels // layer.groups
    assert sorted(set(provenance.in_channel)) == list(range(layer.in_channels))
    size = 1 if layer.transposed else 3
    for f, o, c in zip(filters, provenance.out_channel, provenance.in_channel):
        x = torch.zeros(1, layer.in_channels, size, size, dtype=torch.float64)
        x[0, c] = torch.from_numpy(np.arange(1.0, size * size + 1).reshape(size, size))
        with torch.no_grad():
            response = (layer.double()(x) - layer.bias.double()[:, None, None])[0, o].numpy()
        expected = f.reshape(3, 3) if layer.transposed else (f * x[0, c].numpy().ravel()).sum()
        np.testing.assert_allclose(response, expected, rtol=1e-12, atol=1e-12)


class FirstNotConv2d(torch.nn.Module):
    def __init__(self, first):
        super().__init__()
        self.first = first
        self.conv = torch.nn.Conv2d(3, 4, 3)
        self.bn = torch.nn.BatchNorm2d(4)
        self.last = torch.nn.Conv2d(4, 2, 5)


@pytest.mark.parametrize(
    "first, names",
    [
        (torch.nn.ConvTranspose2d(5, 3, 3), ["first", "conv", "last"]),
        (torch.nn.Conv1d(5, 3, 3), ["conv", "last"]),
        (torch.nn.Conv3d(5, 3, 3), ["conv", "last"]),
    ],
)
def test_module_and_its_state_dict_agree_on_layer_depths(first, names):
    model = FirstNotConv2d(first)
    assert [name for name, _ in conv_layers(model)] == names
    assert [name for name, _ in conv_layers(model.state_dict())] == names
    for depth, name in enumerate(names, start=1):
        assert layer_kernel(model, depth)[:2] == layer_kernel(model.state_dict(), depth)[:2] == (depth, name)
    np.testing.assert_array_equal(
        extract_spatial_filters(model, layer=names.index("conv") + 1)[0],
        extract_spatial_filters(model.state_dict(), layer=names.index("conv") + 1)[0],
    )


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_half_precision_weights_are_read_exactly(model, dtype):
    model = model.to(dtype)
    expected = model.conv1.weight.detach().float().numpy().reshape(8, 9).astype(np.float64)
    for source in (model, model.state_dict(), model.conv1.weight):
        filters, _ = extract_spatial_filters(source, layer=1)
        assert filters.dtype == np.float64
        np.testing.assert_array_equal(filters, expected)


def test_feature_names_name_each_weight_of_the_slice():
    extractor = SpatialFilterExtractor().fit(np.zeros((2, 1, 2, 3)))
    assert extractor.get_feature_names_out().tolist() == ["w0_0", "w0_1", "w0_2", "w1_0", "w1_1", "w1_2"]
    kernel = np.arange(6.0).reshape(1, 1, 2, 3)
    row = dict(zip(extractor.get_feature_names_out(), extractor.transform(kernel)[0]))
    assert row["w1_0"] == kernel[0, 0, 1, 0]


def test_sources_and_their_conv_layers(model):
    from sktopo.filters import as_sources, n_conv_layers

    kernel = np.zeros((4, 1, 3, 3))
    assert as_sources([model, [kernel, model.state_dict()]])[1] is kernel
    assert len(as_sources((model, model))) == 2 and as_sources(model) == [model]
    with pytest.raises(ValueError, match="X is an empty list"):
        as_sources([])
    assert n_conv_layers(model) == n_conv_layers(model.state_dict()) == len(conv_layers(model))
    assert n_conv_layers(kernel) == n_conv_layers(torch.zeros(4, 1, 3, 3)) == 1
