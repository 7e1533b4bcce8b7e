"""Payoff kernels against the NumPy reference, closed forms and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accelerated.payoff import (
    BREAKER,
    FIXED,
    MEAN_REVERSION,
    N_PARAMS,
    RUIN,
    TREND,
    VOL_TARGET,
    equity_curves_nb,
    exposure_paths_nb,
    payoff_tables_nb,
    worst_drawdown_nb,
)
from accelerated.reference import payoff_tables_reference

SIGMA0 = 0.015
PPY = 252.0

# One row per kind, [p0, p1, p2, stop, cooldown, spare, breaker...]; the overlays are set per test.
RULES = {
    FIXED: [1.0, 0.0, 0.0],
    TREND: [10.0, 1.0, 0.0],
    MEAN_REVERSION: [8.0, 0.5, 1.5],
    VOL_TARGET: [0.2, 10.0, 2.0],
}


MAX_EXPOSURE = {FIXED: 1.0, TREND: 1.0, MEAN_REVERSION: 1.5, VOL_TARGET: 2.0}


def _params(kind, stop=0.0, cooldown=0, breaker=None):
    """A kernel row; ``breaker`` is (drop, window, drop_z, vol_span, halt_loss, liquidate_loss, quiet,
    stage_steps, s1, s2, s3)."""
    row = np.zeros(N_PARAMS)
    row[:BREAKER] = [*RULES[kind], stop, cooldown, 0.0]
    if breaker is not None:
        row[BREAKER:] = [*breaker, MAX_EXPOSURE[kind]]
    return row


def _returns(seed, shape, crash=True):
    """Simple returns with fat tails; scenario 1 has a -90% step (ruin for exposure > 1.1)."""
    rng = np.random.default_rng(seed)
    returns = np.expm1(rng.standard_t(3, size=shape) * 0.02)
    if crash:
        returns[1, :, shape[2] // 2] = -0.9
    return returns


def _metrics_from_curves(curves):
    """Per-path log W_T, W_T - 1 and max drawdown, straight from wealth paths (n_paths, n_steps + 1)."""
    drawdown = 1.0 - curves / np.maximum.accumulate(curves, axis=1)
    return np.log(curves[:, -1]), curves[:, -1] - 1.0, drawdown.max(axis=1)


@pytest.mark.parametrize("kind", [FIXED, TREND, MEAN_REVERSION, VOL_TARGET])
def test_kernel_matches_reference_for_every_kind(kind):
    returns = _returns(kind, (3, 12, 50))
    # Plain, stop-loss with a cooldown, stop-loss re-entering at once, and leveraged through the crash.
    params = np.array([_params(kind), _params(kind, 0.05, 4), _params(kind, 0.08, 0), _params(kind, 0.1, 3)])
    kinds = np.full(len(params), kind, dtype=np.int64)
    args = (returns, kinds, params, np.array([1.0, 1.3, 0.7, 3.0]), SIGMA0, 0.002, PPY)
    kernel = payoff_tables_nb(*args)
    assert kernel.shape == (5, 4, 3)
    np.testing.assert_allclose(kernel, payoff_tables_reference(*args), rtol=1e-9, atol=1e-12)


def test_long_short_trend_matches_reference_and_goes_short():
    returns = _returns(11, (2, 10, 60))
    params = np.zeros((2, N_PARAMS))
    params[:, :5] = [[10.0, 1.0, 0.8, 0.0, 0.0], [10.0, 1.0, 0.8, 0.1, 3.0]]
    args = (returns, np.array([TREND, TREND], dtype=np.int64), params, np.array([1.0, 2.0]), SIGMA0, 0.001, PPY)
    np.testing.assert_allclose(payoff_tables_nb(*args), payoff_tables_reference(*args), rtol=1e-9, atol=1e-12)
    # EWMA 0 is not positive, so the rule starts short 0.8 and earns 0.8% a step on a steady 1% fall.
    falling = np.full((1, 30), -0.01)
    curve = equity_curves_nb(falling, TREND, params[0], 1.0, SIGMA0, 0.0, PPY)[0]
    expected = np.r_[1.0, np.cumprod(np.full(30, 1.008))]
    np.testing.assert_allclose(curve, expected, rtol=1e-12)


def test_kernel_matches_reference_through_ruin():
    returns = _returns(5, (2, 10, 40))
    kinds = np.array([FIXED, TREND, MEAN_REVERSION, VOL_TARGET, FIXED], dtype=np.int64)
    params = np.array([_params(FIXED, 0.1, 2), _params(TREND, 0.05, 1), _params(MEAN_REVERSION),
                       _params(VOL_TARGET, 0.07, 5), np.zeros(N_PARAMS)])
    args = (returns, kinds, params, np.array([4.0, 4.0, 4.0, 4.0, 1.0]), SIGMA0, 0.0005, PPY)
    kernel = payoff_tables_nb(*args)
    np.testing.assert_allclose(kernel, payoff_tables_reference(*args), rtol=1e-9, atol=1e-12)
    # The -90% step of scenario 1 ruins some leveraged paths; ruin keeps log wealth finite.
    ruined = worst_drawdown_nb(returns, FIXED, params[0], 4.0, SIGMA0, 0.0005, PPY) > 1.0 - 1e-9
    assert ruined[1].any() and not ruined[0].any()
    assert np.isfinite(kernel).all()
    np.testing.assert_array_equal(kernel[:, 4], 0.0)  # cash


def test_fixed_full_exposure_without_cost_is_buy_and_hold():
    returns = _returns(1, (2, 5, 30), crash=False)
    curves = equity_curves_nb(returns[0], FIXED, _params(FIXED), 1.0, SIGMA0, 0.0, PPY)
    np.testing.assert_allclose(curves[:, 1:], np.cumprod(1.0 + returns[0], axis=1), rtol=1e-12)
    tables = payoff_tables_nb(returns, np.array([FIXED]), _params(FIXED)[None], np.ones(1), SIGMA0, 0.0, PPY)
    growth = np.log1p(returns).sum(axis=2).mean(axis=1) * PPY / 30
    np.testing.assert_allclose(tables[0, 0], growth, rtol=1e-10)
    np.testing.assert_allclose(tables[1, 0], np.prod(1.0 + returns, axis=2).mean(axis=1) - 1.0, rtol=1e-10)


def test_cash_has_zero_utility_drawdown_and_recovery():
    returns = _returns(2, (3, 6, 20))
    cash = np.zeros((1, N_PARAMS))
    tables = payoff_tables_nb(returns, np.array([FIXED]), cash, np.ones(1), SIGMA0, 0.01, PPY)
    np.testing.assert_array_equal(tables, np.zeros((5, 1, 3)))


def test_cost_is_charged_on_the_first_trade_and_only_on_changes():
    returns = np.array([[0.0, 0.1, -0.05]])
    curve = equity_curves_nb(returns, FIXED, _params(FIXED), 0.5, SIGMA0, 0.01, PPY)[0]
    expected = [1.0, 1.0 - 0.01 * 0.5, (1.0 - 0.005) * 1.05, (1.0 - 0.005) * 1.05 * 0.975]
    np.testing.assert_allclose(curve, expected, rtol=1e-14)


def test_stop_loss_goes_flat_for_the_cooldown_then_reenters():
    # -20% hits the 10% stop at step 1: flat at steps 1 and 2 (exit cost at 1), back in at step 3.
    returns = np.array([[-0.2, 0.5, 0.5, 0.1, -0.1]])
    cost = 0.01
    curve = equity_curves_nb(returns, FIXED, _params(FIXED, 0.1, 2), 1.0, SIGMA0, cost, PPY)[0]
    w1 = (1.0 - 0.2 - cost)
    w2 = w1 * (1.0 - cost)
    w4 = w2 * (1.0 + 0.1 - cost)
    np.testing.assert_allclose(curve, [1.0, w1, w2, w2, w4, w4 * 0.9], rtol=1e-14)


def test_trend_enters_only_after_a_positive_ewma():
    returns = np.array([[0.1, 0.1, -0.3, 0.2]])
    curve = equity_curves_nb(returns, TREND, _params(TREND), 1.0, SIGMA0, 0.0, PPY)[0]
    # e_0 = 0 (EWMA starts at 0), e_1 = e_2 = 1, EWMA after -0.3 is negative so e_3 = 0.
    np.testing.assert_allclose(curve, [1.0, 1.0, 1.1, 0.77, 0.77], rtol=1e-14)


def test_ruin_floors_wealth_and_stays_there():
    returns = np.array([[0.05, -0.6, 0.5, 0.2]])
    curve = equity_curves_nb(returns, FIXED, _params(FIXED), 2.0, SIGMA0, 0.0, PPY)[0]
    np.testing.assert_allclose(curve, [1.0, 1.1, RUIN, RUIN, RUIN], rtol=1e-14)
    tables = payoff_tables_nb(returns[None], np.array([FIXED]), _params(FIXED)[None], np.array([2.0]),
                              SIGMA0, 0.0, PPY)
    assert tables[0, 0, 0] == pytest.approx(np.log(RUIN) * PPY / 4)
    assert tables[3, 0, 0] == pytest.approx(1.0 - RUIN / 1.1, abs=1e-15)
    assert tables[4, 0, 0] == 3.0  # censored: from the peak at step 1 to the end at step 4


@pytest.mark.parametrize(
    ("returns", "drawdown", "recovery"),
    [
        ([0.1, -0.2, 0.1, 0.2, -0.05], 0.2, 3.0),  # peak at 1, trough at 2, regained at 4
        ([0.1, -0.2, 0.05], 0.2, 2.0),  # never regained: censored at the end (3 - 1)
        ([0.1, 0.1], 0.0, 0.0),
    ],
)
def test_max_drawdown_and_recovery_time_closed_form(returns, drawdown, recovery):
    returns = np.array([[returns]])
    tables = payoff_tables_nb(returns, np.array([FIXED]), _params(FIXED)[None], np.ones(1), SIGMA0, 0.0, PPY)
    assert tables[2, 0, 0] == pytest.approx(drawdown, rel=1e-12)
    assert tables[4, 0, 0] == recovery
    np.testing.assert_allclose(tables, payoff_tables_reference(returns, np.array([FIXED]), _params(FIXED)[None],
                                                               np.ones(1), SIGMA0, 0.0, PPY), rtol=1e-12)


@pytest.mark.parametrize("kind", [FIXED, TREND, MEAN_REVERSION, VOL_TARGET])
def test_no_look_ahead(kind):
    returns = _returns(3, (2, 6, 40))[1]
    params = _params(kind, 0.05, 3)
    full = equity_curves_nb(returns, kind, params, 1.2, SIGMA0, 0.001, PPY)
    for k in (1, 17, 25):
        truncated = equity_curves_nb(np.ascontiguousarray(returns[:, :k]), kind, params, 1.2, SIGMA0, 0.001, PPY)
        np.testing.assert_array_equal(truncated, full[:, : k + 1])
        changed = returns.copy()
        changed[:, k:] = np.random.default_rng(k).uniform(-0.5, 0.5, size=changed[:, k:].shape)
        altered = equity_curves_nb(changed, kind, params, 1.2, SIGMA0, 0.001, PPY)
        np.testing.assert_array_equal(altered[:, : k + 1], full[:, : k + 1])


@pytest.mark.parametrize("kind", [FIXED, TREND, MEAN_REVERSION, VOL_TARGET])
def test_equity_curves_and_worst_drawdown_agree_with_payoff_tables(kind):
    returns = _returns(4, (3, 8, 30))
    params = _params(kind, 0.06, 2)
    tables = payoff_tables_nb(returns, np.array([kind]), params[None], np.array([2.5]), SIGMA0, 0.001, PPY)
    worst = worst_drawdown_nb(returns, kind, params, 2.5, SIGMA0, 0.001, PPY)
    assert worst.shape == (3, 8)
    for j in range(3):
        curves = equity_curves_nb(returns[j], kind, params, 2.5, SIGMA0, 0.001, PPY)
        assert curves.shape == (8, 31)
        log_wealth, total_return, drawdown = _metrics_from_curves(curves)
        assert tables[0, 0, j] == pytest.approx(log_wealth.mean() * PPY / 30, rel=1e-12)
        assert tables[1, 0, j] == pytest.approx(total_return.mean(), rel=1e-12, abs=1e-15)
        np.testing.assert_allclose(worst[j], drawdown, rtol=1e-12)
    np.testing.assert_allclose(tables[3, 0], worst.max(axis=1), rtol=0)
    np.testing.assert_allclose(tables[2, 0], worst.mean(axis=1), rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    returns=st.lists(st.floats(-0.2, 0.2), min_size=1, max_size=30),
    low=st.floats(0.0, 2.0),
    extra=st.floats(0.0, 2.0),
    cost=st.sampled_from([0.0, 0.001]),
)
def test_fixed_exposure_drawdown_grows_with_the_multiplier(returns, low, extra, cost):
    path = np.array([[returns]])
    params = _params(FIXED)[None]
    tables = payoff_tables_nb(path, np.array([FIXED, FIXED]), np.repeat(params, 2, axis=0),
                              np.array([low, low + extra]), SIGMA0, cost, PPY)
    assert tables[2, 1, 0] >= tables[2, 0, 0] - 1e-12


BREAKERS = [
    (0.0, 0, 0.0, 0.0, 0.03, 0.08, 3, 2, 0.25, 0.5, 1.0),  # losses only
    (0.04, 2, 0.0, 0.0, 0.05, 0.12, 2, 3, 0.5, 1.0, 1.0),  # fixed market-drop alarms, two stages
    (0.02, 1, 0.0, 0.0, 0.02, 0.05, 1, 1, 1.0, 1.0, 1.0),  # hair trigger, re-entry in one stage
    (0.01, 3, 1.5, 5.0, 0.06, 0.15, 2, 2, 0.25, 0.5, 1.0),  # volatility-scaled alarms, drop as a floor
    (0.0, 2, 1.0, 3.0, 0.5, 0.9, 2, 1, 0.5, 1.0, 1.0),  # volatility-scaled alarms alone
]


@pytest.mark.parametrize("kind", [FIXED, TREND, MEAN_REVERSION, VOL_TARGET])
def test_breaker_overlay_matches_reference(kind):
    returns = _returns(10 + kind, (3, 12, 60))
    params = np.array([_params(kind, breaker=b) for b in BREAKERS] + [_params(kind, 0.06, 3, BREAKERS[3])])
    kinds = np.full(len(params), kind, dtype=np.int64)
    args = (returns, kinds, params, np.array([1.0, 1.4, 0.8, 1.0, 1.2, 2.0]), SIGMA0, 0.002, PPY)
    np.testing.assert_allclose(payoff_tables_nb(*args), payoff_tables_reference(*args), rtol=1e-9, atol=1e-12)


def test_breaker_liquidates_a_slow_crash_and_reenters_in_stages():
    # 0.5% up, then ten days of -3%, then flat: the breaker halts at 5% (holding 1.0), liquidates
    # at 10% below the halt, stays out 5 quiet days, then re-enters at 25%, 50%, 100%
    returns = np.concatenate([np.full(5, 0.005), np.full(10, -0.03), np.zeros(30)])[None]
    row = _params(FIXED, breaker=(0.0, 0, 0.0, 0.0, 0.05, 0.10, 5, 5, 0.25, 0.5, 1.0))
    curve = equity_curves_nb(returns, FIXED, row, 1.0, SIGMA0, 0.0, PPY)[0]
    plain = equity_curves_nb(returns, FIXED, _params(FIXED), 1.0, SIGMA0, 0.0, PPY)[0]
    exposure = np.diff(curve) / curve[:-1] / np.where(returns[0] == 0, np.nan, returns[0])
    assert curve[-1] > plain[-1]
    falling = exposure[5:15]
    assert np.all(falling[~np.isnan(falling)] >= 0.0)
    out = np.flatnonzero(np.isclose(exposure, 0.0))
    assert out.size > 0 and out[0] < 15  # liquidated inside the crash
    assert np.isclose(curve[-1], curve[out[0]])  # flat days cost nothing: wealth kept after liquidation


def _calm_then(fall):
    """60 days alternating +1% / -1% (a per-step volatility of exactly 1%), ``fall`` from day 40."""
    returns = np.tile([0.01, -0.01], 30)
    returns[40 : 40 + len(fall)] = fall
    return returns


@pytest.mark.parametrize("fall, tripped", [([-0.10], True), ([-0.0105] * 10, False)])
def test_volatility_scaled_alarm_trips_on_a_sudden_fall_not_on_a_normal_volatility_one(fall, tripped):
    # alarm: a fall over 1 step of at least max(2%, 6 sigma), sigma = 1% the volatility before it.
    # A sudden 10-sigma day (-10%) trips it at step 41: halted (holding 1.0), 2 quiet steps, stage 1
    # (25%) for 2 steps, then the full limit. The same fall spread over ten 1-sigma days does not,
    # though the fixed 2%-over-3-days alarm trips on it.
    returns = _calm_then(fall)[None]
    losses_off = (0.5, 0.9, 2, 2, 0.25, 1.0, 1.0)
    scaled = _params(FIXED, breaker=(0.02, 1, 6.0, 10.0, *losses_off))
    fixed_drop = _params(FIXED, breaker=(0.02, 3, 0.0, 0.0, *losses_off))
    exposure = exposure_paths_nb(returns, FIXED, scaled, 1.0, 0.01, 0.0, PPY)[0]
    expected = np.ones(60)
    if tripped:
        expected[43:45] = 0.25
    np.testing.assert_array_equal(exposure, expected)
    assert (exposure_paths_nb(returns, FIXED, fixed_drop, 1.0, 0.01, 0.0, PPY)[0] < 1.0).any()
    both = np.stack([returns, returns])  # the reference agrees on both paths
    args = (both, np.array([FIXED, MEAN_REVERSION]), np.array([scaled, _params(MEAN_REVERSION, breaker=(
        0.02, 1, 6.0, 10.0, *losses_off))]), np.ones(2), 0.01, 0.001, PPY)
    np.testing.assert_allclose(payoff_tables_nb(*args), payoff_tables_reference(*args), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", [FIXED, TREND, MEAN_REVERSION, VOL_TARGET])
def test_exposure_paths_rebuild_the_equity_curves(kind):
    returns = _returns(3 + kind, (1, 4, 80), crash=False)[0]
    row = _params(kind, 0.05, 2, BREAKERS[3])
    cost = 0.002
    exposure = exposure_paths_nb(returns, kind, row, 1.3, SIGMA0, cost, PPY)
    curve = equity_curves_nb(returns, kind, row, 1.3, SIGMA0, cost, PPY)
    traded = np.abs(np.diff(exposure, axis=1, prepend=0.0))
    np.testing.assert_allclose(curve[:, 1:], curve[:, :-1] * (1.0 + exposure * returns - cost * traded), rtol=1e-12)
