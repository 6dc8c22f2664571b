"""The batched strategy: many networks as one computation, each as if trained alone."""

import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.base import clone

from sktopo.nn import NetworkEnsemble, _batched, make_classifier, make_cnn
from sktopo.nn._batched import batched_unsupported, fit_batched
from sktopo.nn._classifier import _Batches
from sktopo.nn._stacked import StackedCNN


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    return rng.normal(size=(60, 1, 28, 28)).astype(np.float32), np.arange(60) % 10


def _weights(net):
    return [p.detach().clone() for p in net.module_.parameters()]


def _assert_same_networks(ours, theirs, atol=2e-5):
    for a, b in zip(_weights(ours), _weights(theirs)):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=atol)


@pytest.mark.parametrize(
    "spec, kwargs",
    [
        ("M(6,4,16)", {}),
        ("C(6,4,16)", {"input_size": 28}),
        ("M(5,0,8)", {"max_epochs": 2}),
        ("M(4,3,8)", {"optimizer": torch.optim.AdamW, "optimizer__weight_decay": 0.1}),
        ("M(5,3,8)", {"criterion__reduction": "sum"}),
        ("M(5,3,8)", {"criterion__label_smoothing": 0.1}),
    ],
)
def test_batched_networks_match_sequential_training(data, spec, kwargs):
    """Same initialization, batches, dropout masks and optimizer steps as skorch trained alone."""
    estimator = make_classifier(spec, max_iter=5, batch_size=12, **kwargs)
    seeds = [3, 17, 40]
    batched = fit_batched(estimator, seeds, *data)
    for seed, ours in zip(seeds, batched):
        alone = clone(estimator).set_params(random_state=seed)
        initial = _weights(alone.initialize())
        alone.fit(*data)
        _assert_same_networks(ours, alone)
        assert max((a - b).abs().max() for a, b in zip(_weights(alone), initial)) > 1e-3  # it did train
        assert ours.history[-1, "train_loss"] == pytest.approx(alone.history[-1, "train_loss"], rel=1e-4)
        np.testing.assert_array_equal(ours.classes_, np.arange(10))
        # the generator is left where sequential training leaves it: dropout masks drawn alike
        assert torch.equal(ours.torch_rng_state_["cpu"], alone.torch_rng_state_["cpu"])


def test_a_network_does_not_depend_on_its_group(data):
    estimator = make_classifier("M(6,4,16)", max_iter=4, batch_size=12)
    group = fit_batched(estimator, [5, 6, 7, 8], *data)
    _assert_same_networks(group[2], fit_batched(estimator, [7], *data)[0])
    ensemble = NetworkEnsemble(estimator, n_networks=4, strategy="batched", group_size=3, random_state=0).fit(
        *data
    )
    together = fit_batched(estimator, ensemble.seeds_, *data)
    for ours, theirs in zip(ensemble.estimators_, together):
        _assert_same_networks(ours, theirs)


@pytest.mark.parametrize(
    "spec, channels, size",
    [("M(64,32,64)", 1, 28), ("C(8,4,16)", 3, 24), ("C*(6,0,16)", 1, 24), ("M(5,3,0)", 2, 27)],
)
def test_stacked_forward_and_gradients_match_each_network(spec, channels, size):
    networks = [make_cnn(spec, channels, size).eval() for _ in range(3)]
    stacked = StackedCNN(networks)
    x = torch.randn(3, 5, channels, size, size)
    masks = [torch.ones(3, 5, width) for _, width in stacked.dropouts]
    out = stacked(x, masks)
    expected = torch.stack([net(x[i]) for i, net in enumerate(networks)])
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    out.square().sum().backward()
    for i, net in enumerate(networks):
        net(x[i]).square().sum().backward()
        for stacked_param, param in zip(stacked.params, net.parameters()):
            torch.testing.assert_close(stacked_param.grad[i], param.grad, rtol=1e-4, atol=1e-5)


def test_dropout_masks_are_the_ones_torch_draws():
    stacked = StackedCNN([make_cnn("M(4,0,16)") for _ in range(2)])
    generators = [torch.Generator().manual_seed(seed) for seed in (0, 1)]
    masks = stacked.dropout_masks(generators, 7, "cpu")[0]
    for seed, mask in zip((0, 1), masks):
        torch.manual_seed(seed)
        torch.testing.assert_close(mask, F.dropout(torch.ones(7, 16), 0.5, training=True), rtol=0, atol=0)


