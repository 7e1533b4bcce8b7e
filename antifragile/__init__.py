"""antifragile: how a trading strategy behaves when the market is against it.

The front of the library: the ``antifragile run`` pipeline, its configuration,
reports, and robust position limits.
"""

__version__ = "0.1.0"

from antifragile.breaker import BreakerDecision, BreakerEvent, CircuitBreaker  # noqa: E402
from antifragile.config import RunConfig  # noqa: E402
from antifragile.detector import ManipulationDetector, TickResult  # noqa: E402

__all__ = [
    "BreakerDecision",
    "BreakerEvent",
    "CircuitBreaker",
    "ManipulationDetector",
    "RunConfig",
    "TickResult",
    "__version__",
]
