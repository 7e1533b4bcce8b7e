"""ManipulationDetector: update versus detect, save/restore, calibration, detection, typed errors."""

import json
import math
import pickle
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from accelerated import detector as kernel
from antifragile.detector import (
    DEFAULT_THRESHOLDS, SLOW_TICKS, STATISTICS, ManipulationDetector, TickResult, _tail_thresholds,
)
from antifragile.evaluation import alarm_onsets
from antifragile.streams import ATTACK_SIZES, calibration_set, inject_attack, simulate_ticks
from gametheory.errors import ConfigError, MarketDataError


@pytest.fixture(scope="module")
def normal():
    return simulate_ticks(np.linspace(0.006, 0.03, 24), 2500, rng=7)


@pytest.fixture(scope="module")
def calibrated(normal):
    return ManipulationDetector().calibrate(
        prices=normal.prices, volumes=normal.volumes, imbalance=normal.imbalance,
        reference=normal.reference, false_alarm_rate=2e-4,
    )


CHANNELS = ("prices", "volumes", "imbalance", "reference")


def channels(streams, i):
    return tuple(getattr(streams, name)[i] for name in CHANNELS)


def test_update_and_detect_give_identical_numbers(calibrated, normal):
    attacked = inject_attack(normal, "flash_crash", "medium", rng=1)
    prices, volumes, imbalance, reference = channels(attacked, 0)
    frame = ManipulationDetector.restore(calibrated.save()).reset().detect(prices, volumes, imbalance, reference)
    single = ManipulationDetector.restore(calibrated.save()).reset()
    ticks = [single.update(*tick) for tick in zip(prices, volumes, imbalance, reference)]
    assert all(isinstance(t, TickResult) for t in ticks)
    assert_array_equal(frame["score"].to_numpy(), [t.score for t in ticks])
    assert_array_equal(frame["flag"].to_numpy(), [t.flag for t in ticks])
    assert frame["family"].astype(object).where(frame["flag"], None).tolist() == [t.family for t in ticks]
    assert frame["flag"].any()
    assert list(frame.columns) == ["flag", "family", "score"] + [f"score_{name}" for name in STATISTICS]


def test_save_restore_mid_stream_gives_the_same_flags(calibrated, normal, tmp_path):
    attacked = inject_attack(normal, "pump_and_dump", "medium", rng=2)
    arrays = channels(attacked, 1)
    whole = ManipulationDetector.restore(calibrated.to_dict()).reset().detect(*arrays)
    first = ManipulationDetector.restore(calibrated.to_dict()).reset()
    cut = int(attacked.onsets[1]) + 30  # in the middle of the attack
    head = first.detect(*(a[:cut] for a in arrays))
    first.save(tmp_path / "detector.json")
    json.loads((tmp_path / "detector.json").read_text())  # plain JSON
    resumed = ManipulationDetector().restore(tmp_path / "detector.json")
    tail = [resumed.update(*tick) for tick in zip(*(a[cut:] for a in arrays))]
    assert_array_equal(whole["flag"].to_numpy(), np.concatenate([head["flag"], [t.flag for t in tail]]))
    assert_array_equal(whole["score"].to_numpy(), np.concatenate([head["score"], [t.score for t in tail]]))
    assert resumed.thresholds == calibrated.thresholds and resumed.n_ticks == len(arrays[0])


def test_a_pickled_detector_continues_the_stream(calibrated, normal):
    arrays = channels(inject_attack(normal, "spoofing", "medium", rng=6), 2)
    whole = ManipulationDetector.restore(calibrated.save()).reset().detect(*arrays)
    first = ManipulationDetector.restore(calibrated.save()).reset()
    head = first.detect(*(a[:1200] for a in arrays))
    resumed = pickle.loads(pickle.dumps(first))
    tail = resumed.detect(*(a[1200:] for a in arrays))
    assert_array_equal(whole["score"].to_numpy(), np.concatenate([head["score"], tail["score"]]))
    assert whole["flag"].any() and resumed.calibration_ == calibrated.calibration_


@pytest.mark.parametrize("rate", [1e-3, 5e-3])
def test_calibrate_reaches_the_requested_false_alarm_rate(normal, rate):
    detector = ManipulationDetector(warmup=50).calibrate(
        prices=normal.prices, volumes=normal.volumes, imbalance=normal.imbalance, false_alarm_rate=rate
    )
    flagged = [detector.reset().detect(*channels(normal, i)[:3])["flag"].to_numpy()[51:] for i in range(24)]
    achieved = np.concatenate(flagged).mean()
    assert achieved == pytest.approx(detector.calibration_["achieved_rate"], abs=1e-12)
    assert 0.8 * rate <= achieved <= rate
    assert detector.calibration_["statistics"] == ["flash_crash", "sell_off", "pump_and_dump", "spoofing"]
    assert detector.thresholds["coordinated"] == ManipulationDetector().thresholds["coordinated"]
    assert not detector.calibration_["tails_extrapolated"]  # 57,000 live ticks: 57 / rate and more


