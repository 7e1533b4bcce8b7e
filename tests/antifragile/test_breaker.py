"""CircuitBreaker: halt, clamp, liquidate, staged recovery, shadow versus enforce, limits.json."""

import json

import numpy as np
import pytest

from antifragile.breaker import CircuitBreaker
from antifragile.detector import TickResult
from gametheory.errors import ConfigError
from gametheory.strategies import fixed

FLAG = TickResult(True, "spoofing", 2.0)
QUIET = TickResult(False, None, 0.1)


def breaker(**kwargs):
    settings = dict(mode="enforce", halt_loss=0.05, liquidate_loss=0.15, quiet_ticks=3, stages=(0.5, 1.0),
                    stage_ticks=2)
    return CircuitBreaker(1.5, **{**settings, **kwargs})


def test_flag_halts_new_risk_then_staged_reentry():
    b = breaker()
    assert b.step(QUIET, 1.0, 1.0).exposure == 1.0
    halted = b.step(FLAG, 1.0, 1.4)
    assert halted.state == "halted" and halted.exposure == 1.0  # no new risk: held at 1.0
    assert [e.action for e in halted.events] == ["halt", "clamp"]
    assert "spoofing" in halted.events[0].reason
    caps = [b.step(QUIET, 1.0, 2.0).cap for _ in range(8)]
    # 2 quiet ticks still halted, 3rd starts stage 1 (0.75), 2 ticks later stage 2 (1.5), then normal
    assert caps == [1.0, 1.0, 0.75, 0.75, 1.5, 1.5, 1.5, 1.5]
    assert b.state == "normal"
    actions = [e.action for e in b.events]
    assert actions.count("recovery") == 2 and "resume" in actions


def test_flag_during_recovery_halts_again_and_resets_quiet_count():
    b = breaker()
    b.step(QUIET, 1.0, 1.0)
    b.step(FLAG, 1.0, 1.0)
    for _ in range(3):
        b.step(QUIET, 1.0, 1.0)
    assert b.state == "recovery"
    assert b.step(FLAG, 1.0, 1.0).state == "halted"
    assert b.step(QUIET, 1.0, 1.0).cap == pytest.approx(0.75)  # held at the recovery position


def test_loss_thresholds_halt_then_liquidate_and_clamp_to_limit():
    b = breaker()
    assert b.step(False, 1.0, 3.0).exposure == 1.5  # clamped to the robust limit
    assert b.step(False, 0.94, 1.5).state == "halted"  # 6% drawdown
    liquidated = b.step(False, 0.94 * 0.84, 1.5)  # 16% below the equity at the halt
    assert liquidated.state == "liquidated" and liquidated.exposure == 0.0
    assert liquidated.events[0].action == "liquidate" and "drawdown 16.00%" in liquidated.events[0].reason
    assert b.step(False, 0.79, -1.0).exposure == -0.0


def test_shadow_mode_logs_the_same_decisions_without_acting():
    log = []
    shadow, enforce = breaker(mode="shadow", on_event=log.append), breaker()
    inputs = [(QUIET, 1.0, 1.0), (FLAG, 1.0, 1.4), (QUIET, 0.8, 2.0), (QUIET, 0.8, 2.0)]
    for tick in inputs:
        s, e = shadow.step(*tick), enforce.step(*tick)
        assert s.exposure == tick[2] and s.allowed == e.allowed and s.state == e.state
    assert [(x.action, x.reason) for x in shadow.events] == [(x.action, x.reason) for x in enforce.events]
    assert log == shadow.events and not any(x.enforced for x in log) and all(x.enforced for x in enforce.events)
    assert json.dumps(log[0].to_dict())


def test_from_limits_reads_the_robust_limit(tmp_path):
    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"schema": "antifragile.limits/1", "limits": [
        {"strategy": "trend", "weight": 0.3, "max_gross_exposure": 0.8},
        {"strategy": "fixed", "weight": 0.7, "max_gross_exposure": 1.2}]}))
    assert CircuitBreaker.from_limits(path).limit == 1.2
    assert CircuitBreaker.from_limits(path, "trend", mode="enforce").limit == 0.8
    with pytest.raises(ConfigError, match="no limit for strategy"):
        CircuitBreaker.from_limits(path, "nope")
    path.write_text("{}")
    with pytest.raises(ConfigError, match="schema"):
        CircuitBreaker.from_limits(path)


@pytest.mark.parametrize("kwargs", [dict(mode="live"), dict(halt_loss=0.2), dict(stages=(0.5, 0.4, 1.0)),
                                    dict(quiet_ticks=0)])
