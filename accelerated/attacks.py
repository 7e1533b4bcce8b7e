"""Attack injection kernels: overlay an attack on a set of log-return paths.

Every kernel takes log returns of shape (n_paths, n_steps) and the step where
the attack starts on each path, ``onsets`` of shape (n_paths,), and returns a
new array; the input is never written. Steps of an attack that would fall
beyond the end of a path are dropped (the attack is truncated). Onsets are
drawn by the caller, so the kernels are deterministic.
"""

import numpy as np
from numba import njit, prange

__all__ = ["black_swan_nb", "flash_crash_nb", "pump_and_dump_nb", "replay_nb"]


@njit(cache=True)
def _clip_span_nb(start, length, n_steps):
    """Steps ``[lo, hi)`` of the span ``[start, start + length)`` that lie inside ``[0, n_steps)``."""
    lo = min(max(start, 0), n_steps)
    hi = min(max(start + length, lo), n_steps)
    return lo, hi


@njit(cache=True)
def _add_ramp_nb(row, start, length, total):
    """Add ``total`` to ``row`` spread evenly over ``length`` steps from ``start``.

    Steps beyond the row are dropped. Returns the step after the ramp,
    ``start + length``, where a following phase begins.
    """
    if length > 0:
        lo, hi = _clip_span_nb(start, length, row.shape[0])
        step = total / length
        for t in range(lo, hi):
            row[t] += step
    return start + length


@njit(cache=True, parallel=True)
def flash_crash_nb(log_returns, onsets, depth, fall_steps, recovery_share, recovery_steps):
    """Flash crash: a fast fall of the price and a partial recovery.

    From ``onsets[i]`` the log price falls by ``log(1 - depth)`` in equal steps
    over ``fall_steps`` steps, then regains ``recovery_share`` of that fall in
    equal steps over ``recovery_steps`` steps, on top of the base returns.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    depth : float
        Fraction of the price lost at the bottom, ``0 < depth < 1``.
    fall_steps, recovery_steps : int
        Lengths of the fall and of the recovery, in steps.
    recovery_share : float
        Fraction of the lost log price regained, in ``[0, 1]``.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    fall = np.log1p(-depth)
    for i in prange(out.shape[0]):
        end_of_fall = _add_ramp_nb(out[i], onsets[i], fall_steps, fall)
        _add_ramp_nb(out[i], end_of_fall, recovery_steps, -recovery_share * fall)
    return out


@njit(cache=True, parallel=True)
def pump_and_dump_nb(log_returns, onsets, rise, rise_steps, hold_steps, dump_steps, overshoot):
    """Pump and dump: a steady rise, a hold, then a dump below the start.

    From ``onsets[i]`` the log price rises by ``log(1 + rise)`` in equal steps
    over ``rise_steps`` steps, the base returns run alone for ``hold_steps``
    steps, then the log price falls by ``(1 + overshoot) * log(1 + rise)`` in
    equal steps over ``dump_steps`` steps.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    rise : float
        Fractional price rise at the top of the pump, ``rise > 0``.
    rise_steps, hold_steps, dump_steps : int
        Lengths of the three phases, in steps.
    overshoot : float
        How far the dump goes below the start, as a fraction of the pumped log amount.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    pump = np.log1p(rise)
    for i in prange(out.shape[0]):
        end_of_rise = _add_ramp_nb(out[i], onsets[i], rise_steps, pump)
        _add_ramp_nb(out[i], end_of_rise + hold_steps, dump_steps, -(1.0 + overshoot) * pump)
    return out


@njit(cache=True, parallel=True)
def black_swan_nb(log_returns, onsets, jump, vol_multiplier, halflife):
    """Black swan: a one-step jump followed by decaying excess volatility.

    At ``onsets[i]`` the log return gets ``jump`` added. From the next step on,
    the base return at step ``t`` is scaled by
    ``1 + (vol_multiplier - 1) * 0.5 ** ((t - onset - 1) / halflife)``.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    jump : float
        Log jump at the onset (negative for a crash).
    vol_multiplier : float
        Volatility scale right after the jump.
    halflife : float
        Steps for the excess volatility to halve, ``halflife > 0``.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    n_steps = out.shape[1]
    excess = vol_multiplier - 1.0
    for i in prange(out.shape[0]):
        onset = onsets[i]
        lo, hi = _clip_span_nb(onset, 1, n_steps)
        for t in range(lo, hi):
            out[i, t] += jump
        lo, hi = _clip_span_nb(onset + 1, n_steps, n_steps)
        for t in range(lo, hi):
            out[i, t] *= 1.0 + excess * 0.5 ** ((t - onset - 1) / halflife)
    return out


@njit(cache=True, parallel=True)
def replay_nb(log_returns, onsets, window):
    """Historical replay: replace the returns from the onset by a real window.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    window : ndarray of shape (n_window,)
        Real log returns copied into each path from ``onsets[i]`` on.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    n_steps = out.shape[1]
    for i in prange(out.shape[0]):
        onset = onsets[i]
        lo, hi = _clip_span_nb(onset, window.shape[0], n_steps)
        for t in range(lo, hi):
            out[i, t] = window[t - onset]
    return out
