"""Streaming manipulation detector: one-tick step on a state array, and a batch loop over it.

The whole detector (parameters and streaming state) lives in one float64 array of length
``N_SLOTS``; slot indices are the module constants below. Both :func:`detector_step_nb` (one
tick, for ``update``) and :func:`detector_run_nb` (a batch) run the same inlined tick function,
``_advance_nb``, on the statistics held in local variables: the batch reads the parameters once,
keeps the statistics in registers and writes them back once at the end. No fast-math flags, so
IEEE arithmetic gives bit-identical numbers on both paths.

Per tick, with ``r = price / last_price - 1`` the simple return, the step forms standardised
features, each a deviation over ``KAPPA`` times a robust EWM *mean absolute deviation* (no square
root on the recursion; every update is clipped at ``clip`` standard deviations):

- ``z``: ``r`` (zero mean) over the return's volatility. An unchanged price is not a move: it
  leaves the volatility alone and gives ``z = 0``, and the warm-up counts moves. On a coarse price
  grid, or for a last-trade price on a fixed clock, most returns are zero; counted as moves of
  size zero, they would make the volatility a fraction of a real move's (collapsing during runs of
  them), and the next one-tick move or catch-up would look like a crash. The volatility never falls
  below a fast volatility, ``KAPPA_CHANGE`` times the EWM absolute change of the return from one
  move to the next (weight ``fast_alpha``): the slow robust scale cannot follow a burst of
  volatility (GARCH-like clustering), in which the CUSUMs with small allowances would read noise as
  a run; the change between moves follows a burst within a few ticks, yet hardly moves under a
  drift (a run-up, a sell-off, a divergence), whose moves are alike from tick to tick,
- ``vz``: volume standardised by its slow EWM mean and scale (volume surge),
- ``w``: order imbalance standardised by its slow EWM mean and scale (spoofing),
- ``d``: the return's residual against a related asset, ``r - beta r_ref``, standardised by its
  own robust scale (it is zero when neither price moves, so that scale is floored at ``floor``
  times the smallest non-zero ``|r|`` seen, the relative tick size) and the same fast floor
  (coordinated divergence); ``beta`` is an EWM covariance over an EWM variance,

and accumulates them in CUSUM statistics (``STATISTICS``; each flags one of ``FAMILIES``):

- ``flash_crash``: ``C <- max(0, C - z a - k)``, with ``a = 1 + volume_weight * clip(vz, 0, 4)``
  (a volume-confirmed fall counts more),
- ``sell_off`` (flags as ``flash_crash``): ``C <- max(0, C - max(z, -clip) a - k)``, a fall of
  many moves, each counted at most ``clip``: it finds a crash spread over several ticks, or a
  slow bear raid, that the crash statistic, whose threshold single heavy-tailed jumps set,
  needs far more to reach,
- ``pump_and_dump``: ``C <- max(0, C + min(z, clip) a - k)``, its mirror (a run-up is many
  moves, not one jump); a flagged fall that follows a run-up (the run-up memory: the larger
  score of this statistic and of the upward divergence from the related asset, decaying, at
  least ``runup_share`` before the fall's tick) is named a dump, and a flagged rise (this statistic or
  an upward divergence) that follows a crash alarm (the crash memory, the larger score of the two
  crash statistics while above 1, decaying alike, at least ``runup_share``) is named
  ``flash_crash``, its rebound,
- ``spoofing``: two-sided CUSUM on ``w / sqrt(R)``, the imbalance deviation over its long-run
  standard deviation (persistent one-sided imbalance), with ``R`` the long-run over short-run
  variance ``(1 + phi) / (1 - phi)`` at the larger of two estimates of ``phi``: the lag-1
  autocorrelation of ``w``, and the AR(1) coefficient whose smoothed ``w`` (EWM weight ``SMOOTH``)
  has the variance seen, which sees a slowly wandering imbalance under tick-by-tick noise (AR(1)
  plus noise), where the lag-1 autocorrelation is small. Both are EWMs over the ticks with
  ``|w| <= PERSISTENCE_Z`` (so an attack's deviations cannot raise them),
  ``PERSISTENCE_SLOWDOWN`` times slower than the baselines, start from
  ``PHI_PRIOR`` worth ``PHI_PRIOR_COUNT`` ticks, and allow at most ``LONG_RUN_MAX``; the smoothed
  variance is inflated while they are still learning (``LEARNING_INFLATION``); ``1 / sqrt(R)`` is
  refreshed every ``REFRESH`` imbalance observations (from ``1 / sqrt(LONG_RUN_MAX)``): an
  imbalance that is persistent by nature, as order books are, does not look like spoofing; an
  imbalance *held* at one level (its fast EWM absolute change below ``FLAT_LEVEL`` times its slow
  one) counts up to ``1 + FLAT_GAIN * FLAT_LEVEL`` times, after ``FLAT_WARMUP`` observations; and
  a jump (a move over ``JUMP_Z`` times the slow robust EWM absolute move, an unchanged imbalance
  being no move) adds to the step the jump's way while the imbalance stays beyond half of it, a
  bonus that decays by ``JUMP_DECAY`` a tick and fades as jumps grow common (``JUMP_RATE_MAX``): on
  a persistent book a spoof's level is no evidence (the book wanders as far for tens of ticks), its
  onset is,
- ``coordinated``: two-sided CUSUM on ``d``, each side the larger of a fast CUSUM and a slow one
  (``SLOW_SHARE`` of its allowance, ``SLOW_RATIO`` times its threshold, read over ``SLOW_RATIO``),
  which sees a push smaller than the fast one's allowance.

The drift statistics (sell-off, pump-and-dump, coordinated) take each move's ``z`` (``d``) times
the moves' short-run over long-run standard deviation, refreshed every ``REFRESH`` moves, at the
larger of two estimates (EWMs over the moves with ``|z| <= BOUNCE_Z``, from independent moves):
``sqrt((1 - rho) / (1 + rho))``, ``rho`` the lag-1 autocorrelation clamped to [``BOUNCE_MIN``, 0],
and one read off the slow variance of the moves' EWM (weight ``BOUNCE_SMOOTH``), which sees bounce
spread over several lags, at most ``1 / sqrt(BOUNCE_RATIO_MIN)``: under bid-ask bounce or on a
coarse price grid consecutive moves partly cancel, so a run of normal moves wanders less than
independent moves would and a drift stands out more against it. The crash statistic, which reads
single jumps, takes ``z`` as it is.

Each statistic is capped at its threshold + ``hold`` times its allowance: once the evidence stops,
an alarm ends within about ``hold`` ticks instead of lasting while a far larger statistic drains.
When an alarm ends, the statistic restarts at most at ``restart`` times its threshold (the head
start of a fast-initial-response CUSUM, Lucas and Crosier 1982): left just below its threshold, it
would drain for ``threshold / allowance`` ticks, and any modest move in that time would raise the
alarm again (a flicker of alarms after an attack, or on marginal evidence).
Statistic score = statistic * (1 / threshold); a family's score is the largest score of its
statistics, the tick's score the largest of all, and the tick is flagged when that exceeds 1.
The flag is named after the family with the largest score, with one correction: a single
asset's crash or pump also diverges from its related asset, and the residual statistic is often
the first to cross. So a ``coordinated`` flag is named after the asset's own price family when
its own move explains it: a fall (the lower residual statistic leads) whose crash statistic's
score is at least ``naming_share`` or that comes with a volume surge, a rise that comes with a
volume surge. A slow divergence on normal volume stays ``coordinated`` either way (the sell-off
statistic does not name it), unless it is a rise right after a crash alarm (a rebound, above).
The surge memory is an EWM of ``clip(vz, -4, 4)``; a surge is a memory of at least
``surge_level``. Missing channels (imbalance, reference) are NaN and leave their statistics
untouched. Statistics stay 0 during the first ``warmup`` observations of their channel.
"""


