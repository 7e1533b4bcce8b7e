"""Streaming manipulation detector: one-tick step on a state array, and a batch loop over it.

The whole detector (parameters and streaming state) lives in one float64 array of length
``N_SLOTS``; slot indices are the module constants below. :func:`detector_step_nb` advances it
by one tick; :func:`detector_run_nb` calls that same step over arrays, so a batch and a loop of
single ticks give bit-identical numbers.

Per tick, with ``r`` the log return, the step forms standardised features

- ``z``: ``r`` over an exponentially weighted volatility (robust: updates clip at ``clip`` sigmas),
- ``vz``: log volume standardised by its slow EWM mean and deviation (volume surge),
- ``w``: order imbalance standardised by its slow EWM mean and deviation (spoofing),
- ``d``: the return's residual against a related asset, ``r - beta r_ref``, standardised
  (coordinated divergence); ``beta`` is an EWM covariance over an EWM variance,

and accumulates them in CUSUM statistics, one per attack family:

- ``flash_crash``: ``C <- max(0, C - z a - k)``, with ``a = 1 + volume_weight * clip(vz, 0, 4)``
  (a volume-confirmed fall counts more),
- ``pump_and_dump``: ``C <- max(0, C + z a - k)`` (run-up); a flagged fall that follows a run-up
  (the run-up memory, decaying, at least ``naming_share`` of its threshold) is named a dump,
- ``spoofing``: two-sided CUSUM on ``w`` (persistent one-sided imbalance),
- ``coordinated``: two-sided CUSUM on ``d``.

Family score = statistic / threshold; the tick's score is the largest family score and it is
flagged when that exceeds 1. The flag is named after the family with the largest score, except
that a ``coordinated`` flag is named after the asset's own price family (``flash_crash`` or
``pump_and_dump``) when that family's score is at least ``naming_share``. Missing channels
(imbalance, reference) are NaN and leave their statistics untouched. Statistics stay 0 during
the first ``warmup`` observations of their channel.
"""

import numpy as np
from numba import njit

__all__ = [
    "FAMILIES",
    "N_SLOTS",
    "detector_run_nb",
    "detector_step_nb",
    "first_invalid_nb",
    "new_state",
]

FAMILIES = ("flash_crash", "pump_and_dump", "spoofing", "coordinated")
"""Attack families, in the order of their codes 0..3."""

# error codes returned by the step and by first_invalid_nb; no flag is -1, a family is 0..3
NO_FLAG = -1
BAD_PRICE = -2
BAD_VOLUME = -3
BAD_IMBALANCE = -4
BAD_REFERENCE = -5

# parameter slots
P_ALPHA = 0  # EWM weight of the return variance
P_ALPHA_BASE = 1  # EWM weight of the slow baselines (volume, imbalance, residual, beta)
P_CLIP = 2  # robust clip of every variance/mean update, in standard deviations
P_WARMUP = 3  # observations before a channel's statistics start
P_VOLUME_WEIGHT = 4
P_RUNUP_DECAY = 5  # per-tick decay of the run-up memory
P_NAMING_SHARE = 6  # share of a price family's threshold that names it
P_K = 7  # 4 slots: CUSUM allowance per family
P_H = 11  # 4 slots: threshold per family
# state slots
S_N = 15  # prices seen
S_X = 16  # last log price
S_VAR = 17  # EWM variance of returns
S_N_VOL = 18
S_LV_MEAN = 19
S_LV_VAR = 20
S_N_IMB = 21
S_IMB_MEAN = 22
S_IMB_VAR = 23
S_N_REF = 24
S_XREF = 25
S_REF_VAR = 26
S_COV = 27
S_D_VAR = 28
S_C = 29  # 6 slots: crash, pump, spoof+, spoof-, coord+, coord-
S_RUNUP = 35
S_FAMILY_SCORE = 36  # 4 slots: statistic / threshold per family, after the last tick
S_SCORE = 40
S_CODE = 41
N_SLOTS = 42

_Z_MAX = 50.0  # standardised features are clipped here, so one bad tick cannot run away
_TINY = 1e-300


@njit(cache=True)
def _tick_error_nb(price, volume, imbalance, reference):
    """Error code of one tick's inputs (0 when valid). NaN imbalance/reference mean missing."""
    if not (price > 0.0 and price < np.inf):
        return BAD_PRICE
    if not (volume >= 0.0 and volume < np.inf):
        return BAD_VOLUME
    if np.isinf(imbalance):
        return BAD_IMBALANCE
    if not (np.isnan(reference) or (reference > 0.0 and reference < np.inf)):
        return BAD_REFERENCE
    return 0


@njit(cache=True)
def _ewm_weight_nb(alpha, count):
    """Running-mean weight ``1/count`` until it falls below ``alpha``, then ``alpha``."""
    return max(alpha, 1.0 / count)


