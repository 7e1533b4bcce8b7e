"""The trader-versus-attacker game: strategies, payoffs, games and certificates."""

from gametheory.bimatrix import BimatrixGame, DegenerateGameWarning, attacker_payoff
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
    BREAKER_DEFAULTS,
    Strategy,
    default_strategies,
    encode,
    fixed,
    mean_reversion,
    trend_following,
    vol_target,
)

from gametheory.adversarial import AdversarialResult, adversarial_search
from gametheory.robustness import (
    ABTest,
    AttackPerformance,
    CertifiedRadius,
    RedTeamReport,
    SurvivalReport,
    ab_test,
    certified_radius,
    performance_under_attack,
    red_team,
    survival_rate,
)

__all__ = [
    "BREAKER_DEFAULTS",
    "ab_test",
    "ABTest",
    "adversarial_search",
    "AdversarialResult",
    "as_payoff_matrix",
    "attacker_payoff",
    "AttackPerformance",
    "BimatrixGame",
    "build_payoff",
    "Certificate",
    "certified_radius",
    "CertifiedRadius",
    "certify",
    "ConfigError",
    "DegenerateGameWarning",
    "default_strategies",
    "encode",
    "equity_curves",
    "exploitability",
    "fixed",
    "InfeasibleError",
    "InvalidGameError",
    "MarketDataError",
    "max_drawdown",
    "mean_reversion",
    "path_drawdowns",
    "PayoffTables",
    "performance_summary",
    "performance_under_attack",
    "recovery_steps",
    "red_team",
    "RedTeamReport",
    "ScenarioError",
    "SolverError",
    "Strategy",
    "survival_rate",
    "SurvivalReport",
    "trend_following",
    "vol_target",
    "ZeroSumGame",
]
