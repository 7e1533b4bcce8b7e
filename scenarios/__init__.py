"""Market data, base-path models and the attacker's moves."""

from scenarios.lazy import lazy_exports

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "scenarios.history": ("CRASH_WINDOWS", "available_windows", "crash_window", "CrashWindow"),
    "scenarios.library": ("FAMILIES", "default_library", "ScenarioLibrary", "stress_severity"),
    "scenarios.scenario_set": (
        "FULL_SEVERITY_DRAWDOWN", "REFERENCE_SIGMA", "apply_scenarios", "attack_severity",
        "foundation_scenarios", "Scenario",
    ),
    "scenarios.events": ("INTRADAY_EVENTS", "event_increments", "IntradayEvent", "IntradayShape"),
    "scenarios.intraday": ("MINUTES_PER_DAY", "daily_totals", "intraday_paths", "u_shape"),
    "scenarios.data": (
        "MIN_OBS", "PERIODS_PER_YEAR", "load_market", "load_prices", "MarketData", "validate_prices",
    ),
    "scenarios.paths": (
        "MODELS", "VOLS", "BasePaths", "bootstrap_paths", "fit_garch", "garch_paths", "GarchFit",
        "make_paths", "simulate_garch",
    ),
    "scenarios.attacks": (
        "as_log_returns", "AttackSpec", "BlackSwan", "FlashCrash", "HistoricalReplay", "kernel_threads",
        "LiquidityGap", "NoAttack", "Perturbation", "PumpAndDump", "VolatilityRegime",
    ),
    "scenarios.stylized": ("compare_facts", "stylized_facts", "StylizedFacts"),
    "scenarios.multiasset": ("Coordinated", "joint_bootstrap_paths", "MultiAssetPaths"),
    "scenarios.errors": ("MarketDataError", "ScenarioError"),
    "scenarios.orderflow": ("order_flow_paths", "OrderFlowPaths", "Spoofing"),
})
