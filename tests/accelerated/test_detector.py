"""Detector kernel against an independent plain-Python reference, and batch against single steps."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from accelerated import detector as k

PARAMS = dict(alpha=0.05, alpha_base=0.01, clip=4.0, warmup=20, volume_weight=0.25, runup_decay=0.99,
              runup_share=0.5, naming_share=0.25, surge_weight=0.13, surge_level=0.5, floor=0.5, hold=5.0,
              fast_alpha=0.13, restart=0.5,
              drifts=[1.0, 0.75, 0.5, 0.5, 0.5], thresholds=[8.0, 6.0, 9.0, 10.0, 7.0])
KAPPA = math.sqrt(math.pi / 2)


def stream(n=600, seed=3, grid=0.0, dump=False):
    """Ticks with a slow fall away from the related asset, a fall of both and the asset's rebound, a
    spoofing spell and missing observations; prices on a grid when given. With ``dump``, the related
    asset then falls alone (the asset runs up against it), and the asset falls. Streams longer than
    ``FLAT_WARMUP`` imbalance observations hold a second spoof there."""
    rng = np.random.default_rng(seed)
    r = 0.001 * rng.standard_t(5, n)
    r[400:405] -= 0.004  # a fall, to make the statistics move
    own = np.zeros(n)  # the asset's own moves, which the related asset does not follow
    own[300:340] = -0.0006
    own[405:420] = 0.0016
    alone = np.zeros(n)  # the related asset's own moves
    if dump:
        alone[450:520] = -0.0002
        own[530:535] = -0.006
    prices = 100 * np.exp(np.cumsum(r + own))
    if grid:
        prices = np.round(prices / grid) * grid
    volumes = rng.lognormal(5, 0.4, n)
    imbalance = np.tanh(0.1 * rng.standard_normal(n))
    imbalance[200:260] = 0.9
    imbalance[1100:1160] = -0.6
    reference = 50 * np.exp(np.cumsum(0.8 * r + alone + 0.0006 * rng.standard_normal(n)))
    imbalance[::37] = np.nan  # missing observations
    reference[::53] = np.nan
    return prices, volumes, imbalance, reference


class Ewm:
    """Robust EWM mean and mean absolute deviation with a running-mean start, as documented;
    ``floor`` is a lower bound on the standard deviation."""

    def __init__(self, alpha, clip, zero_mean=False):
        self.alpha, self.clip, self.zero_mean = alpha, clip, zero_mean
        self.n, self.mean, self.scale = 0, 0.0, 0.0

    def push(self, value, floor=0.0):
        self.n += 1
        if self.n == 1 and not self.zero_mean:
            self.mean = value
            return 0.0
        dev = value - self.mean
        if not self.zero_mean and abs(dev) <= k.ROUNDING * (1 + abs(value)):  # float rounding: no deviation
            dev = 0.0
        z = 0.0
        sd = max(KAPPA * self.scale, floor)
        if sd > 1e-300:
            z = max(-50.0, min(50.0, dev / sd))
            dev = max(-self.clip * sd, min(self.clip * sd, dev))
        w = self.alpha if self.n * self.alpha >= 1 else 1.0 / self.n
        if not self.zero_mean:
            self.mean += w * dev
        self.scale += w * (abs(dev) - self.scale)
        return z


class Change:
    """EWM absolute change of a series between observations, each clipped at ``clip sqrt(2)`` standard
    deviations; ``sd`` estimates the series' standard deviation from it."""

    def __init__(self, alpha, clip):
        self.alpha, self.clip, self.n, self.last, self.scale = alpha, clip, 0, 0.0, 0.0

    @property
    def sd(self):
        return KAPPA * self.scale / math.sqrt(2)

    def push(self, value, sd):
        self.n += 1
        if self.n > 1:
            w = self.alpha if (self.n - 1) * self.alpha >= 1 else 1.0 / (self.n - 1)
            self.scale += w * (min(abs(value - self.last), self.clip * sd * math.sqrt(2)) - self.scale)
        self.last = value


