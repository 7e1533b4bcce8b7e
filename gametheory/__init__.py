"""The trader-versus-attacker game: strategies, payoffs, games and certificates."""

from gametheory.certificates import Certificate, certify, exploitability
from gametheory.errors import (
    ConfigError,
    InfeasibleError,
    InvalidGameError,
    MarketDataError,
    ScenarioError,
    SolverError,
)
from gametheory.game import ZeroSumGame, as_payoff_matrix
from gametheory.metrics import max_drawdown, performance_summary, recovery_steps
from gametheory.payoff import PayoffTables, build_payoff, equity_curves, path_drawdowns
from gametheory.strategies import (
    Strategy,
    default_strategies,
    encode,
    fixed,
    mean_reversion,
    trend_following,
    vol_target,
)

__all__ = [
    "Certificate",
    "PayoffTables",
    "Strategy",
    "ConfigError",
    "InfeasibleError",
    "InvalidGameError",
    "MarketDataError",
    "ScenarioError",
    "SolverError",
    "ZeroSumGame",
    "as_payoff_matrix",
    "build_payoff",
    "default_strategies",
    "encode",
    "equity_curves",
    "fixed",
    "max_drawdown",
    "mean_reversion",
    "path_drawdowns",
    "performance_summary",
    "recovery_steps",
    "trend_following",
    "vol_target",
    "certify",
    "exploitability",
]
