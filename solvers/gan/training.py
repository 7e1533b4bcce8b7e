"""Adversarial training: a policy that must survive against generators of bounded, realistic attacks.

Paths have two channels (returns over ``sigma`` and standardised log volume, see
:mod:`solvers.gan.networks`). The base paths' volume is the :class:`solvers.gan.volume.VolumeModel`
fitted on the market's volume, driven by the path's returns and by per-path noise drawn once from the
run's seed; an attacked path's volume is that model driven by the attacked returns (a crash moves
volume as real crashes do) plus the generator's bounded volume attack. The policy reads both channels.

Each iteration is one round of alternating gradient descent-ascent on the base paths:

1. the realism critic takes a hinge-loss step (real market windows against attacked paths);
2. every adversary (a generator with its own seed and family) takes a descent step on
   ``utility(policy, attacked) + realism_weight * (-critic) + stylized_weight * facts_gap
   - diversity_weight * mode_seeking``, the policy frozen;
3. the policy takes an ascent step on its worst utility, the generators frozen: the worst over the
   adversaries' attacks and, when ``known_attacks`` are given (the attack library's scenarios applied
   to the same base paths, as :func:`solvers.gan.refine.refine_game` passes them), over those attacked
   paths too, so the policy also survives what the game already knows.

The crash family's budget (a 1-norm, see :mod:`solvers.gan.networks`) is at least the deepest fall
that any known attack causes on its own: a fall of ``D`` in log price needs a 1-norm of at least
``D``, so with that budget the generators can search at least as far as the library goes. The
budget used is recorded in :attr:`GANResult.config`.

Both budgets follow a curriculum: a fraction ``curriculum_start`` of the full budget at first, rising
linearly to 1 over the first ``curriculum_share`` of the iterations. Every ``check_every``
iterations the exploitability is estimated: a fresh generator per family is trained from scratch for
``best_response_steps`` steps against the frozen policy on the evaluation paths, and the estimate is
``max(0, U(policy vs current adversaries) - U(policy vs best response))`` on those paths (a lower
bound on the true exploitability: the best response is itself approximate). Training stops early
once the full budget is reached and the estimate stays within ``stop_tolerance * value_range`` for
``patience`` checks in a row.

Determinism: every network is initialised from a seed spawned from the run's seed inside a forked
torch RNG, and every batch and noise draw comes from a seeded CPU ``torch.Generator``; so the same
seed on CPU gives the same numbers (the global torch RNG is left untouched).
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
from torch import nn

from gametheory.errors import ConfigError, checked_count
from gametheory.payoff import UTILITIES
from scenarios.data import MarketData, load_market
from solvers.gan.backtest import utility, wealth_curves
from solvers.gan.networks import (
    FAMILIES,
    AttackGenerator,
    PolicyNetwork,
    RealismCritic,
    stylized_facts,
)
from solvers.gan.volume import VolumeModel, standardised_log_volume

__all__ = ["GANConfig", "GANResult", "TrainingLog", "deepest_fall", "generate_attacks", "policy_curves", "train_gan"]


@dataclass(frozen=True)
class GANConfig:
    """Settings of :func:`train_gan`; budgets are in units of the base paths' daily ``sigma``.

    Attributes
    ----------
    iterations : int
        Most training iterations (each: one critic, one generator and one policy step).
    batch_paths : int
        Base paths per iteration.
    n_adversaries : int
        Generators trained side by side; adversary ``k`` has family ``families[k % len(families)]``
        and its own seed.
    families : tuple of str
        Keys of :data:`solvers.gan.networks.FAMILIES`.
    perturbation_budget, crash_budget : float
        Full budgets of the return attack: max-norm per step, and 1-norm over the path.
        :func:`train_gan` raises ``crash_budget`` to the deepest fall of its ``known_attacks``.
    volume_budget : float
        Full budget of the volume attack (every family): max-norm per step, in standard deviations
        of log volume.
    curriculum_start, curriculum_share : float
        The budget starts at ``curriculum_start`` of the full one and reaches it after
        ``curriculum_share`` of the iterations.
    noise_dim, hidden, policy_hidden, lookback : int
        Network sizes.
    max_leverage : float
        The policy's exposure lies in ``[0, max_leverage]``.
    lr_policy, lr_generator, lr_critic, best_response_lr : float
        Adam learning rates.
    realism_weight, stylized_weight, diversity_weight : float
        Weights of the critic term, the stylized-fact gap and the mode-seeking term in the
        generators' loss.
    min_diversity : float
        An adversary whose attacks differ between two noise draws by less than this (relative mean
        absolute difference) is flagged as collapsed in the log.
    utility : {"log_growth", "drawdown_penalised"}
    drawdown_penalty, cost, periods_per_year : float
        As in :func:`gametheory.payoff.build_payoff`.
    check_every, best_response_steps, eval_paths : int
        Exploitability checks: period, steps of each fresh best response, evaluation paths.
    stop_tolerance : float
        Early stopping threshold as a fraction of ``value_range`` (absolute if none is given).
    patience : int
        Consecutive checks within the threshold before stopping.
    device : str
        ``"cpu"`` or ``"cuda"``.
    """

    iterations: int = 300
    batch_paths: int = 32
    n_adversaries: int = 2
    families: tuple[str, ...] = ("perturbation", "crash")
    perturbation_budget: float = 0.25
    crash_budget: float = 10.0
    volume_budget: float = 1.0
    curriculum_start: float = 0.25
    curriculum_share: float = 0.5
    noise_dim: int = 8
    hidden: int = 64
    policy_hidden: int = 32
    lookback: int = 10
    max_leverage: float = 1.5
    lr_policy: float = 3e-3
    lr_generator: float = 3e-3
    lr_critic: float = 1e-3
    best_response_lr: float = 1e-2
    realism_weight: float = 0.05
    stylized_weight: float = 1.0
    diversity_weight: float = 0.05
    min_diversity: float = 0.05
    utility: str = "log_growth"
    drawdown_penalty: float = 1.0
    cost: float = 0.0005
    periods_per_year: float = 252.0
    check_every: int = 25
    best_response_steps: int = 30
    eval_paths: int = 64
    stop_tolerance: float = 0.05
    patience: int = 2
    device: str = "cpu"

    def __post_init__(self):
        counts = ("iterations", "batch_paths", "n_adversaries", "noise_dim", "hidden", "policy_hidden", "lookback",
                  "check_every", "best_response_steps", "eval_paths", "patience")
        for name in counts:
            checked_count(getattr(self, name), f"GANConfig.{name}")
        positive = ("perturbation_budget", "crash_budget", "volume_budget", "curriculum_start", "curriculum_share",
                    "max_leverage", "lr_policy", "lr_generator", "lr_critic", "best_response_lr", "periods_per_year",
                    "stop_tolerance")
        non_negative = ("realism_weight", "stylized_weight", "diversity_weight", "min_diversity",
                        "drawdown_penalty", "cost")
        for name in positive + non_negative:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
                    or value < 0 or (name in positive and value == 0):
                relation = "> 0" if name in positive else ">= 0"
                raise ConfigError(f"GANConfig.{name} must be a finite number {relation}, got {value!r}")
        for name in ("curriculum_start", "curriculum_share"):
            if getattr(self, name) > 1:
                raise ConfigError(f"GANConfig.{name} must be in (0, 1], got {getattr(self, name)}")
        if self.cost >= 1:
            raise ConfigError(f"GANConfig.cost must be in [0, 1), got {self.cost}")
        families = tuple(self.families)
        unknown = [family for family in families if family not in FAMILIES]
        if not families or unknown:
            raise ConfigError(f"GANConfig.families must be a non-empty subset of {tuple(FAMILIES)}, got {families!r}")
        object.__setattr__(self, "families", families)
        if self.utility not in UTILITIES:
            raise ConfigError(f"GANConfig.utility must be one of {UTILITIES}, got {self.utility!r}")
        if self.device not in ("cpu", "cuda") and not str(self.device).startswith("cuda:"):
            raise ConfigError(f"GANConfig.device must be 'cpu' or 'cuda', got {self.device!r}")

    def budget(self, family: str) -> float:
        """The full budget of ``family``'s return attack."""
        return self.perturbation_budget if FAMILIES[family] == "max" else self.crash_budget

    def adversary_families(self) -> tuple[str, ...]:
        """The family of every adversary, in order."""
        return tuple(self.families[k % len(self.families)] for k in range(self.n_adversaries))

    def budget_fraction(self, iteration: int) -> float:
        """Curriculum: the fraction of the full budget used at ``iteration`` (0-based)."""
        ramp = max(1.0, self.curriculum_share * self.iterations)
        return min(1.0, self.curriculum_start + (1.0 - self.curriculum_start) * iteration / ramp)


