"""Minimax regret: the mix whose worst shortfall against hindsight is smallest."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gametheory.game import ZeroSumGame
from solvers.zero_sum import solve_zero_sum

__all__ = ["RegretSolution", "minimax_regret", "regret_matrix"]


def regret_matrix(payoff: np.ndarray) -> np.ndarray:
    """``R[i, j] = max_k A[k, j] - A[i, j]``: what strategy ``i`` forgoes in scenario ``j``."""
    return payoff.max(axis=0, keepdims=True) - payoff


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
        A proven lower bound on the optimal max regret (from the attacker's mix);
        ``max_regret - lower_bound`` is the certificate's gap.
    regret : ndarray of shape (n_strategies, n_scenarios)
    row_labels, col_labels : tuple of str
    """

    strategy: np.ndarray
    max_regret: float
    lower_bound: float
    regret: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]

    @property
    def gap(self) -> float:
        return max(self.max_regret - self.lower_bound, 0.0)

    def to_dict(self) -> dict:
        return {
            "max_regret": self.max_regret,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "strategy": dict(zip(self.row_labels, map(float, self.strategy))),
        }


def minimax_regret(game) -> RegretSolution:
    """Solve ``min_x max_j (x^T R)_j`` with ``R`` the regret matrix of ``game``.

    This is the zero-sum game with payoff ``-R``, solved exactly by LP.

    Parameters
    ----------
    game : ZeroSumGame or array-like of shape (n_strategies, n_scenarios)

    Examples
    --------
    >>> reg = minimax_regret([[3, 0], [0, 1]])
    >>> round(reg.max_regret, 9)
    0.75
    """
    game = game if isinstance(game, ZeroSumGame) else ZeroSumGame(game)
    regret = regret_matrix(game.payoff)
    solution = solve_zero_sum(ZeroSumGame(-regret, game.row_labels, game.col_labels), method="lp")
    return RegretSolution(
        strategy=solution.row_strategy,
        max_regret=-solution.lower_bound,
        lower_bound=-solution.upper_bound,
        regret=regret,
        row_labels=game.row_labels,
        col_labels=game.col_labels,
    )
