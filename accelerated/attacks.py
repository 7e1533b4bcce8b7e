"""Attack injection kernels: overlay an attack on a set of log-return paths.

Every kernel takes log returns of shape (n_paths, n_steps) and the step where
the attack starts on each path, ``onsets`` of shape (n_paths,), and returns a
new array; the input is never written. Steps of an attack that would fall
beyond the end of a path are dropped (the attack is truncated). Onsets are
drawn by the caller, so the kernels are deterministic.

Kernels with more than one channel return a tuple: :func:`liquidity_gap_nb` adds a
per-step slippage path, :func:`spoofing_nb` the order book (bid and ask depth,
volume), and :func:`coordinated_nb` works on several assets at once, shape
(n_paths, n_assets, n_steps). :func:`pump_and_dump_volume_nb` gives the volume
channel of :func:`pump_and_dump_nb` for the same onsets.
"""

import numpy as np
from numba import njit, prange

__all__ = [
    "NORM_INF",
    "NORM_ONE",
    "black_swan_nb",
    "coordinated_nb",
    "flash_crash_nb",
    "liquidity_gap_nb",
    "overlay_nb",
    "perturbation_nb",
    "pump_and_dump_nb",
    "pump_and_dump_volume_nb",
    "replay_nb",
    "spoofing_nb",
    "vol_regime_nb",
]

NORM_INF, NORM_ONE = 0, 1


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
def pump_and_dump_volume_nb(
    volume, onsets, z, rise_steps, hold_steps, dump_steps, rise_volume, hold_volume, dump_volume, noise
):
    """Volume signature of a pump and dump, on top of a base volume path.

    The base volume at step ``t`` is multiplied by ``1 + e_t * exp(noise * z[i, t] - noise**2 / 2)``
    (the lognormal factor has mean 1), with the extra volume ``e_t`` of each phase, counted from
    ``onsets[i]`` as in :func:`pump_and_dump_nb`:

    - rise, step ``k = 0 .. rise_steps - 1``: ``rise_volume * (k + 1) / rise_steps`` (the surge
      grows with the price and peaks at the top);
    - hold, ``hold_steps`` steps: ``hold_volume`` (volume stays high);
    - dump, ``dump_steps`` steps: ``dump_volume`` (the spike of the sell-off);

    and ``e_t = 0`` outside the attack. Steps beyond the path are dropped.

    Parameters
    ----------
    volume : ndarray of shape (n_paths, n_steps)
        Base traded volume, ``>= 0``.
    onsets : int64 ndarray of shape (n_paths,)
    z : ndarray of shape (n_paths, n_steps)
        Standard normal draws (the seed's randomness); only steps inside the attack are read.
    rise_steps, hold_steps, dump_steps : int
        Lengths of the three phases, in steps.
    rise_volume, hold_volume, dump_volume : float
        Extra volume, as multiples of the base volume, at the top of the rise, in the hold
        and in the dump, ``>= 0``.
    noise : float
        Standard deviation of the log of the multiplicative noise on the extra volume, ``>= 0``.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = volume.copy()
    n_steps = out.shape[1]
    drift = -0.5 * noise * noise
    for i in prange(out.shape[0]):
        start = onsets[i]
        lo, hi = _clip_span_nb(start, rise_steps + hold_steps + dump_steps, n_steps)
        for t in range(lo, hi):
            k = t - start
            if k < rise_steps:
                extra = rise_volume * (k + 1) / rise_steps
            elif k < rise_steps + hold_steps:
                extra = hold_volume
            else:
                extra = dump_volume
            out[i, t] *= 1.0 + extra * np.exp(noise * z[i, t] + drift)
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
def _window_nb(log_returns, onsets, window, add):
    """Copy of ``log_returns`` with ``window`` written (``add`` False) or added (True) from each onset."""
    out = log_returns.copy()
    n_steps = out.shape[1]
    for i in prange(out.shape[0]):
        onset = onsets[i]
        lo, hi = _clip_span_nb(onset, window.shape[0], n_steps)
        for t in range(lo, hi):
            out[i, t] = out[i, t] + window[t - onset] if add else window[t - onset]
    return out


@njit(cache=True)
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
    return _window_nb(log_returns, onsets, window, False)


@njit(cache=True)
def overlay_nb(log_returns, onsets, increments):
    """Add a fixed window of log returns from the onset on (a shape on top of the base noise).

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    increments : ndarray of shape (n_window,)
        Log returns added to steps ``onsets[i] .. onsets[i] + n_window - 1``.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    return _window_nb(log_returns, onsets, increments, True)


