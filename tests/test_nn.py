import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback

from sktopo import SpatialFilterExtractor
from sktopo.nn import FilterRecorder, NetworkEnsemble, make_classifier, make_cnn, parse_spec


def _n_parameters(model):
    return sum(p.numel() for p in model.parameters())


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(48, 1, 28, 28)).astype(np.float32), np.arange(48) % 10


def test_parameter_counts_of_the_paper():
    assert _n_parameters(make_cnn("M(64,32,64)")) == 120_170
    assert _n_parameters(make_cnn("M(64,0,64)")) == 804_170


@pytest.mark.parametrize(
    "spec, channels, size",
    [
        ("M(64,32,64)", 1, 28),
        ("C(64,32,64)", 1, 24),
        ("C(64,32,64)", 3, 24),
        ("C*(48,0,64)", 1, 24),
        ("M(8,4,0)", 1, 28),
    ],
)
def test_architectures_run(spec, channels, size):
    model = make_cnn(spec, in_channels=channels, input_size=size)
    assert model(torch.zeros(2, channels, size, size)).shape == (2, 10)


def test_table_two_layers():
    layers = [type(m).__name__ for m in make_cnn("C(64,32,64)", input_size=24)]
    assert layers.count("LocalResponseNorm") == 2 and layers.count("MaxPool2d") == 2
    no_pool = [type(m).__name__ for m in make_cnn("C*(48,0,64)", input_size=24)]
    assert "MaxPool2d" not in no_pool
    assert "MaxPool2d" not in [type(m).__name__ for m in make_cnn("M(8,8,8)", max_pool=False)]
    assert "Dropout" in [type(m).__name__ for m in make_cnn("M(8,8,8)")]


@pytest.mark.parametrize("spec", ["M(64,32)", "X(1,2,3)", "M(0,32,64)", 64, "M(a,1,1)"])
def test_bad_specs(spec):
    with pytest.raises(ValueError, match="spec"):
        parse_spec(spec)


def test_training_runs_exactly_max_iter_batches(data):
    net = make_classifier("M(8,0,16)", max_iter=7, batch_size=10, random_state=0).fit(*data)
    assert len(net.history) == 1 and len(net.history[-1, "batches"]) == 7
    assert isinstance(net.optimizer_, torch.optim.Adam)
    c_net = make_classifier("C(8,0,16)", max_iter=2, input_size=28, batch_size=10)
    assert c_net.initialize().optimizer_.param_groups[0]["weight_decay"] == 4e-3


def test_seeds_fix_initialization_and_batch_order(data):
    weights = [
        make_classifier("M(8,0,16)", max_iter=4, batch_size=8, random_state=seed)
        .fit(*data)
        .module_.net[0]
        .weight
        for seed in (1, 1, 2)
    ]
    torch.testing.assert_close(weights[0], weights[1])
    assert not torch.allclose(weights[0], weights[2])


def test_clone_set_params_and_pickle(data):
    net = make_classifier("M(8,0,16)", max_iter=2, batch_size=8, random_state=0)
    other = clone(net).set_params(module__spec="M(4,2,8)", max_iter=3)
    assert other.max_iter == 3 and net.max_iter == 2
    other.fit(*data)
    assert other.module_.net[0].out_channels == 4
    restored = pickle.loads(pickle.dumps(other))
    np.testing.assert_allclose(
        restored.predict_proba(data[0][:5]), other.predict_proba(data[0][:5]), rtol=1e-5
    )
    with pytest.raises(ValueError, match="max_iter must be an int >= 1"):
        clone(net).set_params(max_iter=0).fit(*data)


def test_filter_recorder_snapshots_at_requested_iterations(data):
    recorder = FilterRecorder(layer=1, at=[0, 1, 5, 9])
    net = make_classifier("M(8,0,16)", max_iter=9, batch_size=8, random_state=0, callbacks=[recorder]).fit(
        *data
    )
    recorder = net.callbacks[0]
    assert sorted(recorder.snapshots_) == [0, 1, 5, 9] and recorder.iteration_ == 9
    np.testing.assert_array_equal(recorder.snapshots_[9], net.module_.net[0].weight.detach().numpy())
    assert not np.array_equal(recorder.snapshots_[0], recorder.snapshots_[9])
    filters = SpatialFilterExtractor().fit_transform([recorder.snapshots_[5]])
    assert filters.shape == (8, 9)
    assert all(np.isscalar(v) or isinstance(v, (list, str)) for v in net.history[-1].values())


def test_filter_recorder_bad_arguments(data):
    with pytest.raises(ValueError, match="at must be a list of batch iterations"):
        make_classifier("M(8,0,16)", max_iter=2, callbacks=[FilterRecorder(at=[-1])]).fit(*data)
    with pytest.raises(ValueError, match="layer=3 is out of range"):
        make_classifier(
            "M(8,0,16)", max_iter=2, batch_size=8, callbacks=[FilterRecorder(layer=3, at=[1])]
        ).fit(*data)


