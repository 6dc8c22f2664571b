"""Append to each pixel the responses of fixed 3 × 3 filters: the paper's Section VI preprocessing.

"We preprocessed each input image with a set of fixed 3x3 weights whose inner product with each
3x3 patch of the input image was appended to the central pixel value of the patch" (Brüel
Gabrielsson & Carlsson, Section VI, Fig. 13). An image of shape ``(C, H, W)`` becomes one of
shape ``(C * (1 + n_filters), H, W)``: the ``C`` input channels unchanged first, then for each
input channel ``c`` and each filter ``f`` of the bank the channel ``C + c * n_filters + f``,
whose value at a pixel is the inner product of ``f`` with the 3 × 3 patch of channel ``c``
centred there, outside the image counting as zero. With the 64 filters of the primary circle an
MNIST digit ``(1, 28, 28)`` becomes ``(65, 28, 28)``.

The inner products are a cross-correlation, computed by :func:`torch.nn.functional.conv2d`
(one group per input channel). torch is imported when responses are computed, not with this
module.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from . import filterbanks
from ._validation import Integral, Interval, StrOptions, check_memory, fit_context, is_tensor, validate_params

__all__ = ["AppendFilterResponses", "append_filter_responses"]

_BANKS = {
    "primary_circle": filterbanks.primary_circle,
    "klein_bottle": filterbanks.klein_bottle,
    "gaussian": filterbanks.gaussian,
}
_BANK = [StrOptions(set(_BANKS)), "array-like"]
_N_FILTERS = [Interval(Integral, 1, None, closed="left"), None]
_IMAGES = "images of shape (n_samples, n_channels, height, width)"
_CHUNK = 256  # images per float64 convolution: 256 MNIST images with 64 filters take 104 MB


def _resolve_bank(bank, n_filters, random_state) -> np.ndarray:
    """The bank as a float64 array of shape (n_filters, 3, 3): drawn by name, or checked as given."""
    if isinstance(bank, str):
        if n_filters is None:
            raise ValueError(
                f"n_filters=None is only for an array bank (its length); give a count for {bank!r}."
            )
        kwargs = {"random_state": random_state} if bank == "gaussian" else {}
        return _BANKS[bank](n_filters, **kwargs)
    array = _bank_array(bank)
    if array.shape[1:] != (3, 3):
        raise ValueError(
            f"bank must be an array of 3 x 3 filters, of shape (n, 3, 3); got shape {array.shape}."
        )
    if n_filters is not None and n_filters != len(array):
        raise ValueError(
            f"n_filters must be None or the bank's length, {len(array)}; got n_filters={n_filters}."
        )
    return array


def _bank_array(bank) -> np.ndarray:
    """An array-like ``bank`` as a finite float64 array, refused with a message naming ``bank``."""
    try:
        array = np.asarray(bank)
    except ValueError as exc:  # numpy refuses a ragged list
        raise ValueError(f"bank must be a regular array of 3 x 3 filters, of shape (n, 3, 3); {exc}") from exc
    if array.dtype.kind not in "biuf":
        raise TypeError(f"bank must hold real numbers, 3 x 3 filters; got an array of dtype {array.dtype}.")
    return check_array(array, dtype=np.float64, ensure_2d=False, allow_nd=True, input_name="bank")


def _check_tensor(X):
    """``X``, a torch tensor, checked: real numbers, all finite, at least one sample."""
    if X.ndim and not len(X):
        raise ValueError(f"X must hold at least one sample; got shape {tuple(X.shape)}.")
    if X.is_complex():
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
    if X.is_floating_point() and X.numel() and not bool(X.isfinite().all()):
        raise ValueError("X must be finite; got NaN or infinite values.")
    return X


def _check_array(X) -> np.ndarray:
    """``X`` as a numeric numpy array of any number of dimensions, finite."""
    X = check_array(X, dtype="numeric", ensure_2d=False, allow_nd=True, input_name="X")
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold real numbers; got dtype {X.dtype}.")
    return X


def _check_images(X):
    """``X`` checked as 4-D images, numpy or torch."""
    X = _check_tensor(X) if is_tensor(X) else _check_array(X)
    if X.ndim != 4:
        raise ValueError(f"X must be {_IMAGES}; got shape {tuple(X.shape)}.")
    return _check_sides(X)


def _check_sides(X):
    """``X``, 4-D images, checked to have a channel and a pixel."""
    if 0 in X.shape[1:]:
        raise ValueError(f"X must be {_IMAGES}, none of them 0; got shape {tuple(X.shape)}.")
    return X


def _responses(X, bank: np.ndarray):
    """The images ``X`` (numpy or torch, checked) with their bank responses appended.

    ``_CHUNK`` images at a time are computed in float64 and written into the output, of the
    output dtype: the working memory stays that of one chunk, whatever the number of images.
    """
    import torch

    out = _empty_output(X, len(bank))
    for start in range(0, len(X), _CHUNK):
        chunk = slice(start, start + _CHUNK)
        if is_tensor(X):
            out[chunk] = _conv(X[chunk], bank)  # cast as by Tensor.to
        else:
            out[chunk] = _conv(
                torch.from_numpy(np.ascontiguousarray(X[chunk], dtype=np.float64)), bank
            ).numpy()
    return out


def _empty_output(X, n_filters: int):
    """The uninitialized output for images ``X``: ``X``'s type, device and dtype (integers: float32)."""
    shape = (len(X), X.shape[1] * (1 + n_filters), *X.shape[2:])
    if is_tensor(X):
        import torch

        dtype = X.dtype if X.is_floating_point() else torch.float32
        return torch.empty(shape, dtype=dtype, device=X.device)
    return np.empty(shape, dtype=X.dtype if X.dtype.kind == "f" else np.float32)


