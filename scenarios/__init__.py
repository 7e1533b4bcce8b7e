"""Market data, base-path models and the attacker's moves."""

from scenarios.attacks import (
    AttackSpec,
    BlackSwan,
    FlashCrash,
    HistoricalReplay,
    NoAttack,
    PumpAndDump,
    as_log_returns,
)
from scenarios.data import MIN_OBS, PERIODS_PER_YEAR, MarketData, load_market, load_prices, validate_prices
from scenarios.errors import MarketDataError, ScenarioError
from scenarios.history import CRASH_WINDOWS, CrashWindow, available_windows, crash_window
from scenarios.paths import (
    MODELS,
    BasePaths,
    GarchFit,
    bootstrap_paths,
    fit_garch,
    garch_paths,
    make_paths,
    simulate_garch,
)
from scenarios.scenario_set import (
    FULL_SEVERITY_DRAWDOWN,
    REFERENCE_SIGMA,
    Scenario,
    apply_scenarios,
    attack_severity,
    foundation_scenarios,
)

__all__ = [
    "CRASH_WINDOWS",
    "FULL_SEVERITY_DRAWDOWN",
    "MIN_OBS",
    "MODELS",
    "PERIODS_PER_YEAR",
    "REFERENCE_SIGMA",
    "AttackSpec",
    "BasePaths",
    "BlackSwan",
    "CrashWindow",
    "FlashCrash",
    "GarchFit",
    "HistoricalReplay",
    "MarketData",
    "MarketDataError",
    "NoAttack",
    "PumpAndDump",
    "Scenario",
    "ScenarioError",
    "apply_scenarios",
    "as_log_returns",
    "attack_severity",
    "available_windows",
    "bootstrap_paths",
    "crash_window",
    "fit_garch",
    "foundation_scenarios",
    "garch_paths",
    "load_market",
    "load_prices",
    "make_paths",
    "simulate_garch",
    "validate_prices",
]
