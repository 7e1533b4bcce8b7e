"""Plain-NumPy reference for :mod:`accelerated.payoff` (trading rules, stop-loss and circuit breaker).

Vectorised over paths, looping over strategies, scenarios and steps. It follows the model stated
in :mod:`accelerated.payoff` literally and shares no code with the kernels: the tests use it as the
oracle and the payoff benchmark as the baseline.
"""

from __future__ import annotations

import numpy as np

__all__ = ["payoff_tables_reference"]

_RUIN = 1e-12


def _raw_exposure(kind, p, state, periods_per_year):
    """Raw exposure (multiplier 1, no stop-loss) from the state built on past returns."""
    if kind == 0:
        return np.full_like(state["price"], p[0])
    if kind == 1:
        return np.where(state["ewma"] > 0.0, p[1], -p[2])
    if kind == 2:
        z = (state["price"] / state["price_ewma"] - 1.0) / (np.sqrt(state["var"]) * np.sqrt(p[0]))
        return p[2] * np.clip(-z / p[1], 0.0, 1.0)
    return np.minimum(p[2], p[0] / np.sqrt(periods_per_year) / np.sqrt(state["var"]))


def _update_state(kind, p, state, r):
    """Fold the returns ``r`` (n_paths,) of one step into the strategy state."""
    span = p[1] if kind == 3 else p[0]
    a = 2.0 / (span + 1.0)
    state["ewma"] = (1.0 - a) * state["ewma"] + a * r
    state["price"] = state["price"] * (1.0 + r)
    state["price_ewma"] = (1.0 - a) * state["price_ewma"] + a * state["price"]
    state["var"] = (1.0 - a) * state["var"] + a * r * r


def _wealth_paths(returns, kind, p, multiplier, sigma0, cost, periods_per_year):
    """Wealth (n_paths, n_steps + 1) of one strategy on returns (n_paths, n_steps)."""
    n_paths, n_steps = returns.shape
    stop, cooldown = p[3], int(p[4])
    state = {
        "ewma": np.zeros(n_paths),
        "price": np.ones(n_paths),
        "price_ewma": np.ones(n_paths),
        "var": np.full(n_paths, sigma0**2),
    }
    wealth = np.ones((n_paths, n_steps + 1))
    previous = np.zeros(n_paths)
    ruined = np.zeros(n_paths, dtype=bool)
    stop_peak = np.ones(n_paths)
    flat_until = np.full(n_paths, -1)  # flat while t < flat_until
    breaker = _Breaker(p, multiplier, sigma0, n_paths) if p[10] > 0.0 else None
    reentry_pending = np.zeros(n_paths, dtype=bool)
    for t in range(n_steps):
        w = wealth[:, t]
        in_market = t >= flat_until
        # Re-entering after a cooldown restarts the peak at the current wealth.
        stop_peak = np.where(in_market & reentry_pending, w, stop_peak)
        reentry_pending &= ~in_market
        stop_peak = np.where(in_market, np.maximum(stop_peak, w), stop_peak)
        if stop > 0.0:
            hit = in_market & (w <= (1.0 - stop) * stop_peak)
            flat_until = np.where(hit, t + cooldown, flat_until)
            stop_peak = np.where(hit, w, stop_peak)
            reentry_pending |= hit & (cooldown > 0)
            in_market = t >= flat_until
        exposure = np.where(in_market, multiplier * _raw_exposure(kind, p, state, periods_per_year), 0.0)
        if breaker is not None:
            exposure = breaker.cap(t, w, returns, previous, exposure)
        exposure = np.where(ruined, 0.0, exposure)
        factor = 1.0 + exposure * returns[:, t] - cost * np.abs(exposure - previous)
        new = w * factor
        ruined = ruined | (factor <= 0.0) | (new <= _RUIN)
        wealth[:, t + 1] = np.where(ruined, _RUIN, new)
        previous = exposure
        _update_state(kind, p, state, returns[:, t])
    return wealth


