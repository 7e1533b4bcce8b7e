"""``antifragile run``: data -> base paths -> attacks -> payoff game -> solution -> limits -> report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

import antifragile
from antifragile.config import RunConfig
from antifragile.export import fingerprint
from antifragile.limits import DRAWDOWN_DEFINITION, SCHEMA, PositionLimit, robust_limit
from antifragile.scale import SerialRunner, chunks
from gametheory.game import ZeroSumGame
from gametheory.metrics import performance_summary
from gametheory.payoff import PayoffTables, build_payoff, equity_curves
from gametheory.robustness import certified_radius, red_team, survival_rate
from gametheory.strategies import Strategy, default_strategies
from scenarios.data import MarketData, load_market, load_prices
from scenarios.paths import BasePaths, make_paths
from scenarios.library import default_library
from scenarios.scenario_set import Scenario, apply_scenarios, foundation_scenarios
from solvers import RegretSolution, ZeroSumSolution, minimax_regret, solve_zero_sum

__all__ = ["RunResult", "run", "STAGES"]

STAGES = ("load data", "base paths", "attacks", "payoff game", "solve", "position limits", "held-out check",
          "red team", "GAN refinement")
RADIUS_BUDGETS = (0.0, 0.0005, 0.001, 0.002, 0.005, 0.01)
"""Max-norm budgets (per-step change of log returns) tried for the certified radius."""


@dataclass(frozen=True)
class RunResult:
    """Everything a run computed; ``write_outputs`` turns it into files."""

    config: RunConfig
    train: MarketData
    holdout: MarketData | None
    paths: BasePaths
    scenarios: list[Scenario]
    strategies: list[Strategy]
    attacked: np.ndarray = field(repr=False)  # simple returns (n_scenarios, n_paths, n_steps)
    tables: PayoffTables = field(repr=False)
    solution: ZeroSumSolution = field(repr=False)
    regret: RegretSolution = field(repr=False)
    relative_regret: RegretSolution = field(repr=False)
    limits: list[PositionLimit] = field(repr=False)
    holdout_scenarios: dict = field(repr=False)
    holdout_history: dict = field(repr=False)
    severity_sweep: list = field(repr=False)
    robustness: list = field(repr=False)
    refinement: object = field(repr=False)  # solvers.gan.RefinementResult, or None without the GAN stage
    mandate: dict | None = field(repr=False)
    seconds: float = 0.0

    def limits_document(self) -> dict:
        """The ``limits.json`` payload (schema ``antifragile.limits/1``)."""
        sol = self.solution
        doc = {
            "schema": SCHEMA,
            "version": antifragile.__version__,
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seed": self.config.seed,
            "data": {
                "train": self.train.describe(),
                "holdout": self.holdout.describe() if self.holdout is not None else None,
            },
            "game": {
                "n_strategies": len(self.strategies),
                "n_scenarios": len(self.scenarios),
                "n_paths": self.paths.n_paths,
                "n_steps": self.paths.n_steps,
                "path_model": self.paths.model,
                "utility": self.tables.utility_name,
                "cost": self.config.cost,
            },
            "guarantee": {
                "value": sol.value,
                "lower_bound": sol.lower_bound,
                "upper_bound": sol.upper_bound,
                "exploitability": sol.exploitability,
                "units": "annualised mean log growth of wealth, worst case over the attack set",
                "method": sol.method,
            },
            "drawdown_budget": self.config.drawdown_budget,
            "drawdown_definition": DRAWDOWN_DEFINITION,
            "limits": [limit.to_dict() for limit in self.limits],
        }
        return {**doc, "fingerprint": fingerprint(doc)}


def _load(config: RunConfig) -> tuple[MarketData, MarketData | None]:
    data = load_prices(config.data) if config.data is not None else load_market(config.market)
    if config.holdout_fraction == 0:
        return data, None
    split_at = data.prices.index[int(round(data.n_obs * (1.0 - config.holdout_fraction))) - 1]
    return data.split(split_at)


def _holdout_scenarios(holdout: MarketData | None, train_ids: set[str]) -> list[Scenario]:
    if holdout is None:
        return []
    return [s for s in foundation_scenarios(holdout.log_returns) if s.family == "historical" and s.id not in train_ids]


def _evaluate_holdout_scenarios(strategies, scenarios, paths, config, solution) -> dict:
    """The robust mix's utility on crash replays that happened after the training data ended."""
    if not scenarios:
        return {}
    attacked = np.expm1(apply_scenarios(scenarios, paths.log_returns, paths.sigma, config.seed))
    tables = build_payoff(strategies, [s.id for s in scenarios], attacked, sigma0=paths.sigma,
                          utility=config.utility, drawdown_penalty=config.drawdown_penalty, cost=config.cost)
    mix_utility = solution.row_strategy @ tables.utility.to_numpy()
    return {
        "scenarios": [s.id for s in scenarios],
        "mix_utility": dict(zip((s.id for s in scenarios), map(float, mix_utility))),
        "worst_mix_utility": float(mix_utility.min()),
        "game_guarantee": solution.lower_bound,
    }


