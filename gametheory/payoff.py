"""Payoff construction: strategies x scenarios -> labelled tables of utility and risk metrics.

The trading model (wealth recursion, costs, ruin, the rules and the stop-loss overlay) is stated
in :mod:`accelerated.payoff`; this module validates inputs once, runs
:func:`accelerated.payoff.payoff_tables_nb` and labels what it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from accelerated.payoff import equity_curves_nb, payoff_tables_nb, worst_drawdown_nb
from gametheory.errors import ConfigError, InvalidGameError
from gametheory.game import ZeroSumGame
from gametheory.strategies import Strategy, _real, encode

__all__ = ["UTILITIES", "PayoffTables", "build_payoff", "equity_curves", "path_drawdowns"]

#: Utility names accepted by :func:`build_payoff`.
UTILITIES = ("log_growth", "drawdown_penalised")


@dataclass(frozen=True, eq=False)
class PayoffTables:
    """Utility and metrics of every strategy on every scenario.

    Every table is a DataFrame of shape (n_strategies, n_scenarios), indexed by strategy name
    (``strategy``) with the scenario ids as columns (``scenario``); entries are means over paths
    unless stated otherwise.

    Attributes
    ----------
    utility : pd.DataFrame
        The trader's payoff: ``log_growth`` or, for ``drawdown_penalised``,
        ``log_growth - drawdown_penalty * mean_drawdown``.
    log_growth : pd.DataFrame
        Annualised log growth ``mean(log W_T) * periods_per_year / n_steps``.
    total_return : pd.DataFrame
        ``mean(W_T - 1)``.
    mean_drawdown, worst_drawdown : pd.DataFrame
        Mean and maximum over paths of the max drawdown (fractions in ``[0, 1]``).
    recovery_time : pd.DataFrame
        Mean steps to recover from the max drawdown (censored at the path end).
    utility_name : str
    strategies : tuple of Strategy
        The rows, in order.
    settings : dict
        ``sigma0``, ``cost``, ``periods_per_year``, ``drawdown_penalty``, ``multipliers``,
        ``n_paths`` and ``n_steps``.
    """

    utility: pd.DataFrame
    log_growth: pd.DataFrame
    total_return: pd.DataFrame
    mean_drawdown: pd.DataFrame
    worst_drawdown: pd.DataFrame
    recovery_time: pd.DataFrame
    utility_name: str
    strategies: tuple[Strategy, ...]
    settings: dict

    def game(self) -> ZeroSumGame:
        """The zero-sum game whose payoff is :attr:`utility`, labelled by strategy and scenario."""
        return ZeroSumGame(self.utility)


def build_payoff(
    strategies: Sequence[Strategy],
    scenario_ids: Sequence,
    simple_returns,
    *,
    sigma0: float,
    utility: str = "log_growth",
    drawdown_penalty: float = 1.0,
    cost: float = 0.0005,
    periods_per_year: float = 252,
    multipliers=None,
) -> PayoffTables:
    """Evaluate every strategy on every scenario's paths.

    Parameters
    ----------
    strategies : sequence of Strategy
        The trader's rows; names must be unique.
    scenario_ids : sequence of hashable
        One unique id per scenario (the columns).
    simple_returns : array-like of shape (n_scenarios, n_paths, n_steps)
        Simple returns (``np.expm1`` of log returns), finite and ``>= -1``.
    sigma0 : float
        Initial per-step volatility of the EWMA variance (mean reversion, vol target), > 0.
    utility : {"log_growth", "drawdown_penalised"}
    drawdown_penalty : float
        Weight of the mean max drawdown in ``drawdown_penalised``, >= 0.
    cost : float
        Cost per unit of traded exposure, in ``[0, 1)``.
    periods_per_year : float
        Steps per year, > 0.
    multipliers : array-like of shape (n_strategies,), optional
        Exposure multipliers, >= 0; default 1 for every strategy.

    Returns
    -------
    PayoffTables

    Raises
    ------
    ConfigError
        For bad strategies, ids, settings or multipliers.
    InvalidGameError
        For returns of the wrong shape, non-finite or below -1 (the message names the scenario,
        path and step).
    """
    strategies = tuple(strategies)
    kinds, params = encode(strategies)
    names = [strategy.name for strategy in strategies]
    if len(set(names)) != len(names):
        duplicates = sorted({name for name in names if names.count(name) > 1})
        raise ConfigError(f"strategy names must be unique; repeated: {duplicates}")
    if utility not in UTILITIES:
        raise ConfigError(f"utility must be one of {UTILITIES}, got {utility!r}")
    sigma0 = _positive(sigma0, "sigma0")
    periods_per_year = _positive(periods_per_year, "periods_per_year")
    drawdown_penalty = _real(drawdown_penalty, "drawdown_penalty")
    if drawdown_penalty < 0:
        raise ConfigError(f"drawdown_penalty must be >= 0, got {drawdown_penalty}")
    cost = _real(cost, "cost")
    if not 0.0 <= cost < 1.0:
        raise ConfigError(f"cost must be in [0, 1), got {cost}")
    scenario_ids = list(scenario_ids)
    returns = _returns(simple_returns, scenario_ids)
    if len(set(scenario_ids)) != len(scenario_ids):
        raise ConfigError("scenario ids must be unique")
    multipliers = _multipliers(multipliers, names)

    tables = payoff_tables_nb(returns, kinds, params, multipliers, sigma0, cost, periods_per_year)
    frames = [pd.DataFrame(table, index=pd.Index(names, name="strategy"),
                           columns=pd.Index(scenario_ids, name="scenario")) for table in tables]
    log_growth, total_return, mean_drawdown, worst_drawdown, recovery_time = frames
    payoff = log_growth if utility == "log_growth" else log_growth - drawdown_penalty * mean_drawdown
    settings = {
        "sigma0": sigma0,
        "cost": cost,
        "periods_per_year": periods_per_year,
        "drawdown_penalty": drawdown_penalty,
        "multipliers": tuple(float(m) for m in multipliers),
        "n_paths": returns.shape[1],
        "n_steps": returns.shape[2],
    }
    return PayoffTables(payoff, log_growth, total_return, mean_drawdown, worst_drawdown,
                        recovery_time, utility, strategies, settings)


def _single(strategy: Strategy, multiplier, sigma0, cost, periods_per_year):
    """Validated kernel arguments for one strategy: (kind, params row, multiplier, sigma0, cost, ppy)."""
    kinds, params = encode([strategy])
    multiplier = float(_multipliers([multiplier], [strategy.name])[0])
    cost = _real(cost, "cost")
    if not 0.0 <= cost < 1.0:
        raise ConfigError(f"cost must be in [0, 1), got {cost}")
    return (int(kinds[0]), params[0], multiplier, _positive(sigma0, "sigma0"), cost,
            _positive(periods_per_year, "periods_per_year"))


def equity_curves(strategy: Strategy, simple_returns, *, sigma0: float, cost: float = 0.0005,
                  multiplier: float = 1.0, periods_per_year: float = 252) -> np.ndarray:
    """Wealth of ``strategy`` on each path, starting at 1.

    Parameters
    ----------
    strategy : Strategy
    simple_returns : array-like of shape (n_paths, n_steps)
    sigma0, cost, multiplier, periods_per_year
        As in :func:`build_payoff`.

    Returns
    -------
    ndarray of shape (n_paths, n_steps + 1)
    """
    returns = np.asarray(simple_returns, dtype=np.float64)
    if returns.ndim != 2:
        raise InvalidGameError(f"simple_returns must be 2-D (n_paths, n_steps), got shape {returns.shape}")
    returns = _returns(returns[None], ["paths"])[0]
    return equity_curves_nb(returns, *_single(strategy, multiplier, sigma0, cost, periods_per_year))


def path_drawdowns(strategy: Strategy, simple_returns, *, sigma0: float, cost: float = 0.0005,
                   multiplier: float = 1.0, periods_per_year: float = 252) -> np.ndarray:
    """Max drawdown of ``strategy`` on every scenario and path.

    Parameters
    ----------
    strategy : Strategy
    simple_returns : array-like of shape (n_scenarios, n_paths, n_steps)
    sigma0, cost, multiplier, periods_per_year
        As in :func:`build_payoff`.

    Returns
    -------
    ndarray of shape (n_scenarios, n_paths)
    """
    returns = np.asarray(simple_returns, dtype=np.float64)
    returns = _returns(returns, list(range(returns.shape[0])) if returns.ndim == 3 else [])
    return worst_drawdown_nb(returns, *_single(strategy, multiplier, sigma0, cost, periods_per_year))


def _positive(value, what: str) -> float:
    value = _real(value, what)
    if value <= 0:
        raise ConfigError(f"{what} must be > 0, got {value}")
    return value


def _returns(simple_returns, scenario_ids: list) -> np.ndarray:
    """Validated C-contiguous float64 returns (n_scenarios, n_paths, n_steps)."""
    try:
        returns = np.ascontiguousarray(simple_returns, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidGameError(f"simple_returns is not a numeric array: {err}") from err
    if returns.ndim != 3:
        raise InvalidGameError(
            f"simple_returns must be 3-D (n_scenarios, n_paths, n_steps), got shape {returns.shape}"
        )
    if 0 in returns.shape:
        raise InvalidGameError(f"simple_returns is empty: shape {returns.shape}")
    if returns.shape[0] != len(scenario_ids):
        raise ConfigError(f"got {len(scenario_ids)} scenario ids for {returns.shape[0]} scenarios in simple_returns")
    bad = ~(np.isfinite(returns) & (returns >= -1.0))
    if bad.any():
        j, p, t = np.argwhere(bad)[0]
        raise InvalidGameError(
            f"simple_returns has {int(bad.sum())} entries that are not finite or are below -1 (a loss "
            f"beyond 100%); first at scenario {scenario_ids[j]!r} (index {j}), path {p}, step {t}: "
            f"{returns[j, p, t]}"
        )
    return returns


def _multipliers(multipliers, names: list[str]) -> np.ndarray:
    if multipliers is None:
        return np.ones(len(names))
    try:
        values = np.ascontiguousarray(multipliers, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"multipliers must be real numbers: {err}") from err
    if values.shape != (len(names),):
        raise ConfigError(f"multipliers must have shape ({len(names)},), one per strategy; got {values.shape}")
    bad = ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ConfigError(f"multipliers must be finite and >= 0; strategy {names[i]!r} has {values[i]}")
    return values
