"""The networks named on the command line: weights files, folders of them, torchvision architectures."""

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
        help="a saved state_dict (read with torch.load(..., weights_only=True)) or a folder of them "
        "(*.pt, *.pth, e.g. a NetworkEnsemble checkpoint_dir); all are pooled",
    )
    parser.add_argument(
        "--arch",
        default=None,
        metavar="NAME",
        help="a torchvision architecture (e.g. vgg16) into which each SOURCE is loaded, which checks "
        "that the weights fit it and orders the layers as the model does",
    )


def weights_files(sources) -> list[str]:
    """Every weights file named, folders expanded in name order; a missing path is a UsageError."""
    files = []
    for source in sources:
        if os.path.isdir(source):
            found = sorted(f for f in os.listdir(source) if f.endswith(WEIGHTS_SUFFIXES))
            if not found:
                raise UsageError(f"folder {source!r} holds no weights file ({', '.join(WEIGHTS_SUFFIXES)})")
            files += [os.path.join(source, f) for f in found]
        elif os.path.isfile(source):
            files.append(source)
        else:
            raise UsageError(f"no such file or folder: {source!r}")
    seen = {}
    for path in files:
        real = os.path.realpath(path)
        if real in seen:
            raise UsageError(f"{path!r} is {seen[real]!r} again: give each network once, or it counts twice")
        seen[real] = path
    return files


def load_networks(sources, arch=None) -> list:
    """The state_dicts of ``sources``, or torchvision ``arch`` models holding them."""
    from ..filters import conv_layers
    from ..io import load_state_dict

    files = weights_files(sources)
    if arch is None:
        networks = [load_state_dict(f) for f in files]
    else:
        builder = _architecture(arch)
        networks = [_load_into(builder, arch, f) for f in files]
    for path, network in zip(files, networks):
        if not conv_layers(network):
            raise UsageError(
                f"{path!r} holds no conv layer (no 4-D weight): there are no spatial filters to read"
            )
    return networks


def _architecture(arch):
    import torchvision.models

    if arch not in torchvision.models.list_models(torchvision.models):
        raise UsageError(
            f"--arch must be a torchvision classification architecture such as vgg16, vgg19 or resnet18; "
            f"got {arch!r}"
        )
    return lambda: torchvision.models.get_model(arch, weights=None)


def _load_into(builder, arch, path):
    from ..io import load_into

    try:
        return load_into(builder(), path, arch)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
