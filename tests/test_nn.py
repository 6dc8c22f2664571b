import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from skorch.callbacks import Callback

from sktopo import SpatialFilterExtractor
from sktopo.nn import FilterRecorder, NetworkEnsemble, make_classifier, make_cnn


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


@pytest.mark.parametrize(
    "spec, size, kwargs", [("M(4,4,8)", 4, {}), ("C(4,4,8)", 1, {}), ("M(4,0,8)", 1, {"max_pool": False})]
)
def test_make_cnn_accepts_the_smallest_input_size(spec, size, kwargs):
    model = make_cnn(spec, input_size=size, n_classes=3, **kwargs)
    assert model(torch.zeros(1, 1, size, size)).shape == (1, 3)


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


@pytest.mark.parametrize("random_state", [0, None])
def test_fit_takes_from_torch_global_generator_only_the_seed_of_none(data, random_state):
    torch.manual_seed(12345)
    if random_state is None:
        torch.randint(0, 2**32, (), dtype=torch.int64)  # the one draw random_state=None makes
    expected = torch.get_rng_state()
    torch.manual_seed(12345)
    net = make_classifier("M(4,0,8)", max_iter=3, batch_size=8, random_state=random_state).fit(*data)
    net.predict(data[0])
    NetworkEnsemble(clone(net).set_params(random_state=0), n_networks=2, random_state=0).fit(*data).predict(
        data[0]
    )  # batched
    assert torch.equal(torch.get_rng_state(), expected)


def test_none_draws_from_torch_so_manual_seed_makes_a_run_reproducible(data):
    weights = []
    for seed in (7, 7, 8):
        torch.manual_seed(seed)
        net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8).fit(*data)
        weights.append(net.module_.net[0].weight.detach().clone())
    torch.testing.assert_close(weights[0], weights[1])
    assert not torch.equal(weights[0], weights[2])


def test_unseeded_networks_differ_and_partial_fit_continues(data):
    first, second = (make_classifier("M(4,0,8)", max_iter=2, batch_size=8).fit(*data) for _ in range(2))
    assert not torch.equal(first.module_.net[0].weight, second.module_.net[0].weight)
    # partial_fit continues the net's own generators (dropout masks, batch order): no re-seeding
    net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, random_state=3).fit(*data)
    state, order = net.torch_rng_state_["cpu"].clone(), net.batch_generator_.get_state()
    net.partial_fit(*data)
    assert not torch.equal(net.torch_rng_state_["cpu"], state)
    assert not torch.equal(net.batch_generator_.get_state(), order)


def test_float64_and_tensor_images_are_taken_as_float32(data):
    X, y = data
    ours = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, random_state=0).fit(X, y)
    wide = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, random_state=0).fit(X.astype(np.float64), y)
    torch.testing.assert_close(wide.module_.net[0].weight, ours.module_.net[0].weight)
    np.testing.assert_array_equal(
        wide.predict(torch.as_tensor(X[:5], dtype=torch.float64)), ours.predict(X[:5])
    )


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


def test_filter_recorder_survives_clone_and_pickle(data):
    recorder = FilterRecorder(layer=1, at=[2])
    assert clone(recorder).get_params() == {"layer": 1, "at": [2]}
    net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, random_state=0, callbacks=[recorder]).fit(
        *data
    )
    fitted = pickle.loads(pickle.dumps(net.callbacks[0]))
    np.testing.assert_array_equal(fitted.snapshots_[2], net.module_.net[0].weight.detach().numpy())
    assert {name for name in vars(fitted) if not name.startswith("_sklearn")} == {
        "layer",
        "at",
        "snapshots_",
        "iteration_",
    }


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
    proba = ensemble.predict_proba(data[0])
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(ensemble.predict(data[0]), np.argmax(proba, axis=1))
    assert ensemble.score(*data) == np.mean(np.argmax(proba, axis=1) == data[1])


def test_ensemble_classes_are_the_network_outputs(data):
    X, y = data[0], np.where(data[1] < 5, 0, 7)  # two labels of ten outputs
    ensemble = NetworkEnsemble(make_classifier("M(4,0,8)", max_iter=2, batch_size=8), n_networks=2).fit(X, y)
    np.testing.assert_array_equal(ensemble.classes_, np.arange(10))
    np.testing.assert_array_equal(ensemble.predict(X), np.argmax(ensemble.predict_proba(X), axis=1))


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
        NetworkEnsemble(
            clone(net).set_params(max_iter=4), n_networks=3, random_state=0, checkpoint_dir=tmp_path
        ).fit(*data)