class Bounce:
    """How much standardised moves within BOUNCE_Z cancel: the drift statistics' steps are scaled by
    the moves' short-run over long-run standard deviation, refreshed every REFRESH moves, at the larger
    of two estimates. One from the lag-1 autocorrelation (clamped to [BOUNCE_MIN, 0]); one from the
    variance of the moves' EWM (weight lam), which for independent moves is lam / (2 - lam) times
    theirs (the ratio clamped to [BOUNCE_RATIO_MIN, 1]), both variances slow EWMs. Each from
    independent moves, worth BOUNCE_PRIOR_COUNT and BOUNCE_SLOW_PRIOR_COUNT."""

    def __init__(self, alpha):
        lam = k.BOUNCE_SMOOTH
        self.alpha, self.var, self.cov, self.factor = alpha, 1.0, 0.0, 1.0
        self.smooth, self.slow_var, self.slow_smooth_var = 0.0, 1.0, lam / (2 - lam)

    def drift(self, z, last_z, count):
        n, n_slow = count + k.BOUNCE_PRIOR_COUNT, count + k.BOUNCE_SLOW_PRIOR_COUNT
        slow = self.alpha * k.PERSISTENCE_SLOWDOWN
        w = self.alpha if n * self.alpha >= 1 else 1.0 / n
        w_slow = slow if n_slow * slow >= 1 else 1.0 / n_slow
        if abs(z) <= k.BOUNCE_Z:
            self.var += w * (z * z - self.var)
            self.cov += w * (z * last_z - self.cov)
            self.smooth += k.BOUNCE_SMOOTH * (z - self.smooth)
            self.slow_var += w_slow * (z * z - self.slow_var)
            self.slow_smooth_var += w_slow * (self.smooth**2 - self.slow_smooth_var)
        if count % k.REFRESH == 0:
            c = min(max(self.cov, k.BOUNCE_MIN * self.var), 0.0)
            lam = k.BOUNCE_SMOOTH
            ratio = self.slow_smooth_var / (lam / (2 - lam)) / self.slow_var
            self.factor = max(math.sqrt((self.var - c) / (self.var + c)),
                              1 / math.sqrt(min(max(ratio, k.BOUNCE_RATIO_MIN), 1.0)))
        return self.factor


