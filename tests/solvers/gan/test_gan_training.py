"""Adversarial training: logs, curriculum, determinism, early stopping, bounded attacks, validation."""

import numpy as np
import pytest
import torch

from gametheory.errors import ConfigError
from solvers.gan.backtest import utility
from solvers.gan.training import (
    GANConfig,
    deepest_fall,
    generate_attacks,
    policy_curves,
    train_gan,
)
from solvers.gan.volume import DEFAULT_VOLUME_MODEL, VolumeModel

TINY = GANConfig(iterations=20, batch_paths=32, hidden=32, policy_hidden=16, check_every=10,
                 best_response_steps=5, eval_paths=32, curriculum_share=0.5)


@pytest.fixture(scope="module")
def trained(paths, market):
    return train_gan(paths.log_returns, paths.sigma, market=market, config=TINY, rng=7)


def test_log_records_every_iteration_and_check(trained):
    log = trained.log
    assert trained.iterations == 20 and trained.status == "max_iterations" and not trained.converged
    np.testing.assert_array_equal(log.iteration, np.arange(20))
    assert log.adversary_utility.shape == log.diversity.shape == log.stylized_gap.shape == (20, 2)
    # Curriculum: 0.25 of the budget at first, linearly up to the full budget after half the run.
    np.testing.assert_allclose(log.budget_fraction, np.minimum(1.0, 0.25 + 0.75 * np.arange(20) / 10))
    # The policy's utility is that of its worst adversary.
    np.testing.assert_array_less(log.utility, log.adversary_utility.min(axis=1) + 0.5)
    np.testing.assert_array_equal(log.check_iteration, [10, 20])
    np.testing.assert_allclose(log.exploitability, np.maximum(0.0, log.eval_utility - log.best_response_utility))
    assert trained.exploitability == log.exploitability[-1] and trained.seed == 7
    frame = log.to_frame()
    assert len(frame) == 20 and frame["exploitability"].notna().sum() == 2
    assert trained.families == ("perturbation", "crash")


def test_same_seed_same_numbers_on_cpu(paths, market, trained):
    again = train_gan(paths.log_returns, paths.sigma, market=market, config=TINY, rng=7)
    for name in ("utility", "adversary_utility", "critic_loss", "stylized_gap", "diversity", "exploitability"):
        np.testing.assert_array_equal(getattr(again.log, name), getattr(trained.log, name))
    np.testing.assert_array_equal(again.volume_noise, trained.volume_noise)
    for generator, twin in zip(again.generators, trained.generators):
        assert all(torch.equal(a, b) for a, b in zip(generator.parameters(), twin.parameters()))
    for a, b in zip(again.policy.parameters(), trained.policy.parameters()):
        assert torch.equal(a, b)
    short = GANConfig(iterations=3, batch_paths=8, hidden=8, policy_hidden=8, best_response_steps=1, eval_paths=8)
    runs = [train_gan(paths.log_returns, paths.sigma, market=market, config=short, rng=seed).log.utility
            for seed in (7, 8)]
    assert not np.array_equal(*runs)


def test_attacks_are_bounded_and_hurt_the_policy(trained, paths):
    base = paths.log_returns
    perturbation, perturbation_volume = generate_attacks(trained, base, 0, 3, rng=1)
    crash, crash_volume = generate_attacks(trained, base, 1, 3, rng=1)
    assert perturbation.shape == crash.shape == perturbation_volume.shape == crash_volume.shape == (3, *base.shape)
    assert np.abs(perturbation).max() <= TINY.perturbation_budget * paths.sigma * (1 + 1e-6)
    assert np.abs(crash).sum(axis=-1).max() <= TINY.crash_budget * paths.sigma * (1 + 1e-6)
    for volume in (perturbation_volume, crash_volume):
        assert np.abs(volume).max() <= TINY.volume_budget * (1 + 1e-6) and np.abs(volume).max() > 0
    again = generate_attacks(trained, base, 1, 3, rng=1)
    np.testing.assert_array_equal(again[0], crash)
    np.testing.assert_array_equal(again[1], crash_volume)

    def policy_utility(log_returns, volume_attack=0.0):
        volume = torch.tensor(trained.volume(log_returns) + volume_attack, dtype=torch.float32)
        curves = policy_curves(trained.policy, torch.tensor(np.expm1(log_returns), dtype=torch.float32), volume,
                               sigma0=paths.sigma, cost=TINY.cost)
        return utility(curves, periods_per_year=252).numpy()

    clean = policy_utility(base)
    assert (policy_utility(base + crash, crash_volume) < clean).all()
    assert (policy_utility(base + perturbation, perturbation_volume) < clean).all()


def test_base_volume_follows_the_fitted_model(trained, paths, market):
    assert trained.volume_noise.shape == (paths.n_paths, paths.n_steps + 1)
    assert trained.volume_model == VolumeModel.of_market(market, paths.sigma)
    volume = trained.volume(paths.log_returns)
    np.testing.assert_allclose(volume, trained.volume_model.simulate(paths.log_returns / paths.sigma,
                                                                     trained.volume_noise), rtol=1e-12)
    stacked = trained.volume(np.stack([paths.log_returns, 2 * paths.log_returns]))
    np.testing.assert_array_equal(stacked[0], volume)
    assert (stacked[1] - volume).mean() > 0  # bigger moves, more volume
    with pytest.raises(ConfigError, match="training paths"):
        trained.volume(paths.log_returns[:3])