class _InterruptLastBatch(Callback):
    """Presses Ctrl-C at the end of each network's third batch, before its callbacks finish."""

    def initialize(self):
        self.seen_ = 0
        return self

    def on_batch_end(self, net, training=None, **kwargs):
        self.seen_ += 1
        if self.seen_ == 3:
            raise KeyboardInterrupt


def test_ctrl_c_in_the_last_batch_saves_nothing(data, tmp_path):
    net = make_classifier("M(4,0,8)", max_iter=3, batch_size=8, callbacks=[_InterruptLastBatch()])
    with pytest.raises(KeyboardInterrupt):
        NetworkEnsemble(net, n_networks=2, random_state=0, checkpoint_dir=tmp_path).fit(*data)
    assert not list(tmp_path.glob("network_*.pt"))


def test_resuming_on_other_data_is_refused(data, tmp_path):
    net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8)
    NetworkEnsemble(net, n_networks=1, random_state=0, checkpoint_dir=tmp_path).fit(*data)
    X, y = data[0].copy(), data[1]
    X[-1, 0, -1, -1] += 1  # one pixel
    for other in [(X, y), (data[0], y[::-1].copy()), (data[0][:40], y[:40])]:
        with pytest.raises(ValueError, match=r"checkpoint_dir=.* holds networks trained on other data"):
            NetworkEnsemble(net, n_networks=1, random_state=0, checkpoint_dir=tmp_path).fit(*other)


def test_restored_networks_warn_that_they_have_no_snapshots(data, tmp_path):
    net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, callbacks=[FilterRecorder(at=[2])])
    first = NetworkEnsemble(net, n_networks=2, random_state=0, checkpoint_dir=tmp_path).fit(*data)
    assert all(2 in n.callbacks[0].snapshots_ for n in first.estimators_)
    with pytest.warns(UserWarning, match="2 network.* restored .* have no FilterRecorder snapshots"):
        again = NetworkEnsemble(net, n_networks=2, random_state=0, checkpoint_dir=tmp_path).fit(*data)
    assert again.n_restored_ == 2 and not again.estimators_[0].callbacks[0].snapshots_


_TRAIN_OR_RESUME = """
import sys
import numpy as np
from sktopo.nn import FilterRecorder, NetworkEnsemble, make_classifier

X = np.random.default_rng(0).normal(size=(32, 1, 28, 28)).astype(np.float32)
net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, callbacks=[FilterRecorder(at=[1])])
ensemble = NetworkEnsemble(net, n_networks=2, random_state=0, checkpoint_dir=sys.argv[1])
print(ensemble.fit(X, np.arange(32) % 10).n_restored_)
"""


def test_checkpointed_ensemble_with_a_callback_resumes_in_a_new_process(tmp_path, monkeypatch, capsys):
    import runpy
    import subprocess
    import sys

    script, folder = tmp_path / "train.py", str(tmp_path / "checkpoints")
    script.write_text(_TRAIN_OR_RESUME)
    monkeypatch.setattr(sys, "argv", [str(script), folder])
    runpy.run_path(str(script), run_name="__main__")  # trains both networks here
    assert capsys.readouterr().out.split() == ["0"]
    command = [sys.executable, "-W", "ignore::UserWarning", str(script), folder]
    resumed = subprocess.run(command, capture_output=True, text=True, check=True)
    assert resumed.stdout.split() == ["2"]


def _no_download(*args, **kwargs):
    raise AssertionError("tried to download without download=True")


def test_vgg16_layers_and_offline_weights(tmp_path, monkeypatch):
    # vgg16() and vgg19() no longer download unless download=True (issue 22): without it a
    # missing file is an error at once; with it, offline, the same advice after the attempt.
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

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", _no_download)
    with pytest.raises(
        FileNotFoundError, match=r"put vgg19-dcbb9e9d\.pth .* in .*hub/checkpoints.*download=True"
    ):
        vgg19()
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(
        FileNotFoundError, match=r"no network.*put vgg19-dcbb9e9d\.pth .* in .*hub/checkpoints"
    ):
        vgg19(download=True)
    with pytest.raises(ValueError, match="weights must be 'imagenet' or None"):
        vgg16(weights="cifar")
    torch.save(torch.nn.Conv2d(1, 2, 3).state_dict(), tmp_path / "small.pt")
    with pytest.raises(ValueError, match=r"small\.pt' does not hold vgg16 weights"):
        vgg16(path=tmp_path / "small.pt")


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


