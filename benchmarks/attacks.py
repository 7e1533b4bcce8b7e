"""Attack kernels versus a vectorised NumPy version of the same attack, in the same run.

    python benchmarks/attacks.py [--shapes 256x390 4096x390 16384x390 --threads 2 --repeat 10]

Latency: one flash crash on one 390-step path, the kernel called directly on one thread (what a
live check would call), the NumPy version, and the public ``FlashCrash.apply`` given a
Generator (validation, onset draw and thread switch included). Throughput: path-steps per
second for each (paths, steps) shape with the kernel on one thread and on ``--threads`` Numba
threads, against the NumPy version of that shape (ratio column). The NumPy version is checked
equal to the kernel before timing. The load average is printed with the table: on a shared
machine the figures move with it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

import numba  # noqa: E402
import numpy as np  # noqa: E402

from accelerated.attacks import flash_crash_nb  # noqa: E402
from scenarios.attacks import FlashCrash  # noqa: E402
from timing import best_seconds  # noqa: E402

CRASH = (0.2, 5, 0.5, 30)  # depth, fall_steps, recovery_share, recovery_steps


def flash_crash_numpy(x, onsets, depth, fall_steps, recovery_share, recovery_steps):
    """The same attack with broadcasting: masks of the fall and recovery spans."""
    steps = np.arange(x.shape[1])[None, :]
    start = onsets[:, None]
    fall = np.log1p(-depth)
    in_fall = (steps >= start) & (steps < start + fall_steps)
    in_recovery = (steps >= start + fall_steps) & (steps < start + fall_steps + recovery_steps)
    return x + in_fall * (fall / fall_steps) - in_recovery * (recovery_share * fall / recovery_steps)


def _shape(text):
    paths, steps = (int(v) for v in text.lower().split("x"))
    return paths, steps


def _load():
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", type=_shape, nargs="+", default=[(256, 390), (4096, 390), (16384, 390)],
                        help="path sets as PATHSxSTEPS")
    parser.add_argument("--threads", type=int, default=2, help="Numba threads of the parallel rows")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args(argv)
    threads = min(args.threads, numba.config.NUMBA_NUM_THREADS)
    rng = np.random.default_rng(0)
    rows = []  # (case, seconds, path-steps, baseline seconds per path-step)

    n_steps = 390
    one_x = rng.normal(0.0, 0.001, size=(1, n_steps))
    one_onset = np.array([100], dtype=np.int64)
    crash = FlashCrash(CRASH[0], fall_steps=CRASH[1], recovery_share=CRASH[2], recovery_steps=CRASH[3])
    numba.set_num_threads(1)
    flash_crash_nb(one_x, one_onset, *CRASH)  # warm (compile or load from the cache) off the timed path
    crash.apply(one_x, 0.001, rng=0)
    latency_repeat = args.repeat * 100
    numpy_latency = best_seconds(lambda: flash_crash_numpy(one_x, one_onset, *CRASH), latency_repeat)
    rows.append((f"latency 1x{n_steps}: NumPy (baseline)", numpy_latency, n_steps, numpy_latency / n_steps))
    kernel_latency = best_seconds(lambda: flash_crash_nb(one_x, one_onset, *CRASH), latency_repeat)
    rows.append((f"latency 1x{n_steps}: kernel, 1 thread", kernel_latency, n_steps, numpy_latency / n_steps))
    generator = np.random.default_rng(1)
    apply_latency = best_seconds(lambda: crash.apply(one_x, 0.001, rng=generator), latency_repeat)
    rows.append((f"latency 1x{n_steps}: FlashCrash.apply", apply_latency, n_steps, numpy_latency / n_steps))

    for n_paths, n_steps in args.shapes:
        x = rng.normal(0.0, 0.001, size=(n_paths, n_steps))
        onsets = rng.integers(0, n_steps, size=n_paths).astype(np.int64)
        numba.set_num_threads(threads)
        np.testing.assert_allclose(flash_crash_nb(x, onsets, *CRASH), flash_crash_numpy(x, onsets, *CRASH),
                                   atol=1e-12)
        size = x.size
        label = f"{n_paths}x{n_steps}"
        baseline = best_seconds(lambda: flash_crash_numpy(x, onsets, *CRASH), args.repeat)
        rows.append((f"{label}: NumPy (baseline)", baseline, size, baseline / size))
        numba.set_num_threads(1)
        rows.append((f"{label}: kernel, 1 thread", best_seconds(lambda: flash_crash_nb(x, onsets, *CRASH), args.repeat),
                     size, baseline / size))
        numba.set_num_threads(threads)
        rows.append((f"{label}: kernel, {threads} threads",
                     best_seconds(lambda: flash_crash_nb(x, onsets, *CRASH), args.repeat), size, baseline / size))

    print(f"flash crash injection, best of {args.repeat} ({latency_repeat} for latency); "
          f"{os.cpu_count()} CPUs, {_load()}")
    print(f"{'case':36s} {'seconds':>11s} {'Msteps/s':>10s} {'vs NumPy':>9s}")
    for name, seconds, n, base_per_step in rows:
        print(f"{name:36s} {seconds:11.3e} {n / seconds / 1e6:10.1f} {base_per_step / (seconds / n):9.2f}")
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
