"""Fig. 2 (Section V-A): the primary circle in the pooled first-layer filters of many networks."""

import time
from dataclasses import dataclass
from numbers import Integral
from typing import ClassVar

import numpy as np

from .._validation import Interval, StrOptions, validate_params
from ..datasets import DATASETS, as_dataset
from ._common import RUN_CONSTRAINTS, check_run, check_scale, data_label, image_kwargs
from ._result import ExperimentResult

__all__ = ["PAPER", "PRIMARY_CIRCLE_PRESETS", "PrimaryCircle", "primary_circle"]

#: What the paper reports for its Fig. 2 (Section V-A).
PAPER = {
    "networks": "100 × M(64, 32, 64)",
    "iterations": 40_000,
    "training images": "60,000 (MNIST)",
    "test accuracy": "about 99.0%",
    "first-layer filters": 6400,
    "density filtration": "ρ(200, 0.3)",
    "dense core": 1920,
    "Mapper": "Mapper(30, 3): the primary circle",
    "barcodes": "one persistent H1 bar and one persistent H0 bar",
}

#: Per scale: the data, the networks and the Mapper picture. "paper" is Section V-A's 100 ×
#: M(64, 32, 64) to 40,000 iterations, ρ(200, 0.3), Mapper(30, 3). "quick" is ``sktopo demo``'s,
#: the cheapest cell of ``benchmarks/demo_defaults.py``'s grid whose verdict is "found" on at
#: least 9 of the seeds 0-9 on 2 CPU cores (docs/validation/demo.md): 12 × M(64, 0, 64) to 300 iterations,
#: k = n / 32, and a picture at resolution 6, the middle of the loop consensus's range for its
#: 230-row core (3 to 8). ``test_size``: the images an offline set holds out (500 of the MNIST
#: sample; :func:`~sktopo.datasets.as_dataset`); the torchvision sets keep their own test set.
PRIMARY_CIRCLE_PRESETS = {
    "quick": {
        "dataset": "mnist_sample",
        "spec": "M(64,0,64)",
        "n_networks": 12,
        "iterations": 300,
        "k": None,
        "resolution": 6,
        "test_size": 500,
    },
    "paper": {
        "dataset": "mnist",
        "spec": "M(64,32,64)",
        "n_networks": 100,
        "iterations": 40_000,
        "k": 200,
        "resolution": 30,
        "test_size": 0.2,
    },
}


@dataclass(frozen=True, eq=False, repr=False)
class PrimaryCircle(ExperimentResult):
    """What :func:`primary_circle` measured: the first layer's profile, its evidence and the run.

    Attributes
    ----------
    table : pandas.DataFrame
        The one-row :func:`~sktopo.profile.topology_profile` table of the first layer (column
        ``verdict``, ``shape``, ``edge_energy``...).
    settings : dict
        What ran: data, spec, networks, iterations, ρ(k, p), Mapper, device, seed, seconds.
    paper : dict
        :data:`PAPER`, the paper's numbers for Fig. 2.
    evidence : sktopo.profile.LayerTopology
        Its barcodes, band, null draws, dense core and Mapper graph.
    accuracies : list of float
        Each network's test accuracy.
    chance : float
        The accuracy of guessing: one over the number of classes.

    Examples
    --------
    >>> from sktopo.experiments import primary_circle
    >>> result = primary_circle(n_networks=2, iterations=5, random_state=0)
    >>> result.found, result.evidence.layer, len(result.accuracies)
    (False, 1, 2)
    """

    evidence: object
    accuracies: list
    chance: float
    display: ClassVar[str] = "PrimaryCircleDisplay"

    @property
    def verdict(self):
        """:class:`~sktopo.homology.Verdict` of the first layer's circle (level, reasons, margin)."""
        return self.evidence.circle

    @property
    def found(self) -> bool:
        """Whether the verdict is ``"found"`` (:func:`~sktopo.profile.shows_circle`)."""
        from ..profile import shows_circle

        return bool(shows_circle(self.table).iloc[0])

    @property
    def primary(self) -> bool:
        """Whether the circle found is the primary circle of edges (:func:`~sktopo.profile.shows_primary_circle`)."""
        from ..profile import shows_primary_circle

        return bool(shows_primary_circle(self.table).iloc[0])


