"""scikit-learn's common estimator checks on every array estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sktopo import AppendFilterResponses, DensityFilter, FilterNormalizer, Mapper, PersistenceScorer

# DensityFilter removes rows: by design fit_transform returns round(p * n) of the n rows, and
# transform returns the rows at least as dense as the fitted radius. The common checks fit on
# as few as a handful of rows, hence k=2 instead of the default 200. Each expected failure below
# was seen to fail (the xfails are strict: a check that starts passing fails the suite).
_FEWER_ROWS = "fit_transform keeps round(p * n) rows; the check expects all n"
_SUBSET = "transform drops rows of the check's data, so its rows no longer line up with the input's"
_EXPECTED_FAILED_CHECKS = {
    "DensityFilter(k=2, p=0.5)": {
        "check_transformer_data_not_an_array": _FEWER_ROWS,
        "check_transformer_general": _FEWER_ROWS,
        "check_methods_sample_order_invariance": _SUBSET,
        "check_methods_subset_invariance": _SUBSET,
    },
    # with the variance-normalized metric, transform keeps every row of the check's data, so
    # the two invariance checks pass
    "DensityFilter(k=2, metric='vne', p=0.5)": {
        "check_transformer_data_not_an_array": _FEWER_ROWS,
        "check_transformer_general": _FEWER_ROWS,
    },
}


@parametrize_with_checks(
    [
        FilterNormalizer(),
        DensityFilter(k=2, p=0.5),
        DensityFilter(k=2, p=0.5, metric="vne"),
        Mapper(resolution=4),
        PersistenceScorer(n_landmarks=20),
        PersistenceScorer(n_landmarks=20, confidence=0.9, n_subsamples=3, random_state=0),
        AppendFilterResponses(),
        AppendFilterResponses(bank="gaussian", n_filters=5, random_state=0),
    ],
    expected_failed_checks=lambda estimator: _EXPECTED_FAILED_CHECKS.get(repr(estimator), {}),
    xfail_strict=True,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
