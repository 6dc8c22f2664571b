"""Appended filter responses: exactly the patch inner products, in every input form."""

import pickle

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from sktopo import AppendFilterResponses, responses
from sktopo.filterbanks import gaussian, klein_bottle, primary_circle
from sktopo.responses import append_filter_responses

_RNG = np.random.default_rng(0)
_CUSTOM = _RNG.normal(size=(3, 3, 3))  # not normalized: used as given
_BANKS = {
    "primary_circle": primary_circle(5),
    "klein_bottle": klein_bottle(5),
    "gaussian": gaussian(5, random_state=0),
}
_TOL = {np.float32: 1e-6, np.float64: 1e-12}


def _reference(X: np.ndarray, bank: np.ndarray) -> np.ndarray:
    """The paper's definition, pixel by pixel: the pixels, then each filter on each channel's patch."""
    n, c, h, w = X.shape
    out = np.zeros((n, c * (1 + len(bank)), h, w))
    out[:, :c] = X
    for s, ch, i, j, f in np.ndindex(n, c, h, w, len(bank)):
        total = 0.0
        for di, dj in np.ndindex(3, 3):
            y, x = i + di - 1, j + dj - 1
            if 0 <= y < h and 0 <= x < w:  # outside the image counts as zero
                total += bank[f, di, dj] * float(X[s, ch, y, x])
        out[s, c + ch * len(bank) + f, i, j] = total
    return out


def _images(shape=(2, 2, 5, 6), dtype=np.float64) -> np.ndarray:
    return np.random.default_rng(1).normal(size=shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["primary_circle", "klein_bottle", "gaussian", "custom"])
def test_responses_are_the_patch_inner_products(name, dtype):
    X = _images(dtype=dtype)
    if name == "custom":
        bank, out = _CUSTOM, append_filter_responses(X, _CUSTOM, n_filters=None)
    else:
        bank, out = _BANKS[name], append_filter_responses(X, name, n_filters=5, random_state=0)
    assert out.shape == (2, 2 * (1 + len(bank)), 5, 6)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, _reference(X, bank), rtol=_TOL[dtype], atol=_TOL[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_first_channels_are_the_pixels_unchanged(dtype):
    X = _images(dtype=dtype)
    np.testing.assert_array_equal(append_filter_responses(X, n_filters=3)[:, :2], X)


def test_an_mnist_image_gets_65_channels():
    out = AppendFilterResponses().fit_transform(np.zeros((2, 1, 28, 28), dtype=np.float32))
    assert out.shape == (2, 65, 28, 28)
    assert out.dtype == np.float32


@given(
    arrays(np.float64, (1, 2, 4, 5), elements=st.floats(-10, 10)),
    arrays(np.float64, (1, 2, 4, 5), elements=st.floats(-10, 10)),
    st.floats(-3, 3),
)
def test_responses_are_linear_in_the_images(X, Y, a):
    def responses(Z):
        return append_filter_responses(Z, "klein_bottle", n_filters=4)

    np.testing.assert_allclose(responses(a * X + Y), a * responses(X) + responses(Y), atol=1e-9)


@given(
    arrays(np.float64, (1, 1, 7, 8), elements=st.floats(-10, 10)),
    st.integers(0, 3),
    st.integers(0, 3),
)
def test_responses_commute_with_translation_away_from_the_border(X, dy, dx):
    def responses(Z):
        return append_filter_responses(Z, "primary_circle", n_filters=6)

    window = X[..., dy : dy + 4, dx : dx + 5]  # the image seen through a shifted window
    inner = responses(window)[..., 1:-1, 1:-1]  # pixels whose patch lies inside the window
    np.testing.assert_allclose(inner, responses(X)[..., dy + 1 : dy + 3, dx + 1 : dx + 4], atol=1e-12)


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(torch.float32, torch.float32), (torch.float64, torch.float64), (torch.int64, torch.float32)],
)
def test_a_tensor_gives_a_tensor_of_its_dtype(dtype, expected):
    X = torch.from_numpy(_images())
    X = X.to(dtype) if dtype.is_floating_point else (X > 0).to(dtype)
    out = AppendFilterResponses(n_filters=4).fit(X).transform(X)
    assert isinstance(out, torch.Tensor)
    assert out.dtype == expected
    assert out.device == X.device
    tol = _TOL[np.float64 if expected == torch.float64 else np.float32]
    np.testing.assert_allclose(
        out.numpy(), _reference(X.double().numpy(), primary_circle(4)), rtol=tol, atol=tol
    )