@njit(cache=True)
def _standardise_nb(value, mean, var, clip):
    """Standardise ``value`` by ``mean`` and ``var``, for a robust EWM update.

    Returns ``z = (value - mean) / sqrt(var)`` clipped to +-_Z_MAX (0 while ``var`` is 0) and
    the deviation ``value - mean`` clipped to +-``clip`` standard deviations (unclipped while
    ``var`` is 0).
    """
    dev = value - mean
    if var <= _TINY:
        return 0.0, dev
    sd = np.sqrt(var)
    z = min(max(dev / sd, -_Z_MAX), _Z_MAX)
    bound = clip * sd
    return z, min(max(dev, -bound), bound)


@njit(cache=True)
def _track_nb(s, i_n, i_mean, i_var, value, alpha, clip):
    """Update count, robust EWM mean and variance of a channel; return the value standardised
    by the statistics *before* the update and the channel count."""
    n = s[i_n] + 1.0
    s[i_n] = n
    mean = s[i_mean]
    var = s[i_var]
    if n == 1.0:
        s[i_mean] = value
        return 0.0, n
    z, dev = _standardise_nb(value, mean, var, clip)
    weight = _ewm_weight_nb(alpha, n)
    s[i_mean] = mean + weight * dev
    s[i_var] = (1.0 - weight) * (var + weight * dev * dev)
    return z, n


@njit(cache=True)
def detector_step_nb(s, price, volume, imbalance, reference):
    """Advance the detector state by one tick.

    Parameters
    ----------
    s : float64 ndarray of shape (N_SLOTS,)
        Parameters and state; updated in place (left untouched when the tick is invalid).
    price : float
        Price, > 0.
    volume : float
        Volume, >= 0.
    imbalance : float
        Order-book imbalance (e.g. in [-1, 1]); NaN when not observed.
    reference : float
        Price of a related asset, > 0; NaN when not observed.

    Returns
    -------
    code : int
        -1 no flag, 0..3 the flagged family (index into FAMILIES), <= -2 an input error code
        (BAD_PRICE, BAD_VOLUME, BAD_IMBALANCE, BAD_REFERENCE).
    score : float
        Largest family score (statistic / threshold); the tick is flagged when it exceeds 1.
    """
    error = _tick_error_nb(price, volume, imbalance, reference)
    if error != 0:
        return error, np.nan
    alpha = s[P_ALPHA]
    base = s[P_ALPHA_BASE]
    clip = s[P_CLIP]
    warmup = s[P_WARMUP]

    vz, _ = _track_nb(s, S_N_VOL, S_LV_MEAN, S_LV_VAR, np.log1p(volume), base, clip)
    x = np.log(price)
    n = s[S_N] + 1.0
    s[S_N] = n
    r = 0.0
    if n > 1.0:
        r = x - s[S_X]
        var = s[S_VAR]
        z, r_clipped = _standardise_nb(r, 0.0, var, clip)
        weight = _ewm_weight_nb(alpha, n - 1.0)
        s[S_VAR] = var + weight * (r_clipped * r_clipped - var)
        if n - 1.0 > warmup:
            amplify = 1.0 + s[P_VOLUME_WEIGHT] * min(max(vz, 0.0), 4.0)
            s[S_C] = max(0.0, s[S_C] - z * amplify - s[P_K])
            s[S_C + 1] = max(0.0, s[S_C + 1] + z * amplify - s[P_K + 1])
            s[S_RUNUP] = max(s[S_RUNUP] * s[P_RUNUP_DECAY], s[S_C + 1])
    s[S_X] = x

    if not np.isnan(imbalance):
        w, n_imb = _track_nb(s, S_N_IMB, S_IMB_MEAN, S_IMB_VAR, imbalance, base, clip)
        if n_imb > warmup:
            s[S_C + 2] = max(0.0, s[S_C + 2] + w - s[P_K + 2])
            s[S_C + 3] = max(0.0, s[S_C + 3] - w - s[P_K + 2])

    if np.isnan(reference):
        s[S_XREF] = np.nan
    else:
        xref = np.log(reference)
        last_ref = s[S_XREF]
        s[S_XREF] = xref
        if n > 1.0 and not np.isnan(last_ref):
            r_ref = xref - last_ref
            n_ref = s[S_N_REF] + 1.0
            s[S_N_REF] = n_ref
            weight = _ewm_weight_nb(base, n_ref)
            ref_var = s[S_REF_VAR]
            beta = s[S_COV] / ref_var if ref_var > _TINY else 0.0
            residual = r - beta * r_ref
            d_var = s[S_D_VAR]
            wd, residual = _standardise_nb(residual, 0.0, d_var, clip)
            s[S_REF_VAR] = ref_var + weight * (r_ref * r_ref - ref_var)
            s[S_COV] = s[S_COV] + weight * (r * r_ref - s[S_COV])
            s[S_D_VAR] = d_var + weight * (residual * residual - d_var)
            if n_ref > warmup:
                s[S_C + 4] = max(0.0, s[S_C + 4] + wd - s[P_K + 3])
                s[S_C + 5] = max(0.0, s[S_C + 5] - wd - s[P_K + 3])

    s[S_FAMILY_SCORE] = s[S_C] / s[P_H]
    s[S_FAMILY_SCORE + 1] = s[S_C + 1] / s[P_H + 1]
    s[S_FAMILY_SCORE + 2] = max(s[S_C + 2], s[S_C + 3]) / s[P_H + 2]
    s[S_FAMILY_SCORE + 3] = max(s[S_C + 4], s[S_C + 5]) / s[P_H + 3]
    best = 0
    for f in range(1, 4):
        if s[S_FAMILY_SCORE + f] > s[S_FAMILY_SCORE + best]:
            best = f
    score = s[S_FAMILY_SCORE + best]
    code = NO_FLAG
    if score > 1.0:
        code = best
        share = s[P_NAMING_SHARE]
        if best == 3 and max(s[S_FAMILY_SCORE], s[S_FAMILY_SCORE + 1]) >= share:
            # the asset's own move explains the divergence: name the price family
            code = 0 if s[S_FAMILY_SCORE] >= s[S_FAMILY_SCORE + 1] else 1
        if code == 0 and s[S_RUNUP] >= share * s[P_H + 1]:
            code = 1  # a fall right after a run-up: the dump of a pump-and-dump
    s[S_SCORE] = score
    s[S_CODE] = code
    return code, score


