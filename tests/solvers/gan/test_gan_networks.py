"""Budgets hold by construction, policies do not look ahead, stylized facts mean what they say."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from solvers.gan.networks import (
    FAMILIES,
    AttackGenerator,
    PolicyNetwork,
    RealismCritic,
    bound_attack,
    stylized_facts,
)
from solvers.gan.training import _real_windows

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
    noise, context = torch.randn(16, 8), torch.randn(16, 2, 64)
    perturbation = generator(noise, context, "perturbation", 0.3, 2.0)
    crash = generator(noise, context, "crash", 0.3, 2.0)
    assert perturbation.shape == crash.shape == (16, 2, 64)
    assert perturbation[:, 0].abs().max() <= 0.3 and (crash[:, 0].abs().sum(-1) <= 0.3 + 1e-6).all()
    assert set(FAMILIES.values()) == {"max", "l1"}
    # Same raw output bounded in another norm differs; the one-hot also changes the raw output.
    raw = generator.body(torch.cat([noise, context.flatten(1), torch.eye(2)[[1] * 16]], -1))
    assert not torch.allclose(bound_attack(raw[:, :64], 0.3, "max"), perturbation[:, 0])
    # The volume channel sees the context's volume: changing it alone changes the attack.
    other = context.clone()
    other[:, 1] += 1.0
    assert not torch.allclose(generator(noise, other, "crash", 0.3, 2.0), crash)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(list(FAMILIES)), st.floats(1e-3, 20.0), st.floats(1e-3, 5.0),
       st.floats(0.1, 1e3))
def test_both_channels_stay_in_their_budgets_whatever_the_weights(seed, family, budget, volume_budget, scale):
    torch.manual_seed(seed)
    generator = AttackGenerator(12, noise_dim=3, hidden=8).double()
    with torch.no_grad():  # blow the weights up: tanh saturates, the bounds still hold
        for parameter in generator.parameters():
            parameter.mul_(scale)
    delta = generator(torch.randn(5, 3, dtype=torch.float64), scale * torch.randn(5, 2, 12, dtype=torch.float64),
                      family, budget, volume_budget).detach()
    assert delta[:, 1].abs().max() <= volume_budget * (1 + 1e-12)
    size = delta[:, 0].abs().amax(-1) if FAMILIES[family] == "max" else delta[:, 0].abs().sum(-1)
    assert (size <= budget * (1 + 1e-12)).all()


def test_policy_exposures_are_bounded_and_causal():
    torch.manual_seed(1)
    policy = PolicyNetwork(lookback=5, hidden=16, max_leverage=2.0).double()
    rng = np.random.default_rng(2)
    returns = torch.tensor(np.expm1(rng.normal(0, 0.02, (4, 30))))
    volume = torch.tensor(rng.normal(0, 1, (4, 30)))
    exposures = policy(returns, volume, 0.01)
    assert exposures.shape == (4, 30) and (exposures >= 0).all() and (exposures <= 2.0).all()
    changed = returns.clone()
    changed[:, 12:] = -0.2
    np.testing.assert_array_equal(policy(changed, volume, 0.01)[:, :13].detach(), exposures[:, :13].detach())
    assert not torch.equal(policy(changed, volume, 0.01)[:, 13], exposures[:, 13])


def test_a_volume_only_attack_moves_the_policy_from_the_next_step_on():
    torch.manual_seed(6)
    policy = PolicyNetwork(lookback=4, hidden=16).double()
    rng = np.random.default_rng(6)
    returns = torch.tensor(np.expm1(rng.normal(0, 0.01, (3, 20))))
    volume = torch.tensor(rng.normal(0, 1, (3, 20)))
    attacked = volume.clone()
    attacked[:, 9] += 1.0  # one day's volume, within a budget of 1; returns untouched
    before, after = policy(returns, volume, 0.01).detach(), policy(returns, attacked, 0.01).detach()
    np.testing.assert_array_equal(after[:, :10], before[:, :10])  # day 9's volume is seen from day 10 on
    assert (after[:, 10:14] != before[:, 10:14]).all()  # inside the lookback every exposure moves
    np.testing.assert_array_equal(after[:, 14:], before[:, 14:])  # and out of it again


def test_policy_features_follow_their_recursions():
    policy = PolicyNetwork(lookback=3, vol_span=9.0).double()
    rng = np.random.default_rng(4)
    simple, volume = np.expm1(rng.normal(0, 0.02, 20)), rng.normal(0, 1, 20)
    features = policy.features(torch.tensor(simple), torch.tensor(volume), 0.01).numpy()
    assert features.shape == (20, 8)
    var, peak, price, alpha = 0.01**2, 1.0, 1.0, 0.2
    for t in range(20):
        np.testing.assert_allclose(features[t, :3], np.concatenate([np.zeros(3), simple[:t]])[-3:] / 0.01, rtol=1e-12)
        np.testing.assert_array_equal(features[t, 3:6], np.concatenate([np.zeros(3), volume[:t]])[-3:])
        np.testing.assert_allclose(features[t, 6], 0.5 * np.log(var / 0.01**2), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(features[t, 7], 1 - price / peak, rtol=1e-10, atol=1e-14)
        var = (1 - alpha) * var + alpha * simple[t] ** 2
        price *= 1 + simple[t]
        peak = max(peak, price)


def test_stylized_facts():
    rng = np.random.default_rng(5)
    iid = torch.tensor(rng.standard_normal((200, 2, 64)))
    scale = torch.tensor(np.repeat(rng.uniform(0.2, 3.0, (200, 8)), 8, axis=1))
    clustered = torch.stack([iid[:, 0] * scale, iid[:, 1]], dim=1)
    facts_iid, facts_clustered = stylized_facts(iid), stylized_facts(clustered)
    assert facts_iid.shape == (3,) and (facts_iid.abs() < 0.03).all()
    assert facts_clustered[1] > 0.15 and abs(facts_clustered[2]) < 0.03
    # Volume that loads on |r|: the third fact is the pooled within-window correlation.
    size = clustered[:, 0].abs()
    loaded = torch.stack([clustered[:, 0], size + iid[:, 1]], dim=1)
    x = (size - size.mean(-1, keepdim=True)).flatten()
    y = (loaded[:, 1] - loaded[:, 1].mean(-1, keepdim=True)).flatten()
    assert stylized_facts(loaded)[2].item() == pytest.approx(np.corrcoef(x, y)[0, 1], rel=1e-10)
    assert stylized_facts(loaded)[2] > 0.3


def test_real_data_show_the_return_volume_fact(market):
    windows, _ = _real_windows(market, 64, float(market.log_returns.std()), np.random.default_rng(0))
    assert windows.shape == (market.n_obs - 64, 2, 64)
    facts = stylized_facts(windows.double())
    # Volume rises on big moves; within 64-day windows the lag-1 dependence of |r| is nearly gone.
    assert 0.15 < facts[2] < 0.3 and abs(facts[0]) < 0.1 and abs(facts[1]) < 0.05


def test_critic_scores_both_channels():
    torch.manual_seed(3)
    critic = RealismCritic(16, hidden=8)
    windows = torch.randn(4, 2, 16)
    assert critic(windows).shape == (4,)
    louder = windows.clone()
    louder[:, 1] += 3.0  # volume alone
    assert not torch.allclose(critic(louder), critic(windows))
    for _ in range(30):  # power iterations run in training mode
        critic(torch.randn(4, 2, 16))
    for layer in critic.body:
        if isinstance(layer, torch.nn.Linear):
            assert torch.linalg.matrix_norm(layer.weight.detach(), ord=2).item() == pytest.approx(1.0, rel=1e-2)
