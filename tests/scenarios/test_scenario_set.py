"""Crash windows on the S&P 500, the foundation scenario set and apply_scenarios."""

import math

import arch.data.sp500
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from scenarios.attacks import FlashCrash, HistoricalReplay, NoAttack
from scenarios.errors import ScenarioError
from scenarios.history import CRASH_WINDOWS, available_windows, crash_window
from scenarios.scenario_set import FULL_SEVERITY_DRAWDOWN, Scenario, apply_scenarios, foundation_scenarios


@pytest.fixture(scope="module")
def sp500():
    """Daily S&P 500 log returns, 1999-01-05 to 2018-12-31 (adjusted close, ``arch`` sample data)."""
    return np.log(arch.data.sp500.load()["Adj Close"]).diff().dropna()


@pytest.fixture
def base():
    return np.random.default_rng(9).normal(0.0, 0.012, size=(5, 60))


# --- crash windows -------------------------------------------------------------------------------------------------

# name: (trading days, cumulative S&P 500 log return of the window)
SP500_WINDOWS = {
    "2001-09": (6, -0.1171),  # 10 Sep, then the reopening on 17 Sep (-4.9 %) and the week after
    "2008-10": (21, -0.3571),
    "2010-05-06": (16, -0.1060),
    "2011-08": (20, -0.1799),
    "2015-08-24": (7, -0.0801),
    "2018-02-05": (10, -0.0923),
    "2018-12": (15, -0.1604),
}


@pytest.mark.parametrize(("name", "days", "cumulative"), [(k, *v) for k, v in SP500_WINDOWS.items()])
def test_crash_window_on_sp500(sp500, name, days, cumulative):
    window = crash_window(sp500, name)
    start, end, _ = CRASH_WINDOWS[name]
    assert pd.Timestamp(start) in sp500.index and pd.Timestamp(end) in sp500.index  # both ends are trading days
    assert window.size == days
    assert window.sum() == pytest.approx(cumulative, abs=1e-4)
    assert_array_equal(window, sp500.loc[start:end].to_numpy())


def test_2008_window_is_the_worst(sp500):
    totals = {name: crash_window(sp500, name).sum() for name in CRASH_WINDOWS}
    assert totals["2008-10"] < -0.25
    assert min(totals, key=totals.get) == "2008-10"
    assert list(CRASH_WINDOWS) == sorted(CRASH_WINDOWS, key=lambda name: CRASH_WINDOWS[name].start)


def test_available_windows(sp500):
    assert available_windows(sp500) == list(CRASH_WINDOWS)
    assert available_windows(sp500.loc["2009-01-01":"2016-12-31"]) == ["2010-05-06", "2011-08", "2015-08-24"]
    assert available_windows(sp500.loc[:"2008-10-10"]) == ["2001-09"]  # 2008-10 only partly inside


def test_crash_window_outside_data_names_window_and_range(sp500):
    with pytest.raises(ScenarioError, match=r"'2008-10' \(2008-09-29 to 2008-10-27\).*2009-01-02 to 2018-12-31"):
        crash_window(sp500.loc["2009-01-01":], "2008-10")
    with pytest.raises(ScenarioError, match="1999-01-05 to 2008-10-10"):
        crash_window(sp500.loc[:"2008-10-10"], "2008-10")


@pytest.mark.parametrize(
    ("series", "name", "match"),
    [
        (pd.Series([0.01, -0.02]), "2008-10", "DatetimeIndex"),
        (None, "1987-10", "unknown crash window '1987-10'; known windows: 2001-09, 2008-10"),
    ],
)
def test_crash_window_rejects_bad_requests(sp500, series, name, match):
    with pytest.raises(ScenarioError, match=match):
        crash_window(sp500 if series is None else series, name)


def test_crash_window_reports_missing_value_date(sp500):
    holed = sp500.copy()
    holed.loc["2011-08-08"] = np.nan
    with pytest.raises(ScenarioError, match="'2011-08' has a non-finite log return on 2011-08-08"):
        crash_window(holed, "2011-08")


# --- foundation set ------------------------------------------------------------------------------------------------


def test_foundation_set_contents(sp500):
    scenarios = foundation_scenarios(sp500)
    ids = [s.id for s in scenarios]
    assert len(ids) == len(set(ids)) == 1 + 6 + 3 + 3 + 7
    assert ids[:7] == [
        "baseline/none",
        "flash_crash/d10-f1-r50",
        "flash_crash/d10-f5-r50",
        "flash_crash/d20-f1-r50",
        "flash_crash/d20-f5-r50",
        "flash_crash/d30-f1-r50",
        "flash_crash/d30-f5-r50",
    ]
    assert ids[7:13] == [
        "pump_and_dump/r10-u10-h5-d3-o20",
        "pump_and_dump/r20-u10-h5-d3-o20",
        "pump_and_dump/r30-u10-h5-d3-o20",
        "black_swan/s6-v3-h10",
        "black_swan/s8-v3-h10",
        "black_swan/s10-v3-h10",
    ]
    assert ids[13:] == [f"historical/{name}" for name in CRASH_WINDOWS]
    assert all(s.id.startswith(f"{s.family}/") and s.family == s.attack.family for s in scenarios)
    assert scenarios[6].attack == FlashCrash(0.3, fall_steps=5, recovery_share=0.5, recovery_steps=5)
    assert scenarios[13].attack == HistoricalReplay("2001-09", crash_window(sp500, "2001-09"))
    assert [s.id for s in foundation_scenarios()] == ids[:13]  # no history, no replays


