"""Convolutional networks of the paper, in PyTorch and skorch."""

from ._architectures import count_parameters, make_cnn, parse_spec
from ._classifier import PaperCNN, PaperNetClassifier, make_classifier
from ._device import resolve_device
from ._ensemble import PARAMETER_BYTES, NetworkEnsemble, check_networks_memory
from ._pretrained import torchvision_model, vgg16, vgg19
from ._recorder import AccuracyRecorder, FilterRecorder

__all__ = [
    "PARAMETER_BYTES",
    "AccuracyRecorder",
    "FilterRecorder",
    "NetworkEnsemble",
    "PaperCNN",
    "PaperNetClassifier",
    "check_networks_memory",
    "count_parameters",
    "make_classifier",
    "make_cnn",
    "parse_spec",
    "resolve_device",
    "torchvision_model",
    "vgg16",
    "vgg19",
]