@dataclass(frozen=True, eq=False)
class TrainingLog:
    """Everything recorded during training; per-iteration arrays have length ``n_iterations``.

    Attributes
    ----------
    iteration : ndarray of int (n_iterations,)
    budget_fraction : ndarray (n_iterations,)
    utility : ndarray (n_iterations,)
        The policy's utility against the worst adversary (or known attack) on the training batch.
    adversary_utility : ndarray (n_iterations, n_adversaries)
    critic_loss : ndarray (n_iterations,)
    stylized_gap : ndarray (n_iterations, n_adversaries)
        Squared gap between the attacked paths' stylized facts (:func:`solvers.gan.networks.stylized_facts`)
        and the real data's.
    diversity : ndarray (n_iterations, n_adversaries)
        Relative mean absolute difference between attacks from two noise draws on the same paths.
    check_iteration : ndarray of int (n_checks,)
        Iterations (1-based count done) at which exploitability was estimated.
    eval_utility : ndarray (n_checks,)
        The policy's utility against the worst current adversary on the evaluation paths.
    best_response_utility : ndarray (n_checks,)
        Its utility against the fresh best response (the worst over families).
    exploitability : ndarray (n_checks,)
        ``max(0, eval_utility - best_response_utility)``.
    collapsed : tuple of (int, int)
        ``(check iteration, adversary)`` pairs whose diversity fell under ``min_diversity``.
    """

    iteration: np.ndarray
    budget_fraction: np.ndarray
    utility: np.ndarray
    adversary_utility: np.ndarray
    critic_loss: np.ndarray
    stylized_gap: np.ndarray
    diversity: np.ndarray
    check_iteration: np.ndarray
    eval_utility: np.ndarray
    best_response_utility: np.ndarray
    exploitability: np.ndarray
    collapsed: tuple[tuple[int, int], ...]

    def to_frame(self) -> pd.DataFrame:
        """Per-iteration log, with the check columns filled on the iterations they ran after."""
        frame = pd.DataFrame({
            "budget_fraction": self.budget_fraction,
            "utility": self.utility,
            "critic_loss": self.critic_loss,
            **{f"adversary_{k}_utility": self.adversary_utility[:, k] for k in range(self.adversary_utility.shape[1])},
            **{f"adversary_{k}_diversity": self.diversity[:, k] for k in range(self.diversity.shape[1])},
        }, index=pd.Index(self.iteration + 1, name="iteration"))
        checks = pd.DataFrame({"eval_utility": self.eval_utility, "best_response_utility": self.best_response_utility,
                               "exploitability": self.exploitability}, index=pd.Index(self.check_iteration))
        return frame.join(checks)


