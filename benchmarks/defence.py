"""Does the circuit breaker pay? Strategies with and without the payoff kernel's breaker overlay.

    python benchmarks/defence.py [--variants 8 --paths 32 --steps 252 --seed 0]

Builds the scenario library (``scenarios.default_library`` with ``--variants`` per family and
level, plus the historical crash windows: a few hundred scenarios) on base paths fitted to the
S&P 500, and evaluates a few risky rules plain and with ``Strategy.with_breaker()`` (the default
daily settings) through ``gametheory.build_payoff``. Prints, per rule: the worst case over the
library (lowest mean log growth, deepest worst drawdown), the baseline (attack-free) scenario, the
library mean, and how many scenarios the breaker improved or worsened; then the game value of the
menu with and without the breaker versions (``solvers.solve_zero_sum``), so the game itself prices
the defence. Results are reported as measured, whatever they show.
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

import numpy as np  # noqa: E402

from gametheory.payoff import build_payoff  # noqa: E402
from gametheory.strategies import fixed, mean_reversion, trend_following, vol_target  # noqa: E402
from scenarios.data import load_market  # noqa: E402
from scenarios.library import default_library  # noqa: E402
from scenarios.paths import make_paths  # noqa: E402
from scenarios.scenario_set import apply_scenarios  # noqa: E402
from solvers import solve_zero_sum  # noqa: E402

BASELINE = "baseline/none"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=8, help="scenarios per family and severity level")
    parser.add_argument("--paths", type=int, default=32)
    parser.add_argument("--steps", type=int, default=252)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = load_market("sp500")
    library = default_library(args.seed, variants=args.variants, history=data.log_returns)
    paths = make_paths(data, args.paths, args.steps, rng=args.seed)
    returns = np.expm1(apply_scenarios(library, paths.log_returns, paths.sigma, args.seed))
    rules = [fixed(1.0), fixed(1.5), trend_following(20), mean_reversion(20), vol_target(0.15)]
    guarded = [rule.with_breaker() for rule in rules]
    tables = build_payoff(rules + guarded, library.ids, returns, sigma0=paths.sigma, cost=0.0005)
    growth, worst_dd = tables.log_growth, tables.worst_drawdown
    families = np.array([s.family for s in library])

    print(f"{len(library)} scenarios ({', '.join(sorted(set(families)))}) x {args.paths} paths x {args.steps} "
          f"days; breaker {dict(guarded[0].breaker)}; built in {time.perf_counter() - start:.1f} s")
    print("log growth is annualised, drawdowns are fractions; 'cb' = with the breaker")
    header = (f"{'strategy':<20}{'worst growth':>14}{'cb':>8}{'worst dd':>10}{'cb':>8}{'baseline growth':>17}"
              f"{'cb':>8}{'base dd':>9}{'cb':>7}{'mean growth':>13}{'cb':>8}{'cb better/worse':>17}")
    print(header)
    for rule, guard in zip(rules, guarded):
        g0, g1 = growth.loc[rule.name].to_numpy(), growth.loc[guard.name].to_numpy()
        d0, d1 = worst_dd.loc[rule.name].to_numpy(), worst_dd.loc[guard.name].to_numpy()
        better, worse = int(np.sum(g1 > g0 + 1e-12)), int(np.sum(g1 < g0 - 1e-12))
        base = library.ids.index(BASELINE)
        print(f"{rule.name:<20}{g0.min():>14.3f}{g1.min():>8.3f}{d0.max():>10.3f}{d1.max():>8.3f}"
              f"{g0[base]:>17.4f}{g1[base]:>8.4f}{tables.mean_drawdown.loc[rule.name, BASELINE]:>9.3f}"
              f"{tables.mean_drawdown.loc[guard.name, BASELINE]:>7.3f}{g0.mean():>13.3f}{g1.mean():>8.3f}"
              f"{f'{better}/{worse}':>17}")

    print("\nworst-case growth by family (plain -> cb, the rule's worst scenario in the family):")
    for family in sorted(set(families)):
        cells = []
        for rule, guard in zip(rules, guarded):
            mask = families == family
            cells.append(f"{growth.loc[rule.name].to_numpy()[mask].min():.2f}->"
                         f"{growth.loc[guard.name].to_numpy()[mask].min():.2f}")
        print(f"  {family:<14}" + "  ".join(f"{rule.name}: {cell}" for rule, cell in zip(rules, cells)))

    plain_game = build_payoff(rules, library.ids, returns, sigma0=paths.sigma, cost=0.0005).game()
    plain_value = solve_zero_sum(plain_game).value
    both = solve_zero_sum(tables.game())
    weights = {name: w for name, w in zip(tables.utility.index, both.row_strategy) if w > 1e-6}
    print(f"\ngame value (worst-case mixed log growth): plain menu {plain_value:.4f}, with breaker versions "
          f"{both.value:.4f} (exploitability {both.exploitability:.1e}); equilibrium mix "
          + ", ".join(f"{name} {w:.2f}" for name, w in weights.items()))


if __name__ == "__main__":
    main()
