"""The error hierarchy shared by the whole library.

Every error a user can provoke with bad input is a subclass of ``ValueError``
(so ``except ValueError`` keeps working) and says what was wrong and where.
"""

import numbers

from scenarios.errors import MarketDataError, ScenarioError

__all__ = [
    "ConfigError",
    "InfeasibleError",
    "InvalidGameError",
    "MarketDataError",
    "ScenarioError",
    "SolverError",
    "checked_count",
]


class InvalidGameError(ValueError):
    """A payoff matrix or game that cannot be solved as given (NaN, empty, wrong shape, ...)."""


class SolverError(RuntimeError):
    """A solver failed on a valid game after every fallback was tried."""


class InfeasibleError(SolverError, ValueError):
    """The constraints of an optimisation problem admit no solution."""


class ConfigError(ValueError):
    """A configuration value is out of range or of the wrong type."""


def checked_count(value, name: str, minimum: int = 1) -> int:
    """``value`` as an int when it is an integer (not a bool) >= ``minimum``; else a ConfigError
    naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
