"""The refinement loop: generated scenarios, the policy row, re-solved game, certificates, held-out check."""

import numpy as np
import pytest

from gametheory.certificates import certify
from gametheory.strategies import default_strategies
from scenarios.attacks import BlackSwan, FlashCrash
from scenarios.errors import ScenarioError
from scenarios.scenario_set import Scenario, apply_scenarios, foundation_scenarios
from solvers import solve_zero_sum
from solvers.gan.refine import POLICY_NAME, GeneratedAttack, policy_utility, refine_game
from solvers.gan.training import GANConfig, deepest_fall

CONFIG = GANConfig(iterations=12, batch_paths=32, hidden=32, policy_hidden=16, check_every=6,
                   best_response_steps=3, eval_paths=32)
HELD_OUT = [Scenario.of("flash_crash/d25-f3", FlashCrash(0.25, fall_steps=3)),
            Scenario.of("black_swan/s7", BlackSwan(7.0))]


def test_generated_attack_is_a_fixed_perturbation():
    delta = np.zeros((2, 5))
    delta[1, 1:3] = np.log(0.9)
    attack = GeneratedAttack("crash-a0-d0", delta)
    scenario = Scenario.of("generated/crash-a0-d0", attack)
    assert scenario.family == "generated"
    assert scenario.severity == pytest.approx(0.19 / 0.4)  # a 19 % fall out of the 40 % of severity 1
    base = np.random.default_rng(0).normal(0, 0.01, (2, 5))
    np.testing.assert_array_equal(scenario.apply(base, 0.01, rng=3), base + delta)
    with pytest.raises(ScenarioError, match="shape"):
        attack.apply(np.zeros((3, 5)), 0.01)
    with pytest.raises(ScenarioError, match="finite"):
        GeneratedAttack("bad", [[np.nan]])
    assert attack.params()["max_l1"] == pytest.approx(-2 * np.log(0.9))
    assert attack.volume is None and attack.params()["volume_max_abs"] is None
    # A volume perturbation is recorded beside it, and does not change what the scenario applies.
    volume = np.full((2, 5), -0.5)
    loud = GeneratedAttack("crash-a0-d0", delta, volume)
    assert loud.params()["volume_max_abs"] == 0.5 and not loud.volume.flags.writeable
    np.testing.assert_array_equal(loud.apply(base, 0.01), attack.apply(base, 0.01))
    with pytest.raises(ScenarioError, match="volume"):
        GeneratedAttack("bad", delta, np.zeros((2, 4)))


@pytest.fixture(scope="module")
def refined(paths, market):
    return refine_game(default_strategies(quick=True), foundation_scenarios(quick=True), paths,
                       holdout_scenarios=HELD_OUT, market=market, config=CONFIG, n_new=3, n_candidates=4, rng=5)


def test_refined_game_extends_the_original(refined, paths):
    before, after = refined.payoff_before, refined.payoff_after
    n_rules, n_scenarios = before.shape
    assert after.shape == (n_rules + 1, n_scenarios + len(refined.new_scenarios))
    assert 1 <= len(refined.new_scenarios) <= 3
    assert all(s.family == "generated" and s.id.startswith("generated/") for s in refined.new_scenarios)
    np.testing.assert_array_equal(after.iloc[:n_rules, :n_scenarios].to_numpy(), before.to_numpy())
    assert list(after.index) == list(before.index) + [POLICY_NAME]
    # The generated columns are reproduced by applying their scenarios to the base paths.
    simple = np.expm1(apply_scenarios(list(refined.new_scenarios), paths.log_returns, paths.sigma, 0))
    np.testing.assert_allclose(policy_utility(refined.gan, simple), after.loc[POLICY_NAME].iloc[n_scenarios:],
                               rtol=1e-12)
    # Each generated scenario records its volume attack, within the volume budget.
    for scenario in refined.new_scenarios:
        volume = scenario.attack.volume
        assert volume.shape == paths.log_returns.shape and 0 < np.abs(volume).max() <= CONFIG.volume_budget
    assert refined.summary()["gan"]["channels"] == ["returns", "volume"]
    # The library's scenarios were the policy's known attacks: the crash budget reaches their deepest fall.
    library = apply_scenarios(foundation_scenarios(quick=True), paths.log_returns, paths.sigma, 5)
    deepest = deepest_fall(library - paths.log_returns) / paths.sigma
    assert deepest > CONFIG.crash_budget
    assert refined.gan.config.crash_budget == pytest.approx(deepest)
    assert refined.summary()["gan"]["crash_budget"] == refined.gan.config.crash_budget
    # Columns are distinct attacks.
    new = after.iloc[:n_rules, n_scenarios:].to_numpy()
    assert len({tuple(np.round(col, 12)) for col in new.T}) == new.shape[1]


def test_values_and_certificates(refined):
    for solution, payoff, certificate in ((refined.before, refined.payoff_before, refined.before_certificate),
                                          (refined.after, refined.payoff_after, refined.after_certificate)):
        assert certificate == certify(payoff, solution.row_strategy, solution.col_strategy)
        assert certificate.exploitability < 1e-7
        assert certificate.lower_bound - 1e-7 <= solution.value <= certificate.upper_bound + 1e-7
    # More columns can only lower the value, one more row can only raise it.
    rules_all = solve_zero_sum(refined.payoff_after.drop(index=POLICY_NAME).to_numpy()).value
    assert rules_all <= refined.before.value + 1e-7 and refined.after.value >= rules_all - 1e-7
    assert refined.policy_gap == pytest.approx(refined.after.value - refined.payoff_after.loc[POLICY_NAME].min())
    summary = refined.summary()
    assert summary["after"]["value"] == refined.after.value and summary["seed"] == 5


def test_policy_exposure_is_the_mean_on_the_attack_free_paths(refined, paths):
    import torch

    simple = torch.as_tensor(np.expm1(paths.log_returns), dtype=torch.float32)
    volume = torch.as_tensor(refined.gan.volume(paths.log_returns), dtype=torch.float32)
    with torch.no_grad():  # the float32 policy as trained, against the float64 copy refine_game uses
        exposures = refined.gan.policy(simple, volume, refined.gan.sigma)
    assert 0.0 <= refined.policy_exposure <= refined.gan.config.max_leverage
    assert refined.policy_exposure == pytest.approx(float(exposures.mean()), abs=1e-5)
    assert refined.summary()["policy_exposure"] == refined.policy_exposure


def test_held_out_scenarios_evaluate_both_mixes(refined, paths):
    assert list(refined.holdout_before.index) == [s.id for s in HELD_OUT]
    from gametheory.payoff import build_payoff

    simple = np.expm1(apply_scenarios(HELD_OUT, paths.log_returns, paths.sigma, 5))
    table = build_payoff(default_strategies(quick=True), [s.id for s in HELD_OUT], simple, sigma0=paths.sigma,
                         cost=CONFIG.cost).utility.to_numpy()
    np.testing.assert_allclose(refined.holdout_before, refined.before.row_strategy @ table, rtol=1e-12, atol=1e-15)
    rows = np.vstack([table, policy_utility(refined.gan, simple)])
    np.testing.assert_allclose(refined.holdout_after, refined.after.row_strategy @ rows, rtol=1e-12, atol=1e-15)
    assert refined.holdout_worst_after == refined.holdout_after.min()