@dataclass(frozen=True, eq=False)
class GANResult:
    """A trained policy, its adversaries and how training went.

    Attributes
    ----------
    policy : PolicyNetwork
    generators : tuple of AttackGenerator
    families : tuple of str
        Family of each generator.
    critic : RealismCritic
    config : GANConfig
        The config trained with: the one passed in, with ``crash_budget`` raised to the deepest
        fall of the known attacks where that is larger (in units of ``sigma``).
    log : TrainingLog
    exploitability : float
        The last exploitability estimate (utility units).
    threshold : float
        The early-stopping threshold it was compared with.
    value_range : float or None
    converged : bool
        Whether early stopping fired (the estimate stayed under the threshold).
    status : {"converged", "max_iterations"}
    iterations : int
    seconds : float
    seed : int
    sigma : float
        Daily volatility of the base paths (the networks' unit).
    volume_model : VolumeModel
        The base volume model, fitted on the market's volume.
    volume_noise : ndarray of shape (n_paths, n_steps + 1)
        The noise that drives the training paths' base volume (see :meth:`volume`).
    """

    policy: PolicyNetwork
    generators: tuple[AttackGenerator, ...]
    families: tuple[str, ...]
    critic: RealismCritic
    config: GANConfig
    log: TrainingLog
    exploitability: float
    threshold: float
    value_range: float | None
    converged: bool
    status: str
    iterations: int
    seconds: float
    seed: int
    sigma: float
    volume_model: VolumeModel
    volume_noise: np.ndarray

    def volume(self, log_returns) -> np.ndarray:
        """Standardised log volume of (attacked) training paths, as the policy observed it in training.

        Parameters
        ----------
        log_returns : array-like of shape (..., n_paths, n_steps)
            Log returns of the training paths or of attacked versions of them.

        Returns
        -------
        ndarray of shape (..., n_paths, n_steps)
            The volume model driven by these returns and by :attr:`volume_noise`.
        """
        returns = np.asarray(log_returns, dtype=np.float64)
        if returns.shape[-2:] != (self.volume_noise.shape[0], self.volume_noise.shape[1] - 1):
            raise ConfigError(f"log_returns must end in the training paths' shape "
                              f"{(self.volume_noise.shape[0], self.volume_noise.shape[1] - 1)}, got {returns.shape}")
        return self.volume_model.simulate(returns / self.sigma, self.volume_noise)


