"""Does the circuit breaker pay? Strategies with and without the payoff kernel's breaker overlay.

    python benchmarks/defence.py [--variants 8 --paths 32 --steps 252 --seed 0 --base-paths 1024]
                                 [--breaker halt_loss=0.05 liquidate_loss=0.1 drop_z=0 ...]

Builds the scenario library (``scenarios.default_library`` with ``--variants`` per family and
level, plus the historical crash windows: a few hundred scenarios) on base paths fitted to the
S&P 500, and evaluates a few risky rules plain and with ``Strategy.with_breaker()`` (the default
daily settings, or those changed by ``--breaker``) through ``gametheory.build_payoff``. Prints, per
rule: the worst case over the library (lowest mean log growth, deepest worst drawdown), the
baseline (attack-free) scenario, the library mean, and how many scenarios the breaker improved or
worsened; then the game value of the menu with and without the breaker versions
(``solvers.solve_zero_sum``), so the game itself prices the defence.

The cost on normal paths is measured on ``--base-paths`` attack-free paths of their own (seed
``seed + 1000``, not the paths the defaults were chosen on): per rule, the paired difference of
annual log growth with minus without the breaker, path by path, with a paired bootstrap 95% CI
over paths, and the share of path-days the breaker cut the rule's exposure (and held it flat).
Results are reported as measured, whatever they show.
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

from accelerated.payoff import exposure_paths_nb  # noqa: E402
from gametheory.payoff import build_payoff, equity_curves  # noqa: E402
from gametheory.strategies import (  # noqa: E402
    BREAKER_DEFAULTS,
    encode,
    fixed,
    mean_reversion,
    trend_following,
    vol_target,
)
from scenarios.data import load_market  # noqa: E402
from scenarios.library import default_library  # noqa: E402
from scenarios.paths import make_paths  # noqa: E402
from scenarios.scenario_set import apply_scenarios  # noqa: E402
from solvers import solve_zero_sum  # noqa: E402

BASELINE = "baseline/none"
COST = 0.0005
BOOTSTRAP = 4000


def _setting(text: str):
    """``key=value`` of ``--breaker``: a number, or ``-``-joined stages."""
    key, _, value = text.partition("=")
    if key not in BREAKER_DEFAULTS or not value:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE with KEY one of {sorted(BREAKER_DEFAULTS)}, got {text!r}")
    if key == "stages":
        return key, tuple(float(v) for v in value.split("-"))
    number = float(value)
    return key, int(number) if isinstance(BREAKER_DEFAULTS[key][0], int) else number


def normal_path_cost(plain, guarded, returns, sigma0, periods_per_year, rng):
    """Paired cost of the breaker on attack-free paths.

    Parameters
    ----------
    plain, guarded : Strategy
        A rule and the same rule with the breaker.
    returns : float64 (n_paths, n_steps)
        Simple returns of attack-free paths.

    Returns
    -------
    mean, low, high : float
        Mean over paths of (annual log growth with the breaker - without), and its paired
        bootstrap 95% CI (paths resampled with replacement, both growths of a path together).
    cut, flat : float
        Shares of path-days the breaker held the exposure below the rule's, and at 0 while the rule
        was in the market.
    """
    n_paths, n_steps = returns.shape
    growth = [np.log(equity_curves(s, returns, sigma0=sigma0, cost=COST)[:, -1]) * periods_per_year / n_steps
              for s in (plain, guarded)]
    difference = growth[1] - growth[0]
    resampled = difference[rng.integers(0, n_paths, size=(BOOTSTRAP, n_paths))].mean(axis=1)
    low, high = np.quantile(resampled, [0.025, 0.975])
    wanted, taken = (np.abs(exposure_paths_nb(returns, kinds[0], params[0], 1.0, sigma0, COST, periods_per_year))
                     for kinds, params in (encode([plain]), encode([guarded])))
    cut = float(np.mean(taken < wanted - 1e-12))
    flat = float(np.mean((taken == 0.0) & (wanted > 0.0)))
    return float(difference.mean()), float(low), float(high), cut, flat


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=8, help="scenarios per family and severity level")
    parser.add_argument("--paths", type=int, default=32)
    parser.add_argument("--steps", type=int, default=252)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base-paths", type=int, default=1024, help="attack-free paths for the paired cost")
    parser.add_argument("--breaker", type=_setting, nargs="*", default=[], metavar="KEY=VALUE",
                        help="breaker settings other than the defaults, e.g. halt_loss=0.05 stages=0.5-1")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    data = load_market("sp500")
    library = default_library(args.seed, variants=args.variants, history=data.log_returns)
    paths = make_paths(data, args.paths, args.steps, rng=args.seed)
    returns = np.expm1(apply_scenarios(library, paths.log_returns, paths.sigma, args.seed))
    rules = [fixed(1.0), fixed(1.5), trend_following(20), mean_reversion(20), vol_target(0.15)]
    guarded = [rule.with_breaker(**dict(args.breaker)) for rule in rules]
    tables = build_payoff(rules + guarded, library.ids, returns, sigma0=paths.sigma, cost=COST)
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

    plain_game = build_payoff(rules, library.ids, returns, sigma0=paths.sigma, cost=COST).game()
    plain_value = solve_zero_sum(plain_game).value
    both = solve_zero_sum(tables.game())
    weights = {name: w for name, w in zip(tables.utility.index, both.row_strategy) if w > 1e-6}
    print(f"\ngame value (worst-case mixed log growth): plain menu {plain_value:.4f}, with breaker versions "
          f"{both.value:.4f} (exploitability {both.exploitability:.1e}); equilibrium mix "
          + ", ".join(f"{name} {w:.2f}" for name, w in weights.items()))

    base = make_paths(data, args.base_paths, args.steps, rng=args.seed + 1000)
    base_returns = np.expm1(base.log_returns)
    rng = np.random.default_rng(args.seed)
    print(f"\ncost on {args.base_paths} attack-free paths of their own (points of annual log growth, with minus "
          f"without the breaker, paired by path; 95% CI from {BOOTSTRAP} paired bootstrap resamples):")
    print(f"{'strategy':<20}{'plain':>9}{'cost':>9}{'95% CI':>20}{'days cut':>10}{'days flat':>11}")
    for rule, guard in zip(rules, guarded):
        mean, low, high, cut, flat = normal_path_cost(rule, guard, base_returns, base.sigma, base.periods_per_year,
                                                      rng)
        growth = np.log(equity_curves(rule, base_returns, sigma0=base.sigma, cost=COST)[:, -1]).mean()
        growth *= base.periods_per_year / args.steps
        print(f"{rule.name:<20}{100 * growth:>9.2f}{100 * mean:>+9.3f}{f'[{100 * low:+.3f}, {100 * high:+.3f}]':>20}"
              f"{cut:>10.2%}{flat:>11.2%}")


if __name__ == "__main__":
    main()