import math

import numpy as np
from numba import njit

__all__ = [
    "FAMILIES",
    "N_SLOTS",
    "N_STATISTICS",
    "STATISTICS",
    "detector_run_nb",
    "detector_step_nb",
    "detector_tick_nb",
    "new_state",
]

FAMILIES = ("flash_crash", "pump_and_dump", "spoofing", "coordinated")
"""Attack families, in the order of their codes 0..3."""
STATISTICS = ("flash_crash", "sell_off", "pump_and_dump", "spoofing", "coordinated")
"""CUSUM statistics, each with its allowance and threshold, in the order of the state slots."""
N_STATISTICS = len(STATISTICS)

# error codes returned by the step and by the batch; no flag is -1, a family is 0..3
NO_FLAG = -1
BAD_PRICE = -2
BAD_VOLUME = -3
BAD_IMBALANCE = -4
BAD_REFERENCE = -5

# parameter slots
P_ALPHA = 0  # EWM weight of the return scale
P_ALPHA_BASE = 1  # EWM weight of the slow baselines (volume, imbalance, residual, beta)
P_CLIP = 2  # robust clip of every mean/scale update, in standard deviations
P_WARMUP = 3  # observations before a channel's statistics start
P_VOLUME_WEIGHT = 4
P_RUNUP_DECAY = 5  # per-tick decay of the run-up and crash memories
P_RUNUP_SHARE = 6  # memory, as a share of its threshold, that names a fall a dump or a rise a rebound
P_NAMING_SHARE = 7  # share of the crash threshold that names a falling divergence a crash
P_SURGE_WEIGHT = 8  # EWM weight of the volume-surge memory
P_SURGE_LEVEL = 9  # surge memory that confirms a move by volume
P_FLOOR = 10  # the residual's volatility never falls below this multiple of the relative tick size
P_HOLD = 11  # each statistic is capped at its threshold + hold * its allowance
P_FAST_ALPHA = 12  # EWM weight of the fast volatility floor (absolute change of the return)
P_K = 13  # 5 slots: CUSUM allowance per statistic
P_H = 18  # 5 slots: threshold per statistic
P_RESTART = 23  # share of its threshold a statistic restarts at when its alarm ends
# state slots
S_N = 24  # prices seen
S_LAST = 25  # last price; 0 before the first tick and after a break in the stream
S_SCALE = 26  # EWM absolute return
S_TICK = 27  # smallest non-zero |r| seen (the relative tick size); 1 before the first
S_N_VOL = 28
S_V_MEAN = 29
S_V_SCALE = 30
S_N_IMB = 31
S_IMB_MEAN = 32
S_IMB_SCALE = 33
S_N_REF = 34
S_LAST_REF = 35
S_REF_VAR = 36
S_COV = 37
S_D_SCALE = 38
S_C = 39  # 7 slots: crash, sell-off, pump, spoof+, spoof-, coord+, coord-
S_RUNUP = 46  # decaying memory of the larger score of the pump statistic and the upward divergence
S_SURGE = 47  # EWM of the volume surge clip(vz, -4, 4)
S_IMB_VAR = 48  # EWM of the squared standardised imbalance deviation (ticks with |w| <= PERSISTENCE_Z)
S_IMB_COV = 49  # EWM of its product with the previous deviation
S_IMB_PREV = 50  # the previous standardised deviation
S_LAST_R = 51  # the last return
S_R_CHANGE = 52  # EWM absolute change of the return between ticks (fast volatility)
S_LAST_D = 53  # the last residual against the related asset
S_D_CHANGE = 54  # EWM absolute change of the residual between ticks
S_IMB_SMOOTH = 55  # EWM (weight SMOOTH) of the standardised imbalance deviation
S_IMB_SMOOTH_VAR = 56  # EWM of its square
S_N_MOVES = 57  # prices seen that differ from the previous one
S_CRASH = 58  # decaying memory of the larger crash score (flash crash, sell-off) while flagged
S_R_VAR = 59  # EWM of the squared standardised move (moves with |z| <= BOUNCE_Z)
S_R_COV = 60  # EWM of its product with the previous move's
S_D_VAR = 61  # the same two for the residual against the related asset
S_D_COV = 62
S_R_DRIFT = 63  # the drift factor of the returns, refreshed every REFRESH moves
S_D_DRIFT = 64  # ... and of the residual (on a move of it at every REFRESH-th reference return)
S_IMB_FACTOR = 65  # 1 / sqrt of the imbalance's long-run over short-run variance, refreshed every REFRESH
S_IMB_CHG = 66  # EWM absolute change of the standardised imbalance deviation (slow, robust)
S_IMB_FLAT = 67  # ... and the same at the fast weight
S_LAST_IMB = 68  # the last imbalance observed
S_IMB_MOVES = 69  # imbalance observations that differ from the previous one
S_JUMP_UNIT = 70  # EWM absolute change of the standardised imbalance deviation over those (slow, robust)
S_JUMP_RATE = 71  # EWM share of jumps among those (slow)
S_JUMP_ANCHOR = 72  # the imbalance before the last jump still held
S_JUMP = 73  # that jump, signed, in the imbalance's units (0: none held)
S_JUMP_BONUS = 74  # what it adds to the spoofing step, decaying
S_R_SMOOTH = 75  # EWM (weight BOUNCE_SMOOTH) of the standardised moves with |z| <= BOUNCE_Z
S_R_SLOW_VAR = 76  # slow EWM of their square ...
S_R_SLOW_SMOOTH_VAR = 77  # ... and of the smoothed move's square
S_D_SMOOTH = 78  # the same three for the residual against the related asset
S_D_SLOW_VAR = 79
S_D_SLOW_SMOOTH_VAR = 80
S_C_SLOW = 81  # 2 slots: the slow divergence CUSUMs, up and down
S_STAT_SCORE = 83  # 5 slots: statistic / threshold per statistic, after the last tick
S_SCORE = 88
S_CODE = 89
N_SLOTS = 90
_N_STATE = S_STAT_SCORE - S_N  # the streaming statistics, S_N .. S_C_SLOW + 1

