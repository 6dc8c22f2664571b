"""Training history: FilterRecorder and AccuracyRecorder, the same in batched and sequential training."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sktopo.nn import AccuracyRecorder, FilterRecorder, NetworkEnsemble, make_classifier

AT = [0, 2, 5]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(48, 1, 28, 28)).astype(np.float32)
    y = np.arange(48) % 10
    X[np.arange(48), 0, y, y] += 3.0  # learnable: a bright pixel on the diagonal at the label
    return X, y


def _ensemble(data, strategy, optimizer_kwargs=None):
    X, y = data
    callbacks = [
        ("layer1", FilterRecorder(1, at=AT)),
        ("layer2", FilterRecorder(2, at=AT)),
        ("accuracy", AccuracyRecorder(X[:24], y[:24], at=AT)),
    ]
    net = make_classifier(
        "M(6,4,8)", max_iter=5, batch_size=8, callbacks=callbacks, **(optimizer_kwargs or {})
    )
    return NetworkEnsemble(net, n_networks=3, strategy=strategy, random_state=0).fit(X, y)


def _history(ensemble, name):
    return [dict(net.callbacks_)[name] for net in ensemble.estimators_]


@pytest.mark.parametrize(
    "optimizer_kwargs",
    [None, {"optimizer__param_groups": [("net.0.*", {"lr": 0.0})]}],
    ids=["adam", "param-groups"],
)
def test_batched_history_equals_sequential(data, optimizer_kwargs):
    batched = _ensemble(data, "batched", optimizer_kwargs)
    sequential = _ensemble(data, "sequential", optimizer_kwargs)
    assert batched.strategy_ == "batched" and sequential.strategy_ == "sequential"
    for name in ("layer1", "layer2"):
        for b, s in zip(_history(batched, name), _history(sequential, name)):
            assert sorted(b.snapshots_) == AT == sorted(s.snapshots_)
            for it in AT:
                np.testing.assert_allclose(b.snapshots_[it], s.snapshots_[it], atol=1e-5)
    for b, s in zip(_history(batched, "accuracy"), _history(sequential, "accuracy")):
        assert sorted(b.accuracies_) == AT
        assert b.accuracies_ == pytest.approx(s.accuracies_, abs=1 / 24 + 1e-9)  # one image at most
        assert b.iteration_ == s.iteration_ == 5


def test_param_groups_are_honoured_in_batched_training(data):
    # a learning rate of 0 for the first conv layer: its kernels never move in either strategy
    ensemble = _ensemble(data, "batched", {"optimizer__param_groups": [("net.0.*", {"lr": 0.0})]})
    for recorder in _history(ensemble, "layer1"):
        np.testing.assert_array_equal(recorder.snapshots_[0], recorder.snapshots_[5])
    moved = _history(ensemble, "layer2")[0]
    assert not np.array_equal(moved.snapshots_[0], moved.snapshots_[5])


def test_accuracy_recorder_scores_what_predict_says(data):
    X, y = data
    recorder = AccuracyRecorder(X, y, at=[3])
    net = make_classifier("M(6,0,8)", max_iter=3, batch_size=8, random_state=0, callbacks=[recorder]).fit(
        X, y
    )
    assert dict(net.callbacks_)["AccuracyRecorder"].accuracies_ == {3: float(np.mean(net.predict(X) == y))}


def test_accuracy_recorder_does_not_change_training(data):
    X, y = data
    plain = make_classifier("M(6,0,8)", max_iter=4, batch_size=8, random_state=1).fit(X, y)
    scored = make_classifier(
        "M(6,0,8)", max_iter=4, batch_size=8, random_state=1, callbacks=[AccuracyRecorder(X, y, at=[0, 1, 2])]
    ).fit(X, y)
    for a, b in zip(plain.module_.parameters(), scored.module_.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_clones_share_the_test_set(data):
    X, y = data
    recorder = AccuracyRecorder(X, y, at=[1])
    twin = clone(recorder)
    assert twin.X is X and twin.y is y and twin.at == [1] and twin.at is not recorder.at
    net = clone(make_classifier("M(6,0,8)", callbacks=[("acc", recorder)]))
    assert net.callbacks[0][1].X is X
    assert pickle.loads(pickle.dumps(recorder)).get_params()["at"] == [1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"at": [-1]}, "at must be a list of batch iterations"),
        ({"at": [True]}, "at must be a list of batch iterations"),
    ],
)
def test_accuracy_recorder_refuses_bad_schedules(data, kwargs, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        AccuracyRecorder(X, y, **kwargs).initialize()


def test_accuracy_recorder_refuses_mismatched_or_wrong_images(data):
    X, y = data
    with pytest.raises(ValueError, match="same number"):
        AccuracyRecorder(X, y[:3]).initialize()
    net = make_classifier(
        "M(6,0,8)", max_iter=2, batch_size=8, callbacks=[AccuracyRecorder(X[:, :, :20, :20], y)]
    )
    with pytest.raises(ValueError, match="shape"):
        net.fit(X, y)


def test_checkpoint_manifest_fingerprints_the_test_set(data, tmp_path):
    X, y = data
    net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8, callbacks=[AccuracyRecorder(X, y, at=[2])])
    NetworkEnsemble(net, n_networks=2, random_state=0, checkpoint_dir=tmp_path).fit(X, y)
    other = clone(net).set_params(callbacks=[AccuracyRecorder(X[::-1].copy(), y, at=[2])])
    with pytest.raises(ValueError, match="another estimator"):
        NetworkEnsemble(other, n_networks=2, random_state=0, checkpoint_dir=tmp_path).fit(X, y)
    with pytest.warns(UserWarning, match="AccuracyRecorder"):
        NetworkEnsemble(net, n_networks=2, random_state=0, checkpoint_dir=tmp_path).fit(X, y)


def test_batched_augmentation_equals_sequential():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 1, 32, 32)).astype(np.float32)
    y = np.arange(40) % 10
    net = make_classifier(
        "C(4,0,8)",
        input_size=24,
        augment="cifar10",
        max_iter=3,
        batch_size=8,
        callbacks=[FilterRecorder(1, at=[3])],
    )
    batched = NetworkEnsemble(net, n_networks=2, strategy="batched", random_state=0).fit(X, y)
    sequential = NetworkEnsemble(net, n_networks=2, strategy="sequential", random_state=0).fit(X, y)
    for b, s in zip(batched.estimators_, sequential.estimators_):
        for p, q in zip(b.module_.parameters(), s.module_.parameters()):
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-5)
        np.testing.assert_allclose(b.predict_proba(X[:5]), s.predict_proba(X[:5]), atol=1e-5)
