"""The whole analysis pipeline, from networks to the dense core, with pandas output."""

import numpy as np
import pandas as pd
import torch
from sklearn.pipeline import make_pipeline

from sktopo import DensityFilter, FilterNormalizer, SpatialFilterExtractor


def _pipeline():
    return make_pipeline(SpatialFilterExtractor(), FilterNormalizer(), DensityFilter(k=4, p=0.3))


def test_set_output_pandas_through_the_whole_pipeline():
    torch.manual_seed(0)
    nets = [
        torch.nn.Sequential(torch.nn.Conv2d(2, 8, 3), torch.nn.ReLU(), torch.nn.Conv2d(8, 4, 5))
        for _ in range(3)
    ]
    pipe = _pipeline().set_output(transform="pandas")
    frame = pipe.fit_transform(nets)
    array = _pipeline().fit_transform(nets)
    assert isinstance(frame, pd.DataFrame)
    names = [f"w{i}_{j}" for i in range(3) for j in range(3)]
    assert frame.columns.tolist() == names
    assert pipe.get_feature_names_out().tolist() == names
    np.testing.assert_array_equal(frame.to_numpy(), array)
    # the index labels the kept rows of the extracted filters, and so of provenance_
    np.testing.assert_array_equal(frame.index, pipe[-1].support_)
    assert len(frame) == round(0.3 * 3 * 8 * 2)
    np.testing.assert_array_equal(pipe.transform(nets[:1]), _pipeline().fit(nets).transform(nets[:1]))


def test_density_filter_keeps_the_labels_of_a_data_frame():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"], index=[f"r{i}" for i in range(30)])
    density = DensityFilter(k=3, p=0.5)
    kept = density.fit_transform(X)
    pd.testing.assert_frame_equal(kept, X.iloc[density.support_])
    pd.testing.assert_frame_equal(density.transform(X), X[density.get_mask(X)])
    assert density.get_feature_names_out().tolist() == ["a", "b", "c"]