KAPPA = math.sqrt(math.pi / 2.0)
"""Standard deviation over mean absolute deviation of a normal variable: ``KAPPA * scale``
estimates the standard deviation."""
SQRT2 = math.sqrt(2.0)
KAPPA_CHANGE = KAPPA / SQRT2
"""The change between two independent draws has ``sqrt(2)`` times their standard deviation."""
_Z_MAX = 50.0  # standardised features are clipped here, so one bad tick cannot run away
PERSISTENCE_Z = 2.0
"""Only imbalance deviations within this many standard deviations update its persistence, so an
attack's own deviations cannot raise it and hide themselves."""
PHI_MAX = 0.98  # the largest lag-1 autocorrelation of the imbalance the statistic allows for
LONG_RUN_MAX = (1.0 + PHI_MAX) / (1.0 - PHI_MAX)  # ... and its long-run over short-run variance
SMOOTH = 1.0 - PHI_MAX
"""EWM weight of the smoothed imbalance deviation: its variance, over the deviation's, times
LONG_RUN_MAX estimates the long-run variance ratio, at most LONG_RUN_MAX."""
PHI_PRIOR = 0.9  # the imbalance's persistence before the data says otherwise (a cautious start) ...
PHI_PRIOR_COUNT = 50.0  # ... worth this many observations
PERSISTENCE_SLOWDOWN = 0.1
"""The persistence EWMs run at this share of the baseline weight: the smoothed deviation has about
one independent value per 1 / SMOOTH ticks, too few in a baseline half-life to measure its variance
(at the baseline weight, AR(0.95) plus noise was flagged five times as often)."""
BOUNCE_Z = 4.0
"""Only moves within this many standard deviations update the autocorrelation of the moves, so
jumps and an attack's own moves hardly shift it."""
BOUNCE_MIN = -0.5  # the most negative lag-1 autocorrelation of the moves allowed for ...
BOUNCE_PRIOR_COUNT = 50.0  # ... starting from independent moves, worth this many
BOUNCE_SMOOTH = 0.1  # EWM weight of the smoothed moves, which sees their autocorrelation over ~10 lags
BOUNCE_RATIO_MIN = 1.0 / 9.0  # the smallest long-run over short-run variance of the moves allowed for ...
BOUNCE_SLOW_PRIOR_COUNT = 1000.0
"""... by the smoothed moves' slow variance (weight ``PERSISTENCE_SLOWDOWN`` times the baseline
weight, from independent moves worth this many): its noise at the baseline weight, read as bounce on
independent moves, raised the drift statistics' false alarms."""
REFRESH = 8
"""Observations between refreshes of the slow factors (the drift factor of the moves, the imbalance's
long-run scale): a division and a square root on every tick cost a tenth to a third of the batch
throughput, and the EWMs behind them hardly move in 8 ticks."""
FLAT_LEVEL = 0.4
FLAT_GAIN = 4.0
"""While the imbalance's fast EWM absolute change falls below ``FLAT_LEVEL`` times its slow one (a
held imbalance, as resting spoof orders make it), the spoofing step is multiplied by ``1 + FLAT_GAIN
* (FLAT_LEVEL - ratio)``, at most 2.6: on a volatile order book, a spoof held at one level barely
exceeds the allowance in long-run units, yet a spell that flat and that far from the mean does not
occur in normal books (spoofs held at 0.6 / 0.8 / 0.95 for 30 to 120 ticks on a tanh AR(0.9) book:
caught 0 / 0 / 1 of 20 without, 6 / 18 / 19 with; spoofing-flagged normal ticks unchanged on AR(1)
books with persistence 0 to 0.95 and on AR(0.95) plus noise; on AR(0.99) 4.96 -> 5.21 per 10,000)."""
FLAT_WARMUP = 1000.0
"""The held-imbalance gain applies only after this many imbalance observations. Before that the
long-run scale may still be too small (the book's persistence is being learned), and the imbalance
of a book of log-normal queues hardly changes near its bounds (``(b - a) / (b + a)`` saturates),
so a natural excursion to 0.85 looked held: on an independent test's persistent queue-ratio book
(AR(0.97) log queues), the gain compounded both into spoofing alarms in the first 1,000 ticks of 2
of 24 fresh 20,000-tick streams (2.4 -> 0.73 spoofing-flagged ticks per 10,000 with the warm-up)."""
JUMP_Z = 7.0
JUMP_GAIN = 1.5
JUMP_CAP = 3.0
JUMP_DECAY = 0.5 ** (1.0 / 10.0)
"""A jump of the imbalance, a move over ``JUMP_Z`` times its slow robust EWM absolute move (over the
observations that moved it), held since beyond half its size: it adds ``JUMP_GAIN * J / JUMP_Z`` to
the spoofing step, the jump's way, with ``J`` the jump over that mean move (a second jump the same
way adds its own; at most ``JUMP_GAIN * JUMP_CAP``), decaying by ``JUMP_DECAY`` a tick (a 10-tick
half-life), so a book that jumps and stays by nature raises a short alarm at most. On an independent
test's book of persistent queues (AR(0.97) log sizes), a spoof's onset is 10 to 15 mean moves, while
its level is no further than the book's own excursions. An unchanged imbalance is no move: sampled at
one tick in ten, the mean move over every tick was a tenth of a real one, and 80 % of the ticks were
flagged. The held line is fixed in the imbalance's own units (a line that followed the decaying bonus
kept a book that had jumped from a far excursion back to its mean "held" for tens of ticks)."""
JUMP_RATE_MAX = 1e-3
JUMP_PRIOR = 2e-3
JUMP_PRIOR_COUNT = 100.0
"""The bonus is multiplied by ``1 - rate / JUMP_RATE_MAX``, at least 0, with ``rate`` the share of
the moves that were jumps (an EWM as slow as the persistence EWMs, from ``JUMP_PRIOR`` worth
``JUMP_PRIOR_COUNT`` moves; a jump counts when it ends, so a spoof held does not mute itself): on a
book that jumps by nature, as heavy-tailed signed order flow does, a jump is no evidence (an AR(0.9)
of Student-t(3) shocks: 227 spoofing-flagged ticks per 10,000 without the fade, 3.5 with it, 3.4
without the jump rule)."""
LEARNING_INFLATION = 10.0
"""While the persistence EWMs are still running means (weight ``w`` above its final ``slow``, the
first ~7,000 imbalance observations), the smoothed variance is multiplied by ``1 + LEARNING_INFLATION
* (w - slow) / SMOOTH`` (x1.4 after 1,000 observations, x1.1 after 3,000): it then rests on about
``SMOOTH / w`` independent smoothed values, so a fresh detector errs toward a persistent, noisy book.
The lag-1 estimate of ``phi`` is not inflated: it is sharp after a few hundred ticks."""
SLOW_SHARE = 0.2
SLOW_RATIO = 5.0
"""The divergence statistic is the larger of two CUSUMs per direction: the fast one (allowance ``k``,
threshold ``h``) and a slow one (allowance ``SLOW_SHARE * k``, threshold ``SLOW_RATIO * h``, each step
clipped at ``clip``), read in the fast one's units (over ``SLOW_RATIO``); calibration sets ``h`` for
both. A push of the residual by less than ``k`` a tick never adds up in the fast CUSUM, however long it
lasts; the slow one sees it. For Gaussian steps its average run length is 6.6e6 ticks at the default
allowance 0.35 and threshold 15.6, the fast one's 5e5, so it hardly raises a calibrated threshold: at
4.4 (1.8e6) the benchmark's calibrated threshold rose 16.2 -> 16.9 and its medium flash crashes, which
the divergence often flags first, were caught 91 % of the time instead of 93 %; at 5 nothing there
moved. On two independent tests (pushes of 0.1 to 0.5 residual sd a tick over 50 to 1,000 ticks),
medium pushes were caught 67 -> 70 % and 47 -> 63 % of the time, strong ones 93 -> 97 % and 66 -> 91 %,
at 1.58 -> 1.67 and 2.77 -> 2.77 flagged normal ticks per 10,000 (defaults)."""
ROUNDING = 1e-12
"""A relative price change (a return, of the price or of the related asset) of at most this, or an
imbalance change (or a deviation of the volume or the imbalance from its mean) of at most this times
``1 + |value|``, is float rounding, not a move: the same
price written two ways (``cents / 100`` and ``round(p / 0.01) * 0.01``) differs by about 1e-16, and
counted as a move of that size it set the relative tick size (the residual's floor) and the volatility
near zero, so the next real move looked huge: an independent test's coarse-grid stocks with such noise
were flagged on 9,995 ticks in 187,200, none without. Real ticks are above 1e-10 of the price."""
_TINY = 1e-300


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", inline="always")
def _weight_nb(alpha, count):
    """Running-mean weight ``1/count`` until it falls below ``alpha`` (``count * alpha >= 1``),
    then ``alpha``: no division once the start is over."""
    return alpha if count * alpha >= 1.0 else 1.0 / count


