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
    VOLS,
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

from scenarios.attacks import LiquidityGap, Perturbation, VolatilityRegime, kernel_threads
from scenarios.events import INTRADAY_EVENTS, IntradayEvent, IntradayShape, event_increments
from scenarios.intraday import MINUTES_PER_DAY, daily_totals, intraday_paths, u_shape
from scenarios.library import FAMILIES, ScenarioLibrary, default_library, stress_severity
from scenarios.multiasset import Coordinated, MultiAssetPaths, joint_bootstrap_paths
from scenarios.orderflow import OrderFlowPaths, Spoofing, order_flow_paths
from scenarios.stylized import StylizedFacts, compare_facts, stylized_facts

__all__ = [
    "CRASH_WINDOWS",
    "FAMILIES",
    "FULL_SEVERITY_DRAWDOWN",
    "INTRADAY_EVENTS",
    "MINUTES_PER_DAY",
    "MIN_OBS",
    "MODELS",
    "VOLS",
    "PERIODS_PER_YEAR",
    "REFERENCE_SIGMA",
    "apply_scenarios",
    "as_log_returns",
    "attack_severity",
    "AttackSpec",
    "available_windows",
    "BasePaths",
    "BlackSwan",
    "bootstrap_paths",
    "compare_facts",
    "Coordinated",
    "crash_window",
    "CrashWindow",
    "daily_totals",
    "default_library",
    "event_increments",
    "fit_garch",
    "FlashCrash",
    "foundation_scenarios",
    "garch_paths",
    "GarchFit",
    "HistoricalReplay",
    "intraday_paths",
    "IntradayEvent",
    "IntradayShape",
    "joint_bootstrap_paths",
    "kernel_threads",
    "LiquidityGap",
    "load_market",
    "load_prices",
    "make_paths",
    "MarketData",
    "MarketDataError",
    "MultiAssetPaths",
    "NoAttack",
    "order_flow_paths",
    "OrderFlowPaths",
    "Perturbation",
    "PumpAndDump",
    "Scenario",
    "ScenarioError",
    "ScenarioLibrary",
    "simulate_garch",
    "Spoofing",
    "stress_severity",
    "stylized_facts",
    "StylizedFacts",
    "u_shape",
    "validate_prices",
    "VolatilityRegime",
]
