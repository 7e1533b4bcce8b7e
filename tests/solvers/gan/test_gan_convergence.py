"""The issue's convergence goal, measured (slow): an exploitability estimate within 5 % of the game's
value range in at most 500 iterations, and the estimate falling over training; trained as
:func:`solvers.gan.refine.refine_game` trains it, with the game's scenarios as known attacks."""

import numpy as np
import pytest

from gametheory.payoff import build_payoff
from gametheory.strategies import default_strategies
from scenarios.scenario_set import apply_scenarios, foundation_scenarios
from solvers.gan.training import GANConfig, train_gan


@pytest.mark.slow
def test_converges_within_500_iterations(market):
    from scenarios.paths import make_paths

    paths = make_paths(market, 64, 64, model="bootstrap", rng=11)
    scenarios = foundation_scenarios(quick=True)
    known = apply_scenarios(scenarios, paths.log_returns, paths.sigma, 11)
    payoff = build_payoff(default_strategies(quick=True), [s.id for s in scenarios], np.expm1(known),
                          sigma0=paths.sigma)
    value_range = float(np.ptp(payoff.utility.to_numpy()))
    config = GANConfig(iterations=500, batch_paths=64, check_every=25, best_response_steps=40, eval_paths=64,
                       stop_tolerance=0.05, patience=2)
    result = train_gan(paths.log_returns, paths.sigma, market=market, config=config, value_range=value_range,
                       known_attacks=known, rng=11)
    print(result.log.to_frame().dropna().to_string())
    print(f"value range {value_range:.4f}, threshold {result.threshold:.4f}, final estimate "
          f"{result.exploitability:.4f}, iterations {result.iterations}, {result.status}, {result.seconds:.1f} s")
    assert result.iterations <= 500
    assert result.exploitability <= 0.05 * value_range
    assert result.converged