def _evaluate_holdout_history(holdout, strategies, mixes: dict[str, dict[str, float]], paths, config) -> dict:
    """Mixes (as sleeves funded at the start), their strategies and buy-and-hold on the real held-out history.

    ``mixes`` maps a label (``"robust mix"``, ``"invested mix"``) to its strategy weights.
    """
    if holdout is None:
        return {}
    simple = np.expm1(holdout.log_returns.to_numpy())[None, :]
    by_name = {s.name: s for s in strategies}
    buy_and_hold = [s.name for s in strategies if s.kind == "fixed" and s.max_exposure == 1.0
                    and s.stop_loss == 0 and not s.breaker][:1]
    names = list(dict.fromkeys([n for mix in mixes.values() for n in mix] + buy_and_hold))
    curves = {n: equity_curves(by_name[n], simple, sigma0=paths.sigma, cost=config.cost)[0] for n in names}
    for label, mix in mixes.items():
        curves[label] = sum(w * curves[n] for n, w in mix.items()) / sum(mix.values())
    index = [holdout.log_returns.index[0] - pd.tseries.offsets.BDay(1)] + list(holdout.log_returns.index)
    frame = pd.DataFrame(curves, index=pd.DatetimeIndex(index, name="date"))
    summary = {name: performance_summary(frame[name].to_numpy(), paths.periods_per_year) for name in frame}
    return {"curves": frame, "summary": summary}


def severity_sweep(game: ZeroSumGame, scenarios: list[Scenario], caps=(0.0, 0.25, 0.5, 0.75, 1.0)) -> list[dict]:
    """The game value and robust mix when the attacker is limited to scenarios of severity <= cap.

    Shows the price of robustness: how much worst-case growth each step of attack budget costs.
    """
    severities = np.array([s.severity for s in scenarios])
    rows = []
    for cap in caps:
        keep = np.flatnonzero(severities <= cap + 1e-12)
        if keep.size == 0 or (rows and keep.size == rows[-1]["n_scenarios"]):
            continue
        sub = ZeroSumGame(game.payoff[:, keep], game.row_labels, [game.col_labels[k] for k in keep])
        sol = solve_zero_sum(sub)
        rows.append({"max_severity": cap, "n_scenarios": int(keep.size), "value": sol.value,
                     "exploitability": sol.exploitability, "mix": sol.row_support(1e-6)})
    return rows


def invested_mandate(game: ZeroSumGame, strategies: list[Strategy]) -> dict | None:
    """The game without cash: the most robust way to stay invested, and what the mandate costs."""
    keep = [k for k, s in enumerate(strategies) if s.max_exposure > 0]
    if not keep or len(keep) == len(strategies):
        return None
    sub = ZeroSumGame(game.payoff[keep], [game.row_labels[k] for k in keep], game.col_labels)
    sol = solve_zero_sum(sub)
    return {"value": sol.value, "exploitability": sol.exploitability, "mix": sol.row_support(1e-6),
            "binding_attacks": sol.col_support(1e-6)}


def _attack_block(block, *, scenarios, log_returns, sigma, seed):
    """Attacked simple returns of the scenarios in ``block``: (len(block), n_paths, n_steps)."""
    return np.expm1(apply_scenarios([scenarios[k] for k in block], log_returns, sigma, seed))


def _payoff_block(block, *, strategies, ids, attacked, config, sigma, periods_per_year):
    """Payoff tables of one (strategy chunk, scenario chunk) block."""
    rows, cols = block
    return build_payoff([strategies[i] for i in rows], [ids[j] for j in cols], attacked[cols.start:cols.stop],
                        sigma0=sigma, utility=config.utility, drawdown_penalty=config.drawdown_penalty,
                        cost=config.cost, periods_per_year=periods_per_year)


