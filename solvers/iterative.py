"""Iterative solvers for large zero-sum games: regret matching+, predictive RM+ and restarted PDHG.

Thin wrappers over the kernels of :mod:`accelerated.iterative`: validate once, convert the
relative tolerance into payoff units, run the kernel and record what happened. Regret matching
on large games iterates on float32 copies of the matrix (half the memory traffic) when the
tolerance allows it, and certifies the result in float64 on the full matrix. Exact answers
(with a certificate recomputed from the matrix) come from :func:`solvers.solve_zero_sum`, which
calls these and may finish with a small LP on the supports they identify.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from accelerated.iterative import pdhg_nb, rm_plus_nb, rm_plus_pair_nb, scaled_float32_pair
from gametheory.certificates import exploitability
from gametheory.errors import ConfigError
from gametheory.game import as_payoff_matrix

__all__ = ["ITERATIVE_METHODS", "IterativeRun", "run_iterative"]

ITERATIVE_METHODS = ("rm+", "prm+", "pdhg")
DEFAULT_MAX_ITER = 100_000
_PDHG_RESTART = 0.5
FLOAT32_CELLS = 4_000_000
"""``rm+`` and ``prm+`` iterate on float32 copies of games with at least this many cells ..."""
FLOAT32_MIN_TOL = 1e-6
"""... when the relative tolerance asked is at least this (float32 round-off is about 3e-8 of the range)."""
_FLOAT32_TARGET = 0.95
"""The float32 iteration stops at this fraction of the tolerance, a margin for its round-off."""


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
    precision : str
        ``"float64"``, or ``"float32"`` when the iteration ran on float32 copies of the matrix
        (the pair returned is then certified in float64 on the full matrix).
    """

    row_strategy: np.ndarray
    col_strategy: np.ndarray
    gaps: np.ndarray
    iterations: int
    converged: bool
    method: str
    tol: float
    seconds: float
    precision: str = "float64"


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
    low = float(a.min())
    span = float(a.max()) - low
    start = time.perf_counter()
    precision, certified = "float64", None
    if span == 0.0:
        x, y, gaps, iterations = np.full(a.shape[0], 1 / a.shape[0]), np.full(a.shape[1], 1 / a.shape[1]), np.zeros(1), 1
    elif method == "pdhg":
        x, y, gaps, iterations = pdhg_nb(a, tol * span, max_iter, _PDHG_RESTART)
    else:
        x, y, gaps, iterations, precision, certified = _regret_matching(a, low, span, tol, max_iter, method == "prm+")
    converged = (gaps[-1] if certified is None else certified) <= tol * span
    return IterativeRun(
        row_strategy=x / x.sum(),
        col_strategy=y / y.sum(),
        gaps=gaps,
        iterations=int(iterations),
        converged=bool(converged),
        method=method,
        tol=tol,
        seconds=time.perf_counter() - start,
        precision=precision,
    )


def _regret_matching(a: np.ndarray, low: float, span: float, tol: float, max_iter: int, predictive: bool):
    """(P)RM+ on ``a``, through float32 copies when the game is large and ``tol`` allows it.

    The float32 run works on ``(a - low) / span`` (regret matching's iterates do not change under
    that map) and stops at ``_FLOAT32_TARGET * tol``; its pair is then certified in float64 on
    ``a``. If that certificate misses ``tol`` although the float32 run converged, the solve
    starts again in float64. Returns ``(x, y, gaps, iterations, precision, certified gap or None)``.
    """
    if a.size >= FLOAT32_CELLS and tol >= FLOAT32_MIN_TOL:
        b, b_t = np.empty(a.shape, dtype=np.float32), np.empty(a.shape[::-1], dtype=np.float32)
        scaled_float32_pair(a, low, 1.0 / span, b, b_t)
        x, y, gaps, iterations = rm_plus_pair_nb(b, b_t, _FLOAT32_TARGET * tol, max_iter, predictive)
        del b, b_t
        certified = exploitability(a, x, y)
        if certified <= tol * span or gaps[-1] > _FLOAT32_TARGET * tol:
            return x, y, gaps * span, iterations, "float32", certified
    x, y, gaps, iterations = rm_plus_nb(a, tol * span, max_iter, predictive)
    return x, y, gaps, iterations, "float64", None
