"""The C networks against TensorFlow's CIFAR-10 tutorial: "SAME" pooling, learning rate, weight decay."""

import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from sktopo.nn import make_classifier, make_cnn

POOLS = {1: (3, 2), 2: (2, 1)}  # block: (kernel, stride) of Table II


def _tf_same_max_pool(x: np.ndarray, kernel: int, stride: int) -> np.ndarray:
    """TensorFlow's ``max_pool(padding="SAME")`` of one (H, W) map, by its definition: padded
    cells never win, the padding is split with the extra cell at the bottom and right."""
    n = x.shape[0]
    out = -(-n // stride)
    total = max((out - 1) * stride + kernel - n, 0)
    top = total // 2
    padded = np.full((n + total, n + total), -np.inf)
    padded[top : top + n, top : top + n] = x
    return np.array(
        [
            [
                padded[i * stride : i * stride + kernel, j * stride : j * stride + kernel].max()
                for j in range(out)
            ]
            for i in range(out)
        ]
    )


def _pooling(model, block):
    """The pooling layers (ZeroPad2d, MaxPool2d) of conv block ``block`` of a C model."""
    layers = [i for i, m in enumerate(model) if isinstance(m, nn.MaxPool2d)]
    end = layers[block - 1]
    assert isinstance(model[end - 1], nn.ZeroPad2d) and isinstance(model[end - 2], nn.ReLU)
    return model[end - 1 : end + 1]


def test_first_pooling_windows_by_hand():
    x = torch.arange(24.0 * 24).reshape(1, 1, 24, 24)
    out = _pooling(make_cnn("C(1,1,4)", input_size=24), 1)(x)[0, 0]
    # TensorFlow: 12 outputs, windows at rows 0-2, 2-4, ..., 22-23 (+1 padded row at the bottom)
    assert out.shape == (12, 12) and out[0, 0] == 2 * 24 + 2 and out[-1, -1] == 23 * 24 + 23
    x = torch.arange(25.0 * 25).reshape(1, 1, 25, 25)
    out = _pooling(make_cnn("C(1,1,4)", input_size=25), 1)(x)[0, 0]
    # 13 outputs, one padded row at the top and one at the bottom: windows at -1..1, 1..3, ..., 23..25
    assert out.shape == (13, 13) and out[0, 0] == 1 * 25 + 1 and out[-1, -1] == 24 * 25 + 24


@pytest.mark.parametrize("size", [24, 25])
@pytest.mark.parametrize("block", [1, 2])
def test_pooling_matches_tensorflow_same(size, block):
    model = make_cnn("C(2,2,4)", input_size=size)
    in_size = size if block == 1 else -(-size // 2)
    x = torch.relu(torch.randn(3, 2, in_size, in_size, generator=torch.Generator().manual_seed(size)))
    out = _pooling(model, block)(x).numpy()
    expected = [[_tf_same_max_pool(m, *POOLS[block]) for m in image] for image in x.numpy()]
    np.testing.assert_array_equal(out, np.array(expected, dtype=np.float32))


@settings(max_examples=25, deadline=None)
@given(size=st.integers(1, 20), block=st.sampled_from([1, 2]), seed=st.integers(0, 2**16))
def test_zero_padding_after_relu_is_tensorflows_ignored_padding(size, block, seed):
    """Values and gradients equal those of pooling that never lets a padded cell win (-inf)."""
    model = make_cnn("C(2,2,4)", input_size=size)
    in_size = size if block == 1 else -(-size // 2)
    pad, pool = _pooling(model, block)
    z = torch.randn(2, 2, in_size, in_size, generator=torch.Generator().manual_seed(seed), requires_grad=True)
    weights = torch.randn(pool(pad(z)).shape, generator=torch.Generator().manual_seed(seed + 1))
    ours = (pool(pad(torch.relu(z))) * weights).sum()
    (grad_ours,) = torch.autograd.grad(ours, z)
    theirs = (pool(F.pad(torch.relu(z), pad.padding, value=-torch.inf)) * weights).sum()
    (grad_theirs,) = torch.autograd.grad(theirs, z)
    assert torch.equal(ours, theirs) and torch.equal(grad_ours, grad_theirs)
    expected = [
        [_tf_same_max_pool(m, *POOLS[block]) for m in image] for image in torch.relu(z).detach().numpy()
    ]
    np.testing.assert_array_equal(pool(pad(torch.relu(z))).detach().numpy(), np.float32(expected))


def test_learning_rate_and_weight_decay_groups():
    net = make_classifier("C(8,4,16)", input_size=24).initialize()
    assert net.lr == 0.1 and isinstance(net.optimizer_, torch.optim.SGD)
    fc = net.module_.net[-3]
    decayed, rest = net.optimizer_.param_groups
    assert (
        len(decayed["params"]) == 1 and decayed["params"][0] is fc.weight and decayed["weight_decay"] == 4e-3
    )
    assert len(rest["params"]) == 7 and rest["weight_decay"] == 0 and rest["momentum"] == 0
    for kwargs in ({"module__max_pool": False}, {"input_size": 13}):
        net = make_classifier("C(8,0,16)", **kwargs).initialize()
        assert net.optimizer_.param_groups[0]["params"][0] is net.module_.net[-3].weight
    assert make_classifier("C(8,4,0)").optimizer__param_groups == []


def test_make_classifier_leaves_torch_generator_alone():
    state = torch.random.get_rng_state()
    make_classifier("C(8,4,16)", input_size=24)
    assert torch.equal(state, torch.random.get_rng_state())


class _ZeroLoss(nn.Module):
    """A loss whose gradient is zero: an SGD step then applies only the weight decay."""

    def forward(self, logits, y):
        return logits.sum() * 0


@pytest.mark.parametrize("spec, decayed", [("C(4,2,8)", True), ("C(4,2,0)", False)])
def test_one_step_decays_only_the_hidden_layer_weight(spec, decayed):
    X = np.random.default_rng(0).normal(size=(8, 1, 12, 12)).astype(np.float32)
    kwargs = {"input_size": 12, "batch_size": 8, "criterion": _ZeroLoss, "random_state": 0}
    before = make_classifier(spec, 1, **kwargs).initialize().module_.state_dict()
    net = make_classifier(spec, 1, **kwargs).fit(X, np.arange(8) % 10)
    after = net.module_.state_dict()
    hidden = f"{len(net.module_.net) - 3}.weight" if decayed else None
    for name, value in after.items():
        if name.removeprefix("net.") == hidden:  # TensorFlow: w - lr * 0.004 * w
            torch.testing.assert_close(value, before[name] * (1 - 0.1 * 4e-3), rtol=1e-6, atol=0)
            assert not torch.equal(value, before[name])
        else:
            assert torch.equal(value, before[name]), name


def _tf_standardize(image: np.ndarray) -> np.ndarray:
    """``tf.image.per_image_standardization`` of one image, in float64."""
    return (image - image.mean()) / max(image.std(), 1 / np.sqrt(image.size))


def _augmenting(**kwargs):
    kwargs = {
        "max_iter": 2,
        "input_size": 8,
        "batch_size": 6,
        "random_state": 0,
        "augment": "cifar10",
        **kwargs,
    }
    return make_classifier("C(4,0,8)", **kwargs)


@pytest.fixture(scope="module")
def large():
    rng = np.random.default_rng(2)
    return rng.normal(size=(6, 2, 11, 11)).astype(np.float32), np.arange(6) % 10


def test_augmented_images_are_standardized_flipped_crops(large):
    X = large[0]
    out = _augmenting(in_channels=2).augment_batch(
        torch.as_tensor(X), generator=torch.Generator().manual_seed(1)
    )
    assert out.shape == (6, 2, 8, 8)
    seen = set()
    for image, crop in zip(X.astype(np.float64), out.numpy()):
        windows = [
            (i, j, flip)
            for i in range(4)
            for j in range(4)
            for flip in (False, True)
            if np.allclose(
                _tf_standardize(image[:, i : i + 8, j : j + 8][..., :: -1 if flip else 1]), crop, atol=1e-5
            )
        ]
        assert len(windows) == 1
        seen.add(windows[0])
    assert len(seen) > 1


def test_augmentation_is_drawn_per_batch(large):
    net = _augmenting(in_channels=2, max_iter=3).initialize()
    inputs = []
    net.module_.register_forward_pre_hook(lambda module, args: inputs.append(args[0].clone()))
    net.partial_fit(*large)  # three batches of the same six images
    assert len(inputs) == 3 and all(x.shape == (6, 2, 8, 8) for x in inputs)
    assert not torch.equal(inputs[0], inputs[1]) and not torch.equal(inputs[1], inputs[2])
    again = _augmenting(in_channels=2, max_iter=3).fit(*large).module_.state_dict()
    assert all(torch.equal(v, again[k]) for k, v in net.module_.state_dict().items())


def test_prediction_sees_the_standardized_central_crop(large):
    X, y = large
    net = _augmenting(in_channels=2).fit(X, y)
    central = np.stack([_tf_standardize(image[:, 1:9, 1:9]) for image in X.astype(np.float64)])
    with torch.no_grad():
        expected = torch.softmax(net.module_(torch.as_tensor(central, dtype=torch.float32)), dim=1)
    np.testing.assert_allclose(net.predict_proba(X), expected.numpy(), rtol=1e-5, atol=1e-6)


def test_standardization_floor_and_bad_augment_input():
    net = _augmenting()
    flat = net.augment_batch(torch.full((2, 1, 8, 8), 3.0), training=False)
    assert torch.equal(flat, torch.zeros(2, 1, 8, 8))
    with pytest.raises(ValueError, match=r"\(n_samples, 1, 8, 8\).*larger squares"):
        net.fit(np.zeros((6, 1, 7, 7), np.float32), np.arange(6))
    with pytest.raises(ValueError, match="augment"):
        _augmenting(augment="flip").fit(np.zeros((6, 1, 8, 8), np.float32), np.arange(6))
    with pytest.raises(ValueError, match=r"\(n_samples, 1, 8, 8\), as"):
        _augmenting(augment=None).fit(np.zeros((6, 1, 9, 9), np.float32), np.arange(6))


@pytest.mark.parametrize(
    "shape",
    [
        (2, 1, 11, 9),  # not square: once cropped along both axes from the width alone
        (2, 1, 9, 11),
        (2, 1, 7, 7),  # smaller than module__input_size
        (1, 11, 11),  # 3-D
        (2, 2, 11, 11),  # another number of channels
    ],
)
@pytest.mark.parametrize("training", [True, False])
def test_augment_refuses_other_shapes(shape, training):
    message = r"X must be square images of shape \(n, 1, size, size\) with size >= module__input_size=8"
    with pytest.raises(
        ValueError, match=rf"{message} \(module__in_channels=1\).*got shape {re.escape(str(shape))}"
    ):
        _augmenting().augment_batch(torch.zeros(shape), training=training)


def test_augment_refuses_arrays():
    with pytest.raises(TypeError, match=r"X must be a torch\.Tensor of images to augment; got ndarray"):
        _augmenting().augment_batch(np.zeros((2, 1, 8, 8), np.float32))
