"""Which device a computation runs on: the one resolver for the networks, experiments and command."""

import torch

__all__ = ["resolve_device"]


def resolve_device(device=None) -> str:
    """``device`` checked, or CUDA when available and ``device`` is None, else the CPU.

    Parameters
    ----------
    device : str or None, default=None
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``; None picks CUDA when present.

    Returns
    -------
    device : str

    Raises
    ------
    ValueError
        For a device that is unknown, or CUDA where there is none (or too few GPUs).

    Examples
    --------
    >>> import torch
    >>> from sktopo.nn import resolve_device
    >>> resolve_device() == ("cuda" if torch.cuda.is_available() else "cpu")
    True
    >>> resolve_device("cpu")
    'cpu'
    """
    if device is None:
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
        kind, index = parsed.type, parsed.index
    except (RuntimeError, TypeError):
        kind, index = None, None
    cuda = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if kind not in ("cpu", "cuda") or (kind == "cuda" and (not cuda or (index or 0) >= cuda)):
        available = (
            f"'cpu', 'cuda' or 'cuda:N' with N below {cuda}" if cuda else "'cpu' (no CUDA device here)"
        )
        raise ValueError(f"device must be None or {available}; got {device!r}.")
    return device