def test_calibrate_takes_a_list_of_streams_of_any_lengths(normal):
    names = ("prices", "volumes", "imbalance")
    as_list = ManipulationDetector(warmup=50).calibrate(
        **{name: list(getattr(normal, name)) for name in names}, false_alarm_rate=1e-3
    )
    as_array = ManipulationDetector(warmup=50).calibrate(
        **{name: getattr(normal, name) for name in names}, false_alarm_rate=1e-3
    )
    as_frames = ManipulationDetector(warmup=50).calibrate(  # rows are streams, as for an array
        **{name: pd.DataFrame(getattr(normal, name)) for name in names}, false_alarm_rate=1e-3
    )
    assert as_list.calibration_ == as_array.calibration_ == as_frames.calibration_
    ragged = {name: [getattr(normal, name)[i][: 1000 + 50 * i] for i in range(24)] for name in names}
    detector = ManipulationDetector(warmup=50).calibrate(**ragged, false_alarm_rate=1e-3)
    assert detector.calibration_["n_live_ticks"] == sum(1000 + 50 * i - 51 for i in range(24))
    assert detector.calibration_["n_streams"] == 24
    flagged = [detector.reset().detect(*(ragged[name][i] for name in ragged))["flag"].to_numpy()[51:]
               for i in range(24)]
    assert np.concatenate(flagged).mean() == pytest.approx(detector.calibration_["achieved_rate"], abs=1e-12)
    with pytest.raises(MarketDataError, match="volumes has 999 ticks but prices have 1000"):
        ManipulationDetector().calibrate(prices=ragged["prices"], volumes=[v[1:] for v in ragged["volumes"]])
    with pytest.raises(MarketDataError, match="imbalance must hold 24 streams"):
        ManipulationDetector().calibrate(prices=ragged["prices"], volumes=ragged["volumes"],
                                         imbalance=ragged["imbalance"][:3])


def test_calibration_sets_no_threshold_below_its_floor():
    coarse = simulate_ticks(np.full(20, 0.006), 5000, tick_size=0.01, rng=5)  # bounce: tiny statistics
    data = dict(zip(CHANNELS, (coarse.prices, coarse.volumes, coarse.imbalance, coarse.reference)))
    trusting = ManipulationDetector().calibrate(**data, false_alarm_rate=1e-4, floor=0.0)
    assert trusting.thresholds["flash_crash"] < 0.3 * DEFAULT_THRESHOLDS["flash_crash"]
    guarded = ManipulationDetector().calibrate(**data, false_alarm_rate=1e-4)
    floored = guarded.calibration_["floored"]
    assert "flash_crash" in floored and guarded.calibration_["floor"] == 0.5
    for name in STATISTICS:
        assert guarded.thresholds[name] == max(trusting.thresholds[name], 0.5 * DEFAULT_THRESHOLDS[name])
        assert (name in floored) == (trusting.thresholds[name] < 0.5 * DEFAULT_THRESHOLDS[name])
    flagged = [guarded.reset().detect(*channels(coarse, i))["flag"].to_numpy()[101:] for i in range(20)]
    assert np.concatenate(flagged).mean() == pytest.approx(guarded.calibration_["achieved_rate"], abs=1e-12)
    with pytest.raises(ConfigError, match="floor"):
        ManipulationDetector().calibrate(**data, floor=1.5)


def test_a_statistic_the_data_never_moves_keeps_its_threshold(normal):
    same = ManipulationDetector().calibrate(prices=normal.prices, volumes=normal.volumes,
                                            reference=normal.prices, false_alarm_rate=1e-3, floor=0.0)
    assert same.calibration_["statistics"] == ["flash_crash", "sell_off", "pump_and_dump"]  # residual always 0
    assert same.thresholds["coordinated"] == DEFAULT_THRESHOLDS["coordinated"]
    with pytest.raises(MarketDataError, match="moved no statistic"):
        ManipulationDetector().calibrate(prices=np.full((2, 500), 50.0), volumes=np.ones((2, 500)))


def test_tail_thresholds_recover_an_exponential_quantile():
    rng = np.random.default_rng(4)
    values = np.sort(np.column_stack([3.0 + rng.exponential(2.0, 40_000), np.zeros(40_000)]), axis=0)
    shifted, constant = _tail_thresholds(values, 1e-6)
    assert shifted == pytest.approx(3.0 + 2.0 * math.log(1e6), rel=0.03)  # the true 1e-6 quantile, 30.6
    assert constant == 0.0  # nothing above its fitted quantile: no tail to extrapolate
    median, _ = _tail_thresholds(values, 0.5)  # a level inside the fitted share is read off the data
    assert median == pytest.approx(3.0 + 2.0 * math.log(2.0), rel=0.03)


def short_calibration(n_ticks, rng):
    """The defaults calibrated at 1e-4 on one normal stream of ``n_ticks``, every channel observed."""
    short = simulate_ticks([0.012], n_ticks, rng=rng)
    return ManipulationDetector().calibrate(**dict(zip(CHANNELS, channels(short, 0))), false_alarm_rate=1e-4)


def fresh_flagged_share(detector, n_streams, rng):
    """The share of ticks ``detector`` flags on fresh normal streams of 5,000 ticks, after warm-up."""
    fresh = simulate_ticks(np.full(n_streams, 0.012), 5000, rng=rng)
    return np.concatenate([detector.reset().detect(*channels(fresh, i))["flag"].to_numpy()[101:]
                           for i in range(n_streams)]).mean()


