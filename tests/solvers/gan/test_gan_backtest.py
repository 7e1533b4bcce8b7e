"""The torch backtest against the Numba payoff kernel: same wealth, log growth, drawdown and utility."""

import numpy as np
import pytest
import torch

from gametheory.errors import ConfigError
from gametheory.payoff import build_payoff, equity_curves
from gametheory.strategies import default_strategies, fixed, trend_following, vol_target
from solvers.gan.backtest import (
    _Rule,
    log_growth,
    max_drawdown,
    rule_curves,
    simulate,
    utility,
    wealth_curves,
)

SIGMA0, COST = 0.012, 0.001


@pytest.fixture(scope="module")
def returns():
    """Simple returns (24, 64): noise, a -30% crash on four paths and a -90% day on one."""
    rng = np.random.default_rng(3)
    simple = np.expm1(rng.normal(0.0003, 0.02, size=(24, 64)))
    simple[:4, 30] = -0.3
    simple[0, 40] = -0.9
    return simple


STRATEGIES = [s for s in default_strategies() if not s.breaker] + [
    fixed(3.0).with_stop_loss(0.05, cooldown=0),  # ruined by the -90 % day, re-enters at once
    trend_following(5, short=0.5),
    vol_target(0.4, span=5, max_leverage=4.0),
]


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_rules_match_the_kernel(strategy, returns):
    expected = equity_curves(strategy, returns, sigma0=SIGMA0, cost=COST, multiplier=1.3)
    got = rule_curves(strategy, torch.tensor(returns), sigma0=SIGMA0, cost=COST, multiplier=1.3).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=0)


def test_breaker_strategies_are_refused_not_silently_mis_modelled(returns):
    with pytest.raises(ConfigError, match="circuit-breaker"):
        rule_curves(fixed(1.0).with_breaker(), torch.tensor(returns), sigma0=SIGMA0)


def test_vectorised_engine_matches_the_kernel_on_rule_exposures(returns):
    """Exposures recorded by the step-by-step engine (stop-loss flats, ruin) replayed by wealth_curves."""
    r = torch.tensor(returns)
    for strategy in STRATEGIES:
        curves, exposures = simulate(r, _Rule(strategy, r, SIGMA0, 1.0, 252.0), cost=COST)
        expected = equity_curves(strategy, returns, sigma0=SIGMA0, cost=COST)
        np.testing.assert_allclose(wealth_curves(r, exposures, cost=COST).numpy(), expected, rtol=1e-9, atol=0)
        np.testing.assert_allclose(curves.numpy(), expected, rtol=1e-9, atol=0)


def test_ruin_floor(returns):
    curves = wealth_curves(torch.tensor(returns), torch.full((24, 64), 2.0, dtype=torch.float64), cost=COST)
    assert curves[0, 41:].eq(1e-12).all()  # the -90 % day at leverage 2 is a factor <= 0
    assert torch.isfinite(log_growth(curves, 252)).all()


@pytest.mark.parametrize("name", ["log_growth", "drawdown_penalised"])
def test_metrics_and_utility_match_build_payoff(name, returns):
    levels = [0.0, 0.5, 1.0, 1.5, 2.5]
    tables = build_payoff([fixed(v) for v in levels], ["s"], returns[None], sigma0=SIGMA0, cost=COST,
                          utility=name, drawdown_penalty=2.0)
    r = torch.tensor(returns)
    exposures = torch.tensor(levels, dtype=torch.float64)[:, None, None].expand(-1, *returns.shape)
    curves = wealth_curves(r, exposures, cost=COST)
    np.testing.assert_allclose(log_growth(curves, 252).mean(-1).numpy(), tables.log_growth["s"], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(max_drawdown(curves).mean(-1).numpy(), tables.mean_drawdown["s"], rtol=1e-9, atol=1e-15)
    got = utility(curves, periods_per_year=252, name=name, drawdown_penalty=2.0).numpy()
    np.testing.assert_allclose(got, tables.utility["s"], rtol=1e-9, atol=1e-15)


def test_gradients_are_exact():
    rng = np.random.default_rng(0)
    r = torch.tensor(np.expm1(rng.normal(0, 0.01, (3, 8))), requires_grad=True)
    e = torch.tensor(rng.uniform(0.2, 1.5, (3, 8)), requires_grad=True)
    assert torch.autograd.gradcheck(lambda r, e: wealth_curves(r, e, cost=COST), (r, e))
    # d/dR_t of the annualised mean log growth of a constant exposure 1: (252 / 8) / 3 / (1 + R_t - cost [t = 0]).
    returns = r.detach().clone().requires_grad_(True)
    utility(wealth_curves(returns, torch.ones(3, 8, dtype=torch.float64), cost=COST), periods_per_year=252).backward()
    factor = 1 + returns.detach().numpy()
    factor[:, 0] -= COST
    np.testing.assert_allclose(returns.grad.numpy(), 252 / 8 / 3 / factor, rtol=1e-12)
