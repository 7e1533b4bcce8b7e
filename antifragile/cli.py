"""The ``antifragile`` command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="antifragile", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="solve the trader-versus-attacker game and write limits and a report")
    run.add_argument("--quick", action="store_true", help="a small game that finishes in seconds")
    run.add_argument("--out", type=Path, default=Path("antifragile-out"), help="output folder (default: %(default)s)")
    run.add_argument("--seed", type=int, default=0, help="seed of every random path (default: %(default)s)")
    run.add_argument("--data", type=Path, help="your own prices: CSV or Parquet with a date and a close column")
    run.add_argument("--market", choices=("sp500", "nasdaq"), default="sp500", help="bundled history (default: sp500)")
    run.add_argument("--paths", type=int, help="base paths per scenario")
    run.add_argument("--budget", type=float, help="drawdown budget of the position limits (default: 0.15)")
    run.add_argument("--max-severity", type=float, help="attacker's budget: scenarios up to this severity (0..1)")
    scale = run.add_mutually_exclusive_group()
    scale.add_argument("--workers", type=int, help="run blocks on a local Dask cluster of N processes")
    scale.add_argument("--cluster", help="run blocks on the Dask scheduler at ADDRESS (or DASK_SCHEDULER_ADDRESS)")
    run.add_argument("--gan", choices=("short", "full", "off"), default="short",
                     help="GAN refinement: a short run (default), up to 500 iterations, or none")
    run.add_argument("--library", action="store_true", help="play the 1000+ scenario library (try --paths 64)")
    run.add_argument("--invested", action="store_true", help="exclude cash: an invested mandate")
    run.add_argument("--no-progress", action="store_true", help="hide progress bars")
    validate = commands.add_parser("validate", help="check a limits.json file against antifragile.limits/1")
    validate.add_argument("file", type=Path)
    return parser


def _run(args) -> int:
    from antifragile.config import RunConfig
    from antifragile.outputs import write_outputs
    from antifragile.pipeline import run
    from antifragile.scale import runner

    overrides = {"seed": args.seed, "market": args.market, "data": args.data, "allow_cash": not args.invested,
                 "gan": args.gan, "library": args.library}
    if args.paths is not None:
        overrides["n_paths"] = args.paths
    if args.budget is not None:
        overrides["drawdown_budget"] = args.budget
    if args.max_severity is not None:
        overrides["max_severity"] = args.max_severity
    config = RunConfig.quick_defaults(**overrides) if args.quick else RunConfig(**overrides)
    with runner(workers=args.workers, address=args.cluster) as blocks:
        result = run(config, progress=not args.no_progress, runner=blocks)
    write_outputs(result, args.out)
    sol = result.solution
    print(f"game {len(result.strategies)}x{len(result.scenarios)} on {result.paths.n_paths} paths: "
          f"value {sol.value:.6f}, exploitability {sol.exploitability:.1e}, {result.seconds:.1f} s")
    for limit in result.limits[:6]:
        print(f"  {limit.strategy:<28} weight {limit.weight:.3f}  limit x{limit.exposure_multiple:.3f}  "
              f"worst drawdown {limit.worst_case_drawdown:.2%} ({limit.binding_scenario})")
    print(f"wrote {args.out}/limits.json, solution.json, report.md, report.html, figures/")
    return 0


def _validate(args) -> int:
    from antifragile.schema import validate_limits_file

    doc = validate_limits_file(args.file)
    print(f"{args.file}: valid {doc['schema']} ({len(doc['limits'])} limits, budget {doc['drawdown_budget']:.0%})")
    return 0


def main(argv=None) -> int:
    from gametheory.errors import ConfigError, InvalidGameError, MarketDataError, ScenarioError, SolverError

    args = _parser().parse_args(argv)
    try:
        return _run(args) if args.command == "run" else _validate(args)
    except (ConfigError, InvalidGameError, MarketDataError, ScenarioError, SolverError) as err:
        print(f"antifragile: error: {type(err).__name__}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
