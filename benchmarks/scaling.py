"""Scale-out efficiency: the run's payoff blocks on one process against a local Dask cluster.

    python benchmarks/scaling.py [--workers 2] [--paths 512] [--repeat 2]

The same blocks (strategy chunk x scenario chunk, the default menu against the foundation
scenarios on S&P 500 base paths) run serially with Numba on one thread, then as Dask tasks on
``--workers`` processes (one Numba thread each). Prints seconds, speed-up and efficiency
(speed-up / workers), and checks that both give the same payoff matrix.
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

from antifragile.config import RunConfig  # noqa: E402
from antifragile.pipeline import _assemble, _payoff_block  # noqa: E402
from antifragile.scale import SerialRunner, chunks, runner  # noqa: E402
from gametheory.strategies import default_strategies  # noqa: E402
from scenarios import apply_scenarios, foundation_scenarios, load_market, make_paths  # noqa: E402
from timing import best_of  # noqa: E402


def _problem(n_paths: int):
    train, _ = load_market("sp500").split("2014-12-31")
    paths = make_paths(train, n_paths, 252, rng=0)
    scenarios = foundation_scenarios(train.log_returns)
    attacked = np.expm1(apply_scenarios(scenarios, paths.log_returns, paths.sigma, 0))
    return paths, [s.id for s in scenarios], attacked


def _time(blocks_runner, grid, shared, n_rows, repeat):
    return best_of(lambda: _assemble(blocks_runner.map(_payoff_block, grid, **shared), n_rows), repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--paths", type=int, default=512)
    parser.add_argument("--block", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    paths, ids, attacked = _problem(args.paths)
    strategies = default_strategies()
    row_chunks = chunks(len(strategies), args.block)
    grid = [(rows, cols) for rows in row_chunks for cols in chunks(len(ids), args.block)]
    shared = dict(strategies=strategies, ids=ids, attacked=attacked, config=RunConfig(),
                  sigma=paths.sigma, periods_per_year=252)
    numba.set_num_threads(1)
    _payoff_block(grid[0], **shared)  # compile off the timed path
    serial, reference = _time(SerialRunner(), grid, shared, len(row_chunks), args.repeat)
    with runner(workers=args.workers) as dask_runner:
        dask_runner.map(_payoff_block, grid[:args.workers], **shared)  # warm the workers
        distributed, tables = _time(dask_runner, grid, shared, len(row_chunks), args.repeat)
    same = np.array_equal(reference.utility.to_numpy(), tables.utility.to_numpy())
    cells = len(strategies) * len(ids) * args.paths * 252
    print(f"payoff blocks: {len(strategies)} strategies x {len(ids)} scenarios x {args.paths} paths x 252 steps, "
          f"{len(grid)} blocks; identical results: {same}")
    print(f"{'runner':<22}{'seconds':>10}{'steps/s':>12}{'speed-up':>10}{'efficiency':>12}")
    print(f"{'1 process, 1 thread':<22}{serial:>10.3f}{cells / serial:>12.3g}{1.0:>10.2f}{1.0:>12.2f}")
    speedup = serial / distributed
    print(f"{f'Dask, {args.workers} workers':<22}{distributed:>10.3f}{cells / distributed:>12.3g}"
          f"{speedup:>10.2f}{speedup / args.workers:>12.2f}")


if __name__ == "__main__":
    main()
