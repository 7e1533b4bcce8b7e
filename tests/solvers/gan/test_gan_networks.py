"""Budgets hold by construction, policies do not look ahead, stylized facts mean what they say."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solvers.gan.networks import FAMILIES, AttackGenerator, PolicyNetwork, RealismCritic, bound_attack, stylized_facts

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(arrays(np.float64, (3, 17), elements=finite), st.floats(1e-3, 50.0))
def test_budget_balls(raw, budget):
    raw = torch.tensor(raw)
    assert bound_attack(raw, budget, "max").abs().max() <= budget * (1 + 1e-12)
    assert (bound_attack(raw, budget, "l1").abs().sum(-1) <= budget * (1 + 1e-12)).all()
    # Inside the ball already: the l1 map is the plain tanh scaling.
    small = 1e-3 * torch.tanh(raw) / raw.shape[-1]
    np.testing.assert_allclose(bound_attack(small, budget, "l1"), budget * torch.tanh(small), rtol=1e-12)


def test_generator_respects_each_family_budget_and_uses_its_conditioning():
    torch.manual_seed(0)
    generator = AttackGenerator(64, noise_dim=8, hidden=32)
    noise, context = torch.randn(16, 8), torch.randn(16, 64)
    perturbation = generator(noise, context, "perturbation", 0.3)
    crash = generator(noise, context, "crash", 0.3)
    assert perturbation.shape == crash.shape == (16, 64)
    assert perturbation.abs().max() <= 0.3 and (crash.abs().sum(-1) <= 0.3 + 1e-6).all()
    assert set(FAMILIES.values()) == {"max", "l1"}
    # Same raw output bounded in another norm differs; the one-hot also changes the raw output.
    assert not torch.allclose(bound_attack(generator.body(torch.cat([noise, context, torch.eye(2)[[1] * 16]], -1)),
                                           0.3, "max"), perturbation)


def test_policy_exposures_are_bounded_and_causal():
    torch.manual_seed(1)
    policy = PolicyNetwork(lookback=5, hidden=16, max_leverage=2.0).double()
    returns = torch.tensor(np.expm1(np.random.default_rng(2).normal(0, 0.02, (4, 30))))
    exposures = policy(returns, 0.01)
    assert exposures.shape == (4, 30) and (exposures >= 0).all() and (exposures <= 2.0).all()
    changed = returns.clone()
    changed[:, 12:] = -0.2
    np.testing.assert_array_equal(policy(changed, 0.01)[:, :13].detach(), exposures[:, :13].detach())
    assert not torch.equal(policy(changed, 0.01)[:, 13], exposures[:, 13])


def test_policy_features_follow_their_recursions():
    policy = PolicyNetwork(lookback=3, vol_span=9.0).double()
    rng = np.random.default_rng(4)
    simple = np.expm1(rng.normal(0, 0.02, 20))
    features = policy.features(torch.tensor(simple), 0.01).numpy()
    var, peak, price, alpha = 0.01**2, 1.0, 1.0, 0.2
    for t in range(20):
        np.testing.assert_allclose(features[t, :3], np.concatenate([np.zeros(3), simple[:t]])[-3:] / 0.01, rtol=1e-12)
        np.testing.assert_allclose(features[t, 3], 0.5 * np.log(var / 0.01**2), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(features[t, 4], 1 - price / peak, rtol=1e-10, atol=1e-14)
        var = (1 - alpha) * var + alpha * simple[t] ** 2
        price *= 1 + simple[t]
        peak = max(peak, price)


def test_stylized_facts():
    rng = np.random.default_rng(5)
    iid = torch.tensor(rng.standard_normal((200, 64)))
    clustered = iid * torch.tensor(np.repeat(rng.uniform(0.2, 3.0, (200, 8)), 8, axis=1))
    facts_iid, facts_clustered = stylized_facts(iid), stylized_facts(clustered)
    assert abs(facts_iid[0]) < 0.03 and abs(facts_iid[1]) < 0.03
    assert facts_clustered[1] > 0.15


def test_critic_layers_are_spectrally_normalised():
    torch.manual_seed(3)
    critic = RealismCritic(16, hidden=8)
    for _ in range(30):  # power iterations run in training mode
        critic(torch.randn(4, 16))
    for layer in critic.body:
        if isinstance(layer, torch.nn.Linear):
            assert torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item() == pytest.approx(1.0, rel=1e-2)