@njit(cache=True, error_model="numpy", inline="always")
def _robust_nb(dev, scale, weight, clip, floor):
    """Standardise the deviation ``dev`` by the EWM absolute deviation ``scale`` and update it.

    The standard deviation is ``sd = max(KAPPA scale, floor)``. Returns ``z = dev / sd`` clipped
    to +-_Z_MAX (0 while ``sd`` is 0), the deviation clipped to +-``clip`` sd (unclipped while
    ``sd`` is 0), and the new scale ``scale + weight (|clipped| - scale)``. No square root, and
    the only division is off the recursion.
    """
    sd = max(KAPPA * scale, floor)
    if sd <= _TINY:
        return 0.0, dev, scale + weight * (abs(dev) - scale)
    z = min(max(dev / sd, -_Z_MAX), _Z_MAX)
    bound = clip * sd
    clipped = min(max(dev, -bound), bound)
    return z, clipped, scale + weight * (abs(clipped) - scale)


@njit(cache=True, error_model="numpy", inline="always")
def _unrounded_nb(change, size):
    """``change``, or 0 when it is float rounding: at most ``ROUNDING * size`` (``size`` 1 for a return)."""
    return 0.0 if abs(change) <= ROUNDING * size else change


@njit(cache=True, error_model="numpy", inline="always")
def _baseline_nb(value, count, mean, scale, weight, clip):
    """One observation of a channel measured against its robust EWM mean (the first observation
    sets the mean): returns the new count, mean and scale, and the standardised deviation (0 first).
    A deviation of at most ``ROUNDING * (1 + |value|)`` is float rounding, none: learned as a scale, it
    would make the next real deviation look huge."""
    count += 1.0
    if count == 1.0:
        return count, float(value), scale, 0.0
    w = _weight_nb(weight, count)
    z, dev, scale = _robust_nb(_unrounded_nb(value - mean, 1.0 + abs(value)), scale, w, clip, 0.0)
    return count, mean + w * dev, scale, z


@njit(cache=True, error_model="numpy", inline="always")
def _two_speed_nb(x, last_x, count, scale, change, weight, fast, clip, floor):
    """Standardise ``x``, the ``count``-th observation of a zero-mean series, and update its two scales.

    The standard deviation is that of the slow robust scale (:func:`_robust_nb`, EWM weight ``weight``),
    floored at ``floor`` and at the fast volatility ``KAPPA_CHANGE * change``: ``change`` is the EWM (weight
    ``fast``) absolute change from the previous observation ``last_x``, each change clipped at ``sqrt(2)``
    times ``clip`` standard deviations. Returns ``z``, the new scale and the new change.
    """
    fast_sd = KAPPA_CHANGE * change
    z, _, scale = _robust_nb(x, scale, weight, clip, max(floor, fast_sd))
    if count > 1.0:
        bound = SQRT2 * (clip * max(KAPPA * scale, fast_sd))
        change += _weight_nb(fast, count - 1.0) * (min(abs(x - last_x), bound) - change)
    return z, scale, change


@njit(cache=True, error_model="numpy", inline="always")
def _bounce_nb(z, last_z, count, var, cov, smooth, slow_var, slow_smooth_var, drift, weight, slow_weight):
    """A standardised move ``z`` (``last_z``, the previous one on the same scale), if ``|z| <= BOUNCE_Z``,
    into the EWM variance and lag-1 covariance of the moves (weight ``weight``), their EWM ``smooth``
    (weight ``BOUNCE_SMOOTH``), and slow EWMs (weight ``slow_weight``) of the squares of both. When
    ``count`` (the moves, or the reference returns for the residual) is a multiple of ``REFRESH``, the
    drift factor becomes the larger of two estimates of the moves' short-run over long-run standard
    deviation: ``sqrt((1 - rho) / (1 + rho))``, ``rho`` the lag-1 autocorrelation clamped to
    [BOUNCE_MIN, 0], and ``1 / sqrt(ratio)``, ``ratio`` read off the slow variances (an EWM of weight
    ``lam`` of independent moves has ``lam / (2 - lam)`` times their variance), clamped to
    [BOUNCE_RATIO_MIN, 1]: bounce spread over several lags (a spread that persists) cancels more than
    the lag-1 autocorrelation shows. Returns the new var, cov, smooth, slow_var, slow_smooth_var, drift."""
    if abs(z) <= BOUNCE_Z:
        var += weight * (z * z - var)
        cov += weight * (z * last_z - cov)
        smooth += BOUNCE_SMOOTH * (z - smooth)
        slow_var += slow_weight * (z * z - slow_var)
        slow_smooth_var += slow_weight * (smooth * smooth - slow_smooth_var)
    if int(count) % REFRESH == 0:
        c = min(max(cov, BOUNCE_MIN * var), 0.0)
        ratio = slow_smooth_var * ((2.0 - BOUNCE_SMOOTH) / BOUNCE_SMOOTH) / slow_var
        drift = math.sqrt(max((var - c) / (var + c), 1.0 / min(max(ratio, BOUNCE_RATIO_MIN), 1.0)))
    return var, cov, smooth, slow_var, slow_smooth_var, drift


