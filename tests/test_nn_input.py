"""Every bad input to sktopo.nn is refused with an error that names it and says what is expected."""

from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch import NeuralNetClassifier

from sktopo.nn import (
    FilterRecorder,
    NetworkEnsemble,
    PaperNetClassifier,
    make_classifier,
    make_cnn,
    parse_spec,
)

X = np.random.default_rng(0).normal(size=(32, 1, 28, 28)).astype(np.float32)
Y = np.arange(32) % 10


def _with(value, dtype=np.float32):
    bad = X.astype(dtype)
    bad[0, 0, 3, 3] = value
    return bad


def _net(**params):
    return make_classifier("M(4,0,8)", **{"max_iter": 2, "batch_size": 8, **params})


def _fit(X=X, y=Y, **params):
    return _net(**params).fit(X, y)


def _fit_ensemble(X=X, y=Y, estimator=None, **params):
    params = {"n_networks": 2, "random_state": 0, **params}
    return NetworkEnsemble(estimator or _net(), **params).fit(X, y)


def _record(**recorder):
    return _fit(callbacks=[FilterRecorder(**recorder)])


def _resume_after(glob, overwrite):
    """Fit a checkpointed ensemble in ./checkpoints, overwrite the file ``glob`` names, fit again."""
    ensemble = NetworkEnsemble(_net(), n_networks=1, random_state=0, checkpoint_dir="checkpoints").fit(X, Y)
    overwrite(next(Path("checkpoints").glob(glob)))
    ensemble.fit(X, Y)


def _checkpoint_dir_is_a_file():
    Path("file").write_text("")
    _fit_ensemble(checkpoint_dir="file")


_SHAPE = r"X must be images of shape \(n_samples, 1, 28, 28\), as module__in_channels=1 and module__input_size=28 say"
_LABELS = r"y must hold integer class labels 0, 1, \.\.\.; got dtype"
_NOT_A_STATE_DICT = "checkpoints.*network_0000.*"

