"""NetworkEnsemble on a dask.distributed cluster (the optional ``distributed`` extra)."""

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from joblib import parallel_config  # noqa: E402

from sktopo import SpatialFilterExtractor  # noqa: E402
from sktopo.nn import NetworkEnsemble, make_classifier  # noqa: E402


@pytest.mark.parametrize("strategy, group_size", [("sequential", 1), ("batched", 2)])
def test_ensemble_spreads_networks_over_a_local_dask_cluster(tmp_path, strategy, group_size):
    X = np.random.default_rng(0).normal(size=(32, 1, 28, 28)).astype(np.float32)
    y = np.arange(32) % 10
    net = make_classifier("M(4,0,8)", max_iter=2, batch_size=8)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
        ) as cluster,
        distributed.Client(cluster) as client,
        parallel_config(backend="dask"),
    ):
        ensemble = NetworkEnsemble(
            net,
            n_networks=4,
            strategy=strategy,
            n_jobs=2,
            random_state=0,
            checkpoint_dir=tmp_path,
            group_size=group_size,
        )
        ensemble.fit(X, y)
        workers = client.run(lambda: True)
    assert len(workers) == 2 and len(ensemble.estimators_) == 4
    assert len(list(tmp_path.glob("network_*.pt"))) == 4
    # the same seeds trained one by one here give the same networks
    local = NetworkEnsemble(net, n_networks=4, strategy="sequential", random_state=0).fit(X, y)
    np.testing.assert_allclose(
        SpatialFilterExtractor().fit_transform(ensemble),
        SpatialFilterExtractor().fit_transform(local),
        rtol=1e-5,
    )
