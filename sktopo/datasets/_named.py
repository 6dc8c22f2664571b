"""Data sets by name: the experiments' one entry point to images, offline or through torchvision."""

import os

import numpy as np

from .._validation import Integral, Interval, Real, StrOptions, validate_params
from ._images import load_cifar10, load_digits_28, load_mnist, load_mnist_sample, load_svhn

__all__ = ["DATASETS", "as_dataset", "load_dataset"]

#: Names :func:`load_dataset` knows: two offline, three read from local files by torchvision.
DATASETS = ("mnist_sample", "digits", "mnist", "svhn", "cifar10")

#: Share of the offline sets held out as their test split (stratified, always the same images).
OFFLINE_TEST_SIZE = 0.2

_SPLIT_CONSTRAINTS = {
    "split": [StrOptions({"train", "test"})],
    "root": [str, os.PathLike, None],
    "download": ["boolean"],
    "test_size": [Interval(Real, 0, 1, closed="neither"), Interval(Integral, 1, None, closed="left")],
}


def _offline_split(X, y, split: str, test_size):
    """The fixed stratified split of an offline set (the offline sets have no test set)."""
    from sklearn.model_selection import train_test_split

    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, stratify=y, random_state=0)
    return (X_train, y_train) if split == "train" else (X_test, y_test)


@validate_params(
    {"name": [StrOptions(set(DATASETS))], **_SPLIT_CONSTRAINTS}, prefer_skip_nested_validation=True
)
def load_dataset(
    name: str, split: str = "train", *, root=None, download: bool = False, test_size=OFFLINE_TEST_SIZE
):
    """Images and labels of a data set by name, as the paper's experiments use them.

    * ``"mnist_sample"``: the 5,000 real MNIST images of :func:`load_mnist_sample` (offline);
    * ``"digits"``: scikit-learn's 1,797 digits drawn as MNIST (:func:`load_digits_28`, offline);
    * ``"mnist"``: MNIST (60,000 / 10,000) from ``root`` (:func:`load_mnist`);
    * ``"svhn"``: SVHN grayscaled and rescaled to 28 × 28 as in Section VI (:func:`load_svhn`
      with ``as_mnist=True``; 73,257 / 26,032), from ``root``;
    * ``"cifar10"``: grayscale CIFAR-10, 32 × 32 in [0, 1], uncropped (:func:`load_cifar10`
      with ``crop=False``), from ``root``: its networks crop, flip and standardize per batch,
      ``make_classifier("C(64,32,64)", input_size=24, augment="cifar10")``, as the TensorFlow
      tutorial that the paper's C networks follow.

    The offline sets have no test set of their own: a fixed stratified split stands in, 80/20 by
    default (``split="train"`` the 80%, ``"test"`` the 20%; the same images on every call).

    Parameters
    ----------
    name : {"mnist_sample", "digits", "mnist", "svhn", "cifar10"}
    split : {"train", "test"}, default="train"
    root : str or os.PathLike, default=None
        Folder of the torchvision files; needed for "mnist", "svhn" and "cifar10".
    download : bool, default=False
        Let torchvision download missing files (needs the internet).
    test_size : float or int, default=0.2
        The offline sets' test split: a share in (0, 1) or a number of images (the demo holds
        out 500 of the MNIST sample). The torchvision sets keep their own.

    Returns
    -------
    X : ndarray of shape (n, 1, height, width), float32
    y : ndarray of shape (n,), int64

    Raises
    ------
    ValueError
        For a torchvision set without ``root``.
    FileNotFoundError
        When its files are not under ``root``; the message names them and where to put them.

    Examples
    --------
    >>> from sktopo.datasets import load_dataset
    >>> X, y = load_dataset("digits", "test")
    >>> X.shape, y.shape
    ((360, 1, 28, 28), (360,))
    """
    if name in ("mnist_sample", "digits"):
        X, y = load_mnist_sample() if name == "mnist_sample" else load_digits_28()
        return _offline_split(X, y, split, test_size)
    if root is None:
        raise ValueError(
            f"root is required for name={name!r}: the folder holding its files in torchvision's layout "
            "(offline, put them there; online, pass download=True). The offline sets are "
            "'mnist_sample' and 'digits'."
        )
    train = split == "train"
    if name == "mnist":
        return load_mnist(root, train=train, download=download)
    if name == "svhn":
        return load_svhn(root, split=split, as_mnist=True, download=download)
    return load_cifar10(root, train=train, grayscale=True, download=download, crop=False)


@validate_params(
    {"data": [StrOptions(set(DATASETS)), tuple, list], **_SPLIT_CONSTRAINTS},
    prefer_skip_nested_validation=True,
)
def as_dataset(data, split: str, root=None, download: bool = False, *, test_size=OFFLINE_TEST_SIZE):
    """The ``split`` of ``data``: a name (see :func:`load_dataset`) or an ``(X, y)`` pair of arrays.

    A pair is split as the offline sets are: a fixed stratified split, 80/20 by default.

    Parameters
    ----------
    data : str or (X, y)
        One of :data:`DATASETS`, or images and their labels.
    split : {"train", "test"}
    root : str or os.PathLike, default=None
        Folder of torchvision's files, for "mnist", "svhn" or "cifar10".
    download : bool, default=False
    test_size : float or int, default=0.2
        The held-out share, or number of images, of a pair or an offline set.

    Returns
    -------
    X : ndarray of shape (n_samples, channels, size, size)
    y : ndarray of shape (n_samples,)

    Raises
    ------
    ValueError
        When ``data`` is neither a name nor a pair, or ``split`` is not "train" or "test".

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.datasets import as_dataset
    >>> X, y = np.zeros((50, 1, 8, 8), dtype=np.float32), np.arange(50) % 5
    >>> [part.shape for part in as_dataset((X, y), "test")]
    [(10, 1, 8, 8), (10,)]
    """
    if isinstance(data, str):
        return load_dataset(data, split, root=root, download=download, test_size=test_size)
    if len(data) != 2:
        raise ValueError(
            f"data must be one of the names {', '.join(DATASETS)} or an (X, y) pair of arrays; got a "
            f"{type(data).__name__} of {len(data)} items."
        )
    return _offline_split(np.asarray(data[0], dtype=np.float32), np.asarray(data[1]), split, test_size)
