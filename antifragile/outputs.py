"""Write a run's results: limits.json, solution.json, report.md, report.html and figures/*.png."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from antifragile import figures
from antifragile.detector import ManipulationDetector
from antifragile.evaluation import DAILY_RATE, daily_alarms, daily_detector, detection_table
from antifragile.export import write_limits
from antifragile.io import atomic_savefig, atomic_write_json, atomic_write_text
from antifragile.pipeline import RunResult
from antifragile.report import (
    Figure,
    Heading,
    Paragraph,
    Table,
    render_html,
    render_markdown,
)
from antifragile.streams import inject_attack, simulate_ticks
from gametheory.payoff import equity_curves
from scenarios.stylized import compare_facts, stylized_facts

__all__ = ["write_outputs"]


def _save(fig, out: Path, name: str, caption: str) -> Figure:
    path = atomic_savefig(fig, out / "figures" / name, dpi=110)
    plt.close(fig)
    return Figure(path=path, relative=f"figures/{name}", caption=caption)


def _detector_demo(result: RunResult):
    """The detector with its default thresholds on a tick stream at the training data's volatility,
    with a medium flash crash injected."""
    vol = float(result.train.log_returns.std())
    seed = result.config.seed
    attacked = inject_attack(simulate_ticks(np.full(1, vol), 6000, rng=seed + 1), "flash_crash", "medium", rng=seed)
    frame = ManipulationDetector().detect(attacked.prices[0], attacked.volumes[0], attacked.imbalance[0],
                                          attacked.reference[0])
    return figures.detector_timeline(attacked.prices[0], frame, int(attacked.onsets[0]),
                                     "Detector on a medium flash crash (default thresholds, calibrated to flag at "
                                     "most 1 normal tick in 10,000)")


def _live_guard(result: RunResult) -> dict:
    """The default detector scored on attacks injected into ticks at the training data's volatility,
    and the alarms on the training history of a daily detector calibrated on the run's base paths."""
    return {
        "detection": detection_table(ManipulationDetector(), float(result.train.log_returns.std()),
                                     rng=result.config.seed + 2),
        "daily_alarms": daily_alarms(result.train.prices, daily_detector(result.paths.log_returns, DAILY_RATE)),
    }


def _percent(frame: pd.DataFrame, columns: list) -> pd.DataFrame:
    """``frame`` with the shares in ``columns`` written as whole percentages (n/a where undefined)."""
    def percent(share: float) -> str:
        return "n/a" if np.isnan(share) else f"{share:.0%}"

    return frame.assign(**{name: frame[name].map(percent) for name in columns})


def _live_guard_blocks(guard: dict, n_days: int, n_paths: int) -> list:
    alarms = guard["daily_alarms"]
    listed = ", ".join(f"{day:%Y-%m-%d} ({row.family})" for day, row in alarms.iterrows())
    return [
        Heading("Live guard"),
        Paragraph("The streaming manipulation detector with its default thresholds, scored tick by tick on "
                  "simulated streams at the training data's daily volatility (one tick a second), one attack "
                  "per stream (`antifragile.evaluation.detection_table`): the share of attacks flagged within "
                  "the attack and 20 ticks, the median delay of the first flag (ticks, i.e. seconds of market "
                  "time), the share whose first flag names the family, and the flagged normal ticks per 10,000 "
                  "outside the attacks (the ticks right after an attack included)."),
        Table(_percent(guard["detection"], ["detected", "named_ok"])
              .set_axis([f"{family}, {severity}" for family, severity in guard["detection"].index])
              .rename_axis("attack")),
        Paragraph(f"A daily detector (`antifragile.evaluation.daily_detector`, price channel only) calibrated "
                  f"on the {n_paths} base paths to flag {DAILY_RATE:.1%} of normal days raises {len(alarms)} "
                  f"alarm{'' if len(alarms) == 1 else 's'} on the real training history ({n_days} daily closes)"
                  f"{': ' + listed if listed else ''}."),
    ]


def _figures(result: RunResult, out: Path) -> list[Figure]:
    sol = result.solution
    made = [
        _save(figures.payoff_heatmap(result.tables.utility, sol.row_strategy, sol.col_strategy,
                                     f"Payoff ({result.tables.utility_name}); equilibrium weights in brackets"),
              out, "payoff_heatmap.png", "Payoff matrix: trader strategies (rows) against attack scenarios (columns)"),
        _save(figures.equilibrium_mix(sol.row_support(1e-6), sol.col_support(1e-6)), out, "equilibrium_mix.png",
              "Equilibrium: the robust strategy mix and the attacks that bind"),
    ]
    binding = int(np.argmax(sol.col_strategy))
    shown = [k for k in np.argsort(-sol.row_strategy, kind="stable")[:4] if sol.row_strategy[k] > 1e-6]
    shown += [k for k, s in enumerate(result.strategies) if s.name == "fixed_1.00" and k not in shown]
    curves = {
        result.strategies[k].name: equity_curves(result.strategies[k], result.attacked[binding],
                                                 sigma0=result.paths.sigma, cost=result.config.cost)
        for k in shown
    }
    made.append(_save(figures.equity_under_attack(curves, sol.col_labels[binding], result.config.drawdown_budget),
                      out, "equity_worst_case.png", "Wealth of the equilibrium strategies under the strongest attack"))
    if result.robustness:
        made.append(_save(figures.radius_curves(result.robustness, result.config.drawdown_budget), out,
                          "certified_radius.png", "Worst drawdown against the perturbation budget at the robust limits"))
    made.append(_save(_detector_demo(result), out, "detector_timeline.png",
                      "The live detector on a simulated tick stream with a flash crash injected"))
    if result.holdout_history:
        made.append(_save(figures.holdout_equity(result.holdout_history["curves"]), out, "holdout_equity.png",
                          "The robust mix and its strategies on the held-out real history"))
    return made


