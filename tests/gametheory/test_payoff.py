"""Labelled payoff tables: values, utilities, the game and boundary validation."""

import numpy as np
import pytest

from accelerated.reference import payoff_tables_reference
from gametheory.errors import ConfigError, InvalidGameError
from gametheory.game import ZeroSumGame
from gametheory.payoff import PayoffTables, build_payoff
from gametheory.strategies import default_strategies, encode, fixed, trend_following, vol_target

IDS = ["calm", "crash", "pump"]


@pytest.fixture(scope="module")
def returns():
    rng = np.random.default_rng(11)
    simple = np.expm1(rng.normal(0.0002, 0.015, size=(3, 16, 40)))
    simple[1, :, 20] = -0.35
    return simple


def test_tables_are_the_labelled_kernel_metrics(returns):
    strategies = default_strategies(quick=True)
    tables = build_payoff(strategies, IDS, returns, sigma0=0.015, cost=0.001, periods_per_year=252)
    assert isinstance(tables, PayoffTables)
    names = [s.name for s in strategies]
    kinds, params = encode(strategies)
    expected = payoff_tables_reference(returns, kinds, params, np.ones(len(names)), 0.015, 0.001, 252.0)
    frames = [tables.log_growth, tables.total_return, tables.mean_drawdown, tables.worst_drawdown, tables.recovery_time]
    for frame, values in zip(frames, expected):
        assert list(frame.index) == names and list(frame.columns) == IDS
        assert (frame.index.name, frame.columns.name) == ("strategy", "scenario")
        np.testing.assert_allclose(frame.to_numpy(), values, rtol=1e-9, atol=1e-12)
    assert tables.utility is tables.log_growth and tables.utility_name == "log_growth"
    assert tables.strategies == tuple(strategies)
    assert tables.settings == {
        "sigma0": 0.015, "cost": 0.001, "periods_per_year": 252.0, "drawdown_penalty": 1.0,
        "multipliers": (1.0,) * len(strategies), "n_paths": 16, "n_steps": 40,
    }
    # Cash is worth exactly nothing, whatever the attack.
    np.testing.assert_array_equal(tables.utility.loc["cash"].to_numpy(), 0.0)


def test_drawdown_penalised_utility(returns):
    strategies = [fixed(0.0), fixed(1.0), trend_following(10)]
    plain = build_payoff(strategies, IDS, returns, sigma0=0.015)
    penalised = build_payoff(strategies, IDS, returns, sigma0=0.015, utility="drawdown_penalised", drawdown_penalty=2.5)
    np.testing.assert_allclose(
        penalised.utility.to_numpy(), plain.log_growth.to_numpy() - 2.5 * plain.mean_drawdown.to_numpy(), rtol=1e-12
    )
    assert penalised.utility_name == "drawdown_penalised"
    assert (penalised.utility.loc["fixed_1.00"] < plain.utility.loc["fixed_1.00"]).all()


def test_multipliers_scale_exposure(returns):
    half, full = fixed(0.5), fixed(1.0)
    scaled = build_payoff([half, full], IDS, returns, sigma0=0.015, multipliers=[2.0, 1.0])
    for frame in (scaled.log_growth, scaled.total_return, scaled.mean_drawdown, scaled.recovery_time):
        np.testing.assert_allclose(frame.iloc[0].to_numpy(), frame.iloc[1].to_numpy(), rtol=1e-12)
    assert scaled.settings["multipliers"] == (2.0, 1.0)


def test_game_carries_the_utility_and_labels(returns):
    tables = build_payoff([fixed(0.0), fixed(1.0)], [101, 102, 103], returns, sigma0=0.015)
    game = tables.game()
    assert isinstance(game, ZeroSumGame)
    assert game.row_labels == ("cash", "fixed_1.00") and game.col_labels == ("101", "102", "103")
    np.testing.assert_array_equal(game.payoff, tables.utility.to_numpy())


