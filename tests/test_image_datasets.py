"""The image loaders, offline: the embedded samples, and torchvision's on small files we write."""

import functools
import pickle
import re
import struct

import numpy as np
import pytest
import scipy.io
import torchvision.datasets as tvd
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

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


def _write_mnist(root):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.random.default_rng(0).integers(0, 256, (6, 28, 28))
    for prefix in ("train", "t10k"):
        _write_idx(raw / f"{prefix}-images-idx3-ubyte", images, 2051)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(6), 2049)
    return images


def test_mnist_through_torchvision(tmp_path):
    images = _write_mnist(tmp_path)
    X, y = load_mnist(tmp_path, train=False)
    np.testing.assert_allclose(X[:, 0], images / 255.0, rtol=1e-6)
    assert y.tolist() == list(range(6)) and X.dtype == np.float32


MNIST_FILES = [f"MNIST/raw/{p}-{k}-ubyte" for p in ("train", "t10k") for k in ("images-idx3", "labels-idx1")]
CIFAR_FILES = [
    f"cifar-10-batches-py/{name}"
    for name in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta"]
]


@pytest.mark.parametrize(
    "load, files",
    [(load_mnist, MNIST_FILES), (load_cifar10, CIFAR_FILES), (load_svhn, ["train_32x32.mat"])],
)
def test_missing_files_say_where_to_put_them(tmp_path, load, files):
    missing = re.escape(", ".join(files))
    with pytest.raises(
        FileNotFoundError,
        match=f"not found under '{tmp_path}': missing {missing}. Offline, place .* pass download",
    ):
        load(tmp_path)


@pytest.mark.parametrize("train", [True, False])
def test_a_missing_file_is_named_among_those_present(tmp_path, train):
    _write_mnist(tmp_path)
    (tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError, match=r"missing MNIST/raw/t10k-labels-idx1-ubyte\. Offline"):
        load_mnist(tmp_path, train=train)


