"""Scenario library, new attack specs, channels, events, intraday paths and stylized facts."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from scenarios.attacks import LiquidityGap, Perturbation, VolatilityRegime
from scenarios.data import load_market
from scenarios.errors import ScenarioError
from scenarios.events import INTRADAY_EVENTS, IntradayEvent
from scenarios.intraday import daily_totals, intraday_paths
from scenarios.library import FAMILIES, ScenarioLibrary, default_library
from scenarios.multiasset import Coordinated, joint_bootstrap_paths
from scenarios.orderflow import Spoofing, order_flow_paths
from scenarios.scenario_set import apply_scenarios
from scenarios.stylized import compare_facts, stylized_facts


@pytest.fixture(scope="module")
def library():
    return default_library(0)


def test_library_size_families_and_curriculum(library):
    assert len(library) >= 1000
    assert {s.family for s in library} == set(FAMILIES) | {"baseline"}
    assert len(set(library.ids)) == len(library)
    severities = [s.severity for s in library]
    assert severities == sorted(severities)
    for family in FAMILIES:  # every family spans mild to severe
        values = [s.severity for s in library if s.family == family]
        assert min(values) < 0.05 and max(values) > 0.25


def test_library_same_seed_same_library_and_ids_stable():
    small = default_library(3, variants=2)
    assert small == default_library(3, variants=2)
    assert small != default_library(4, variants=2)
    assert set(small.ids) == set(default_library(4, variants=2).ids)
    assert "flash_crash/L5-01" in small.ids


def test_library_round_trip(tmp_path, library):
    path = library.save(tmp_path / "library.json")
    assert ScenarioLibrary.load(path) == library
    assert len(library.to_frame()) == len(library)


def test_library_with_history_adds_real_windows():
    history = load_market("sp500").log_returns
    lib = default_library(0, variants=1, history=history)
    assert "historical/window-2008-10" in lib.ids


def test_every_family_generates_seeded_reproducible_paths(library):
    picked = [next(s for s in library if s.family == f and s.severity > 0.1) for f in FAMILIES]
    base = np.random.default_rng(0).normal(0.0, 0.01, size=(4, 252))
    first = apply_scenarios(picked, base, 0.01, seed=7)
    assert_array_equal(first, apply_scenarios(picked, base, 0.01, seed=7))
    assert not np.array_equal(first, apply_scenarios(picked, base, 0.01, seed=8))
    assert all(not np.array_equal(first[k], base) for k in range(len(picked)))


def test_spoofing_order_flow_matches_price_channel():
    base = np.random.default_rng(1).normal(0.0, 0.001, size=(3, 60))
    spoof = Spoofing(side=-1, n_layers=2, build_steps=2, hold_steps=3, impact=0.01, onset=(0.5, 0.5))
    flow = order_flow_paths(base, 0.001, depth=1.0, depth_vol=0.0, rng=0)  # constant depth 1
    attacked = spoof.apply_order_flow(flow, rng=2)
    assert_allclose(attacked.log_returns, spoof.apply(base, 0.001, rng=2), atol=1e-15)
    assert attacked.imbalance[:, 30:35].max() < 0  # fake asks
    assert_allclose(attacked.imbalance[:, 36:], 0.0, atol=1e-15)  # cancelled


def test_coordinated_traded_asset_is_the_game_column():
    data = [load_market("sp500"), load_market("nasdaq")]
    joint = joint_bootstrap_paths(data, 3, 80, rng=0)
    assert 0.8 < np.corrcoef(joint.log_returns[:, 0].ravel(), joint.log_returns[:, 1].ravel())[0, 1] < 0.99
    attack = Coordinated(-0.02, n_actors=3, cross_share=0.5)
    both = attack.apply_joint(joint, rng=5)
    assert_allclose(both[:, 0], attack.apply(joint.log_returns[:, 0], 0.01, rng=5), atol=1e-15)
    # actors 0 and 2 target asset 0, actor 1 asset 1: total log push 2.5 and 2 times log(0.98)
    assert_allclose((both - joint.log_returns).sum(axis=2)[:, 0] / np.log(0.98),
                    2.5 * (1 - attack.release_share), atol=1e-12)


def test_liquidity_gap_slippage_and_regime_specs():
    base = np.zeros((2, 50))
    gap = LiquidityGap(0.1, gap_steps=2, slippage=0.03, halflife=4.0)
    prices, slip = gap.apply_with_slippage(base, 0.01, rng=0)
    assert_allclose(prices, gap.apply(base, 0.01, rng=0))
    assert slip.max() == pytest.approx(0.03)
    assert VolatilityRegime(3.0, length=5).flat_drawdown(0.01) == 0.0
    assert Perturbation(0.05, norm="one").flat_drawdown(0.01) == pytest.approx(-np.expm1(-0.05))
    with pytest.raises(ScenarioError, match="norm"):
        Perturbation(0.01, norm="two")


@pytest.mark.parametrize("name", list(INTRADAY_EVENTS))
def test_intraday_events_reach_their_reported_low(name):
    shape = INTRADAY_EVENTS[name]
    assert shape.source
    event = IntradayEvent(name, onset=(0.0, 0.0))
    path = event.apply(np.zeros((1, 400)), 0.01, rng=0)[0]
    assert np.exp(np.cumsum(path)).min() - 1 == pytest.approx(min(shape.moves), abs=1e-12)


def test_intraday_paths_keep_daily_returns_and_stylized_facts():
    data = load_market("sp500")
    paths = intraday_paths(data, 2, 3, rng=0)
    assert paths.log_returns.shape == (2, 3 * 390)
    days = daily_totals(paths.log_returns)
    assert np.isin(np.round(days, 12), np.round(data.log_returns.to_numpy(), 12)).all()  # real days, bridged
    real = stylized_facts(data.log_returns)
    assert real.excess_kurtosis == pytest.approx(8.169, abs=1e-3)
    assert (real.acf_abs_1, real.acf_abs_10, real.acf_abs_100) == pytest.approx((0.2443, 0.2902, 0.1201), abs=1e-4)
    assert real.leverage == pytest.approx(-0.1135, abs=1e-4)


@pytest.mark.slow
def test_daily_aggregates_of_intraday_paths_within_25_percent():
    data = load_market("sp500")
    paths = intraday_paths(data, 16, 2000, minutes=2, rng=0)
    table = compare_facts(stylized_facts(daily_totals(paths.log_returns, 2)), stylized_facts(data.log_returns))
    assert table["within"].all(), table
