"""Data sets by name: the offline splits, the (X, y) pairs and the offline errors."""

import numpy as np
import pytest

from sktopo.datasets import DATASETS, as_dataset, load_dataset


@pytest.mark.parametrize(("name", "n"), [("mnist_sample", 5000), ("digits", 1797)])
def test_offline_sets_split_80_20_stratified_and_fixed(name, n):
    X_train, _ = load_dataset(name, "train")
    X_test, y_test = load_dataset(name, "test")
    assert len(X_train) + len(X_test) == n and len(X_test) == int(np.ceil(0.2 * n))
    assert X_train.shape[1:] == X_test.shape[1:] == (1, 28, 28) and X_train.dtype == np.float32
    assert np.ptp(np.bincount(y_test)) <= 2  # stratified: every class in proportion
    np.testing.assert_array_equal(load_dataset(name, "test")[0], X_test)  # the same images each call


def test_pairs_are_split_like_the_offline_sets():
    X = np.arange(40 * 4, dtype=np.float32).reshape(40, 1, 2, 2)
    y = np.arange(40) % 4
    X_train, _ = as_dataset((X, y), "train")
    X_test, y_test = as_dataset((X, y), "test")
    assert len(X_train) == 32 and len(X_test) == 8 and np.bincount(y_test).tolist() == [2, 2, 2, 2]
    assert not set(X_train[:, 0, 0, 0]) & set(X_test[:, 0, 0, 0])


@pytest.mark.parametrize("name", ["mnist", "svhn", "cifar10"])
def test_torchvision_sets_need_a_root(name):
    with pytest.raises(ValueError, match="root is required"):
        load_dataset(name)


@pytest.mark.parametrize("name", ["mnist", "svhn", "cifar10"])
def test_missing_files_say_where_to_put_them(name, tmp_path):
    with pytest.raises(FileNotFoundError, match="place them there"):
        load_dataset(name, "test", root=tmp_path)


def test_bad_names_and_data():
    assert "mnist_sample" in DATASETS
    with pytest.raises(ValueError, match="name"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="split"):
        load_dataset("digits", "validation")
    with pytest.raises(ValueError, match="'data' parameter of as_dataset"):
        as_dataset(42, "train")
    X, y = np.zeros((40, 1, 2, 2), np.float32), np.arange(40) % 4
    with pytest.raises(ValueError, match=r"\(X, y\) pair of arrays; got a tuple of 3 items"):
        as_dataset((X, y, y), "train")
    with pytest.raises(ValueError, match="'split' parameter of as_dataset"):
        as_dataset((X, y), "val")


def test_the_test_split_can_be_a_number_of_images():
    X_test, y_test = as_dataset("mnist_sample", "test", test_size=500)
    X_train, _ = load_dataset("mnist_sample", "train", test_size=500)
    assert (len(X_test), len(X_train)) == (500, 4500) and np.ptp(np.bincount(y_test)) <= 2
