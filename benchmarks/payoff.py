"""Payoff kernel versus the plain-NumPy reference, on the same inputs.

    python benchmarks/payoff.py [--scenarios 12 --paths 256 --steps 252 --reference-scenarios 1]

Times :func:`accelerated.payoff.payoff_tables_nb` (warmed off the timed path, best of
``--repeat``) and :func:`accelerated.reference.payoff_tables_reference` on the default strategy
menu. The reference runs on the first ``--reference-scenarios`` scenarios only and its throughput
is per strategy-path-step, so the two rates compare directly; its seconds are scaled to the full
problem. Prints one table and the largest relative difference between the two on the shared cells.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

import numba  # noqa: E402
import numpy as np  # noqa: E402

from accelerated.payoff import payoff_tables_nb  # noqa: E402
from accelerated.reference import payoff_tables_reference  # noqa: E402
from gametheory.strategies import default_strategies, encode  # noqa: E402
from timing import best_seconds  # noqa: E402


def _returns(n_scenarios: int, n_paths: int, n_steps: int, seed: int) -> np.ndarray:
    """Simple returns (n_scenarios, n_paths, n_steps): Student-t days, a crash in every third scenario."""
    rng = np.random.default_rng(seed)
    vol = rng.uniform(0.008, 0.025, size=(n_scenarios, 1, 1))
    log_returns = 0.0003 + vol * rng.standard_t(4, size=(n_scenarios, n_paths, n_steps)) / np.sqrt(2.0)
    log_returns[::3, :, n_steps // 2] -= 0.25
    return np.expm1(log_returns)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=12)
    parser.add_argument("--paths", type=int, default=256)
    parser.add_argument("--steps", type=int, default=252)
    parser.add_argument("--reference-scenarios", type=int, default=1, help="scenarios the NumPy reference runs on")
    parser.add_argument("--quick-strategies", action="store_true", help="the 8-strategy menu instead of 18")
    parser.add_argument("--repeat", type=int, default=10, help="kernel timings; the best is kept")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    strategies = default_strategies(quick=args.quick_strategies)
    kinds, params = encode(strategies)
    multipliers = np.ones(len(strategies))
    returns = _returns(args.scenarios, args.paths, args.steps, args.seed)
    settings = dict(sigma0=0.012, cost=0.0005, periods_per_year=252.0)
    n_ref = min(args.reference_scenarios, args.scenarios)

    payoff_tables_nb(returns[:1, :2, :8], kinds, params, multipliers, **settings)  # compile / load, untimed
    kernel_s = best_seconds(lambda: payoff_tables_nb(returns, kinds, params, multipliers, **settings), args.repeat)
    start = time.perf_counter()
    reference = payoff_tables_reference(returns[:n_ref], kinds, params, multipliers, **settings)
    reference_s = (time.perf_counter() - start) * args.scenarios / n_ref
    kernel = payoff_tables_nb(returns, kinds, params, multipliers, **settings)

    work = len(strategies) * args.scenarios * args.paths * args.steps
    shared = kernel[:, :, :n_ref]
    diff = np.max(np.abs(shared - reference) / np.maximum(np.abs(reference), 1e-12))
    print(
        f"payoff tables: {len(strategies)} strategies x {args.scenarios} scenarios x {args.paths} paths "
        f"x {args.steps} steps, {numba.get_num_threads()} Numba threads "
        f"(NumPy reference on {n_ref} scenario(s), seconds scaled to all)"
    )
    print(f"{'implementation':<16}{'seconds':>10}{'strategy-path-steps/s':>24}{'vs NumPy':>10}")
    for name, seconds in [("numba kernel", kernel_s), ("numpy reference", reference_s)]:
        print(f"{name:<16}{seconds:>10.4f}{work / seconds:>24.3e}{reference_s / seconds:>9.1f}x")
    print(f"max relative difference kernel vs reference: {diff:.2e}")


if __name__ == "__main__":
    main()