def test_a_short_calibration_extrapolates_the_tails():
    """5,000 ticks cannot show a 1e-4 quantile: thresholds set by the data alone flag 27 times that
    rate of fresh normal ticks here (0.27 %); raised to the fitted exponential tails, 1.4 times."""
    detector = short_calibration(5000, rng=21)
    assert detector.calibration_["tails_extrapolated"]
    assert fresh_flagged_share(detector, 30, rng=22) <= 3e-4


def test_short_data_does_not_lower_the_spoofing_and_divergence_thresholds():
    """2,000 ticks show the imbalance statistic while the book's persistence is still learned (its
    long-run variance inflated): this stream's data set the spoofing threshold at 6.9, and fresh
    normal streams were flagged at 45 times the rate asked for. They show few excursions of the slow
    divergence CUSUM: with the spoofing threshold kept, its threshold, set at 11.3, flagged 4.3 times
    the rate; with both kept at their defaults, 3.0 times."""
    detector = short_calibration(2000, rng=[10, 2000])
    assert detector.thresholds["spoofing"] == DEFAULT_THRESHOLDS["spoofing"]
    assert detector.thresholds["coordinated"] == DEFAULT_THRESHOLDS["coordinated"]
    assert fresh_flagged_share(detector, 20, rng=999) <= 4e-4


def test_float_rounding_of_prices_is_no_move():
    """The same one-cent prices written two ways, ``cents / 100`` and ``round(p / 0.01) * 0.01``, differ
    by about 1e-16 on some ticks; mixed tick by tick, with an imbalance on a 0.1 grid (so it often
    repeats) one float step off on half the ticks, they give the flags, scores and state of one
    spelling (counted as a deviation, one float step off a constant start set the imbalance's scale
    near zero, and its mean move stayed at 0.002 instead of 0.67 for 6,000 ticks). An independent test's feed mixed like this
    was flagged on 24 ticks in 23,400 (none with either spelling alone) before such changes stopped
    counting as moves."""
    rng = np.random.default_rng(8)
    ticks = simulate_ticks([0.01, 0.02], 6000, tick_size=0.01, rng=9)
    for i in range(2):
        cents, ref_cents = np.round(ticks.prices[i] * 100), np.round(ticks.reference[i] * 100)
        one, ref_one = cents / 100, ref_cents / 100
        other, ref_other = np.round(one / 0.01) * 0.01, np.round(ref_one / 0.01) * 0.01
        assert (one != other).sum() > 100  # the two spellings do differ
        imbalance = np.round(ticks.imbalance[i], 1)
        assert (np.diff(imbalance) == 0).mean() > 0.2  # repeats, which the jitter must not turn into moves
        mixed = rng.random(one.size) < 0.5
        jittered = np.where(mixed, np.nextafter(imbalance, 2.0), imbalance)
        clean, noisy = ManipulationDetector(), ManipulationDetector()
        clean_frame = clean.detect(one, ticks.volumes[i], imbalance, ref_one)
        noisy_frame = noisy.detect(np.where(mixed, other, one), ticks.volumes[i], jittered,
                                   np.where(mixed, ref_other, ref_one))
        assert_array_equal(noisy_frame["flag"].to_numpy(), clean_frame["flag"].to_numpy())
        assert_allclose(noisy_frame["score"].to_numpy(), clean_frame["score"].to_numpy(), rtol=1e-6, atol=1e-9)
        # everything learned alike, e.g. the imbalance's scale and moves, and the relative tick size
        assert_allclose(noisy.to_dict()["state"], clean.to_dict()["state"], rtol=1e-6, atol=1e-9)


def test_the_achieved_rate_is_that_of_the_thresholds_set():
    """At 1e-2 two streams of 5,000 ticks are more than TAIL_TICKS / rate but fewer than SLOW_TICKS
    live ticks: the divergence threshold is raised to its default after the search, and the achieved
    rate is measured again at the thresholds set (0.0083 here; the search's rank gave 0.0098)."""
    data = simulate_ticks([0.01, 0.02], 5000, rng=3)
    detector = ManipulationDetector().calibrate(**dict(zip(CHANNELS, channels(data, slice(None)))),
                                                false_alarm_rate=1e-2, floor=0.0)
    assert not detector.calibration_["tails_extrapolated"]
    assert detector.thresholds["coordinated"] == DEFAULT_THRESHOLDS["coordinated"]
    flags = [detector.reset().detect(*channels(data, i))["flag"].to_numpy()[101:] for i in range(2)]
    assert detector.calibration_["achieved_rate"] == pytest.approx(np.concatenate(flags).mean())


def test_enough_data_may_lower_the_divergence_threshold(calibrated):
    """Over SLOW_TICKS live ticks the data sets the divergence threshold, here below its default (the
    test set's medium flash crashes, which the divergence often flags first, need that)."""
    assert calibrated.calibration_["n_live_ticks"] >= SLOW_TICKS
    assert calibrated.thresholds["coordinated"] < 0.9 * DEFAULT_THRESHOLDS["coordinated"]