def _write_cifar(root):
    folder = root / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        with open(folder / name, "wb") as f:
            pickle.dump({"data": rng.integers(0, 256, (2, 3072), dtype=np.uint8), "labels": [3, 7]}, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": [str(i) for i in range(10)]}, f)
    return folder


def _skip_checksums(monkeypatch):
    """Let torchvision take our small files for the real ones, whose checksums it knows."""
    monkeypatch.setattr(tvd.CIFAR10, "_check_integrity", lambda self: True)
    monkeypatch.setattr(tvd.cifar, "check_integrity", lambda *args, **kwargs: True)
    monkeypatch.setattr(tvd.SVHN, "_check_integrity", lambda self: True)


@pytest.fixture
def no_checksums(monkeypatch):
    _skip_checksums(monkeypatch)


def test_cifar10_through_torchvision(tmp_path, no_checksums):
    _write_cifar(tmp_path)
    X, y = load_cifar10(tmp_path, train=True, grayscale=True, random_state=0)
    assert X.shape == (10, 1, 24, 24) and y.tolist() == [3, 7] * 5
    X, _ = load_cifar10(tmp_path, train=False)
    assert X.shape == (2, 3, 24, 24)


@pytest.mark.parametrize("train", [True, False])
def test_cifar10_uncropped_is_the_images_in_0_1(tmp_path, no_checksums, train):
    folder = _write_cifar(tmp_path)
    with open(folder / ("data_batch_1" if train else "test_batch"), "rb") as f:
        first = pickle.load(f)["data"].reshape(2, 3, 32, 32)
    X, y = load_cifar10(tmp_path, train=train, crop=False, random_state=0)
    assert X.shape == (10 if train else 2, 3, 32, 32) and X.dtype == np.float32 and X.flags.c_contiguous
    assert y.tolist() == [3, 7] * (5 if train else 1)
    np.testing.assert_array_equal(X[:2], (first / 255.0).astype(np.float32))  # not flipped nor moved
    gray, _ = load_cifar10(tmp_path, train=train, grayscale=True, crop=False)
    assert gray.shape == (len(X), 1, 32, 32) and gray.dtype == np.float32
    np.testing.assert_allclose(gray[:, 0], np.tensordot(GRAY, X, axes=([0], [1])), rtol=1e-6)
    assert gray.min() >= 0 and gray.max() <= 1


def test_uncropped_cifar10_is_what_augment_crops(tmp_path, no_checksums):
    """crop=False gives make_classifier(augment="cifar10") its input: 32 x 32, cropped per batch."""
    import torch

    from sktopo.nn import make_classifier

    _write_cifar(tmp_path)
    X, y = load_cifar10(tmp_path, grayscale=True, crop=False)
    net = make_classifier("C(4,0,8)", 1, input_size=24, augment="cifar10", batch_size=5, random_state=0)
    batch = net.initialize().augment_batch(torch.as_tensor(X), training=False)
    central = X[:, :, 4:28, 4:28]
    expected = (central - central.mean(axis=(1, 2, 3), keepdims=True)) / central.std(
        axis=(1, 2, 3), keepdims=True
    )
    np.testing.assert_allclose(batch.numpy(), expected, rtol=1e-4, atol=1e-4)
    assert net.fit(X, y).predict(X).shape == (10,)


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


def test_svhn_as_mnist(tmp_path, no_checksums):
    images = np.random.default_rng(0).integers(0, 256, (32, 32, 3, 4), dtype=np.uint8)
    scipy.io.savemat(tmp_path / "test_32x32.mat", {"X": images, "y": np.array([[10], [1], [2], [10]])})
    X, y = load_svhn(tmp_path, split="test")
    assert X.shape == (4, 3, 32, 32) and y.tolist() == [0, 1, 2, 0] and X.max() <= 1
    X, _ = load_svhn(tmp_path, split="test", as_mnist=True)
    assert X.shape == (4, 1, 28, 28)


def _truncate(path, n_bytes):
    path.write_bytes(path.read_bytes()[:n_bytes])


def _truncated_mnist(root):
    _write_mnist(root)
    _truncate(root / "MNIST" / "raw" / "train-images-idx3-ubyte", 16 + 3 * 28 * 28)  # 3 of 6 images
    return load_mnist, MNIST_FILES


def _empty_mnist_labels(root):
    _write_mnist(root)
    _truncate(root / "MNIST" / "raw" / "train-labels-idx1-ubyte", 0)
    return load_mnist, MNIST_FILES


def _corrupt_cifar(root):
    (_write_cifar(root) / "data_batch_5").write_bytes(b"not a pickle")
    return load_cifar10, CIFAR_FILES


def _truncated_cifar(root):
    _truncate(_write_cifar(root) / "data_batch_3", 100)
    return load_cifar10, CIFAR_FILES


def _corrupt_svhn(root):
    (root / "test_32x32.mat").write_bytes(b"MATLAB 5.0 MAT-file" + bytes(200))
    return functools.partial(load_svhn, split="test"), ["test_32x32.mat"]


def _truncated_svhn(root):
    images = np.zeros((32, 32, 3, 4), dtype=np.uint8)
    scipy.io.savemat(root / "test_32x32.mat", {"X": images, "y": np.array([[10], [1], [2], [10]])})
    _truncate(root / "test_32x32.mat", 300)
    return functools.partial(load_svhn, split="test"), ["test_32x32.mat"]


@pytest.mark.parametrize(
    "damage",
    [_truncated_mnist, _empty_mnist_labels, _corrupt_cifar, _truncated_cifar, _corrupt_svhn, _truncated_svhn],
)
@pytest.mark.parametrize("checksums", [True, False])
def test_damaged_files_are_reported_as_such(tmp_path, monkeypatch, damage, checksums):
    """Damaged, not missing: found by torchvision's checksums or, past them, when read."""
    if not checksums:
        _skip_checksums(monkeypatch)
    load, files = damage(tmp_path)
    which = re.escape(files[0] if len(files) == 1 else f"one of {', '.join(files)}")
    with pytest.raises(
        ValueError,
        match=f"under '{tmp_path}' cannot be read: {which} is truncated or corrupt .*Delete it and download it again",
    ):
        load(tmp_path)


CIFAR_LIKE = np.zeros((4, 32, 32, 3), dtype=np.uint8)


@pytest.mark.parametrize(
    "function, kwargs, error, match",
    [
        *[
            (load, {"root": 3}, TypeError, "'root' parameter")
            for load in (load_mnist, load_cifar10, load_svhn)
        ],
        (load_mnist, {"root": None}, TypeError, "'root' parameter"),
        (load_mnist, {"train": "yes"}, ValueError, "'train' parameter"),
        (load_mnist, {"train": 1}, ValueError, "'train' parameter"),
        (load_mnist, {"download": "no"}, ValueError, "'download' parameter"),
        (load_cifar10, {"train": "no"}, ValueError, "'train' parameter"),
        (load_cifar10, {"grayscale": "no"}, ValueError, "'grayscale' parameter"),
        (load_cifar10, {"download": "no"}, ValueError, "'download' parameter"),
        (load_cifar10, {"random_state": "x"}, ValueError, "'random_state' parameter"),
        (load_cifar10, {"crop": "no"}, ValueError, "'crop' parameter"),
        (load_svhn, {"split": "valid"}, ValueError, "'split' parameter"),
        (load_svhn, {"split": "TRAIN"}, ValueError, "'split' parameter"),
        (load_svhn, {"as_mnist": "no"}, ValueError, "'as_mnist' parameter"),
        (load_svhn, {"download": "no"}, ValueError, "'download' parameter"),
        (
            preprocess_cifar,
            {"images": np.zeros((4, 28, 28))},
            ValueError,
            r"images .* \(n, 32, 32, 3\).*\(4, 28, 28\)",
        ),
        (preprocess_cifar, {"images": np.zeros((4, 3, 32, 32))}, ValueError, r"images .* \(n, 32, 32, 3\)"),
        (preprocess_cifar, {"images": np.zeros((32, 32, 3))}, ValueError, r"images .* \(n, 32, 32, 3\)"),
        (preprocess_cifar, {"images": np.zeros((0, 32, 32, 3), np.uint8)}, ValueError, "with n >= 1"),
        (preprocess_cifar, {"images": CIFAR_LIKE + 300.0}, ValueError, "images must hold values in 0-255"),
        (
            preprocess_cifar,
            {"images": CIFAR_LIKE.astype(int) - 1},
            ValueError,
            "images must hold values in 0-255",
        ),
        (preprocess_cifar, {"images": CIFAR_LIKE + np.nan}, ValueError, "images must hold values in 0-255"),
        (
            preprocess_cifar,
            {"images": CIFAR_LIKE.astype(str)},
            TypeError,
            "images must be uint8 or hold numbers",
        ),
        (
            preprocess_cifar,
            {"images": CIFAR_LIKE.astype(bool)},
            TypeError,
            "images must be uint8 or hold numbers",
        ),
        (preprocess_cifar, {"images": "x"}, ValueError, "'images' parameter"),
        (preprocess_cifar, {"train": "yes"}, ValueError, "'train' parameter"),
        (preprocess_cifar, {"grayscale": "no"}, ValueError, "'grayscale' parameter"),
        (preprocess_cifar, {"random_state": "x"}, ValueError, "'random_state' parameter"),
    ],
)
def test_bad_input(tmp_path, function, kwargs, error, match):
    defaults = {"images": CIFAR_LIKE, "train": True} if function is preprocess_cifar else {"root": tmp_path}
    with pytest.raises(error, match=match):
        function(**{**defaults, **kwargs})


@given(
    images=arrays(np.uint8, st.tuples(st.integers(1, 3), st.just(32), st.just(32), st.just(3))),
    train=st.booleans(),
    grayscale=st.booleans(),
)
def test_cifar_preprocessing_takes_numbers_in_0_255_as_uint8(images, train, grayscale):
    X = preprocess_cifar(images, train=train, grayscale=grayscale, random_state=0)
    assert X.shape == (len(images), 1 if grayscale else 3, 24, 24) and X.dtype == np.float32
    # float32 rounding in a flat image, divided by the floor of the scale, 1 / sqrt(pixels)
    np.testing.assert_allclose(X.mean(axis=(1, 2, 3)), 0, atol=1e-3)
    as_floats = preprocess_cifar(images.astype(np.float64), train=train, grayscale=grayscale, random_state=0)
    np.testing.assert_array_equal(as_floats, X)


class _Unreachable:
    """A data set whose download fails as it does offline."""

    def __init__(self, root, **kwargs):
        from urllib.error import URLError

        raise URLError("no network")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({}, r"missing a\.bin\. Offline, place them there"),
        (
            {"download": True},
            r"missing a\.bin\. The download failed \(URLError: <urlopen error no network>\)",
        ),
    ],
)
def test_missing_files_say_whether_the_download_failed(tmp_path, kwargs, match):
    from sktopo.datasets._images import _torchvision

    with pytest.raises(FileNotFoundError, match=match):
        _torchvision(_Unreachable, tmp_path, ["a.bin"], **kwargs)


def test_unreadable_files_keep_their_permission_error(tmp_path):
    from sktopo.datasets._images import _torchvision

    class Forbidden:
        def __init__(self, root, **kwargs):
            raise PermissionError(13, "Permission denied", "a.bin")

    with pytest.raises(PermissionError):
        _torchvision(Forbidden, tmp_path, ["a.bin"])
