"""A topology profile drawn as the paper draws VGG16 (Figs. 10 and 11): one panel per layer."""

import numpy as np

from .._validation import StrOptions, validate_params
from ._barcodes import BarcodeDisplay
from ._mapper import MapperGraphDisplay

__all__ = ["ProfileDisplay", "plot_topology_profile"]

#: What a panel can show of each layer.
KINDS = ("barcodes", "mapper")


def _check_profile(profile):
    """``profile`` if it is a :class:`~sktopo.profile.TopologyProfile` with a layer, or a clear error."""
    if not all(hasattr(profile, name) for name in ("table", "evidence", "layers")):
        raise TypeError(
            "profile must be a TopologyProfile returned by sktopo.profile.topology_profile (its .select() "
            f"keeps some layers); got {type(profile).__name__}."
        )
    if not len(profile):
        raise ValueError("profile has no rows: there is no layer to draw.")
    return profile


class ProfileDisplay:
    """A topology profile drawn layer by layer: each layer's H1 barcode, or its Mapper graph.

    One panel per layer of the profile, in its order. ``kind="barcodes"``: the H1 bars of the
    layer's dense core (:class:`BarcodeDisplay` with the layer's band: the significant bars in
    full colour, a grey bracket ``2 x band`` long), annotated with the shape named, the
    verdict, the top H1 lifetime and the random-filter p-value. ``kind="mapper"``: the core's
    Mapper graph with mean filters (:class:`MapperGraphDisplay`), as the paper shows the layers
    of VGG16 and VGG19 (Figs. 10 and 11); the barcodes are the evidence for them.
    scikit-learn's Display API; :func:`plot_topology_profile` is its shortcut.

    Parameters
    ----------
    profile : TopologyProfile
        Returned by :func:`sktopo.profile.topology_profile` (``.select(layers)`` for some of its
        layers).
    kind : {"barcodes", "mapper"}, default="barcodes"

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One per layer.
    figure_ : matplotlib Figure
    panels_ : list of BarcodeDisplay, MapperGraphDisplay or None
        One per layer; None for a skipped layer, whose panel says why.

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
    >>> [ax.get_title() for ax in display.axes_], len(display.panels_)
    (['layer 1'], 1)
    >>> type(profile.plot(kind="mapper").panels_[0]).__name__
    'MapperGraphDisplay'
    """

    def __init__(self, profile, *, kind="barcodes"):
        self.profile = profile
        self.kind = kind

    @classmethod
    def from_result(cls, profile, *, kind="barcodes", axes=None):
        """Draw a :func:`~sktopo.profile.topology_profile`.

        Parameters
        ----------
        profile : TopologyProfile
            Returned by :func:`~sktopo.profile.topology_profile`.
        kind : {"barcodes", "mapper"}, default="barcodes"
            What each panel shows.
        axes : array-like of matplotlib Axes, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : ProfileDisplay
        """
        return cls(profile, kind=kind).plot(axes)

    def plot(self, axes=None):
        """Draw the panels.

        Parameters
        ----------
        axes : array-like of matplotlib Axes, default=None
            One per layer of the profile; a new figure when None: one row of barcode panels,
            or Mapper graphs four to a row.

        Returns
        -------
        self : ProfileDisplay

        Raises
        ------
        TypeError
            If ``profile`` is not a :class:`~sktopo.profile.TopologyProfile`.
        ValueError
            If it has no layer, ``kind`` is not one of "barcodes" and "mapper", or ``axes`` does
            not hold one Axes per layer.
        """
        import matplotlib.pyplot as plt

        profile = _check_profile(self.profile)
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}; got {self.kind!r}.")
        n = len(profile)
        if axes is None and self.kind == "barcodes":
            _, axes = plt.subplots(1, n, figsize=(3.2 * n, 3.4), squeeze=False, layout="constrained")
        elif axes is None:
            columns = min(4, n)
            rows = -(-n // columns)
            _, axes = plt.subplots(rows, columns, figsize=(4 * columns, 4 * rows), squeeze=False)
            for ax in axes.flat[n:]:
                ax.set_axis_off()
            axes = axes.flat[:n]
        axes = np.asarray(axes, dtype=object).ravel()
        if len(axes) != n or not all(hasattr(ax, "hlines") for ax in axes):
            raise ValueError(
                f"axes must hold one matplotlib Axes per layer of profile ({n}); got {len(axes)}."
            )
        self.panels_ = []
        for ax, (_, row) in zip(axes, profile.table.iterrows()):
            evidence = profile.evidence.get(row["layer"])
            if evidence is None:  # a skipped layer: its reason instead of a picture
                self.panels_.append(None)
                ax.set_axis_off()
                ax.text(
                    0.5,
                    0.5,
                    f"skipped:\n{row['skipped']}",
                    transform=ax.transAxes,
                    ha="center",
                    va="center",
                    fontsize="x-small",
                    wrap=True,
                )
            elif self.kind == "mapper":
                self.panels_.append(MapperGraphDisplay.from_estimator(evidence.mapper, ax=ax, n_filters=4))
            else:
                rule = evidence.verdict.significance[2]
                self.panels_.append(BarcodeDisplay.from_result(rule, ax=ax, dims=[1], colors=("tab:red",)))
                text = f"{row['shape']}, {row['verdict']}\ntop H1 {row['h1_top']:.2f}\np = {row['null_p_value']:.2g}"
                ax.text(0.97, 0.97, text, transform=ax.transAxes, ha="right", va="top", fontsize="small")
            ax.set_title(f"layer {row['layer']}")
        self.axes_, self.figure_ = axes, axes[0].figure
        return self


@validate_params(
    {"profile": "no_validation", "axes": ["array-like", None], "kind": [StrOptions(set(KINDS))]},
    prefer_skip_nested_validation=True,
)
def plot_topology_profile(profile, axes=None, *, kind="barcodes"):
    """Draw each layer's H1 barcode with its threshold, side by side: :class:`ProfileDisplay`'s shortcut.

    Parameters
    ----------
    profile : TopologyProfile
        Returned by :func:`sktopo.profile.topology_profile`.
    axes : array-like of matplotlib Axes, default=None
        One per layer of ``profile``; a new figure when None.
    kind : {"barcodes", "mapper"}, default="barcodes"
        Each layer's H1 barcode with its threshold, or its Mapper graph.

    Returns
    -------
    axes : ndarray of matplotlib Axes
        One per layer.

    Raises
    ------
    TypeError
        If ``profile`` is not a :class:`~sktopo.profile.TopologyProfile`.
    ValueError
        If it has no layer, or ``axes`` does not hold one Axes per layer.

    See Also
    --------
    ProfileDisplay : the same picture as an object (``axes_``, ``figure_``, ``panels_``).
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
    return ProfileDisplay.from_result(profile, kind=kind, axes=axes).axes_
