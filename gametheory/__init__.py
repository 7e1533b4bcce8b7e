"""The trader-versus-attacker game: strategies, payoffs, games and certificates."""

from scenarios.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "gametheory.strategies": (
        "BREAKER_DEFAULTS", "default_strategies", "encode", "fixed", "mean_reversion", "Strategy",
        "trend_following", "vol_target",
    ),
    "gametheory.robustness": (
        "ab_test", "ABTest", "AttackPerformance", "certified_radius", "CertifiedRadius",
        "performance_under_attack", "red_team", "RedTeamReport", "survival_rate", "SurvivalReport",
    ),
    "gametheory.adversarial": ("adversarial_search", "AdversarialResult"),
    "gametheory.game": ("as_payoff_matrix", "ZeroSumGame"),
    "gametheory.bimatrix": ("attacker_payoff", "BimatrixGame", "DegenerateGameWarning"),
    "gametheory.payoff": ("build_payoff", "equity_curves", "path_drawdowns", "PayoffTables"),
    "gametheory.certificates": ("Certificate", "certify", "exploitability"),
    "gametheory.errors": (
        "ConfigError", "InfeasibleError", "InvalidGameError", "MarketDataError", "ScenarioError",
        "SolverError",
    ),
    "gametheory.metrics": ("max_drawdown", "performance_summary", "recovery_steps"),
})
