"""Spoofing across order books: false alarms on normal books and spoofs caught, with the defaults.

    python benchmarks/spoofing.py [--quick] [--seed 0]

Each book is an order-imbalance model written here (prices and volumes come from
``antifragile.streams.simulate_ticks``): tanh of an AR(1) at several persistences, an AR(0.95) plus
white noise, a saturated book, two log-normal queues of whole lots (``(b - a) / (b + a)``), a book
that changes on half the ticks only, and signed order flow with Student-t(3) shocks (not bounded by
1). Per book, with ``ManipulationDetector()`` and no calibration:

- normal streams: spoofing-flagged ticks and spoofing alarm onsets per 10,000 ticks;
- spoofs, one per stream at a random tick in the middle half, lasting 50 to 200 ticks, in a random
  direction: the imbalance held at a level (plus noise of sd 0.1), or, on the queue book, one queue
  multiplied 5, 10 or 20 times. Caught: a ``spoofing`` flag within the spoof and 20 ticks after.

The table is what docs/operations.md quotes for the spoofing jump rule; run the same script on an
older checkout for the "without" column.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

import numpy as np  # noqa: E402
from scipy.signal import lfilter  # noqa: E402

from antifragile.detector import ManipulationDetector  # noqa: E402
from antifragile.streams import simulate_ticks  # noqa: E402

GRACE = 20  # ticks after a spoof's end in which a flag still counts


def ar1(rng, shape, phi, sd, shocks=None):
    """Stationary AR(1) rows with coefficient ``phi`` and sd ``sd`` (Gaussian shocks unless given)."""
    shocks = rng.standard_normal(shape) if shocks is None else shocks
    innovations = sd * np.sqrt(1.0 - phi**2) * shocks
    innovations[:, 0] = sd * shocks[:, 0]
    return lfilter([1.0], [1.0, -phi], innovations, axis=1)


def tanh_book(phi, sd=0.25):
    return lambda rng, shape: (np.tanh(ar1(rng, shape, phi, sd)), None)


def noisy_book(rng, shape):
    return np.clip(ar1(rng, shape, 0.95, 0.25) + rng.normal(0.0, 0.1, shape), -1.0, 1.0), None


def queue_book(rng, shape, size=50.0):
    """Bid and ask queues of whole lots, log-normal around ``size`` with AR(0.97) logs (sd 0.8)."""
    bid, ask = (np.maximum(1.0, np.round(size * np.exp(ar1(rng, shape, 0.97, 0.8)))) for _ in range(2))
    return (bid - ask) / (bid + ask), (bid, ask)


def half_sampled_book(rng, shape):
    """tanh AR(0.95) that changes on half the ticks and repeats itself in between."""
    imbalance, _ = tanh_book(0.95)(rng, shape)
    changes = rng.random(shape) < 0.5
    changes[:, 0] = True
    last_change = np.maximum.accumulate(np.where(changes, np.arange(shape[1]), 0), axis=1)
    return np.take_along_axis(imbalance, last_change, axis=1), None


def order_flow_book(rng, shape):
    """Signed order flow: AR(0.9) of Student-t(3) shocks scaled to unit variance."""
    return ar1(rng, shape, 0.9, 1.0, rng.standard_t(3.0, shape) / np.sqrt(3.0)), None


BOOKS = {  # name: (imbalance model, spoof kind, spoof sizes)
    "tanh AR(0)": (tanh_book(0.0), "level", (0.3, 0.5, 0.7)),
    "tanh AR(0.8)": (tanh_book(0.8), "level", (0.3, 0.5, 0.7)),
    "tanh AR(0.95)": (tanh_book(0.95), "level", (0.3, 0.5, 0.7)),
    "tanh AR(0.99)": (tanh_book(0.99), "level", (0.3, 0.5, 0.7)),
    "AR(0.95) + noise": (noisy_book, "level", (0.3, 0.5, 0.7)),
    "saturated, tanh AR(0.9) sd 0.8": (tanh_book(0.9, 0.8), "level", (0.6, 0.8, 0.95)),
    "queues, AR(0.97) log sizes": (queue_book, "queue", (5.0, 10.0, 20.0)),
    "tanh AR(0.95), half the ticks": (half_sampled_book, "level", (0.3, 0.5, 0.7)),
    "order flow, AR(0.9) of t(3)": (order_flow_book, "level", (3.0, 5.0, 8.0)),
}


def streams(book, n_streams, n_ticks, seed):
    rng = np.random.default_rng(seed)
    ticks = simulate_ticks(rng.uniform(0.008, 0.02, n_streams), n_ticks, rng=rng)
    imbalance, queues = BOOKS[book][0](rng, (n_streams, n_ticks))
    return ticks, imbalance, queues, rng


def spoofing_flags(detector, ticks, imbalance, i):
    frame = detector.reset().detect(ticks.prices[i], ticks.volumes[i], imbalance, ticks.reference[i])
    return (frame["family"] == "spoofing").to_numpy()


def normal_rates(detector, book, n_streams, n_ticks, seed) -> tuple[float, float]:
    """Spoofing-flagged ticks and spoofing alarm onsets per 10,000 normal ticks."""
    ticks, imbalance, _, _ = streams(book, n_streams, n_ticks, seed)
    flagged = onsets = 0
    for i in range(n_streams):
        flags = spoofing_flags(detector, ticks, imbalance[i], i)
        flagged += flags.sum()
        onsets += flags[0] + (flags[1:] & ~flags[:-1]).sum()
    return 1e4 * flagged / (n_streams * n_ticks), 1e4 * onsets / (n_streams * n_ticks)


def caught(detector, book, n_streams, n_ticks, seed) -> list[int]:
    """Spoofs caught out of ``n_streams`` per spoof size."""
    ticks, imbalance, queues, rng = streams(book, n_streams, n_ticks, seed)
    _, kind, sizes = BOOKS[book]
    counts = []
    for size in sizes:
        count = 0
        for i in range(n_streams):
            length = int(rng.integers(50, 200))
            onset = int(rng.integers(n_ticks // 4, 3 * n_ticks // 4))
            span, sign = slice(onset, onset + length), rng.choice([-1.0, 1.0])
            spoofed = imbalance[i].copy()
            if kind == "queue":
                bid, ask = queues[0][i].copy(), queues[1][i].copy()
                (bid if sign > 0 else ask)[span] *= size
                spoofed = (bid - ask) / (bid + ask)
            else:
                spoofed[span] = sign * size + 0.1 * rng.standard_normal(length)
                if np.abs(imbalance[i]).max() <= 1.0:  # a bounded book stays bounded
                    spoofed[span] = np.clip(spoofed[span], -0.99, 0.99)
            count += spoofing_flags(detector, ticks, spoofed, i)[onset : onset + length + GRACE].any()
        counts.append(count)
    return counts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter streams (about a minute)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    normal_streams, normal_ticks = (8, 10_000) if args.quick else (64, 20_000)
    spoof_streams, spoof_ticks = (10, 6000) if args.quick else (30, 6000)
    detector = ManipulationDetector()
    print(f"normal: {normal_streams} streams x {normal_ticks:,} ticks per book; spoofs: {spoof_streams} per size, "
          f"streams of {spoof_ticks:,} ticks; default thresholds")
    print(f"{'book':<32}{'flagged/10k':>12}{'alarms/10k':>11}  {'spoof sizes':<23}caught")
    for b, book in enumerate(BOOKS):
        flagged, alarms = normal_rates(detector, book, normal_streams, normal_ticks, [args.seed, b, 1])
        counts = caught(detector, book, spoof_streams, spoof_ticks, [args.seed, b, 2])
        sizes = " / ".join(f"{s:g}" for s in BOOKS[book][2])
        unit = "x queue" if BOOKS[book][1] == "queue" else "level"
        print(f"{book:<32}{flagged:>12.2f}{alarms:>11.2f}  {sizes + ' ' + unit:<23}"
              + " / ".join(str(c) for c in counts) + f" of {spoof_streams}", flush=True)


if __name__ == "__main__":
    main()
