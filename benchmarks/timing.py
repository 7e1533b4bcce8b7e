"""Shared timing for the benchmark scripts."""

import time

import numpy as np


def best_seconds(function, repeat: int) -> float:
    """The shortest of ``repeat`` timed calls of ``function()``, in seconds."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best
