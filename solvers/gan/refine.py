"""The refinement loop: what the GAN stage finds goes back into the matrix game.

1. Solve the game of ``strategies`` x ``scenarios`` on the base paths (the "before" game).
2. Train a policy against attack generators (:func:`solvers.gan.training.train_gan`) and against the
   game's own scenarios on the same paths (its ``known_attacks``): the policy must survive what the
   game already knows, and the crash generators' budget reaches the library's deepest fall.
3. The generators' strongest attacks (those that hurt the before game's robust mix most, among
   ``n_candidates`` noise draws per adversary) become new scenarios of family ``"generated"``,
   their perturbations fixed arrays (:class:`GeneratedAttack`); the trained policy becomes a new
   row, evaluated by the differentiable backtest in float64.
   The generators attack returns and volume; the game is played on returns: a generated scenario
   applies its return perturbation, and keeps its volume perturbation as a record (reports, library).
   The policy row reads, on every column, the volume the base volume model gives for that column's
   returns (:meth:`solvers.gan.training.GANResult.volume`), as the rule strategies ignore volume.
4. Solve the enlarged game (the "after" game) and evaluate both robust mixes on held-out scenarios.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import torch

from gametheory.certificates import Certificate, certify
from gametheory.errors import ConfigError, checked_count
from gametheory.game import ZeroSumGame
from gametheory.payoff import build_payoff
from gametheory.strategies import Strategy
from scenarios.attacks import AttackSpec
from scenarios.errors import ScenarioError
from scenarios.paths import BasePaths
from scenarios.scenario_set import Scenario, apply_scenarios
from solvers.gan.backtest import utility
from solvers.gan.training import (
    GANConfig,
    GANResult,
    _seed,
    deepest_fall,
    generate_attacks,
    policy_curves,
    train_gan,
)
from solvers.zero_sum import ZeroSumSolution, solve_zero_sum

__all__ = ["POLICY_NAME", "GeneratedAttack", "RefinementResult", "policy_utility", "refine_game"]

POLICY_NAME = "gan_policy"
"""Row label of the trained policy in the refined game."""


@dataclass(frozen=True, eq=False)
class GeneratedAttack(AttackSpec):
    """A fixed additive perturbation of the log returns, found by an attack generator.

    Parameters
    ----------
    name : str
        Label, e.g. ``"crash-a1-d3"``.
    perturbation : array-like of shape (n_paths, n_steps)
        ``delta`` added to the base log returns; it applies to path sets of exactly this shape.
    volume : array-like of shape (n_paths, n_steps), optional
        The generator's volume perturbation that came with it, in standardised log volume
        (:mod:`solvers.gan.volume`). Recorded, not applied: the payoff game is played on returns.
    """

    family: ClassVar[str] = "generated"
    name: str
    perturbation: np.ndarray
    volume: np.ndarray | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ScenarioError(f"GeneratedAttack.name must be a non-empty string, got {self.name!r}")
        delta = np.array(self.perturbation, dtype=np.float64)
        if delta.ndim != 2 or delta.size == 0 or not np.isfinite(delta).all():
            raise ScenarioError(
                f"GeneratedAttack {self.name!r}: perturbation must be a finite non-empty 2-D array, got shape {delta.shape}"
            )
        delta.flags.writeable = False
        object.__setattr__(self, "perturbation", delta)
        if self.volume is not None:
            volume = np.array(self.volume, dtype=np.float64)
            if volume.shape != delta.shape or not np.isfinite(volume).all():
                raise ScenarioError(f"GeneratedAttack {self.name!r}: volume must be a finite array of the "
                                    f"perturbation's shape {delta.shape}, got shape {volume.shape}")
            volume.flags.writeable = False
            object.__setattr__(self, "volume", volume)

    def params(self) -> dict:
        """Family, name, shape, the size of the perturbation (max-norm and largest path 1-norm) and of
        the volume perturbation (max-norm; None without one)."""
        return {"family": self.family, "name": self.name, "shape": list(self.perturbation.shape),
                "max_abs": float(np.abs(self.perturbation).max()),
                "max_l1": float(np.abs(self.perturbation).sum(axis=1).max()),
                "volume_max_abs": None if self.volume is None else float(np.abs(self.volume).max())}

    def flat_drawdown(self, sigma: float) -> float:
        """The deepest peak-to-trough fall the perturbation alone causes on any path."""
        return float(-np.expm1(-deepest_fall(self.perturbation)))

    @property
    def _span(self) -> int:
        return self.perturbation.shape[1]

    def _inject(self, paths, sigma, onsets):
        if paths.shape != self.perturbation.shape:
            raise ScenarioError(
                f"GeneratedAttack {self.name!r} was made for paths of shape {self.perturbation.shape}, got {paths.shape}"
            )
        return paths + self.perturbation


@dataclass(frozen=True, eq=False)
class RefinementResult:
    """The game before and after the GAN stage, with certificates and a held-out check.

    Attributes
    ----------
    before, after : ZeroSumSolution
        Solutions of the original game and of the refined one (policy row and generated columns added).
    before_certificate, after_certificate : Certificate
        Recomputed from each payoff matrix with :func:`gametheory.certificates.certify`.
    payoff_before, payoff_after : pandas.DataFrame
        The utility matrices, (n_strategies, n_scenarios) and (n_strategies + 1, n_scenarios + n_new).
    new_scenarios : tuple of Scenario
        The generated attacks added as columns (at most ``n_new``: repeated payoff columns are dropped).
    policy_worst : float
        The policy's worst utility over the refined game's columns.
    policy_gap : float
        ``after.value - policy_worst``: how far the policy alone is from the game's guarantee.
    policy_exposure : float
        The policy's mean exposure on the attack-free base paths: near 0, the policy is close to
        cash (which an invested game otherwise excludes).
    holdout_before, holdout_after : pandas.Series
        Each robust mix's utility on every held-out scenario (empty without held-out scenarios).
    holdout_worst_before, holdout_worst_after : float
        Their minimum (NaN without held-out scenarios).
    gan : GANResult
    seed : int
    seconds : float
    """

    before: ZeroSumSolution
    after: ZeroSumSolution
    before_certificate: Certificate
    after_certificate: Certificate
    payoff_before: pd.DataFrame
    payoff_after: pd.DataFrame
    new_scenarios: tuple[Scenario, ...]
    policy_worst: float
    policy_gap: float
    policy_exposure: float
    holdout_before: pd.Series
    holdout_after: pd.Series
    holdout_worst_before: float
    holdout_worst_after: float
    gan: GANResult
    seed: int
    seconds: float

    def summary(self) -> dict:
        """A JSON-serialisable summary for reports."""
        def bounds(sol, cert):
            return {"value": sol.value, "lower_bound": cert.lower_bound, "upper_bound": cert.upper_bound,
                    "exploitability": cert.exploitability}
        return {
            "before": bounds(self.before, self.before_certificate),
            "after": bounds(self.after, self.after_certificate),
            "new_scenarios": [s.id for s in self.new_scenarios],
            "policy_worst": self.policy_worst,
            "policy_gap": self.policy_gap,
            "policy_exposure": self.policy_exposure,
            "holdout_worst_before": self.holdout_worst_before,
            "holdout_worst_after": self.holdout_worst_after,
            "gan": {"iterations": self.gan.iterations, "status": self.gan.status,
                    "exploitability": self.gan.exploitability, "threshold": self.gan.threshold,
                    "seconds": self.gan.seconds, "channels": ["returns", "volume"],
                    "volume_budget": self.gan.config.volume_budget,
                    "crash_budget": self.gan.config.crash_budget},
            "seed": self.seed,
        }


def policy_utility(result: GANResult, simple_returns, *, utility_name: str = "log_growth",
                   drawdown_penalty: float = 1.0, cost: float = 0.0005, periods_per_year: float = 252) -> np.ndarray:
    """The trained policy's utility on each scenario, in float64 on the CPU.

    The policy observes the volume the base volume model gives for each scenario's returns
    (:meth:`GANResult.volume`): the game's scenarios are return paths.

    Parameters
    ----------
    result : GANResult
    simple_returns : array-like of shape (n_scenarios, n_paths, n_steps)
        Scenarios on the training paths (the trailing shape is theirs).
    utility_name, drawdown_penalty, cost, periods_per_year
        As in :func:`gametheory.payoff.build_payoff`.

    Returns
    -------
    ndarray of shape (n_scenarios,)
    """
    policy, simple, volume = _policy_inputs(result, simple_returns)
    with torch.no_grad():
        curves = policy_curves(policy, simple, volume, sigma0=result.sigma, cost=cost)
        values = utility(curves, periods_per_year=periods_per_year, name=utility_name,
                         drawdown_penalty=drawdown_penalty)
    return values.numpy()


def _policy_inputs(result: GANResult, simple_returns) -> tuple[torch.nn.Module, torch.Tensor, torch.Tensor]:
    """The policy in float64 on the CPU, the simple returns and the volume it observes on them."""
    policy = copy.deepcopy(result.policy).to(device="cpu", dtype=torch.float64)
    simple = np.asarray(simple_returns, dtype=np.float64)
    return policy, torch.as_tensor(simple), torch.as_tensor(result.volume(np.log1p(simple)))


def refine_game(
    strategies: Sequence[Strategy],
    scenarios: Sequence[Scenario],
    paths: BasePaths,
    *,
    holdout_scenarios: Sequence[Scenario] = (),
    market=None,
    config: GANConfig = GANConfig(),  # noqa: B008 (a frozen dataclass)
    n_new: int = 4,
    n_candidates: int = 8,
    rng: np.random.Generator | int | None = None,
) -> RefinementResult:
    """Refine the trader-versus-attacker game with the GAN stage and solve it again.

    Parameters
    ----------
    strategies : sequence of Strategy
        The trader's rule strategies (rows).
    scenarios : sequence of Scenario
        The attack library (columns); applied to ``paths`` with :func:`scenarios.scenario_set.apply_scenarios`.
    paths : BasePaths
        Base paths; the generators are trained on them and the generated attacks are made for them.
    holdout_scenarios : sequence of Scenario
        Attacks kept out of the game, applied to the same base paths to compare the robust mixes.
    market : MarketData or 1-D array of log returns, optional
        Real data for the realism critic (default the bundled S&P 500).
    config : GANConfig
        Also supplies the utility, drawdown penalty, cost and periods per year of the game.
    n_new : int
        Generated attacks added as scenarios.
    n_candidates : int
        Noise draws per adversary to choose them from.
    rng : numpy.random.Generator, int or None
        One seed for the scenarios' randomness and the GAN stage.

    Returns
    -------
    RefinementResult
    """
    start = time.perf_counter()
    checked_count(n_new, "n_new")
    checked_count(n_candidates, "n_candidates")
    if n_new > n_candidates * config.n_adversaries:
        raise ConfigError(f"n_new ({n_new}) exceeds the candidates ({n_candidates} x {config.n_adversaries} adversaries)")
    if not isinstance(paths, BasePaths):
        raise ConfigError(f"paths must be BasePaths, got {type(paths).__name__}")
    seed = _seed(rng)
    scenario_seed = seed % 2**32
    strategies, scenarios = list(strategies), list(scenarios)
    base, sigma = paths.log_returns, paths.sigma
    game_settings = {"sigma0": sigma, "utility": config.utility, "drawdown_penalty": config.drawdown_penalty,
                     "cost": config.cost, "periods_per_year": config.periods_per_year}
    policy_settings = {"utility_name": config.utility, "drawdown_penalty": config.drawdown_penalty,
                       "cost": config.cost, "periods_per_year": config.periods_per_year}

    def table(columns, simple) -> pd.DataFrame:
        return build_payoff(strategies, [s.id for s in columns], simple, **game_settings).utility

    known = apply_scenarios(scenarios, base, sigma, scenario_seed)
    attacked = np.expm1(known)
    payoff_before = table(scenarios, attacked)
    before = solve_zero_sum(ZeroSumGame(payoff_before))
    spread = float(payoff_before.to_numpy().max() - payoff_before.to_numpy().min())
    gan = train_gan(base, sigma, market=market, config=config, value_range=spread if spread > 0 else None,
                    known_attacks=known, rng=seed)

    # Candidate attacks, ranked by the utility the before game's robust mix keeps against them (ties,
    # as when the mix is cash, by the mean utility of all rules); a candidate whose payoff column
    # repeats one already chosen adds nothing to the game and is skipped.
    candidates = []
    for k, family in enumerate(gan.families):
        deltas, volumes = generate_attacks(gan, base, k, n_candidates, rng=seed + k + 1)
        candidates += [(f"generated/{family}-a{k}-d{d}", delta, volume)
                       for d, (delta, volume) in enumerate(zip(deltas, volumes))]
    candidate_scenarios = [Scenario.of(name, GeneratedAttack(name.split("/", 1)[1], delta, volume))
                           for name, delta, volume in candidates]
    candidate_returns = np.expm1(base[None] + np.stack([delta for _, delta, _ in candidates]))
    candidate_table = table(candidate_scenarios, candidate_returns).to_numpy()
    order = np.lexsort((candidate_table.mean(axis=0), before.row_strategy @ candidate_table))
    chosen = []
    for i in order:
        if len(chosen) < n_new and not any(np.allclose(candidate_table[:, i], candidate_table[:, j], rtol=0, atol=1e-12)
                                           for j in chosen):
            chosen.append(int(i))
    new_scenarios = tuple(candidate_scenarios[i] for i in chosen)

    all_returns = np.concatenate([attacked, candidate_returns[chosen]])
    rules = pd.concat([payoff_before, table(new_scenarios, candidate_returns[chosen])], axis=1)
    policy_row = pd.DataFrame([policy_utility(gan, all_returns, **policy_settings)],
                              index=pd.Index([POLICY_NAME], name="strategy"), columns=rules.columns)
    payoff_after = pd.concat([rules, policy_row])
    after = solve_zero_sum(ZeroSumGame(payoff_after))

    holdout_before = holdout_after = pd.Series(dtype=float)
    if holdout_scenarios:
        held = list(holdout_scenarios)
        simple = np.expm1(apply_scenarios(held, base, sigma, scenario_seed))
        rules_held = table(held, simple)
        held_policy = pd.DataFrame([policy_utility(gan, simple, **policy_settings)],
                                   index=pd.Index([POLICY_NAME], name="strategy"), columns=rules_held.columns)
        holdout_before = pd.Series(before.row_strategy @ rules_held.to_numpy(), index=rules_held.columns)
        holdout_after = pd.Series(after.row_strategy @ pd.concat([rules_held, held_policy]).to_numpy(),
                                  index=rules_held.columns)
    policy_worst = float(payoff_after.loc[POLICY_NAME].min())
    policy, simple_base, volume_base = _policy_inputs(gan, np.expm1(base))
    with torch.no_grad():
        policy_exposure = float(policy(simple_base, volume_base, gan.sigma).mean())
    return RefinementResult(
        before=before,
        after=after,
        before_certificate=certify(payoff_before, before.row_strategy, before.col_strategy),
        after_certificate=certify(payoff_after, after.row_strategy, after.col_strategy),
        payoff_before=payoff_before,
        payoff_after=payoff_after,
        new_scenarios=new_scenarios,
        policy_worst=policy_worst,
        policy_gap=after.value - policy_worst,
        policy_exposure=policy_exposure,
        holdout_before=holdout_before,
        holdout_after=holdout_after,
        holdout_worst_before=float(holdout_before.min()) if len(holdout_before) else float("nan"),
        holdout_worst_after=float(holdout_after.min()) if len(holdout_after) else float("nan"),
        gan=gan,
        seed=seed,
        seconds=time.perf_counter() - start,
    )
