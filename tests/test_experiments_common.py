"""What the experiments share: devices, data pairs, the Spearman interval, CIFAR-10's networks."""

import numpy as np
import pytest
import torch

from sktopo.experiments._common import image_kwargs, load_images, spearman_interval
from sktopo.nn import resolve_device


def test_devices_are_checked_before_training():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device(None) == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="device must be None or"):
        resolve_device("gpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device here"):
            resolve_device("cuda")


def _pair(n=40, n_classes=4):
    X = np.random.default_rng(0).random((n, 1, 6, 6)).astype(np.float32)
    return X, np.arange(n) % n_classes


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        ((np.full((40, 1, 6, 6), "a"), np.arange(40) % 4), TypeError, "source's images must hold numbers"),
        ((_pair()[0], np.arange(40) % 4 + 7), ValueError, "labels must be integers 0 to 9"),
        ((_pair()[0], np.arange(40) * 0.5), ValueError, "labels must be integers 0 to 9"),
        ((_pair()[0], np.r_[np.zeros(39, int), 1]), ValueError, "at least 5 images of each class"),
        ((_pair()[0], np.arange(39) % 4), ValueError, r"\(X, y\) pair of images and as many labels"),
        ("imagenet", ValueError, "source must be one of"),
    ],
)
def test_bad_data_names_the_parameter(data, error, message):
    with pytest.raises(error, match=message):
        load_images(data, "train", None, "source")


def test_pairs_split_into_disjoint_train_and_test_images():
    X, y = _pair()
    X_train, _ = load_images((X, y), "train", None, "source")
    X_test, _ = load_images((X, y), "test", None, "source")
    assert len(X_train) == 32 and len(X_test) == 8


def test_spearman_interval_resamples_whole_groups():
    x = np.tile([0.1, 0.2, 0.3, 0.4], 4) + np.repeat([0.0, 0.05, -0.05, 0.02], 4)
    y = np.tile([0.5, 0.6, 0.7, 0.9], 4)
    rho, low, high = spearman_interval(x, y, np.repeat(np.arange(4), 4))
    assert low <= rho <= high <= 1.0 and rho > 0.8
    rho, low, high = spearman_interval(x[:4], y[:4], np.zeros(4))
    assert rho == pytest.approx(1.0) and np.isnan(low) and np.isnan(high)  # one group: no interval


def test_cifar10_networks_crop_and_augment_per_batch():
    X = np.zeros((2, 1, 32, 32), np.float32)
    assert image_kwargs("cifar10", X) == {"in_channels": 1, "input_size": 24, "augment": "cifar10"}
    assert image_kwargs("digits", X[..., :28, :28]) == {"in_channels": 1, "input_size": 28}


def test_resolve_device_refuses_a_cuda_index_beyond_the_devices(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("cuda:1") == "cuda:1" and resolve_device("cuda") == "cuda"
    with pytest.raises(ValueError, match="'cuda:N' with N below 2; got 'cuda:2'"):
        resolve_device("cuda:2")