@njit(cache=True, parallel=True)
def vol_regime_nb(log_returns, onsets, multiplier, length):
    """Volatility regime shift: base returns scaled by ``multiplier`` for ``length`` steps.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    multiplier : float
        Scale of the returns inside the regime, ``> 0``.
    length : int
        Steps of the regime; it is cut at the path end.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    n_steps = out.shape[1]
    for i in prange(out.shape[0]):
        lo, hi = _clip_span_nb(onsets[i], length, n_steps)
        for t in range(lo, hi):
            out[i, t] *= multiplier
    return out


@njit(cache=True, parallel=True)
def liquidity_gap_nb(log_returns, onsets, gap, gap_steps, slippage, halflife):
    """Liquidity gap: the price gaps down while the cost of trading explodes, then decays.

    From ``onsets[i]`` the log price falls by ``log(1 - gap)`` in equal steps over
    ``gap_steps`` steps. The slippage path is ``slippage * 0.5 ** ((t - onset) / halflife)``
    for ``t >= onset`` and 0 before: an extra cost per unit of traded exposure at step ``t``,
    on top of the payoff model's constant cost.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    gap : float
        Fraction of the price lost in the gap, ``0 <= gap < 1``.
    gap_steps : int
    slippage : float
        Extra cost per unit of traded exposure at the onset, ``>= 0``.
    halflife : float
        Steps for the slippage to halve, ``> 0``.

    Returns
    -------
    log_returns : ndarray of shape (n_paths, n_steps)
    slippage : ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    costs = np.zeros_like(out)
    n_steps = out.shape[1]
    fall = np.log1p(-gap)
    for i in prange(out.shape[0]):
        onset = onsets[i]
        _add_ramp_nb(out[i], onset, gap_steps, fall)
        lo, hi = _clip_span_nb(onset, n_steps, n_steps)
        for t in range(lo, hi):
            costs[i, t] = slippage * 0.5 ** ((t - onset) / halflife)
    return out, costs


