"""torchvision's classification networks by name: randomly initialized, with a local state_dict or
with torchvision's own weights from torch's hub cache (downloaded only when asked); VGG16 and VGG19."""

import difflib
import os
from urllib.parse import urlparse

from .._validation import Integral, Interval, validate_params
from ..io import load_into, load_state_dict

__all__ = ["torchvision_model", "vgg16", "vgg19"]

#: The names :func:`torchvision_model` builds, as torchvision lists them.
_LIST = "torchvision.models.list_models(torchvision.models)"


def _builder(name: str):
    """torchvision's builder of the classification model ``name``, or a ValueError saying what is."""
    import torchvision.models as models

    names = models.list_models(models)
    if name.lower() in names:
        return getattr(models, name.lower())
    if name.lower() in models.list_models():
        family = ".".join(models.get_model_builder(name.lower()).__module__.split(".")[:3])
        raise ValueError(
            f"name={name!r} is a model of {family}, not a classification model: only those ({_LIST}) are "
            "built by name (detection and segmentation builders fetch ImageNet backbone weights by default, "
            "video models have 3-D kernels, quantized ones are the classification models in int8). Build "
            "it with torchvision and pass the module (with weights_backbone=None too, to stay offline)."
        )
    close = difflib.get_close_matches(name.lower(), names, n=3)
    hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
    raise ValueError(f"name must be a torchvision classification model, one of {_LIST}; got {name!r}.{hint}")


def _weights_enum(name: str, weights):
    """The torchvision weights that ``weights`` names; None for None or the path of an existing file."""
    import torchvision.models as models

    if weights is None or (isinstance(weights, (str, os.PathLike)) and os.path.isfile(weights)):
        return None
    enum = models.get_model_weights(name.lower())
    if isinstance(weights, enum):
        return weights
    if isinstance(weights, str) and weights in enum.__members__:
        return enum[weights]
    message = (
        f"weights must be None, the path of a saved state_dict, or one of {name}'s weights "
        f"({', '.join(enum.__members__)}, or a member of {enum.__name__}); got {weights!r}"
    )
    if isinstance(weights, (str, os.PathLike)):
        raise FileNotFoundError(f"{message}, which is neither an existing file nor such a name.")
    raise (ValueError if isinstance(weights, models.WeightsEnum) else TypeError)(f"{message}.")


def _check_hub_file(name: str, weights, download: bool) -> None:
    """Make sure torch's hub cache holds the file of ``weights``, a state_dict (``weights_only=True``).

    The file is read once here, so that torchvision, which reads it again without
    ``weights_only``, only meets plain tensors; downloaded (hash-checked) only when ``download``.
    """
    import torch

    folder = os.path.join(torch.hub.get_dir(), "checkpoints")
    file = os.path.basename(urlparse(weights.url).path)
    where = f"put {file} (from {weights.url}) in {folder}"
    if os.path.isfile(os.path.join(folder, file)):
        load_state_dict(os.path.join(folder, file))
    elif not download:
        raise FileNotFoundError(
            f"The weights {weights!r} of {name} are not in torch's hub cache: {where}, or pass "
            "download=True to download them there, or weights= the path of a saved state_dict."
        )
    else:
        try:
            torch.hub.load_state_dict_from_url(weights.url, check_hash=True, weights_only=True)
        except OSError as exc:  # offline (URLError), refused, disk full...
            raise FileNotFoundError(
                f"Could not download the weights {weights!r} of {name} ({exc}): {where}."
            ) from exc