def reference_scores(prices, volumes, imbalance, reference, p=PARAMS):
    """(codes, statistic scores) tick by tick, written independently of the kernel."""
    h, kk, warm = p["thresholds"], p["drifts"], p["warmup"]
    cap = [h[i] + p["hold"] * kk[i] for i in range(5)]  # per statistic
    k_slow, h_slow = k.SLOW_SHARE * kk[4], k.SLOW_RATIO * h[4]  # the slow divergence CUSUMs
    cap_slow = h_slow + p["hold"] * k_slow

    def cusum(value, step, i):  # statistic i's CUSUM step; an alarm that ends restarts it at restart * h
        new = min(max(0.0, value + step), cap[i])
        return min(new, p["restart"] * h[i]) if value > h[i] >= new else new
    ret, vol = Ewm(p["alpha"], p["clip"], True), Ewm(p["alpha_base"], p["clip"])
    imb, res = Ewm(p["alpha_base"], p["clip"]), Ewm(p["alpha_base"], p["clip"], True)
    ret_change, res_change = Change(p["fast_alpha"], p["clip"]), Change(p["fast_alpha"], p["clip"])
    ret_bounce, res_bounce = Bounce(p["alpha_base"]), Bounce(p["alpha_base"])
    imb_var, imb_cov, imb_prev = 1.0, k.PHI_PRIOR, 0.0  # the imbalance's persistence, from its prior
    ratio_max = (1 + k.PHI_MAX) / (1 - k.PHI_MAX)  # long-run over short-run variance, at most
    smooth, smooth_var = 0.0, (1 + k.PHI_PRIOR) / (1 - k.PHI_PRIOR) / ratio_max  # the same prior
    ratio = ratio_max  # the most cautious, until the first refresh
    flat_slow, flat_fast = 0.0, 0.0  # EWM absolute change of the imbalance's deviation, slow and fast
    last_imb, moves, unit = math.nan, 0, 0.0  # the last imbalance; its moves and their EWM absolute change
    anchor, jump, bonus = 0.0, 0.0, 0.0  # the imbalance before the jump held, the jump (0: none), its bonus
    jumps = k.JUMP_PRIOR  # the share of moves that were jumps, ended, from its prior
    c = [0.0] * 9  # crash, sell-off, pump, spoof+, spoof-, coord+, coord-, slow coord+, slow coord-
    runup, crash_memory, surge, ref_var, cov, n_ref, last, last_ref = 0.0, 0.0, 0.0, 0.0, 0.0, 0, None, math.nan
    tick = 1.0  # smallest non-zero |r| seen, 1 before the first
    codes, scores = [], []
    for t in range(len(prices)):
        vz = vol.push(volumes[t])
        surge += p["surge_weight"] * (min(max(vz, -4.0), 4.0) - surge)
        r = 0.0
        if last is not None:
            r = prices[t] / last - 1
            r = 0.0 if abs(r) <= k.ROUNDING else r  # float rounding is no move
            z = zd = 0.0
            if r != 0:  # an unchanged price says nothing about the size of moves: volatility and warm-up count moves
                tick = min(tick, abs(r))
                fast = ret_change.sd
                z = ret.push(r, floor=fast)
                zd = z * ret_bounce.drift(z, ret_change.last * z / r, ret.n)  # the last move on this move's scale
                ret_change.push(r, max(KAPPA * ret.scale, fast))
            if ret.n > warm:
                a = 1 + p["volume_weight"] * min(max(vz, 0.0), 4.0)
                c[0] = cusum(c[0], -z * a - kk[0], 0)
                c[1] = cusum(c[1], min(-zd, p["clip"]) * a - kk[1], 1)
                c[2] = cusum(c[2], min(zd, p["clip"]) * a - kk[2], 2)
        last = prices[t]
        if not math.isnan(imbalance[t]):
            w = imb.push(imbalance[t])
            count = imb.n - 1 + k.PHI_PRIOR_COUNT
            slow = k.PERSISTENCE_SLOWDOWN * p["alpha_base"]
            wgt = slow if count * slow >= 1 else 1.0 / count
            if imb.n % k.REFRESH == 0:  # the long-run variance ratio, refreshed every REFRESH observations
                # an EWM (weight lam) of an AR(1) with coefficient phi has variance lam / (2 - lam) times
                # (1 + (1 - lam) phi) / (1 - (1 - lam) phi) of the AR's: phi is read off that too;
                # while the EWMs rest on few smoothed values (wgt above slow), the smoothed variance is inflated
                lam = 1 - k.PHI_MAX
                smoothed = smooth_var * (1 + k.LEARNING_INFLATION * (wgt - slow) / lam)
                seen = smoothed / imb_var * (2 - lam) / lam
                phi = min(max(imb_cov / imb_var, (seen - 1) / (seen + 1) / (1 - lam), 0.0), k.PHI_MAX)
                ratio = (1 + phi) / (1 - phi)
            if imb.n > 1:  # the change between observations, slow (robust) and fast
                change, n1 = abs(w - imb_prev), imb.n - 1
                if abs(imbalance[t] - last_imb) > k.ROUNDING * (1 + abs(imbalance[t])):  # a move: is it a jump?
                    moves += 1
                    if imb.n > warm:
                        jumps *= 1 - max(slow, 1.0 / (moves + k.JUMP_PRIOR_COUNT))
                        if change > k.JUMP_Z * unit and (jump == 0 or (w - imb_prev > 0) == (jump > 0)):
                            if jump == 0:
                                anchor, bonus = last_imb, 0.0
                            jump = imbalance[t] - anchor  # the same way again: one larger jump
                            bonus = min(bonus + k.JUMP_GAIN * change / (k.JUMP_Z * unit), k.JUMP_GAIN * k.JUMP_CAP)
                    wm = p["alpha_base"] if moves * p["alpha_base"] >= 1 else 1.0 / moves
                    unit += wm * (min(change, p["clip"] * unit if unit > 1e-300 else change) - unit)
                wf = p["fast_alpha"] if n1 * p["fast_alpha"] >= 1 else 1.0 / n1
                flat_fast += wf * (change - flat_fast)
                wb = p["alpha_base"] if n1 * p["alpha_base"] >= 1 else 1.0 / n1
                bound = p["clip"] * flat_slow if flat_slow > 1e-300 else change
                flat_slow += wb * (min(change, bound) - flat_slow)
            if imb.n > warm:
                flat = flat_fast / flat_slow if flat_slow > 1e-300 else 1.0  # a held imbalance hardly changes
                held = 1 + k.FLAT_GAIN * max(0.0, k.FLAT_LEVEL - flat) * (imb.n > k.FLAT_WARMUP)
                x = w / math.sqrt(ratio) * held  # over the long-run standard deviation
                if jump != 0 and (imbalance[t] - anchor) / jump > 0.5:  # a jump still held beyond half its size
                    rare = max(0.0, 1 - jumps / k.JUMP_RATE_MAX)
                    x += rare * bonus * (1 if jump > 0 else -1)
                    bonus *= k.JUMP_DECAY
                elif jump != 0:  # it ended: one more jump in the rate
                    jumps += max(slow, 1.0 / (moves + k.JUMP_PRIOR_COUNT))
                    jump = 0.0
                c[3] = cusum(c[3], x - kk[3], 3)
                c[4] = cusum(c[4], -x - kk[3], 3)
            if imb.n > 1 and abs(w) <= k.PERSISTENCE_Z:
                imb_var += wgt * (w * w - imb_var)
                imb_cov += wgt * (w * imb_prev - imb_cov)
                smooth += (1 - k.PHI_MAX) * (w - smooth)
                smooth_var += wgt * (smooth * smooth - smooth_var)
            imb_prev, last_imb = w, imbalance[t]
        if math.isnan(reference[t]):
            last_ref = math.nan
        else:
            if t > 0 and not math.isnan(last_ref):
                rr = reference[t] / last_ref - 1
                rr = 0.0 if abs(rr) <= k.ROUNDING else rr
                n_ref += 1
                wgt = p["alpha_base"] if n_ref * p["alpha_base"] >= 1 else 1.0 / n_ref
                beta = cov / ref_var if ref_var > 1e-300 else 0.0
                res.n = n_ref - 1  # the residual shares the reference channel's count
                fast = res_change.sd
                d = r - beta * rr
                wd = res.push(d, floor=max(p["floor"] * tick, fast))
                if d != 0:
                    wd *= res_bounce.drift(wd, res_change.last * wd / d, n_ref)
                res_change.push(d, max(KAPPA * res.scale, fast))
                ref_var += wgt * (rr * rr - ref_var)
                cov += wgt * (r * rr - cov)
                if n_ref > warm:
                    for fast, slow, x in ((5, 7, wd), (6, 8, -wd)):  # up, down: the alarm is that of the larger
                        alarm = max(c[fast], c[slow] / k.SLOW_RATIO) > h[4]
                        c[fast] = min(max(0.0, c[fast] + x - kk[4]), cap[4])
                        c[slow] = min(max(0.0, c[slow] + max(-p["clip"], min(p["clip"], x)) - k_slow), cap_slow)
                        if alarm and max(c[fast], c[slow] / k.SLOW_RATIO) <= h[4]:  # it ended: both restart
                            c[fast], c[slow] = min(c[fast], p["restart"] * h[4]), min(c[slow], p["restart"] * h_slow)
            last_ref = reference[t]
        up, down = max(c[5], c[7] / k.SLOW_RATIO), max(c[6], c[8] / k.SLOW_RATIO)  # fast or slow, in fast units
        gs = [c[0] / h[0], c[1] / h[1], c[2] / h[2], max(c[3], c[4]) / h[3], max(up, down) / h[4]]
        fs = [max(gs[0], gs[1]), gs[2], gs[3], gs[4]]  # per family: flash_crash has two statistics
        crash_memory = max(crash_memory * p["runup_decay"], fs[0] if fs[0] > 1 else 0.0)  # a crash alarm
        best = int(np.argmax(fs))
        code = -1
        if fs[best] > 1:
            code = best
            if best == 3:
                confirmed = surge >= p["surge_level"]
                if down >= up:
                    code = 0 if confirmed or gs[0] >= p["naming_share"] else 3
                elif confirmed:
                    code = 1
            if code == 0:
                if runup >= p["runup_share"]:
                    code = 1  # the dump
            elif (best == 1 or (best == 3 and up > down)) and crash_memory >= p["runup_share"]:
                code = 0  # the rebound
        runup = max(runup * p["runup_decay"], gs[2], up / h[4])  # a run-up, for the ticks to come
        codes.append(code)
        scores.append(gs)
    return np.array(codes), np.array(scores)