@njit(cache=True, error_model="numpy", inline="always")
def _clipped_mean_nb(value, mean, weight, clip):
    """The EWM ``mean`` of a non-negative ``value`` updated with weight ``weight``, each value clipped
    at ``clip`` times the mean (unclipped while the mean is 0), so one outlier hardly moves it."""
    bound = clip * mean if mean > _TINY else value
    return mean + weight * (min(value, bound) - mean)


@njit(cache=True, error_model="numpy", inline="always")
def _cusum_nb(c, step, h, cap, restart):
    """One CUSUM step: ``c + step`` kept in [0, cap]; when that ends an alarm (``c`` was above the
    threshold ``h`` and the new value is not), the statistic restarts at most at ``restart * h``."""
    new = min(max(0.0, c + step), cap)
    if new <= h < c:
        new = min(new, restart * h)
    return new


@njit(cache=True, error_model="numpy", inline="always")
def _divergence_side_nb(fast, slow, x, k, h, cap, k_slow, h_slow, cap_slow, restart, clip):
    """One step of one side of the divergence statistic: the fast CUSUM on ``x`` (allowance ``k``, threshold
    ``h``) and the slow one on ``x`` clipped at ``clip`` (a slow divergence is many moves), each kept in
    [0, its cap]. Their alarm is the larger of the two in the fast one's units (the slow one over
    ``SLOW_RATIO``) above ``h``; when it ends, both restart at most at ``restart`` times their thresholds:
    left where it was, the slow one, which drains at a fifth of the speed, raised late alarms hundreds of
    ticks after a strong divergence that only the fast one had flagged."""
    alarm = max(fast, slow * (1.0 / SLOW_RATIO)) > h
    fast = min(max(0.0, fast + x - k), cap)
    slow = min(max(0.0, slow + min(max(x, -clip), clip) - k_slow), cap_slow)
    if alarm and max(fast, slow * (1.0 / SLOW_RATIO)) <= h:
        fast, slow = min(fast, restart * h), min(slow, restart * h_slow)
    return fast, slow


@njit(cache=True, error_model="numpy", inline="always")
def _long_run_ratio_nb(var, cov, smooth_var):
    """Long-run over short-run variance of the standardised imbalance deviation, in [1, LONG_RUN_MAX]:
    ``(1 + phi) / (1 - phi)``, exact for an AR(1) with coefficient ``phi``, at the larger of two
    estimates of ``phi``, each at most PHI_MAX: the lag-1 autocorrelation, and the coefficient
    whose smoothed deviation has the variance seen, which also sees a slow component under fast
    noise (there the lag-1 autocorrelation is small and the long-run variance large). The EWM
    (weight ``SMOOTH``) of an AR(1) with coefficient ``phi`` has ``SMOOTH / (2 - SMOOTH)`` times its
    variance times the long-run ratio at ``(1 - SMOOTH) phi``, so that ratio, read off the
    variances, is turned into ``phi``: read as the ratio itself, it fell short (at ``phi`` 0.95 by
    a factor 1.4, at 0.97 by 1.7), and persistent, noisy books raised spoofing alarms."""
    if var <= _TINY:
        return 1.0
    smoothed = smooth_var / var * LONG_RUN_MAX  # the long-run ratio at (1 - SMOOTH) phi = PHI_MAX phi
    phi = min(max(cov / var, (smoothed - 1.0) / (smoothed + 1.0) / PHI_MAX, 0.0), PHI_MAX)
    return (1.0 + phi) / (1.0 - phi)


@njit(cache=True, error_model="numpy", inline="always")
def _params_nb(s):
    """The parameter slots as a tuple, read once per call: P_ALPHA .. P_FLOOR, P_FAST_ALPHA, the allowances,
    the thresholds and the caps (threshold + hold * allowance) of the five statistics, P_RESTART, and the
    allowance, threshold and cap of the slow divergence CUSUMs."""
    hold = s[P_HOLD]
    return (
        s[P_ALPHA], s[P_ALPHA_BASE], s[P_CLIP], s[P_WARMUP], s[P_VOLUME_WEIGHT], s[P_RUNUP_DECAY],
        s[P_RUNUP_SHARE], s[P_NAMING_SHARE], s[P_SURGE_WEIGHT], s[P_SURGE_LEVEL], s[P_FLOOR], s[P_FAST_ALPHA],
        s[P_K], s[P_K + 1], s[P_K + 2], s[P_K + 3], s[P_K + 4],
        s[P_H], s[P_H + 1], s[P_H + 2], s[P_H + 3], s[P_H + 4],
        s[P_H] + hold * s[P_K], s[P_H + 1] + hold * s[P_K + 1], s[P_H + 2] + hold * s[P_K + 2],
        s[P_H + 3] + hold * s[P_K + 3], s[P_H + 4] + hold * s[P_K + 4], s[P_RESTART],
        SLOW_SHARE * s[P_K + 4], SLOW_RATIO * s[P_H + 4], SLOW_RATIO * s[P_H + 4] + hold * SLOW_SHARE * s[P_K + 4],
    )


@njit(cache=True, error_model="numpy", inline="always")
def _load_nb(s):
    """The streaming statistics (slots S_N .. S_C_SLOW + 1) as a tuple, to be kept in registers."""
    return (
        s[S_N], s[S_N + 1], s[S_N + 2], s[S_N + 3], s[S_N + 4], s[S_N + 5], s[S_N + 6], s[S_N + 7],
        s[S_N + 8], s[S_N + 9], s[S_N + 10], s[S_N + 11], s[S_N + 12], s[S_N + 13], s[S_N + 14],
        s[S_N + 15], s[S_N + 16], s[S_N + 17], s[S_N + 18], s[S_N + 19], s[S_N + 20], s[S_N + 21],
        s[S_N + 22], s[S_N + 23], s[S_N + 24], s[S_N + 25], s[S_N + 26], s[S_N + 27], s[S_N + 28], s[S_N + 29],
        s[S_N + 30], s[S_N + 31], s[S_N + 32], s[S_N + 33], s[S_N + 34], s[S_N + 35], s[S_N + 36],
        s[S_N + 37], s[S_N + 38], s[S_N + 39], s[S_N + 40], s[S_N + 41], s[S_N + 42], s[S_N + 43],
        s[S_N + 44], s[S_N + 45], s[S_N + 46], s[S_N + 47], s[S_N + 48], s[S_N + 49], s[S_N + 50],
        s[S_N + 51], s[S_N + 52], s[S_N + 53], s[S_N + 54], s[S_N + 55], s[S_N + 56], s[S_N + 57], s[S_N + 58],
    )


