"""A topology profile drawn as the paper draws VGG16 (Figs. 10 and 11): one panel per layer."""

import numpy as np

from .._validation import validate_params
from ._barcodes import BarcodeDisplay

__all__ = ["ProfileDisplay", "plot_topology_profile"]

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


class ProfileDisplay:
    """A topology profile drawn layer by layer: each layer's H1 barcode with its threshold.

    One panel per row of the profile, in its order: the H1 bars of the layer's dense core
    (:class:`BarcodeDisplay` with the layer's band: the significant bars in full colour, a grey
    bracket ``2 x band`` long), titled with the layer and annotated with the shape named, the
    verdict, the top H1 lifetime and the random-filter p-value. The paper shows the same layers
    of VGG16 and VGG19 as Mapper graphs (Figs. 10 and 11); the barcodes are the evidence for
    them. scikit-learn's Display API; :func:`plot_topology_profile` is its shortcut.

    Parameters
    ----------
    profile : pandas.DataFrame
        Returned by :func:`sktopo.profile.topology_profile`, or rows of it: the barcodes are
        read from ``profile.attrs["topology"]``.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per layer.
    figure_ : matplotlib Figure
    barcodes_ : list of BarcodeDisplay
        One per layer.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import torch
    >>> from sktopo.filterbanks import primary_circle
    >>> from sktopo.plotting import ProfileDisplay
    >>> from sktopo.profile import topology_profile
    >>> net = torch.nn.Conv2d(1, 200, 3)
    >>> with torch.no_grad():
    ...     _ = net.weight.copy_(torch.tensor(primary_circle(200)).unsqueeze(1))
    >>> profile = topology_profile(net, n_subsamples=4, n_null=19, n_landmarks=60, random_state=0, progress=False)
    >>> display = ProfileDisplay.from_result(profile)
    >>> [ax.get_title() for ax in display.axes_], len(display.barcodes_)
    (['layer 1'], 1)
    """

    def __init__(self, profile):
        self.profile = profile

    @classmethod
    def from_result(cls, profile, *, axes=None):
        """Draw a :func:`~sktopo.profile.topology_profile`.

        Parameters
        ----------
        profile : pandas.DataFrame
            Returned by :func:`~sktopo.profile.topology_profile`, or rows of it.
        axes : array-like of matplotlib Axes, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : ProfileDisplay
        """
        return cls(profile).plot(axes)

    def plot(self, axes=None):
        """Draw the panels.

        Parameters
        ----------
        axes : array-like of matplotlib Axes, default=None
            One per row of the profile; a new figure with one row of panels when None.

        Returns
        -------
        self : ProfileDisplay

        Raises
        ------
        TypeError
            If ``profile`` is not a topology profile.
        ValueError
            If its ``attrs`` lack the barcodes of one of its layers, or ``axes`` does not hold
            one Axes per layer.
        """
        import matplotlib.pyplot as plt

        profile = self.profile
        topology = _check_profile(profile)
        if axes is None:
            n = len(profile)
            _, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.4), squeeze=False, layout="constrained")
        axes = np.asarray(axes, dtype=object).ravel()
        if len(axes) != len(profile) or not all(hasattr(ax, "hlines") for ax in axes):
            raise ValueError(
                f"axes must hold one matplotlib Axes per row of profile ({len(profile)}); got {len(axes)}."
            )
        self.barcodes_ = []
        for ax, (_, row) in zip(axes, profile.iterrows()):
            evidence = topology[row["layer"]]
            # a threshold no null draw count can reach (too few draws) is drawn without a bracket
            band = evidence.band if np.isfinite(evidence.band).all() else None
            self.barcodes_.append(
                BarcodeDisplay(evidence.diagrams, band=band).plot(ax, dims=[1], colors=("tab:red",))
            )
            ax.set_title(f"layer {row['layer']}")
            text = (
                f"{row['shape']}, {row['verdict']}\ntop H1 {row['h1_top']:.2f}\np = {row['null_p_value']:.2g}"
            )
            ax.text(0.97, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize="small")
        self.axes_, self.figure_ = axes, axes[0].figure
        return self


@validate_params(
    {"profile": "no_validation", "axes": ["array-like", None]}, prefer_skip_nested_validation=True
)
def plot_topology_profile(profile, axes=None):
    """Draw each layer's H1 barcode with its threshold, side by side: :class:`ProfileDisplay`'s shortcut.

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
    ProfileDisplay : the same picture as an object (``axes_``, ``figure_``, ``barcodes_``).
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
    return ProfileDisplay.from_result(profile, axes=axes).axes_