def run(arrays, state=None):
    state = k.new_state(**PARAMS) if state is None else state
    n = arrays[0].size
    codes, scores = np.empty(n, np.int8), np.empty((6, n))
    assert k.detector_run_nb(state, *arrays, codes, scores) == (-1, 0)
    return state, (codes, scores[0], scores[1:].T)


# 0.3 on a 100 price: 70 % zero returns, the residual's floor binds
# 1,200 ticks: a held spoof after FLAT_WARMUP (other noise, so the named events are not asserted)
@pytest.mark.parametrize("grid, dump, n", [(0.0, False, 600), (0.3, False, 600), (0.0, True, 600), (0.0, False, 1200)])
def test_kernel_matches_plain_python_reference(grid, dump, n):
    arrays = stream(n=n, grid=grid, dump=dump)
    state, (codes, scores, stat_scores) = run(arrays)
    ref_codes, ref_scores = reference_scores(*arrays)
    assert_allclose(stat_scores, ref_scores, rtol=1e-9, atol=1e-12)
    assert_array_equal(codes, ref_codes)
    assert_allclose(scores, ref_scores.max(axis=1), rtol=1e-9, atol=1e-12)
    assert (codes >= 0).any() and (codes == -1).any()  # the stream exercises both branches
    if grid:  # the grid's bounce: the drift statistics' correction is exercised
        assert state[k.S_R_COV] / state[k.S_R_VAR] < -0.05 and state[k.S_D_COV] / state[k.S_D_VAR] < -0.2
    if not grid and n == 600:  # on the coarse grid the fall is a tick or two per tick: not flagged
        assert (stat_scores.argmax(axis=1)[codes == 0] == 1).any()  # the sell-off flags the fall
        slow = codes[300:360] == 3  # the slow fall is named coordinated, though the sell-off is past naming_share
        assert (stat_scores[300:360][slow, 1] >= PARAMS["naming_share"]).any()
        rebound = codes[406:425] >= 0  # the rebound, flagged by the divergence, keeps the crash's name
        assert rebound.any() and (codes[406:425][rebound] == 0).all()
        assert (stat_scores[406:425][rebound].argmax(axis=1) == 4).any()
    if dump:  # a fall after the asset ran up against its related asset is a dump; its own price did not
        assert (codes[430:528] == -1).all() and codes[528:540][codes[528:540] >= 0][0] == 1
        _, (own, _, _) = run((*arrays[:3], np.empty(0)))
        assert own[528:540][own[528:540] >= 0][0] == 0
    h, kk = PARAMS["thresholds"][3], PARAMS["drifts"][3]
    assert stat_scores[:, 3].max() == pytest.approx((h + PARAMS["hold"] * kk) / h)  # and the spoofing cap binds