@validate_params(
    {
        "dataset": [StrOptions(set(DATASETS)), tuple, list, None],
        "spec": [str, None],
        "n_networks": [Interval(Integral, 1, None, closed="left"), None],
        "iterations": [Interval(Integral, 1, None, closed="left"), None],
        "k": [Interval(Integral, 1, None, closed="left"), None],
        "resolution": [Interval(Integral, 1, None, closed="left"), None],
        "checkpoint_dir": "no_validation",
        "progress": ["boolean"],
        **RUN_CONSTRAINTS,
    },
    prefer_skip_nested_validation=True,
)
def primary_circle(
    dataset=None,
    spec=None,
    n_networks=None,
    iterations=None,
    *,
    k=None,
    resolution=None,
    scale="quick",
    data_root=None,
    device=None,
    checkpoint_dir=None,
    random_state=0,
    verbose=0,
    progress=False,
):
    """Fig. 2: train networks, pool their first-layer filters, and judge the circle they form.

    Trains ``n_networks`` networks of ``spec`` (batched where possible, see
    :class:`~sktopo.nn.NetworkEnsemble`) for ``iterations`` batch iterations of 128 images, then
    profiles their pooled first-layer spatial filters with
    :func:`~sktopo.profile.topology_profile`: normalized, the dense core ρ(``k``, 0.3), its
    barcodes judged by the calibrated significance rule, its Mapper graph at ``resolution`` with
    gain 3, and the verdict level, with the mean test accuracy against chance. Whether a circle
    found is the primary circle of edges is :attr:`PrimaryCircle.primary`.

    Parameters
    ----------
    dataset : str or (X, y), default=None
        The preset's: "mnist_sample" (the embedded 5,000 MNIST images, 4,500 to train and 500
        to test) at the quick scale, "mnist" (``data_root``) at the paper's. Another name of
        :data:`~sktopo.datasets.DATASETS` or an ``(X, y)`` pair may be given (an offline set or
        a pair is then split 80/20, as :func:`~sktopo.datasets.as_dataset` splits it).
    spec : str, default=None
        Architecture (:func:`~sktopo.nn.make_cnn`); the preset's when None.
    n_networks, iterations : int, default=None
        Networks, and batch iterations each; the preset's when None.
    k : int, default=None
        ρ(k, 0.3); None: the profile's ``k = n / 32`` of the pooled filters (the preset's at the
        paper's scale: 200, as Fig. 2).
    resolution : int, default=None
        Mapper's resolution for the picture; the preset's when None. The verdict reads the loop
        consensus over a range of resolutions (:func:`~sktopo.mapper.loop_consensus`).
    scale : {"quick", "paper"}, default="quick"
        The preset (:data:`PRIMARY_CIRCLE_PRESETS`) that the None parameters take.
    data_root : str or os.PathLike, default=None
        Folder of torchvision's files, for "mnist", "svhn" or "cifar10".
    device : str, default=None
        None: CUDA when available, else the CPU (:func:`~sktopo.nn.resolve_device`).
    checkpoint_dir : str or os.PathLike, default=None
        Where finished networks are kept, so that an interrupted run resumes
        (:class:`~sktopo.nn.NetworkEnsemble`).
    random_state : int, default=0
        Draws the networks' seeds, and seeds the analysis.
    verbose : int, default=0
        1 shows the training's progress.
    progress : bool, default=False
        Show the analysis's progress.

    Returns
    -------
    result : PrimaryCircle

    Raises
    ------
    ValueError
        For a bad scale, an unknown data set or a device that is not there; before any training,
        for ``n_networks`` or a ``resolution`` that would not fit in memory, or a ``k`` not below
        the pooled first-layer filters.

    See Also
    --------
    sktopo.profile.topology_profile : the analysis, for any network and layer.

    References
    ----------
    R. Brüel Gabrielsson and G. Carlsson, "Exposition and Interpretation of the Topology of
    Neural Networks", Section V-A and Fig. 2.

    Examples
    --------
    >>> from sktopo.experiments import primary_circle
    >>> result = primary_circle(n_networks=2, iterations=5, random_state=0)
    >>> result.verdict.level, result.settings["n_filters"]
    ('too_small', 128)
    >>> result.table[["layer", "n_dense", "shape", "verdict"]].values.tolist()
    [[1, 38, 'none', 'too_small']]

    At the paper's scale, on a GPU with MNIST in ``root``:

    >>> result = primary_circle(scale="paper", data_root=root)  # doctest: +SKIP
    """
    from ..nn import NetworkEnsemble, make_classifier, resolve_device
    from ..profile import topology_profile

    given = {"dataset": dataset, "spec": spec, "n_networks": n_networks, "iterations": iterations}
    run = PRIMARY_CIRCLE_PRESETS[check_scale(scale)] | {name: v for name, v in given.items() if v is not None}
    k = run["k"] if k is None else k
    resolution = run["resolution"] if resolution is None else resolution
    check_run(run["n_networks"], run["spec"], k=k, resolution=resolution)  # before any training
    device, start = resolve_device(device), time.perf_counter()
    held_out = {"test_size": run["test_size"]} if dataset is None else {}  # the preset's data alone
    (X_train, y_train), (X_test, y_test) = (
        as_dataset(run["dataset"], split, data_root, **held_out) for split in ("train", "test")
    )
    network = make_classifier(
        run["spec"], max_iter=run["iterations"], device=device, **image_kwargs(run["dataset"], X_train)
    )
    ensemble = NetworkEnsemble(
        network,
        n_networks=run["n_networks"],
        random_state=random_state,
        verbose=verbose,
        checkpoint_dir=checkpoint_dir,
    ).fit(X_train, y_train)
    accuracies = [float(net.score(X_test, y_test)) for net in ensemble.estimators_]
    chance = 1 / len(np.unique(y_train))
    trained = time.perf_counter()
    profile = topology_profile(
        ensemble,
        1,
        k=k,
        max_filters=None,  # the whole first layer, as the paper
        accuracy=float(np.mean(accuracies)),
        chance=chance,
        resolution=resolution,
        random_state=random_state,
        progress=progress,
    )
    row = profile.table.iloc[0]
    settings = {
        "dataset": data_label(run["dataset"]),
        "scale": scale,
        "spec": run["spec"],
        "n_networks": run["n_networks"],
        "iterations": run["iterations"],
        "batch_size": network.batch_size,
        "n_train": len(X_train),
        "n_test": len(X_test),
        "n_filters": int(row.n_filters),
        "k": int(row.k),
        **profile.settings,
        "device": device,
        "strategy": ensemble.strategy_,
        "random_state": random_state,
        "training_seconds": trained - start,
        "analysis_seconds": time.perf_counter() - trained,
    }
    return PrimaryCircle(profile.table, settings, dict(PAPER), profile.evidence[1], accuracies, chance)