@pytest.mark.parametrize("family", list(ATTACK_SIZES))
def test_medium_attacks_are_detected(calibrated, normal, family):
    attacked = inject_attack(normal, family, "medium", rng=3)
    _, length = ATTACK_SIZES[family]
    detected = 0
    for i in range(len(attacked.onsets)):
        flags = calibrated.reset().detect(*channels(attacked, i))["flag"].to_numpy()
        onset = attacked.onsets[i]
        detected += flags[onset : onset + length + 20].any()
    assert detected >= 0.9 * len(attacked.onsets)


@pytest.mark.parametrize("tick_size", [0.0, 0.01])
@pytest.mark.parametrize("all_channels", [False, True])
def test_default_thresholds_flag_fewer_than_one_in_10000_normal_ticks(all_channels, tick_size):
    fresh = simulate_ticks(np.full(6, 0.012), 20_000, tick_size=tick_size, rng=11)  # not the calibration data
    flags = []
    for i in range(6):
        extra = (fresh.imbalance[i], fresh.reference[i]) if all_channels else ()
        flags.append(ManipulationDetector().detect(fresh.prices[i], fresh.volumes[i], *extra)["flag"].to_numpy()[500:])
    assert 1e4 * np.concatenate(flags).mean() <= 1.0


@pytest.mark.parametrize("persistence", [0.0, 0.95])
def test_a_naturally_persistent_or_independent_imbalance_is_not_spoofing(persistence):
    """The spoofing statistic measures the imbalance over its long-run standard deviation: an
    order book whose imbalance lasts (lag-1 autocorrelation 0.95) raises no more alarms than one
    whose imbalance is independent from tick to tick."""
    fresh = simulate_ticks(np.full(6, 0.012), 20_000, imbalance_persistence=persistence, rng=13)
    flags = [ManipulationDetector().detect(*channels(fresh, i)[:3])["flag"].to_numpy()[500:] for i in range(6)]
    assert 1e4 * np.concatenate(flags).mean() <= 1.0


def garch_ticks(n_streams, n_ticks, rng, a=0.1, b=0.89, sigma=1e-4, rho=0.8):
    """GARCH(1,1) returns with volume proportional to the conditional variance (busy markets move
    more), and a related asset with correlation ``rho`` and the same bursts: volatility as on real
    tick data, made independently of ``simulate_ticks``. Returns prices, volumes, reference prices."""
    rng = np.random.default_rng(rng)
    shocks = rng.standard_normal((n_streams, n_ticks))
    variance, returns = np.empty_like(shocks), np.empty_like(shocks)
    h = np.full(n_streams, sigma**2)
    for t in range(n_ticks):
        variance[:, t], returns[:, t] = h, np.sqrt(h) * shocks[:, t]
        h = sigma**2 * (1 - a - b) + a * returns[:, t] ** 2 + b * h
    volumes = 1000 * rng.lognormal(0.0, 0.5, shocks.shape) * variance / sigma**2
    related = rho * returns + np.sqrt((1 - rho**2) * variance) * rng.standard_normal(shocks.shape)
    return 100 * np.exp(np.cumsum(returns, axis=1)), volumes, 50 * np.exp(np.cumsum(related, axis=1))


def alarms_per_10000(flags):
    """Alarm onsets per 10,000 ticks after each stream's first 500."""
    live = [f[500:] for f in flags]
    return 1e4 * sum(np.count_nonzero(alarm_onsets(f)) for f in live) / sum(f.size for f in live)


def test_bursts_of_volatility_with_volume_are_not_attacks():
    """The fast volatility floor follows a GARCH burst within a few ticks; with the slow volatility
    alone, the burst and the volume that comes with it read as runs (5.6 false alarms per 10,000
    here, 0.95 with the floor, 0.67 once an ended alarm restarts at half its threshold)."""
    prices, volumes, _ = garch_ticks(30, 4000, rng=21)
    flags = [ManipulationDetector().detect(p, v)["flag"].to_numpy() for p, v in zip(prices, volumes)]
    assert alarms_per_10000(flags) <= 1.0


def test_a_related_asset_with_the_same_bursts_shows_no_divergence():
    """The residual against the related asset has the bursts too; its fast floor follows them
    (the coordinated statistic alone crossed its threshold 16 times per 10,000 ticks without it)."""
    prices, volumes, related = garch_ticks(30, 4000, rng=21)
    frames = [ManipulationDetector().detect(p, v, None, q) for p, v, q in zip(prices, volumes, related)]
    assert alarms_per_10000([f["score_coordinated"].to_numpy() > 1.0 for f in frames]) <= 1.0


