"""Exact solution of finite zero-sum games by linear programming (HiGHS)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from gametheory.certificates import certify
from gametheory.errors import ConfigError, SolverError
from gametheory.game import ZeroSumGame

__all__ = ["ZeroSumSolution", "solve_zero_sum", "METHODS"]

METHODS = ("lp", "auto")
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class ZeroSumSolution:
    """An equilibrium of a zero-sum game and its certificate.

    Attributes
    ----------
    value : float
        The game value: the midpoint of ``[lower_bound, upper_bound]``, which bracket the
        exact value; they differ by ``exploitability``.
    row_strategy : ndarray of shape (n_strategies,)
        The trader's equilibrium mix (probabilities).
    col_strategy : ndarray of shape (n_scenarios,)
        The attacker's equilibrium mix.
    lower_bound : float
        ``min_j (x^T A)_j``: what ``row_strategy`` guarantees against every attack.
    upper_bound : float
        ``max_i (A y)_i``: the best any strategy achieves against ``col_strategy``.
    exploitability : float
        ``upper_bound - lower_bound >= 0``, recomputed from the payoff matrix.
    method, success, status, message, iterations, seconds
        How the answer was obtained.
    row_labels, col_labels : tuple of str
        Strategy and scenario names from the game.
    """

    value: float
    row_strategy: np.ndarray
    col_strategy: np.ndarray
    lower_bound: float
    upper_bound: float
    exploitability: float
    method: str
    success: bool
    status: int
    message: str
    iterations: int
    seconds: float
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]

    def row_support(self, tol: float = 1e-9) -> dict[str, float]:
        """Trader strategies played with probability above ``tol``, largest first."""
        return _support(self.row_strategy, self.row_labels, tol)

    def col_support(self, tol: float = 1e-9) -> dict[str, float]:
        """Attack scenarios that bind (attacker probability above ``tol``), largest first."""
        return _support(self.col_strategy, self.col_labels, tol)

    def to_dict(self) -> dict:
        """A JSON-serialisable summary."""
        return {
            "value": self.value,
            "lower_bound": self.lower_bound,
            "upper_bound": self.upper_bound,
            "exploitability": self.exploitability,
            "method": self.method,
            "success": self.success,
            "status": self.status,
            "message": self.message,
            "iterations": self.iterations,
            "seconds": self.seconds,
            "row_strategy": dict(zip(self.row_labels, map(float, self.row_strategy))),
            "col_strategy": dict(zip(self.col_labels, map(float, self.col_strategy))),
        }


def _support(p: np.ndarray, labels: tuple[str, ...], tol: float) -> dict[str, float]:
    order = np.argsort(-p, kind="stable")
    return {labels[k]: float(p[k]) for k in order if p[k] > tol}


def _normalise(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, None)
    total = p.sum()
    if not np.isfinite(total) or total <= 0:
        raise SolverError("the LP returned no usable mixed strategy")
    return p / total


def _maximin_lp(b: np.ndarray):
    """Solve ``max_x min_j (x^T B)_j`` over the simplex; return (x, duals y, result)."""
    m, n = b.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-b.T, np.ones((n, 1))])
    a_eq = np.ones((1, m + 1))
    a_eq[0, -1] = 0.0
    bounds = [(0.0, None)] * m + [(None, None)]
    result = linprog(
        c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0],
        bounds=bounds, method="highs", options=_HIGHS_OPTIONS,
    )
    if result.status != 0:
        raise SolverError(f"HiGHS failed on the zero-sum LP (status {result.status}): {result.message}")
    return _normalise(result.x[:m]), _normalise(-result.ineqlin.marginals), result


def _solve_lp(a: np.ndarray):
    low, span = a.min(), np.ptp(a)
    if span == 0.0:
        m, n = a.shape
        return np.full(m, 1.0 / m), np.full(n, 1.0 / n), 0, "constant game"
    b = (a - low) / span
    x, y, result = _maximin_lp(b)
    if certify(b, x, y).exploitability > 1e-9:
        # The duals were not accurate enough: solve the attacker's LP on its own.
        y, _, dual_result = _maximin_lp(-b.T)
        return x, y, result.nit + dual_result.nit, result.message
    return x, y, result.nit, result.message


def solve_zero_sum(game, method: str = "lp") -> ZeroSumSolution:
    """Solve a zero-sum game exactly and certify the answer.

    Parameters
    ----------
    game : ZeroSumGame or array-like of shape (n_strategies, n_scenarios)
        Entry ``[i, j]`` is the trader's (row player's, maximiser's) utility.
    method : {"lp", "auto"}
        ``"lp"`` solves the maximin linear program with HiGHS; the attacker's
        strategy comes from its duals (or its own LP when the duals are not
        accurate enough). ``"auto"`` picks the best available method.

    Returns
    -------
    ZeroSumSolution
        The value, both mixes and a certificate recomputed from the matrix.

    Raises
    ------
    InvalidGameError
        If the payoff matrix is empty, not 2-D, not numeric, or holds NaN or inf.
    ConfigError
        If ``method`` is unknown.
    SolverError
        If HiGHS fails.

    Examples
    --------
    >>> sol = solve_zero_sum([[1, -1], [-1, 1]])   # matching pennies
    >>> round(sol.value, 9), sol.row_strategy.round(6).tolist()
    (0.0, [0.5, 0.5])
    """
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    game = game if isinstance(game, ZeroSumGame) else ZeroSumGame(game)
    start = time.perf_counter()
    x, y, iterations, message = _solve_lp(game.payoff)
    seconds = time.perf_counter() - start
    certificate = certify(game.payoff, x, y)
    return ZeroSumSolution(
        value=0.5 * (certificate.lower_bound + certificate.upper_bound),
        row_strategy=x,
        col_strategy=y,
        lower_bound=certificate.lower_bound,
        upper_bound=certificate.upper_bound,
        exploitability=certificate.exploitability,
        method="lp",
        success=True,
        status=0,
        message=message,
        iterations=int(iterations),
        seconds=seconds,
        row_labels=game.row_labels,
        col_labels=game.col_labels,
    )
