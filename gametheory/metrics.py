"""Performance of a wealth curve: returns, risk-adjusted ratios, drawdown and recovery."""

from __future__ import annotations

import numpy as np

from gametheory.errors import InvalidGameError

__all__ = ["performance_summary", "max_drawdown", "recovery_steps"]


def max_drawdown(wealth: np.ndarray) -> float:
    """``max_t 1 - W_t / max_{s<=t} W_s`` of a 1-D wealth curve."""
    wealth = np.asarray(wealth, dtype=np.float64)
    return float(np.max(1.0 - wealth / np.maximum.accumulate(wealth)))


def recovery_steps(wealth: np.ndarray) -> tuple[int, bool]:
    """Steps from the peak before the deepest trough until that peak is regained.

    Returns ``(steps, recovered)``; when the peak is never regained, ``steps`` counts
    to the end of the curve and ``recovered`` is False (a censored observation).
    """
    wealth = np.asarray(wealth, dtype=np.float64)
    peaks = np.maximum.accumulate(wealth)
    trough = int(np.argmax(1.0 - wealth / peaks))
    peak_level = peaks[trough]
    peak_at = int(np.flatnonzero(wealth[: trough + 1] == peak_level)[-1])
    after = np.flatnonzero(wealth[trough:] >= peak_level)
    if after.size:
        return trough + int(after[0]) - peak_at, True
    return len(wealth) - 1 - peak_at, False


def performance_summary(wealth, periods_per_year: int = 252) -> dict[str, float]:
    """Return, volatility, Sharpe, Sortino, max drawdown and recovery of a wealth curve.

    Parameters
    ----------
    wealth : array-like of shape (n_steps + 1,)
        Positive wealth, starting value first.
    periods_per_year : int
        Steps per year, to annualise (252 for daily data).

    Returns
    -------
    dict
        ``total_return``, ``annual_return`` (geometric), ``annual_volatility``,
        ``sharpe`` and ``sortino`` (zero risk-free rate, annualised; NaN-free: 0 when the
        denominator is 0), ``max_drawdown``, ``recovery_steps``, ``recovered``.
    """
    wealth = np.asarray(wealth, dtype=np.float64)
    if wealth.ndim != 1 or wealth.size < 2 or not np.isfinite(wealth).all() or (wealth <= 0).any():
        raise InvalidGameError("wealth must be a 1-D curve of at least 2 positive finite values")
    returns = wealth[1:] / wealth[:-1] - 1.0
    years = returns.size / periods_per_year
    mean, std = returns.mean(), returns.std(ddof=1) if returns.size > 1 else 0.0
    downside = np.sqrt(np.mean(np.minimum(returns, 0.0) ** 2))
    root = np.sqrt(periods_per_year)
    steps, recovered = recovery_steps(wealth)
    return {
        "total_return": float(wealth[-1] / wealth[0] - 1.0),
        "annual_return": float((wealth[-1] / wealth[0]) ** (1.0 / years) - 1.0),
        "annual_volatility": float(std * root),
        "sharpe": float(mean / std * root) if std > 0 else 0.0,
        "sortino": float(mean / downside * root) if downside > 0 else 0.0,
        "max_drawdown": max_drawdown(wealth),
        "recovery_steps": int(steps),
        "recovered": bool(recovered),
    }
