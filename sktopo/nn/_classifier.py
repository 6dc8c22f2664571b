"""The paper's CNNs as skorch classifiers, trained for a number of batch iterations."""

import contextlib
import inspect

import numpy as np
import torch
from skorch import NeuralNetClassifier
from skorch.utils import is_dataset, to_tensor
from torch import nn
from torch.utils.data import DataLoader, Sampler

from .._validation import Integral, Interval, StrOptions, validate_parameter_constraints
from ._architectures import make_cnn, parse_spec
from ._device import resolve_device

__all__ = ["PaperCNN", "PaperNetClassifier", "make_classifier"]


class PaperCNN(nn.Module):
    """``make_cnn(spec, ...)`` as a module class, so skorch can set ``module__spec`` and clone it.

    The parameters are :func:`make_cnn`'s; skorch sets them as ``module__first_layer``,
    ``module__freeze_first_layer``, ``module__first_kernel_size``...

    Examples
    --------
    >>> from sktopo.nn import PaperCNN
    >>> PaperCNN("M(8,0,16)", first_layer="klein_bottle").net[0].weight.requires_grad
    False
    """

    def __init__(
        self,
        spec="M(64,32,64)",
        in_channels=1,
        input_size=28,
        max_pool=None,
        n_classes=10,
        first_layer=None,
        freeze_first_layer=True,
        first_kernel_size=3,
    ):
        super().__init__()
        self.net = make_cnn(
            spec,
            in_channels,
            input_size,
            max_pool,
            n_classes,
            first_layer=first_layer,
            freeze_first_layer=freeze_first_layer,
            first_kernel_size=first_kernel_size,
        )

    def forward(self, X):
        return self.net(X)


class _Batches(Sampler):
    """Indices for exactly ``n_batches`` batches: successive random permutations of the data."""

    def __init__(self, n_samples, n_batches, batch_size, generator):
        self.n_samples, self.total, self.generator = n_samples, n_batches * batch_size, generator

    def __len__(self):
        return self.total

    def __iter__(self):  # one permutation at a time: 100 networks' samplers stay small
        for start in range(0, self.total, self.n_samples):
            yield from torch.randperm(self.n_samples, generator=self.generator)[: self.total - start].tolist()