def test_a_tensor_needing_a_gradient_gives_a_result_without_one():
    X = torch.ones(1, 1, 3, 3, requires_grad=True)
    out = append_filter_responses(X, n_filters=2)
    assert not out.requires_grad
    assert X.grad is None


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(np.float32, np.float32), (np.float64, np.float64), (np.int32, np.float32), (bool, np.float32)],
)
def test_numpy_dtypes(dtype, expected):
    X = (_images() > 0).astype(dtype)
    out = append_filter_responses(X, n_filters=3)
    assert isinstance(out, np.ndarray)
    assert out.dtype == expected
    np.testing.assert_allclose(out, _reference(X.astype(float), primary_circle(3)), atol=1e-5)


def test_rows_with_an_image_shape_are_flattened_images():
    X = _images()
    est = AppendFilterResponses(n_filters=3, image_shape=(2, 5, 6)).fit(X.reshape(2, -1))
    out = est.transform(X.reshape(2, -1))
    assert out.shape == (2, 2 * 4 * 5 * 6)
    np.testing.assert_allclose(out, _reference(X, primary_circle(3)).reshape(2, -1), atol=1e-12)
    assert est.n_features_in_ == 60
    np.testing.assert_allclose(est.transform(X), _reference(X, primary_circle(3)), atol=1e-12)


def test_rows_without_an_image_shape_are_images_one_pixel_high():
    X = np.array([[0.0, 0.0, 1.0, 1.0]])
    est = AppendFilterResponses(n_filters=4).fit(X)
    assert est.image_shape_ == (1, 1, 4)
    out = est.transform(X)
    assert out.shape == (1, 5 * 4)
    np.testing.assert_array_equal(out[:, :4], X)
    # the vertical edge (-1, 0, 1) / sqrt(6) sees only the middle row of each patch
    np.testing.assert_allclose(out[0, 4:8] * 6**0.5, [0.0, 1.0, 1.0, -1.0], atol=1e-12)
    np.testing.assert_allclose(out, _reference(X.reshape(1, 1, 1, 4), primary_circle(4)).reshape(1, -1))


def test_a_tensor_of_rows():
    X = torch.from_numpy(_images(dtype=np.float32).reshape(2, -1))
    out = AppendFilterResponses(n_filters=3, image_shape=(2, 5, 6)).fit(X).transform(X)
    assert isinstance(out, torch.Tensor)
    assert out.shape == (2, 2 * 4 * 30)


def test_fitted_bank():
    assert np.array_equal(AppendFilterResponses(n_filters=7).fit(_images()).bank_, primary_circle(7))
    fitted = AppendFilterResponses("gaussian", 6, random_state=3).fit(_images()).bank_
    assert np.array_equal(fitted, gaussian(6, random_state=3))
    est = AppendFilterResponses(_CUSTOM.tolist(), n_filters=None).fit(_images())
    assert np.array_equal(est.bank_, _CUSTOM)
    assert est.image_shape_ == (2, 5, 6)
    assert est.n_features_in_ == 60


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.zeros((2, 5, 6)), r"images of shape \(n_samples, n_channels, height, width\)"),
        (np.zeros((1, 1, 2, 3, 3)), "got a 5-D array"),
        (np.zeros(5), "Reshape your data"),
        (np.full((1, 1, 3, 3), np.nan), "NaN"),
        (torch.full((1, 1, 3, 3), float("inf")), "finite"),
        (torch.zeros((0, 1, 3, 3)), "at least one sample"),
        (np.zeros((1, 0, 3, 3)), "none of them 0"),
    ],
)
def test_bad_images_are_refused(X, match):
    with pytest.raises(ValueError, match=match):
        AppendFilterResponses().fit(X)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.zeros((2, 5, 6)), r"images of shape \(n_samples, n_channels, height, width\)"),
        (torch.full((1, 1, 3, 3), float("nan")), "finite"),
        (np.zeros((1, 1, 0, 3)), "none of them 0"),
    ],
)
def test_the_function_refuses_bad_images(X, match):
    with pytest.raises(ValueError, match=match):
        append_filter_responses(X)


def test_complex_images_are_refused():
    with pytest.raises(TypeError, match="real numbers"):
        append_filter_responses(torch.zeros((1, 1, 3, 3), dtype=torch.complex64))


def test_transform_needs_the_fitted_image_shape():
    est = AppendFilterResponses(n_filters=2).fit(np.zeros((1, 1, 5, 6)))
    with pytest.raises(ValueError, match=r"X must be images of shape \(n_samples, 1, 5, 6\), as the images"):
        est.transform(np.zeros((1, 3, 5, 6)))
    with pytest.raises(ValueError, match="X has 31 features, but AppendFilterResponses is expecting 30"):
        est.transform(np.zeros((1, 31)))