def test_the_statistics_tuple_covers_the_streaming_slots():
    # _store_nb writes back _N_STATE values from the tuple _load_nb reads: a mismatch would not be
    # bounds-checked
    assert len(k._load_nb(k.new_state(**PARAMS))) == k._N_STATE == k.S_STAT_SCORE - k.S_N


def test_batch_equals_single_steps_bit_for_bit():
    arrays = stream()
    batch_state, (codes, scores, stat_scores) = run(arrays)
    state = k.new_state(**PARAMS)
    for t in range(arrays[0].size):
        tick = [a[t] for a in arrays]
        flag, family, tick_score = k.detector_tick_nb(state.copy(), *tick)  # the outcome update returns
        code, score = k.detector_step_nb(state, *tick)
        assert code == codes[t] and score == scores[t]
        assert (flag, family, tick_score) == (code >= 0, k.FAMILIES[code] if code >= 0 else None, score)
        assert_array_equal(state[k.S_STAT_SCORE : k.S_STAT_SCORE + 5], stat_scores[t])
    assert_array_equal(state, batch_state)


def test_split_batches_continue_the_stream():
    arrays = stream()
    whole_state, whole = run(arrays)
    state, first = run([a[:250] for a in arrays])
    state, second = run([a[250:] for a in arrays], state)
    for a, b, c in zip(whole, first, second):
        assert_array_equal(a, np.concatenate([b, c]))
    assert_array_equal(state, whole_state)


