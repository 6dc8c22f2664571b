"""
A network's topology, layer by layer
====================================

The paper studies VGG16 and VGG19 layer by layer (Figs. 10 and 11): which conv layers' spatial
filters form the primary circle, which form nothing. :func:`~sktopo.profile.topology_profile`
does this for any network in one call: for each conv layer it pools the spatial filters of
every network given, subsamples them to at most ``max_filters``, normalizes them, keeps the
dense core ρ(k, 0.3), and reports the top H1 lifetime, its confidence band, the random-filter
test, the shape named, the share of edge energy and the loops of the core's Mapper graph.
It returns a :class:`~sktopo.profile.TopologyProfile`: its ``table`` has one row per layer,
``verdicts`` each layer's verdict with its reasons, ``evidence`` the barcodes, bands and Mapper
graphs behind them, and ``plot()`` draws each layer's barcode with its band, or its Mapper graph
(a :class:`~sktopo.plotting.ProfileDisplay`).

Here the network is the paper's two-conv-layer M(64, 32, 64), trained briefly on the embedded
MNIST sample: a few seconds of training, not the paper's 40,000 iterations, so the profile
says what these networks have learned by then. For VGG16 with ImageNet weights, pass
:func:`sktopo.nn.vgg16` (the weights must be in torch's hub cache, or given by ``path=``, or
``download=True``); for any torchvision network at random initialization, its name
(``topology_profile("resnet18")``, :func:`sktopo.nn.torchvision_model`).

Run by hand: ``python examples/layer_profile.py [--networks 4] [--iterations 200]``.
"""

# %%
# Train the networks
# ------------------
# One :class:`~sktopo.nn.NetworkEnsemble`, trained as one batched computation.
import argparse
import os

from sktopo.datasets import load_mnist_sample
from sktopo.nn import NetworkEnsemble, make_classifier
from sktopo.profile import topology_profile

parser = argparse.ArgumentParser(description="The topology profile of small trained CNNs.")
parser.add_argument("--networks", type=int, default=4, help="networks trained (default: %(default)s)")
parser.add_argument(
    "--iterations", type=int, default=200, help="batch iterations each (default: %(default)s)"
)
parser.add_argument(
    "--max-filters", type=int, default=5000, help="spatial filters used per layer (default: %(default)s)"
)
parser.add_argument(
    "--n-null", type=int, default=19, help="random-filter clouds of the null test (default: %(default)s)"
)
parser.add_argument("--out", default="sktopo_output", help="folder for the figure (default: %(default)s)")
args = parser.parse_args()

X, y = load_mnist_sample()
network = make_classifier("M(64,32,64)", max_iter=args.iterations)
ensemble = NetworkEnsemble(network, n_networks=args.networks, random_state=0).fit(X, y)

# %%
# The profile
# -----------
# ``profile.table`` has one row per conv layer. Layer 1 has 64 spatial filters per network,
# layer 2 has 64 x 32 = 2,048. ``k`` defaults to n / 32 of each layer's filters;
# ``null_p_value`` is the share of random-filter clouds (plus one) whose top H1 lifetime reaches
# the layer's, so 19 clouds can give p = 0.05 at best and fewer cannot (the default, 99,
# resolves 0.01). ``threshold`` is what a bar must exceed to be significant, ``max(2 band, what
# random filters reach)``, and ``verdict`` the level: found, borderline, not_found or too_small.
profile = topology_profile(
    ensemble, max_filters=args.max_filters, n_null=args.n_null, random_state=0, progress=False
)
columns = ["layer", "n_filters", "n_used", "k", "n_dense", "h1_top", "threshold", "n_significant_h1"]
table = profile.table
print(table[columns].to_string(index=False))
print(table[["layer", "null_p_value", "shape", "edge_energy", "verdict", "seconds"]].to_string(index=False))

# %%
# Each verdict says why, in plain words:
for layer, verdict in profile.verdicts.items():
    print(f"layer {layer}: {verdict.level}")
    for reason in verdict.reasons:
        print(f"  - {reason}")

# %%
# The barcodes, layer by layer
# ----------------------------
# Each panel is one layer's H1 barcode over Z/2: the bars longer than the significance threshold
# in full colour, the others faded, and a grey bracket as long as the threshold.
display = profile.plot()
os.makedirs(args.out, exist_ok=True)
display.figure_.savefig(os.path.join(args.out, "profile.png"), dpi=100)

# %%
# The Mapper graphs, layer by layer
# ---------------------------------
# The same layers as the paper draws VGG16's (Figs. 10 and 11): each layer's dense core as a
# Mapper graph with mean filters. ``profile.select([1])`` would keep the first layer alone.
display = profile.plot(kind="mapper")