BAD_INPUT = [
    # architectures
    *[
        (parse_spec, {"spec": spec}, ValueError, "spec")
        for spec in ("M(64,32)", "X(1,2,3)", "M(0,32,64)", 64, "M(a,1,1)")
    ],
    (make_cnn, {"spec": "M(4,0,8)", "input_size": 1}, ValueError, r"input_size=1 is too small .* at least 2"),
    (make_cnn, {"spec": "M(4,4,8)", "input_size": 3}, ValueError, r"input_size=3 is too small .* at least 4"),
    (make_cnn, {"spec": "M(4,0,8)", "input_size": 0}, ValueError, "'input_size' parameter of make_cnn"),
    (make_cnn, {"spec": "M(4,0,8)", "in_channels": True}, ValueError, "'in_channels' parameter of make_cnn"),
    (make_cnn, {"spec": "M(4,0,8)", "max_pool": "no"}, ValueError, "'max_pool' parameter of make_cnn"),
    (make_cnn, {"spec": "M(4,0,8)", "n_classes": 0}, ValueError, "'n_classes' parameter of make_cnn"),
    (_fit, {"module__input_size": 1}, ValueError, "input_size=1 is too small"),
    # the classifier's parameters (True is not an int here)
    (
        _fit,
        {"max_iter": True},
        ValueError,
        r"'max_iter' parameter of PaperNetClassifier must be an int in the range \[1, inf\)\. Got True",
    ),
    (
        _fit,
        {"max_iter": 0},
        ValueError,
        r"'max_iter' parameter of PaperNetClassifier must be an int in the range \[1, inf\)\. Got 0",
    ),
    (
        _fit,
        {"random_state": -1},
        ValueError,
        r"'random_state' parameter of PaperNetClassifier must be an int in the range \[0, 4294967295\] or None",
    ),
    (_fit, {"random_state": "0"}, ValueError, "'random_state' parameter of PaperNetClassifier must be"),
    # images
    (_fit, {"X": X[:0], "y": Y[:0]}, ValueError, r"X holds no images \(shape \(0, 1, 28, 28\)\)"),
    (_fit, {"X": X.reshape(32, -1)}, ValueError, _SHAPE + r"; got shape \(32, 784\)"),
    (_fit, {"X": X[:, 0]}, ValueError, _SHAPE + r"; got shape \(32, 28, 28\)"),
    (_fit, {"X": np.repeat(X, 3, axis=1)}, ValueError, _SHAPE + r"; got shape \(32, 3, 28, 28\)"),
    (_fit, {"X": X.astype(str)}, TypeError, "X must hold numbers"),
    (_fit, {"X": _with(np.nan)}, ValueError, "X contains NaN or infinite values"),
    (_fit, {"X": _with(np.inf)}, ValueError, "X contains NaN or infinite values"),
    (_fit, {"X": _with(1e300, np.float64)}, ValueError, "X contains NaN or infinite values"),
    # labels
    (_fit, {"y": Y.astype(str)}, TypeError, _LABELS + " <U"),
    (_fit, {"y": Y.astype(float)}, TypeError, _LABELS + " float64"),
    (
        _fit,
        {"y": Y + 5},
        ValueError,
        r"y holds labels \[10, 11, 12, 13, 14\] outside 0, \.\.\., 9 \(module__n_classes=10\)",
    ),
    (_fit, {"y": Y - 1}, ValueError, r"y holds labels \[-1\] outside 0, \.\.\., 9"),
    (_fit, {"y": Y[:20]}, ValueError, r"y must hold one label per image, shape \(32,\); got shape \(20,\)"),
    # prediction before fit
    (lambda: _net().predict(X), {}, NotFittedError, "not initialized"),
    (lambda: NetworkEnsemble(_net()).predict(X), {}, NotFittedError, "not fitted"),
    (lambda: NetworkEnsemble(_net()).predict_proba(X), {}, NotFittedError, "not fitted"),
    (lambda: _fit().predict(X.reshape(32, -1)), {}, ValueError, _SHAPE),
    # the recorder
    (
        _record,
        {"layer": 0},
        ValueError,
        r"'layer' parameter of FilterRecorder must be an int in the range \[1, inf\)",
    ),
    (_record, {"layer": -1}, ValueError, "'layer' parameter of FilterRecorder"),
    (_record, {"layer": True}, ValueError, "'layer' parameter of FilterRecorder"),
    (_record, {"layer": 3, "at": [1]}, ValueError, "layer=3 is out of range"),
    (_record, {"layer": 5}, ValueError, "layer=5 is out of range"),  # at=None: refused before training
    (_record, {"layer": "bogus"}, ValueError, "layer='bogus' is not a conv layer"),
    (_fit, {"max_epochs": 0}, ValueError, "'max_epochs' parameter of PaperNetClassifier"),
    (_fit, {"max_epochs": True}, ValueError, "'max_epochs' parameter of PaperNetClassifier"),
    (_record, {"at": [-1]}, ValueError, r"at must be a list of batch iterations \(ints >= 0\)"),
    (_record, {"at": [True]}, ValueError, r"at must be a list of batch iterations \(ints >= 0\)"),
    (_record, {"at": 5}, ValueError, "'at' parameter of FilterRecorder must be an array-like or None"),
    # the ensemble
    (_fit_ensemble, {"n_networks": 0}, ValueError, "'n_networks' parameter"),
    (_fit_ensemble, {"n_networks": True}, ValueError, "'n_networks' parameter"),
    (_fit_ensemble, {"strategy": "magic"}, ValueError, "'strategy' parameter"),
    (_fit_ensemble, {"group_size": 0}, ValueError, "'group_size' parameter"),
    (_fit_ensemble, {"n_jobs": True}, ValueError, "'n_jobs' parameter"),
    (_fit_ensemble, {"n_jobs": 0}, ValueError, "'n_jobs' parameter"),
    (_fit_ensemble, {"checkpoint_dir": 3}, ValueError, "'checkpoint_dir' parameter"),
    (
        _fit_ensemble,
        {"checkpoint_dir": "ckpt", "random_state": None},
        ValueError,
        "needs an int random_state",
    ),
    (_fit_ensemble, {"estimator": NeuralNetClassifier(torch.nn.Linear)}, TypeError, "random_state parameter"),
    (_fit_ensemble, {"X": X[:0], "y": Y[:0]}, ValueError, "X holds no images"),
    (_fit_ensemble, {"X": X.reshape(32, -1)}, ValueError, _SHAPE),
    (_fit_ensemble, {"X": _with(np.nan)}, ValueError, "X contains NaN"),
    (_fit_ensemble, {"y": Y.astype(str)}, TypeError, _LABELS),
    (_fit_ensemble, {"y": Y + 5}, ValueError, "y holds labels"),
    # checkpoint folders
    (_checkpoint_dir_is_a_file, {}, ValueError, "checkpoint_dir='file' is a file; it must be a folder"),
    (
        _resume_after,
        {"glob": "estimator.json", "overwrite": lambda p: p.write_text("{not json")},
        ValueError,
        "estimator.json' is not a checkpoint manifest of this version of NetworkEnsemble",
    ),
    (
        _resume_after,
        {"glob": "estimator.json", "overwrite": lambda p: p.write_text("[1, 2]")},
        ValueError,
        "estimator.json' is not a checkpoint manifest",
    ),
    (
        _resume_after,
        {"glob": "network_*.pt", "overwrite": lambda p: p.write_bytes(b"not a weights file")},
        ValueError,
        "Cannot read a state_dict from '" + _NOT_A_STATE_DICT,
    ),
    (
        _resume_after,
        {"glob": "network_*.pt", "overwrite": lambda p: torch.save([1, 2], p)},
        ValueError,
        _NOT_A_STATE_DICT + "holds a list, not a state_dict",
    ),
    (
        _resume_after,
        {"glob": "network_*.pt", "overwrite": lambda p: torch.save(make_cnn("M(8,0,8)").state_dict(), p)},
        ValueError,
        _NOT_A_STATE_DICT + "does not hold weights of this estimator's network",
    ),
]


