"""Strategy specs: names, validation and the kernel encoding."""

import dataclasses

import numpy as np
import pytest

from accelerated.payoff import FIXED, MEAN_REVERSION, N_PARAMS, TREND, VOL_TARGET
from gametheory.errors import ConfigError
from gametheory.strategies import (
    Strategy,
    default_strategies,
    encode,
    fixed,
    mean_reversion,
    trend_following,
    vol_target,
)


def test_names_are_stable_and_describe_the_parameters():
    assert fixed(0).name == "cash"
    assert fixed(1).name == "fixed_1.00"
    assert fixed(0.25).name == "fixed_0.25"
    assert trend_following().name == "trend_50"
    assert trend_following(20, level=0.5).name == "trend_20_x0.50"
    assert mean_reversion().name == "mean_reversion_20"
    assert mean_reversion(10, z_entry=1.5).name == "mean_reversion_10_z1.5"
    assert vol_target().name == "vol_target_15%"
    assert vol_target(0.1, span=60, max_leverage=2).name == "vol_target_10%_span60_max2"
    assert vol_target(0.15).with_stop_loss().name == "vol_target_15%+sl10"
    assert fixed(1).with_stop_loss(0.05, cooldown=3).name == "fixed_1.00+sl5_cd3"


def test_with_stop_loss_keeps_the_rule_and_sets_the_overlay():
    base = trend_following(20)
    guarded = base.with_stop_loss(0.2, cooldown=5)
    assert (guarded.kind, guarded.parameters) == (base.kind, base.parameters)
    assert (guarded.stop_loss, guarded.cooldown) == (0.2, 5)
    assert base.stop_loss == 0.0  # frozen: the original is unchanged
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.stop_loss = 0.1


def test_max_exposure_per_kind():
    assert fixed(1.5).max_exposure == 1.5
    assert trend_following(level=0.7).max_exposure == 0.7
    assert mean_reversion(level=2.0).max_exposure == 2.0
    assert vol_target(max_leverage=3.0).max_exposure == 3.0


def test_encode_lays_out_kernel_parameters():
    strategies = [
        fixed(0.5),
        trend_following(30, 0.8).with_stop_loss(0.1, 7),
        mean_reversion(15, 1.2, 1.5),
        vol_target(0.12, 40, 2.0),
    ]
    kinds, params = encode(strategies)
    assert kinds.dtype == np.int64 and params.dtype == np.float64
    np.testing.assert_array_equal(kinds, [FIXED, TREND, MEAN_REVERSION, VOL_TARGET])
    assert params.shape == (4, N_PARAMS)
    assert not params[:, 6:].any()  # no circuit breaker
    np.testing.assert_array_equal(
        params[:, :6],
        [
            [0.5, 0, 0, 0, 10, 0],
            [30, 0.8, 0, 0.1, 7, 0],
            [15, 1.2, 1.5, 0, 10, 0],
            [0.12, 40, 2.0, 0, 10, 0],
        ],
    )


def test_default_menus():
    full = default_strategies()
    names = [s.name for s in full]
    assert len(full) == 24 and len(set(names)) == 24
    assert names[18:20] == ["trend_20_ls", "trend_100_ls"]
    assert [s.name for s in full if s.breaker] == names[20:] and len(names[20:]) == 4
    assert names[:10] == [
        "cash", "fixed_0.25", "fixed_0.50", "fixed_1.00", "fixed_1.50", "trend_20", "trend_100",
        "mean_reversion_20", "vol_target_10%", "vol_target_15%",
    ]
    guarded = [s for s in full if s.stop_loss > 0]
    assert {s.name.removesuffix("+sl10") for s in guarded} <= set(names[2:10])
    assert len(guarded) == 8 and all(s.stop_loss == 0.1 and s.cooldown == 10 for s in guarded)
    quick = default_strategies(quick=True)
    assert len(quick) == 10 and len({s.name for s in quick}) == 10
    assert {s.kind for s in quick} == {"fixed", "trend", "mean_reversion", "vol_target"}


def test_strategies_are_hashable_values():
    assert {fixed(1.0): 1}[fixed(1.0)] == 1
    assert fixed(1.0) != fixed(1.0).with_stop_loss()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Strategy("x", "momentum", (("level", 1.0),)), "unknown kind 'momentum'"),
        (lambda: Strategy("x", "trend", (("level", 1.0),)), "takes parameters ('span', 'level', 'short')"),
        (lambda: Strategy("x", "fixed", 1.0), "(name, value) pairs"),
        (lambda: fixed(-0.5), "'level' must be >= 0.0"),
        (lambda: fixed(float("nan")), "must be finite"),
        (lambda: trend_following(span=0.5), "'span' must be >= 1.0"),
        (lambda: mean_reversion(z_entry=0.0), "'z_entry' must be > 0.0"),
        (lambda: vol_target(target=-0.1), "'target' must be > 0.0"),
        (lambda: vol_target(max_leverage="big"), "must be a real number"),
        (lambda: Strategy("x", "fixed", (("level", 1.0),), stop_loss=1.0), "stop_loss must be in [0, 1)"),
        (lambda: Strategy("x", "fixed", (("level", 1.0),), cooldown=2.5), "cooldown must be an integer"),
        (lambda: Strategy("x", "fixed", (("level", 1.0),), cooldown=-1), "cooldown must be an integer"),
        (lambda: Strategy("", "fixed", (("level", 1.0),)), "non-empty string"),
        (lambda: fixed(1.0).with_stop_loss(0.0), "must be in (0, 1)"),
        (lambda: fixed(1.0).with_stop_loss().with_stop_loss(), "already has a stop-loss"),
        (lambda: encode([]), "at least one strategy"),
        (lambda: encode([fixed(1.0), "fixed"]), "strategies[1] is a str"),
    ],
)
def test_invalid_specs_raise_config_error(make, message):
    with pytest.raises(ConfigError) as info:
        make()
    assert message in str(info.value)
