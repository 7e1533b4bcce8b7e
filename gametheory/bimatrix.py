"""General-sum (bimatrix) games: the attacker has a payoff of its own.

In the zero-sum game the attacker's gain is exactly the trader's loss. A real manipulator
also pays for its attack (capital, market impact) and risks being detected and fined, so
its payoff ``B`` differs from ``-A``: :func:`attacker_payoff` builds it from those parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gametheory.certificates import as_mixed_strategy
from gametheory.errors import InvalidGameError
from gametheory.game import ZeroSumGame, _labels, as_payoff_matrix

__all__ = ["BimatrixGame", "DegenerateGameWarning", "attacker_payoff"]


class DegenerateGameWarning(UserWarning):
    """The bimatrix game is degenerate: some mixed strategy has more pure best responses than
    its support size (for example tied payoffs). Equilibria may then form continua, their
    number may be even, and Lemke–Howson or support enumeration may miss some of them."""


def _broadcast(value, shape: tuple[int, int], name: str) -> np.ndarray:
    """``value`` as a finite float array broadcast to ``shape`` (scalar, per scenario or full)."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 1:  # one entry per scenario (column)
        array = array[None, :]
    try:
        array = np.broadcast_to(array, shape)
    except ValueError as err:
        raise InvalidGameError(
            f"{name} has shape {np.shape(value)}; expected a scalar, ({shape[1]},) per scenario or {shape}"
        ) from err
    if not np.isfinite(array).all():
        raise InvalidGameError(f"{name} holds NaN or inf")
    return array


def attacker_payoff(trader_payoff, *, cost=0.0, detection_probability=0.0, penalty=0.0,
                    profit=None) -> np.ndarray:
    """The manipulator's payoff: profit minus costs minus the expected fine for being caught.

    ``B[i, j] = profit[i, j] - cost[i, j] - detection_probability[i, j] * penalty[i, j]``

    Parameters
    ----------
    trader_payoff : array-like of shape (n_strategies, n_scenarios)
        The trader's utility ``A``.
    cost : float or array-like of shape (n_scenarios,) or (n_strategies, n_scenarios)
        What attack ``j`` costs the manipulator (in the payoff's units).
    detection_probability : float or array-like, same shapes, in [0, 1]
        Chance that attack ``j`` is detected when the trader runs strategy ``i``
        (a strategy with a detector or circuit breaker can raise it).
    penalty : float or array-like, same shapes, >= 0
        The fine (and lost profit) when detected.
    profit : array-like of shape (n_strategies, n_scenarios), optional
        The manipulation profit before costs; defaults to ``-A`` (the trader's loss is the
        manipulator's gain, so that with zero costs the game is zero-sum).

    Returns
    -------
    ndarray of shape (n_strategies, n_scenarios)

    Examples
    --------
    >>> attacker_payoff([[1.0, -2.0]], cost=[0.5, 0.5], detection_probability=[0.0, 0.5], penalty=4.0)
    array([[-1.5, -0.5]])
    """
    a = as_payoff_matrix(trader_payoff, "trader payoff")
    gain = -a if profit is None else as_payoff_matrix(profit, "profit")
    if gain.shape != a.shape:
        raise InvalidGameError(f"profit has shape {gain.shape}, the trader payoff {a.shape}")
    detect = _broadcast(detection_probability, a.shape, "detection_probability")
    if ((detect < 0) | (detect > 1)).any():
        raise InvalidGameError("detection_probability must lie in [0, 1]")
    fine = _broadcast(penalty, a.shape, "penalty")
    if (fine < 0).any():
        raise InvalidGameError("penalty must be >= 0")
    return gain - _broadcast(cost, a.shape, "cost") - detect * fine


