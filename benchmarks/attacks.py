"""Attack kernels versus a vectorised NumPy version of the same attack, in the same run.

    python benchmarks/attacks.py [--paths 256 --steps 390 --repeat 20]

Latency: one flash crash on one 390-step path (kernel called directly, one thread: what a
live check would call). Throughput: path-steps per second on (paths, steps) with the
kernel's default threads and with one thread, against the NumPy version. The NumPy version
is checked equal to the kernel before timing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

import numba  # noqa: E402
import numpy as np  # noqa: E402

from accelerated.attacks import flash_crash_nb  # noqa: E402


def flash_crash_numpy(x, onsets, depth, fall_steps, recovery_share, recovery_steps):
    """The same attack with broadcasting: masks of the fall and recovery spans."""
    steps = np.arange(x.shape[1])[None, :]
    start = onsets[:, None]
    fall = np.log1p(-depth)
    in_fall = (steps >= start) & (steps < start + fall_steps)
    in_recovery = (steps >= start + fall_steps) & (steps < start + fall_steps + recovery_steps)
    return x + in_fall * (fall / fall_steps) - in_recovery * (recovery_share * fall / recovery_steps)


def _best(function, repeat):
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=256)
    parser.add_argument("--steps", type=int, default=390)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 0.001, size=(args.paths, args.steps))
    onsets = rng.integers(0, args.steps, size=args.paths).astype(np.int64)
    crash = (0.2, 5, 0.5, 30)
    np.testing.assert_allclose(flash_crash_nb(x, onsets, *crash), flash_crash_numpy(x, onsets, *crash), atol=1e-12)
    flash_crash_nb(x[:1].copy(), onsets[:1].copy(), *crash)  # warm the 1-path call
    threads = numba.get_num_threads()
    one_x, one_onset = x[:1].copy(), onsets[:1].copy()
    size = x.size
    rows = []
    numba.set_num_threads(1)
    rows.append(("latency: 1 path x %d steps, kernel (1 thread)" % args.steps,
                 _best(lambda: flash_crash_nb(one_x, one_onset, *crash), args.repeat * 50), one_x.size))
    rows.append(("latency: 1 path, NumPy", _best(lambda: flash_crash_numpy(one_x, one_onset, *crash),
                                                  args.repeat * 50), one_x.size))
    rows.append(("flash crash, kernel 1 thread", _best(lambda: flash_crash_nb(x, onsets, *crash), args.repeat), size))
    numba.set_num_threads(threads)
    rows.append((f"flash crash, kernel {threads} threads", _best(lambda: flash_crash_nb(x, onsets, *crash),
                                                                 args.repeat), size))
    rows.append(("flash crash, NumPy (baseline)", _best(lambda: flash_crash_numpy(x, onsets, *crash), args.repeat),
                 size))
    baseline = rows[-1][1] / size
    print(f"attacks on ({args.paths}, {args.steps}) log returns; best of {args.repeat}")
    print(f"{'case':48s} {'seconds':>11s} {'Msteps/s':>10s} {'vs NumPy':>9s}")
    for name, seconds, n in rows:
        print(f"{name:48s} {seconds:11.3e} {n / seconds / 1e6:10.1f} {baseline / (seconds / n):9.2f}")


if __name__ == "__main__":
    main()
