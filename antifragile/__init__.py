"""antifragile: how a trading strategy behaves when the market is against it.

The front of the library: the ``antifragile run`` pipeline, its configuration,
reports, and robust position limits.
"""

__version__ = "0.1.0"

from antifragile.config import RunConfig  # noqa: E402

__all__ = ["RunConfig", "__version__"]
