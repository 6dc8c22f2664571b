"""Convolutional networks of the paper, in PyTorch and skorch."""

from ._architectures import make_cnn, parse_spec
from ._classifier import PaperCNN, PaperNetClassifier, make_classifier
from ._ensemble import NetworkEnsemble
from ._pretrained import vgg16, vgg19
from ._recorder import AccuracyRecorder, FilterRecorder
from ._weights import load_state_dict

__all__ = [
    "AccuracyRecorder",
    "FilterRecorder",
    "NetworkEnsemble",
    "PaperCNN",
    "PaperNetClassifier",
    "load_state_dict",
    "make_classifier",
    "make_cnn",
    "parse_spec",
    "vgg16",
    "vgg19",
]