def _mandate_blocks(mandate: dict | None, value: float) -> list:
    if mandate is None:
        return []
    mix = ", ".join(f"{name} {w:.2f}" for name, w in mandate["mix"].items())
    return [
        Heading("Invested mandate"),
        Paragraph(f"If the trader must stay in the market (cash excluded), the most robust mix is {mix}, with "
                  f"worst-case value **{mandate['value']:.6f}** (exploitability {mandate['exploitability']:.1e}): "
                  f"the mandate costs {value - mandate['value']:.6f} of worst-case annual log growth."),
    ]


def _refinement_blocks(summary: dict) -> list:
    gan = summary["gan"]
    frame = pd.DataFrame({"before": summary["before"], "after": summary["after"]}).T
    frame["held-out worst case"] = [summary["holdout_worst_before"], summary["holdout_worst_after"]]
    return [
        Heading("GAN refinement (invested game)"),
        Paragraph(f"Generators searched for attacks on returns and volume (volume budget {gan['volume_budget']:g} "
                  f"standard deviations of log volume; the game is played on the return part) beyond the library "
                  f"against a trained policy that reads both ({gan['iterations']} iterations, {gan['status']}, exploitability estimate "
                  f"{gan['exploitability']:.4f} against the threshold {gan['threshold']:.4f}, {gan['seconds']:.1f} s). "
                  f"The policy also trained against the game's own scenarios; the crash generators' budget was "
                  f"{gan['crash_budget']:.1f} daily sigmas (at least the library's deepest fall). "
                  f"The strongest {len(summary['new_scenarios'])} generated attacks joined the scenarios and the "
                  f"policy joined the strategies; the invested game was solved again. The policy's mean exposure on "
                  f"the attack-free paths is {summary['policy_exposure']:.2f} (near 0 it is close to cash, which the "
                  f"invested game otherwise excludes)."),
        Table(frame.rename_axis("game")),
    ]


