"""Differentiable backtest in torch: the trading model of :mod:`accelerated.payoff`, step by step.

Same definitions as the Numba kernel (its module docstring states them): ``W_0 = 1``,

    W_{t+1} = W_t * (1 + e_t * R_t - cost * |e_t - e_{t-1}|),    e_{-1} = 0,

with the exposure ``e_t`` chosen from ``R_0 .. R_{t-1}`` and the wealth ``W_t``; a factor ``<= 0`` or
wealth ``<= RUIN`` ruins the trader, whose wealth then stays at ``RUIN`` (exposure 0). Log growth is
``log W_T * periods_per_year / n_steps``, the max drawdown ``max_t (1 - W_t / max_{s <= t} W_s)``.

Every operation is a torch operation on tensors of any leading shape, so gradients flow from the
utility back to the returns (the attacker's moves) and to the exposures (the policy). Two engines:

- :func:`wealth_curves` takes the exposures of every step at once (a policy that decides from the
  returns alone) and runs the recursion as a cumulative sum of log factors: a handful of vector
  operations, fast on a GPU;
- :func:`simulate` asks a :data:`Decider` for each exposure in turn, for rules that look at their own
  wealth (the stop-loss overlay). The rule strategies of :mod:`gametheory.strategies` are replayed
  with it (:func:`rule_curves`), which is how the tests pin both engines to the kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from accelerated.payoff import FIXED, MEAN_REVERSION, RUIN, TREND, VOL_TARGET
from gametheory.errors import ConfigError
from gametheory.payoff import UTILITIES
from gametheory.strategies import Strategy, encode

__all__ = ["Decider", "log_growth", "max_drawdown", "rule_curves", "simulate", "utility", "wealth_curves"]

_LOG_RUIN = math.log(RUIN)

Decider = Callable[[int, torch.Tensor, torch.Tensor], torch.Tensor]
"""``decide(t, wealth, peak) -> exposure``: tensors of the batch shape; ``peak`` is ``max_{s <= t} W_s``.

It is called once per step, in order, and may keep state; it must use ``R_0 .. R_{t-1}`` only."""


def wealth_curves(simple_returns: torch.Tensor, exposures: torch.Tensor, *, cost: float) -> torch.Tensor:
    """Wealth under exposures fixed in advance, vectorised over the steps.

    ``log W_t`` is the cumulative sum of ``log(1 + e_s R_s - cost |e_s - e_{s-1}|)``; from the first
    step whose factor is ``<= 0`` or whose wealth is ``<= RUIN`` on, wealth is ``RUIN``.

    Parameters
    ----------
    simple_returns, exposures : Tensor of shape (..., n_steps)
        Broadcastable to each other.
    cost : float
        Cost per unit of traded exposure.

    Returns
    -------
    Tensor of shape (..., n_steps + 1)
        Wealth ``W_0 = 1 .. W_T``.
    """
    traded = torch.diff(exposures, dim=-1, prepend=torch.zeros_like(exposures[..., :1])).abs()
    factor = 1.0 + exposures * simple_returns - cost * traded
    alive = factor > 0.0
    log_wealth = torch.cumsum(torch.log(torch.where(alive, factor, 1.0)), dim=-1)
    ruined = torch.cumsum((~alive | (log_wealth <= _LOG_RUIN)).to(torch.int32), dim=-1) > 0
    curves = torch.exp(torch.nn.functional.pad(log_wealth, (1, 0)))
    return torch.where(torch.nn.functional.pad(ruined, (1, 0)), RUIN, curves)


def simulate(simple_returns: torch.Tensor, decide: Decider, *, cost: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Run the wealth recursion with exposures chosen step by step.

    Parameters
    ----------
    simple_returns : Tensor of shape (..., n_steps)
    decide : Decider
        Chooses the exposure at each step; see :data:`Decider`.
    cost : float
        Cost per unit of traded exposure.

    Returns
    -------
    curves : Tensor of shape (..., n_steps + 1)
        Wealth ``W_0 = 1 .. W_T``.
    exposures : Tensor of shape (..., n_steps)
        The exposures taken (0 once ruined).
    """
    n_steps = simple_returns.shape[-1]
    wealth = torch.ones(simple_returns.shape[:-1], dtype=simple_returns.dtype, device=simple_returns.device)
    peak = wealth
    previous = torch.zeros_like(wealth)
    ruined = torch.zeros_like(wealth, dtype=torch.bool)
    curve, exposures = [wealth], []
    for t in range(n_steps):
        exposure = torch.where(ruined, 0.0, decide(t, wealth, peak))
        grown = wealth * (1.0 + exposure * simple_returns[..., t] - cost * (exposure - previous).abs())
        ruined = ruined | (grown <= RUIN)  # also catches a factor <= 0
        wealth = torch.where(ruined, RUIN, grown)
        peak = torch.maximum(peak, wealth)
        previous = exposure
        curve.append(wealth)
        exposures.append(exposure)
    return torch.stack(curve, dim=-1), torch.stack(exposures, dim=-1)


def log_growth(curves: torch.Tensor, periods_per_year: float) -> torch.Tensor:
    """Annualised log growth ``log W_T * periods_per_year / n_steps`` of each path, shape (...,)."""
    n_steps = curves.shape[-1] - 1
    return torch.log(curves[..., -1]) * (periods_per_year / n_steps)


