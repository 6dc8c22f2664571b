"""A topology profile drawn as the paper draws VGG16 (Figs. 10 and 11): one panel per layer."""

import numpy as np

from .._validation import validate_params
from ._barcodes import plot_barcodes

__all__ = ["plot_topology_profile"]

#: The columns a panel is annotated with.
_ANNOTATED = ["layer", "shape", "h1_top", "null_p_value"]


def _check_profile(profile) -> dict:
    """The per-layer evidence of a :func:`~sktopo.profile.topology_profile`, or a clear error."""
    columns = getattr(profile, "columns", None)
    missing = [c for c in _ANNOTATED if columns is None or c not in columns]
    if missing:
        raise TypeError(
            f"profile must be a DataFrame returned by sktopo.profile.topology_profile; it lacks {missing}."
        )
    topology = getattr(profile, "attrs", {}).get("topology")
    if not isinstance(topology, dict) or not set(profile["layer"]) <= set(topology):
        raise ValueError(
            "profile.attrs['topology'] does not hold the barcodes of every layer of the profile (pandas "
            "drops attrs where frames with different attrs are combined); draw the frame that "
            "topology_profile returned, or a selection of its rows."
        )
    if not len(profile):
        raise ValueError("profile has no rows: there is no layer to draw.")
    return topology


@validate_params(
    {"profile": "no_validation", "axes": ["array-like", None]}, prefer_skip_nested_validation=True
)
def plot_topology_profile(profile, axes=None):
    """Draw each layer's H1 barcode with its confidence band, side by side, layer by layer.

    One panel per row of ``profile``, in its order: the H1 bars of the layer's dense core
    (:func:`plot_barcodes` with ``band=``: the significant bars in full colour, a grey bracket
    ``2 x band`` long), titled with the layer and annotated with the shape named (``shape``),
    the top H1 lifetime and the random-filter p-value. The paper shows the same layers of VGG16
    and VGG19 as Mapper graphs (Figs. 10 and 11); the barcodes are the evidence for them.

    Parameters
    ----------
    profile : pandas.DataFrame
        Returned by :func:`sktopo.profile.topology_profile`, or rows of it: the barcodes are
        read from ``profile.attrs["topology"]``.
    axes : array-like of matplotlib Axes, default=None
        One per row of ``profile``; a new figure with one row of panels when None.

    Returns
    -------
    axes : ndarray of matplotlib Axes
        One per layer.

    Raises
    ------
    TypeError
        If ``profile`` is not a topology profile.
    ValueError
        If its ``attrs`` lack the barcodes of one of its layers, or ``axes`` does not hold one
        Axes per layer.

    See Also
    --------
    sktopo.profile.topology_profile : computes the profile.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import torch
    >>> from sktopo.filterbanks import primary_circle
    >>> from sktopo.plotting import plot_topology_profile
    >>> from sktopo.profile import topology_profile
    >>> net = torch.nn.Sequential(torch.nn.Conv2d(1, 200, 3), torch.nn.ReLU(), torch.nn.Conv2d(200, 2, 3))
    >>> with torch.no_grad():
    ...     _ = net[0].weight.copy_(torch.tensor(primary_circle(200)).unsqueeze(1))
    >>> profile = topology_profile(net, n_subsamples=4, n_null=19, n_landmarks=60, random_state=0, progress=False)
    >>> [ax.get_title() for ax in plot_topology_profile(profile)]
    ['layer 1', 'layer 2']
    """
    import matplotlib.pyplot as plt

    topology = _check_profile(profile)
    if axes is None:
        n = len(profile)
        _, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.4), squeeze=False, layout="constrained")
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) != len(profile) or not all(hasattr(ax, "hlines") for ax in axes):
        raise ValueError(
            f"axes must hold one matplotlib Axes per row of profile ({len(profile)}); got {len(axes)}."
        )
    for ax, (_, row) in zip(axes, profile.iterrows()):
        evidence = topology[row["layer"]]
        # a threshold no null draw count can reach (too few draws) is drawn without a bracket
        band = evidence.band if np.isfinite(evidence.band).all() else None
        plot_barcodes(evidence.diagrams, ax=ax, dims=[1], colors=("tab:red",), band=band)
        ax.set_title(f"layer {row['layer']}")
        text = f"{row['shape']}, {row['verdict']}\ntop H1 {row['h1_top']:.2f}\np = {row['null_p_value']:.2g}"
        ax.text(0.97, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize="small")
    return axes