@pytest.mark.parametrize(
    "tick, code",
    [((np.nan, 1.0, 0.0, 1.0), k.BAD_PRICE), ((-1.0, 1.0, 0.0, 1.0), k.BAD_PRICE),
     ((1.0, -1.0, 0.0, 1.0), k.BAD_VOLUME), ((1.0, np.nan, 0.0, 1.0), k.BAD_VOLUME),
     ((1.0, 1.0, np.inf, 1.0), k.BAD_IMBALANCE), ((1.0, 1.0, 0.0, 0.0), k.BAD_REFERENCE)],
)
def test_invalid_tick_leaves_state_untouched(tick, code):
    state = k.new_state(**PARAMS)
    before = state.copy()
    assert k.detector_step_nb(state, *tick)[0] == code
    assert k.detector_tick_nb(state, *tick) == (False, None, code)
    assert_array_equal(state, before)
    arrays = [np.ones(5), np.ones(5), np.zeros(5), np.ones(5)]
    for a, value in zip(arrays, tick):
        a[3] = value
    assert k.detector_run_nb(state, *arrays, np.empty(5, np.int8), np.empty((6, 5))) == (3, code)
    assert_array_equal(state, before)  # the batch checks every tick before it processes any


def test_wrong_shapes_raise_instead_of_writing_out_of_bounds():
    prices, volumes, imbalance, reference = stream(n=50)
    codes, scores = np.empty(50, np.int8), np.empty((6, 50))
    state = k.new_state(**PARAMS)
    bad = [
        (prices, volumes[:40], imbalance, reference, codes, scores),
        (prices, volumes, imbalance[:10], reference, codes, scores),
        (prices, volumes, imbalance, reference, codes, np.empty((5, 50))),  # one row per statistic is needed
        (prices, volumes, imbalance, reference, codes[:49], scores),
    ]
    for arrays in bad:
        with pytest.raises(ValueError, match="shapes"):
            k.detector_run_nb(state, *arrays)
    with pytest.raises(ValueError, match="shapes"):
        k.detector_run_nb(state[:-1].copy(), prices, volumes, imbalance, reference, codes, scores)


