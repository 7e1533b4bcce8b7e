"""Certificates of optimality for mixed strategies in zero-sum games."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gametheory.errors import InvalidGameError
from gametheory.game import as_payoff_matrix

__all__ = ["Certificate", "certify", "exploitability", "as_mixed_strategy"]


def as_mixed_strategy(p, n: int, who: str) -> np.ndarray:
    """Validate a probability vector of length ``n``; clip round-off and renormalise."""
    p = np.asarray(p, dtype=np.float64).ravel()
    if p.shape != (n,):
        raise InvalidGameError(f"{who} strategy has length {p.size}, expected {n}")
    if not np.isfinite(p).all() or (p < -1e-9).any() or abs(p.sum() - 1.0) > 1e-6:
        raise InvalidGameError(f"{who} strategy is not a probability vector (sum {p.sum():.6g}, min {p.min():.3g})")
    p = np.clip(p, 0.0, None)
    return p / p.sum()


@dataclass(frozen=True)
class Certificate:
    """What a pair of mixed strategies guarantees, recomputed from the payoff matrix.

    Attributes
    ----------
    lower_bound : float
        ``min_j (x^T A)_j``: the trader's guaranteed utility against any attack.
    upper_bound : float
        ``max_i (A y)_i``: the most any trader strategy gets against the attacker's mix.
    exploitability : float
        ``upper_bound - lower_bound`` (>= 0); zero exactly at an equilibrium.
    """

    lower_bound: float
    upper_bound: float

    @property
    def exploitability(self) -> float:
        return max(self.upper_bound - self.lower_bound, 0.0)


def certify(payoff, row_strategy, col_strategy) -> Certificate:
    """Recompute the duality-gap certificate of ``(row_strategy, col_strategy)`` on ``payoff``."""
    a = as_payoff_matrix(payoff)
    x = as_mixed_strategy(row_strategy, a.shape[0], "row")
    y = as_mixed_strategy(col_strategy, a.shape[1], "column")
    return Certificate(lower_bound=float((x @ a).min()), upper_bound=float((a @ y).max()))


def exploitability(payoff, row_strategy, col_strategy) -> float:
    """``max_i (A y)_i - min_j (x^T A)_j``: the duality gap of a strategy pair (>= 0)."""
    return certify(payoff, row_strategy, col_strategy).exploitability
