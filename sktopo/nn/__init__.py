"""Convolutional networks of the paper, in PyTorch and skorch."""

from ._architectures import make_cnn, parse_spec
from ._classifier import PaperCNN, PaperNetClassifier, make_classifier
from ._device import resolve_device
from ._ensemble import NetworkEnsemble
from ._pretrained import torchvision_model, vgg16, vgg19
from ._recorder import AccuracyRecorder, FilterRecorder

__all__ = [
    "AccuracyRecorder",
    "FilterRecorder",
    "NetworkEnsemble",
    "PaperCNN",
    "PaperNetClassifier",
    "make_classifier",
    "make_cnn",
    "parse_spec",
    "resolve_device",
    "torchvision_model",
    "vgg16",
    "vgg19",
]