def _blocks(result: RunResult, made: list[Figure], guard: dict) -> list:
    cfg, sol, reg = result.config, result.solution, result.regret
    train = result.train.describe()
    blocks = [
        Heading("antifragile: worst-case report", 1),
        Paragraph(f"Data: **{train['name']}** ({train['source']}), training span {train['start']} to "
                  f"{train['end']} ({train['n_obs']} prices). Seed `{cfg.seed}`, "
                  f"{result.paths.n_paths} base paths of {result.paths.n_steps} days ({result.paths.model}"
                  f"{', ' + result.paths.garch.vol + '-' + result.paths.garch.dist if result.paths.garch else ''}). "
                  f"Game: {len(result.strategies)} strategies x {len(result.scenarios)} attack scenarios, utility "
                  f"`{result.tables.utility_name}`. Run time {result.seconds:.1f} s. Returns are reported, never promised."),
        Heading("Base paths against the real series"),
        Paragraph("Stylized facts of the base paths (pooled) and of the training history, measured the same way "
                  "(`scenarios.stylized_facts`); relative error of the paths and whether it is within 25 %."),
        Table(compare_facts(stylized_facts(result.paths.log_returns), stylized_facts(result.train.log_returns))
              .rename_axis("stylized fact")),
        Heading("Worst-case guarantee"),
        Paragraph(f"Game value **{sol.value:.6f}** (annualised log growth). The robust mix guarantees at least "
                  f"{sol.lower_bound:.6f} against every attack in the set; the attacker's mix holds every strategy "
                  f"to at most {sol.upper_bound:.6f}. Certificate (exploitability, recomputed from the matrix): "
                  f"{sol.exploitability:.2e}. Solver: {sol.method} (HiGHS), {sol.iterations} iterations, "
                  f"{sol.seconds * 1e3:.1f} ms."),
        Table(pd.DataFrame({"probability": sol.row_support(1e-6)}).rename_axis("robust strategy mix")),
        Table(pd.DataFrame({"probability": sol.col_support(1e-6)}).rename_axis("binding attacks")),
        Paragraph(f"Minimax regret: the mix below never falls more than **{reg.max_regret:.6f}** short of the best "
                  f"strategy in hindsight (gap of the certificate {reg.gap:.1e})."),
        Table(pd.DataFrame({"probability": {k: v for k, v in reg.to_dict()["strategy"].items() if v > 1e-6}})
              .rename_axis("minimax-regret mix")),
        Paragraph(f"Relative regret (shortfall as a share of each scenario's spread across strategies): max "
                  f"**{result.relative_regret.max_regret:.4f}** with the mix "
                  + ", ".join(f"{k} {v:.2f}" for k, v in result.relative_regret.to_dict()["strategy"].items()
                              if v > 1e-6) + "."),
        *_mandate_blocks(result.mandate, sol.value),
        Heading("Price of robustness"),
        Paragraph("The game solved again with the attacker limited to scenarios up to a severity cap: how much "
                  "worst-case growth each step of attack budget costs, and how the robust mix shifts."),
        Table(pd.DataFrame([{**{k: v for k, v in row.items() if k != "mix"},
                             "robust mix": ", ".join(f"{name} {w:.2f}" for name, w in row["mix"].items())}
                            for row in result.severity_sweep]).set_index("max_severity")),
        Heading("Robust position limits"),
        Paragraph(f"For every strategy (equilibrium strategies first): the largest exposure multiple whose worst "
                  f"drawdown over all {len(result.scenarios)} scenarios x {result.paths.n_paths} paths stays within "
                  f"{cfg.drawdown_budget:.0%}, verified at the limit itself. Written to `limits.json`."),
        Table(pd.DataFrame([limit.to_dict() for limit in result.limits]).set_index("strategy")),
    ]
    if result.robustness:
        blocks += [
            Heading("Robustness at the limits"),
            Paragraph(f"Each strategy below runs at its robust limit. Crash windows: the share of real crash "
                      f"windows in the whole history whose drawdown stays within {cfg.drawdown_budget:.0%}. "
                      f"Certified radius: the largest per-step change of log returns (max-norm) for which the "
                      f"worst drawdown on 32 base paths stays within budget, established exhaustively over "
                      f"the perturbations tried (not a proof over every change). Red team: a fresh adversarial "
                      f"search with a per-step budget of 0.002."),
            Table(pd.DataFrame(result.robustness).drop(columns=["radius_claim", "radius_curve"]).set_index("strategy")),
            Paragraph(f"Radius claim: {result.robustness[0]['radius_claim']}"),
        ]
    if result.refinement is not None:
        blocks += _refinement_blocks(result.refinement.summary())
    if result.holdout_history:
        blocks += [
            Heading("Held-out check"),
            Paragraph("Performance on the most recent history, which neither the path models nor the game saw."),
            Table(pd.DataFrame(result.holdout_history["summary"]).T.rename_axis("strategy")),
        ]
    if result.holdout_scenarios:
        hs = result.holdout_scenarios
        blocks += [
            Paragraph(f"Crash replays from the held-out span, injected into the base paths: the robust mix's worst "
                      f"utility is {hs['worst_mix_utility']:.6f}, against the game's guarantee {hs['game_guarantee']:.6f}."),
            Table(pd.DataFrame({"mix utility": hs["mix_utility"]}).rename_axis("held-out scenario")),
        ]
    blocks += _live_guard_blocks(guard, result.train.n_obs, result.paths.n_paths)
    blocks.append(Heading("Figures"))
    blocks.extend(made)
    return blocks


def write_outputs(result: RunResult, out_dir) -> list[Path]:
    """Write every output file of a run atomically into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    made = _figures(result, out)
    guard = _live_guard(result)
    detection = guard["detection"].reset_index()
    solution = {
        "schema": "antifragile.solution/1",
        "seed": result.config.seed,
        "config": result.config.to_dict(),
        "zero_sum": result.solution.to_dict(),
        "minimax_regret": result.regret.to_dict(),
        "minimax_regret_relative": result.relative_regret.to_dict(),
        "scenarios": [{"id": s.id, "family": s.family, "severity": s.severity} for s in result.scenarios],
        "strategies": [s.name for s in result.strategies],
        "utility": result.tables.utility.to_dict(orient="index"),
        "holdout_scenarios": result.holdout_scenarios,
        "holdout_history": result.holdout_history.get("summary", {}),
        "severity_sweep": result.severity_sweep,
        "invested_mandate": result.mandate,
        "robustness": result.robustness,
        "gan_refinement": result.refinement.summary() if result.refinement is not None else None,
        "live_guard": {
            "detection": detection.astype(object).where(detection.notna(), None).to_dict(orient="records"),
            "daily_alarms": {f"{day:%Y-%m-%d}": row.family for day, row in guard["daily_alarms"].iterrows()},
        },
        "seconds": result.seconds,
    }
    blocks = _blocks(result, made, guard)
    written = write_limits(result.limits_document(), out) + [
        atomic_write_json(out / "solution.json", solution),
        atomic_write_text(out / "report.md", render_markdown(blocks)),
        atomic_write_text(out / "report.html", render_html(blocks, "antifragile report")),
    ]
    return written + [figure.path for figure in made]