class _Breaker:
    """The circuit-breaker overlay on all paths at once, step by step as stated in
    :mod:`accelerated.payoff` (states 0 normal, 1 halted, 2 liquidated, 3 recovery)."""

    def __init__(self, p, multiplier, sigma0, n_paths):
        self.drop, self.window, self.drop_z, self.vol_span = p[6], int(p[7]), p[8], p[9]
        self.halt_loss, self.liquidate_loss = p[10], p[11]
        self.quiet_steps, self.stage_steps = int(p[12]), int(p[13])
        self.stages = np.array(p[14:17])
        self.limit = multiplier * p[17]
        self.sigma0 = sigma0
        self.state = np.zeros(n_paths, dtype=np.int64)
        self.peak = np.ones(n_paths)
        self.held = np.full(n_paths, self.limit)
        self.quiet = np.zeros(n_paths, dtype=np.int64)
        self.stage = np.zeros(n_paths, dtype=np.int64)

    def cap(self, t, wealth, returns, previous, exposure):
        """Step the breaker on wealth ``W_t`` (n_paths,) and return the capped exposure."""
        alarm = np.zeros(len(wealth), dtype=bool)
        if (self.drop > 0.0 or self.drop_z > 0.0) and self.window > 0 and t >= self.window:
            growth = np.prod(1.0 + returns[:, t - self.window : t], axis=1)
            fall = np.maximum(self.drop, self.drop_z * self._volatility_before(returns[:, : t - self.window])
                              * np.sqrt(self.window))
            alarm = growth <= 1.0 - fall
        self.peak = np.maximum(self.peak, wealth)
        dd = 1.0 - wealth / self.peak
        state = self.state
        active = (state == 0) | (state == 3)
        liquidate = (dd >= self.liquidate_loss) & (state != 2)
        halt = ~liquidate & active & (alarm | (dd >= self.halt_loss))
        rest = ~liquidate & ~halt & (state != 0)
        quiet = np.where(rest, np.where(~alarm & (dd < self.halt_loss), self.quiet + 1, 0), self.quiet)
        start = rest & (state != 3) & (quiet >= self.quiet_steps)
        advance = rest & (state == 3) & (quiet >= self.stage_steps)
        resume = advance & (self.stage >= len(self.stages) - 1)
        self.stage = np.where(start, 0, np.where(advance & ~resume, self.stage + 1, self.stage))
        quiet = np.where(start | advance, 0, quiet)
        self.state = np.select([liquidate, halt, start, resume], [2, 1, 3, 0], state)
        entered = liquidate | halt
        self.held = np.where(entered, np.minimum(np.abs(previous), self.limit), self.held)
        self.peak = np.where(entered, wealth, self.peak)
        self.quiet = np.where(entered, 0, quiet)
        cap = np.select(
            [self.state == 0, self.state == 1, self.state == 2],
            [self.limit, self.held, 0.0],
            self.stages[self.stage] * self.limit,
        )
        return np.clip(exposure, -cap, cap)

    def _volatility_before(self, returns):
        """EWMA volatility (span ``vol_span``, from ``sigma0``) of ``returns`` (n_paths, k), recomputed."""
        variance = np.full(len(returns), self.sigma0**2)
        if self.drop_z > 0.0:
            a = 2.0 / (self.vol_span + 1.0)
            for column in returns.T:
                variance = (1.0 - a) * variance + a * column * column
        return np.sqrt(variance)


def _drawdown_and_recovery(wealth):
    """Max drawdown and recovery steps (n_paths,) of wealth paths (n_paths, n_steps + 1)."""
    n_points = wealth.shape[1]
    running_peak = np.maximum.accumulate(wealth, axis=1)
    drawdowns = 1.0 - wealth / running_peak
    trough = np.argmax(drawdowns, axis=1)  # the first deepest trough
    max_dd = drawdowns[np.arange(len(wealth)), trough]
    level = running_peak[np.arange(len(wealth)), trough][:, None]
    peak_step = np.argmax(wealth >= level, axis=1)  # first time the peak level was reached
    regained = (np.arange(n_points) > trough[:, None]) & (wealth >= level)
    end = np.where(regained.any(axis=1), np.argmax(regained, axis=1), n_points - 1)
    recovery = np.where(max_dd > 0.0, end - peak_step, 0)
    return max_dd, recovery.astype(np.float64)


def payoff_tables_reference(simple_returns, kinds, params, multipliers, sigma0, cost, periods_per_year):
    """Same contract as :func:`accelerated.payoff.payoff_tables_nb`, in plain NumPy.

    Returns
    -------
    float64 (5, n_strategies, n_scenarios)
        Mean annualised log growth, mean total return, mean max drawdown, worst max drawdown
        and mean recovery steps.
    """
    simple_returns = np.asarray(simple_returns, dtype=np.float64)
    n_scenarios, _, n_steps = simple_returns.shape
    n_strategies = len(kinds)
    out = np.empty((5, n_strategies, n_scenarios))
    for i in range(n_strategies):
        for j in range(n_scenarios):
            wealth = _wealth_paths(
                simple_returns[j], int(kinds[i]), np.asarray(params[i], dtype=np.float64),
                float(multipliers[i]), sigma0, cost, periods_per_year,
            )
            final = wealth[:, -1]
            max_dd, recovery = _drawdown_and_recovery(wealth)
            out[0, i, j] = np.log(final).mean() * periods_per_year / n_steps
            out[1, i, j] = (final - 1.0).mean()
            out[2, i, j] = max_dd.mean()
            out[3, i, j] = max_dd.max()
            out[4, i, j] = recovery.mean()
    return out
