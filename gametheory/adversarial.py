"""Adversarial perturbation against any strategy: a seeded black-box search.

The strategy is a black box, queried only through :func:`gametheory.payoff.equity_curves`.
The search looks for the change ``delta`` of the log returns, within a budget ``epsilon`` in
the max-norm (``|delta_t| <= epsilon``) or the 1-norm (``sum |delta_t| <= epsilon``), that
hurts the strategy most on each path: largest max drawdown (``objective="drawdown"``) or
lowest log wealth at the end (``"log_wealth"``).

Method (per path, all paths evaluated in one call per iteration):

1. start from the better of no change and the change worst for buy-and-hold
   (:func:`accelerated.attacks.perturbation_nb` over the whole path);
2. propose a move on a random block of consecutive steps and keep it when it hurts more
   (greedy). Max-norm: the block is set to a vertex of the box (all ``-epsilon``, or random
   signs). 1-norm: a convex step ``(1 - eta) delta + eta * s * epsilon * e_t`` towards a
   signed vertex of the ball at a step ``t`` of the block, which stays feasible.

What it establishes: the worst value found is a *lower bound* on the true worst case (it is
attained by the returned ``delta``); nothing is claimed about changes it did not try.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from accelerated.attacks import NORM_INF, NORM_ONE, perturbation_nb
from gametheory.errors import ConfigError
from gametheory.payoff import equity_curves
from gametheory.strategies import Strategy, _real

__all__ = ["OBJECTIVES", "AdversarialResult", "adversarial_search", "objective_values"]

OBJECTIVES = ("drawdown", "log_wealth")
_NORMS = {"inf": NORM_INF, "one": NORM_ONE}


@dataclass(frozen=True, eq=False)
class AdversarialResult:
    """Outcome of :func:`adversarial_search`.

    Attributes
    ----------
    delta : numpy.ndarray
        Shape (n_paths, n_steps): the change found, within the budget on every path.
    worst : numpy.ndarray
        Shape (n_paths,): the objective under ``delta`` (max drawdown, or ``-log W_T``).
    base : numpy.ndarray
        Shape (n_paths,): the objective without change.
    budget, norm, objective : float, str, str
    evaluations : int
        Calls of the black box (each on all paths).
    seconds : float
    seed : int
    claim : str
        What the numbers establish.
    """

    delta: np.ndarray
    worst: np.ndarray
    base: np.ndarray
    budget: float
    norm: str
    objective: str
    evaluations: int
    seconds: float
    seed: int
    claim: str = "search: the worst value found is a lower bound on the true worst case"


def objective_values(wealth: np.ndarray, objective: str) -> np.ndarray:
    """Per-path damage of wealth curves (n_paths, n_steps + 1): max drawdown, or ``-log W_T``."""
    if objective == "drawdown":
        return np.max(1.0 - wealth / np.maximum.accumulate(wealth, axis=1), axis=1)
    return -np.log(wealth[:, -1])


def adversarial_search(strategy: Strategy, log_returns, budget: float, *, norm: str = "inf",
                       objective: str = "drawdown", n_iter: int = 200, sigma0: float, cost: float = 0.0005,
                       multiplier: float = 1.0, periods_per_year: float = 252, rng=None) -> AdversarialResult:
    """Search for the bounded change of the paths that hurts ``strategy`` most.

    Parameters
    ----------
    strategy : Strategy
        Any strategy; only its equity curves are used.
    log_returns : array-like of shape (n_paths, n_steps)
    budget : float
        ``epsilon`` in ``[0, 1]``.
    norm : {"inf", "one"}
    objective : {"drawdown", "log_wealth"}
    n_iter : int
        Proposals per path (>= 0).
    sigma0, cost, multiplier, periods_per_year
        As in :func:`gametheory.payoff.build_payoff`.
    rng : numpy.random.Generator, int or None
        The seed is recorded in the result.

    Returns
    -------
    AdversarialResult
    """
    start = time.perf_counter()
    if norm not in _NORMS:
        raise ConfigError(f"norm must be one of {sorted(_NORMS)}, got {norm!r}")
    if objective not in OBJECTIVES:
        raise ConfigError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    budget = _real(budget, "budget")
    if not 0.0 <= budget <= 1.0:
        raise ConfigError(f"budget must be in [0, 1], got {budget}")
    if isinstance(n_iter, bool) or not isinstance(n_iter, int | np.integer) or n_iter < 0:
        raise ConfigError(f"n_iter must be an integer >= 0, got {n_iter!r}")
    base = np.ascontiguousarray(log_returns, dtype=np.float64)
    if base.ndim != 2 or base.size == 0 or not np.isfinite(base).all():
        raise ConfigError(f"log_returns must be a finite non-empty 2-D array, got shape {base.shape}")
    seed = int(np.random.SeedSequence().entropy) if rng is None else (
        int(rng.integers(2**63)) if isinstance(rng, np.random.Generator) else int(rng))
    generator = np.random.default_rng(seed)
    n_paths, n_steps = base.shape

    def damage(delta):
        curves = equity_curves(strategy, np.expm1(base + delta), sigma0=sigma0, cost=cost, multiplier=multiplier,
                               periods_per_year=periods_per_year)
        return objective_values(curves, objective)

    zero = np.zeros_like(base)
    base_damage = damage(zero)
    holder = perturbation_nb(base, budget, _NORMS[norm], n_steps) - base
    holder_damage = damage(holder)
    use_holder = holder_damage > base_damage
    delta = np.where(use_holder[:, None], holder, zero)
    best = np.where(use_holder, holder_damage, base_damage)
    rows = np.arange(n_paths)
    for _ in range(n_iter):
        length = generator.integers(1, max(n_steps // 4, 1) + 1, size=n_paths)
        first = generator.integers(0, n_steps, size=n_paths)
        inside = (np.arange(n_steps) >= first[:, None]) & (np.arange(n_steps) < (first + length)[:, None])
        proposal = delta.copy()
        if norm == "inf":
            all_down = generator.uniform(size=(n_paths, 1)) < 0.5
            signs = np.where(all_down, -1.0, generator.choice([-1.0, 1.0], size=(n_paths, n_steps)))
            proposal[inside] = (budget * signs)[inside]
        else:
            eta = generator.uniform(size=n_paths)
            step = np.minimum(first + generator.integers(0, length), n_steps - 1)
            sign = np.where(generator.uniform(size=n_paths) < 0.8, -1.0, 1.0)
            proposal *= (1.0 - eta)[:, None]
            proposal[rows, step] += eta * sign * budget
        proposed = damage(proposal)
        better = proposed > best
        delta[better] = proposal[better]
        best[better] = proposed[better]
    return AdversarialResult(delta, best, base_damage, budget, norm, objective, n_iter + 2,
                             time.perf_counter() - start, seed)