@validate_params(
    {
        "name": [str],
        "weights": "no_validation",  # None, a path or a weights name: told apart below
        "download": ["boolean"],
        "random_state": [Interval(Integral, 0, 2**32 - 1, closed="both"), None],
    },
    prefer_skip_nested_validation=True,
)
def torchvision_model(name, weights=None, *, download=False, random_state=None):
    """A torchvision classification network by name: randomly initialized, or with given weights.

    Any of torchvision's classification models (``torchvision.models.list_models(torchvision.models)``:
    alexnet, the VGGs, ResNets, DenseNets, EfficientNets, MobileNets, ConvNeXts, vision
    transformers...), built as ``torchvision.models.get_model(name, weights=...)`` builds it, but
    offline unless asked: nothing is downloaded without ``download=True``.

    The other models torchvision lists are not built by name: detection and segmentation builders
    fetch ImageNet backbone weights by default (a download that ``weights=None`` does not
    prevent), video models' kernels are 3-D (no spatial filters), the quantized models are the
    classification models again, in int8 once quantized, and optical flow is no image
    classifier. Build one with torchvision (``weights_backbone=None`` keeps it offline) and pass
    the module to :func:`~sktopo.profile.topology_profile`.

    The name and the arguments are torchvision's ``get_model(name, weights=...)``, so that a
    PyTorch user knows them; a ``weights`` path and ``random_state`` (scikit-learn's, as in
    :func:`make_classifier`) are what sktopo adds.

    Parameters
    ----------
    name : str
        The model's name in torchvision, e.g. ``"resnet18"``, ``"vgg16"``, ``"efficientnet_b0"``,
        ``"mobilenet_v3_small"``, ``"densenet121"`` (any case).
    weights : None, str, os.PathLike or torchvision WeightsEnum, default=None
        * None: torch's default random initialization, seeded by ``random_state``.
        * the path of a state_dict saved with ``torch.save(model.state_dict(), path)``: read with
          ``weights_only=True`` and loaded by :func:`sktopo.io.load_into`, which refuses weights
          of another architecture. A str that is an existing file is read as a file.
        * torchvision's weights, by name (``"DEFAULT"``, ``"IMAGENET1K_V1"``, ...: the members of
          ``torchvision.models.get_model_weights(name)``) or as such a member: read from torch's hub
          cache (``$TORCH_HOME/hub/checkpoints``, i.e. ``torch.hub.get_dir()/checkpoints``), where
          torchvision keeps what it downloads; first checked with ``weights_only=True``, then
          loaded by torchvision (which adapts older files, such as DenseNet's, itself).
    download : bool, default=False
        Download torchvision's weights into the hub cache when they are not there (hash-checked,
        then kept). Only for weights given by name; without it a missing file is an error that
        says which file to put where.
    random_state : int or None, default=None
        Seed (0 to 2**32 - 1) of the random initialization, drawn under
        :func:`torch.random.fork_rng`: torch's global generator is left as it was. None draws the
        seed from torch's global generator (one draw), as scikit-learn's None draws from numpy's,
        so ``torch.manual_seed(0)`` first makes it reproducible. Unused when ``weights`` is given.

    Returns
    -------
    model : torch.nn.Module
        The network, in eval mode, on the CPU.

    Raises
    ------
    ValueError
        For a ``name`` that is not a torchvision classification model (the message suggests close
        names), or a state_dict that does not fit the architecture.
    FileNotFoundError
        For torchvision's weights that are not in the hub cache (without ``download=True``, or
        offline): the message names the file, the folder to put it in and its URL; and for a
        ``weights`` that is neither an existing file nor a weights name.

    See Also
    --------
    vgg16, vgg19 : the paper's networks, with their ImageNet weights by default.
    sktopo.profile.topology_profile : takes a model name too, built at random initialization.

    Examples
    --------
    >>> import os, tempfile, torch
    >>> from sktopo.filters import conv_layers
    >>> from sktopo.nn import torchvision_model
    >>> model = torchvision_model("squeezenet1_0", random_state=0)
    >>> len(conv_layers(model)), conv_layers(model)[0][1].shape, model.training
    (26, (96, 3, 7, 7), False)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "squeezenet.pt")
    ...     torch.save(model.state_dict(), path)
    ...     loaded = torchvision_model("squeezenet1_0", path)
    >>> torch.equal(loaded.features[0].weight, model.features[0].weight)
    True
    >>> torchvision_model("resnet81")
    Traceback (most recent call last):
    ...
    ValueError: name must be a torchvision classification model, ...; got 'resnet81'. Did you mean ...?
    """
    builder, enum = _builder(name), _weights_enum(name, weights)
    if enum is not None:
        _check_hub_file(name, enum, download)
        return _built(builder, name, enum)
    if weights is not None:
        return _load_file(_built(builder, name), name, weights)
    if random_state is None:  # torch's global generator, as scikit-learn's None is numpy's
        import torch

        random_state = int(torch.randint(0, 2**32, (), dtype=torch.int64))
    return _built(builder, name, seed=random_state)


