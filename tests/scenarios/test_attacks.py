"""Attack specs: validation, onset drawing, kernel dispatch, closed forms and serialisation."""

import json
import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from accelerated.attacks import black_swan_nb, flash_crash_nb, pump_and_dump_nb, replay_nb
from scenarios.attacks import BlackSwan, FlashCrash, HistoricalReplay, NoAttack, PumpAndDump, as_log_returns
from scenarios.errors import ScenarioError

SIGMA = 0.012
WINDOW = (-0.03, 0.01, -0.05, -0.02, 0.015)


@pytest.fixture
def base():
    return np.random.default_rng(5).normal(0.0, SIGMA, size=(8, 50))


def expected_onsets(seed, n_paths, lo, hi):
    return np.random.default_rng(seed).integers(lo, hi, size=n_paths, dtype=np.int64)


# Each spec with the kernel call it must make; onsets (0.2, 0.8) of 50 steps are uniform on [10, 40).
DISPATCH = [
    (
        FlashCrash(0.3, fall_steps=2, recovery_share=0.4, recovery_steps=3),
        lambda x, o: flash_crash_nb(x, o, 0.3, 2, 0.4, 3),
    ),
    (
        PumpAndDump(0.2, rise_steps=6, hold_steps=2, dump_steps=2, overshoot=0.1),
        lambda x, o: pump_and_dump_nb(x, o, 0.2, 6, 2, 2, 0.1),
    ),
    (BlackSwan(8.0, vol_multiplier=2.5, halflife=6.0), lambda x, o: black_swan_nb(x, o, -8.0 * SIGMA, 2.5, 6.0)),
    (HistoricalReplay("toy", WINDOW), lambda x, o: replay_nb(x, o, np.array(WINDOW))),
]


@pytest.mark.parametrize(("spec", "kernel_call"), DISPATCH, ids=lambda v: getattr(v, "family", ""))
def test_apply_draws_onsets_uniformly_and_calls_kernel(base, spec, kernel_call):
    expected = kernel_call(base, expected_onsets(42, 8, 10, 40))
    assert_array_equal(spec.apply(base, SIGMA, rng=42), expected)
    assert_array_equal(spec.apply(base, SIGMA, rng=np.random.default_rng(42)), expected)
    assert not np.array_equal(spec.apply(base, SIGMA, rng=43), expected)


@pytest.mark.parametrize(("spec", "kernel_call"), DISPATCH, ids=lambda v: getattr(v, "family", ""))
def test_apply_leaves_input_unchanged(base, spec, kernel_call):
    before = base.copy()
    out = spec.apply(base, SIGMA, rng=0)
    assert_array_equal(base, before)
    assert not np.shares_memory(out, base)


def test_onsets_cover_the_range_and_stay_inside():
    out = FlashCrash(0.2, recovery_share=0.0, onset=(0.3, 0.5)).apply(np.zeros((400, 20)), SIGMA, rng=1)
    onsets = np.argmax(out != 0.0, axis=1)
    assert_array_equal(np.unique(onsets), np.arange(6, 10))  # [0.3 * 20, 0.5 * 20) = [6, 10)
    fixed = FlashCrash(0.2, recovery_share=0.0, onset=(0.5, 0.5)).apply(np.zeros((3, 20)), SIGMA, rng=1)
    assert_array_equal(np.argmax(fixed != 0.0, axis=1), 10)
    last = FlashCrash(0.2, recovery_share=0.0, onset=(1.0, 1.0)).apply(np.zeros((3, 20)), SIGMA, rng=1)
    assert_array_equal(np.argmax(last != 0.0, axis=1), 19)  # onset clipped to the last step


def test_historical_replay_onset_clamped_so_window_fits():
    out = HistoricalReplay("toy", WINDOW, onset=(0.8, 1.0)).apply(np.zeros((6, 20)), SIGMA, rng=2)
    assert_array_equal(out[:, 15:], np.tile(WINDOW, (6, 1)))  # would start at 16..19 unclamped
    long_window = np.linspace(-0.01, 0.01, 30)
    short = HistoricalReplay("long", long_window).apply(np.zeros((2, 12)), SIGMA, rng=2)
    assert_array_equal(short, np.tile(long_window[:12], (2, 1)))  # onset 0, truncated at the end


def test_black_swan_jump_is_size_times_sigma():
    out = BlackSwan(10.0, onset=(0.5, 0.5)).apply(np.zeros((2, 30)), 0.02, rng=0)
    assert_allclose(out[:, 15], -0.2, rtol=1e-15)
    assert_array_equal(np.delete(out, 15, axis=1), 0.0)


def test_no_attack_returns_an_equal_copy(base):
    out = NoAttack().apply(base, SIGMA, rng=0)
    assert_array_equal(out, base)
    assert not np.shares_memory(out, base)
    assert NoAttack().params() == {"family": "baseline"}


