"""Zero-sum solvers on the same random games in the same run: time and exploitability reached.

    python benchmarks/solvers.py [--sizes 100 300] [--large] [--repeat 1] [--seed 0]

Games are uniform random ``n x n`` matrices in [0, 1] (range 1, so the exploitability column is
already relative to the range). Peers: scipy's HiGHS dual simplex and interior point on the
maximin LP, nashpy's ``linear_program`` (support enumeration only up to 8 x 8, where it finishes),
and pygambit's LP solver when pygambit is installed. Ours: ``solve_zero_sum`` with ``lp``,
``rm+`` / ``prm+`` / ``pdhg`` at 1e-4, and ``auto`` at 1e-4 and exact (1e-9). Every time has the
exploitability reached beside it, recomputed from the matrix, and its ratio to HiGHS interior
point on the same game (both players' LPs, as a certificate needs both mixes). ``auto`` exact
runs predictive RM+ to 1e-4 and then HiGHS's dual simplex on the likely supports, warm-started
from the basis the iterate suggests, polished by the indifference conditions and certified on
the full matrix. ``--large`` adds 1000 x 1000. Kernels are warmed off the timed path.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
os.environ.setdefault("NUMBA_CACHE_DIR", str(ROOT / ".numba_cache"))

import numpy as np  # noqa: E402
from scipy.optimize import linprog  # noqa: E402

from accelerated.iterative import rm_plus_reference  # noqa: E402
from gametheory.certificates import exploitability  # noqa: E402
from solvers.zero_sum import solve_zero_sum  # noqa: E402
from timing import best_of  # noqa: E402


def _scipy_lp(a: np.ndarray, method: str):
    """The maximin LP for the row player and the one for the column player (both needed for a certificate)."""

    def maximin(b):
        m, n = b.shape
        c = np.r_[np.zeros(m), -1.0]
        a_ub = np.hstack([-b.T, np.ones((n, 1))])
        a_eq = np.r_[np.ones(m), 0.0][None]
        res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0],
                      bounds=[(0, None)] * m + [(None, None)], method=method)
        return np.clip(res.x[:m], 0, None)

    x = maximin(a)
    y = maximin(-a.T)
    return x / x.sum(), y / y.sum()


def _nashpy(a: np.ndarray, how: str):
    import nashpy

    game = nashpy.Game(a)
    if how == "linear_program":
        return game.linear_program()
    return next(iter(game.support_enumeration()))


def _pygambit(a: np.ndarray):
    import pygambit

    game = pygambit.Game.from_arrays(a, -a)
    eq = pygambit.nash.lp_solve(game, rational=False).equilibria[0]
    x = np.array([float(eq[s]) for s in game.players[0].strategies])
    y = np.array([float(eq[s]) for s in game.players[1].strategies])
    return x, y


def _ours(method: str, tol: float):
    def solve(a):
        sol = solve_zero_sum(a, method, tol=tol)
        return sol.row_strategy, sol.col_strategy

    return solve


def _peers(n: int) -> list[tuple[str, object]]:
    peers = [
        ("scipy highs-ds (simplex)", lambda a: _scipy_lp(a, "highs-ds")),
        ("scipy highs-ipm", lambda a: _scipy_lp(a, "highs-ipm")),
        ("nashpy linear_program", lambda a: _nashpy(a, "linear_program")),
    ]
    if n <= 8:
        peers.append(("nashpy support_enumeration", lambda a: _nashpy(a, "support_enumeration")))
    try:
        import pygambit  # noqa: F401

        peers.append(("pygambit lp_solve", _pygambit))
    except ImportError:
        print("pygambit is not installed: its row is left out")
    return peers + [
        ("ours lp", _ours("lp", 1e-9)),
        ("ours rm+ tol=1e-4", _ours("rm+", 1e-4)),
        ("ours prm+ tol=1e-4", _ours("prm+", 1e-4)),
        ("ours pdhg tol=1e-4", _ours("pdhg", 1e-4)),
        ("ours auto tol=1e-4", _ours("auto", 1e-4)),
        ("ours auto exact (1e-9)", _ours("auto", 1e-9)),
    ]


def _huge(n: int, seed: int, repeat: int) -> None:
    """Approximate (1e-4) solve of an n x n game: ours against the plain-NumPy predictive RM+ loop run for
    as many iterations as ours needed, in the same run."""
    a = np.random.default_rng(seed + n).random((n, n))
    print(f"approximate, tol 1e-4 of the range, {n} x {n}")
    print(f"{'solver':<34} {'seconds':>9} {'iterations':>11} {'exploitability/range':>21} {'x numpy time':>13}")
    rows = []
    for method in ("prm+", "auto"):
        seconds, sol = best_of(lambda: solve_zero_sum(a, method, tol=1e-4), repeat)
        rows.append((f"ours {method}", seconds, sol.iterations, sol.exploitability / np.ptp(a)))
    iterations = rows[0][2]
    seconds, (x, y, _) = best_of(lambda: rm_plus_reference(a, iterations, predictive=True), 1)
    rows.append(("numpy predictive RM+ (same iters)", seconds, iterations, exploitability(a, x, y) / np.ptp(a)))
    for name, seconds_, its, gap in rows:
        print(f"{name:<34} {seconds_:>9.2f} {its:>11d} {gap:>21.2e} {seconds / seconds_:>13.2f}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--large", action="store_true", help="add 1000 x 1000")
    parser.add_argument("--repeat", type=int, default=1, help="timings per solver; the best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip", nargs="*", default=[], help="substrings of solver names to leave out")
    parser.add_argument("--huge", type=int, help="also an approximate n x n game (e.g. 10000), ours vs a NumPy loop")
    args = parser.parse_args(argv)
    sizes = args.sizes + ([1000] if args.large else [])
    warm = np.random.default_rng(99).random((20, 20))
    for method in ("rm+", "prm+", "pdhg", "auto"):
        solve_zero_sum(warm, method, tol=1e-4)
    print(f"{'n':>5}  {'solver':<28} {'seconds':>9} {'exploitability':>15} {'x highs-ipm time':>17}")
    for n in sizes:
        a = np.random.default_rng(args.seed + n).random((n, n))
        rows = []
        for name, function in _peers(n):
            if any(s in name for s in args.skip):
                continue
            seconds, (x, y) = best_of(lambda: function(a), args.repeat)
            rows.append((name, seconds, exploitability(a, x, y)))
        base = dict((name, s) for name, s, _ in rows).get("scipy highs-ipm", np.nan)
        for name, seconds, gap in rows:
            print(f"{n:>5}  {name:<28} {seconds:>9.3f} {gap:>15.2e} {base / seconds:>17.2f}")
        print()
    if args.huge:
        _huge(args.huge, args.seed, args.repeat)


if __name__ == "__main__":
    main()