def test_a_slowly_wandering_imbalance_under_tick_noise_is_not_spoofing():
    """An AR(0.98) imbalance plus independent noise: the lag-1 autocorrelation is only about 0.8,
    while the long-run variance is 16 times the short-run one. Sized by the lag-1 autocorrelation
    alone, the spoofing statistic raised 38 alarms per 10,000 ticks here and flagged 7.8 % of the
    ticks; the smoothed-deviation estimate of the long-run variance brought that down to 2.0 and 0.28 %,
    restarting an ended alarm at half its threshold to 1.4 and 0.24 %, with slower persistence EWMs
    1.4 and 0.29 %, inflating the smoothed variance while it is learned (these streams are all
    learning) 0.5 and 0.07 % (0.6 with the drift statistics' allowance for bounce)."""
    rng = np.random.default_rng(17)
    n_streams, n_ticks = 40, 4000
    slow = np.zeros((n_streams, n_ticks))
    shocks = 0.2 * np.sqrt(1 - 0.98**2) * rng.standard_normal(slow.shape)
    for t in range(1, n_ticks):
        slow[:, t] = 0.98 * slow[:, t - 1] + shocks[:, t]
    imbalance = np.clip(slow + 0.1 * rng.standard_normal(slow.shape), -1, 1)
    fresh = simulate_ticks(np.full(n_streams, 0.012), n_ticks, rng=18)
    flags = [ManipulationDetector().detect(fresh.prices[i], fresh.volumes[i], imbalance[i])["flag"].to_numpy()
             for i in range(n_streams)]
    assert alarms_per_10000(flags) <= 1.0
    assert np.concatenate([f[500:] for f in flags]).mean() <= 0.002


def test_an_alarm_that_ends_does_not_flicker_back():
    """After a pump-and-dump the statistics that flagged its dump sit just below their thresholds and
    would take tens of ticks to drain; without the restart, modest moves in that time raised new alarms."""
    attacked = inject_attack(simulate_ticks(np.full(60, 0.012), 3000, rng=31), "pump_and_dump", "medium", rng=32)
    _, length = ATTACK_SIZES["pump_and_dump"]

    def late_onsets(detector):  # new alarms from 3 to 20 ticks after the attack's end
        count = 0
        for i, onset in enumerate(attacked.onsets):
            flags = detector.reset().detect(*channels(attacked, i))["flag"].to_numpy()
            count += np.count_nonzero(alarm_onsets(flags)[onset + length + 3 : onset + length + 20])
        return count

    assert late_onsets(ManipulationDetector()) <= 1
    assert late_onsets(ManipulationDetector(restart=1.0)) >= 10  # 21, as before the restart existed


def test_default_thresholds_are_the_documented_calibration():
    calibrated = ManipulationDetector().calibrate(**calibration_set(), false_alarm_rate=5e-5).thresholds
    assert DEFAULT_THRESHOLDS == {name: math.ceil(10 * value) / 10 for name, value in calibrated.items()}


def test_a_spoof_held_on_a_volatile_book_is_caught():
    """Spoof orders hold the imbalance at one level. On a volatile, persistent book (tanh of an
    AR(0.9) with innovation sd 0.3) its deviation in long-run units barely exceeds the allowance, but
    a spell that flat is not normal: 10 of 10 caught, 0 of 10 before the held-imbalance rule."""
    rng = np.random.default_rng(31)
    caught = quiet = 0
    for i in range(10):
        latent, shocks = np.zeros(6000), rng.normal(0.0, 0.3, 6000)
        for t in range(1, 6000):
            latent[t] = 0.9 * latent[t - 1] + shocks[t]
        imbalance = np.tanh(latent)
        ticks = simulate_ticks([0.012], 6000, rng=100 + i)
        normal = ManipulationDetector().detect(ticks.prices[0], ticks.volumes[0], imbalance)
        quiet += not (normal["family"] == "spoofing").any()
        imbalance[4000:4100] = np.clip(rng.choice([-0.8, 0.8]) + rng.normal(0.0, 0.03, 100), -1, 1)
        flags = ManipulationDetector().detect(ticks.prices[0], ticks.volumes[0], imbalance)
        caught += bool((flags["family"].iloc[4000:4120] == "spoofing").any())
    assert caught >= 9 and quiet == 10


def queue_book(rng, n_ticks, phi=0.97, sd=0.8, size=50.0):
    """Bid and ask queues of whole lots, each log-normal around ``size`` with an AR(``phi``) log."""
    log_queues = np.zeros((2, n_ticks))
    shocks = rng.normal(0.0, sd * np.sqrt(1 - phi**2), log_queues.shape)
    log_queues[:, 0] = rng.normal(0.0, sd, 2)
    for t in range(1, n_ticks):
        log_queues[:, t] = phi * log_queues[:, t - 1] + shocks[:, t]
    return np.maximum(1.0, np.round(size * np.exp(log_queues)))


def test_a_spoof_on_a_persistent_queue_book_is_caught_by_its_jump():
    """On a book of persistent queues (AR(0.97) log sizes) the imbalance wanders far for tens of
    ticks by nature, so a spoof (one queue ten times its size for 100 ticks) is no evidence by its
    level; its onset is, a jump of many times the book's mean move, held since: 7 of 10 caught (8 with
    the spoofing allowance at 0.25), 0 of 10 without the jump rule."""
    rng = np.random.default_rng(41)
    caught = quiet = 0
    for i in range(10):
        bid, ask = queue_book(rng, 6000)
        ticks = simulate_ticks([0.012], 6000, rng=200 + i)
        normal = ManipulationDetector().detect(ticks.prices[0], ticks.volumes[0], (bid - ask) / (bid + ask))
        quiet += not (normal["family"] == "spoofing").any()
        (bid if i % 2 else ask)[4000:4100] *= 10
        flags = ManipulationDetector().detect(ticks.prices[0], ticks.volumes[0], (bid - ask) / (bid + ask))
        caught += bool((flags["family"].iloc[4000:4120] == "spoofing").any())
    assert caught >= 6 and quiet == 10