def _conv(images, bank: np.ndarray):
    """``images`` (a tensor) and their responses, computed in float64 (Apple's MPS has none: float32).

    float64 makes the inner products exact to float32's rounding on every device: a CUDA float32
    convolution may run in TF32 (``torch.backends.cudnn.allow_tf32``), about three digits.
    """
    import torch

    work = torch.float32 if images.device.type == "mps" else torch.float64
    n_channels = images.shape[1]
    with torch.no_grad():
        images = images.to(dtype=work)
        weight = torch.as_tensor(bank, dtype=work, device=images.device)
        weight = weight.unsqueeze(1).repeat(n_channels, 1, 1, 1)  # filter f of channel c: c * F + f
        responses = torch.nn.functional.conv2d(images, weight, padding=1, groups=n_channels)
        return torch.cat([images, responses], dim=1)


@validate_params(
    {"X": ["array-like"], "bank": _BANK, "n_filters": _N_FILTERS, "random_state": ["random_state"]},
    prefer_skip_nested_validation=True,
)
def append_filter_responses(X, bank="primary_circle", n_filters=64, *, random_state=None):
    """Append to each pixel the inner products of its 3 × 3 patch with each filter of a bank.

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_samples, n_channels, height, width)
        Finite images. A tensor stays on its device; no gradient flows through the result.
    bank : {"primary_circle", "klein_bottle", "gaussian"} or array-like of shape (n, 3, 3), \
default="primary_circle"
        A bank of :mod:`sktopo.filterbanks`, drawn with ``n = n_filters``, or finite filters of
        your own, used as they are (not normalized).
    n_filters : int or None, default=64
        The number of filters of a named bank. For an array bank, None or the bank's length.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``"gaussian"`` bank; unused by the others.

    Returns
    -------
    X_out : ndarray or torch.Tensor of shape (n_samples, n_channels * (1 + n_filters), height, width)
        Of the type and dtype of ``X`` (integer or boolean ``X`` gives float32). Channels
        ``0 .. n_channels - 1`` are ``X``; channel ``n_channels + c * n_filters + f`` is filter
        ``f``'s response on channel ``c``, zero padding at the border. Computed in float64 on
        every device, then cast back.

    Raises
    ------
    ValueError
        For images that are not 4-D or not finite, a bank that is ragged, not of shape (n, 3, 3)
        or not finite, or an ``n_filters`` that does not fit the bank.
    TypeError
        For images or a bank that do not hold real numbers.

    See Also
    --------
    AppendFilterResponses : the same as a transformer, for Pipelines.
    sktopo.filterbanks : the named banks.

    Notes
    -----
    The inner products are computed in float64, so float32 results are exact to their own
    rounding on a GPU too, where a float32 convolution may run in TF32 (about three digits).
    They are computed 256 images at a time, each chunk written into the output in its dtype:
    beyond the output, the memory used is that of one chunk in float64.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo.responses import append_filter_responses
    >>> X = np.zeros((1, 1, 4, 4), dtype=np.float32)
    >>> X[0, 0, :, 2:] = 1.0  # a vertical edge, dark to bright
    >>> out = append_filter_responses(X, "primary_circle", n_filters=4)
    >>> out.shape, out.dtype
    ((1, 5, 4, 4), dtype('float32'))
    >>> (out[0, 1] * 6**0.5).round(3) + 0.0  # the vertical edge filter (-1, 0, 1) on each row
    array([[ 0.,  2.,  2., -2.],
           [ 0.,  3.,  3., -3.],
           [ 0.,  3.,  3., -3.],
           [ 0.,  2.,  2., -2.]], dtype=float32)
    """
    X = _check_images(X)
    if isinstance(n_filters, Integral):  # the responses take n_filters times the images' memory
        check_memory(
            "n_filters",
            n_filters,
            (1 + n_filters) * X.nbytes,
            "the images and their responses",
            each=X.nbytes,
            unit="filters",
        )
    return _responses(X, _resolve_bank(bank, n_filters, random_state))


