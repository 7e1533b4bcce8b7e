"""Zero-sum games between the trader (rows, maximises) and the attacker (columns, minimises)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gametheory.errors import InvalidGameError

__all__ = ["ZeroSumGame", "as_payoff_matrix"]


def as_payoff_matrix(payoff, name: str = "payoff matrix") -> np.ndarray:
    """Validate ``payoff`` and return it as a C-contiguous float64 array.

    Parameters
    ----------
    payoff : array-like of shape (n_strategies, n_scenarios)
        Finite real numbers. pandas DataFrames are accepted.
    name : str
        How the matrix is called in error messages.

    Raises
    ------
    InvalidGameError
        If the input is not numeric, not 2-D, empty, or holds NaN or inf.
        The message names the first offending entry.
    """
    if isinstance(payoff, ZeroSumGame):
        return payoff.payoff
    values = getattr(payoff, "to_numpy", None)
    raw = values() if callable(values) else payoff
    try:
        array = np.asarray(raw)
    except (TypeError, ValueError) as err:
        raise InvalidGameError(f"{name} is not a rectangular numeric array: {err}") from err
    if array.dtype == object or array.dtype.kind not in "biuf":
        raise InvalidGameError(
            f"{name} must hold real numbers, got dtype {array.dtype} "
            f"(first entry {array.flat[0]!r})" if array.size else f"{name} must hold real numbers"
        )
    if array.ndim != 2:
        raise InvalidGameError(f"{name} must be 2-D (n_strategies, n_scenarios), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise InvalidGameError(f"{name} is empty: shape {array.shape}; a game needs at least one row and one column")
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InvalidGameError(
            f"{name} has {int(bad.sum())} non-finite entries; first at row {i}, column {j}: {array[i, j]}"
        )
    return array


def _labels(labels: Sequence[str] | None, n: int, prefix: str, what: str) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"{prefix}{k}" for k in range(n))
    labels = tuple(str(label) for label in labels)
    if len(labels) != n:
        raise InvalidGameError(f"{what} labels: got {len(labels)} for {n} {what}s")
    if len(set(labels)) != n:
        raise InvalidGameError(f"{what} labels must be unique")
    return labels


@dataclass(frozen=True)
class ZeroSumGame:
    """A finite two-player zero-sum game with labelled strategies.

    Entry ``payoff[i, j]`` is the trader's utility when trader strategy ``i``
    meets attack scenario ``j``; the attacker receives its negative.

    Parameters
    ----------
    payoff : array-like of shape (n_strategies, n_scenarios)
    row_labels, col_labels : sequence of str, optional
        Names of the trader's strategies and of the attack scenarios.
        A pandas DataFrame supplies them from its index and columns.

    Examples
    --------
    >>> game = ZeroSumGame([[1, -1], [-1, 1]])
    >>> game.shape
    (2, 2)
    """

    payoff: np.ndarray
    row_labels: tuple[str, ...] = field(default=None)
    col_labels: tuple[str, ...] = field(default=None)

    def __init__(self, payoff, row_labels=None, col_labels=None):
        if row_labels is None and hasattr(payoff, "index") and hasattr(payoff, "columns"):
            row_labels, col_labels = list(payoff.index), list(payoff.columns)
        matrix = as_payoff_matrix(payoff).copy()
        matrix.setflags(write=False)
        object.__setattr__(self, "payoff", matrix)
        object.__setattr__(self, "row_labels", _labels(row_labels, matrix.shape[0], "s", "row"))
        object.__setattr__(self, "col_labels", _labels(col_labels, matrix.shape[1], "a", "column"))

    @property
    def shape(self) -> tuple[int, int]:
        return self.payoff.shape

    def maximin(self) -> float:
        """The best value the trader can guarantee with a pure strategy."""
        return float(self.payoff.min(axis=1).max())

    def minimax(self) -> float:
        """The least the attacker can hold the trader to with a pure attack."""
        return float(self.payoff.max(axis=0).min())

    def to_frame(self):
        """The payoff matrix as a labelled pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.payoff, index=list(self.row_labels), columns=list(self.col_labels))
