"""Attack kernels against slow NumPy references, closed forms and invariants."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from accelerated.attacks import black_swan_nb, flash_crash_nb, pump_and_dump_nb, replay_nb

N_STEPS = 40
# Onsets at the start, in the middle and close to the end, where attacks are truncated.
ONSETS = np.array([0, 1, 17, 36, 38, 39], dtype=np.int64)


@pytest.fixture
def base():
    return np.random.default_rng(11).normal(0.0, 0.01, size=(ONSETS.size, N_STEPS))


# --- slow references ---------------------------------------------------------------------------------------------


def ramp_ref(n_steps, start, length, total):
    """Added log returns: ``total / length`` on the steps of [start, start + length) inside the path."""
    steps = np.arange(n_steps)
    return np.where((steps >= start) & (steps < start + length), total / length, 0.0)


def flash_crash_ref(x, onsets, depth, fall_steps, recovery_share, recovery_steps):
    fall = np.log(1.0 - depth)
    n = x.shape[1]
    added = [
        ramp_ref(n, o, fall_steps, fall) + ramp_ref(n, o + fall_steps, recovery_steps, -recovery_share * fall)
        for o in onsets
    ]
    return x + np.array(added)


def pump_and_dump_ref(x, onsets, rise, rise_steps, hold_steps, dump_steps, overshoot):
    pump = np.log(1.0 + rise)
    n = x.shape[1]
    added = [
        ramp_ref(n, o, rise_steps, pump) + ramp_ref(n, o + rise_steps + hold_steps, dump_steps, -(1 + overshoot) * pump)
        for o in onsets
    ]
    return x + np.array(added)


def black_swan_ref(x, onsets, jump, vol_multiplier, halflife):
    steps = np.arange(x.shape[1])
    out = np.empty_like(x)
    for i, o in enumerate(onsets):
        scale = np.where(steps > o, 1.0 + (vol_multiplier - 1.0) * 0.5 ** ((steps - o - 1) / halflife), 1.0)
        out[i] = (x[i] + np.where(steps == o, jump, 0.0)) * scale
    return out


def replay_ref(x, onsets, window):
    out = x.copy()
    for i, o in enumerate(onsets):
        m = min(window.size, x.shape[1] - o)
        out[i, o : o + m] = window[:m]
    return out


CASES = [
    (flash_crash_nb, flash_crash_ref, (0.3, 1, 0.5, 5)),
    (flash_crash_nb, flash_crash_ref, (0.15, 4, 1.0, 3)),
    (flash_crash_nb, flash_crash_ref, (0.5, 3, 0.0, 1)),
    (pump_and_dump_nb, pump_and_dump_ref, (0.2, 10, 5, 3, 0.2)),
    (pump_and_dump_nb, pump_and_dump_ref, (0.5, 1, 0, 2, 0.0)),
    (black_swan_nb, black_swan_ref, (-0.08, 3.0, 10.0)),
    (black_swan_nb, black_swan_ref, (0.05, 0.5, 1.5)),
    (replay_nb, replay_ref, (np.linspace(-0.05, 0.04, 7),)),
    (replay_nb, replay_ref, (np.linspace(-0.02, 0.01, 60),)),  # longer than the path
]


@pytest.mark.parametrize(("kernel", "reference", "args"), CASES)
def test_kernel_matches_reference(base, kernel, reference, args):
    assert_allclose(kernel(base, ONSETS, *args), reference(base, ONSETS, *args), rtol=0, atol=1e-12)


@pytest.mark.parametrize(("kernel", "reference", "args"), CASES)
def test_kernel_returns_new_array_and_leaves_input(base, kernel, reference, args):
    before = base.copy()
    out = kernel(base, ONSETS, *args)
    assert_array_equal(base, before)
    assert not np.shares_memory(out, base)
    assert_array_equal(kernel(base, ONSETS, *args), out)  # deterministic


# --- closed forms on flat (zero-return) paths ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("depth", "fall_steps", "recovery_share", "recovery_steps"), [(0.3, 1, 0.5, 5), (0.1, 4, 0.8, 2)]
)
def test_flash_crash_closed_form(depth, fall_steps, recovery_share, recovery_steps):
    onsets = np.array([5, 12], dtype=np.int64)
    out = flash_crash_nb(np.zeros((2, 30)), onsets, depth, fall_steps, recovery_share, recovery_steps)
    log_price = np.cumsum(out, axis=1)
    fall = np.log(1.0 - depth)
    assert_allclose(log_price.min(axis=1), fall, rtol=0, atol=1e-12)
    assert_array_equal(log_price.argmin(axis=1), onsets + fall_steps - 1)
    assert_allclose(log_price[:, -1], (1.0 - recovery_share) * fall, rtol=0, atol=1e-12)
    assert_array_equal(log_price[0, :5], 0.0)


def test_flash_crash_truncated_at_path_end():
    out = flash_crash_nb(np.zeros((2, 10)), np.array([9, 8], dtype=np.int64), 0.4, 3, 0.5, 5)
    step = np.log(0.6) / 3
    assert_allclose(out[0], np.r_[np.zeros(9), step], rtol=0, atol=1e-15)
    assert_allclose(out[1], np.r_[np.zeros(8), step, step], rtol=0, atol=1e-15)


def test_pump_and_dump_closed_form():
    rise, rise_steps, hold_steps, dump_steps, overshoot = 0.25, 4, 3, 2, 0.2
    out = pump_and_dump_nb(np.zeros((1, 20)), np.array([6]), rise, rise_steps, hold_steps, dump_steps, overshoot)
    log_price = np.cumsum(out[0])
    pump = np.log(1.25)
    assert_allclose(log_price.max(), pump, rtol=0, atol=1e-12)
    assert_allclose(log_price[9:13], pump, rtol=0, atol=1e-12)  # top reached at step 9, held through step 12
    assert_allclose(log_price[-1], -overshoot * pump, rtol=0, atol=1e-12)
    assert_array_equal(out[0, 15:], 0.0)


def test_black_swan_jump_and_decay():
    jump, vol_multiplier, halflife = -0.1, 3.0, 4.0
    out = black_swan_nb(np.ones((1, 20)), np.array([5]), jump, vol_multiplier, halflife)[0]
    assert_array_equal(out[:5], 1.0)
    assert out[5] == 1.0 + jump
    assert out[6] == vol_multiplier
    assert_allclose(out[6 + 4], 1.0 + (vol_multiplier - 1.0) / 2, rtol=1e-15)  # one half-life later
    assert_allclose(out[6 + 8], 1.0 + (vol_multiplier - 1.0) / 4, rtol=1e-15)
    flat = black_swan_nb(np.zeros((1, 20)), np.array([5]), jump, vol_multiplier, halflife)[0]
    assert_array_equal(flat, np.where(np.arange(20) == 5, jump, 0.0))


def test_replay_copies_window_exactly(base):
    window = np.random.default_rng(3).normal(0.0, 0.03, size=5)
    out = replay_nb(base, ONSETS, window)
    assert_array_equal(out[2, 17:22], window)
    assert_array_equal(out[4, 38:], window[:2])  # truncated at the path end
    assert_array_equal(np.delete(out[2], np.arange(17, 22)), np.delete(base[2], np.arange(17, 22)))


# --- property ------------------------------------------------------------------------------------------------------


@given(
    seed=st.integers(0, 2**32 - 1),
    depth=st.floats(1e-4, 0.95),
    fall_steps=st.integers(1, 12),
    recovery_share=st.floats(0.0, 1.0),
    recovery_steps=st.integers(1, 12),
    onset=st.integers(0, 24),
)
def test_flash_crash_never_raises_final_price(seed, depth, fall_steps, recovery_share, recovery_steps, onset):
    x = np.random.default_rng(seed).normal(0.0, 0.02, size=(1, 25))
    out = flash_crash_nb(x, np.array([onset]), depth, fall_steps, recovery_share, recovery_steps)
    assert out.sum() <= x.sum() + 1e-12
    assert np.cumsum(out - x).max() <= 1e-12  # the attack never lifts the price above the base path