@njit(cache=True, error_model="numpy")
def _store_nb(s, st, code, score, g):
    """Write the statistics and the last tick's outcome back into the state array, slot by slot
    (a loop over the tuple indexes it at run time, which cost a third of one step)."""
    (
        s[S_N], s[S_N + 1], s[S_N + 2], s[S_N + 3], s[S_N + 4], s[S_N + 5], s[S_N + 6], s[S_N + 7],
        s[S_N + 8], s[S_N + 9], s[S_N + 10], s[S_N + 11], s[S_N + 12], s[S_N + 13], s[S_N + 14],
        s[S_N + 15], s[S_N + 16], s[S_N + 17], s[S_N + 18], s[S_N + 19], s[S_N + 20], s[S_N + 21],
        s[S_N + 22], s[S_N + 23], s[S_N + 24], s[S_N + 25], s[S_N + 26], s[S_N + 27], s[S_N + 28], s[S_N + 29],
        s[S_N + 30], s[S_N + 31], s[S_N + 32], s[S_N + 33], s[S_N + 34], s[S_N + 35], s[S_N + 36],
        s[S_N + 37], s[S_N + 38], s[S_N + 39], s[S_N + 40], s[S_N + 41], s[S_N + 42], s[S_N + 43],
        s[S_N + 44], s[S_N + 45], s[S_N + 46], s[S_N + 47], s[S_N + 48], s[S_N + 49], s[S_N + 50],
        s[S_N + 51], s[S_N + 52], s[S_N + 53], s[S_N + 54], s[S_N + 55], s[S_N + 56], s[S_N + 57], s[S_N + 58],
    ) = st
    s[S_STAT_SCORE], s[S_STAT_SCORE + 1], s[S_STAT_SCORE + 2], s[S_STAT_SCORE + 3], s[S_STAT_SCORE + 4] = g
    s[S_SCORE] = score
    s[S_CODE] = code