def test_non_finite_returns_are_located(returns):
    bad = returns.copy()
    bad[1, 5, 7] = np.nan
    with pytest.raises(InvalidGameError, match=r"scenario 'crash' \(index 1\), path 5, step 7: nan"):
        build_payoff([fixed(1.0)], IDS, bad, sigma0=0.015)
    bad[1, 5, 7] = -1.5
    with pytest.raises(InvalidGameError, match="below -1"):
        build_payoff([fixed(1.0)], IDS, bad, sigma0=0.015)


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (dict(simple_returns=np.zeros((3, 40))), InvalidGameError, "must be 3-D"),
        (dict(simple_returns=np.zeros((3, 0, 40))), InvalidGameError, "is empty"),
        (dict(scenario_ids=["calm", "crash"]), ConfigError, "got 2 scenario ids for 3 scenarios"),
        (dict(scenario_ids=["calm", "calm", "pump"]), ConfigError, "scenario ids must be unique"),
        (dict(strategies=[fixed(1.0), fixed(1.0)]), ConfigError, "repeated: ['fixed_1.00']"),
        (dict(utility="sharpe"), ConfigError, "utility must be one of"),
        (dict(sigma0=0.0), ConfigError, "sigma0 must be > 0"),
        (dict(cost=1.0), ConfigError, "cost must be in [0, 1)"),
        (dict(drawdown_penalty=-1.0), ConfigError, "drawdown_penalty must be >= 0"),
        (dict(periods_per_year=float("inf")), ConfigError, "periods_per_year must be finite"),
        (dict(multipliers=[1.0, -2.0]), ConfigError, "strategy 'trend_50' has -2.0"),
        (dict(multipliers=[1.0]), ConfigError, "multipliers must have shape (2,)"),
    ],
)
def test_invalid_inputs_raise_with_what_and_where(returns, change, error, message):
    kwargs = dict(strategies=[fixed(1.0), trend_following()], scenario_ids=IDS, simple_returns=returns, sigma0=0.015)
    kwargs.update(change)
    with pytest.raises(error) as info:
        build_payoff(**kwargs)
    assert message in str(info.value)


def test_breaker_strategies_are_named_encoded_and_validated():
    plain = trend_following(20)
    guarded = plain.with_breaker()
    assert guarded.name == "trend_20+cb" and dict(guarded.breaker)["stages"] == (0.25, 0.5, 1.0)
    assert plain.with_breaker(liquidate_loss=0.25, stages=(0.5, 1.0), window=5).name == "trend_20+cb_w5_l25_st50-100"
    assert plain.with_breaker(drop_z=4, vol_span=60).name == "trend_20+cb_z4_v60"
    assert fixed(1.0).with_stop_loss(0.1).with_breaker().name == "fixed_1.00+sl10+cb"
    _, params = encode([plain, guarded])
    assert not params[0, 6:].any()
    np.testing.assert_array_equal(params[1, 6:], [0.07, 3, 6.0, 20, 0.15, 0.20, 5, 5, 0.25, 0.5, 1.0, 1.0])
    for bad in [dict(halt_loss=0.2, liquidate_loss=0.1), dict(stages=(0.5, 0.4, 1.0)), dict(stages=(0.5,)),
                dict(window=-1), dict(quiet=0), dict(drop=1.0), dict(drop_z=-1.0), dict(vol_span=0.5),
                dict(speed=3)]:
        with pytest.raises(ConfigError, match="circuit breaker"):
            plain.with_breaker(**bad)
    with pytest.raises(ConfigError, match="already has a circuit breaker"):
        guarded.with_breaker()


def test_the_breaker_cuts_the_worst_case_of_a_slow_crash():
    # 40 calm days, then a slow multi-day crash of 45 x -1.5% (-49%): no single day is a gap the
    # breaker cannot react to, so the worst drawdown must fall: by 5 points for buy-and-hold (the
    # default breaker halts at a 15% drawdown and liquidates 20% below the halt, about 32% down), by 2
    # for vol targeting (which cuts its own exposure as the crash raises volatility, so it liquidates
    # later); on the calm scenario alone nothing triggers and the tables are identical
    rng = np.random.default_rng(3)
    calm = np.expm1(rng.normal(0.0003, 0.002, size=(8, 120)))
    crash = calm.copy()
    crash[:, 40:85] = -0.015
    returns = np.stack([calm, crash])
    rules = [fixed(1.0), fixed(1.5), vol_target(0.15)]
    strategies = rules + [rule.with_breaker() for rule in rules]
    tables = build_payoff(strategies, ["calm", "slow_crash"], returns, sigma0=0.004, cost=0.0005)
    worst = tables.worst_drawdown["slow_crash"].to_numpy()
    plain, guarded = worst[: len(rules)], worst[len(rules) :]
    assert np.all(guarded < plain - [0.05, 0.05, 0.02])
    calm_table = tables.log_growth["calm"].to_numpy()
    np.testing.assert_array_equal(calm_table[: len(rules)], calm_table[len(rules) :])