def _assemble(blocks: list[PayoffTables], n_row_chunks: int) -> PayoffTables:
    """Stitch payoff blocks (row-chunk major) back into one set of tables."""
    n_col_chunks = len(blocks) // n_row_chunks
    rows = [blocks[r * n_col_chunks:(r + 1) * n_col_chunks] for r in range(n_row_chunks)]
    fields = ("utility", "log_growth", "total_return", "mean_drawdown", "worst_drawdown", "recovery_time")
    frames = {f: pd.concat([pd.concat([getattr(b, f) for b in row], axis=1) for row in rows], axis=0) for f in fields}
    strategies = tuple(s for row in rows for s in row[0].strategies)
    settings = {**blocks[0].settings, "multipliers": tuple(m for row in rows for m in row[0].settings["multipliers"])}
    return PayoffTables(**frames, utility_name=blocks[0].utility_name, strategies=strategies, settings=settings)


def _limit_block(k, *, strategies, attacked, ids, weights, config, sigma, periods_per_year):
    return robust_limit(strategies[k], attacked, ids, budget=config.drawdown_budget, weight=weights[k],
                        max_multiple=config.max_multiple, sigma0=sigma, cost=config.cost,
                        periods_per_year=periods_per_year)


def _robustness_block(k, *, strategies, limits, train, holdout, paths, config):
    """Checks of one strategy at its robust limit: crash-window survival, certified radius, red team."""
    strategy, limit = strategies[k], next(l for l in limits if l.strategy == strategies[k].name)
    settings = dict(sigma0=paths.sigma, cost=config.cost, multiplier=limit.exposure_multiple,
                    periods_per_year=paths.periods_per_year)
    budget = config.drawdown_budget
    history = train.log_returns if holdout is None else pd.concat([train.log_returns, holdout.log_returns])
    survival = survival_rate(strategy, history, max_drawdown=budget, **settings)
    base = paths.log_returns[: min(paths.n_paths, 32)]
    radius = certified_radius(strategy, base, drawdown_limit=budget, budgets=RADIUS_BUDGETS, method="finite",
                              rng=config.seed, **settings)
    attack = red_team(strategy, base, budget=0.002, drawdown_limit=budget, n_iter=40 if config.quick else 150,
                      rng=config.seed, **settings)
    return {
        "strategy": strategy.name,
        "exposure_multiple": limit.exposure_multiple,
        "crash_windows_survived": survival.rate,
        "worst_window": survival.table["max_drawdown"].idxmax(),
        "worst_window_drawdown": float(survival.table["max_drawdown"].max()),
        "certified_radius": radius.radius,
        "radius_curve": radius.table[["budget", "worst_drawdown"]].to_dict("list"),
        "radius_claim": radius.claim,
        "red_team_budget": 0.002,
        "red_team_worst_drawdown": float(attack.search.worst.max()),
        "red_team_breached": attack.breached,
    }


def _checked_strategies(strategies, solution, mandate) -> list[int]:
    """The strategies worth a red team: the robust mix's risky ones, the mandate's leader, buy-and-hold."""
    names = [s.name for s in strategies]
    chosen = [k for k in np.argsort(-solution.row_strategy, kind="stable")
              if solution.row_strategy[k] > 1e-6 and strategies[k].max_exposure > 0][:2]
    if mandate:
        chosen.append(names.index(next(iter(mandate["mix"]))))
    if "fixed_1.00" in names:
        chosen.append(names.index("fixed_1.00"))
    return list(dict.fromkeys(int(k) for k in chosen))


def _gan_config(config: RunConfig):
    from solvers.gan import GANConfig  # torch is loaded only when the GAN stage runs

    if config.gan == "short" and config.quick:
        base = GANConfig(iterations=10, batch_paths=16, check_every=10, best_response_steps=5, eval_paths=16)
    elif config.gan == "short":
        base = GANConfig(iterations=30, batch_paths=32, check_every=15, best_response_steps=10, eval_paths=32)
    else:
        base = GANConfig(iterations=500, batch_paths=64, check_every=25, best_response_steps=40)
    return replace(base, utility=config.utility, drawdown_penalty=config.drawdown_penalty, cost=config.cost)


