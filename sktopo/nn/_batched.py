"""Train many seeded copies of one skorch classifier as one computation (``strategy="batched"``)."""

import torch
import torch.nn.functional as F
from sklearn.base import clone
from torch import nn

from ._classifier import PaperCNN, PaperNetClassifier
from ._recorder import is_recorder, recorders, user_callbacks
from ._stacked import StackedCNN

__all__ = ["batched_unsupported", "fit_batched"]

# Optimizers whose update of a parameter entry reads only that entry's gradient and state, so
# that one optimizer over stacked parameters updates each network as its own optimizer would.
_ELEMENTWISE = (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW)

#: On the CPU, the most bytes one layer's output may take in one forward-backward pass: blocks
#: this size stay below glibc's largest mmap threshold (32 MiB) and in memory the allocator keeps.
#: Measured for 8 × M(64,32,64) on 2 cores (issue 21): passes of 8 and 16 MiB ran alike with no
#: page fault; 26 MiB faulted in some runs, 32 MiB in all; the whole batch (205 MB in the first
#: layer) took about 190,000 page faults per iteration. Passes of 2 MiB were slower (more calls).
_PASS_BYTES = 16 * 2**20


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


def fit_batched(estimator, seeds, X, y, progress=None) -> list:
    """Train ``clone(estimator)`` with each seed, all networks in one computation.

    Network n gets what ``clone(estimator).set_params(random_state=seeds[n]).fit(X, y)`` gets:
    the same initialization, the same batches in the same order, the same dropout masks and
    the same optimizer arithmetic, up to floating-point rounding (grouped and single
    convolutions sum in different orders). Dropout masks are drawn on the CPU, from the
    generator state that sequential training would start from (``torch_rng_state_``), and
    moved to the device. Torch's global generators are not used.

    On the CPU, each batch is run forward and backward in passes of a few samples whose layer
    outputs take at most 16 MiB, their gradients summed before the optimizer's step: PyTorch
    allocates CPU tensors with ``malloc``, and glibc maps and unmaps every block above 32 MiB
    afresh, so whole batches of many networks (hundreds of megabytes per layer) would pay a
    page fault for every 4 KiB they touch, at every iteration. Nothing process-wide is changed.
    On a GPU, the whole batch is one pass (CUDA's caching allocator keeps its blocks).

    Parameters
    ----------
    estimator : PaperNetClassifier
        See :func:`batched_unsupported`.
    seeds : sequence of int
        One network per seed, its ``random_state``.
    X : array-like of shape (n_samples, channels, height, width)
    y : array-like of shape (n_samples,)
    progress : callable or None, default=None
        Called with 1 after every batch iteration (e.g. ``tqdm.update``).

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
        loss = _forward_backward(model, criterion, batch, y[index], masks)
        optimizer.step()
        _record(nets, callbacks, model)
        total, batches = total + loss, batches + 1
        if progress is not None:
            progress(1)
    return (total / max(batches, 1)).cpu()


def _forward_backward(model, criterion, batch, targets, masks) -> torch.Tensor:
    """Each network's loss on its batch, its gradient accumulated pass by pass.

    With ``reduction="mean"``, the loss of a batch of B samples is the sum over its passes of
    each pass's mean loss times its share of the batch (b / B): the same number and the same
    gradient, up to rounding, as one pass over the whole batch.
    """
    size, total = batch.shape[1], 0
    step = _samples_per_pass(model, criterion, batch)
    for start in range(0, size, step):
        part = slice(start, start + step)
        logits = model(batch[:, part], [mask[:, part] for mask in masks])
        loss = _losses(criterion, logits, targets[:, part])
        if criterion.reduction == "mean":
            loss = loss * (logits.shape[1] / size)
        loss.sum().backward()
        total = total + loss.detach()
    return total


def _losses(criterion, logits, targets) -> torch.Tensor:
    """Each network's loss, (N,), from logits (N, b, classes) and targets (N, b).

    Without class weights, one cross-entropy over every network's samples (``reduction="none"``)
    summed or averaged per network gives each network's loss as its own criterion would, in a
    few calls instead of a few per network (on the CPU, small calls cost more in overhead than in
    arithmetic). With class weights, each network's criterion is called.
    """
    if criterion.weight is not None or criterion.reduction not in ("mean", "sum"):
        return torch.stack([criterion(logits[n], targets[n]) for n in range(len(logits))])
    each = F.cross_entropy(
        logits.flatten(0, 1),
        targets.flatten(),
        ignore_index=criterion.ignore_index,
        reduction="none",
        label_smoothing=criterion.label_smoothing,
    ).view(targets.shape)
    if criterion.reduction == "sum":
        return each.sum(1)
    return each.sum(1) / (targets != criterion.ignore_index).sum(1)


def _samples_per_pass(model, criterion, batch: torch.Tensor) -> int:
    """Samples of ``batch`` (N, B, C, H, W) that one forward-backward pass takes: B but on the CPU.

    On the CPU, PyTorch allocates every activation and gradient with the C library's
    ``malloc``; glibc maps blocks above its mmap threshold (at most 32 MiB) afresh and unmaps
    them when freed, so a batch whose layers take hundreds of megabytes pays a page fault for
    every 4 KiB it touches, at every iteration. Passes of at most ``_PASS_BYTES`` per layer
    output stay in memory the allocator keeps (and in the caches). A class-weighted mean loss
    is no sum of per-pass means: it takes one pass. CUDA's caching allocator needs none of this.
    """
    size = batch.shape[1]
    if batch.device.type != "cpu" or (criterion.reduction == "mean" and criterion.weight is not None):
        return size
    per_sample = model.largest_activation(tuple(batch.shape[2:])) * batch.element_size()
    return max(1, min(size, _PASS_BYTES // per_sample))


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