def test_market_without_volume_uses_the_default_model(paths, market):
    config = GANConfig(iterations=2, batch_paths=8, hidden=8, policy_hidden=8, best_response_steps=1, eval_paths=8)
    result = train_gan(paths.log_returns, paths.sigma, market=market.log_returns.to_numpy(), config=config, rng=3)
    assert result.volume_model is DEFAULT_VOLUME_MODEL and np.isfinite(result.log.utility).all()


def test_early_stopping_once_the_estimate_is_within_tolerance(paths, market):
    config = GANConfig(iterations=30, batch_paths=16, hidden=16, policy_hidden=8, check_every=4,
                       best_response_steps=2, eval_paths=16, curriculum_share=0.2, stop_tolerance=1e6, patience=2)
    result = train_gan(paths.log_returns, paths.sigma, market=market, config=config, value_range=2.0, rng=0)
    # Full budget from iteration 6 on; checks after 4, 8, 12: the 8th and 12th are within tolerance.
    assert result.converged and result.status == "converged" and result.iterations == 12
    assert result.threshold == 2e6
    np.testing.assert_array_equal(result.log.check_iteration, [4, 8, 12])


def test_deepest_fall_is_the_largest_peak_to_trough_of_the_cumulated_perturbation():
    # Log price 0, 0.1, -0.1, -0.2, -0.15 on the first path: peak 0.1, trough -0.2.
    delta = np.array([[[0.1, -0.2, -0.1, 0.05], [-0.05, 0.0, 0.0, 0.0]]])
    assert deepest_fall(delta) == pytest.approx(0.3)
    assert deepest_fall(np.array([-0.4, 0.5])) == pytest.approx(0.4)  # a fall from the start counts
    assert deepest_fall(np.full((2, 3), 0.1)) == 0.0


def test_known_attacks_enter_the_policy_step_and_raise_the_crash_budget(paths, market):
    config = GANConfig(iterations=3, batch_paths=8, hidden=8, policy_hidden=8, check_every=3,
                       best_response_steps=1, eval_paths=8)
    base = paths.log_returns
    ruin = base[None] - 0.02  # every day 2 % worse: far below anything the small generators can do
    mild = base[None] + np.where(np.arange(base.shape[1]) == 5, -0.5 * paths.sigma, 0.0)
    plain = train_gan(base, paths.sigma, market=market, config=config, rng=3)
    known = train_gan(base, paths.sigma, market=market, config=config, known_attacks=np.concatenate([mild, ruin]),
                      rng=3)
    # The ascent target is the worst case over the generated and the known attacks.
    np.testing.assert_array_less(known.log.utility, known.log.adversary_utility.min(axis=1) - 1.0)
    np.testing.assert_array_less(plain.log.adversary_utility.min(axis=1) - 0.5, plain.log.utility)
    # The crash budget reaches the deepest known fall (2 % a day over the path), never below the config's.
    assert known.config.crash_budget == pytest.approx(0.02 * base.shape[1] / paths.sigma)
    assert train_gan(base, paths.sigma, market=market, config=config, known_attacks=mild,
                     rng=3).config.crash_budget == config.crash_budget
    assert plain.config == config
    again = train_gan(base, paths.sigma, market=market, config=config, known_attacks=np.concatenate([mild, ruin]),
                      rng=3)
    np.testing.assert_array_equal(again.log.utility, known.log.utility)  # same seed, same numbers
    with pytest.raises(ConfigError, match="known_attacks"):
        train_gan(base, paths.sigma, market=market, config=config, known_attacks=ruin[0])
    with pytest.raises(ConfigError, match="known_attacks"):
        train_gan(base, paths.sigma, market=market, config=config, known_attacks=np.full_like(ruin, np.nan))


@pytest.mark.parametrize("changes, match", [
    ({"iterations": 0}, "iterations"),
    ({"families": ("spoofing",)}, "families"),
    ({"crash_budget": -1.0}, "crash_budget"),
    ({"volume_budget": 0.0}, "volume_budget"),
    ({"curriculum_start": 1.5}, "curriculum_start"),
    ({"utility": "sharpe"}, "utility"),
    ({"device": "tpu"}, "device"),
])
def test_config_is_validated(changes, match):
    with pytest.raises(ConfigError, match=match):
        GANConfig(**changes)


def test_inputs_are_validated(paths, market):
    with pytest.raises(ConfigError, match="base_log_returns"):
        train_gan(paths.log_returns[0], paths.sigma, market=market, config=TINY)
    with pytest.raises(ConfigError, match="sigma"):
        train_gan(paths.log_returns, 0.0, market=market, config=TINY)
    with pytest.raises(ConfigError, match="market"):
        train_gan(paths.log_returns, paths.sigma, market=np.zeros(10), config=TINY)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without CUDA")
def test_cuda_asked_for_without_a_device():
    with pytest.raises(ConfigError, match="CUDA"):
        train_gan(np.zeros((4, 8)), 0.01, market=np.zeros(100), config=GANConfig(device="cuda"))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_training_matches_cpu_closely(paths, market, trained):
    from dataclasses import replace

    gpu = train_gan(paths.log_returns, paths.sigma, market=market, config=replace(TINY, device="cuda"), rng=7)
    np.testing.assert_allclose(gpu.log.utility, trained.log.utility, rtol=1e-3, atol=1e-4)