def _refine(config, strategies, scenarios, holdout_scenarios, paths, train):
    """The GAN stage on the invested game (risky strategies only: with cash the value is pinned at 0).

    Returns a :class:`solvers.gan.RefinementResult`, or None when ``config.gan`` is "off".
    """
    if config.gan == "off":
        return None
    from solvers.gan import refine_game

    invested = [s for s in strategies if s.max_exposure > 0]
    return refine_game(invested, scenarios, paths, holdout_scenarios=holdout_scenarios, market=train,
                       config=_gan_config(config), rng=config.seed)


def run(config: RunConfig, *, progress: bool = True, runner=None, block: int = 8) -> RunResult:
    """Run the whole pipeline in memory and return its results (no files written).

    Parameters
    ----------
    config : RunConfig
    progress : bool
        Show a progress bar over the stages on stderr.
    runner : SerialRunner or DaskRunner, optional
        Where the blocks run (see :mod:`antifragile.scale`); serial by default. The numbers
        do not depend on it.
    block : int
        Strategies and scenarios per payoff block.
    """
    runner = runner or SerialRunner()
    start = time.perf_counter()
    bar = tqdm(STAGES, desc="antifragile run", disable=not progress, unit="stage", leave=False)
    stages = iter(bar)

    def stage():
        bar.set_postfix_str(next(stages))

    stage()
    train, holdout = _load(config)
    stage()
    paths = make_paths(train, config.n_paths, config.n_steps, model=config.path_model, rng=config.seed,
                       block=config.block)
    stage()
    menu = (default_library(config.seed, history=train.log_returns) if config.library
            else foundation_scenarios(train.log_returns, quick=config.quick))
    scenarios = [s for s in menu if s.severity <= config.max_severity]
    ids = [s.id for s in scenarios]
    attacked = np.concatenate(runner.map(_attack_block, chunks(len(scenarios), block), scenarios=scenarios,
                                         log_returns=paths.log_returns, sigma=paths.sigma, seed=config.seed))
    stage()
    strategies = [s for s in default_strategies(quick=config.quick) if config.allow_cash or s.max_exposure > 0]
    row_chunks = chunks(len(strategies), block)
    grid = [(rows, cols) for rows in row_chunks for cols in chunks(len(scenarios), block)]
    tables = _assemble(runner.map(_payoff_block, grid, strategies=strategies, ids=ids, attacked=attacked,
                                  config=config, sigma=paths.sigma, periods_per_year=paths.periods_per_year),
                       len(row_chunks))
    stage()
    game = tables.game()
    solution = solve_zero_sum(game, method="lp")
    regret = minimax_regret(game)
    relative_regret = minimax_regret(game, kind="relative")
    stage()
    order = [int(k) for k in np.argsort(-solution.row_strategy, kind="stable")]
    limits = runner.map(_limit_block, order, strategies=strategies, attacked=attacked, ids=ids,
                        weights=solution.row_strategy, config=config, sigma=paths.sigma,
                        periods_per_year=paths.periods_per_year)
    stage()
    holdout_scenarios = _holdout_scenarios(holdout, set(ids))
    holdout_scen = _evaluate_holdout_scenarios(strategies, holdout_scenarios, paths, config, solution)
    sweep = severity_sweep(game, scenarios)
    mandate = invested_mandate(game, strategies) if config.allow_cash else None
    mixes = {"robust mix": solution.row_support(1e-6), **({"invested mix": mandate["mix"]} if mandate else {})}
    holdout_hist = _evaluate_holdout_history(holdout, strategies, mixes, paths, config)
    stage()
    robustness = runner.map(_robustness_block, _checked_strategies(strategies, solution, mandate),
                            strategies=strategies, limits=limits, train=train, holdout=holdout, paths=paths,
                            config=config)
    stage()
    refinement = _refine(config, strategies, scenarios, holdout_scenarios, paths, train)
    bar.close()
    return RunResult(
        config=config, train=train, holdout=holdout, paths=paths, scenarios=scenarios, strategies=strategies,
        attacked=attacked, tables=tables, solution=solution, regret=regret, relative_regret=relative_regret,
        limits=limits,
        holdout_scenarios=holdout_scen, holdout_history=holdout_hist, severity_sweep=sweep, mandate=mandate,
        robustness=robustness, refinement=refinement,
        seconds=time.perf_counter() - start,
    )