@njit(cache=True, parallel=True)
def perturbation_nb(log_returns, budget, norm, length):
    """The bounded change of each path that deepens the buy-and-hold drawdown the most.

    Let ``(s, t)`` be the peak and trough of the path's deepest log drawdown (price
    indices, ``P_0 = 0``; a path without drawdown takes ``t = n_steps``).

    - ``norm == NORM_ONE``: ``-budget`` is added to return ``t - 1``. Exact: any change with
      ``sum |delta| <= budget`` deepens a log drawdown by at most ``budget``, which this one
      reaches on the deepest, and it lowers the end price by ``budget`` as well.
    - ``norm == NORM_INF``: ``-budget`` is added to ``length`` consecutive returns, the window
      ending at return ``t - 1`` (moved right when it would start before 0). Exact when
      ``length >= n_steps`` (every return lowered by ``budget`` deepens every drawdown the
      most); for a shorter window it is a heuristic placement, a lower bound on the worst case.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_steps)
    budget : float
        Size of the change in the chosen norm, ``>= 0``.
    norm : int
        ``NORM_INF`` (0) or ``NORM_ONE`` (1).
    length : int
        Window of the max-norm change, ``>= 1``; ignored for ``NORM_ONE``.

    Returns
    -------
    ndarray of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    n_steps = out.shape[1]
    for i in prange(out.shape[0]):
        level = 0.0
        peak = 0.0
        deepest = 0.0
        trough = n_steps
        for k in range(n_steps):
            level += out[i, k]
            if level > peak:
                peak = level
            if peak - level > deepest:
                deepest = peak - level
                trough = k + 1
        if norm == NORM_ONE:
            out[i, trough - 1] -= budget
        else:
            lo = max(trough - length, 0)
            hi = min(lo + length, n_steps)
            for k in range(lo, hi):
                out[i, k] -= budget
    return out


@njit(cache=True, parallel=True)
def spoofing_nb(
    log_returns, bid, ask, volume, onsets, side, layer_size, n_layers, build_steps, hold_steps, impact, reversion,
    exec_volume,
):
    """Spoofing and layering: fake depth on one side moves the price, then is cancelled.

    Layer ``k`` (``k = 0 .. n_layers - 1``) of ``layer_size`` (units of depth) is posted on
    the bid (``side = +1``) or the ask (``side = -1``) at step
    ``onset + ceil(k * build_steps / n_layers)``; all layers stay for ``hold_steps`` more steps and are cancelled together at
    ``c = onset + build_steps + hold_steps``. The price follows order-flow imbalance (the
    linear OFI model of Cont, Kukanov and Stoikov, 2014): each change ``dS`` of the fake depth
    adds ``side * impact * dS / D_t`` to the log return, with ``D_t = (bid_t + ask_t) / 2``
    the genuine mean depth; at the cancellation only ``reversion`` of the accumulated move
    comes back (``reversion > 1``: the price overshoots as the spoofer's real order trades).
    That real order, ``exec_volume`` per step, adds to the volume while the layers stand.

    Parameters
    ----------
    log_returns, bid, ask, volume : ndarray of shape (n_paths, n_steps)
        Base log returns, genuine bid and ask depth (> 0) and traded volume.
    onsets : int64 ndarray of shape (n_paths,)
    side : int
        +1 for fake bids (pushes the price up), -1 for fake asks (pushes it down).
    layer_size : float
    n_layers, build_steps, hold_steps : int
        ``n_layers >= 1``, ``build_steps >= 1``, ``hold_steps >= 0``.
    impact : float
        Log-price move per unit of fake depth relative to the mean depth.
    reversion : float
        Share of the move undone at the cancellation.
    exec_volume : float

    Returns
    -------
    log_returns, bid, ask, volume : ndarrays of shape (n_paths, n_steps)
    """
    out = log_returns.copy()
    bid_out = bid.copy()
    ask_out = ask.copy()
    volume_out = volume.copy()
    n_steps = out.shape[1]
    for i in prange(out.shape[0]):
        onset = onsets[i]
        cancel = onset + build_steps + hold_steps
        fake = 0.0
        moved = 0.0
        lo, hi = _clip_span_nb(onset, cancel - onset + 1, n_steps)
        for t in range(lo, hi):
            depth = 0.5 * (bid[i, t] + ask[i, t])
            if t == cancel:
                out[i, t] -= reversion * moved
                continue
            posted = min(n_layers, ((t - onset) * n_layers) // build_steps + 1)
            new_fake = posted * layer_size
            step = side * impact * (new_fake - fake) / depth
            out[i, t] += step
            moved += step
            fake = new_fake
            if side > 0:
                bid_out[i, t] += fake
            else:
                ask_out[i, t] += fake
            volume_out[i, t] += exec_volume
    return out, bid_out, ask_out, volume_out


@njit(cache=True, parallel=True)
def coordinated_nb(log_returns, onsets, weights, push, push_steps, stagger, hold_steps, release_steps, release_share):
    """Coordinated manipulation of several assets by several actors.

    Actor ``k`` starts at ``onsets[i] + k * stagger``, moves the log price of asset ``a`` by
    ``weights[k, a] * push`` in equal steps over ``push_steps`` steps, waits ``hold_steps``
    steps and then undoes ``release_share`` of that move in equal steps over ``release_steps``.
    The actors' moves add up.

    Parameters
    ----------
    log_returns : ndarray of shape (n_paths, n_assets, n_steps)
    onsets : int64 ndarray of shape (n_paths,)
    weights : ndarray of shape (n_actors, n_assets)
        How much of the push each actor applies to each asset (1 on its target, a
        cross-impact share on the others).
    push : float
        Log move of one actor on a weight-1 asset (negative for a bear raid).
    push_steps, stagger, hold_steps, release_steps : int
    release_share : float

    Returns
    -------
    ndarray of shape (n_paths, n_assets, n_steps)
    """
    out = log_returns.copy()
    for i in prange(out.shape[0]):
        for k in range(weights.shape[0]):
            start = onsets[i] + k * stagger
            for a in range(out.shape[1]):
                move = weights[k, a] * push
                end_of_push = _add_ramp_nb(out[i, a], start, push_steps, move)
                _add_ramp_nb(out[i, a], end_of_push + hold_steps, release_steps, -release_share * move)
    return out
