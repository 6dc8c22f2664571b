"""The networks named on the command line: weights files, folders of them, torchvision models by name."""

import os

from ._args import UsageError

#: Files of a folder read as weights (a NetworkEnsemble checkpoint_dir holds ``network_*.pt``).
WEIGHTS_SUFFIXES = (".pt", ".pth")


def add_source_arguments(parser) -> None:
    """SOURCE... and --arch, shared by ``analyze`` and ``profile``."""
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="a saved state_dict (read with torch.load(..., weights_only=True)), a folder of them "
        "(*.pt, *.pth, e.g. a NetworkEnsemble checkpoint_dir), or the name of a torchvision "
        "classification model (e.g. resnet18, vgg16, efficientnet_b0), randomly initialized from "
        "--random-state; an existing file or folder wins over a name; all are pooled",
    )
    parser.add_argument(
        "--arch",
        default=None,
        metavar="NAME",
        help="a torchvision classification model (e.g. vgg16) into which each SOURCE file is loaded, "
        "which checks that the weights fit it and orders the layers as the model does",
    )


def network_sources(sources, arch=None) -> list[str]:
    """Every weights file named (folders expanded in name order) and every model name, in order.

    A SOURCE that is no file or folder is a model name (checked when it is built), or with
    ``arch`` a UsageError. A network given twice is a UsageError: it would count twice.
    """
    items = []
    for source in sources:
        if os.path.isdir(source):
            found = sorted(f for f in os.listdir(source) if f.endswith(WEIGHTS_SUFFIXES))
            if not found:
                raise UsageError(f"folder {source!r} holds no weights file ({', '.join(WEIGHTS_SUFFIXES)})")
            items += [os.path.join(source, f) for f in found]
        elif os.path.isfile(source) or arch is None:
            items.append(source)
        else:
            raise UsageError(
                f"no such file or folder: {source!r} (with --arch, each SOURCE is a weights file)"
            )
    seen = {}
    for item in items:
        key = os.path.realpath(item) if os.path.isfile(item) else item.lower()
        if key in seen:
            raise UsageError(f"{item!r} is {seen[key]!r} again: give each network once, or it counts twice")
        seen[key] = item
    return items


def load_networks(sources, arch=None, random_state=None) -> list:
    """The state_dicts of ``sources``' files (or torchvision ``arch`` models holding them), and the
    torchvision models they name, randomly initialized from ``random_state``."""
    from ..filters import conv_layers
    from ..io import load_state_dict

    networks = []
    for item in network_sources(sources, arch):
        if not os.path.isfile(item):
            networks.append(_named(item, random_state))
            continue
        network = load_state_dict(item) if arch is None else _loaded_into(arch, item)
        if not conv_layers(network):
            raise ValueError(
                f"{item!r} holds no conv layer (no 4-D weight): there are no spatial filters to read"
            )
        networks.append(network)
    return networks


def _named(name, random_state):
    from ..nn import torchvision_model

    try:
        return torchvision_model(name, random_state=random_state)
    except ValueError as exc:
        raise UsageError(f"no such file or folder: {name!r}, nor a network by that name: {exc}") from exc


def _loaded_into(arch, path):
    from ..nn import torchvision_model

    try:
        return torchvision_model(arch, path)
    except ValueError as exc:
        raise UsageError(f"--arch {arch}: {exc}") from exc