def test_ensemble_gives_distinct_networks(data):
    ensemble = NetworkEnsemble(
        make_classifier("M(4,0,8)", max_iter=3, batch_size=8), n_networks=3, random_state=0
    )
    ensemble.fit(*data)
    extractor = SpatialFilterExtractor(layer=1)
    filters = extractor.fit_transform(ensemble)
    assert filters.shape == (12, 9) and extractor.n_networks_ == 3
    per_network = filters.reshape(3, 4, 9)
    assert len({per_network[i].tobytes() for i in range(3)}) == 3
    assert ensemble.predict(data[0][:6]).shape == (6,) and 0 <= ensemble.score(*data) <= 1
    np.testing.assert_allclose(ensemble.predict_proba(data[0][:3]).sum(axis=1), 1, rtol=1e-5)


class _InterruptSecondNetwork(Callback):
    """Presses Ctrl-C during the second network's training (counted across clones)."""

    batches = 0

    def on_batch_end(self, net, training=None, **kwargs):
        type(self).batches += 1
        if type(self).batches == 5:
            raise KeyboardInterrupt


def test_interrupted_ensemble_resumes_without_retraining(data, tmp_path):
    net = make_classifier("M(4,0,8)", max_iter=3, batch_size=8, callbacks=[_InterruptSecondNetwork()])
    ensemble = NetworkEnsemble(net, n_networks=3, random_state=0, checkpoint_dir=tmp_path)
    with pytest.raises(KeyboardInterrupt):
        ensemble.fit(*data)
    saved = sorted(p.name for p in tmp_path.glob("network_*.pt"))
    assert len(saved) == 1  # the first network; the interrupted one was not saved
    first = torch.load(tmp_path / saved[0], weights_only=True)
    resumed = NetworkEnsemble(net, n_networks=3, random_state=0, checkpoint_dir=tmp_path).fit(*data)
    assert resumed.n_restored_ == 1 and len(resumed.estimators_) == 3
    torch.testing.assert_close(
        resumed.estimators_[0].module_.state_dict()["net.0.weight"], first["net.0.weight"]
    )
    again = NetworkEnsemble(net, n_networks=3, random_state=0, checkpoint_dir=tmp_path).fit(*data)
    assert again.n_restored_ == 3
    with pytest.raises(ValueError, match="holds networks of another estimator"):
        NetworkEnsemble(clone(net).set_params(max_iter=4), n_networks=3, checkpoint_dir=tmp_path).fit(*data)


def test_ensemble_bad_arguments(data):
    with pytest.raises(ValueError, match="'n_networks' parameter"):
        NetworkEnsemble(make_classifier(), n_networks=0).fit(*data)
    with pytest.raises(ValueError, match="'strategy' parameter"):
        NetworkEnsemble(make_classifier(), strategy="magic").fit(*data)
    with pytest.raises(TypeError, match="random_state parameter"):
        from skorch import NeuralNetClassifier

        NetworkEnsemble(NeuralNetClassifier(torch.nn.Linear)).fit(*data)


def test_vgg16_layers_and_offline_weights(tmp_path, monkeypatch):
    from urllib.error import URLError

    from sktopo.filters import conv_layers
    from sktopo.nn import vgg16, vgg19

    model = vgg16(weights=None)
    layers = conv_layers(model)
    assert len(layers) == 13 and layers[1][1].shape == (64, 64, 3, 3)
    filters = SpatialFilterExtractor(layer=2).fit_transform(model)
    assert filters.shape == (64 * 64, 9)

    def offline(*args, **kwargs):
        raise URLError("no network")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"put vgg19-dcbb9e9d\.pth .* in .*hub/checkpoints"):
        vgg19()
    with pytest.raises(ValueError, match="weights must be 'imagenet' or None"):
        vgg16(weights="cifar")


def test_vgg_from_a_local_state_dict(tmp_path, monkeypatch):
    import torchvision.models

    from sktopo.nn import vgg16

    def tiny(weights=None):  # stands in for torchvision's 528 MB VGG16
        return torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3))

    monkeypatch.setattr(torchvision.models, "vgg16", tiny)
    saved = tiny()
    torch.save(saved.state_dict(), tmp_path / "vgg16.pt")
    loaded = vgg16(path=tmp_path / "vgg16.pt")
    torch.testing.assert_close(loaded[0].weight, saved[0].weight)
    torch.save(saved, tmp_path / "pickled_model.pt")
    with pytest.raises(ValueError, match="weights_only"):
        vgg16(path=tmp_path / "pickled_model.pt")
