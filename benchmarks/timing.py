"""Shared timing for the benchmark scripts."""

import time

import numpy as np


def best_of(function, repeat: int) -> tuple[float, object]:
    """The shortest of ``repeat`` timed calls of ``function()``, in seconds, and the last call's result."""
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_seconds(function, repeat: int) -> float:
    """The shortest of ``repeat`` timed calls of ``function()``, in seconds."""
    return best_of(function, repeat)[0]