@pytest.mark.parametrize("stay", [0.0, 0.3, 0.9])
def test_the_drift_factor_reads_bounce_beyond_the_first_lag(stay):
    """Last-trade moves around an efficient price, ``e_t + s_t - s_{t-1}``: the half-spread side ``s``
    (+-1; the sd of ``e`` is 0.5) is kept with probability ``stay``, else drawn afresh. The factor is
    the larger of the lag-1 estimate and ``1 / sqrt(1 + 2 sum_k (1 - BOUNCE_SMOOTH)^k rho_k)``, the
    long-run over short-run variance with lag ``k`` weighted as the EWM sees it, here from the sample
    autocorrelations ``rho_k`` of the same draws (every EWM a running mean, so each draw counts alike).
    The bounce spreads over several lags, where the lag-1 estimate (clamped at -0.5, at most sqrt(3))
    sees less of it: 2.24 / 1.94 / 1.10 against 1.62 / 1.36 / 1.02 (moves summed over 50 ticks give
    2.76 / 2.37 / 1.23: both err low)."""
    rng = np.random.default_rng(11)
    n = 100_000
    side = rng.choice([-1.0, 1.0], n)
    for t in np.flatnonzero(rng.random(n) < stay):
        side[t] = side[t - 1]
    z = 0.5 * rng.standard_normal(n) + np.diff(side, prepend=side[0])
    z /= z.std()
    lam = k.BOUNCE_SMOOTH
    var, cov, smooth, slow_var, slow_smooth_var, drift = 1.0, 0.0, 0.0, 1.0, lam / (2 - lam), 1.0
    for t in range(n):
        last = z[t - 1] if t else 0.0
        var, cov, smooth, slow_var, slow_smooth_var, drift = k._bounce_nb(
            z[t], last, t + 1.0, var, cov, smooth, slow_var, slow_smooth_var, drift, 1.0 / (t + 2.0), 1.0 / (t + 2.0))
    centred = z - z.mean()
    rho = [np.dot(centred[lag:], centred[:-lag]) / np.dot(centred, centred) for lag in range(1, 100)]
    weighted = 1 + 2 * sum((1 - lam) ** lag * r for lag, r in enumerate(rho, 1))
    lag_1 = max(rho[0], k.BOUNCE_MIN)
    by_lag_1 = math.sqrt((1 - lag_1) / (1 + lag_1))
    assert drift == pytest.approx(max(by_lag_1, 1 / math.sqrt(min(max(weighted, k.BOUNCE_RATIO_MIN), 1.0))), rel=0.05)
    assert drift > (1.3 if stay < 0.5 else 1.05) * by_lag_1


def slow_push(fall_at=None):
    """Ticks whose residual against the related asset is pushed up by 0.175 sd a tick from tick 2,000
    (half the allowance 0.35 of ``SLOW_PARAMS``), with a one-tick fall of 35 sd of the asset at
    ``fall_at``; returns the codes, the slow and fast upward CUSUMs a tick (the slow one over
    SLOW_RATIO) and the state after the last tick."""
    rng = np.random.default_rng(5)
    n = 4000
    reference = 0.001 * rng.standard_normal(n)
    returns = 0.8 * reference + 0.001 * rng.standard_normal(n)
    returns[2000:] += 0.5 * 0.35 * 0.001
    if fall_at is not None:
        returns[fall_at] -= 0.035
    prices, reference = 100 * np.exp(np.cumsum(returns)), 50 * np.exp(np.cumsum(reference))
    state = k.new_state(**SLOW_PARAMS)
    codes, slow, fast = [], [], []
    for t in range(n):
        codes.append(k.detector_step_nb(state, prices[t], 1.0, np.nan, reference[t])[0])
        slow.append(state[k.S_C_SLOW] / k.SLOW_RATIO)
        fast.append(state[k.S_C + 5])
    return np.array(codes), np.array(slow), np.array(fast), state


SLOW_PARAMS = {**PARAMS, "drifts": [1.0, 0.75, 0.5, 0.5, 0.35], "thresholds": [30.0, 16.0, 21.0, 25.0, 16.0]}


def test_a_push_below_the_allowance_is_caught_by_the_slow_divergence_cusum():
    """The push is half the fast allowance: the fast CUSUM drifts down, the slow one (a fifth of the
    allowance) adds up and flags it, alone, after about threshold * SLOW_RATIO / (0.175 - 0.07) = 760
    ticks (here 849); then it stays at its cap, threshold * SLOW_RATIO + hold * its allowance."""
    codes, slow, fast, state = slow_push()
    h, hold = SLOW_PARAMS["thresholds"][4], SLOW_PARAMS["hold"]
    assert (codes[:2000] == -1).all()
    first = 2000 + np.flatnonzero(codes[2000:] >= 0)[0]
    assert codes[first] == 3 and first - 2000 < 1200
    assert slow[first] > h and fast[2000:first + 1].max() < h
    cap = k.SLOW_RATIO * h + hold * k.SLOW_SHARE * 0.35
    assert slow.max() == pytest.approx(cap / k.SLOW_RATIO)
    assert state[k.S_C_SLOW + 1] == 0.0  # the push is up