class PaperNetClassifier(NeuralNetClassifier):
    """A skorch ``NeuralNetClassifier`` whose training length is ``max_iter`` batch iterations.

    The paper counts training in batch iterations ("M_40K" is 40,000 batches of 128), not
    epochs. One call to ``fit`` runs one skorch epoch of exactly ``max_iter`` batches, drawn
    from successive random permutations of the training data. ``random_state`` seeds both the
    initialization and the batch order, so two networks with different seeds differ in both
    and a network trained twice with one seed gets the same weights (on the CPU).

    Training and prediction leave torch's global random generators as they found them, but for
    the one draw of ``random_state=None``'s seed: the module is built, and the dropout masks are
    drawn, under :func:`torch.random.fork_rng`, from the net's own generator state
    (``torch_rng_state_``), which continues from one ``partial_fit`` to the next.

    Images are checked before training and prediction: with a :class:`PaperCNN` module, ``X``
    must have shape ``(n_samples, in_channels, input_size, input_size)`` and ``y`` labels
    0, ..., ``n_classes`` - 1 (``module__n_classes``, default 10); NaN or infinite pixels and
    empty data are refused; other numbers than float32 are converted to float32. Another module
    gets ``X`` and ``y`` as skorch would pass them (integer indices, dicts of inputs...); only
    NaN or infinite values in a floating array or tensor are refused.

    Parameters
    ----------
    *args
        As for ``skorch.NeuralNetClassifier`` (``module`` first).
    max_iter : int, default=1000
        Batch iterations per ``fit``.
    random_state : int or None, default=None
        Seed (0 to 2**32 - 1) of the initialization, the batch order and the dropout masks: an
        isolated, reproducible run. None draws the seed from torch's global generator at every
        initialization (advancing it, never re-seeding it), as scikit-learn draws from numpy's:
        ``torch.manual_seed(0)`` before ``fit`` then makes the run reproducible. As in PyTorch,
        that generator starts from the same seed in every new process unless ``torch.seed()``
        or ``torch.manual_seed`` is called.
    augment : {"cifar10"} or None, default=None
        "cifar10": the CIFAR-10 distortions the paper lists, drawn afresh for every batch (see
        :meth:`augment_batch`). Images may then be larger than ``module__input_size`` (32 × 32
        for 24 × 24 networks); prediction sees their central crop, standardized.
    **kwargs
        As for ``skorch.NeuralNetClassifier`` (``criterion``, ``optimizer``, ``lr``, ``batch_size``,
        ``device``, ``module__*``...).

    Attributes
    ----------
    batch_generator_ : torch.Generator
        Draws the batch order.
    torch_rng_state_ : dict of str to torch.ByteTensor
        The state of torch's global generator (``"cpu"``) and, on a GPU, of the device's
        (``"cuda:0"``...) that the next training continues.

    Examples
    --------
    :func:`make_classifier` builds one with the paper's defaults; ``fit`` runs ``max_iter``
    batches:

    >>> import numpy as np
    >>> from sktopo.nn import make_classifier
    >>> X = np.random.default_rng(0).random((20, 1, 28, 28), dtype=np.float32)
    >>> y = np.arange(20) % 10
    >>> net = make_classifier("M(4,2,8)", max_iter=2, batch_size=8, random_state=0).fit(X, y)
    >>> type(net).__name__, len(net.history[-1]["batches"])
    ('PaperNetClassifier', 2)
    >>> net.predict(X[:3]).shape, net.predict_proba(X[:3]).shape
    ((3,), (3, 10))
    """

    _parameter_constraints = {
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
        "augment": [StrOptions({"cifar10"}), None],
    }

    def __init__(self, *args, max_iter=1000, random_state=None, augment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_iter = max_iter
        self.random_state = random_state
        self.augment = augment

    def initialize_module(self):
        self._validate_own_params()
        seed = self.random_state
        if seed is None:  # torch's global generator, as scikit-learn's None is numpy's
            seed = int(torch.randint(0, 2**32, (), dtype=torch.int64))
        with _own_rng(self, seed):
            super().initialize_module()
        self.batch_generator_ = torch.Generator().manual_seed(int(seed) + 1)
        return self

    def _validate_own_params(self):
        """These parameters as scikit-learn checks them (skorch validates only its own)."""
        params = {name: getattr(self, name) for name in self._parameter_constraints}
        validate_parameter_constraints(self._parameter_constraints, params, type(self).__name__)

    def fit_loop(self, X, y=None, epochs=None, **fit_params):
        self._validate_own_params()  # again: set_params may have changed them since initialization
        with _own_rng(self):
            return super().fit_loop(X, y, epochs, **fit_params)

    def infer(self, x, **fit_params):
        if self.augment is not None:  # batch by batch: random in training, central for prediction
            x = self.augment_batch(to_tensor(x, device=self.device), training=self.module_.training)
        return super().infer(x, **fit_params)

    def augment_batch(self, X: torch.Tensor, *, training: bool = True, generator=None) -> torch.Tensor:
        """One batch as the network sees it with ``augment="cifar10"``.

        In training, each image gets a random ``input_size`` × ``input_size`` crop and, with
        probability 1/2, a left-right flip (TensorFlow's ``random_crop`` and
        ``random_flip_left_right``); for prediction, the central crop. Then each image is
        standardized as by ``tf.image.per_image_standardization``: minus its mean, divided by
        ``max(std, 1 / sqrt(pixels × channels))``. The crop offsets, then the flips, are drawn
        on the CPU from ``generator``, by default torch's global generator, which during
        ``fit`` is the net's own (``torch_rng_state_``), before the batch's dropout masks.

        Parameters
        ----------
        X : torch.Tensor of shape (batch, channels, size, size), size >= input_size
        training : bool, default=True
        generator : torch.Generator or None, default=None
            A CPU generator.

        Returns
        -------
        X : torch.Tensor of shape (batch, channels, input_size, input_size)
            On ``X``'s device.

        Raises
        ------
        TypeError
            When ``X`` is not a tensor.
        ValueError
            When ``X`` is not a batch of square images of ``module__in_channels`` channels, at
            least ``module__input_size`` pixels a side.

        Examples
        --------
        >>> import torch
        >>> from sktopo.nn import make_classifier
        >>> net = make_classifier("C(8,0,16)", input_size=24, augment="cifar10")
        >>> batch = net.augment_batch(torch.rand(5, 1, 32, 32), generator=torch.Generator().manual_seed(0))
        >>> batch.shape, batch.flatten(1).mean(1).abs().max() < 1e-6
        (torch.Size([5, 1, 24, 24]), tensor(True))
        """
        module = _paper_cnn_arguments(self)
        if module is None:
            raise ValueError("augment crops images to module__input_size: it needs module=PaperCNN.")
        _check_augment_input(X, module["in_channels"], module["input_size"])
        size = module["input_size"]
        if training:
            rows, cols = _random_windows(len(X), X.shape[-1], size, generator)
        else:
            rows = cols = ((X.shape[-1] - size) // 2 + torch.arange(size)).expand(len(X), size)
        return _standardize(_crop(X, rows, cols))

    def forward_iter(self, X, training=False, device="cpu"):
        # a DataLoader draws its seed from torch's global generator: from a copy of it here
        with torch.random.fork_rng(devices=[]):
            outputs = list(super().forward_iter(X, training, device))
        yield from outputs

    def get_dataset(self, X, y=None):
        if not is_dataset(X):
            X, y = self.check_images_and_labels(X, y)
        return super().get_dataset(X, y)

    def get_iterator(self, dataset, training=False):
        if not training:
            return super().get_iterator(dataset, training=False)
        batch_size = len(dataset) if self.batch_size == -1 else self.batch_size
        sampler = _Batches(len(dataset), self.max_iter, batch_size, self.batch_generator_)
        return DataLoader(dataset, batch_size=batch_size, sampler=sampler)

    def check_images_and_labels(self, X, y=None):
        """``X`` as float32 images and ``y`` as int64 labels, checked for this network.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, channels, height, width)
        y : array-like or torch.Tensor of shape (n_samples,), default=None

        Returns
        -------
        X : ndarray of float32
        y : ndarray of int64, or None when ``y`` is None

        Raises
        ------
        TypeError
            When ``X`` does not hold numbers or ``y`` does not hold integers.
        ValueError
            When ``X`` is empty, has another shape than the module's input, or holds NaN or
            infinite values, or when ``y`` has another length or labels outside
            0, ..., ``n_classes`` - 1.
        """
        module = _paper_cnn_arguments(self)
        if module is None:  # another module takes its own input: only non-finite floats are refused
            _check_finite(X)
            return X, y
        size = module["input_size"]
        X = _check_images(X, (module["in_channels"], size, size), larger=self.augment is not None)
        return X, None if y is None else _check_labels(y, len(X), module["n_classes"])


def _paper_cnn_arguments(net) -> dict | None:
    """The arguments its :class:`PaperCNN` gets, defaults included; None for another module."""
    if net.module is not PaperCNN:
        return None
    defaults = {name: p.default for name, p in inspect.signature(PaperCNN).parameters.items()}
    return {**defaults, **net.get_params_for("module")}


def _check_images(X, shape, larger=False) -> np.ndarray:
    """``X`` as a float32 array of images of ``(channels, height, width)`` ``shape`` (or larger squares)."""
    X = np.asarray(X.detach().cpu() if isinstance(X, torch.Tensor) else X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold numbers (pixel values); got an array of dtype {X.dtype}.")
    if not _has_shape(X, shape, larger):
        channels, size = shape[0], shape[1]
        raise ValueError(
            f"X must be images of shape (n_samples, {channels}, {size}, {size}), as "
            f"module__in_channels={channels} and module__input_size={size} say"
            + (" (or larger squares, cropped by augment)" if larger else "")
            + f"; got shape {X.shape}."
        )
    if len(X) == 0:
        raise ValueError(f"X holds no images (shape {X.shape}); training and prediction need at least one.")
    with np.errstate(over="ignore"):  # values beyond float32's range become inf, refused here
        X = np.asarray(X, dtype=np.float32)
    _check_finite(X)
    return X


def _has_shape(X, shape, larger) -> bool:
    """Whether ``X`` holds images of ``shape``, or with ``larger`` squares at least that size."""
    if X.ndim != 4 or not larger:
        return X.shape[1:] == shape
    return X.shape[1] == shape[0] and X.shape[2] == X.shape[3] >= shape[1]


def _check_augment_input(X, channels: int, size: int) -> None:
    """Refuse ``X`` unless it is a tensor of images (n, channels, side, side) with side >= size."""
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a torch.Tensor of images to augment; got {type(X).__name__}.")
    if X.ndim != 4 or X.shape[1] != channels or X.shape[2] != X.shape[3] or X.shape[3] < size:
        raise ValueError(
            f"X must be square images of shape (n, {channels}, size, size) with size >= "
            f"module__input_size={size} (module__in_channels={channels}), cropped to {size} x {size} "
            f"by augment; got shape {tuple(X.shape)}."
        )


def _random_windows(n, size, crop, generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows and columns (n, crop) of random crops, the columns reversed for random flips."""
    offsets = torch.randint(size - crop + 1, (n, 2), generator=generator)
    flips = torch.rand(n, generator=generator) < 0.5
    steps = torch.arange(crop)
    rows, cols = offsets[:, :1] + steps, offsets[:, 1:] + steps
    return rows, torch.where(flips[:, None], cols.flip(1), cols)


def _crop(X, rows, cols) -> torch.Tensor:
    """``X[i, :, rows[i]][..., cols[i]]`` for every image ``i``."""
    rows, cols = rows.to(X.device), cols.to(X.device)
    images = torch.arange(len(X), device=X.device)[:, None, None]
    return X[images, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2).contiguous()


def _standardize(X) -> torch.Tensor:
    """TensorFlow's ``per_image_standardization``: zero mean, unit variance (floored) per image.

    A batch on the network's device; ``sktopo.datasets._images._standardize`` is the numpy twin
    that :func:`~sktopo.datasets.preprocess_cifar` applies once to a whole data set.
    """
    flat = X.flatten(1)
    floor = 1 / flat.shape[1] ** 0.5
    scale = flat.std(1, correction=0).clamp_min(floor)
    return (X - flat.mean(1).view(-1, 1, 1, 1)) / scale.view(-1, 1, 1, 1)


def _check_finite(X) -> None:
    """Refuse NaN or infinite values in a floating array or tensor; anything else passes."""
    if isinstance(X, torch.Tensor):
        bad = X.is_floating_point() and not bool(torch.isfinite(X).all())
    else:
        bad = isinstance(X, np.ndarray) and X.dtype.kind == "f" and not np.isfinite(X).all()
    if bad:
        raise ValueError(
            "X contains NaN or infinite values (or values beyond float32's range); they would make "
            "the network's weights NaN. Replace or remove them."
        )


def _check_labels(y, n_samples, n_classes) -> np.ndarray:
    """``y`` as int64 class labels, one per image, each in 0, ..., n_classes - 1 (>= 0 if None)."""
    y = np.asarray(y.detach().cpu() if isinstance(y, torch.Tensor) else y)
    if y.shape != (n_samples,):
        raise ValueError(f"y must hold one label per image, shape ({n_samples},); got shape {y.shape}.")
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"y must hold integer class labels 0, 1, ...; got dtype {y.dtype}. Encode other labels "
            "with sklearn.preprocessing.LabelEncoder, or convert integral floats with y.astype(int)."
        )
    outside = (y < 0) | (y >= n_classes) if n_classes is not None else y < 0
    if outside.any():
        top = "n_classes - 1" if n_classes is None else f"{n_classes - 1} (module__n_classes={n_classes})"
        raise ValueError(f"y holds labels {np.unique(y[outside])[:5].tolist()} outside 0, ..., {top}.")
    return y.astype(np.int64)


@contextlib.contextmanager
def _own_rng(net, seed=None):
    """Run with torch's global generators at ``net``'s own state, the caller's restored afterwards.

    The generators are the CPU's and, for a net on a GPU, its device's. They start seeded with
    ``seed``, or else where ``net.torch_rng_state_`` says, which then keeps where they end.
    """
    device = torch.device(net.device or "cpu")
    cuda = []
    if device.type == "cuda":
        cuda = [torch.cuda.current_device() if device.index is None else device.index]
    with torch.random.fork_rng(devices=cuda):
        generators = {"cpu": torch.default_generator}
        generators.update({f"cuda:{index}": torch.cuda.default_generators[index] for index in cuda})
        saved = getattr(net, "torch_rng_state_", {})
        for name, generator in generators.items():
            if seed is not None:
                generator.manual_seed(int(seed))  # torch refuses numpy integers
            elif name in saved:
                generator.set_state(saved[name])
        try:
            yield
        finally:
            net.torch_rng_state_ = {name: generator.get_state() for name, generator in generators.items()}


def make_classifier(
    spec="M(64,32,64)",
    max_iter=1000,
    *,
    in_channels=1,
    input_size=28,
    first_layer=None,
    freeze_first_layer=True,
    random_state=None,
    **skorch_kwargs,
) -> PaperNetClassifier:
    """A skorch classifier for M(X, Y, Z) or C(X, Y, Z) with the paper's training defaults.

    * ``M``: Adam (learning rate 1e-3), cross-entropy, batches of 128 (Table I).
    * ``C``: plain SGD (learning rate 0.1, no momentum), cross-entropy, batches of 128, and L2
      weight decay 4e-3 on the hidden fully connected layer's weight only (Table II): the values
      of TensorFlow's CIFAR-10 tutorial (``tutorials/image/cifar10/cifar10.py`` in
      tensorflow/models), which the paper's C architecture follows.

    Training runs ``max_iter`` batch iterations (see :class:`PaperNetClassifier`), on CUDA when
    available. No validation split: the paper trains on the whole training set and evaluates on
    the test set. Any skorch argument can be overridden.

    Parameters
    ----------
    spec : str, default="M(64,32,64)"
    max_iter : int, default=1000
        Batch iterations.
    in_channels : int, default=1
    input_size : int, default=28
    first_layer : {"primary_circle", "klein_bottle", "gaussian"}, array-like or None, default=None
        Fix the first conv layer's kernels (``module__first_layer``, see :func:`make_cnn`): the
        paper's Section VI (i) compares a first layer fixed to the idealized primary circle with
        a fixed random Gaussian one and a trained one, for how well a network trained on one
        digit data set does on another. "gaussian" draws a new bank for each ``random_state``.
    freeze_first_layer : bool, default=True
        Keep a fixed first layer out of training (``module__freeze_first_layer``): no gradient,
        no update, no weight decay. False only initializes it.
    random_state : int or None, default=None
        As :class:`PaperNetClassifier`'s: an int for an isolated, reproducible run; None draws
        the seed from torch's global generator.
    **skorch_kwargs
        Passed to :class:`PaperNetClassifier` (e.g. ``batch_size``, ``lr``, ``device``,
        ``module__n_classes``).

    Returns
    -------
    net : PaperNetClassifier

    Notes
    -----
    Where the paper is silent, sktopo chooses:

    * Batch size 128: Section V-A says 128, other places 124; 128 is also the tutorial's.
    * C's learning rate 0.1 is the tutorial's ``INITIAL_LEARNING_RATE``, kept constant: the
      tutorial divides it by 10 only after 350 epochs (136,718 batches of 128 on CIFAR-10).
      The tutorial evaluates a moving average of the weights; sktopo evaluates the weights.
    * C's weight decay: the tutorial adds ``0.004 * tf.nn.l2_loss(w)`` (``0.004 * sum(w²) / 2``,
      gradient ``0.004 * w``, exactly SGD's ``weight_decay=4e-3``) for the fully connected
      layers' weights only; never for the conv kernels (the filters the paper analyses), the
      biases or the output layer. It is an ``optimizer__param_groups`` entry naming the hidden
      layer of ``spec``'s architecture (none when Z = 0); after
      ``set_params(module__spec=...)``, set ``optimizer__param_groups`` to match.
    * Initialization: torch's default for every layer but a fixed first one (the paper names
      none; the tutorial's truncated normals are tuned to its own network, with two hidden
      layers of 384 and 192 units).
    * CIFAR-10 augmentation (``augment="cifar10"``, see :class:`PaperNetClassifier`): a random
      24 × 24 crop, a random left-right flip and per-image standardization, the three the paper
      lists; the tutorial's random brightness and contrast are not used, since the paper does
      not list them.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.nn import make_classifier
    >>> X = np.random.default_rng(0).normal(size=(64, 1, 28, 28)).astype(np.float32)
    >>> y = np.arange(64) % 10
    >>> net = make_classifier("M(8,0,16)", max_iter=3, batch_size=16, random_state=0).fit(X, y)
    >>> net.predict(X[:4]).shape
    (4,)
    >>> fixed = make_classifier("M(8,0,16)", 3, first_layer="primary_circle", random_state=0)
    >>> fixed.fit(X, y).module_.net[0].weight.requires_grad
    False
    >>> make_classifier("C(8,4,16)", input_size=24).optimizer__param_groups
    [('net.11.weight', {'weight_decay': 0.004})]
    """
    defaults = {
        "module": PaperCNN,
        "module__spec": spec,
        "module__in_channels": in_channels,
        "module__input_size": input_size,
        "module__first_layer": first_layer,
        "module__freeze_first_layer": freeze_first_layer,
        "criterion": nn.CrossEntropyLoss,
        "batch_size": 128,
        "max_epochs": 1,
        "train_split": None,
        "verbose": 0,
        "device": resolve_device(),
    }
    defaults.update(_optimizer_defaults(spec, in_channels, input_size, skorch_kwargs.get("module__max_pool")))
    return PaperNetClassifier(**{**defaults, **skorch_kwargs}, max_iter=max_iter, random_state=random_state)


def _optimizer_defaults(spec, in_channels, input_size, max_pool) -> dict:
    """Adam for ``M``; for ``C`` TensorFlow's CIFAR-10 tutorial: SGD, 0.1, decay on the hidden layer."""
    if parse_spec(spec)[0] == "M":
        return {"optimizer": torch.optim.Adam, "lr": 1e-3}
    decayed = {"weight_decay": 4e-3}
    return {
        "optimizer": torch.optim.SGD,
        "lr": 0.1,
        "optimizer__param_groups": [
            (name, decayed) for name in _hidden_weights(spec, in_channels, input_size, max_pool)
        ],
    }


def _hidden_weights(spec, in_channels, input_size, max_pool) -> list[str]:
    """The parameter names (``"net.11.weight"``) of the hidden fully connected layers' weights."""
    with torch.device("meta"):  # the layer list only: no memory, no draw from torch's generators
        model = make_cnn(spec, in_channels, input_size, max_pool)
    linear = [i for i, layer in enumerate(model) if isinstance(layer, nn.Linear)]
    return [f"net.{i}.weight" for i in linear[:-1]]