@pytest.mark.parametrize(
    ("spec", "drawdown"),
    [
        (FlashCrash(0.25, fall_steps=3), 0.25),
        (PumpAndDump(0.3, overshoot=0.2), 1.0 - 1.3**-1.2),
        (BlackSwan(6.0), 1.0 - math.exp(-6.0 * SIGMA)),
        (HistoricalReplay("toy", WINDOW), 1.0 - math.exp(-0.09)),  # from the start down to -0.09
        (NoAttack(), 0.0),
    ],
)
def test_flat_drawdown(spec, drawdown):
    assert spec.flat_drawdown(SIGMA) == pytest.approx(drawdown, abs=1e-12)


@pytest.mark.parametrize(
    "spec",
    [
        FlashCrash(0.3, fall_steps=np.int64(2), onset=(0.1, 0.9)),
        PumpAndDump(np.float32(0.5), hold_steps=0),
        BlackSwan(7),
        HistoricalReplay("toy", np.array(WINDOW)),
    ],
)
def test_params_round_trip_through_json(spec):
    params = json.loads(json.dumps(spec.params()))
    assert params.pop("family") == spec.family
    rebuilt = type(spec)(**{key: tuple(v) if isinstance(v, list) else v for key, v in params.items()})
    assert rebuilt == spec


def test_families():
    assert [cls.family for cls in (FlashCrash, PumpAndDump, BlackSwan, HistoricalReplay, NoAttack)] == [
        "flash_crash",
        "pump_and_dump",
        "black_swan",
        "historical",
        "baseline",
    ]


@pytest.mark.parametrize(
    ("make", "field", "value"),
    [
        (lambda: FlashCrash(0.0), "depth", "0.0"),
        (lambda: FlashCrash(1.0), "depth", "1.0"),
        (lambda: FlashCrash(float("nan")), "depth", "nan"),
        (lambda: FlashCrash("0.2"), "depth", "'0.2'"),
        (lambda: FlashCrash(0.2, fall_steps=0), "fall_steps", "0"),
        (lambda: FlashCrash(0.2, fall_steps=1.5), "fall_steps", "1.5"),
        (lambda: FlashCrash(0.2, recovery_share=1.2), "recovery_share", "1.2"),
        (lambda: FlashCrash(0.2, recovery_steps=0), "recovery_steps", "0"),
        (lambda: FlashCrash(0.2, onset=(0.8, 0.2)), "onset", "(0.8, 0.2)"),
        (lambda: FlashCrash(0.2, onset=(-0.1, 0.5)), "onset", "(-0.1, 0.5)"),
        (lambda: FlashCrash(0.2, onset=(0.5,)), "onset", "(0.5,)"),
        (lambda: PumpAndDump(0.0), "rise", "0.0"),
        (lambda: PumpAndDump(math.inf), "rise", "inf"),
        (lambda: PumpAndDump(0.2, rise_steps=0), "rise_steps", "0"),
        (lambda: PumpAndDump(0.2, hold_steps=-1), "hold_steps", "-1"),
        (lambda: PumpAndDump(0.2, dump_steps=True), "dump_steps", "True"),
        (lambda: PumpAndDump(0.2, overshoot=-0.1), "overshoot", "-0.1"),
        (lambda: BlackSwan(-3.0), "size_sigmas", "-3.0"),
        (lambda: BlackSwan(5.0, vol_multiplier=0.0), "vol_multiplier", "0.0"),
        (lambda: BlackSwan(5.0, halflife=0), "halflife", "0"),
        (lambda: HistoricalReplay("", WINDOW), "name", "''"),
        (lambda: HistoricalReplay("toy", ()), "window", "(0,)"),
        (lambda: HistoricalReplay("toy", [[0.1, 0.2]]), "window", "(1, 2)"),
        (lambda: HistoricalReplay("toy", (0.1, math.nan)), "window", "[1]"),
    ],
)
def test_invalid_spec_names_field_and_value(make, field, value):
    with pytest.raises(ScenarioError) as info:
        make()
    assert field in str(info.value)
    assert value in str(info.value)


@pytest.mark.parametrize(
    ("paths", "sigma", "match"),
    [
        (np.zeros(10), SIGMA, r"2-D .* got shape \(10,\)"),
        (np.zeros((0, 10)), SIGMA, r"got shape \(0, 10\)"),
        (np.array([["a", "b"]]), SIGMA, "real numbers"),
        ([[0.0, 0.1], [0.2]], SIGMA, "not a rectangular numeric array"),
        (np.where(np.arange(20).reshape(2, 10) == 13, np.nan, 0.0), SIGMA, "first at path 1, step 3: nan"),
        (np.zeros((2, 10)), 0.0, "sigma"),
        (np.zeros((2, 10)), math.nan, "sigma"),
    ],
)
def test_apply_rejects_bad_inputs(paths, sigma, match):
    with pytest.raises(ScenarioError, match=match):
        FlashCrash(0.2).apply(paths, sigma, rng=0)


def test_as_log_returns_converts_integers_and_keeps_float64():
    converted = as_log_returns([[0, 1], [2, 3]])
    assert converted.dtype == np.float64 and converted.flags.c_contiguous
    assert_array_equal(converted, [[0.0, 1.0], [2.0, 3.0]])
