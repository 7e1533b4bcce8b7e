"""Robustness tests of a strategy: survival, performance under attack, A/B, certified radius, red team.

Every function takes one :class:`Strategy` (a mixed strategy is tested row by row, or through
its worst row) and evaluates it with :func:`gametheory.payoff.equity_curves`, the same
wealth model as the game.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gametheory.adversarial import AdversarialResult, adversarial_search, objective_values
from gametheory.errors import ConfigError
from gametheory.metrics import performance_summary
from gametheory.payoff import equity_curves
from gametheory.strategies import Strategy, _real
from scenarios.attacks import AttackSpec, Perturbation
from scenarios.history import available_windows, crash_window

__all__ = [
    "ABTest",
    "AttackPerformance",
    "CertifiedRadius",
    "RedTeamReport",
    "SurvivalReport",
    "ab_test",
    "certified_radius",
    "performance_under_attack",
    "red_team",
    "survival_rate",
]


def _curves(strategy, log_returns, settings) -> np.ndarray:
    return equity_curves(strategy, np.expm1(np.atleast_2d(np.asarray(log_returns, dtype=np.float64))), **settings)


@dataclass(frozen=True)
class AttackPerformance:
    """Performance of a strategy on a set of (attacked) paths; means over paths unless stated.

    Attributes
    ----------
    total_return, sharpe, sortino : float
        Per path (annualised ratios, zero rate), then averaged.
    profit_factor : float
        Sum of the winning steps' wealth gains over the sum of the losing steps' losses, pooled
        over paths (inf when nothing is lost).
    max_drawdown, worst_drawdown : float
        Mean and maximum over paths of the max drawdown.
    cvar : float
        Expected loss ``-total_return`` over the worst ``alpha`` share of paths (>= 1 path).
    recovery_steps : float
        Mean steps to recover from the max drawdown, censored at the path end.
    recovered_share : float
        Share of paths that recovered.
    alpha : float
    n_paths : int
    """

    total_return: float
    sharpe: float
    sortino: float
    profit_factor: float
    max_drawdown: float
    worst_drawdown: float
    cvar: float
    recovery_steps: float
    recovered_share: float
    alpha: float
    n_paths: int


def performance_under_attack(strategy: Strategy, log_returns, *, sigma0: float, cost: float = 0.0005,
                             multiplier: float = 1.0, periods_per_year: float = 252,
                             alpha: float = 0.05) -> AttackPerformance:
    """Return, Sharpe, Sortino, profit factor, drawdown, CVaR and recovery on attacked paths.

    Parameters
    ----------
    strategy : Strategy
    log_returns : array-like of shape (n_paths, n_steps)
        Attacked log returns (e.g. one scenario's slice of :func:`scenarios.apply_scenarios`).
    sigma0, cost, multiplier, periods_per_year
        As in :func:`gametheory.payoff.build_payoff`.
    alpha : float
        Tail share of the CVaR, in ``(0, 1]``.
    """
    alpha = _real(alpha, "alpha")
    if not 0.0 < alpha <= 1.0:
        raise ConfigError(f"alpha must be in (0, 1], got {alpha}")
    curves = _curves(strategy, log_returns, dict(sigma0=sigma0, cost=cost, multiplier=multiplier,
                                                 periods_per_year=periods_per_year))
    rows = [performance_summary(curve, periods_per_year) for curve in curves]
    frame = pd.DataFrame(rows)
    gains = np.diff(curves, axis=1)
    lost = -gains[gains < 0].sum()
    totals = np.sort(frame["total_return"].to_numpy())
    tail = totals[: max(1, math.floor(alpha * totals.size))]
    return AttackPerformance(
        total_return=float(frame["total_return"].mean()),
        sharpe=float(frame["sharpe"].mean()),
        sortino=float(frame["sortino"].mean()),
        profit_factor=float(gains[gains > 0].sum() / lost) if lost > 0 else math.inf,
        max_drawdown=float(frame["max_drawdown"].mean()),
        worst_drawdown=float(frame["max_drawdown"].max()),
        cvar=float(-tail.mean()),
        recovery_steps=float(frame["recovery_steps"].mean()),
        recovered_share=float(frame["recovered"].mean()),
        alpha=alpha,
        n_paths=len(rows),
    )


@dataclass(frozen=True, eq=False)
class SurvivalReport:
    """Survival of a strategy on real crash windows.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per window (index ``window``): ``total_return``, ``max_drawdown``, ``survived``.
    rate : float
        Share of windows survived.
    max_drawdown : float
        The drawdown limit that defines survival.
    """

    table: pd.DataFrame
    rate: float
    max_drawdown: float


def survival_rate(strategy: Strategy, windows, *, max_drawdown: float = 0.2, sigma0: float, cost: float = 0.0005,
                  multiplier: float = 1.0, periods_per_year: float = 252) -> SurvivalReport:
    """Share of crash windows the strategy survives: its drawdown stays within ``max_drawdown``.

    Parameters
    ----------
    windows : pandas.Series or mapping of str to array-like
        Dated daily log returns (every crash window of :data:`scenarios.CRASH_WINDOWS` inside
        them is used), or windows given directly as ``{name: log returns}``.
    max_drawdown : float
        In ``(0, 1)``.
    """
    max_drawdown = _real(max_drawdown, "max_drawdown")
    if not 0.0 < max_drawdown < 1.0:
        raise ConfigError(f"max_drawdown must be in (0, 1), got {max_drawdown}")
    if isinstance(windows, pd.Series):
        windows = {name: crash_window(windows, name) for name in available_windows(windows)}
    if not isinstance(windows, Mapping) or not windows:
        raise ConfigError("windows must be a dated Series holding crash windows or a non-empty mapping name -> returns")
    settings = dict(sigma0=sigma0, cost=cost, multiplier=multiplier, periods_per_year=periods_per_year)
    rows = {}
    for name, returns in windows.items():
        curve = _curves(strategy, np.asarray(returns, dtype=np.float64)[None, :], settings)[0]
        drawdown = float(np.max(1.0 - curve / np.maximum.accumulate(curve)))
        rows[name] = {"total_return": float(curve[-1] - 1.0), "max_drawdown": drawdown,
                      "survived": drawdown <= max_drawdown}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("window")
    return SurvivalReport(table, float(table["survived"].mean()), max_drawdown)


_METRICS = ("total_return", "log_wealth", "max_drawdown")


@dataclass(frozen=True)
class ABTest:
    """Paired comparison of two strategies on the same paths.

    Attributes
    ----------
    metric : str
    difference : float
        Mean over paths of ``metric(a) - metric(b)``.
    ci_low, ci_high : float
        Percentile bootstrap confidence interval of the difference (paths resampled in pairs).
    level : float
    share_positive : float
        Share of bootstrap means above 0.
    n_boot, seed : int
    """

    metric: str
    difference: float
    ci_low: float
    ci_high: float
    level: float
    share_positive: float
    n_boot: int
    seed: int


def _metric(curves: np.ndarray, metric: str) -> np.ndarray:
    if metric == "total_return":
        return curves[:, -1] - 1.0
    if metric == "log_wealth":
        return np.log(curves[:, -1])
    return objective_values(curves, "drawdown")


def ab_test(a: Strategy, b: Strategy, log_returns, *, metric: str = "log_wealth", n_boot: int = 2000,
            level: float = 0.95, sigma0: float, cost: float = 0.0005, periods_per_year: float = 252,
            rng=None) -> ABTest:
    """A/B test of strategy ``a`` (e.g. the robust mix's row) against ``b`` (e.g. buy and hold).

    Parameters
    ----------
    a, b : Strategy
    log_returns : array-like of shape (n_paths, n_steps)
        Paths both run on (attacked or not).
    metric : {"log_wealth", "total_return", "max_drawdown"}
    n_boot : int
        Bootstrap resamples (>= 100).
    level : float
        Confidence level in ``(0, 1)``.
    rng : numpy.random.Generator, int or None
    """
    if metric not in _METRICS:
        raise ConfigError(f"metric must be one of {_METRICS}, got {metric!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 100:
        raise ConfigError(f"n_boot must be an integer >= 100, got {n_boot!r}")
    level = _real(level, "level")
    if not 0.0 < level < 1.0:
        raise ConfigError(f"level must be in (0, 1), got {level}")
    settings = dict(sigma0=sigma0, cost=cost, periods_per_year=periods_per_year)
    diff = _metric(_curves(a, log_returns, settings), metric) - _metric(_curves(b, log_returns, settings), metric)
    seed = int(np.random.SeedSequence().entropy) if rng is None else (
        int(rng.integers(2**63)) if isinstance(rng, np.random.Generator) else int(rng))
    draws = np.random.default_rng(seed).integers(0, diff.size, size=(n_boot, diff.size))
    means = diff[draws].mean(axis=1)
    low, high = np.quantile(means, [(1.0 - level) / 2, (1.0 + level) / 2])
    return ABTest(metric, float(diff.mean()), float(low), float(high), level, float((means > 0).mean()), n_boot, seed)


_CLAIMS = {
    "finite": "exhaustive over a finite set: the worst drawdown is exact over the given attacks at each grid budget "
              "and every path; nothing is claimed for other attacks or between grid budgets",
    "bound": "bound: sound for every change with |delta_t| <= budget of every path and every strategy whose "
             "exposure stays in [0, max_exposure]; conservative",
    "search": "search: an upper bound on the true radius; at the next grid budget a change breaking the drawdown "
              "budget was found, below it none was found, which proves nothing",
}


@dataclass(frozen=True, eq=False)
class CertifiedRadius:
    """The largest attack budget for which the worst-case drawdown stays within a limit.

    Attributes
    ----------
    radius : float or None
        Largest grid budget ``b`` such that the worst drawdown is within the limit at every grid
        budget up to ``b``; None when the smallest grid budget already fails (nothing certified).
    method : {"finite", "bound", "search"}
    claim : str
        Exactly what is established (see ``method``).
    table : pandas.DataFrame
        ``budget``, ``worst_drawdown`` and ``within`` for every grid budget tried.
    drawdown_limit : float
    norm : str
    """

    radius: float | None
    method: str
    claim: str
    table: pd.DataFrame
    drawdown_limit: float
    norm: str


def _bound_drawdown(log_returns: np.ndarray, budget: float, max_exposure: float, cost: float) -> float:
    """Upper bound on any path's max drawdown for exposures in [0, e] and |delta| <= budget.

    Each step's wealth factor is at least ``g_t = min(1, 1 + e (exp(r_t - budget) - 1)) - cost * e``
    (adverse move at full exposure, or none, minus the largest trade cost), so the wealth ratio
    over any interval is at least the product of its ``g_t``; the worst interval is found exactly.
    """
    factor = np.minimum(1.0, 1.0 + max_exposure * np.expm1(log_returns - budget)) - cost * max_exposure
    if (factor <= 0).any():
        return 1.0
    level = np.concatenate([np.zeros((log_returns.shape[0], 1)), np.cumsum(np.log(factor), axis=1)], axis=1)
    return float(-np.expm1(-(np.maximum.accumulate(level, axis=1) - level).max()))


def certified_radius(strategy: Strategy, log_returns, *, drawdown_limit: float, budgets: Sequence[float],
                     method: str = "finite", norm: str = "inf",
                     attacks: Callable[[float], Sequence[AttackSpec]] | None = None, n_iter: int = 100,
                     sigma0: float, cost: float = 0.0005, multiplier: float = 1.0, periods_per_year: float = 252,
                     rng=None) -> CertifiedRadius:
    """Largest attack budget keeping the worst-case max drawdown within ``drawdown_limit``.

    Parameters
    ----------
    strategy : Strategy
    log_returns : array-like of shape (n_paths, n_steps)
        Base paths.
    drawdown_limit : float
        In ``(0, 1)``.
    budgets : sequence of float
        Grid of budgets (sorted ascending here), each in ``[0, 1]``.
    method : {"finite", "bound", "search"}
        ``"finite"``: exhaustive over ``attacks(budget)`` (default: :class:`Perturbation` of
        that budget over windows of 5, 20 and all steps); ``"bound"``: the strategy-free bound
        of :func:`_bound_drawdown` (max-norm only); ``"search"``: :func:`adversarial_search`.
    norm : {"inf", "one"}
    attacks : callable, optional
        Budget -> finite list of attack specs, for ``"finite"``.
    n_iter : int
        Search proposals per budget, for ``"search"``.
    rng : numpy.random.Generator, int or None
        Attack onsets (``"finite"``) and search randomness.
    """
    if method not in _CLAIMS:
        raise ConfigError(f"method must be one of {sorted(_CLAIMS)}, got {method!r}")
    if method == "bound" and norm != "inf":
        raise ConfigError("the bound method covers max-norm budgets only (norm='inf')")
    drawdown_limit = _real(drawdown_limit, "drawdown_limit")
    if not 0.0 < drawdown_limit < 1.0:
        raise ConfigError(f"drawdown_limit must be in (0, 1), got {drawdown_limit}")
    grid = sorted(_real(b, "budget") for b in budgets)
    if not grid or grid[0] < 0 or grid[-1] > 1:
        raise ConfigError(f"budgets must be a non-empty sequence in [0, 1], got {list(budgets)}")
    paths = np.ascontiguousarray(log_returns, dtype=np.float64)
    n_steps = paths.shape[-1]
    settings = dict(sigma0=sigma0, cost=cost, multiplier=multiplier, periods_per_year=periods_per_year)
    seed = np.random.SeedSequence(None if rng is None else (
        int(rng.integers(2**63)) if isinstance(rng, np.random.Generator) else int(rng)))
    if attacks is None:
        def attacks(budget):
            return [Perturbation(budget, norm=norm, length=length) for length in (5, 20, n_steps)]
    rows = []
    for k, budget in enumerate(grid):
        stream = np.random.default_rng(seed.spawn(1)[0])
        if method == "finite":
            worst = max(float(objective_values(_curves(strategy, spec.apply(paths, float(np.std(paths)) or 1.0,
                                                                             stream), settings), "drawdown").max())
                        for spec in attacks(budget))
        elif method == "bound":
            worst = _bound_drawdown(paths, budget, strategy.max_exposure * multiplier, cost)
        else:
            found = adversarial_search(strategy, paths, budget, norm=norm, n_iter=n_iter, rng=stream, **settings)
            worst = float(found.worst.max())
        rows.append({"budget": budget, "worst_drawdown": worst, "within": worst <= drawdown_limit})
    table = pd.DataFrame(rows)
    failed = np.flatnonzero(~table["within"].to_numpy())
    last_ok = (failed[0] if failed.size else len(grid)) - 1
    radius = float(grid[last_ok]) if last_ok >= 0 else None
    return CertifiedRadius(radius, method, _CLAIMS[method], table, drawdown_limit, norm)


@dataclass(frozen=True, eq=False)
class RedTeamReport:
    """A fresh adversarial search against a final strategy.

    Attributes
    ----------
    search : AdversarialResult
    under_attack : AttackPerformance
        Performance on the paths changed by the search.
    breached : bool
        Whether some path's drawdown exceeds ``drawdown_limit`` under the change found.
    drawdown_limit : float
    """

    search: AdversarialResult
    under_attack: AttackPerformance
    breached: bool
    drawdown_limit: float


def red_team(strategy: Strategy, log_returns, *, budget: float, drawdown_limit: float = 0.2, norm: str = "inf",
             n_iter: int = 200, sigma0: float, cost: float = 0.0005, multiplier: float = 1.0,
             periods_per_year: float = 252, rng=None) -> RedTeamReport:
    """Red-team run: search the worst bounded change (drawdown objective) and report the damage."""
    settings = dict(sigma0=sigma0, cost=cost, multiplier=multiplier, periods_per_year=periods_per_year)
    found = adversarial_search(strategy, log_returns, budget, norm=norm, n_iter=n_iter, rng=rng, **settings)
    attacked = np.asarray(log_returns, dtype=np.float64) + found.delta
    under = performance_under_attack(strategy, attacked, **settings)
    return RedTeamReport(found, under, bool(found.worst.max() > drawdown_limit), float(drawdown_limit))