def max_drawdown(curves: torch.Tensor) -> torch.Tensor:
    """Max drawdown ``max_t (1 - W_t / max_{s <= t} W_s)`` of each path, shape (...,)."""
    peaks = torch.cummax(curves, dim=-1).values
    return (1.0 - curves / peaks).amax(dim=-1)


def utility(curves: torch.Tensor, *, periods_per_year: float, name: str = "log_growth",
            drawdown_penalty: float = 1.0) -> torch.Tensor:
    """The game's utility: the mean over the last batch axis of the per-path metrics.

    ``log_growth``: mean annualised log growth; ``drawdown_penalised``: that minus
    ``drawdown_penalty`` times the mean max drawdown, exactly as :func:`gametheory.payoff.build_payoff`.

    Parameters
    ----------
    curves : Tensor of shape (..., n_paths, n_steps + 1)

    Returns
    -------
    Tensor of shape (...)
    """
    value = log_growth(curves, periods_per_year).mean(dim=-1)
    if name == "drawdown_penalised":
        value = value - drawdown_penalty * max_drawdown(curves).mean(dim=-1)
    elif name not in UTILITIES:
        raise ConfigError(f"utility must be one of {UTILITIES}, got {name!r}")
    return value


class _Rule:
    """A rule strategy of :mod:`accelerated.payoff` as a :data:`Decider` (state kept between calls)."""

    def __init__(self, strategy: Strategy, simple_returns: torch.Tensor, sigma0: float, multiplier: float,
                 periods_per_year: float):
        if strategy.breaker:
            raise ConfigError(f"{strategy.name!r}: the torch backtest does not model the circuit-breaker overlay; "
                              "evaluate it with gametheory.payoff.equity_curves")
        kinds, params = encode([strategy])
        self.kind = int(kinds[0])
        p0, p1, p2, self.stop, cooldown = (float(v) for v in params[0, :5])
        self.cooldown = int(cooldown)
        self.returns = simple_returns
        self.multiplier = multiplier
        self.alpha, self.level, self.scale, self.p2 = 0.0, p0, 1.0, p2
        if self.kind == TREND:
            self.alpha, self.level = 2.0 / (p0 + 1.0), p1
        elif self.kind == MEAN_REVERSION:
            self.alpha, self.scale, self.level = 2.0 / (p0 + 1.0), 1.0 / (np.sqrt(p0) * p1), p2
        elif self.kind == VOL_TARGET:
            self.alpha, self.level = 2.0 / (p1 + 1.0), p0 / np.sqrt(periods_per_year)
        batch = simple_returns[..., 0]
        self.ewma = torch.zeros_like(batch)
        self.price = torch.ones_like(batch)
        self.price_ewma = torch.ones_like(batch)
        self.var = torch.full_like(batch, sigma0 * sigma0)
        self.stop_peak = torch.ones_like(batch)
        self.flat_left = torch.zeros_like(batch, dtype=torch.long)

    def __call__(self, t: int, wealth: torch.Tensor, peak: torch.Tensor) -> torch.Tensor:
        r = self.returns[..., t]
        keep, alpha = 1.0 - self.alpha, self.alpha
        if self.kind == FIXED:
            raw = torch.full_like(r, self.level)
        elif self.kind == TREND:
            up = (self.ewma > 0.0).to(r.dtype)
            raw = self.level * up - self.p2 * (1.0 - up)  # p2: the short level (0 for long/flat)
            self.ewma = keep * self.ewma + alpha * r
        elif self.kind == MEAN_REVERSION:
            dip = (self.price_ewma - self.price) * self.scale / (self.price_ewma * torch.sqrt(self.var))
            raw = self.level * dip.clamp(0.0, 1.0)
            self.price = self.price * (1.0 + r)
            self.price_ewma = keep * self.price_ewma + alpha * self.price
            self.var = keep * self.var + alpha * r * r
        else:
            raw = torch.clamp(self.level / torch.sqrt(self.var), max=self.p2)
            self.var = keep * self.var + alpha * r * r
        exposure = self.multiplier * raw
        if self.stop > 0.0:
            active = self.flat_left == 0
            self.stop_peak = torch.where(active, torch.maximum(self.stop_peak, wealth), self.stop_peak)
            fire = active & (wealth <= (1.0 - self.stop) * self.stop_peak)
            self.flat_left = torch.where(fire, self.cooldown, self.flat_left)
            self.stop_peak = torch.where(fire, wealth, self.stop_peak)
            flat = self.flat_left > 0
            self.flat_left = torch.where(flat, self.flat_left - 1, self.flat_left)
            self.stop_peak = torch.where(flat, 0.0, self.stop_peak)  # re-entry restarts the peak
            exposure = torch.where(flat, 0.0, exposure)
        return exposure


def rule_curves(strategy: Strategy, simple_returns: torch.Tensor, *, sigma0: float, cost: float = 0.0005,
                multiplier: float = 1.0, periods_per_year: float = 252) -> torch.Tensor:
    """Wealth of a rule strategy on each path, differentiable in the returns.

    The torch twin of :func:`gametheory.payoff.equity_curves` (same arguments and model).

    Parameters
    ----------
    strategy : Strategy
    simple_returns : Tensor of shape (..., n_steps)
    sigma0, cost, multiplier, periods_per_year
        As in :func:`gametheory.payoff.build_payoff`.

    Returns
    -------
    Tensor of shape (..., n_steps + 1)
    """
    rule = _Rule(strategy, simple_returns, float(sigma0), float(multiplier), float(periods_per_year))
    return simulate(simple_returns, rule, cost=float(cost))[0]
