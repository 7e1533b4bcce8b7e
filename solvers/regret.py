"""Minimax regret: the mix whose worst shortfall against hindsight is smallest.

Two regret measures are offered, both solved exactly as a linear program (the zero-sum
game with payoff ``-R``):

- ``"absolute"``: ``R[i, j] = max_k A[k, j] - A[i, j]``, in the payoff's units.
- ``"relative"``: the absolute regret divided by the spread of scenario ``j``,
  ``R[i, j] = (max_k A[k, j] - A[i, j]) / (max_k A[k, j] - min_k A[k, j])``, in ``[0, 1]``:
  ``0`` means the best strategy in hindsight, ``1`` the worst. A scenario in which every
  strategy scores the same (zero spread) has zero regret for all of them, so it never
  binds. Relative regret weights every scenario equally whatever its scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gametheory.errors import ConfigError
from gametheory.game import ZeroSumGame, as_payoff_matrix
from solvers.zero_sum import solve_zero_sum

__all__ = ["REGRET_KINDS", "RegretSolution", "minimax_regret", "regret_matrix"]

#: Regret measures accepted by :func:`regret_matrix` and :func:`minimax_regret`.
REGRET_KINDS = ("absolute", "relative")


def regret_matrix(payoff, kind: str = "absolute") -> np.ndarray:
    """The regret of every strategy in every scenario.

    Parameters
    ----------
    payoff : array-like of shape (n_strategies, n_scenarios)
    kind : {"absolute", "relative"}
        ``"absolute"``: ``R[i, j] = max_k A[k, j] - A[i, j]``, what strategy ``i`` forgoes
        in scenario ``j``. ``"relative"``: the same divided by the column's spread
        ``max_k A[k, j] - min_k A[k, j]`` (zero where the spread is zero).

    Returns
    -------
    ndarray of shape (n_strategies, n_scenarios)
        Non-negative; each column has a zero at its best strategy.
    """
    if kind not in REGRET_KINDS:
        raise ConfigError(f"unknown regret kind {kind!r}; choose one of {', '.join(REGRET_KINDS)}")
    a = as_payoff_matrix(payoff)
    best = a.max(axis=0, keepdims=True)
    regret = best - a
    if kind == "relative":
        spread = best - a.min(axis=0, keepdims=True)
        regret = np.divide(regret, spread, out=np.zeros_like(regret), where=spread > 0)
    return regret


@dataclass(frozen=True)
class RegretSolution:
    """The minimax-regret mix and its certificate.

    Attributes
    ----------
    strategy : ndarray of shape (n_strategies,)
        The trader's mix minimising ``max_j (x^T R)_j``.
    max_regret : float
        ``max_j (x^T R)_j`` of ``strategy``, recomputed from the regret matrix.
    lower_bound : float
        ``min_i (R y)_i`` for the attacker's mix ``scenario_weights``: a proven lower bound on
        the optimal max regret (every mix ``x`` has ``max_j (x^T R)_j >= x^T R y >= min_i (R y)_i``);
        ``max_regret - lower_bound`` is the certificate's gap.
    regret : ndarray of shape (n_strategies, n_scenarios)
    row_labels, col_labels : tuple of str
    kind : {"absolute", "relative"}
        The regret measure.
    scenario_weights : ndarray of shape (n_scenarios,)
        The attacker's mix that certifies ``lower_bound``.
    """

    strategy: np.ndarray
    max_regret: float
    lower_bound: float
    regret: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    kind: str = "absolute"
    scenario_weights: np.ndarray | None = None

    @property
    def gap(self) -> float:
        return max(self.max_regret - self.lower_bound, 0.0)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "max_regret": self.max_regret,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "strategy": dict(zip(self.row_labels, map(float, self.strategy))),
        }


def minimax_regret(game, kind: str = "absolute") -> RegretSolution:
    """Solve ``min_x max_j (x^T R)_j`` with ``R`` the regret matrix of ``game``.

    This is the zero-sum game with payoff ``-R``, solved exactly by LP (HiGHS); the
    certificate (``max_regret``, ``lower_bound``) is recomputed from ``R``.

    Parameters
    ----------
    game : ZeroSumGame or array-like of shape (n_strategies, n_scenarios)
    kind : {"absolute", "relative"}
        The regret measure, see :func:`regret_matrix`.

    Raises
    ------
    InvalidGameError
        If the payoff matrix is empty, not 2-D or not finite.
    ConfigError
        If ``kind`` is unknown.

    Examples
    --------
    >>> reg = minimax_regret([[3, 0], [0, 1]])
    >>> round(reg.max_regret, 9)
    0.75
    >>> round(minimax_regret([[3, 0], [0, 1]], kind="relative").max_regret, 9)
    0.5
    """
    game = game if isinstance(game, ZeroSumGame) else ZeroSumGame(game)
    regret = regret_matrix(game.payoff, kind)
    solution = solve_zero_sum(ZeroSumGame(-regret, game.row_labels, game.col_labels), method="lp")
    x, y = solution.row_strategy, solution.col_strategy
    return RegretSolution(
        strategy=x,
        max_regret=float((x @ regret).max()),
        lower_bound=float((regret @ y).min()),
        regret=regret,
        row_labels=game.row_labels,
        col_labels=game.col_labels,
        kind=kind,
        scenario_weights=y,
    )