def deepest_fall(perturbations) -> float:
    """The deepest peak-to-trough fall in log price that perturbations of log returns cause on their own.

    Parameters
    ----------
    perturbations : array-like of shape (..., n_steps)
        Additive changes to log returns (an attacked path minus its base path).

    Returns
    -------
    float
        ``max`` over paths and ``s <= t`` of ``-(sum_{u < t} delta_u - sum_{u < s} delta_u)``, >= 0;
        the smallest 1-norm budget that can reproduce every such fall.
    """
    delta = np.asarray(perturbations, dtype=np.float64)
    log_price = np.cumsum(delta, axis=-1)
    log_price = np.concatenate([np.zeros_like(log_price[..., :1]), log_price], axis=-1)
    return float((np.maximum.accumulate(log_price, axis=-1) - log_price).max())


def _seed(rng) -> int:
    """One non-negative int seed from ``rng: np.random.Generator | int | None``."""
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ConfigError(f"seed must be >= 0, got {rng}")
        return int(rng)
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ConfigError(f"rng must be a numpy Generator, an int seed or None, got {type(rng).__name__}")
    return int(np.random.default_rng(rng).integers(2**63))


def _device(name: str) -> torch.device:
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device='cuda' was asked for but torch sees no CUDA device")
    return device


def _built(factory, seed: int, device) -> nn.Module:
    """A network initialised from ``seed`` on the CPU (same weights on every device), then moved."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory().to(device)


def _real_windows(market, n_steps: int, sigma: float, rng: np.random.Generator) -> tuple[torch.Tensor, VolumeModel]:
    """Every window of ``n_steps`` real days, shape (n_windows, 2, n_steps), and the fitted volume model.

    Channel 0: log returns over ``sigma``; channel 1: the market's standardised log volume, or, for data
    without volume, the volume model (:data:`solvers.gan.volume.DEFAULT_VOLUME_MODEL`) driven by the
    real returns and noise from ``rng``.
    """
    if market is None:
        market = load_market("sp500")
    returns = market.log_returns.to_numpy() if isinstance(market, MarketData) else np.asarray(market, dtype=float)
    if returns.ndim != 1 or returns.size < n_steps or not np.isfinite(returns).all():
        raise ConfigError(
            f"market must be MarketData or a 1-D array of at least {n_steps} finite log returns "
            f"(the path length), got shape {returns.shape}"
        )
    model = VolumeModel.of_market(market, sigma)
    if isinstance(market, MarketData) and market.volume is not None:
        volume = standardised_log_volume(market.volume.to_numpy())
    else:
        volume = model.simulate(returns / sigma, rng.standard_normal(returns.size + 1))
    channels = np.stack([returns / sigma, volume])
    windows = np.lib.stride_tricks.sliding_window_view(channels, n_steps, axis=-1).transpose(1, 0, 2)
    return torch.tensor(np.ascontiguousarray(windows), dtype=torch.float32), model


def policy_curves(policy: PolicyNetwork, simple_returns: torch.Tensor, volume: torch.Tensor, *, sigma0: float,
                  cost: float) -> torch.Tensor:
    """Wealth of the policy on each path: shape (..., n_steps + 1) for returns and volume (..., n_steps)."""
    return wealth_curves(simple_returns, policy(simple_returns, volume, sigma0), cost=cost)


class _Game:
    """The shared pieces of one training run: data, networks' unit, volume model, utility and the sampler.

    ``base`` (n_paths, n_steps) holds the base returns over sigma and ``volume_noise`` (n_paths,
    n_steps + 1) the noise of their volume; a batch is a pair of rows of both.
    """

    def __init__(self, base, volume_noise, volume_model, sigma, real, config: GANConfig, device,
                 sampler: torch.Generator, known=None):
        self.base, self.volume_noise, self.volume_model, self.known = base, volume_noise, volume_model, known
        self.sigma, self.real, self.config = sigma, real, config
        self.device, self.sampler = device, sampler
        self.real_facts = stylized_facts(real[torch.randperm(real.shape[0], generator=sampler)[:4096]].to(device))

    def draw(self, *shape) -> torch.Tensor:
        return torch.randn(*shape, generator=self.sampler).to(self.device)

    def batch(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Row indices of one training batch, and those rows of the base returns and volume noise."""
        index = torch.randint(self.base.shape[0], (self.config.batch_paths,), generator=self.sampler).to(self.device)
        return index, self.base[index], self.volume_noise[index]

    def known_attacked(self, index) -> torch.Tensor | None:
        """The known attacked paths (n_known, batch, 2, n_steps) on rows ``index``; None without any."""
        if self.known is None:
            return None
        return self.observe(self.known[:, index], self.volume_noise[index])

    def observe(self, returns, noise, volume_attack=0.0) -> torch.Tensor:
        """Paths (..., 2, n_steps): the returns and the volume model's response to them, plus the volume attack."""
        return torch.stack([returns, self.volume_model.volume(returns, noise) + volume_attack], dim=-2)

    def utilities(self, policy, attacked: torch.Tensor) -> torch.Tensor:
        """Utility of the policy on attacked paths, shape (n_sets,) for (n_sets, batch, 2, n_steps)."""
        simple = torch.expm1(attacked[..., 0, :] * self.sigma)
        curves = policy_curves(policy, simple, attacked[..., 1, :], sigma0=self.sigma, cost=self.config.cost)
        return utility(curves, periods_per_year=self.config.periods_per_year, name=self.config.utility,
                       drawdown_penalty=self.config.drawdown_penalty)

    def _attack(self, generators, families, batch, noises, fraction):
        """Attacks (n_sets, batch, 2, n_steps) and the attacked paths, for ``batch = (returns, volume noise)``."""
        returns, noise = batch
        context = self.observe(returns, noise)
        deltas = torch.stack([g(z, context, f, self.config.budget(f) * fraction, self.config.volume_budget * fraction)
                              for g, f, z in zip(generators, families, noises)])
        return deltas, self.observe(returns + deltas[..., 0, :], noise, deltas[..., 1, :])

    def attacker_loss(self, policy, critic, generators, families, batch, noises, fraction):
        """Summed generator losses; also the per-adversary utility, stylized gap and diversity."""
        cfg = self.config
        deltas, attacked = self._attack(generators, families, batch, noises, fraction)
        twins = self._attack(generators, families, batch, [self.draw(*z.shape) for z in noises], fraction)[0]
        utilities = self.utilities(policy, attacked)
        realism = -critic(attacked.flatten(0, 1)).view(len(deltas), -1).mean(dim=-1)
        gaps = torch.stack([((stylized_facts(paths) - self.real_facts) ** 2).sum() for paths in attacked])
        spread = (deltas - twins).abs().flatten(1).mean(dim=-1)
        scale = 0.5 * (deltas.abs() + twins.abs()).flatten(1).mean(dim=-1)
        diversity = spread / scale.clamp_min(1e-12)
        loss = (utilities + cfg.realism_weight * realism + cfg.stylized_weight * gaps
                - cfg.diversity_weight * diversity).sum()
        return loss, utilities.detach(), gaps.detach(), diversity.detach()

    def attacked(self, generators, families, batch, noises, fraction) -> torch.Tensor:
        with torch.no_grad():
            return self._attack(generators, families, batch, noises, fraction)[1]