class AppendFilterResponses(TransformerMixin, BaseEstimator):
    """Append to each pixel the responses of a fixed bank of 3 × 3 filters (Section VI).

    The transformer of :func:`append_filter_responses`: images ``(n, C, H, W)`` become
    ``(n, C * (1 + n_filters), H, W)``, the pixels first, then filter ``f``'s response on
    channel ``c`` as channel ``C + c * n_filters + f``. Placed before a classifier whose first
    layer takes ``C * (1 + n_filters)`` channels (65 for MNIST and 64 filters).

    ``fit`` draws the bank (``bank_``) and records the image shape; ``transform`` accepts only
    that shape. Input and output are numpy arrays or torch tensors, of one type and dtype
    (integers become float32).

    Rows of a 2-D array ``(n_samples, n_features)`` are read as flattened images, and the
    output is flattened the same way, ``(n_samples, C * (1 + n_filters) * H * W)``: with
    ``image_shape=(C, H, W)`` as images of that shape (``n_features = C * H * W``); with
    ``image_shape=None`` each row as a one-channel image one pixel high, ``(1, 1, n_features)``,
    whose patches then see only a pixel's left and right neighbours (the rows above and below
    are padding). That reading is what lets scikit-learn's estimator checks, which pass 2-D
    tables, run on this transformer; it is seldom what you want for real features.

    Parameters
    ----------
    bank : {"primary_circle", "klein_bottle", "gaussian"} or array-like of shape (n, 3, 3), \
default="primary_circle"
        A bank of :mod:`sktopo.filterbanks` with ``n = n_filters``, or finite filters of your own,
        used as they are.
    n_filters : int or None, default=64
        The number of filters of a named bank. For an array bank, None or the bank's length.
    image_shape : tuple of int (n_channels, height, width) or None, default=None
        How to read the rows of 2-D input; 4-D input must have this shape when it is given.
    random_state : int, RandomState instance or None, default=None
        Seeds the ``"gaussian"`` bank, drawn once in ``fit``.

    Attributes
    ----------
    bank_ : ndarray of shape (n_filters, 3, 3)
        The filters, float64.
    image_shape_ : tuple of int
        ``(n_channels, height, width)`` of the images seen in ``fit``.
    n_features_in_ : int
        Values per image, ``n_channels * height * width``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Defined only when ``fit`` got a DataFrame with string column names.

    See Also
    --------
    append_filter_responses : the functional form.
    sktopo.nn.make_classifier : a network to place after it, with ``in_channels=65``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktopo import AppendFilterResponses
    >>> X = np.random.default_rng(0).normal(size=(3, 1, 28, 28)).astype(np.float32)
    >>> responses = AppendFilterResponses().fit(X)
    >>> responses.bank_.shape, responses.transform(X).shape
    ((64, 3, 3), (3, 65, 28, 28))
    >>> np.array_equal(responses.transform(X)[:, :1], X)  # the pixels come first, unchanged
    True
    """

    _parameter_constraints = {
        "bank": _BANK,
        "n_filters": _N_FILTERS,
        "image_shape": [tuple, list, None],
        "random_state": ["random_state"],
    }

    def __init__(self, bank="primary_circle", n_filters=64, image_shape=None, random_state=None):
        self.bank = bank
        self.n_filters = n_filters
        self.image_shape = image_shape
        self.random_state = random_state

    @fit_context
    def fit(self, X, y=None):
        """Draw the bank and record the shape of the images.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_channels, height, width) \
or (n_samples, n_features)
            Finite images, or rows read as images (see the class description).
        y : None
            Ignored.

        Returns
        -------
        self : AppendFilterResponses
        """
        image_shape = self._checked_image_shape()
        vars(self).pop("feature_names_in_", None)  # from an earlier fit on a DataFrame
        self.bank_ = _resolve_bank(self.bank, self.n_filters, self.random_state)
        self._check_input(X, reset=True, image_shape=image_shape)
        return self

    def transform(self, X):
        """Append the bank's responses to each pixel of ``X``.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, n_channels, height, width) \
or (n_samples, n_features)
            Images of the shape seen in ``fit``, or rows of as many values.

        Returns
        -------
        X_out : ndarray or torch.Tensor of shape (n_samples, n_channels * (1 + n_filters), height, \
width) or (n_samples, n_channels * (1 + n_filters) * height * width)
            Of the type and dtype of ``X``, integers as float32; 2-D input gives 2-D output.
        """
        check_is_fitted(self)
        images, flat = self._check_input(X, reset=False)
        out = _responses(images, self.bank_)
        return out.reshape(len(out), -1) if flat else out

    def _checked_image_shape(self):
        """The ``image_shape`` parameter as a tuple of three positive ints, or None."""
        shape = self.image_shape
        if shape is None:
            return None
        if len(shape) != 3 or not all(
            isinstance(n, Integral) and not isinstance(n, bool) and n > 0 for n in shape
        ):
            raise ValueError(
                f"image_shape must be None or (n_channels, height, width), three positive ints; got {shape!r}."
            )
        return tuple(int(n) for n in shape)

    def _check_input(self, X, *, reset: bool, image_shape=None):
        """``X`` as 4-D images and whether it came flattened; records or checks the image shape."""
        ndim = X.ndim if hasattr(X, "ndim") else np.asarray(X).ndim
        if ndim not in (2, 4) and (ndim > 2 or is_tensor(X)):  # 0-D and 1-D arrays: sklearn's message
            raise ValueError(f"X must be {_IMAGES}, or a 2-D array of rows; got a {ndim}-D array.")
        if is_tensor(X):
            X = _check_tensor(X)
        elif ndim <= 2:
            X = validate_data(self, X, dtype="numeric", reset=reset)
        else:
            X = _check_array(X)
        if ndim == 2:
            return self._unflatten(X, reset, image_shape), True
        self._check_shape(X, reset, image_shape)
        return X, False

    def _unflatten(self, X, reset: bool, image_shape):
        """2-D rows as images of the fitted (or given) shape."""
        if reset:
            self.image_shape_ = image_shape or (1, 1, X.shape[1])
            self.n_features_in_ = int(np.prod(self.image_shape_))
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but AppendFilterResponses is expecting "
                f"{self.n_features_in_} features as input, images of shape {self.image_shape_} flattened."
            )
        return X.reshape(len(X), *self.image_shape_)

    def _check_shape(self, X, reset: bool, image_shape):
        """Record (fit) or check (transform) the shape of 4-D images."""
        expected = image_shape if reset else self.image_shape_
        if expected is not None and tuple(X.shape[1:]) != expected:
            where = "image_shape" if reset else "the images seen in fit"
            raise ValueError(
                f"X must be images of shape (n_samples, {', '.join(map(str, expected))}), as {where}; "
                f"got shape {tuple(X.shape)}."
            )
        _check_sides(X)
        if reset:
            self.image_shape_ = tuple(int(n) for n in X.shape[1:])
            self.n_features_in_ = int(np.prod(self.image_shape_))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
