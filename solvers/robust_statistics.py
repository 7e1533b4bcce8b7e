"""Estimators of location and scatter that resist a stated fraction of corrupted observations.

They feed the uncertainty sets of :func:`solvers.robust.robust_allocation` (the centre of a
mean set, the covariance that shapes an ellipsoid) when some scenarios or return
observations may be corrupted (bad ticks, manipulated prints, regime outliers).

- :func:`trimmed_mean`: drops the ``proportion`` smallest and largest values of every
  coordinate; up to ``proportion`` of corrupted rows (on each side) move it by a bounded
  amount (of the order of ``proportion`` standard deviations), however large they are.
- :func:`median_of_means`: the coordinate-wise median of ``n_blocks`` block means; it
  tolerates up to ``(n_blocks - 1) // 2`` corrupted blocks, hence any ``k`` corrupted rows
  when ``n_blocks > 2k``: the median then lies within the range of the clean block means,
  and near their centre when clean blocks are a clear majority (e.g. ``n_blocks >= 4k``).
- :func:`minimum_covariance_determinant`: the MCD estimator (Rousseeuw 1984) of location and
  covariance from the ``h = ceil((1 - contamination) n)`` observations whose covariance has
  the smallest determinant, found by C-steps (Rousseeuw & Van Driessen 1999) from
  deterministic starts (in the spirit of DetMCD, Hubert, Rousseeuw & Verdonck 2012), then
  made consistent at the normal, reweighted (observations beyond the 97.5% chi-square
  ellipsoid dropped) and made consistent again. Its breakdown point is
  ``(n - h + 1) / n``: it resists ``contamination < 1/2`` of arbitrary outliers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from gametheory.errors import ConfigError, InvalidGameError

__all__ = ["RobustEstimate", "median_of_means", "minimum_covariance_determinant", "trimmed_mean"]


def _observations(x) -> np.ndarray:
    values = getattr(x, "to_numpy", None)
    array = np.asarray(values() if callable(values) else x, dtype=np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2 or 0 in array.shape:
        raise InvalidGameError(f"observations must be a non-empty (n_observations, n_features) array, "
                               f"got shape {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InvalidGameError(f"observations hold {int(bad.sum())} non-finite values; first at row {i}, column {j}")
    return array


def trimmed_mean(x, proportion: float = 0.1) -> np.ndarray:
    """Coordinate-wise mean after cutting ``proportion`` of the values from each end.

    Parameters
    ----------
    x : array-like of shape (n_observations, n_features)
    proportion : float in [0, 0.5)

    Returns
    -------
    ndarray of shape (n_features,)
    """
    if not 0.0 <= proportion < 0.5:
        raise ConfigError(f"proportion must lie in [0, 0.5), got {proportion}")
    return np.asarray(stats.trim_mean(_observations(x), proportion, axis=0), dtype=np.float64)


def median_of_means(x, n_blocks: int, rng: np.random.Generator | int | None = 0) -> np.ndarray:
    """Coordinate-wise median of the means of ``n_blocks`` disjoint blocks of shuffled rows.

    Parameters
    ----------
    x : array-like of shape (n_observations, n_features)
    n_blocks : int
        Between 1 and ``n_observations``; more blocks resist more corrupted rows, fewer give
        a more efficient estimate on clean data.
    rng : numpy Generator, int or None
        Shuffles the rows before they are cut into blocks.

    Returns
    -------
    ndarray of shape (n_features,)
    """
    data = _observations(x)
    if not isinstance(n_blocks, (int, np.integer)) or not 1 <= n_blocks <= data.shape[0]:
        raise ConfigError(f"n_blocks must be an integer in [1, {data.shape[0]}], got {n_blocks!r}")
    rng = np.random.default_rng(rng)
    blocks = np.array_split(data[rng.permutation(data.shape[0])], int(n_blocks))
    return np.median(np.stack([block.mean(axis=0) for block in blocks]), axis=0)


@dataclass(frozen=True)
class RobustEstimate:
    """A robust location and covariance.

    Attributes
    ----------
    location : ndarray of shape (n_features,)
    covariance : ndarray of shape (n_features, n_features)
    support : ndarray of bool, shape (n_observations,)
        The observations kept by the reweighting step (``False`` flags an outlier).
    raw_location, raw_covariance : ndarray
        The MCD estimate before reweighting (covariance made consistent at the normal).
    contamination : float
        The fraction of corrupted observations the estimate was built to resist.
    h : int
        Size of the MCD subset.
    iterations : int
        C-steps taken over all starts.
    """

    location: np.ndarray
    covariance: np.ndarray
    support: np.ndarray
    raw_location: np.ndarray
    raw_covariance: np.ndarray
    contamination: float
    h: int
    iterations: int


def _mahalanobis_sq(data: np.ndarray, location: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    centred = data - location
    return np.einsum("ij,ij->i", centred, np.linalg.solve(covariance, centred.T).T)


def _c_steps(data: np.ndarray, subset: np.ndarray, h: int, max_steps: int = 100):
    """Concentration steps: refit on the ``h`` closest points until the subset is stable."""
    steps = 0
    while True:
        location = data[subset].mean(axis=0)
        covariance = np.cov(data[subset], rowvar=False).reshape(data.shape[1], data.shape[1])
        sign, logdet = np.linalg.slogdet(covariance)
        if sign <= 0:
            return location, covariance, -np.inf, subset, steps  # an exact fit: h points on a hyperplane
        new = np.sort(np.argsort(_mahalanobis_sq(data, location, covariance), kind="stable")[:h])
        steps += 1
        if np.array_equal(new, subset) or steps >= max_steps:
            return location, covariance, logdet, subset, steps
        subset = new


def _starts(data: np.ndarray, h: int) -> list[np.ndarray]:
    """Deterministic initial ``h``-subsets: closest to the coordinate-wise median in robustly
    standardised units, in a rank-correlation metric, and to the spatial median."""
    median = np.median(data, axis=0)
    scale = stats.median_abs_deviation(data, axis=0, scale="normal")
    scale = np.where(scale > 0, scale, data.std(axis=0) + 1e-300)
    z = (data - median) / scale
    distances = [np.einsum("ij,ij->i", z, z)]
    ranks = stats.rankdata(data, axis=0)
    correlation = np.corrcoef(ranks, rowvar=False).reshape(data.shape[1], data.shape[1])
    correlation = correlation + 1e-9 * np.eye(data.shape[1])
    distances.append(np.einsum("ij,ij->i", z, np.linalg.solve(correlation, z.T).T))
    centre = np.zeros(data.shape[1])
    for _ in range(50):  # Weiszfeld iterations for the spatial median of z
        weights = 1.0 / np.maximum(np.linalg.norm(z - centre, axis=1), 1e-12)
        centre = (weights[:, None] * z).sum(axis=0) / weights.sum()
    distances.append(np.linalg.norm(z - centre, axis=1))
    return [np.sort(np.argsort(d, kind="stable")[:h]) for d in distances]


def minimum_covariance_determinant(x, contamination: float = 0.25) -> RobustEstimate:
    """Reweighted MCD estimate of location and covariance, deterministic.

    Parameters
    ----------
    x : array-like of shape (n_observations, n_features)
        Needs ``ceil((1 - contamination) n) > n_features``.
    contamination : float in [0, 0.5)
        The fraction of arbitrarily corrupted observations to resist; the MCD subset has
        ``h = max(ceil((1 - contamination) n), floor((n + p + 1) / 2))`` observations.

    Returns
    -------
    RobustEstimate

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2)); x[:30] += 50.0          # 15% gross outliers
    >>> est = minimum_covariance_determinant(x, contamination=0.2)
    >>> bool(np.abs(est.location).max() < 0.3), bool(np.abs(x.mean(axis=0)).max() > 5)
    (True, True)
    """
    data = _observations(x)
    if not 0.0 <= contamination < 0.5:
        raise ConfigError(f"contamination must lie in [0, 0.5), got {contamination}")
    n, p = data.shape
    h = max(math.ceil((1.0 - contamination) * n), (n + p + 1) // 2)
    if h <= p:
        raise ConfigError(f"MCD needs more than {p} observations in its subset, got h={h} of n={n}")
    best, iterations = None, 0
    for subset in _starts(data, h):
        fit = _c_steps(data, subset, h)
        iterations += fit[4]
        if best is None or fit[2] < best[2]:
            best = fit
    raw_location, raw_covariance = best[0], best[1]
    if best[2] == -np.inf:
        raise ConfigError(f"{h} of the observations lie on a hyperplane; their covariance is singular")
    # Consistency at the normal: the median squared distance should be the chi2(p) median.
    d2 = _mahalanobis_sq(data, raw_location, raw_covariance)
    raw_covariance = raw_covariance * np.median(d2) / stats.chi2.ppf(0.5, p)
    cutoff = stats.chi2.ppf(0.975, p)
    support = _mahalanobis_sq(data, raw_location, raw_covariance) <= cutoff
    location = data[support].mean(axis=0)
    # The kept points are a normal truncated at the 97.5% ellipsoid: rescale for consistency.
    covariance = np.cov(data[support], rowvar=False).reshape(p, p) * 0.975 / stats.chi2.cdf(cutoff, p + 2)
    return RobustEstimate(location=location, covariance=covariance, support=support, raw_location=raw_location,
                          raw_covariance=raw_covariance, contamination=float(contamination), h=int(h),
                          iterations=int(iterations))