def test_batch_sampler_draws_permutation_after_permutation():
    sampler = _Batches(10, n_batches=7, batch_size=4, generator=torch.Generator().manual_seed(0))
    indices = list(sampler)
    assert len(indices) == len(sampler) == 28
    assert sorted(indices[:10]) == sorted(indices[10:20]) == list(range(10))
    assert len(set(indices[20:])) == 8
    generator = torch.Generator().manual_seed(0)
    assert indices == torch.cat([torch.randperm(10, generator=generator) for _ in range(3)])[:28].tolist()


def test_auto_strategy_and_unsupported_estimators(data):
    ensemble = NetworkEnsemble(make_classifier("M(4,0,8)", max_iter=2, batch_size=8), n_networks=2)
    assert ensemble.fit(*data).strategy_ == "batched"
    sgd = make_classifier("C(4,0,8)", max_iter=2, batch_size=8)
    assert batched_unsupported(sgd) is None
    lbfgs = make_classifier("M(4,0,8)", optimizer=torch.optim.LBFGS)
    with pytest.raises(ValueError, match="strategy='batched' cannot train this estimator: its optimizer"):
        NetworkEnsemble(lbfgs, n_networks=2, strategy="batched").fit(*data)
    recorded = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, callbacks=[_batched_noop()])
    assert NetworkEnsemble(recorded, n_networks=1).fit(*data).strategy_ == "sequential"
    assert "callbacks" in batched_unsupported(recorded)
    with pytest.raises(ValueError, match="group_size"):
        NetworkEnsemble(sgd, group_size=0).fit(*data)


def _batched_noop():
    from skorch.callbacks import Callback

    return Callback()