def test_an_imbalance_reported_on_few_ticks_is_not_spoofing():
    """An imbalance that changes on one tick in ten (a book sampled at trades, say) repeats itself
    in between: an unchanged imbalance is no move, or the mean move would be a tenth of a real one
    and every change would look like a spoof's jump (80 % of these ticks were flagged so)."""
    rng = np.random.default_rng(43)
    fresh = simulate_ticks(np.full(6, 0.012), 20_000, imbalance_persistence=0.8, rng=44)
    changes = rng.random(fresh.imbalance.shape) < 0.1
    changes[:, 0] = True
    last_change = np.maximum.accumulate(np.where(changes, np.arange(20_000), 0), axis=1)
    stale = np.take_along_axis(fresh.imbalance, last_change, axis=1)
    flags = [ManipulationDetector().detect(fresh.prices[i], fresh.volumes[i], stale[i])["flag"].to_numpy()
             for i in range(6)]
    assert alarms_per_10000(flags) <= 1.0
    assert np.concatenate([f[500:] for f in flags]).mean() <= 1e-4


def test_a_coarse_price_grid_is_quiet():
    """On a coarse grid most prices are unchanged. An unchanged price does not count as a move, so
    the return's volatility does not collapse during runs of them; the residual against the related
    asset (zero when neither price moves) needs the tick floor."""
    coarse = simulate_ticks(np.full(6, 0.0015), 20_000, tick_size=0.01, rng=12)  # 93 % zero returns
    assert np.mean(np.diff(coarse.prices, axis=1) == 0) > 0.9

    def flagged_per_10000(detector, n_channels=4):
        frames = [detector.reset().detect(*channels(coarse, i)[:n_channels]) for i in range(6)]
        return 1e4 * np.mean([f["flag"].to_numpy()[500:] for f in frames])

    assert flagged_per_10000(ManipulationDetector()) <= 1.0
    assert flagged_per_10000(ManipulationDetector(tick_floor=0.0), n_channels=2) <= 1.0
    assert flagged_per_10000(ManipulationDetector(tick_floor=0.0)) >= 100.0  # the residual's volatility collapses


def test_a_price_that_changes_on_few_ticks_is_not_an_attack():
    """A last-trade price on a fixed clock: 80 % of the ticks repeat the last price (no trade, no
    volume), the others catch up the moves since. Counting the repeats as moves of size zero, the
    volatility was a fraction of a catch-up's and the catch-ups read as crashes and pumps (790
    alarms per 10,000 ticks here)."""
    rng = np.random.default_rng(19)
    fresh = simulate_ticks(np.full(20, 0.012), 4000, rng=20)
    traded = rng.random(fresh.prices.shape) < 0.2
    last_trade = np.maximum.accumulate(np.where(traded, np.arange(4000), 0), axis=1)
    prices = np.take_along_axis(fresh.prices, last_trade, axis=1)
    flags = [ManipulationDetector().detect(p, v)["flag"].to_numpy() for p, v in zip(prices, fresh.volumes * traded)]
    assert alarms_per_10000(flags) <= 1.0


@pytest.mark.parametrize("family", list(ATTACK_SIZES))
def test_default_thresholds_detect_medium_attacks(normal, family):
    attacked = inject_attack(normal, family, "medium", rng=5)
    _, length = ATTACK_SIZES[family]
    detected = sum(
        ManipulationDetector().detect(*channels(attacked, i))["flag"].to_numpy()[onset : onset + length + 20].any()
        for i, onset in enumerate(attacked.onsets)
    )
    assert detected >= 0.95 * len(attacked.onsets)


def test_a_fall_spread_over_ticks_is_found_by_the_sell_off(normal):
    """Ten ticks of -3.5 tick sigmas: too little for the crash statistic, whose threshold single
    heavy-tailed jumps set, and found by the sell-off statistic (each tick counted at most clip)."""
    onset, span = 1500, 10
    prices = normal.prices.copy()
    prices[:, onset:] *= np.exp(-3.5 * normal.sigma_tick[:, None] * np.minimum(np.arange(1, 2501 - onset), span))
    frames = [ManipulationDetector().detect(prices[i], normal.volumes[i]).iloc[onset : onset + span + 5]
              for i in range(len(prices))]
    found = [frame.loc[frame["flag"], ["family", "score_sell_off", "score_flash_crash"]] for frame in frames]
    assert sum(len(f) > 0 for f in found) >= 0.9 * len(frames)
    first = pd.concat([f.iloc[:1] for f in found if len(f)])
    assert (first["score_sell_off"] > first["score_flash_crash"]).all()
    assert (first["family"] == "flash_crash").mean() >= 0.9  # else a dump, after a chance run-up
    without = ManipulationDetector(thresholds={"sell_off": 1e9})
    assert sum(without.reset().detect(prices[i], normal.volumes[i])["flag"].iloc[onset : onset + span + 5].any()
               for i in range(len(prices))) <= 0.25 * len(frames)


