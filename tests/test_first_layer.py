"""A first conv layer fixed to an idealized filter bank (the paper's Section VI (i))."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sktopo import filterbanks
from sktopo.nn import NetworkEnsemble, PaperCNN, make_classifier, make_cnn

BANKS = {
    "primary_circle": filterbanks.primary_circle(8),
    "klein_bottle": filterbanks.klein_bottle(8),
}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(32, 1, 12, 12)).astype(np.float32), np.arange(32) % 10


def _net(first_layer="primary_circle", **kwargs):
    kwargs = {"batch_size": 8, "input_size": 12, "random_state": 0, **kwargs}
    return make_classifier("M(8,0,16)", max_iter=3, first_layer=first_layer, **kwargs)


def _first(net):
    return net.module_.net[0]


@pytest.mark.parametrize("name", sorted(BANKS))
def test_named_banks_are_exact(name):
    conv = make_cnn("M(8,4,16)", first_layer=name)[0]
    expected = torch.as_tensor(BANKS[name].reshape(8, 1, 3, 3), dtype=torch.float32)
    assert torch.equal(conv.weight, expected) and torch.equal(conv.bias, torch.zeros(8))


def test_gaussian_bank_is_drawn_from_torch_seed():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        make_cnn("M(8,0,16)")  # the seed is drawn after the other layers' initialization
        seed = int(torch.randint(2**31 - 1, ()))
        torch.manual_seed(5)
        model = make_cnn("M(8,0,16)", first_layer="gaussian")
    expected = torch.as_tensor(filterbanks.gaussian(8, random_state=seed).reshape(8, 1, 3, 3))
    assert torch.equal(model[0].weight, expected.float())


def test_array_kernels_are_exact_for_colour_input():
    kernels = np.random.default_rng(1).normal(size=(4, 3, 3, 3))
    conv = make_cnn("C(4,0,8)", in_channels=3, input_size=8, first_layer=kernels)[0]
    assert torch.equal(conv.weight, torch.as_tensor(kernels, dtype=torch.float32))
    assert torch.equal(
        make_cnn("M(4,0,8)", first_layer=torch.ones(4, 1, 3, 3))[0].weight, torch.ones(4, 1, 3, 3)
    )


def test_other_layers_start_as_without_a_fixed_first_layer():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        fixed = make_cnn("M(8,4,16)", first_layer="gaussian").state_dict()
        torch.manual_seed(3)
        trained = make_cnn("M(8,4,16)").state_dict()
    assert all(torch.equal(fixed[k], trained[k]) for k in fixed if not k.startswith("0."))
    assert not torch.equal(fixed["0.weight"], trained["0.weight"])


def test_frozen_only_with_a_fixed_layer():
    assert not make_cnn("M(8,0,16)", first_layer="primary_circle")[0].weight.requires_grad
    assert make_cnn("M(8,0,16)", first_layer="primary_circle", freeze_first_layer=False)[0].bias.requires_grad
    assert make_cnn("M(8,0,16)", freeze_first_layer=True)[0].weight.requires_grad


@pytest.mark.parametrize(
    "optimizer", [{}, {"optimizer": torch.optim.SGD, "lr": 0.5, "optimizer__weight_decay": 0.5}]
)
def test_frozen_layer_does_not_move_in_training(data, optimizer):
    net = _net(**optimizer).fit(*data)
    expected = torch.as_tensor(BANKS["primary_circle"].reshape(8, 1, 3, 3), dtype=torch.float32)
    assert torch.equal(_first(net).weight, expected) and not _first(net).bias.any()
    assert _first(net).weight.grad is None and _first(net).bias.grad is None
    assert not torch.equal(net.module_.net[-1].weight, _net(**optimizer).initialize().module_.net[-1].weight)


def test_unfrozen_fixed_layer_trains(data):
    net = _net(freeze_first_layer=False).fit(*data)
    expected = torch.as_tensor(BANKS["primary_circle"].reshape(8, 1, 3, 3), dtype=torch.float32)
    assert not torch.equal(_first(net).weight, expected)


def test_gaussian_banks_differ_between_seeds_and_repeat_for_one():
    weights = [_net("gaussian", random_state=seed).initialize().module_.net[0].weight for seed in (1, 1, 2)]
    assert torch.equal(weights[0], weights[1]) and not torch.equal(weights[0], weights[2])
    assert weights[0].abs().sum(dim=(1, 2, 3)).min() > 0


@pytest.mark.parametrize(
    "first_layer, error, match",
    [
        ("circle", ValueError, "first_layer"),
        (np.zeros((8, 1, 5, 5)), ValueError, r"shape \(8, 1, 3, 3\)"),
        (np.zeros((4, 1, 3, 3)), ValueError, r"shape \(8, 1, 3, 3\)"),
        (np.full((8, 1, 3, 3), np.nan), ValueError, "NaN"),
        (np.full((8, 1, 3, 3), "a"), TypeError, "numbers"),
        ([[1.0, 2.0], [3.0]], ValueError, "first_layer"),
        (3, ValueError, "first_layer"),
    ],
)
def test_bad_first_layers_are_refused(first_layer, error, match):
    with pytest.raises(error, match=match):
        make_cnn("M(8,0,16)", first_layer=first_layer)


def test_named_bank_needs_grayscale_input():
    with pytest.raises(ValueError, match=r"in_channels=3.*array of shape \(8, 3, 3, 3\)"):
        make_cnn("M(8,0,16)", in_channels=3, first_layer="klein_bottle")
    with pytest.raises(ValueError, match="freeze_first_layer"):
        make_cnn("M(8,0,16)", first_layer="klein_bottle", freeze_first_layer="yes")


def test_clone_set_params_and_pickle(data):
    net = clone(_net(None)).set_params(module__first_layer="klein_bottle").fit(*data)
    expected = torch.as_tensor(BANKS["klein_bottle"].reshape(8, 1, 3, 3), dtype=torch.float32)
    assert torch.equal(_first(net).weight, expected)
    copy = pickle.loads(pickle.dumps(net))
    assert torch.equal(_first(copy).weight, expected) and not _first(copy).weight.requires_grad
    np.testing.assert_array_equal(copy.predict_proba(data[0]), net.predict_proba(data[0]))
    kernels = np.ones((8, 1, 3, 3))
    assert torch.equal(_first(clone(_net(kernels)).initialize()).weight, torch.ones(8, 1, 3, 3))
    assert isinstance(net.module_, PaperCNN)


@pytest.mark.parametrize(
    "optimizer",
    [{}, {"optimizer": torch.optim.SGD, "optimizer__weight_decay": 0.5}],
    ids=["adam", "sgd-decay"],
)
def test_batched_training_leaves_a_frozen_layer_unmoved(data, optimizer):
    expected = torch.as_tensor(BANKS["primary_circle"].reshape(8, 1, 3, 3), dtype=torch.float32)
    net = _net().set_params(**optimizer)
    ensemble = NetworkEnsemble(net, n_networks=2, strategy="batched", random_state=0).fit(*data)
    assert ensemble.strategy_ == "batched"
    for net in ensemble.estimators_:
        assert torch.equal(_first(net).weight, expected) and not _first(net).bias.any()
        assert not _first(net).weight.requires_grad
