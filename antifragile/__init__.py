"""antifragile: how a trading strategy behaves when the market is against it.

The front of the library: the ``antifragile run`` pipeline, its configuration,
reports, and robust position limits. Names load on first use, so ``antifragile --help`` and
the live guard start without loading the solvers.
"""

from scenarios.lazy import lazy_exports

__version__ = "0.1.0"

__all__, __getattr__, __dir__ = lazy_exports(__name__, {
    "antifragile.breaker": ("BreakerDecision", "BreakerEvent", "CircuitBreaker"),
    "antifragile.config": ("RunConfig",),
    "antifragile.detector": ("ManipulationDetector", "TickResult"),
    "gametheory.errors": ("ConfigError", "MarketDataError"),
})
__all__.append("__version__")
