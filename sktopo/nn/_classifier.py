"""The paper's CNNs as skorch classifiers, trained for a number of batch iterations."""

import numpy as np
import torch
from skorch import NeuralNetClassifier
from torch import nn
from torch.utils.data import DataLoader, Sampler

from ._architectures import make_cnn, parse_spec

__all__ = ["PaperCNN", "PaperNetClassifier", "make_classifier"]


class PaperCNN(nn.Module):
    """``make_cnn(spec, ...)`` as a module class, so skorch can set ``module__spec`` and clone it."""

    def __init__(self, spec="M(64,32,64)", in_channels=1, input_size=28, max_pool=None):
        super().__init__()
        self.net = make_cnn(spec, in_channels, input_size, max_pool)

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

    Parameters
    ----------
    *args, **kwargs
        As for ``skorch.NeuralNetClassifier``.
    max_iter : int, default=1000
        Batch iterations per ``fit``.
    random_state : int or None, default=None
        Seed of the initialization and of the batch order; None draws one from torch.
    """

    def __init__(self, *args, max_iter=1000, random_state=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_iter = max_iter
        self.random_state = random_state

    def initialize_module(self):
        if not isinstance(self.max_iter, (int, np.integer)) or self.max_iter < 1:
            raise ValueError(f"max_iter must be an int >= 1 (batch iterations); got {self.max_iter!r}.")
        if self.random_state is not None:
            torch.manual_seed(self.random_state)
        return super().initialize_module()

    def get_iterator(self, dataset, training=False):
        if not training:
            return super().get_iterator(dataset, training=False)
        seed = self.random_state if self.random_state is not None else torch.seed()
        generator = torch.Generator().manual_seed(int(seed) + 1)
        sampler = _Batches(len(dataset), self.max_iter, self.batch_size, generator)
        return DataLoader(dataset, batch_size=self.batch_size, sampler=sampler)


def make_classifier(
    spec="M(64,32,64)", max_iter=1000, *, in_channels=1, input_size=28, random_state=None, **skorch_kwargs
) -> PaperNetClassifier:
    """A skorch classifier for M(X, Y, Z) or C(X, Y, Z) with the paper's training defaults.

    * ``M``: Adam (learning rate 1e-3), cross-entropy, batches of 128 (Table I).
    * ``C``: SGD (learning rate 0.05, momentum 0) with L2 weight decay 4e-3, cross-entropy,
      batches of 128 (Table II; the values of TensorFlow's CIFAR-10 tutorial, which the paper's
      C architecture follows).

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
    random_state : int or None, default=None
    **skorch_kwargs
        Passed to :class:`PaperNetClassifier` (e.g. ``batch_size``, ``lr``, ``device``).

    Returns
    -------
    net : PaperNetClassifier

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.nn import make_classifier
    >>> X = np.random.default_rng(0).normal(size=(64, 1, 28, 28)).astype(np.float32)
    >>> y = np.arange(64) % 10
    >>> net = make_classifier("M(8,0,16)", max_iter=3, batch_size=16, random_state=0).fit(X, y)
    >>> net.predict(X[:4]).shape
    (4,)
    """
    kind = parse_spec(spec)[0]
    defaults = {
        "module": PaperCNN,
        "module__spec": spec,
        "module__in_channels": in_channels,
        "module__input_size": input_size,
        "criterion": nn.CrossEntropyLoss,
        "batch_size": 128,
        "max_epochs": 1,
        "train_split": None,
        "verbose": 0,
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }
    if kind == "M":
        defaults.update(optimizer=torch.optim.Adam, lr=1e-3)
    else:
        defaults.update(optimizer=torch.optim.SGD, lr=0.05, optimizer__weight_decay=4e-3)
    return PaperNetClassifier(**{**defaults, **skorch_kwargs}, max_iter=max_iter, random_state=random_state)