def _frozen(module: nn.Module, frozen: bool) -> None:
    module.requires_grad_(not frozen)


def train_gan(
    base_log_returns,
    sigma: float,
    *,
    market: MarketData | np.ndarray | None = None,
    config: GANConfig = GANConfig(),
    value_range: float | None = None,
    known_attacks=None,
    rng: np.random.Generator | int | None = None,
) -> GANResult:
    """Train a policy against several attack generators by alternating gradient descent-ascent.

    Parameters
    ----------
    base_log_returns : array-like of shape (n_paths, n_steps)
        Base daily log returns (e.g. :attr:`scenarios.paths.BasePaths.log_returns`).
    sigma : float
        Their daily volatility (the networks' unit and the policy's ``sigma0``).
    market : MarketData or 1-D array of log returns, optional
        Real data for the realism critic; default the bundled S&P 500.
    config : GANConfig
    value_range : float, optional
        The matrix game's value range (``max A - min A``); early stopping compares the
        exploitability estimate with ``stop_tolerance * value_range`` (with ``stop_tolerance``
        itself when None).
    known_attacks : array-like of shape (n_known, n_paths, n_steps), optional
        Log returns of known attacks on these base paths (e.g. the attack library's scenarios,
        :func:`scenarios.scenario_set.apply_scenarios`). The policy's ascent step takes the worst
        utility over them and the generators' attacks, and the crash budget rises to their deepest
        fall where that exceeds ``config.crash_budget``. The exploitability estimate is unchanged.
    rng : numpy.random.Generator, int or None
        Seed source; the int seed is recorded in the result.

    Returns
    -------
    GANResult

    Raises
    ------
    ConfigError
        On bad paths, sigma, market data, value range, known attacks or config, or CUDA asked for
        but absent.
    """
    start = time.perf_counter()
    if not isinstance(config, GANConfig):
        raise ConfigError(f"config must be a GANConfig, got {type(config).__name__}")
    base = np.asarray(base_log_returns, dtype=np.float64)
    if base.ndim != 2 or base.shape[1] < 2 or base.shape[0] < 1 or not np.isfinite(base).all():
        raise ConfigError(f"base_log_returns must be a finite 2-D array (n_paths, n_steps >= 2), got shape {base.shape}")
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not math.isfinite(sigma) or sigma <= 0:
        raise ConfigError(f"sigma must be a finite number > 0, got {sigma!r}")
    if value_range is not None and not (math.isfinite(value_range) and value_range > 0):
        raise ConfigError(f"value_range must be a finite number > 0 or None, got {value_range!r}")
    known = None
    if known_attacks is not None:
        known = np.asarray(known_attacks, dtype=np.float64)
        if known.ndim != 3 or known.shape[0] < 1 or known.shape[1:] != base.shape or not np.isfinite(known).all():
            raise ConfigError(f"known_attacks must be a finite array (n_known >= 1, *{base.shape}) of attacked "
                              f"base paths, got shape {known.shape}")
        config = replace(config, crash_budget=max(config.crash_budget, deepest_fall(known - base) / sigma))
    seed = _seed(rng)
    device = _device(config.device)
    cfg = config
    n_paths, n_steps = base.shape
    families = cfg.adversary_families()
    seeds = np.random.SeedSequence(seed).generate_state(5 + cfg.n_adversaries, dtype=np.uint64).astype(np.int64)
    seeds = [int(s) & (2**62 - 1) for s in seeds]
    sampler = torch.Generator().manual_seed(seeds[0])
    volume_rng = np.random.default_rng(seeds[4])
    volume_noise = volume_rng.standard_normal((n_paths, n_steps + 1))
    volume_noise.flags.writeable = False
    real, volume_model = _real_windows(market, n_steps, float(sigma), volume_rng)
    game = _Game(torch.tensor(base / sigma, dtype=torch.float32, device=device),
                 torch.tensor(volume_noise, dtype=torch.float32, device=device), volume_model, float(sigma),
                 real, cfg, device, sampler,
                 None if known is None else torch.tensor(known / sigma, dtype=torch.float32, device=device))

    policy = _built(lambda: PolicyNetwork(cfg.lookback, cfg.policy_hidden, cfg.max_leverage), seeds[1], device)
    critic = _built(lambda: RealismCritic(n_steps, cfg.hidden), seeds[2], device)
    generators = [_built(lambda: AttackGenerator(n_steps, cfg.noise_dim, cfg.hidden), seeds[5 + k], device)
                  for k in range(cfg.n_adversaries)]
    br_seeds = np.random.SeedSequence(seeds[3])
    opt_policy = torch.optim.Adam(policy.parameters(), lr=cfg.lr_policy)
    opt_critic = torch.optim.Adam(critic.parameters(), lr=cfg.lr_critic, betas=(0.5, 0.9))
    opt_generators = torch.optim.Adam([p for g in generators for p in g.parameters()], lr=cfg.lr_generator)

    eval_batch = (game.base[: cfg.eval_paths], game.volume_noise[: cfg.eval_paths])
    eval_noise = [game.draw(eval_batch[0].shape[0], cfg.noise_dim) for _ in generators]
    threshold = cfg.stop_tolerance * (value_range if value_range is not None else 1.0)
    rows = {key: [] for key in ("fraction", "utility", "adversary", "critic", "gap", "diversity")}
    checks = {key: [] for key in ("iteration", "eval", "best", "exploitability")}
    collapsed, streak, converged = [], 0, False

    for it in range(cfg.iterations):
        fraction = cfg.budget_fraction(it)
        index, *batch = game.batch()
        noises = [game.draw(cfg.batch_paths, cfg.noise_dim) for _ in generators]

        # 1. Critic: real windows up, attacked paths down (hinge loss).
        fake = game.attacked(generators, families, batch, noises, fraction).flatten(0, 1)
        real = game.real[torch.randint(game.real.shape[0], (fake.shape[0],), generator=sampler)].to(device)
        critic.train()
        _frozen(critic, False)
        critic_loss = torch.relu(1.0 - critic(real)).mean() + torch.relu(1.0 + critic(fake)).mean()
        opt_critic.zero_grad()
        critic_loss.backward()
        opt_critic.step()
        critic.eval()
        _frozen(critic, True)

        # 2. Adversaries descend on the policy's utility, policy frozen.
        _frozen(policy, True)
        loss, adversary_u, gaps, diversity = game.attacker_loss(policy, critic, generators, families, batch,
                                                                noises, fraction)
        opt_generators.zero_grad()
        loss.backward()
        opt_generators.step()
        _frozen(policy, False)

        # 3. Policy ascends on its worst case over the adversaries and the known attacks, generators frozen.
        attacked = game.attacked(generators, families, batch, noises, fraction)
        known_attacked = game.known_attacked(index)
        if known_attacked is not None:
            attacked = torch.cat([attacked, known_attacked])
        worst = game.utilities(policy, attacked).min()
        opt_policy.zero_grad()
        (-worst).backward()
        opt_policy.step()

        for key, value in zip(rows, (fraction, worst.item(), adversary_u.cpu().numpy(), critic_loss.item(),
                                     gaps.cpu().numpy(), diversity.cpu().numpy())):
            rows[key].append(value)

        if (it + 1) % cfg.check_every == 0 or it + 1 == cfg.iterations:
            collapsed += [(it + 1, k) for k in range(len(generators)) if diversity[k] < cfg.min_diversity]
            current, best = _exploitability(game, policy, critic, generators, families, eval_batch, eval_noise,
                                            fraction, br_seeds.spawn(1)[0], device)
            gain = max(0.0, current - best)
            for key, value in zip(checks, (it + 1, current, best, gain)):
                checks[key].append(value)
            streak = streak + 1 if (fraction >= 1.0 and gain <= threshold) else 0
            if streak >= cfg.patience:
                converged = True
                break

    log = TrainingLog(
        iteration=np.arange(len(rows["utility"])),
        budget_fraction=np.array(rows["fraction"]),
        utility=np.array(rows["utility"]),
        adversary_utility=np.array(rows["adversary"]).reshape(-1, len(generators)),
        critic_loss=np.array(rows["critic"]),
        stylized_gap=np.array(rows["gap"]).reshape(-1, len(generators)),
        diversity=np.array(rows["diversity"]).reshape(-1, len(generators)),
        check_iteration=np.array(checks["iteration"], dtype=np.int64),
        eval_utility=np.array(checks["eval"]),
        best_response_utility=np.array(checks["best"]),
        exploitability=np.array(checks["exploitability"]),
        collapsed=tuple(collapsed),
    )
    for module in (policy, critic, *generators):
        module.eval()
        _frozen(module, True)
    return GANResult(policy, tuple(generators), families, critic, cfg, log, float(log.exploitability[-1]),
                     threshold, value_range, converged, "converged" if converged else "max_iterations",
                     len(log.utility), time.perf_counter() - start, seed, float(sigma), volume_model, volume_noise)