def _built(builder, name: str, weights=None, seed=None):
    """``builder(weights=weights)`` in eval mode, built from its own random state (``seed``'s, if given)."""
    import torch

    with torch.random.fork_rng(devices=[]):
        if seed is not None:
            torch.manual_seed(int(seed))
        try:
            return builder(weights=weights).eval()
        except RuntimeError as exc:  # a cached file of another network: torch names the keys
            reason = " ".join(str(exc).split())[:400]
            raise ValueError(
                f"The hub cache's file of {weights!r} does not hold {name} weights: {reason}"
            ) from exc


def _load_file(model, name: str, path):
    """``model`` holding the state_dict at ``path``; a failure says what to do with torchvision's own file."""
    import torchvision.models as models

    try:
        return load_into(model, path, name.lower())
    except ValueError as exc:
        for weights in models.get_model_weights(name.lower()):
            if os.path.basename(urlparse(weights.url).path) == os.path.basename(path):
                raise ValueError(
                    f"{exc} It is torchvision's file of weights={weights.name!r}, which torchvision adapts "
                    f"as it loads it: put it in torch's hub cache and pass weights={weights.name!r}."
                ) from exc
        raise


def _vgg(name: str, weights, path, download):
    import torchvision.models as models

    if path is not None:
        return torchvision_model(name, path)
    if weights not in ("imagenet", None):
        raise ValueError(f"weights must be 'imagenet' or None; got {weights!r}.")
    enum = None if weights is None else models.get_model_weights(name).IMAGENET1K_V1
    return torchvision_model(name, enum, download=download)


def vgg16(weights="imagenet", *, path=None, download=False):
    """VGG16 (Simonyan and Zisserman 2014), whose 13 conv layers the paper studies (Fig. 10).

    :func:`torchvision_model` with the paper's network and its ImageNet weights.

    Parameters
    ----------
    weights : {"imagenet", None}, default="imagenet"
        torchvision's ImageNet weights (``IMAGENET1K_V1``), from torch's hub cache; None for a
        randomly initialized network.
    path : str or os.PathLike, default=None
        A state_dict saved with ``torch.save`` to load instead (read with
        ``weights_only=True``).
    download : bool, default=False
        Download the ImageNet weights (528 MB) into the hub cache when they are not there.

    Returns
    -------
    model : torchvision.models.VGG, in eval mode

    Raises
    ------
    FileNotFoundError
        When the ImageNet weights are not in the hub cache (without ``download=True``, or
        offline); the message says which file to put where.

    Examples
    --------
    >>> from sktopo.filters import conv_layers
    >>> from sktopo.nn import vgg16
    >>> len(conv_layers(vgg16(weights=None)))
    13
    """
    return _vgg("vgg16", weights, path, download)


def vgg19(weights="imagenet", *, path=None, download=False):
    """VGG19, whose fifth conv layer holds the circle of Fig. 11; see :func:`vgg16`.

    Parameters
    ----------
    weights : {"imagenet", None}, default="imagenet"
    path : str or os.PathLike, default=None
    download : bool, default=False
        Download the ImageNet weights (548 MB) into the hub cache when they are not there.

    Returns
    -------
    model : torchvision.models.VGG, in eval mode

    Raises
    ------
    FileNotFoundError
        When the ImageNet weights are not in the hub cache (without ``download=True``, or
        offline); the message says which file to put where.

    Examples
    --------
    >>> from sktopo.filters import conv_layers
    >>> from sktopo.nn import vgg19
    >>> len(conv_layers(vgg19(weights=None)))
    16
    """
    return _vgg("vgg19", weights, path, download)