def _same_weights(a, b) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[key], b[key]) for key in a)


def _hub_file(torch_home, weights):
    """Where torch's hub cache keeps ``weights``' file under ``torch_home``."""
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / weights.url.rsplit("/", 1)[-1]


def test_torchvision_model_random_init_is_seeded_apart_from_torch(monkeypatch):
    from sktopo.filters import conv_layers
    from sktopo.nn import torchvision_model

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", _no_download)
    before = torch.get_rng_state()
    first = torchvision_model("squeezenet1_0", random_state=0)
    assert torch.equal(torch.get_rng_state(), before)  # torch's global generator untouched
    assert _same_weights(first.state_dict(), torchvision_model("SqueezeNet1_0", random_state=0).state_dict())
    assert not _same_weights(
        first.state_dict(), torchvision_model("squeezenet1_0", random_state=1).state_dict()
    )
    assert not first.training and len(conv_layers(first)) == 26
    torch.manual_seed(5)  # None: one draw from torch's global generator, so manual_seed fixes it
    unseeded = torchvision_model("squeezenet1_0")
    after = torch.get_rng_state()
    torch.manual_seed(5)
    seed = int(torch.randint(0, 2**32, (), dtype=torch.int64))
    assert torch.equal(torch.get_rng_state(), after)
    assert _same_weights(
        unseeded.state_dict(), torchvision_model("squeezenet1_0", random_state=seed).state_dict()
    )


def test_torchvision_model_loads_a_weights_file_that_fits(tmp_path, monkeypatch):
    import torchvision.models

    from sktopo.nn import torchvision_model

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", _no_download)
    saved = torchvision_model("squeezenet1_0", random_state=3).state_dict()
    torch.save(saved, tmp_path / "net.pt")
    for path in (tmp_path / "net.pt", str(tmp_path / "net.pt")):
        assert _same_weights(torchvision_model("squeezenet1_0", path).state_dict(), saved)
    with pytest.raises(ValueError, match=r"net\.pt' does not hold squeezenet1_1 weights: Error"):
        torchvision_model("squeezenet1_1", tmp_path / "net.pt")
    torch.save(
        torch.nn.Conv2d(1, 2, 3).state_dict(),
        _hub_file(tmp_path, torchvision.models.SqueezeNet1_1_Weights.DEFAULT),
    )
    with pytest.raises(
        ValueError, match=r"torchvision's file of weights='IMAGENET1K_V1'.*put it in torch's hub cache"
    ):
        torchvision_model(
            "squeezenet1_1", _hub_file(tmp_path, torchvision.models.SqueezeNet1_1_Weights.DEFAULT)
        )
    with pytest.raises(
        FileNotFoundError,
        match=r"weights must be None, the path .*\(IMAGENET1K_V1, DEFAULT.*; got 'nothere\.pt', which is",
    ):
        torchvision_model("squeezenet1_0", "nothere.pt")
    with pytest.raises(ValueError, match=r"got ResNet18_Weights\.IMAGENET1K_V1"):
        torchvision_model("squeezenet1_0", torchvision.models.ResNet18_Weights.IMAGENET1K_V1)
    with pytest.raises(TypeError, match="weights must be None"):
        torchvision_model("squeezenet1_0", 3)


def test_torchvision_model_reads_torchvision_weights_from_the_hub_cache(tmp_path, monkeypatch):
    import torchvision.models

    from sktopo.nn import torchvision_model

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", _no_download)
    monkeypatch.setattr(torch.hub, "download_url_to_file", _no_download)
    enum = torchvision.models.SqueezeNet1_0_Weights
    saved = torchvision_model("squeezenet1_0", random_state=7).state_dict()
    torch.save(saved, _hub_file(tmp_path, enum.DEFAULT))
    before = torch.get_rng_state()
    for weights in ("DEFAULT", "IMAGENET1K_V1", enum.IMAGENET1K_V1):
        model = torchvision_model("squeezenet1_0", weights)
        assert _same_weights(model.state_dict(), saved) and not model.training
    assert torch.equal(torch.get_rng_state(), before)
    torch.save(torch.nn.Conv2d(1, 2, 3).state_dict(), _hub_file(tmp_path, enum.DEFAULT))
    with pytest.raises(
        ValueError, match=r"hub cache's file of SqueezeNet1_0_Weights.IMAGENET1K_V1 does not hold"
    ):
        torchvision_model("squeezenet1_0", "DEFAULT")
    _hub_file(tmp_path, enum.DEFAULT).write_text(
        "not weights"
    )  # checked with weights_only before torchvision
    with pytest.raises(ValueError, match="weights_only"):
        torchvision_model("squeezenet1_0", "DEFAULT")