def test_bad_settings_raise_config_error(kwargs):
    with pytest.raises(ConfigError):
        breaker(**kwargs)


def test_bad_tick_inputs_raise_config_error():
    with pytest.raises(ConfigError, match="equity"):
        breaker().step(False, float("nan"), 1.0)
    with pytest.raises(ConfigError, match="exposure"):
        breaker().step(False, 1.0, float("inf"))


@pytest.mark.parametrize("drop, window, drop_z", [(0.0, 0, 0.0), (0.03, 2, 0.0), (0.01, 3, 2.0)])
def test_payoff_overlay_follows_the_live_breaker(drop, window, drop_z):
    # the game prices the defence with the same protocol the live guard runs: step the live twin of
    # the strategy's overlay along a path (market price, equity, the rule's requested exposure) and
    # compare exposures and wealth with the payoff kernel's overlay
    from accelerated.payoff import equity_curves_nb, exposure_paths_nb
    from gametheory.strategies import encode, vol_target

    settings = dict(drop=drop, window=window, drop_z=drop_z, vol_span=10, halt_loss=0.04, liquidate_loss=0.09,
                    quiet=3, stage_steps=2, stages=(0.25, 0.5, 1.0))
    plain = vol_target(0.2, span=10, max_leverage=1.5)
    strategy = plain.with_breaker(**settings)
    (kind,), (row,) = encode([strategy])
    rng = np.random.default_rng(4)
    returns = np.expm1(0.02 * rng.standard_t(3, 160))
    returns[40:52] = -0.025  # a slow crash
    returns[100] = -0.12  # a sudden fall
    multiplier, sigma0, cost = 1.2, 0.015, 0.001
    args = (multiplier, sigma0, cost, 252.0)
    kernel = exposure_paths_nb(returns[None], kind, row, *args)[0]
    curve = equity_curves_nb(returns[None], kind, row, *args)[0]
    requested = exposure_paths_nb(returns[None], kind, encode([plain])[1][0], *args)[0]
    live = CircuitBreaker.from_strategy(strategy, sigma0=sigma0, multiplier=multiplier, mode="enforce")
    prices = np.concatenate([[1.0], np.cumprod(1.0 + returns)])
    allowed = [live.step(False, float(curve[t]), float(requested[t]), price=float(prices[t])).exposure
               for t in range(len(returns))]
    assert {"halt", "liquidate", "recovery", "resume"} <= {e.action for e in live.events}
    assert any("market fell" in e.reason for e in live.events) == (window > 0)
    np.testing.assert_allclose(allowed, kernel, rtol=1e-12, atol=1e-15)


def test_market_fall_alarm_is_scaled_by_the_volatility_before_the_window():
    # sigma0 = 1%, alternating +-1% ticks keep the volatility at 1%: a 10% one-tick fall is 10 sigma
    # and trips an alarm at 6 sigma; a 1% fall does not, nor does a 10% fall after a 5%-volatility spell
    def run(returns, sigma0=0.01):
        b = breaker(drop=0.02, window=1, drop_z=6.0, vol_span=10, sigma0=sigma0, halt_loss=0.5, liquidate_loss=0.9)
        prices = np.concatenate([[100.0], 100.0 * np.cumprod(1.0 + np.asarray(returns))])
        return [b.step(False, 1.0, 1.0, price=float(p)).state for p in prices]

    calm = [0.01, -0.01] * 10
    states = run(calm + [-0.10, 0.0])
    assert states[:21] == ["normal"] * 21 and states[21] == "halted"
    assert set(run(calm + [-0.01, 0.0])) == {"normal"}
    assert set(run([0.05, -0.05] * 10 + [-0.10, 0.0], sigma0=0.05)) == {"normal"}


def test_market_fall_alarm_settings_and_inputs_are_checked():
    with pytest.raises(ConfigError, match="sigma0"):
        breaker(window=3, drop_z=2.0)
    with pytest.raises(ConfigError, match="drop"):
        breaker(window=3, drop=1.0)
    with pytest.raises(ConfigError, match="vol_span"):
        breaker(window=3, drop_z=2.0, sigma0=0.01, vol_span=0.5)
    with pytest.raises(ConfigError, match="price"):
        breaker(window=3, drop=0.05).step(False, 1.0, 1.0)
    with pytest.raises(ConfigError, match="no circuit breaker"):
        CircuitBreaker.from_strategy(fixed(1.0), sigma0=0.01)
