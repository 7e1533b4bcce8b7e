"""Iterative solvers for large zero-sum games: regret matching+, predictive RM+ and restarted PDHG.

Thin wrappers over the kernels of :mod:`accelerated.iterative`: validate once, convert the
relative tolerance into payoff units, run the kernel and record what happened. Exact answers
(with a certificate recomputed from the matrix) come from :func:`solvers.solve_zero_sum`, which
calls these and may finish with a small LP on the supports they identify.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from accelerated.iterative import pdhg_nb, rm_plus_nb
from gametheory.errors import ConfigError
from gametheory.game import as_payoff_matrix

__all__ = ["ITERATIVE_METHODS", "IterativeRun", "run_iterative"]

ITERATIVE_METHODS = ("rm+", "prm+", "pdhg")
DEFAULT_MAX_ITER = 100_000
_PDHG_RESTART = 0.5


@dataclass(frozen=True)
class IterativeRun:
    """What an iterative solver returned (no certificate: :func:`solvers.solve_zero_sum` adds one).

    Attributes
    ----------
    row_strategy : ndarray of shape (n_strategies,)
    col_strategy : ndarray of shape (n_scenarios,)
    gaps : ndarray of shape (iterations,)
        Exploitability of the returned pair after each iteration, in payoff units, as the
        kernel tracked it (the certificate recomputed from the matrix may differ by round-off).
    iterations : int
    converged : bool
        Whether the last gap is at most ``tol * range``.
    method : str
        ``"rm+"``, ``"prm+"`` or ``"pdhg"`` (with ``"@<device>"`` from the torch backend).
    tol : float
        The relative tolerance asked (a fraction of the payoff range).
    seconds : float
    """

    row_strategy: np.ndarray
    col_strategy: np.ndarray
    gaps: np.ndarray
    iterations: int
    converged: bool
    method: str
    tol: float
    seconds: float


def check_tolerance(tol, max_iter) -> tuple[float, int]:
    """Validate ``tol`` (a fraction of the payoff range, >= 0) and ``max_iter`` (>= 1)."""
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not 0.0 <= tol < 1.0:
        raise ConfigError(f"tol must be a number in [0, 1) (a fraction of the payoff range), got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) or max_iter < 1:
        raise ConfigError(f"max_iter must be an integer >= 1, got {max_iter!r}")
    return float(tol), int(max_iter)


def run_iterative(payoff, method: str = "prm+", tol: float = 1e-4, max_iter: int = DEFAULT_MAX_ITER) -> IterativeRun:
    """Run one iterative solver until the exploitability is at most ``tol`` times the payoff range.

    Parameters
    ----------
    payoff : ZeroSumGame or array-like of shape (n_strategies, n_scenarios)
    method : {"rm+", "prm+", "pdhg"}
        Regret matching+ (alternating, linear averaging), predictive RM+, or restarted PDHG.
    tol : float
        Target exploitability as a fraction of ``max(A) - min(A)``.
    max_iter : int

    Returns
    -------
    IterativeRun

    Examples
    --------
    >>> run = run_iterative([[1, -1], [-1, 1]], "rm+", tol=1e-6)
    >>> run.converged, run.row_strategy.round(4).tolist()
    (True, [0.5, 0.5])
    """
    if method not in ITERATIVE_METHODS:
        raise ConfigError(f"unknown iterative method {method!r}; choose one of {', '.join(ITERATIVE_METHODS)}")
    tol, max_iter = check_tolerance(tol, max_iter)
    a = as_payoff_matrix(payoff)
    span = float(np.ptp(a))
    start = time.perf_counter()
    if span == 0.0:
        x, y, gaps, iterations = np.full(a.shape[0], 1 / a.shape[0]), np.full(a.shape[1], 1 / a.shape[1]), np.zeros(1), 1
    elif method == "pdhg":
        x, y, gaps, iterations = pdhg_nb(a, tol * span, max_iter, _PDHG_RESTART)
    else:
        x, y, gaps, iterations = rm_plus_nb(a, tol * span, max_iter, method == "prm+")
    return IterativeRun(
        row_strategy=x / x.sum(),
        col_strategy=y / y.sum(),
        gaps=gaps,
        iterations=int(iterations),
        converged=bool(gaps[-1] <= tol * span),
        method=method,
        tol=tol,
        seconds=time.perf_counter() - start,
    )
