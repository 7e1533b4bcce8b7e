import numpy as np
import pytest

from gametheory import ConfigError, certify, trend_following
from gametheory.payoff import build_payoff
from scenarios.attacks import FlashCrash
from scenarios.paths import BasePaths
from solvers.double_oracle import AttackBox, StrategyBox, double_oracle


@pytest.fixture(scope="module")
def paths():
    rng = np.random.default_rng(0)
    return BasePaths(rng.normal(0.0005, 0.01, size=(12, 50)), "bootstrap", 0, 0.01)


@pytest.fixture(scope="module")
def result(paths):
    return double_oracle(
        paths,
        [AttackBox("flash_crash", {"depth": (0.02, 0.25), "fall_steps": (1, 4)}),
         AttackBox("black_swan", {"size_sigmas": (2.0, 8.0)})],
        [StrategyBox("fixed", {"level": (0.25, 1.5)})],
        [trend_following(10)],
        tol=1e-6, grid=3, refine=10, rng=4,
    )


def test_converges_and_final_gap_is_certified(result):
    sol = result.solution
    assert result.converged and result.rounds >= 2
    assert result.attacker_gain <= 1e-6 and result.trader_gain <= 1e-6
    cert = certify(result.game.payoff, sol.row_strategy, sol.col_strategy)
    assert cert.exploitability <= 1e-9
    assert result.lower_bound <= sol.value <= result.upper_bound
    assert result.upper_bound - result.lower_bound <= 2e-6 + sol.exploitability
    assert "not a proof over the continuum" in result.statement
    assert result.search_space[0]["bounds"] == {"depth": [0.02, 0.25], "fall_steps": [1.0, 4.0]}


def test_game_matrix_is_the_payoff_of_the_found_sets(paths, result):
    returns = np.stack([np.expm1(a.apply(paths.log_returns, paths.sigma, rng=result.seed)) for a in result.attacks])
    tables = build_payoff(result.strategies, result.game.col_labels, returns, sigma0=paths.sigma)
    np.testing.assert_allclose(tables.utility.to_numpy(), result.game.payoff, rtol=1e-12)


def test_no_attack_in_the_box_grid_beats_the_lower_bound(paths, result):
    x = result.solution.row_strategy
    for depth in (0.02, 0.1, 0.25):
        attack = FlashCrash(depth, fall_steps=2)
        returns = np.expm1(attack.apply(paths.log_returns, paths.sigma, rng=result.seed))[None]
        u = build_payoff(result.strategies, ["a"], returns, sigma0=paths.sigma).utility.to_numpy()[:, 0]
        assert x @ u >= result.lower_bound - 1e-6  # within the oracle's tolerance on evaluated-like points


def test_deterministic(paths):
    kwargs = dict(attack_boxes=[AttackBox("pump_and_dump", {"rise": (0.05, 0.3)})], strategies=[trend_following(10)],
                  grid=3, refine=0, rng=1)
    first, second = double_oracle(paths, **kwargs), double_oracle(paths, **kwargs)
    assert first.game.col_labels == second.game.col_labels
    np.testing.assert_array_equal(first.game.payoff, second.game.payoff)


def test_bad_boxes():
    with pytest.raises(ConfigError, match="cannot search"):
        AttackBox("flash_crash", {"size_sigmas": (1, 2)})
    with pytest.raises(ConfigError, match="unknown attack family"):
        AttackBox("spoofing", {"depth": (0.1, 0.2)})
    with pytest.raises(ConfigError, match="low <= high"):
        StrategyBox("fixed", {"level": (1.0, 0.5)})