@njit(cache=True)
def first_invalid_nb(prices, volumes, imbalance, reference):
    """First invalid tick of a batch, by the rules of :func:`detector_step_nb`.

    Parameters
    ----------
    prices, volumes : float64 ndarray of shape (n_ticks,)
    imbalance, reference : float64 ndarray of shape (n_ticks,) or (0,)
        An empty array means the channel is not observed.

    Returns
    -------
    index : int
        Row of the first invalid tick, or -1 when all are valid.
    code : int
        Its error code (0 when all are valid).
    """
    has_imbalance = imbalance.shape[0] > 0
    has_reference = reference.shape[0] > 0
    for t in range(prices.shape[0]):
        error = _tick_error_nb(
            prices[t],
            volumes[t],
            imbalance[t] if has_imbalance else np.nan,
            reference[t] if has_reference else np.nan,
        )
        if error != 0:
            return t, error
    return -1, 0


@njit(cache=True)
def detector_run_nb(s, prices, volumes, imbalance, reference, codes, scores, family_scores):
    """Run :func:`detector_step_nb` over a batch of ticks, continuing from state ``s``.

    Parameters
    ----------
    s : float64 ndarray of shape (N_SLOTS,)
        Updated in place to the state after the last tick.
    prices, volumes : float64 ndarray of shape (n_ticks,)
        Valid inputs (check with :func:`first_invalid_nb` first).
    imbalance, reference : float64 ndarray of shape (n_ticks,) or (0,)
        An empty array means the channel is not observed.
    codes : int64 ndarray of shape (n_ticks,)
        Out: -1 or the flagged family code per tick.
    scores : float64 ndarray of shape (n_ticks,)
        Out: the tick's score.
    family_scores : float64 ndarray of shape (n_ticks, 4)
        Out: statistic / threshold of each family.
    """
    has_imbalance = imbalance.shape[0] > 0
    has_reference = reference.shape[0] > 0
    for t in range(prices.shape[0]):
        code, score = detector_step_nb(
            s,
            prices[t],
            volumes[t],
            imbalance[t] if has_imbalance else np.nan,
            reference[t] if has_reference else np.nan,
        )
        codes[t] = code
        scores[t] = score
        for f in range(4):
            family_scores[t, f] = s[S_FAMILY_SCORE + f]


def new_state(alpha, alpha_base, clip, warmup, volume_weight, runup_decay, naming_share, drifts, thresholds):
    """A fresh state array with the given parameters and zero statistics.

    Parameters
    ----------
    alpha, alpha_base : float
        EWM weights in (0, 1] of the return variance and of the slow baselines.
    clip : float
        Robust clip of the EWM updates, in standard deviations.
    warmup : int
        Observations of a channel before its statistics start.
    volume_weight, runup_decay, naming_share : float
    drifts, thresholds : sequence of 4 floats
        CUSUM allowance and threshold per family, in the order of ``FAMILIES``.

    Returns
    -------
    float64 ndarray of shape (N_SLOTS,)
    """
    s = np.zeros(N_SLOTS)
    s[P_ALPHA] = alpha
    s[P_ALPHA_BASE] = alpha_base
    s[P_CLIP] = clip
    s[P_WARMUP] = warmup
    s[P_VOLUME_WEIGHT] = volume_weight
    s[P_RUNUP_DECAY] = runup_decay
    s[P_NAMING_SHARE] = naming_share
    s[P_K : P_K + 4] = drifts
    s[P_H : P_H + 4] = thresholds
    s[S_X] = np.nan
    s[S_XREF] = np.nan
    s[S_CODE] = NO_FLAG
    return s
