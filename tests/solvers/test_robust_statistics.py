import numpy as np
import pytest

from gametheory import ConfigError, InvalidGameError
from solvers.robust_statistics import median_of_means, minimum_covariance_determinant, trimmed_mean

RNG = np.random.default_rng(42)
TRUE_MEAN = np.array([0.01, -0.02, 0.03])
TRUE_COV = np.array([[1.0, 0.5, 0.2], [0.5, 2.0, -0.3], [0.2, -0.3, 0.5]]) * 1e-2
CLEAN = RNG.multivariate_normal(TRUE_MEAN, TRUE_COV, size=400)


def _contaminate(x, fraction, value=5.0):
    bad = x.copy()
    k = int(fraction * len(x))
    bad[:k] = value + RNG.normal(scale=0.01, size=(k, x.shape[1]))  # a cluster of corrupted prints
    return bad, k


@pytest.mark.parametrize("fraction", [0.05, 0.15, 0.3])
def test_estimators_stay_close_where_the_sample_mean_breaks(fraction):
    x, k = _contaminate(CLEAN, fraction)
    sigma = np.sqrt(np.diag(TRUE_COV))
    assert (np.abs(x.mean(axis=0) - TRUE_MEAN) > 1.5 * sigma).all()  # the sample mean is dragged away
    mcd = minimum_covariance_determinant(x, contamination=min(fraction + 0.1, 0.45))
    assert (np.abs(mcd.location - TRUE_MEAN) < 0.25 * sigma).all()  # outliers removed outright
    assert not mcd.support[:k].any()  # every corrupted row flagged
    # Trimming and median-of-means keep a bias of the order of fraction * sigma, never more.
    assert (np.abs(trimmed_mean(x, fraction + 0.05) - TRUE_MEAN) < sigma).all()
    if 4 * k + 1 <= len(x):  # a clear majority of clean blocks keeps the median near the centre
        assert (np.abs(median_of_means(x, n_blocks=4 * k + 1, rng=0) - TRUE_MEAN) < sigma).all()


def test_mcd_covariance_resists_contamination():
    x, _ = _contaminate(CLEAN, 0.2)
    mcd = minimum_covariance_determinant(x, contamination=0.3)
    relative = np.linalg.norm(mcd.covariance - TRUE_COV) / np.linalg.norm(TRUE_COV)
    assert relative < 0.2
    assert np.linalg.norm(np.cov(x, rowvar=False) - TRUE_COV) / np.linalg.norm(TRUE_COV) > 10


def test_mcd_on_clean_data_is_close_to_the_sample_estimates_and_order_free():
    mcd = minimum_covariance_determinant(CLEAN, contamination=0.1)
    np.testing.assert_allclose(mcd.location, CLEAN.mean(axis=0), atol=0.01)
    sample = np.cov(CLEAN, rowvar=False)
    assert np.linalg.norm(mcd.covariance - sample) / np.linalg.norm(sample) < 0.1
    shuffled = minimum_covariance_determinant(CLEAN[::-1], contamination=0.1)
    np.testing.assert_allclose(shuffled.location, mcd.location, atol=1e-12)
    assert mcd.h == 360 and mcd.support.mean() > 0.9


def test_median_of_means_is_seeded_and_the_mean_with_one_block():
    a = median_of_means(CLEAN, 9, rng=3)
    np.testing.assert_array_equal(a, median_of_means(CLEAN, 9, rng=np.random.default_rng(3)))
    np.testing.assert_allclose(median_of_means(CLEAN, 1), CLEAN.mean(axis=0))


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: trimmed_mean(CLEAN, 0.5), ConfigError),
        (lambda: median_of_means(CLEAN, 0), ConfigError),
        (lambda: minimum_covariance_determinant(CLEAN, 0.5), ConfigError),
        (lambda: minimum_covariance_determinant(CLEAN[:3], 0.1), ConfigError),
        (lambda: trimmed_mean(np.array([[1.0, np.nan]])), InvalidGameError),
    ],
)
def test_bad_inputs(call, error):
    with pytest.raises(error):
        call()