@pytest.mark.parametrize(
    "func, kwargs, exception, match",
    BAD_INPUT,
    ids=[f"{i}-{getattr(row[0], '__name__', 'call')}" for i, row in enumerate(BAD_INPUT)],
)
def test_bad_input_is_refused_clearly(func, kwargs, exception, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # checkpoint folders are made here
    with pytest.raises(exception, match=match):
        func(**kwargs)


def test_numpy_integer_seed_is_a_seed():
    weights = [_fit(random_state=seed).module_.net[0].weight.detach() for seed in (3, np.int64(3))]
    assert torch.equal(*weights)


def test_another_module_takes_its_own_input_shape():
    # the image checks apply to PaperCNN; another module gets numbers of any shape, still finite
    net = PaperNetClassifier(
        torch.nn.Linear,
        module__in_features=4,
        module__out_features=2,
        criterion=torch.nn.CrossEntropyLoss,
        train_split=None,
        max_iter=2,
        batch_size=8,
        random_state=0,
    )
    net.fit(np.ones((16, 4), dtype=np.float32), np.arange(16) % 2)
    assert net.predict(np.ones((3, 4), dtype=np.float32)).shape == (3,)
    with pytest.raises(ValueError, match="X contains NaN"):
        net.predict(np.full((3, 4), np.nan, dtype=np.float32))


class _Bag(torch.nn.Module):
    """Integer token indices in, class scores out: input that must stay integer."""

    def __init__(self):
        super().__init__()
        self.bag = torch.nn.EmbeddingBag(10, 2)

    def forward(self, X):
        return self.bag(X)


class _TwoInputs(torch.nn.Module):
    """skorch's dict input: each key is a keyword argument of forward."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)

    def forward(self, a, b):
        return self.linear(a + b)


@pytest.mark.parametrize(
    "module, X",
    [
        (_Bag, np.arange(32).reshape(16, 2) % 10),
        (_TwoInputs, {"a": np.ones((16, 4), dtype=np.float32), "b": np.zeros((16, 4), dtype=np.float32)}),
    ],
    ids=["integer indices", "dict of inputs"],
)
def test_another_module_gets_its_input_as_skorch_passes_it(module, X):
    net = PaperNetClassifier(
        module,
        criterion=torch.nn.CrossEntropyLoss,
        train_split=None,
        max_iter=2,
        batch_size=8,
        random_state=0,
    )
    assert net.fit(X, np.arange(16) % 2).predict(X).shape == (16,)


def test_parameters_changed_after_fitting_are_checked_again():
    net = _fit(random_state=0).set_params(max_iter=0)
    with pytest.raises(ValueError, match="'max_iter' parameter of PaperNetClassifier"):
        net.partial_fit(X, Y)


def test_a_permission_error_on_a_weights_file_stays_one(tmp_path, monkeypatch):
    from sktopo.io import load_state_dict

    path = tmp_path / "locked.pt"
    torch.save({}, path)

    def locked(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(torch, "load", locked)
    with pytest.raises(PermissionError):
        load_state_dict(path)


def test_load_into_names_the_architecture_that_does_not_fit(tmp_path):
    from sktopo.io import load_into

    path = tmp_path / "conv.pt"
    torch.save(torch.nn.Conv2d(1, 4, 3).state_dict(), path)
    loaded = load_into(torch.nn.Conv2d(1, 4, 3).train(), path)
    assert not loaded.training
    with pytest.raises(ValueError, match=r"does not hold vgg-like weights: .*size mismatch for weight"):
        load_into(torch.nn.Conv2d(1, 8, 3), path, name="vgg-like")