def _exploitability(game: _Game, policy, critic, generators, families, batch, noises, fraction, seeds, device):
    """Policy utility against the current adversaries and against fresh best responses, on ``batch``."""
    cfg = game.config
    n_paths, n_steps = batch[0].shape
    with torch.no_grad():
        current = game.utilities(policy, game.attacked(generators, families, batch, noises, fraction)).min().item()
    _frozen(policy, True)
    _frozen(critic, True)
    best = math.inf
    for family, child in zip(cfg.families, seeds.spawn(len(cfg.families))):
        seed = int(child.generate_state(1, dtype=np.uint64)[0]) & (2**62 - 1)
        responder = _built(lambda: AttackGenerator(n_steps, cfg.noise_dim, cfg.hidden), seed, device)
        optimiser = torch.optim.Adam(responder.parameters(), lr=cfg.best_response_lr)
        for _ in range(cfg.best_response_steps):
            noise = [game.draw(n_paths, cfg.noise_dim)]
            loss = game.attacker_loss(policy, critic, [responder], [family], batch, noise, fraction)[0]
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        with torch.no_grad():
            attacked = game.attacked([responder], [family], batch, [noises[0]], fraction)
            best = min(best, game.utilities(policy, attacked).min().item())
    _frozen(policy, False)  # the critic stays frozen outside its own step
    return current, best


