"""Scoring the detector on labelled streams and on a daily history."""

import numpy as np
import pandas as pd
import pytest

from antifragile.detector import ManipulationDetector
from antifragile.evaluation import (
    DAILY_SETTINGS, alarm_onsets, daily_alarms, daily_detector, detection_table, score_attacks,
)
from antifragile.streams import ATTACK_SIZES, inject_attack, simulate_ticks
from gametheory.errors import ConfigError
from scenarios import load_market, make_paths


@pytest.fixture(scope="module")
def table():
    return detection_table(ManipulationDetector(), 0.012, n_streams=12, rng=0)


def test_every_family_and_severity_is_scored(table):
    assert list(table.index) == [(family, severity) for family in ATTACK_SIZES for severity in ("medium", "high")]
    assert table["detected"].between(0, 1).all() and table["named_ok"].between(0, 1).all()
    assert (table["median_delay_ticks"] >= 0).all() and (table["normal_flagged_per_10k"] >= 0).all()


def test_the_default_detector_finds_medium_and_high_attacks_quickly(table):
    assert (table["detected"] >= 0.9).all()
    assert table.loc[("flash_crash", "high"), "median_delay_ticks"] <= 3
    assert (table["normal_flagged_per_10k"] <= 20).all()  # the ticks right after an attack included


def test_same_seed_same_table_and_the_detector_is_not_touched(table):
    detector = ManipulationDetector()
    again = detection_table(detector, 0.012, n_streams=12, rng=0)
    pd.testing.assert_frame_equal(table, again)
    assert detector.n_ticks == 0


def test_a_detector_that_never_flags_scores_zero():
    blind = ManipulationDetector(thresholds={name: 1e9 for name in ManipulationDetector().thresholds})
    table = detection_table(blind, 0.012, n_streams=4, n_ticks=1000, rng=1)
    assert (table["detected"] == 0).all() and table["median_delay_ticks"].isna().all()
    assert (table["normal_flagged_per_10k"] == 0).all()


def test_unknown_severity_is_a_config_error():
    with pytest.raises(ConfigError, match="severity"):
        detection_table(ManipulationDetector(), 0.012, n_streams=2, n_ticks=500, severities=("extreme",), rng=2)


@pytest.fixture(scope="module")
def daily():
    history = load_market("sp500")
    paths = make_paths(history, 40, 2520, model="garch", rng=0)
    return history.prices, daily_detector(paths.log_returns, 2e-3)


def test_the_default_thresholds_miss_a_daily_crash_that_a_daily_calibration_finds(daily):
    prices, detector = daily
    day = 3000
    crashed = prices.copy()
    crashed.iloc[day:] *= np.exp(np.minimum(np.arange(1, len(prices) - day + 1), 3) * np.log(0.92))  # -22 % in 3 days
    assert daily_alarms(crashed, ManipulationDetector(**DAILY_SETTINGS)).empty  # tick thresholds: too tolerant
    alarms = daily_alarms(crashed, detector)
    near = alarms[(alarms.index >= prices.index[day]) & (alarms.index <= prices.index[day + 5])]
    assert len(near) == 1 and near["family"].iloc[0] == "flash_crash"
    assert len(daily_alarms(prices, detector)) == len(alarms) - 1  # the crash is the only new alarm


def test_daily_alarms_leave_the_detector_untouched(daily):
    prices, detector = daily
    before = detector.to_dict()
    daily_alarms(prices, detector)
    assert detector.to_dict() == before


def test_score_attacks_counts_by_hand():
    attacked = inject_attack(simulate_ticks([0.01, 0.01, 0.01], 1000, rng=3), "spoofing", "medium", rng=4)
    length = ATTACK_SIZES["spoofing"][1]
    frames = []
    for k, onset in enumerate(attacked.onsets):
        flags = np.zeros(1000, bool)
        if k < 2:
            flags[onset + 7 * (k + 1)] = True  # found after 7 and 14 ticks
        flags[onset + length] = k == 0  # the tick right after the first attack: a normal tick flagged
        flags[10] = True  # in the warm-up: ignored
        family = pd.Categorical(np.where(flags, "spoofing" if k == 0 else "coordinated", None),
                                categories=["flash_crash", "pump_and_dump", "spoofing", "coordinated"])
        frames.append(pd.DataFrame({"flag": flags, "family": family}))
    scores = score_attacks(frames, attacked, grace=20, warmup=50)
    assert scores["delays"] == [7, 14] and scores["detected"] == pytest.approx(2 / 3)
    assert scores["median_delay_ticks"] == 10.5 and scores["named_ok"] == 0.5
    assert scores["normal_flagged_per_10k"] == pytest.approx(1e4 / (3 * (1000 - 50 - length)))


def test_alarm_onsets_are_the_first_flagged_tick_of_each_alarm():
    flags = [True, True, False, False, True, False, True, True, True]
    assert alarm_onsets(flags).tolist() == [True, False, False, False, True, False, True, False, False]
    assert alarm_onsets([]).tolist() == []