@pytest.mark.parametrize("family", ["pump_and_dump", "spoofing", "coordinated"])
def test_the_alarm_ends_soon_after_the_attack(normal, family):
    """Flagged ticks in the 100 normal ticks after a medium attack: the cap (hold) ends the alarm
    about a tick after the evidence stops; uncapped, the statistic drains for tens of ticks."""
    attacked = inject_attack(normal, family, "medium", rng=3)
    _, length = ATTACK_SIZES[family]

    def mean_tail(detector):
        ends = attacked.onsets + length
        return np.mean([detector.reset().detect(*channels(attacked, i))["flag"].to_numpy()[end : end + 100].sum()
                        for i, end in enumerate(ends)])

    assert mean_tail(ManipulationDetector()) <= 3.0
    assert mean_tail(ManipulationDetector(hold=1e6)) >= 20.0


def test_a_one_tick_crash_is_named_flash_crash(calibrated, normal):
    detector = ManipulationDetector.restore(calibrated.save()).reset()
    detector.detect(*(a[:500] for a in channels(normal, 0)[:2]))
    result = detector.update(normal.prices[0, 499] * 0.97, 2 * normal.volumes[0, 499])
    assert result.flag and result.family == "flash_crash" and result.score > 1


def test_the_rebound_of_a_flash_crash_keeps_its_name(normal):
    """A fall of 40 tick volatilities in 5 ticks on three times the volume, half of it regained over
    the next 30 ticks on 1.5 times: the rebound is a strong rise too. A rise flagged while the crash
    memory is at least ``runup_share`` is named after the crash; without that rule (and the dump's),
    the rebound's flags were named pump-and-dump or coordinated in most streams."""
    move = np.r_[np.full(5, -8.0), np.full(30, 20.0 / 30)]
    onset = 1500

    def all_flash_crash(detector):  # streams whose flags, onset to rebound + 20 ticks, are all flash_crash
        count = 0
        for i in range(len(normal.prices)):
            prices, volumes, imbalance, reference = (a.copy() for a in channels(normal, i))
            prices[onset : onset + move.size] *= np.exp(np.cumsum(move) * normal.sigma_tick[i])
            prices[onset + move.size :] *= np.exp(move.sum() * normal.sigma_tick[i])
            volumes[onset : onset + 5] *= 3.0
            volumes[onset + 5 : onset + move.size] *= 1.5
            frame = detector.reset().detect(prices, volumes, imbalance, reference).iloc[onset : onset + move.size + 20]
            names = frame["family"][frame["flag"]]
            count += bool(len(names)) and bool((names == "flash_crash").all())
        return count

    assert all_flash_crash(ManipulationDetector()) >= 20  # 22 of 24; the other two: a dump after a chance run-up
    assert all_flash_crash(ManipulationDetector(runup_share=1e9)) <= 10  # 9


def test_a_gap_is_not_scored_and_what_was_learned_carries_over(calibrated, normal):
    arrays = channels(normal, 0)
    before = ManipulationDetector.restore(calibrated.save()).reset()
    before.detect(*(a[:1000] for a in arrays))
    # the price opens 1 % lower after the break, its related asset 2 % lower
    opening = [a[1000:1300] * factor for a, factor in zip(arrays, (0.99, 1.0, 1.0, 0.98))]
    with_gap = pickle.loads(pickle.dumps(before)).gap()
    first = with_gap.update(*(a[0] for a in opening))
    assert not first.flag and first.score < 0.5
    # the price's volatility and moves, the crash, sell-off and pump statistics and the divergence's
    learned = [kernel.S_SCALE, kernel.S_TICK, kernel.S_N_MOVES, *range(kernel.S_C, kernel.S_C + 3),
               kernel.S_C + 5, kernel.S_C + 6, kernel.S_C_SLOW, kernel.S_C_SLOW + 1]
    assert_array_equal(with_gap._state[learned], before._state[learned])  # no move was scored
    assert not with_gap.detect(*(a[1:] for a in opening))["flag"].any()
    assert with_gap.n_ticks == 1300
    opened = before.detect(*opening).iloc[0]  # without the gap, the opening is a crash and a divergence
    assert opened["flag"] and opened["score_flash_crash"] > 1 and opened["score_coordinated"] > 1