@njit(cache=True, error_model="numpy", inline="always")
def _advance_nb(p, st, price, volume, imbalance, reference):
    """One tick on the statistics tuple ``st``; the single place the detector's rules live.

    Returns the new statistics, the code (-1 or a family), the score and the five statistic
    scores (in the order of ``STATISTICS``).
    """
    alpha, base, clip, warmup, volume_weight, runup_decay, runup_share, share, surge_weight, surge_level = p[:10]
    floor, fast, k0, k1, k2, k3, k4, h0, h1, h2, h3, h4 = p[10:22]
    cap0, cap1, cap2, cap3, cap4, restart, k_slow, h_slow, cap_slow = p[22:]
    (n, last, scale, tick, n_vol, v_mean, v_scale, n_imb, imb_mean, imb_scale, n_ref, last_ref, ref_var, cov,
     d_scale, c_crash, c_sell, c_pump, c_spoof_up, c_spoof_down, c_up, c_down, runup, surge, imb_var, imb_cov,
     imb_prev, last_r, r_change, last_d, d_change, imb_smooth, imb_smooth_var, n_moves, crash_memory, r_var, r_cov,
     d_var, d_cov, r_drift, d_drift, imb_factor, imb_chg, imb_flat, last_imb, imb_moves, jump_unit, jump_rate,
     jump_anchor, jump, jump_bonus, r_smooth, r_slow_var, r_slow_smooth_var, d_smooth, d_slow_var,
     d_slow_smooth_var, c_slow_up, c_slow_down) = st

    slow = PERSISTENCE_SLOWDOWN * base  # the weight of the slow EWMs (persistence, bounce over several lags)

    # volume surge: volume standardised by its robust EWM mean and absolute deviation
    n_vol, v_mean, v_scale, vz = _baseline_nb(volume, n_vol, v_mean, v_scale, base, clip)
    surge += surge_weight * (min(max(vz, -4.0), 4.0) - surge)

    # return standardised by the EWM absolute move (zero mean); price CUSUMs
    n += 1.0
    r = 0.0
    has_return = last > 0.0  # not on the first tick, nor on the first after a break (``last`` 0)
    if has_return:
        r = _unrounded_nb(price / last - 1.0, 1.0)  # the same price written two ways is no move
        z = zd = 0.0
        if r != 0.0:
            n_moves += 1.0
            tick = min(tick, abs(r))
            z, scale, r_change = _two_speed_nb(r, last_r, n_moves, scale, r_change, _weight_nb(alpha, n_moves), fast,
                                               clip, 0.0)
            r_var, r_cov, r_smooth, r_slow_var, r_slow_smooth_var, r_drift = _bounce_nb(
                z, last_r * (z / r), n_moves, r_var, r_cov, r_smooth, r_slow_var, r_slow_smooth_var, r_drift,
                _weight_nb(base, n_moves + BOUNCE_PRIOR_COUNT), _weight_nb(slow, n_moves + BOUNCE_SLOW_PRIOR_COUNT))
            zd = z * r_drift
            last_r = r
        if n_moves > warmup:
            amplify = 1.0 + volume_weight * min(max(vz, 0.0), 4.0)
            c_crash = _cusum_nb(c_crash, -z * amplify - k0, h0, cap0, restart)
            # a run, up or down, is many moves, not one jump: each counts at most clip
            c_sell = _cusum_nb(c_sell, -max(zd, -clip) * amplify - k1, h1, cap1, restart)
            c_pump = _cusum_nb(c_pump, min(zd, clip) * amplify - k2, h2, cap2, restart)
    last = float(price)

    # persistent order imbalance: two-sided CUSUM on the deviation over its long-run scale
    if not np.isnan(imbalance):
        n_imb, imb_mean, imb_scale, wz = _baseline_nb(imbalance, n_imb, imb_mean, imb_scale, base, clip)
        w = _weight_nb(slow, n_imb - 1.0 + PHI_PRIOR_COUNT)  # the persistence EWMs' weight, >= slow
        if int(n_imb) % REFRESH == 0:
            learning = 1.0 + LEARNING_INFLATION / SMOOTH * (w - slow)
            imb_factor = 1.0 / math.sqrt(_long_run_ratio_nb(imb_var, imb_cov, imb_smooth_var * learning))
        if n_imb > 1.0:  # the change between observations, slow (robust) and fast
            step = wz - imb_prev
            change = abs(step)
            if _unrounded_nb(imbalance - last_imb, 1.0 + abs(imbalance)) != 0.0:  # a move (an unchanged one is none)
                imb_moves += 1.0
                if n_imb > warmup:
                    jump_rate -= _weight_nb(slow, imb_moves + JUMP_PRIOR_COUNT) * jump_rate
                    if change > JUMP_Z * jump_unit and jump * step >= 0.0:  # a jump, or a second one the same way
                        if jump == 0.0:
                            jump_anchor, jump_bonus = last_imb, 0.0
                        jump = imbalance - jump_anchor
                        jump_bonus = min(jump_bonus + JUMP_GAIN / JUMP_Z * change / jump_unit, JUMP_GAIN * JUMP_CAP)
                jump_unit = _clipped_mean_nb(change, jump_unit, _weight_nb(base, imb_moves), clip)
            imb_flat += _weight_nb(fast, n_imb - 1.0) * (change - imb_flat)
            imb_chg = _clipped_mean_nb(change, imb_chg, _weight_nb(base, n_imb - 1.0), clip)
        if n_imb > warmup:  # warmup >= 1, so never on the first observation
            flat = imb_flat / imb_chg if imb_chg > _TINY else 1.0  # a held imbalance hardly changes
            gain = FLAT_GAIN * max(0.0, FLAT_LEVEL - flat) if n_imb > FLAT_WARMUP else 0.0
            x = wz * imb_factor * (1.0 + gain)
            if (imbalance - jump_anchor - 0.5 * jump) * jump > 0.0:  # a jump, held beyond half its size
                rare = max(0.0, 1.0 - jump_rate * (1.0 / JUMP_RATE_MAX))  # jumps are no evidence on a jumpy book
                x += math.copysign(rare * jump_bonus, jump)
                jump_bonus *= JUMP_DECAY
            elif jump != 0.0:  # the jump ended: it counts toward the jumps' rate (a spoof held does not yet)
                jump_rate += _weight_nb(slow, imb_moves + JUMP_PRIOR_COUNT)
                jump = 0.0
            c_spoof_up = _cusum_nb(c_spoof_up, x - k3, h3, cap3, restart)
            c_spoof_down = _cusum_nb(c_spoof_down, -x - k3, h3, cap3, restart)
        if n_imb > 1.0 and abs(wz) <= PERSISTENCE_Z:
            imb_var += w * (wz * wz - imb_var)
            imb_cov += w * (wz * imb_prev - imb_cov)
            imb_smooth += SMOOTH * (wz - imb_smooth)
            imb_smooth_var += w * (imb_smooth * imb_smooth - imb_smooth_var)
        imb_prev = wz
        last_imb = float(imbalance)

    # divergence from the related asset: two-sided CUSUM on the residual r - beta r_ref
    if np.isnan(reference):
        last_ref = np.nan
    else:
        if has_return and not np.isnan(last_ref):
            r_ref = _unrounded_nb(reference / last_ref - 1.0, 1.0)
            n_ref += 1.0
            w = _weight_nb(base, n_ref)
            beta = cov / ref_var if ref_var > _TINY else 0.0
            d = r - beta * r_ref
            dz, d_scale, d_change = _two_speed_nb(d, last_d, n_ref, d_scale, d_change, w, fast, clip, floor * tick)
            if d != 0.0:
                d_var, d_cov, d_smooth, d_slow_var, d_slow_smooth_var, d_drift = _bounce_nb(
                    dz, last_d * (dz / d), n_ref, d_var, d_cov, d_smooth, d_slow_var, d_slow_smooth_var, d_drift,
                    _weight_nb(base, n_ref + BOUNCE_PRIOR_COUNT), _weight_nb(slow, n_ref + BOUNCE_SLOW_PRIOR_COUNT))
                dz *= d_drift
            last_d = d
            ref_var += w * (r_ref * r_ref - ref_var)
            cov += w * (r * r_ref - cov)
            if n_ref > warmup:
                c_up, c_slow_up = _divergence_side_nb(c_up, c_slow_up, dz, k4, h4, cap4, k_slow, h_slow, cap_slow,
                                                      restart, clip)
                c_down, c_slow_down = _divergence_side_nb(c_down, c_slow_down, -dz, k4, h4, cap4, k_slow, h_slow,
                                                          cap_slow, restart, clip)
        last_ref = float(reference)

    # statistic scores; the reciprocals are loop invariants of the batch
    up = max(c_up, c_slow_up * (1.0 / SLOW_RATIO))  # the divergence statistic: fast or slow, up or down
    down = max(c_down, c_slow_down * (1.0 / SLOW_RATIO))
    g = (
        c_crash * (1.0 / h0),
        c_sell * (1.0 / h1),
        c_pump * (1.0 / h2),
        max(c_spoof_up, c_spoof_down) * (1.0 / h3),
        max(up, down) * (1.0 / h4),
    )
    best = 0
    score = max(g[0], g[1])
    crash_memory = max(crash_memory * runup_decay, score if score > 1.0 else 0.0)  # a crash alarm, remembered
    if g[2] > score:
        best, score = 1, g[2]
    if g[3] > score:
        best, score = 2, g[3]
    if g[4] > score:
        best, score = 3, g[4]
    code = NO_FLAG
    if score > 1.0:
        code = best
        if best == 3:
            # a divergence from the related asset that the asset's own move explains is named
            # after the price family: a fall that is fast (the crash statistic's score, not the
            # sell-off's, at least naming_share) or volume-confirmed (surge memory at least
            # surge_level), a rise that is volume-confirmed; a slow divergence on normal volume
            # stays coordinated, whichever way it goes (but see the rebound below)
            confirmed = surge >= surge_level
            if down >= up:
                if confirmed or g[0] >= share:
                    code = 0
            elif confirmed:
                code = 1
        if code == 0:
            if runup >= runup_share:
                code = 1  # a fall right after a run-up: the dump of a pump-and-dump
        elif (best == 1 or (best == 3 and up > down)) and crash_memory >= runup_share:
            code = 0  # a rise right after a crash: its rebound
    # a run-up, the asset's own or against its related asset, remembered for the ticks to come
    runup = max(runup * runup_decay, g[2], up * (1.0 / h4))
    st = (n, last, scale, tick, n_vol, v_mean, v_scale, n_imb, imb_mean, imb_scale, n_ref, last_ref, ref_var, cov,
          d_scale, c_crash, c_sell, c_pump, c_spoof_up, c_spoof_down, c_up, c_down, runup, surge, imb_var, imb_cov,
          imb_prev, last_r, r_change, last_d, d_change, imb_smooth, imb_smooth_var, n_moves, crash_memory, r_var, r_cov,
          d_var, d_cov, r_drift, d_drift, imb_factor, imb_chg, imb_flat, last_imb, imb_moves, jump_unit, jump_rate,
          jump_anchor, jump, jump_bonus, r_smooth, r_slow_var, r_slow_smooth_var, d_smooth, d_slow_var,
          d_slow_smooth_var, c_slow_up, c_slow_down)
    return st, code, score, g