@pytest.mark.parametrize(
    ("params", "X", "match"),
    [
        ({"bank": np.zeros((2, 9))}, _images(), r"shape \(n, 3, 3\)"),
        ({"bank": np.full((2, 3, 3), np.inf), "n_filters": 2}, _images(), "bank"),
        ({"bank": _CUSTOM}, _images(), "n_filters must be None or the bank's length, 3"),
        ({"n_filters": None}, _images(), "n_filters=None is only for an array bank"),
        ({"image_shape": (2, 5)}, _images(), "image_shape must be None or"),
        ({"image_shape": (2, 5, True)}, _images(), "image_shape must be None or"),
        ({"image_shape": (1, 5, 6)}, _images(), r"as image_shape; got shape \(2, 2, 5, 6\)"),
        ({"image_shape": (1, 5, 5)}, np.zeros((2, 30)), "expecting 25 features"),
        ({"bank": "circle"}, _images(), "bank"),
        ({"n_filters": True}, _images(), "n_filters"),
        ({"n_filters": 0}, _images(), "n_filters"),
    ],
)
def test_bad_parameters_are_refused(params, X, match):
    with pytest.raises(ValueError, match=match):
        AppendFilterResponses(**params).fit(X)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, bool])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_chunks_give_the_result_of_one_chunk(monkeypatch, dtype, as_tensor):
    X = (_images((5, 2, 5, 6)) * 3).astype(dtype)
    X = torch.from_numpy(X) if as_tensor else X
    whole = append_filter_responses(X, "gaussian", n_filters=4, random_state=0)
    monkeypatch.setattr(responses, "_CHUNK", 2)  # chunks of 2, 2 and 1 images
    chunked = append_filter_responses(X, "gaussian", n_filters=4, random_state=0)
    assert type(chunked) is type(whole) and chunked.dtype == whole.dtype
    if as_tensor:
        assert torch.equal(chunked, whole)
    else:
        np.testing.assert_array_equal(chunked, whole)
    np.testing.assert_allclose(
        np.asarray(whole), _reference(np.asarray(X, float), gaussian(4, random_state=0)), atol=1e-5
    )


@pytest.mark.parametrize(
    ("bank", "error", "match"),
    [
        (np.full((2, 3, 3), "a"), TypeError, "bank must hold real numbers.*<U1"),
        ([[[1, 2, 3]] * 3, [[1, 2]] * 3], ValueError, r"bank must be a regular array .* \(n, 3, 3\)"),
        ([np.eye(3), 5], ValueError, "bank must be a regular array"),
        ([[[1, None, 3]] * 3], TypeError, "bank must hold real numbers.*object"),
        (np.zeros((2, 3, 3), complex), TypeError, "bank must hold real numbers.*complex"),
    ],
)
def test_banks_that_are_not_arrays_of_numbers_are_refused(bank, error, match):
    with pytest.raises(error, match=match):
        append_filter_responses(_images(), bank, n_filters=None)
    with pytest.raises(error, match=match):
        AppendFilterResponses(bank, n_filters=None).fit(_images())


def test_transform_before_fit():
    with pytest.raises(NotFittedError):
        AppendFilterResponses().transform(_images())


def test_clone_get_params_and_pickle():
    est = AppendFilterResponses("gaussian", n_filters=3, image_shape=(2, 5, 6), random_state=0)
    assert est.get_params() == {
        "bank": "gaussian",
        "n_filters": 3,
        "image_shape": (2, 5, 6),
        "random_state": 0,
    }
    fitted = est.fit(_images())
    copy = clone(fitted)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "bank_")
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(_images()), fitted.transform(_images()))


def test_in_a_pipeline_before_a_skorch_classifier():
    from sktopo.nn import make_classifier

    X = np.random.default_rng(0).normal(size=(16, 1, 28, 28)).astype(np.float32)
    y = np.arange(16) % 10
    net = make_classifier("M(8,0,16)", in_channels=65, max_iter=2, batch_size=8, random_state=0, device="cpu")
    pipe = Pipeline([("responses", AppendFilterResponses()), ("net", net)]).fit(X, y)
    assert pipe.named_steps["responses"].image_shape_ == (1, 28, 28)
    assert pipe.predict(X[:4]).shape == (4,)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_a_cuda_tensor_stays_on_its_device():
    X = torch.from_numpy(_images()).cuda()
    out = AppendFilterResponses(n_filters=3).fit(X).transform(X)
    assert out.device == X.device
    np.testing.assert_allclose(out.cpu().numpy(), _reference(_images(), primary_circle(3)), atol=1e-12)
