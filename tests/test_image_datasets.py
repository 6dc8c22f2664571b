"""The image loaders, offline: the embedded samples, and torchvision's on small files we write."""

import pickle
import struct

import numpy as np
import pytest
import scipy.io
import torchvision.datasets as tvd

from sktopo.datasets import (
    GRAY,
    load_cifar10,
    load_digits_28,
    load_mnist,
    load_mnist_sample,
    load_svhn,
    preprocess_cifar,
)


def test_mnist_sample():
    X, y = load_mnist_sample()
    assert X.shape == (5000, 1, 28, 28) and X.dtype == np.float32
    assert X.min() >= 0 and X.max() == 1 and np.bincount(y).tolist() == [500] * 10


def test_digits_28_look_like_mnist():
    X, y = load_digits_28()
    assert X.shape == (1797, 1, 28, 28) and len(y) == 1797 and set(y) == set(range(10))
    border = np.ones((28, 28), bool)
    border[4:24, 4:24] = False
    assert X[:, 0, border].max() == 0 and X.max() <= 1 and X.max() > 0.9


def _write_idx(path, array, magic):
    with open(path, "wb") as f:
        f.write(struct.pack(">i", magic) + b"".join(struct.pack(">i", d) for d in array.shape))
        f.write(array.astype(np.uint8).tobytes())


def test_mnist_through_torchvision(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28))
    for prefix in ("train", "t10k"):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", images, 2051)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(6), 2049)
    X, y = load_mnist(tmp_path, train=False)
    np.testing.assert_allclose(X[:, 0], images / 255.0, rtol=1e-6)
    assert y.tolist() == list(range(6)) and X.dtype == np.float32


@pytest.mark.parametrize("load", [load_mnist, load_cifar10, load_svhn])
def test_missing_files_say_where_to_put_them(tmp_path, load):
    with pytest.raises(
        FileNotFoundError, match=f"not found under '{tmp_path}'.*place .* online, pass download"
    ):
        load(tmp_path)


def test_cifar10_through_torchvision(tmp_path, monkeypatch):
    monkeypatch.setattr(tvd.CIFAR10, "_check_integrity", lambda self: True)
    monkeypatch.setattr(tvd.cifar, "check_integrity", lambda *args, **kwargs: True)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump({"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8), "labels": [3, 7]}, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": [str(i) for i in range(10)]}, f)
    X, y = load_cifar10(tmp_path, train=True, grayscale=True, random_state=0)
    assert X.shape == (10, 1, 24, 24) and y.tolist() == [3, 7] * 5
    X, _ = load_cifar10(tmp_path, train=False)
    assert X.shape == (2, 3, 24, 24)


def test_cifar_preprocessing():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 32, 32, 3), dtype=np.uint8)
    test = preprocess_cifar(images, train=False)
    np.testing.assert_allclose(test.mean(axis=(1, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(test.std(axis=(1, 2, 3)), 1, rtol=1e-4)
    centre = images[:, 4:28, 4:28].transpose(0, 3, 1, 2).astype(np.float32)
    expected = (centre - centre.mean(axis=(1, 2, 3), keepdims=True)) / centre.std(
        axis=(1, 2, 3), keepdims=True
    )
    np.testing.assert_allclose(test, expected, rtol=1e-4, atol=1e-4)
    gray = preprocess_cifar(images, train=False, grayscale=True)[:, 0]
    weighted = np.tensordot(centre, np.asarray(GRAY, dtype=np.float32), axes=([1], [0]))
    weighted = (weighted - weighted.mean(axis=(1, 2), keepdims=True)) / weighted.std(
        axis=(1, 2), keepdims=True
    )
    np.testing.assert_allclose(gray, weighted, rtol=1e-4, atol=1e-4)
    # training crops are random 24x24 windows, possibly flipped
    train = preprocess_cifar(images, train=True, random_state=1)
    assert train.shape == (5, 3, 24, 24) and not np.allclose(train, test)
    np.testing.assert_array_equal(train, preprocess_cifar(images, train=True, random_state=1))


def test_svhn_as_mnist(tmp_path, monkeypatch):
    monkeypatch.setattr(tvd.SVHN, "_check_integrity", lambda self: True)
    images = np.random.default_rng(0).integers(0, 256, (32, 32, 3, 4), dtype=np.uint8)
    scipy.io.savemat(tmp_path / "test_32x32.mat", {"X": images, "y": np.array([[10], [1], [2], [10]])})
    X, y = load_svhn(tmp_path, split="test")
    assert X.shape == (4, 3, 32, 32) and y.tolist() == [0, 1, 2, 0] and X.max() <= 1
    X, _ = load_svhn(tmp_path, split="test", as_mnist=True)
    assert X.shape == (4, 1, 28, 28)
    with pytest.raises(ValueError, match="split must be"):
        load_svhn(tmp_path, split="valid")