@njit(cache=True, error_model="numpy")
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
        Largest statistic score (statistic / threshold); the tick is flagged when it exceeds 1.
    """
    error = _tick_error_nb(price, volume, imbalance, reference)
    if error != 0:
        return error, np.nan
    st, code, score, g = _advance_nb(_params_nb(s), _load_nb(s), price, volume, imbalance, reference)
    _store_nb(s, st, code, score, g)
    return code, score


@njit(cache=True, error_model="numpy")
def detector_tick_nb(s, price, volume, imbalance, reference):
    """:func:`detector_step_nb` with its outcome as ``update`` returns it: ``(flag, family, score)``,
    ``family`` the name in ``FAMILIES`` or None. An invalid tick gives ``(False, None, error)``
    with the error code (<= -2) as a float; valid scores are >= 0."""
    code, score = detector_step_nb(s, price, volume, imbalance, reference)
    if code >= 0:
        return True, FAMILIES[code], score
    if code == NO_FLAG:
        return False, None, score
    return False, None, float(code)


@njit(cache=True, error_model="numpy")
def detector_run_nb(s, prices, volumes, imbalance, reference, codes, scores):
    """Run :func:`detector_step_nb` over a batch of ticks, continuing from state ``s``.

    Parameters
    ----------
    s : float64 ndarray of shape (N_SLOTS,)
        Updated in place to the state after the last tick; untouched when a tick is invalid.
    prices, volumes : float64 ndarray of shape (n_ticks,)
    imbalance, reference : float64 ndarray of shape (n_ticks,) or (0,)
        An empty array means the channel is not observed; a NaN entry, not observed at that tick.
    codes : int8 ndarray of shape (n_ticks,)
        Out: -1 or the flagged family code per tick.
    scores : float64 ndarray of shape (6, n_ticks)
        Out: row 0 the tick's score, rows 1..5 statistic / threshold of each of ``STATISTICS``.

    Raises
    ------
    ValueError
        Arrays of the wrong shapes (the kernel would otherwise write out of bounds).

    Returns
    -------
    row : int
        The first invalid tick by the rules of :func:`detector_step_nb` (``s`` is untouched then;
        ``codes`` and ``scores`` are filled only before that row), or -1 when every tick is valid.
    error : int
        Its error code; 0 when every tick is valid.
    """
    n_ticks = prices.shape[0]
    if (
        volumes.shape[0] != n_ticks
        or imbalance.shape[0] not in (0, n_ticks)
        or reference.shape[0] not in (0, n_ticks)
        or codes.shape[0] != n_ticks
        or scores.shape != (1 + N_STATISTICS, n_ticks)
        or s.shape[0] != N_SLOTS
    ):
        raise ValueError("detector_run_nb: array shapes do not match (see its docstring)")
    # the parameters are read once, the statistics kept in registers and written back to s once at
    # the end, so an invalid tick, checked as the loop reaches it, returns with s untouched
    if n_ticks == 0:
        return -1, 0
    has_imbalance = imbalance.shape[0] > 0
    has_reference = reference.shape[0] > 0
    p = _params_nb(s)
    st = _load_nb(s)
    code, score, g = NO_FLAG, 0.0, (0.0, 0.0, 0.0, 0.0, 0.0)
    for t in range(n_ticks):
        imbalance_t = imbalance[t] if has_imbalance else np.nan
        reference_t = reference[t] if has_reference else np.nan
        error = _tick_error_nb(prices[t], volumes[t], imbalance_t, reference_t)
        if error != 0:
            return t, error
        st, code, score, g = _advance_nb(p, st, prices[t], volumes[t], imbalance_t, reference_t)
        codes[t] = code
        scores[0, t] = score
        for i in range(N_STATISTICS):
            scores[1 + i, t] = g[i]
    _store_nb(s, st, code, score, g)
    return -1, 0


def new_state(
    alpha, alpha_base, clip, warmup, volume_weight, runup_decay, runup_share, naming_share, surge_weight, surge_level,
    floor, hold, fast_alpha, restart, drifts, thresholds,
):
    """A fresh state array with the given parameters and zero statistics.

    Parameters
    ----------
    alpha, alpha_base : float
        EWM weights in (0, 1] of the return variance and of the slow baselines.
    clip : float
        Robust clip of the EWM updates, in standard deviations.
    warmup : int
        Observations of a channel before its statistics start.
    volume_weight, runup_decay, runup_share, naming_share : float
    surge_weight, surge_level : float
        EWM weight of the volume-surge memory, and the memory that confirms a move by volume.
    floor : float
        The residual's volatility never falls below ``floor`` times the relative tick size.
    hold : float
        Each statistic is capped at its threshold + ``hold`` times its allowance, so an alarm
        ends about ``hold`` ticks after the evidence stops (inf: no cap, for calibration).
    fast_alpha : float
        EWM weight in (0, 1] of the fast volatility floor (the absolute change between ticks).
    restart : float
        When an alarm of a statistic ends, the statistic restarts at most at ``restart`` times its
        threshold (1: it goes on from where it is).
    drifts, thresholds : sequence of 5 floats
        CUSUM allowance and threshold per statistic, in the order of ``STATISTICS``.

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
    s[P_RUNUP_SHARE] = runup_share
    s[P_SURGE_WEIGHT] = surge_weight
    s[P_SURGE_LEVEL] = surge_level
    s[P_FLOOR] = floor
    s[P_HOLD] = hold
    s[P_FAST_ALPHA] = fast_alpha
    s[P_RESTART] = restart
    s[P_K : P_K + N_STATISTICS] = drifts
    s[P_H : P_H + N_STATISTICS] = thresholds
    s[S_LAST_REF] = np.nan
    s[S_IMB_VAR] = 1.0
    s[S_IMB_COV] = PHI_PRIOR
    s[S_R_VAR] = s[S_D_VAR] = s[S_R_SLOW_VAR] = s[S_D_SLOW_VAR] = 1.0  # independent moves (the prior) ...
    s[S_R_SLOW_SMOOTH_VAR] = s[S_D_SLOW_SMOOTH_VAR] = BOUNCE_SMOOTH / (2.0 - BOUNCE_SMOOTH)
    s[S_R_DRIFT] = s[S_D_DRIFT] = 1.0  # ... and their drift factor
    s[S_IMB_SMOOTH_VAR] = (1.0 + PHI_PRIOR) / (1.0 - PHI_PRIOR) / LONG_RUN_MAX  # the same prior, as a ratio
    s[S_IMB_FACTOR] = 1.0 / math.sqrt(LONG_RUN_MAX)  # the most cautious, until the first refresh
    s[S_JUMP_RATE] = JUMP_PRIOR  # jumps are no evidence until the book has shown they are rare
    s[S_TICK] = 1.0
    s[S_CODE] = NO_FLAG
    return s