def test_torchvision_weights_not_cached_say_where_to_put_them(tmp_path, monkeypatch):
    from sktopo.nn import torchvision_model

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", _no_download)
    with pytest.raises(FileNotFoundError) as error:
        torchvision_model("resnet18", "IMAGENET1K_V1")
    message = str(error.value)
    assert (
        "put resnet18-f37072fd.pth (from https://download.pytorch.org/models/resnet18-f37072fd.pth)"
        in message
    )
    assert f"in {tmp_path / 'hub' / 'checkpoints'}," in message and "download=True" in message


def test_download_true_offline_runs_the_real_download_and_says_where_to_put_the_file(tmp_path, monkeypatch):
    # torch.hub's own download code runs; only its urlopen, the one call that would reach the
    # network, fails as it does on a machine without one (the suite's guard in conftest stays
    # behind it), and the error names the file and the folder
    import os
    from urllib.error import URLError

    import torchvision.models

    from sktopo.nn import torchvision_model

    opened = []

    def no_network(request, *args, **kwargs):
        opened.append(getattr(request, "full_url", request))
        raise URLError("no network")

    monkeypatch.setattr(torch.hub, "urlopen", no_network)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    weights = torchvision.models.SqueezeNet1_0_Weights.DEFAULT
    file = os.path.basename(weights.url)
    with pytest.raises(FileNotFoundError, match=r"Could not download .*no network") as error:
        torchvision_model("squeezenet1_0", "DEFAULT", download=True)
    assert opened == [weights.url]  # torch.hub's download asked for the file, and only for it
    assert f"put {file}" in str(error.value) and str(tmp_path / "hub" / "checkpoints") in str(error.value)
    assert not (tmp_path / "hub" / "checkpoints" / file).exists()


def test_download_true_downloads_into_the_hub_cache(tmp_path, monkeypatch):
    import torchvision.models

    from sktopo.nn import torchvision_model

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    weights = torchvision.models.SqueezeNet1_0_Weights.DEFAULT
    served = torchvision_model("squeezenet1_0", random_state=2).state_dict()
    calls = []

    def download(url, **kwargs):  # what torch.hub does: the file into the cache, then read it
        calls.append((url, kwargs))
        torch.save(served, _hub_file(tmp_path, weights))
        return served

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", download)
    model = torchvision_model("squeezenet1_0", "DEFAULT", download=True)
    assert _same_weights(model.state_dict(), served)
    assert calls == [(weights.url, {"check_hash": True, "weights_only": True})]
    torchvision_model("squeezenet1_0", "DEFAULT", download=True)
    assert len(calls) == 1  # cached now: not downloaded again


@pytest.mark.parametrize(
    ("name", "error", "match"),
    [
        (
            "resnet181",
            ValueError,
            r"list_models\(torchvision.models\); got 'resnet181'. Did you mean 'resnet18'",
        ),
        ("mobilenet_v3_smal", ValueError, "Did you mean 'mobilenet_v3_small'"),
        ("zzzz", ValueError, r"got 'zzzz'\.$"),
        (
            "fcn_resnet50",
            ValueError,
            r"torchvision.models.segmentation, not a classification model.*weights_backbone=None",
        ),
        ("r3d_18", ValueError, "torchvision.models.video, not a classification model"),
        (3, ValueError, "'name' parameter"),
    ],
)
def test_torchvision_model_unknown_names(name, error, match):
    from sktopo.nn import torchvision_model

    with pytest.raises(error, match=match):
        torchvision_model(name)


@pytest.mark.parametrize("random_state", [-1, 2**32, True, 0.5])
def test_torchvision_model_bad_random_state(random_state):
    from sktopo.nn import torchvision_model

    with pytest.raises(ValueError, match="'random_state' parameter"):
        torchvision_model("squeezenet1_0", random_state=random_state)