def generate_attacks(result: GANResult, base_log_returns, adversary: int, n_draws: int,
                     rng: np.random.Generator | int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Attacks of one trained adversary on the training paths, at the full budgets.

    Parameters
    ----------
    result : GANResult
    base_log_returns : array-like of shape (n_paths, n_steps)
        The base paths the GAN was trained on (their volume is :meth:`GANResult.volume`).
    adversary : int
        Index into ``result.generators``.
    n_draws : int
        Independent noise draws (one attack per path per draw).
    rng : numpy.random.Generator, int or None

    Returns
    -------
    returns : ndarray of shape (n_draws, n_paths, n_steps)
        Log-return perturbations (add them to the base log returns), float64.
    volume : ndarray of shape (n_draws, n_paths, n_steps)
        Volume perturbations, in standardised log volume (add them to the attacked paths' modelled
        volume, :meth:`GANResult.volume` of the attacked returns), float64.
    """
    if not 0 <= adversary < len(result.generators):
        raise ConfigError(f"adversary must be in [0, {len(result.generators)}), got {adversary}")
    generator, family = result.generators[adversary], result.families[adversary]
    parameter = next(generator.parameters())
    base = np.asarray(base_log_returns, dtype=np.float64)
    context = torch.tensor(np.stack([base / result.sigma, result.volume(base)], axis=-2), dtype=parameter.dtype,
                           device=parameter.device)
    sampler = torch.Generator().manual_seed(_seed(rng) & (2**62 - 1))
    out = np.empty((n_draws, base.shape[0], 2, base.shape[1]))
    with torch.no_grad():
        for d in range(n_draws):
            noise = torch.randn(base.shape[0], generator.noise_dim, generator=sampler).to(parameter)
            delta = generator(noise, context, family, result.config.budget(family), result.config.volume_budget)
            out[d] = delta.double().cpu().numpy()
    return out[:, :, 0] * result.sigma, out[:, :, 1]