def test_foundation_severities(sp500):
    severity = {s.id: s.severity for s in foundation_scenarios(sp500)}
    assert severity["baseline/none"] == 0.0
    assert all(0.0 < value <= 1.0 for key, value in severity.items() if key != "baseline/none")
    for depth, expected in ((10, 0.25), (20, 0.5), (30, 0.75)):  # drawdown = depth, over 0.4
        for fall in (1, 5):
            assert severity[f"flash_crash/d{depth}-f{fall}-r50"] == pytest.approx(expected, abs=1e-12)
    pumps = [severity[f"pump_and_dump/r{rise}-u10-h5-d3-o20"] for rise in (10, 20, 30)]
    assert pumps[0] == pytest.approx((1.0 - 1.1**-1.2) / FULL_SEVERITY_DRAWDOWN, abs=1e-12)  # fall from the top
    swans = [severity[f"black_swan/s{size}-v3-h10"] for size in (6, 8, 10)]
    assert swans[2] == pytest.approx(-math.expm1(-10 * 0.012) / FULL_SEVERITY_DRAWDOWN, abs=1e-12)
    assert pumps == sorted(pumps) and swans == sorted(swans)
    history = {key: value for key, value in severity.items() if key.startswith("historical/")}
    assert max(history, key=history.get) == "historical/2008-10"
    assert history["historical/2008-10"] == pytest.approx(-math.expm1(-0.3571) / FULL_SEVERITY_DRAWDOWN, abs=1e-3)


def test_quick_set_is_a_subset_of_about_twelve(sp500):
    full = foundation_scenarios(sp500)
    quick = foundation_scenarios(sp500, quick=True)
    assert len(quick) == 12
    assert all(s in full for s in quick)
    assert {s.family for s in quick} == {s.family for s in full}
    assert len(foundation_scenarios(quick=True)) == 8


# --- Scenario and apply_scenarios ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("", "baseline", 0.0, NoAttack()), "id"),
        (("x", "flash_crash", 0.0, NoAttack()), "family 'flash_crash' differs from its attack's family 'baseline'"),
        (("x", "baseline", 1.5, NoAttack()), r"severity must be a number in \[0, 1\], got 1.5"),
        (("x", "baseline", 0.0, "none"), "AttackSpec"),
    ],
)
def test_invalid_scenario(args, match):
    with pytest.raises(ScenarioError, match=match):
        Scenario(*args)


def test_apply_scenarios_stack(sp500, base):
    scenarios = foundation_scenarios(sp500, quick=True)
    before = base.copy()
    out = apply_scenarios(scenarios, base, 0.012, seed=7)
    assert out.shape == (12, 5, 60)
    assert_array_equal(base, before)
    assert_array_equal(out[0], base)  # the baseline
    assert_array_equal(out, apply_scenarios(scenarios, base, 0.012, seed=7))
    assert not np.array_equal(out, apply_scenarios(scenarios, base, 0.012, seed=8))


def test_scenario_numbers_do_not_depend_on_the_rest_of_the_set(sp500, base):
    scenarios = foundation_scenarios(sp500)
    out = apply_scenarios(scenarios, base, 0.012, seed=3)
    picked = [scenarios[12], scenarios[4]]
    assert_array_equal(apply_scenarios(picked, base, 0.012, seed=3), out[[12, 4]])


def test_same_attack_under_two_ids_draws_two_streams(base):
    twins = [Scenario.of("flash_crash/a", FlashCrash(0.2)), Scenario.of("flash_crash/b", FlashCrash(0.2))]
    out = apply_scenarios(twins, base, 0.012, seed=1)
    assert not np.array_equal(out[0], out[1])


@pytest.mark.parametrize(
    ("scenarios", "seed", "match"),
    [
        ([Scenario.of("baseline/none", NoAttack())] * 2, 0, "unique; repeated: baseline/none"),
        ([], 0, "at least one scenario"),
        ([NoAttack()], 0, r"scenarios\[0\] must be a Scenario"),
        ([Scenario.of("baseline/none", NoAttack())], -1, "seed"),
    ],
)
def test_apply_scenarios_rejects(base, scenarios, seed, match):
    with pytest.raises(ScenarioError, match=match):
        apply_scenarios(scenarios, base, 0.012, seed=seed)
