"""Data sets: synthetic spatial-filter clouds of known topology, and images.

``_synthetic`` holds the filter clouds (``make_*_filters``), ``_images`` the image loaders.
"""

from ._images import (
    GRAY,
    load_cifar10,
    load_digits_28,
    load_mnist,
    load_mnist_sample,
    load_svhn,
    preprocess_cifar,
)
from ._named import DATASETS, as_dataset, load_dataset
from ._synthetic import (
    make_circle_filters,
    make_gaussian_filters,
    make_klein_filters,
    make_three_circle_filters,
    make_torus_filters,
    make_two_circle_filters,
)

__all__ = [
    "DATASETS",
    "GRAY",
    "as_dataset",
    "load_cifar10",
    "load_dataset",
    "load_digits_28",
    "load_mnist",
    "load_mnist_sample",
    "load_svhn",
    "make_circle_filters",
    "make_gaussian_filters",
    "make_klein_filters",
    "make_three_circle_filters",
    "make_torus_filters",
    "make_two_circle_filters",
    "preprocess_cifar",
]
