"""Train many seeded copies of one skorch classifier as one computation (``strategy="batched"``)."""

import contextlib
import ctypes
import ctypes.util

import torch
from sklearn.base import clone
from torch import nn

from ._classifier import PaperCNN, PaperNetClassifier
from ._recorder import is_recorder, recorders, user_callbacks
from ._stacked import StackedCNN

__all__ = ["batched_unsupported", "fit_batched"]

# Optimizers whose update of a parameter entry reads only that entry's gradient and state, so
# that one optimizer over stacked parameters updates each network as its own optimizer would.
_ELEMENTWISE = (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW)


def batched_unsupported(estimator) -> str | None:
    """Why ``estimator`` cannot be trained by :func:`fit_batched`; None when it can.

    Parameters
    ----------
    estimator : object

    Returns
    -------
    reason : str or None
    """
    if not isinstance(estimator, PaperNetClassifier) or estimator.module is not PaperCNN:
        return "it trains sktopo.nn.make_classifier networks (a PaperNetClassifier of PaperCNN)"
    if estimator.optimizer not in _ELEMENTWISE:
        return "its optimizer must be torch.optim.SGD, Adam or AdamW (updates entry by entry)"
    if estimator.criterion is not nn.CrossEntropyLoss:
        return "its criterion must be torch.nn.CrossEntropyLoss"
    if not all(is_recorder(cb) for cb in user_callbacks(estimator)):
        return "its only callbacks are FilterRecorder and AccuracyRecorder ones"
    if estimator.train_split is not None:
        return "it runs no validation split (set train_split=None)"
    return None


def fit_batched(estimator, seeds, X, y, progress=None, *, tune_glibc_malloc=False) -> list:
    """Train ``clone(estimator)`` with each seed, all networks in one computation.

    Network n gets what ``clone(estimator).set_params(random_state=seeds[n]).fit(X, y)`` gets:
    the same initialization, the same batches in the same order, the same dropout masks and
    the same optimizer arithmetic, up to floating-point rounding (grouped and single
    convolutions sum in different orders). Dropout masks are drawn on the CPU, from the
    generator state that sequential training would start from (``torch_rng_state_``), and
    moved to the device. Torch's global generators are not used.

    Parameters
    ----------
    estimator : PaperNetClassifier
        See :func:`batched_unsupported`.
    seeds : sequence of int
    X : array-like of shape (n_samples, channels, height, width)
    y : array-like of shape (n_samples,)
    progress : callable or None
        Called with 1 after every batch iteration (e.g. ``tqdm.update``).
    tune_glibc_malloc : bool, default=False
        On the CPU with glibc, change glibc's allocator settings (process-wide) while training;
        see :class:`~sktopo.nn.NetworkEnsemble`.

    Returns
    -------
    networks : list of fitted PaperNetClassifier
    """
    reason = batched_unsupported(estimator)
    if reason is not None:
        raise ValueError(f"strategy='batched' cannot train this estimator: {reason}.")
    nets, generators = _initialized(estimator, seeds)
    X_np, y_np = nets[0].check_images_and_labels(X, y)
    for net in nets:
        net.check_data(X_np, y_np)  # what skorch's fit checks; also learns the classes
    device = torch.device(nets[0].device)
    model = StackedCNN([net.module_.net for net in nets]).to(device)
    # the optimizer skorch builds (learning rate, optimizer__ arguments and parameter groups), over
    # the stacked parameters under the names of one network's
    names = [name for name, _ in nets[0].module_.named_parameters()]
    args, kwargs = nets[0].get_params_for_optimizer("optimizer", zip(names, model.params))
    optimizer = estimator.optimizer(*args, **kwargs)
    X_t, y_t = torch.as_tensor(X_np, device=device), torch.as_tensor(y_np, dtype=torch.int64, device=device)
    # one DataLoader per network for all epochs, as skorch's fit_loop: its sampler's generator runs on
    dataset = nets[0].get_dataset(X_np, y_np)  # one dataset, checked once; each net its own sampler
    loaders = [net.get_iterator(dataset, training=True) for net in nets]
    callbacks = [recorders(net) for net in nets]  # each network's recorders, found once
    for net, group in zip(nets, callbacks):
        for callback in group:
            callback.on_train_begin(net)
    with _heap_allocations(device) if tune_glibc_malloc else contextlib.nullcontext():
        losses = [
            _epoch(nets, callbacks, loaders, generators, model, optimizer, X_t, y_t, progress)
            for _ in range(estimator.max_epochs)
        ]
    model.unstack_into([net.module_.net for net in nets])
    for n, (net, generator) in enumerate(zip(nets, generators)):
        net.torch_rng_state_["cpu"] = generator.get_state()  # where sequential training leaves it
        for epoch, loss in enumerate(losses, start=1):
            net.history.new_epoch()
            net.history.record("epoch", epoch)
            net.history.record("train_loss", float(loss[n]))
    return nets


