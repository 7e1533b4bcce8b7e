"""Shared test settings: a writable Numba cache and a fixed hypothesis profile."""

import os
from pathlib import Path

os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parents[1] / ".numba_cache"))

from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "antifragile", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.load_profile("antifragile")