def test_interrupted_batched_run_keeps_finished_groups(data, tmp_path, monkeypatch):
    estimator = make_classifier("M(4,2,8)", max_iter=3, batch_size=8)
    ensemble = NetworkEnsemble(estimator, n_networks=5, group_size=2, random_state=0, checkpoint_dir=tmp_path)
    epoch, calls = _batched._epoch, []

    def interrupted(*args):
        calls.append(1)
        if len(calls) == 2:  # Ctrl-C in the second group
            raise KeyboardInterrupt
        return epoch(*args)

    monkeypatch.setattr(_batched, "_epoch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ensemble.fit(*data)
    assert len(list(tmp_path.glob("network_*.pt"))) == 2
    monkeypatch.setattr(_batched, "_epoch", epoch)
    resumed = clone(ensemble).fit(*data)
    assert resumed.n_restored_ == 2 and len(list(tmp_path.glob("network_*.pt"))) == 5
    for ours, theirs in zip(resumed.estimators_, fit_batched(estimator, resumed.seeds_, *data)):
        _assert_same_networks(ours, theirs)


@pytest.mark.parametrize("samples", [1, 5])
def test_passes_of_a_few_samples_give_the_networks_of_one_pass(data, monkeypatch, samples):
    """On the CPU a batch runs in passes (here of 1 and of 5, 5 and 2 samples); the sums are exact."""
    estimator = make_classifier("M(6,4,16)", max_iter=4, batch_size=12)
    stacked = StackedCNN([estimator.initialize().module_.net] * 2)
    per_sample = stacked.largest_activation((1, 28, 28)) * 4  # float32 bytes, two networks
    assert per_sample == 2 * 6 * 28 * 28 * 4  # the first convolution's output, before pooling
    monkeypatch.setattr(_batched, "_PASS_BYTES", samples * per_sample)
    chosen, choose = [], _batched._samples_per_pass

    def spied(*args):
        chosen.append(choose(*args))
        return chosen[-1]

    monkeypatch.setattr(_batched, "_samples_per_pass", spied)
    seeds = [3, 17]
    for seed, ours in zip(seeds, fit_batched(estimator, seeds, *data)):
        alone = clone(estimator).set_params(random_state=seed).fit(*data)
        _assert_same_networks(ours, alone)
        assert ours.history[-1, "train_loss"] == pytest.approx(alone.history[-1, "train_loss"], rel=1e-4)
    assert chosen == [samples] * 4


def test_the_networks_losses_in_one_call_are_each_networks_criterion():
    logits, targets = torch.randn(3, 7, 10), torch.randint(0, 10, (3, 7))
    targets[1, 2] = -100  # ignored, as CrossEntropyLoss ignores it
    for kwargs in ({}, {"reduction": "sum"}, {"label_smoothing": 0.2}, {"weight": torch.rand(10)}):
        criterion = torch.nn.CrossEntropyLoss(**kwargs)
        expected = torch.stack([criterion(logits[n], targets[n]) for n in range(3)])
        torch.testing.assert_close(_batched._losses(criterion, logits, targets), expected)


def test_a_class_weighted_loss_takes_one_pass(data, monkeypatch):
    """Its mean divides by the batch's total weight: no sum of per-pass means, so one pass."""
    monkeypatch.setattr(_batched, "_PASS_BYTES", 1)  # else one sample per pass
    weight = torch.linspace(0.5, 2.0, 10)
    estimator = make_classifier("M(5,3,8)", max_iter=3, batch_size=12, criterion__weight=weight)
    (ours,) = fit_batched(estimator, [4], *data)
    _assert_same_networks(ours, clone(estimator).set_params(random_state=4).fit(*data))
    model = StackedCNN([ours.module_.net])
    assert _batched._samples_per_pass(model, ours.criterion_, torch.zeros(1, 12, 1, 28, 28)) == 12
    unweighted = make_classifier("M(5,3,8)").initialize().criterion_
    assert _batched._samples_per_pass(model, unweighted, torch.zeros(1, 12, 1, 28, 28)) == 1


def test_default_training_changes_nothing_process_wide(data, monkeypatch):
    """No C library call (glibc's mallopt was one): the host process's allocator is left alone."""
    import ctypes

    def refused(*args, **kwargs):
        raise AssertionError("the C library was loaded during training")

    monkeypatch.setattr(ctypes, "CDLL", refused)
    monkeypatch.setattr(ctypes, "cdll", refused)
    estimator = make_classifier("M(4,2,8)", max_iter=2, batch_size=8)
    ensemble = NetworkEnsemble(estimator, n_networks=3, group_size=2, random_state=0).fit(*data)
    assert ensemble.strategy_ == "batched"
    assert not any(name in vars(_batched) for name in ("ctypes", "_heap_allocations", "_glibc"))
    with pytest.raises(TypeError, match="tune_glibc_malloc"):  # removed in issue 21
        NetworkEnsemble(estimator, tune_glibc_malloc=True)


def test_progress_bars(data, capsys, monkeypatch):
    import sktopo.nn._ensemble as ensemble_module

    seen = []

    class Recorded(ensemble_module.tqdm):
        def update(self, n=1):
            super().update(n)
            if self.desc == "networks":
                seen.append(self.n)

    monkeypatch.setattr(ensemble_module, "tqdm", Recorded)
    estimator = make_classifier("M(4,0,8)", max_iter=3, batch_size=8)
    NetworkEnsemble(estimator, n_networks=3, group_size=2, verbose=1).fit(*data)
    err = capsys.readouterr().err
    assert "networks" in err and "3.0/3" in err and "batch iterations" in err
    # the outer bar moves with every batch iteration of a group, not only when the group ends:
    # 2 networks over 3 iterations, then 1 network over 3
    np.testing.assert_allclose(seen, [2 / 3, 4 / 3, 2, 7 / 3, 8 / 3, 3])


def test_checkpoint_manifest_is_the_same_in_every_process(tmp_path):
    """A run resumed in a new Python process (new string hashing) recognizes its networks."""
    import subprocess
    import sys

    code = (
        "import json; from sktopo.nn import FilterRecorder, make_classifier; "
        "from sktopo.nn._ensemble import _describe; "
        "net = make_classifier('M(4,2,8)', max_iter=3, callbacks=[FilterRecorder(at=[1, 2])]); "
        "print(json.dumps(_describe(net)))"
    )
    texts = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(3)
    }
    text = texts.pop()
    assert not texts and "module__spec" in text and "FilterRecorder" in text and "0x" not in text


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_batched_training_on_cuda_matches_the_cpu(data):
    """The same code path on a GPU: networks trained there equal those trained on the CPU."""
    seeds = [3, 17]
    on_cpu = fit_batched(make_classifier("M(6,4,16)", max_iter=4, batch_size=12, device="cpu"), seeds, *data)
    on_gpu = fit_batched(make_classifier("M(6,4,16)", max_iter=4, batch_size=12, device="cuda"), seeds, *data)
    for ours, theirs in zip(on_gpu, on_cpu):
        assert next(ours.module_.parameters()).is_cuda
        for a, b in zip(_weights(ours), _weights(theirs)):
            torch.testing.assert_close(a.cpu(), b, rtol=1e-3, atol=1e-3)  # TF32 and cuDNN's own sums
