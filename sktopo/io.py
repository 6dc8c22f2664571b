"""Reading weights files safely: ``torch.load(..., weights_only=True)``, never full unpickling.

The one home of file reading for the whole package: :mod:`sktopo.filters`, :mod:`sktopo.nn`,
:mod:`sktopo.profile` and the command read weights through it. torch is imported when a file is
read, not when this module is.
"""

import os
import re
from collections.abc import Mapping

__all__ = ["load_into", "load_state_dict"]


def load_state_dict(path) -> dict:
    """Read a saved state_dict with ``torch.load(..., weights_only=True)``.

    Only tensors, plain containers and numbers are unpickled, so a hostile file cannot run
    code: it is refused with a ``ValueError``.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by ``torch.save(model.state_dict(), path)`` (or skorch's
        ``save_params(f_params=path)``).

    Returns
    -------
    state_dict : dict
        Parameter name -> tensor, on the CPU.

    Raises
    ------
    FileNotFoundError
        When there is no file at ``path``.
    ValueError
        When the file is not a state_dict that ``weights_only=True`` can read.

    Examples
    --------
    >>> import os, tempfile, torch
    >>> from sktopo.io import load_state_dict
    >>> path = os.path.join(tempfile.mkdtemp(), "net.pt")
    >>> torch.save(torch.nn.Conv2d(1, 4, 3).state_dict(), path)
    >>> sorted(load_state_dict(path))
    ['bias', 'weight']
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {type(path).__name__}.")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No weights file at {os.fspath(path)!r}.")
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except PermissionError:  # the file's permissions, not its content: as it is
        raise
    except Exception as exc:  # unpickling a foreign file fails in many ways (KeyError, struct.error...)
        raise ValueError(
            f"Cannot read a state_dict from {os.fspath(path)!r}: {_unreadable(exc)}. Only files written by "
            "torch.save(model.state_dict(), path) are read, with torch.load(weights_only=True), so that a "
            "file cannot run code: save the model's state_dict, not the model."
        ) from exc
    if not isinstance(state, Mapping):
        raise ValueError(f"{os.fspath(path)!r} holds a {type(state).__name__}, not a state_dict mapping.")
    return dict(state)


def _unreadable(exc) -> str:
    """Why torch.load refused a file, in sktopo's words: never torch's advice to unpickle it."""
    found = re.search(r"Unsupported global: GLOBAL ([\w.]+)", str(exc))
    if found:
        return f"it holds Python objects ({found[1]}), such as a whole pickled model, not only tensors"
    return "it is not a file of tensors written by torch.save"


def load_into(model, path, name=None):
    """``model`` with the state_dict saved at ``path`` loaded into it, in evaluation mode.

    Parameters
    ----------
    model : torch.nn.Module
        A network of the architecture the file was saved from (e.g. ``torchvision.models.vgg16()``).
    path : str or os.PathLike
        Read by :func:`load_state_dict`.
    name : str, default=None
        The architecture's name, for the error message; the model's class name when None.

    Returns
    -------
    model : torch.nn.Module
        The same object, loaded and in ``eval()`` mode.

    Raises
    ------
    ValueError
        When the file cannot be read (see :func:`load_state_dict`), or its keys or shapes are
        not those of ``model``: the message says which.

    Examples
    --------
    >>> import os, tempfile, torch
    >>> from sktopo.io import load_into
    >>> path = os.path.join(tempfile.mkdtemp(), "net.pt")
    >>> torch.save(torch.nn.Conv2d(1, 4, 3).state_dict(), path)
    >>> load_into(torch.nn.Conv2d(1, 4, 3), path).training
    False
    >>> load_into(torch.nn.Conv2d(1, 8, 3), path)
    Traceback (most recent call last):
    ...
    ValueError: '...net.pt' does not hold Conv2d weights: Error(s) in loading state_dict for Conv2d: ...
    """
    state = load_state_dict(path)
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:  # keys or shapes of another network: torch names them
        reason = " ".join(str(exc).split())
        raise ValueError(
            f"{os.fspath(path)!r} does not hold {name or type(model).__name__} weights: {reason[:400]}"
        ) from exc
    return model.eval()
