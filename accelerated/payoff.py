"""Trader strategy backtests and the payoff kernel.

Model
-----
Wealth starts at ``W_0 = 1``. At step ``t`` the strategy chooses an exposure ``e_t`` from the
returns ``R_0 .. R_{t-1}`` only (no look-ahead), then

    W_{t+1} = W_t * (1 + e_t * R_t - cost * |e_t - e_{t-1}|),    e_{-1} = 0,

with ``R_t`` the simple return of step ``t``. The trade cost is a fraction of the traded exposure,
so the first trade is charged too. If the factor is ``<= 0``, or wealth falls to ``RUIN`` or below,
the trader is ruined: wealth is set to ``RUIN = 1e-12`` and stays there (exposure 0 afterwards), so
``log W_T >= log(RUIN)`` is always finite.

Every rule is long/flat except a trend rule with ``short > 0``, which is long/short; its exposure is
``multiplier * raw`` with ``raw`` given by its kind.
``a = 2 / (span + 1)`` is the EWMA weight, ``sigma0`` the initial per-step volatility.

===  ==============  =====================================================================
code kind            raw exposure at step ``t`` (state built from ``R_0 .. R_{t-1}``)
===  ==============  =====================================================================
0    fixed           ``level``; level 0 is cash.
1    trend           ``level`` if ``ewma > 0`` else ``-short``; ``ewma`` starts at 0 and is updated
                     ``ewma = (1 - a) ewma + a R`` after each step.
2    mean_reversion  ``level * clip(-z / z_entry, 0, 1)`` (buys the dip), where
                     ``z = (P / m - 1) / (s * sqrt(span))``; the price ``P`` starts at 1 and
                     is updated ``P = P (1 + R)``, then its EWMA ``m = (1 - a) m + a P``
                     (``m`` starts at 1); ``s = sqrt(v)`` with the EWMA variance
                     ``v = (1 - a) v + a R^2`` started at ``sigma0**2``.
3    vol_target      ``min(max_leverage, target_annual / sqrt(periods_per_year) / sqrt(v))``
                     with ``v`` the EWMA variance as above, started at ``sigma0**2``.
===  ==============  =====================================================================

Stop-loss overlay (any kind): before choosing ``e_t`` the trader compares ``W_t`` with its peak
(the highest wealth since it last entered the market, ``W_0`` included). When
``W_t / peak - 1 <= -stop`` (evaluated as ``W_t <= (1 - stop) * peak``) it goes flat for
``cooldown`` steps (``t .. t + cooldown - 1``: exposure 0, the signals keep updating) and re-enters
at step ``t + cooldown`` with the peak reset to the wealth it re-enters with; ``cooldown = 0``
re-enters at once with the peak reset to ``W_t``. ``stop = 0`` switches the overlay off.

Circuit-breaker overlay (any kind, after the stop-loss): the protocol of
:class:`antifragile.breaker.CircuitBreaker` on daily steps, with ``limit = multiplier * max_exposure``
(the strategy's own largest exposure, so the breaker never binds in its ``normal`` state). Before
choosing ``e_t`` it sees the wealth ``W_t`` and an alarm: the market fell anomalously over the last
``window`` steps,

    prod_{s=t-window}^{t-1} (1 + R_s) <= 1 - max(drop, drop_z * sigma * sqrt(window)),   t >= window,

where ``sigma = sqrt(v)`` is the market's volatility *before* the window: the EWMA variance
``v = (1 - b) v + b R^2`` with ``b = 2 / (vol_span + 1)``, started at ``sigma0**2`` and fed
``R_0 .. R_{t-window-1}`` (so a crash does not widen its own yardstick). ``drop`` is a floor on the
fall; ``drop_z = 0`` is the fixed-drop alarm, ``window = 0`` or ``drop = drop_z = 0`` no alarm.
With ``peak`` the running maximum of wealth (reset to ``W_t`` at every halt or liquidation) and
``dd = 1 - W_t / peak``, in this order:

1. ``dd >= liquidate_loss`` and not liquidated: **liquidated** (cap 0);
2. an alarm in ``normal`` or ``recovery``: **halted**;
3. ``dd >= halt_loss`` in ``normal`` or ``recovery``: **halted**, cap ``min(|e_{t-1}|, limit)``
   (no new risk: at most the exposure held);
4. otherwise, out of ``normal``: a quiet step (no alarm, ``dd < halt_loss``) counts, any other
   resets the count; ``quiet`` quiet steps after a halt or liquidation start **recovery** stage 1,
   ``stage_steps`` quiet steps move to the next stage; after the last, **normal**.

In recovery stage ``k`` the cap is ``stages[k] * limit``. The exposure is then
``sign(e) * min(|e|, cap)``. ``halt_loss = 0`` switches the overlay off.

Encoding
--------
``kinds`` int64 ``(n_strategies,)``, ``multipliers`` float64 ``(n_strategies,)`` and ``params``
float64 ``(n_strategies, N_PARAMS = 18)`` whose columns are ``[p0, p1, p2, stop, cooldown, spare,
drop, window, drop_z, vol_span, halt_loss, liquidate_loss, quiet, stage_steps, stage_1, stage_2,
stage_3, max_exposure]`` (the last twelve, from column ``BREAKER = 6``, are the breaker's; up to
three stages, padded with 1.0, which is the same as fewer stages):

==============  ===============  ===========  ==============
kind            p0               p1           p2
==============  ===============  ===========  ==============
fixed           level            unused (0)   unused (0)
trend           span             level        short (0: long/flat)
mean_reversion  span             z_entry      level
vol_target      target_annual    span         max_leverage
==============  ===============  ===========  ==============

``cooldown``, ``window``, ``quiet`` and ``stage_steps`` are whole numbers of steps stored as float;
``vol_span`` (>= 1) is read only when ``drop_z > 0``; ``spare`` is reserved and ignored.

Per-path metrics
----------------
- log wealth at the end, ``log W_T``;
- max drawdown ``max_t (1 - W_t / max_{s <= t} W_s)``, ``W_0 = 1`` included;
- time to recover from the max drawdown: steps from the peak preceding the deepest trough (the
  first time that peak level was reached; the first trough if several are equally deep) until
  wealth first regains the peak level. A path that never recovers is censored: the time counts
  until the end of the path (``n_steps - peak_step``). No drawdown means 0.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "FIXED",
    "MEAN_REVERSION",
    "N_METRICS",
    "N_PARAMS",
    "RUIN",
    "TREND",
    "VOL_TARGET",
    "equity_curves_nb",
    "exposure_paths_nb",
    "payoff_tables_nb",
    "worst_drawdown_nb",
]

FIXED, TREND, MEAN_REVERSION, VOL_TARGET = 0, 1, 2, 3
N_PARAMS = 18
BREAKER = 6  # first column of the circuit-breaker overlay
_NORMAL, _HALTED, _LIQUIDATED, _RECOVERY = 0, 1, 2, 3
N_METRICS = 5
RUIN = 1e-12


@njit(cache=True, error_model="numpy")
def _simulate_path(returns, kind, params_row, multiplier, sigma0, cost, periods_per_year, curve, taken):
    """Backtest one strategy on one path; the single place the trading rules live.

    Parameters
    ----------
    returns : float64 (n_steps,)
        Simple returns of one path.
    kind, params_row, multiplier, sigma0, cost, periods_per_year
        One strategy and the market settings, as in the module docstring.
    curve : float64 (n_steps + 1,) or (0,)
        Receives the wealth ``W_0 .. W_T`` when not empty.
    taken : float64 (n_steps,) or (0,)
        Receives the exposures ``e_0 .. e_{T-1}`` when not empty (0 after ruin).

    Returns
    -------
    final_wealth, max_drawdown, recovery_steps : float
    """
    n_steps = returns.shape[0]
    record = curve.shape[0] > 0
    record_taken = taken.shape[0] > 0
    p0, p1, p2 = params_row[0], params_row[1], params_row[2]
    stop = params_row[3]
    stop_keep = 1.0 - stop
    cooldown = int(params_row[4])
    drop = params_row[6]
    window = int(params_row[7])
    drop_z = params_row[8]
    alarms = (drop > 0.0 or drop_z > 0.0) and window > 0
    z_window = drop_z * np.sqrt(window)
    market_alpha = 2.0 / (params_row[9] + 1.0) if drop_z > 0.0 else 0.0
    halt_loss = params_row[10]
    breaker = halt_loss > 0.0
    liquidate_loss = params_row[11]
    quiet_steps = int(params_row[12])
    stage_steps = int(params_row[13])
    limit = multiplier * params_row[17]
    # Strategy constants and state. mean_reversion uses -z / z_entry = (m - P) * scale / (m * s)
    # with scale = 1 / (sqrt(span) * z_entry): one division instead of three.
    alpha = 0.0
    level = p0
    scale = 1.0
    if kind == TREND:
        alpha = 2.0 / (p0 + 1.0)
        level = p1
    elif kind == MEAN_REVERSION:
        alpha = 2.0 / (p0 + 1.0)
        scale = 1.0 / (np.sqrt(p0) * p1)
        level = p2
    elif kind == VOL_TARGET:
        alpha = 2.0 / (p1 + 1.0)
        level = p0 / np.sqrt(periods_per_year)
    keep = 1.0 - alpha
    ewma = 0.0
    price = 1.0
    price_ewma = 1.0
    var = sigma0 * sigma0
    # Trader state.
    wealth = 1.0
    stop_peak = 1.0
    flat_left = 0
    exposure_prev = 0.0
    # Breaker state; market_var is the EWMA variance of R_0 .. R_{t-window-1}.
    market_var = sigma0 * sigma0
    cb_state = _NORMAL
    cb_peak = 1.0
    held = limit
    quiet = 0
    stage = 0
    # Drawdown bookkeeping. A new max drawdown needs wealth < (1 - max_dd) * peak; `bound` is that
    # threshold widened by 1e-12 so the exact test (one division) runs only near or below it.
    # dd_peak is the peak before the deepest trough while not yet regained, else +inf.
    peak = 1.0
    peak_step = 0
    max_dd = 0.0
    bound = 1.0 + 1e-12
    dd_peak = np.inf
    dd_peak_step = 0
    recovery = 0.0
    if record:
        curve[0] = 1.0
    for t in range(n_steps):
        r = returns[t]
        # Exposure from the state built on R_0 .. R_{t-1}, then fold R_t into the state.
        if kind == FIXED:
            raw = level
        elif kind == TREND:
            raw = level if ewma > 0.0 else -p2
            ewma = keep * ewma + alpha * r
        elif kind == MEAN_REVERSION:
            dip = (price_ewma - price) * scale / (price_ewma * np.sqrt(var))
            raw = level * min(max(dip, 0.0), 1.0)
            price = price * (1.0 + r)
            price_ewma = keep * price_ewma + alpha * price
            var = keep * var + alpha * r * r
        else:
            raw = min(p2, level / np.sqrt(var))
            var = keep * var + alpha * r * r
        exposure = multiplier * raw
        if stop > 0.0:
            if flat_left == 0:
                stop_peak = max(stop_peak, wealth)
                if wealth <= stop_keep * stop_peak:
                    flat_left = cooldown
                    stop_peak = wealth
            if flat_left > 0:
                flat_left -= 1
                stop_peak = 0.0  # the first step back in the market restarts the peak
                exposure = 0.0
        if breaker:
            alarm = False
            if alarms and t >= window:
                if t > window:
                    before = returns[t - window - 1]
                    market_var = (1.0 - market_alpha) * market_var + market_alpha * before * before
                growth = 1.0
                for s in range(t - window, t):
                    growth *= 1.0 + returns[s]
                alarm = growth <= 1.0 - max(drop, z_window * np.sqrt(market_var))
            cb_peak = max(cb_peak, wealth)
            dd = 1.0 - wealth / cb_peak
            active = cb_state == _NORMAL or cb_state == _RECOVERY
            entered = True
            if dd >= liquidate_loss and cb_state != _LIQUIDATED:
                cb_state = _LIQUIDATED
            elif active and (alarm or dd >= halt_loss):
                cb_state = _HALTED
            else:
                entered = False
                if cb_state != _NORMAL:
                    quiet = quiet + 1 if not alarm and dd < halt_loss else 0
                    if cb_state != _RECOVERY and quiet >= quiet_steps:
                        cb_state = _RECOVERY
                        stage = 0
                        quiet = 0
                    elif cb_state == _RECOVERY and quiet >= stage_steps:
                        quiet = 0
                        if stage < 2:
                            stage += 1
                        else:
                            cb_state = _NORMAL
            if entered:
                # hold at most the current position, measure losses from here
                held = min(abs(exposure_prev), limit)
                cb_peak = wealth
                quiet = 0
            if cb_state == _NORMAL:
                cap = limit
            elif cb_state == _HALTED:
                cap = held
            elif cb_state == _LIQUIDATED:
                cap = 0.0
            else:
                cap = params_row[14 + stage] * limit
            exposure = min(max(exposure, -cap), cap)
        wealth = wealth * (1.0 + exposure * r - cost * abs(exposure - exposure_prev))
        exposure_prev = exposure
        if record_taken:
            taken[t] = exposure
        ruined = wealth <= RUIN  # also catches a factor <= 0
        if ruined:
            wealth = RUIN
        new_high = wealth > peak
        peak = max(peak, wealth)
        peak_step = t + 1 if new_high else peak_step
        if wealth < bound * peak:
            dd = 1.0 - wealth / peak
            if dd > max_dd:
                max_dd = dd
                bound = (1.0 - dd) * (1.0 + 1e-12)
                dd_peak = peak
                dd_peak_step = peak_step
        if wealth >= dd_peak:
            recovery = float(t + 1 - dd_peak_step)
            dd_peak = np.inf
        if record:
            curve[t + 1] = wealth
        if ruined:
            if record:
                curve[t + 2 :] = RUIN
            break
    if dd_peak < np.inf:
        recovery = float(n_steps - dd_peak_step)
    return wealth, max_dd, recovery


@njit(parallel=True, cache=True, error_model="numpy")
def payoff_tables_nb(simple_returns, kinds, params, multipliers, sigma0, cost, periods_per_year):
    """Mean metrics of every strategy on every scenario.

    Parameters
    ----------
    simple_returns : float64 (n_scenarios, n_paths, n_steps)
        Simple returns, C-contiguous.
    kinds : int64 (n_strategies,)
    params : float64 (n_strategies, N_PARAMS)
    multipliers : float64 (n_strategies,)
        Exposure multipliers (1 = the rule as specified).
    sigma0 : float
        Initial per-step volatility of the EWMA variance, > 0.
    cost : float
        Cost per unit of traded exposure.
    periods_per_year : float
        Steps per year, used to annualise growth and by vol_target.

    Returns
    -------
    float64 (5, n_strategies, n_scenarios)
        0 mean annualised log growth ``mean_p(log W_T) * periods_per_year / n_steps``;
        1 mean total return ``mean_p(W_T - 1)``; 2 mean max drawdown; 3 worst (max over paths)
        max drawdown; 4 mean time to recover from the max drawdown, in steps.
    """
    n_scenarios, n_paths, n_steps = simple_returns.shape
    n_strategies = kinds.shape[0]
    out = np.empty((N_METRICS, n_strategies, n_scenarios))
    no_curve = np.empty(0)
    annualise = periods_per_year / n_steps
    for cell in prange(n_strategies * n_scenarios):
        # Scenario-major, so each thread's block of cells holds the whole strategy mix.
        j = cell // n_strategies
        i = cell % n_strategies
        log_growth = 0.0
        total_return = 0.0
        drawdown = 0.0
        worst = 0.0
        recovery = 0.0
        for p in range(n_paths):
            wealth, max_dd, rec = _simulate_path(
                simple_returns[j, p], kinds[i], params[i], multipliers[i],
                sigma0, cost, periods_per_year, no_curve, no_curve,
            )
            log_growth += np.log(wealth)
            total_return += wealth - 1.0
            drawdown += max_dd
            worst = max(worst, max_dd)
            recovery += rec
        out[0, i, j] = log_growth / n_paths * annualise
        out[1, i, j] = total_return / n_paths
        out[2, i, j] = drawdown / n_paths
        out[3, i, j] = worst
        out[4, i, j] = recovery / n_paths
    return out


@njit(parallel=True, cache=True, error_model="numpy")
def equity_curves_nb(simple_returns, kind, params_row, multiplier, sigma0, cost, periods_per_year):
    """Wealth paths of one strategy, for plots.

    Parameters
    ----------
    simple_returns : float64 (n_paths, n_steps)
    kind : int
    params_row : float64 (N_PARAMS,)
    multiplier, sigma0, cost, periods_per_year : float
        As in :func:`payoff_tables_nb`.

    Returns
    -------
    float64 (n_paths, n_steps + 1)
        ``W_0 = 1 .. W_T`` on every path.
    """
    n_paths, n_steps = simple_returns.shape
    curves = np.empty((n_paths, n_steps + 1))
    no_exposures = np.empty(0)
    for p in prange(n_paths):
        _simulate_path(
            simple_returns[p], kind, params_row, multiplier, sigma0, cost, periods_per_year, curves[p], no_exposures
        )
    return curves


@njit(parallel=True, cache=True, error_model="numpy")
def exposure_paths_nb(simple_returns, kind, params_row, multiplier, sigma0, cost, periods_per_year):
    """Exposures one strategy takes on each path, after its stop-loss and circuit-breaker overlays.

    Parameters
    ----------
    simple_returns : float64 (n_paths, n_steps)
    kind, params_row, multiplier, sigma0, cost, periods_per_year
        As in :func:`equity_curves_nb`.

    Returns
    -------
    float64 (n_paths, n_steps)
        ``e_t`` held over step ``t`` (0 after ruin); comparing a strategy with and without its
        breaker shows where the breaker cut the position.
    """
    n_paths, n_steps = simple_returns.shape
    exposures = np.zeros((n_paths, n_steps))
    no_curve = np.empty(0)
    for p in prange(n_paths):
        _simulate_path(
            simple_returns[p], kind, params_row, multiplier, sigma0, cost, periods_per_year, no_curve, exposures[p]
        )
    return exposures


@njit(parallel=True, cache=True, error_model="numpy")
def worst_drawdown_nb(simple_returns, kind, params_row, multiplier, sigma0, cost, periods_per_year):
    """Max drawdown of one strategy on every path of every scenario (robust-limit search).

    Parameters
    ----------
    simple_returns : float64 (n_scenarios, n_paths, n_steps)
    kind, params_row, multiplier, sigma0, cost, periods_per_year
        As in :func:`equity_curves_nb`.

    Returns
    -------
    float64 (n_scenarios, n_paths)
        Max drawdown per path; its maximum is metric 3 of :func:`payoff_tables_nb`.
    """
    n_scenarios, n_paths, _ = simple_returns.shape
    out = np.empty((n_scenarios, n_paths))
    no_curve = np.empty(0)
    for cell in prange(n_scenarios * n_paths):
        j = cell // n_paths
        p = cell % n_paths
        out[j, p] = _simulate_path(
            simple_returns[j, p], kind, params_row, multiplier, sigma0, cost, periods_per_year, no_curve, no_curve
        )[1]
    return out