def test_a_fall_during_a_slow_divergence_alarm_is_a_dump():
    """The run-up memory includes the slow divergence: a crash three ticks after the slow CUSUM flags
    the push is named pump_and_dump (the fast CUSUM and the pump statistic stay below half their
    thresholds, so without the slow one it would be a flash crash)."""
    codes, _, _, _ = slow_push()
    first = 2000 + np.flatnonzero(codes[2000:] >= 0)[0]
    dumped, _, _, _ = slow_push(fall_at=first + 3)
    assert dumped[first + 3] == 1


def imbalance_slots(imbalance, slots):
    """The state ``slots`` after each tick of ``imbalance`` (prices rising a cent a tick, unit volume)."""
    state = k.new_state(**PARAMS)
    codes, scores = np.empty(1, np.int8), np.empty((6, 1))
    seen = np.empty((imbalance.size, len(slots)))
    for t, value in enumerate(imbalance):
        k.detector_run_nb(state, np.array([100.0 + 0.01 * t]), np.array([1.0]), np.array([value]), np.empty(0),
                          codes, scores)
        seen[t] = state[slots]
    return seen


def test_a_jump_counts_toward_the_jump_rate_when_it_ends():
    """While a jump is held (a spoof, say) the jumps' rate only decays, so the spoof does not mute
    itself; when it ends, it counts as one more jump, and a book that jumps often loses the bonus."""
    imbalance = np.tanh(0.1 * np.random.default_rng(7).standard_normal(400))
    imbalance[300:340] = 0.9
    rates, moves = imbalance_slots(imbalance, [k.S_JUMP_RATE, k.S_IMB_MOVES]).T
    steps = np.diff(rates)
    assert rates[0] == k.JUMP_PRIOR and np.all(steps[PARAMS["warmup"] : 300] < 0)  # each move decays it
    assert np.all(steps[300:339] == 0.0) and moves[339] == moves[300]  # the spoof holds: no move, no change
    weight = 1.0 / (moves[340] + k.JUMP_PRIOR_COUNT)  # the move that ended it
    assert rates[340] == pytest.approx(rates[339] * (1 - weight) + weight, rel=1e-12)
    assert np.all(steps[340:] < 0)


def test_a_spoof_in_two_jumps_is_one_jump_from_the_level_before_it():
    """A second jump the same way (layered spoof orders) extends the first: the jump is measured from
    the imbalance before the first, and its bonus grows by the second's; a jump back is no new jump."""
    imbalance = np.tanh(0.1 * np.random.default_rng(8).standard_normal(400))
    imbalance[300:303], imbalance[303:330] = 1.0, 2.2  # an order-flow imbalance, not bounded by 1
    anchor, jump, bonus = imbalance_slots(imbalance, [k.S_JUMP_ANCHOR, k.S_JUMP, k.S_JUMP_BONUS]).T
    assert anchor[300] == imbalance[299] and jump[300] == 1.0 - imbalance[299]
    assert anchor[303] == imbalance[299] and jump[303] == 2.2 - imbalance[299]
    assert bonus[303] > bonus[302] / k.JUMP_DECAY  # the second jump's own bonus, added
    assert jump[330] == 0.0  # back: the jump ended, and no new one began


def test_missing_channels_leave_their_statistics_at_zero():
    prices, volumes, _, _ = stream()
    empty = np.empty(0)
    state, (_, _, stat_scores) = run((prices, volumes, empty, empty))
    assert_array_equal(stat_scores[:, 3:], 0.0)
    assert np.isnan(state[k.S_LAST_REF])