def _initialized(estimator, seeds):
    """Initialized clones, and for each a generator where its sequential training starts.

    ``PaperNetClassifier.initialize`` builds the module from a generator seeded with its
    ``random_state``, exactly as ``fit`` would, and keeps the state that generator is left in
    (``torch_rng_state_``); sequential training draws from it next (the DataLoader's seed, then
    the dropout masks), and so do these generators.
    """
    nets = [clone(estimator).set_params(random_state=int(seed)).initialize() for seed in seeds]
    return nets, [torch.Generator().set_state(net.torch_rng_state_["cpu"]) for net in nets]


def _epoch(nets, callbacks, loaders, generators, model, optimizer, X, y, progress) -> torch.Tensor:
    """One skorch epoch (``max_iter`` batches) of every network; mean loss per network."""
    samplers = []
    for loader, generator in zip(loaders, generators):
        # iter(DataLoader) draws its base seed from the global generator before any batch
        torch.empty((), dtype=torch.int64).random_(generator=generator)
        samplers.append(iter(loader.batch_sampler))
    criterion, total, batches = nets[0].criterion_, torch.zeros(len(nets), device=X.device), 0
    for indices in zip(*samplers):
        index = torch.as_tensor(indices, device=X.device)  # (networks, batch size)
        batch = _augmented(nets, generators, X[index])  # drawn before the masks, as in sequential
        masks = model.dropout_masks(generators, index.shape[1], X.device)
        optimizer.zero_grad()
        logits, targets = model(batch, masks), y[index]
        loss = torch.stack([criterion(logits[n], targets[n]) for n in range(len(nets))])
        loss.sum().backward()
        optimizer.step()
        _record(nets, callbacks, model)
        total, batches = total + loss.detach(), batches + 1
        if progress is not None:
            progress(1)
    return (total / max(batches, 1)).cpu()


def _augmented(nets, generators, batch: torch.Tensor) -> torch.Tensor:
    """Network n's batch ``batch[n]`` as it sees it: augmented from its own generator if it augments."""
    if nets[0].augment is None:
        return batch
    return torch.stack([net.augment_batch(b, generator=g) for net, b, g in zip(nets, batch, generators)])


def _record(nets, callbacks, model) -> None:
    """Count one batch on every network's recorders; where one is due, unstack the weights first."""
    if any(cb.is_due(cb.iteration_ + 1) for group in callbacks for cb in group):
        model.unstack_into([net.module_.net for net in nets])
    for net, group in zip(nets, callbacks):
        for callback in group:
            callback.step(net)


@contextlib.contextmanager
def _heap_allocations(device):
    """On the CPU with glibc, serve every allocation from the heap while training (process-wide).

    glibc maps each allocation above its mmap threshold (at most 32 MiB) afresh and unmaps it
    when freed, so every batch iteration pays page faults for its large activations (50 to 200
    MB for 8 networks of M(64, 32, 64)); ``benchmarks/bench_training.py`` measures the gain.
    PyTorch's CPU tuning guide answers this with another allocator (jemalloc, tcmalloc); here
    glibc is told, for the duration of training, not to use ``mmap`` (``M_MMAP_MAX = 0``) and
    to keep freed memory (``M_TRIM_THRESHOLD``). Afterwards the kept memory is returned
    (``malloc_trim``) and glibc is left where its own dynamic threshold ends up in any process
    that frees a block of 32 MiB or more, as PyTorch training does: mmap threshold 32 MiB, trim
    threshold 64 MiB (glibc has no call that turns its dynamic adjustment back on). Elsewhere
    (CUDA's caching allocator, another libc) nothing changes. Opt-in, as it changes the whole
    process: ``NetworkEnsemble(tune_glibc_malloc=True)``.
    """
    libc = _glibc() if device.type == "cpu" else None
    if libc is None:
        yield
        return
    m_trim_threshold, m_mmap_threshold, m_mmap_max = -1, -3, -4
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 2**31 - 1)
    try:
        yield
    finally:
        libc.mallopt(m_mmap_max, 65536)
        libc.mallopt(m_mmap_threshold, 32 * 2**20)
        libc.mallopt(m_trim_threshold, 64 * 2**20)
        libc.malloc_trim(0)


def _glibc():
    """The C library through ctypes if it is glibc (it has ``mallopt``, ``malloc_trim``), else None."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
    except OSError:
        return None
    glibc = all(hasattr(libc, name) for name in ("mallopt", "malloc_trim", "gnu_get_libc_version"))
    return libc if glibc else None
