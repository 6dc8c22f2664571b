import os
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch import NeuralNetClassifier

from sktopo import SpatialFilterExtractor
from sktopo.filters import conv_layers, extract_spatial_filters
from sktopo.nn import load_state_dict


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


def test_unfitted_skorch_net_is_refused():
    with pytest.raises(ValueError, match="not initialized"):
        extract_spatial_filters(NeuralNetClassifier(TwoConv))


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


def test_whole_model_file_is_refused(model, tmp_path):
    path = tmp_path / "model.pt"
    torch.save(model, path)
    with pytest.raises(ValueError, match="save the state_dict"):
        extract_spatial_filters(path)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("content", [b"", b"not a torch file", b"\x80\x04K\x01."])
def test_unreadable_files(tmp_path, content):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.pt"):
        extract_spatial_filters(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing\.pt"):
        extract_spatial_filters(tmp_path / "missing.pt")


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


@pytest.mark.parametrize(
    "X, layer, error, match",
    [
        ("model", 3, ValueError, "layer=3 is out of range: this TwoConv has 2 conv"),
        ("model", "head", ValueError, "'head' is not a conv layer here"),
        ("model", 0, ValueError, "'layer' parameter"),
        ("model", 1.0, ValueError, "'layer' parameter"),
        (torch.nn.Linear(3, 2), 1, ValueError, "has no Conv2d layers"),
        ({"fc.weight": torch.zeros(2, 3)}, 1, ValueError, "has no Conv2d layers"),
        (np.zeros((3, 3)), 1, ValueError, "shape \\(out_channels, in_channels, h, w\\)"),
        ([], 1, ValueError, "empty list"),
        (42, 1, TypeError, "Cannot read conv layers from a int"),
        ("mixed", 1, ValueError, "differ in spatial size"),
        (np.full((2, 1, 3, 3), np.nan), 1, ValueError, "Network 0 .* NaN or infinity"),
        (
            [np.zeros((2, 1, 3, 3)), np.full((2, 1, 3, 3), np.inf)],
            1,
            ValueError,
            "Network 1 .* NaN or infinity",
        ),
    ],
)
def test_bad_input(model, X, layer, error, match):
    named = {"model": model, "mixed": [np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 5, 5))]}
    if isinstance(X, str):
        X = named[X]
    with pytest.raises(error, match=match):
        SpatialFilterExtractor(layer=layer).fit(X)


def test_transform_checks_kernel_size(model):
    extractor = SpatialFilterExtractor(layer=1).fit(model)
    np.testing.assert_array_equal(extractor.transform([model]), _expected(model.conv1.weight))
    with pytest.raises(ValueError, match="fitted on \\(3, 3\\)"):
        extractor.transform(np.zeros((1, 1, 5, 5)))


def test_clone_and_params():
    extractor = SpatialFilterExtractor(layer="conv1", drop_constant=True)
    assert clone(extractor).get_params() == extractor.get_params()
    assert clone(extractor).set_params(layer=2).layer == 2