@dataclass(frozen=True)
class BimatrixGame:
    """A finite two-player general-sum game with labelled strategies.

    Parameters
    ----------
    trader_payoff : array-like of shape (n_strategies, n_scenarios)
        ``A[i, j]``: the trader's (row player's) utility; the trader maximises it.
    attacker_payoff : array-like of shape (n_strategies, n_scenarios)
        ``B[i, j]``: the attacker's (column player's) utility; the attacker maximises it.
        ``B = -A`` is the zero-sum game.
    row_labels, col_labels : sequence of str, optional
        Taken from a DataFrame ``trader_payoff`` when not given.

    Examples
    --------
    >>> game = BimatrixGame([[3, 0], [0, 2]], [[2, 0], [0, 3]])   # battle of the sexes
    >>> game.shape, game.is_zero_sum
    ((2, 2), False)
    """

    trader_payoff: np.ndarray
    attacker_payoff: np.ndarray
    row_labels: tuple[str, ...] = field(default=None)
    col_labels: tuple[str, ...] = field(default=None)

    def __init__(self, trader_payoff, attacker_payoff, row_labels=None, col_labels=None):
        if row_labels is None and hasattr(trader_payoff, "index") and hasattr(trader_payoff, "columns"):
            row_labels, col_labels = list(trader_payoff.index), list(trader_payoff.columns)
        a = as_payoff_matrix(trader_payoff, "trader payoff").copy()
        b = as_payoff_matrix(attacker_payoff, "attacker payoff").copy()
        if a.shape != b.shape:
            raise InvalidGameError(f"trader payoff has shape {a.shape} but attacker payoff {b.shape}")
        a.setflags(write=False)
        b.setflags(write=False)
        object.__setattr__(self, "trader_payoff", a)
        object.__setattr__(self, "attacker_payoff", b)
        object.__setattr__(self, "row_labels", _labels(row_labels, a.shape[0], "s", "row"))
        object.__setattr__(self, "col_labels", _labels(col_labels, a.shape[1], "a", "column"))

    @classmethod
    def from_zero_sum(cls, game) -> BimatrixGame:
        """The bimatrix form ``(A, -A)`` of a zero-sum game or payoff matrix."""
        game = game if isinstance(game, ZeroSumGame) else ZeroSumGame(game)
        return cls(game.payoff, -game.payoff, game.row_labels, game.col_labels)

    @classmethod
    def from_costs(cls, trader_payoff, *, cost=0.0, detection_probability=0.0, penalty=0.0, profit=None,
                   row_labels=None, col_labels=None) -> BimatrixGame:
        """The game whose attacker payoff is :func:`attacker_payoff` of ``trader_payoff``."""
        if row_labels is None and hasattr(trader_payoff, "index") and hasattr(trader_payoff, "columns"):
            row_labels, col_labels = list(trader_payoff.index), list(trader_payoff.columns)
        b = attacker_payoff(trader_payoff, cost=cost, detection_probability=detection_probability,
                            penalty=penalty, profit=profit)
        return cls(as_payoff_matrix(trader_payoff, "trader payoff"), b, row_labels, col_labels)

    @property
    def shape(self) -> tuple[int, int]:
        return self.trader_payoff.shape

    @property
    def is_zero_sum(self) -> bool:
        """Whether ``A + B == 0`` exactly."""
        return bool(np.array_equal(self.trader_payoff, -self.attacker_payoff))

    def best_response_gaps(self, row_strategy, col_strategy) -> tuple[float, float]:
        """How much each player gains by deviating: ``(max_i (A y)_i - x^T A y, max_j (x^T B)_j - x^T B y)``.

        Both are ``>= 0`` and zero exactly at a Nash equilibrium; ``max`` of the two is the ε of
        an ε-Nash equilibrium.
        """
        x = as_mixed_strategy(row_strategy, self.shape[0], "row")
        y = as_mixed_strategy(col_strategy, self.shape[1], "column")
        ay, xb = self.trader_payoff @ y, x @ self.attacker_payoff
        return max(float(ay.max() - x @ ay), 0.0), max(float(xb.max() - xb @ y), 0.0)
