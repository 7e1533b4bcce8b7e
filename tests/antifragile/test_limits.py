import numpy as np
import pytest

from antifragile.limits import robust_limit
from gametheory import ConfigError, fixed, trend_following


def _one_crash(depth=0.2):
    returns = np.zeros((2, 3, 20))
    returns[1, 2, 5] = -depth  # scenario 1, path 2: a single fall
    return returns


def test_fixed_exposure_limit_is_budget_over_depth():
    # Drawdown of exposure m through a single 20% fall is 0.2 m, so a 15% budget allows m = 0.75.
    limit = robust_limit(fixed(1.0), _one_crash(), ["calm", "crash"], budget=0.15, sigma0=0.01, cost=0.0,
                         tolerance=1e-7, weight=0.3)
    assert limit.exposure_multiple == pytest.approx(0.75, abs=1e-6)
    assert limit.exposure_multiple <= 0.75 and limit.worst_case_drawdown <= 0.15
    assert limit.binding_scenario == "crash" and limit.binding_path == 2
    assert limit.drawdown_at_unit_multiple == pytest.approx(0.2)
    assert not limit.capped and limit.in_equilibrium and limit.weight == 0.3


def test_leverage_scales_gross_exposure():
    limit = robust_limit(fixed(0.5), _one_crash(), ["calm", "crash"], budget=0.15, sigma0=0.01, cost=0.0)
    assert limit.exposure_multiple == pytest.approx(1.5, abs=1e-3)
    assert limit.max_gross_exposure == pytest.approx(0.75, abs=1e-3)


def test_strategy_that_never_reaches_budget_is_capped():
    limit = robust_limit(fixed(0.0), _one_crash(), ["calm", "crash"], budget=0.15, sigma0=0.01, max_multiple=3.0,
                         weight=0.0)
    assert limit.capped and limit.exposure_multiple == 3.0 and limit.worst_case_drawdown == 0.0
    assert not limit.in_equilibrium


def test_only_feasible_multiples_are_returned_for_non_monotone_rules():
    rng = np.random.default_rng(1)
    returns = np.expm1(rng.standard_t(3, size=(3, 16, 80)) * 0.02)
    strategy = trend_following(10).with_stop_loss(0.05, cooldown=3)
    limit = robust_limit(strategy, returns, ["a", "b", "c"], budget=0.1, sigma0=0.02)
    assert limit.worst_case_drawdown <= 0.1


@pytest.mark.parametrize("budget", [0.0, 1.0, -0.1])
def test_bad_budget(budget):
    with pytest.raises(ConfigError, match="budget"):
        robust_limit(fixed(1.0), _one_crash(), ["calm", "crash"], budget=budget, sigma0=0.01)
