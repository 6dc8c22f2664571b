"""Pretrained VGG16 and VGG19 (ImageNet) through torchvision, from the hub cache or a local file."""

import os
from urllib.error import URLError

from ..io import load_into

__all__ = ["vgg16", "vgg19"]


def _vgg(name: str, weights, path):
    import torchvision.models as models

    builder = getattr(models, name)
    if path is not None:
        return load_into(builder(weights=None), path, name)
    if weights is None:
        return builder(weights=None).eval()
    if weights != "imagenet":
        raise ValueError(f"weights must be 'imagenet' or None; got {weights!r}.")
    enum = models.get_model_weights(name).IMAGENET1K_V1
    try:
        return builder(weights=enum).eval()
    except (URLError, OSError, RuntimeError) as exc:
        cache = os.path.join(
            os.environ.get("TORCH_HOME", os.path.expanduser("~/.cache/torch")), "hub", "checkpoints"
        )
        raise FileNotFoundError(
            f"Could not get the ImageNet weights of {name} ({exc}). Offline, put "
            f"{os.path.basename(enum.url)} (from {enum.url}) in {cache}, or pass path= to a saved state_dict."
        ) from exc


def vgg16(weights="imagenet", *, path=None):
    """VGG16 (Simonyan and Zisserman 2014), whose 13 conv layers the paper studies (Fig. 10).

    Parameters
    ----------
    weights : {"imagenet", None}, default="imagenet"
        torchvision's ImageNet weights, from torch's hub cache or downloaded when online;
        None for a randomly initialized network.
    path : str or os.PathLike, default=None
        A state_dict saved with ``torch.save`` to load instead (read with
        ``weights_only=True``).

    Returns
    -------
    model : torchvision.models.VGG, in eval mode

    Raises
    ------
    FileNotFoundError
        Offline with no cached weights; the message says which file to put where.

    Examples
    --------
    >>> from sktopo.filters import conv_layers
    >>> from sktopo.nn import vgg16
    >>> len(conv_layers(vgg16(weights=None)))
    13
    """
    return _vgg("vgg16", weights, path)


def vgg19(weights="imagenet", *, path=None):
    """VGG19, whose fifth conv layer holds the circle of Fig. 11; see :func:`vgg16`.

    Parameters
    ----------
    weights : {"imagenet", None}, default="imagenet"
    path : str or os.PathLike, default=None

    Returns
    -------
    model : torchvision.models.VGG, in eval mode

    Raises
    ------
    FileNotFoundError
        Offline with no cached weights; the message says which file to put where.

    Examples
    --------
    >>> from sktopo.filters import conv_layers
    >>> from sktopo.nn import vgg19
    >>> len(conv_layers(vgg19(weights=None)))
    16
    """
    return _vgg("vgg19", weights, path)