def test_typed_errors_and_the_state_is_kept(calibrated):
    detector = ManipulationDetector.restore(calibrated.save()).reset()
    detector.update(100.0, 10.0)
    before = detector.to_dict()
    with pytest.raises(MarketDataError, match="price is nan"):
        detector.update(float("nan"), 10.0)
    with pytest.raises(MarketDataError, match="volume is -1"):
        detector.update(100.0, -1.0)
    with pytest.raises(MarketDataError, match="reference price"):
        detector.update(100.0, 1.0, reference=-5.0)
    assert detector.to_dict() == before
    with pytest.raises(MarketDataError, match=r"row 2: price is nan"):
        detector.detect([1.0, 1.0, np.nan], [1.0, 1.0, 1.0])
    with pytest.raises(MarketDataError, match=r"row 1: volume is -2"):
        detector.detect(pd.Series([1.0, 1.0]), [1.0, -2.0])
    with pytest.raises(MarketDataError, match=r"1-D"):
        detector.detect(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(MarketDataError, match="volumes has 2 ticks but prices have 3"):
        detector.detect(np.ones(3), np.ones(2))
    with pytest.raises(MarketDataError, match="reference is indexed unlike prices"):
        detector.detect(pd.Series([1.0, 1.0], index=[0, 1]), [1.0, 1.0], reference=pd.Series([1.0, 1.0], index=[1, 2]))
    with pytest.raises(MarketDataError, match="imbalance must hold 2 streams, one per stream of prices, got 300"):
        detector.calibrate(prices=np.ones((2, 300)), volumes=np.ones((2, 300)), imbalance=np.ones(300))
    assert detector.to_dict() == before
    assert all(isinstance(e, ValueError) for e in (MarketDataError("x"), ConfigError("x")))


@pytest.mark.parametrize(
    "kwargs",
    [dict(halflife=0), dict(fast_halflife=0), dict(warmup=1.5), dict(hold=0), dict(restart=1.5),
     dict(restart=float("nan")), dict(thresholds={"nope": 1.0}), dict(drifts={"spoofing": -1}),
     dict(drifts={"sell_off": 0}), dict(runup_share=0)],
)
def test_bad_parameters_raise_config_error(kwargs):
    with pytest.raises(ConfigError):
        ManipulationDetector(**kwargs)


def test_restore_refuses_other_documents():
    with pytest.raises(ConfigError, match="not a saved ManipulationDetector"):
        ManipulationDetector.restore({"schema": "antifragile.limits/1"})
    document = ManipulationDetector().to_dict()
    older = {**document, "schema": "antifragile.detector/15"}
    with pytest.raises(ConfigError, match="another version of antifragile .schema 'antifragile.detector/15'"):
        ManipulationDetector.restore(older)
    document["state"] = document["state"][:-1]  # a state saved with another slot layout
    with pytest.raises(ConfigError, match=f"{kernel.N_SLOTS} numbers"):
        ManipulationDetector.restore(document)


def first_alarm_names(detector, normal, family, seeds=(3, 4, 5), mirror=False):
    """Family named at the first flag within each medium attack (+20 ticks), over several draws;
    ``mirror``: each attack's price move turned upside down."""
    _, length = ATTACK_SIZES[family]
    names = []
    for seed in seeds:
        attacked = inject_attack(normal, family, "medium", rng=seed)
        if mirror:
            attacked = replace(attacked, prices=normal.prices**2 / attacked.prices)
        for i, onset in enumerate(attacked.onsets):
            frame = detector.reset().detect(*channels(attacked, i))
            window = frame["flag"].to_numpy()[onset : onset + length + 20]
            if window.any():
                names.append(frame["family"].iloc[onset + int(np.argmax(window))])
    return names


@pytest.mark.parametrize("family", ["flash_crash", "pump_and_dump", "spoofing"])
def test_medium_attacks_are_named_after_their_family(calibrated, normal, family):
    # a flash crash or a pump also diverges from the related asset: the coordinated statistic
    # must not take the name when the asset's own fall is fast or the move is volume-confirmed
    names = first_alarm_names(calibrated, normal, family)
    assert len(names) >= 0.9 * 72
    assert np.mean([name == family for name in names]) >= 0.85  # pump-and-dump: 64 of 72 (the rest: coordinated)


def test_coordinated_divergence_without_volume_keeps_its_name(calibrated, normal):
    # weaker bound: early in a slow divergence, chance volume surges pass for volume confirmation
    names = first_alarm_names(calibrated, normal, "coordinated")
    assert np.mean([name == "coordinated" for name in names]) >= 0.65


def test_a_slow_fall_away_from_the_related_asset_is_named_coordinated(calibrated, normal):
    """The sell-off statistic sees a slow fall too, but only a fast one (the crash statistic) or a
    volume surge names the divergence after the asset's own move: 62 of 72 keep their name here,
    44 when the sell-off statistic could name them."""
    names = first_alarm_names(calibrated, normal, "coordinated", mirror=True)
    assert len(names) == 72
    assert np.mean([name == "coordinated" for name in names]) >= 0.8


@settings(max_examples=25)
@given(price_unit=st.floats(1e-3, 1e4), volume_unit=st.floats(1e-3, 1e6), stream=st.integers(0, 23))
def test_scores_do_not_depend_on_the_units_of_price_and_volume(normal, price_unit, volume_unit, stream):
    # every feature is a return or a deviation over its own scale: cents or dollars, shares or lots
    # give the same scores (to round-off) and the same flags
    prices, volumes, imbalance, reference = channels(normal, stream)
    attacked = prices.copy()
    attacked[1500:1505] *= 0.97  # a crash, so that flags are exercised
    base = ManipulationDetector().detect(attacked, volumes, imbalance, reference)
    scaled = ManipulationDetector().detect(attacked * price_unit, volumes * volume_unit, imbalance,
                                           reference * price_unit)
    np.testing.assert_allclose(scaled["score"], base["score"], rtol=1e-7, atol=1e-12)
    assert_array_equal(scaled["flag"], base["flag"])
    assert base["flag"].any()
