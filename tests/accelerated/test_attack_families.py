"""New attack kernels: references, closed forms on flat paths and exactness of the perturbation."""

import itertools

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from accelerated.attacks import (
    NORM_INF,
    NORM_ONE,
    coordinated_nb,
    flash_crash_nb,
    liquidity_gap_nb,
    overlay_nb,
    perturbation_nb,
    spoofing_nb,
    vol_regime_nb,
)
from accelerated.intraday import intraday_bridge_nb, order_book_nb

ONSETS = np.array([0, 3, 17, 28, 29], dtype=np.int64)


@pytest.fixture
def base():
    return np.random.default_rng(3).normal(0.0, 0.01, size=(ONSETS.size, 30))


def test_overlay_and_vol_regime_match_references(base):
    window = np.linspace(-0.02, 0.01, 6)
    expected = base.copy()
    scaled = base.copy()
    for i, o in enumerate(ONSETS):
        m = min(window.size, 30 - o)
        expected[i, o:o + m] += window[:m]
        scaled[i, o:o + 4] *= 2.5
    assert_allclose(overlay_nb(base, ONSETS, window), expected, atol=1e-15)
    assert_allclose(vol_regime_nb(base, ONSETS, 2.5, 4), scaled, atol=1e-15)


def test_liquidity_gap_price_and_slippage(base):
    prices, slip = liquidity_gap_nb(base, ONSETS, 0.1, 2, 0.04, 3.0)
    assert_allclose(prices, flash_crash_nb(base, ONSETS, 0.1, 2, 0.0, 1), atol=1e-15)
    steps = np.arange(30)
    expected = np.where(steps >= ONSETS[:, None], 0.04 * 0.5 ** ((steps - ONSETS[:, None]) / 3.0), 0.0)
    assert_allclose(slip, expected, rtol=1e-14)


def _log_drawdown(x):
    level = np.concatenate([[0.0], np.cumsum(x)])
    return np.max(np.maximum.accumulate(level) - level)


def test_perturbation_one_norm_is_exact_against_brute_force():
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 0.01, size=(6, 7))
    budget = 0.03
    out = perturbation_nb(x, budget, NORM_ONE, 1)
    for i in range(x.shape[0]):
        # every vertex of the 1-ball: the worst change of a convex-in-delta objective is a vertex
        best = max(_log_drawdown(x[i] + s * budget * np.eye(7)[t]) for t in range(7) for s in (-1, 1))
        assert _log_drawdown(out[i]) == pytest.approx(best, abs=1e-14)
        assert np.abs(out[i] - x[i]).sum() == pytest.approx(budget)


def test_perturbation_inf_norm_full_length_is_exact_against_vertices():
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 0.01, size=(3, 6))
    budget = 0.005
    out = perturbation_nb(x, budget, NORM_INF, 6)
    assert_allclose(out, x - budget, atol=1e-15)
    for i in range(3):
        best = max(_log_drawdown(x[i] + budget * np.array(s)) for s in itertools.product((-1, 1), repeat=6))
        assert _log_drawdown(out[i]) == pytest.approx(best, abs=1e-14)


def test_spoofing_closed_form_on_flat_book():
    zeros, ones = np.zeros((1, 30)), np.ones((1, 30))
    onset = np.array([5], dtype=np.int64)
    out, bid, ask, volume = spoofing_nb(zeros, ones, ones, ones, onset, -1, 0.5, 4, 4, 3, 0.01, 0.6, 2.0)
    level = np.cumsum(out[0])
    peak_move = -0.01 * 4 * 0.5
    assert_allclose(level[8:12], peak_move, atol=1e-15)  # all 4 layers up from step 8, held to step 11
    assert_allclose(level[-1], 0.4 * peak_move, atol=1e-15)  # 60 % undone at the cancellation (step 12)
    assert_array_equal(bid, ones)
    assert_allclose(ask[0, 5:12], 1.0 + 0.5 * np.array([1, 2, 3, 4, 4, 4, 4]))
    assert ask[0, 12] == 1.0 and volume[0, 12] == 1.0
    assert_allclose(volume[0, 5:12], 3.0)


def test_coordinated_is_the_sum_of_the_actors_ramps():
    rng = np.random.default_rng(2)
    x = rng.normal(0.0, 0.01, size=(3, 2, 40))
    onsets = np.array([0, 10, 35], dtype=np.int64)
    weights = np.array([[1.0, 0.5], [0.5, 1.0], [1.0, 0.5]])
    out = coordinated_nb(x, onsets, weights, -0.05, 3, 2, 4, 5, 0.5)
    for a in range(2):
        expected = x[:, a, :].copy()
        for k in range(3):
            single = flash_crash_nb(np.zeros((3, 40)), onsets + 2 * k, -np.expm1(-0.05 * weights[k, a]), 3, 0.0, 1)
            release = flash_crash_nb(np.zeros((3, 40)), onsets + 2 * k + 7, -np.expm1(0.025 * weights[k, a]), 5,
                                     0.0, 1)
            expected += single + release
        assert_allclose(out[:, a, :], expected, atol=1e-14)


def test_intraday_bridge_adds_up_to_the_days():
    rng = np.random.default_rng(4)
    daily = rng.normal(0.0, 0.01, size=(3, 5))
    profile = np.ones(10) / np.sqrt(10)
    minutes = intraday_bridge_nb(daily, 1e-4, 0.94, profile, rng.standard_normal((3, 5, 10)))
    assert_allclose(minutes.reshape(3, 5, 10).sum(axis=2), daily, atol=1e-15)


def test_order_book_mean_depth_and_volume_response():
    rng = np.random.default_rng(5)
    r = np.zeros((200, 100))
    r[:, 50] = 0.05
    z = rng.standard_normal((3, 200, 100))
    bid, ask, volume = order_book_nb(r, z[0], z[1], z[2], 2.0, 0.9, 0.2, 1.0, 0.01)
    assert bid.mean() == pytest.approx(2.0, rel=0.03) and ask.mean() == pytest.approx(2.0, rel=0.03)
    assert volume[:, 50].mean() == pytest.approx(2.0 * 6.0, rel=0.1)  # 1 + |0.05| / 0.01
