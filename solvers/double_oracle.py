"""Double oracle over continuous attack parameters and continuous strategy parameters.

The attacker's real space is a box of parameters of one or more attack families (flash crash
depth / fall / recovery, pump-and-dump rise / hold / dump, black swan size / volatility); the
trader's is a box of parameters of strategy rules. Starting from small finite sets, each round
solves the finite game exactly (:func:`solvers.solve_zero_sum`), then a best-response oracle
searches every attack box for the attack that hurts the trader's current mix most and every
strategy box for the rule that does best against the attacker's current mix. Improving moves
are added and the game is solved again, until neither oracle gains more than ``tol``.

What is certified, precisely: the finite game's solution is exact (its duality gap recomputed
from the matrix); the trader's mix earns at least :attr:`DoubleOracleResult.lower_bound` against
every attack in the final set **and every attack the oracle evaluated** in its last search (a
seeded grid of each box plus a Nelder-Mead refinement from the best grid points), on the given
base paths with the attack onsets drawn from the recorded seed. It is not a proof over the
whole continuum of parameters: an attack between the evaluated points may do worse.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import minimize

from gametheory.errors import ConfigError
from gametheory.game import ZeroSumGame
from gametheory.payoff import build_payoff
from gametheory.strategies import KINDS, Strategy
from scenarios.attacks import AttackSpec, BlackSwan, FlashCrash, NoAttack, PumpAndDump
from scenarios.paths import BasePaths
from solvers.zero_sum import ZeroSumSolution, solve_zero_sum

__all__ = ["ATTACK_FAMILIES", "AttackBox", "DoubleOracleResult", "StrategyBox", "double_oracle"]

#: Searchable parameters of each attack family: constructor and {name: is_integer}.
ATTACK_FAMILIES: dict[str, tuple[type, dict[str, bool]]] = {
    "flash_crash": (FlashCrash, {"depth": False, "fall_steps": True, "recovery_share": False}),
    "pump_and_dump": (PumpAndDump, {"rise": False, "hold_steps": True, "dump_steps": True}),
    "black_swan": (BlackSwan, {"size_sigmas": False, "vol_multiplier": False}),
}
_INTEGER_STRATEGY_PARAMETERS: frozenset[str] = frozenset()


def _check_bounds(bounds: dict, allowed: Sequence[str], what: str) -> tuple[tuple[str, float, float], ...]:
    if not isinstance(bounds, dict) or not bounds:
        raise ConfigError(f"{what}: bounds must be a non-empty dict name -> (low, high)")
    out = []
    for name, pair in bounds.items():
        if name not in allowed:
            raise ConfigError(f"{what}: cannot search {name!r}; searchable parameters are {list(allowed)}")
        try:
            low, high = (float(v) for v in pair)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"{what}: bounds of {name!r} must be a pair (low, high), got {pair!r}") from err
        if not (np.isfinite(low) and np.isfinite(high) and low <= high):
            raise ConfigError(f"{what}: bounds of {name!r} must be finite with low <= high, got {pair!r}")
        out.append((name, low, high))
    return tuple(out)


@dataclass(frozen=True)
class _Box:
    """A box of parameters; ``point`` in the unit cube maps to values (integers rounded)."""

    bounds: tuple[tuple[str, float, float], ...]
    integer: frozenset[str]

    def values(self, unit: np.ndarray) -> dict[str, float]:
        unit = np.clip(unit, 0.0, 1.0)
        out = {}
        for (name, low, high), u in zip(self.bounds, unit):
            value = low + u * (high - low)
            out[name] = int(round(value)) if name in self.integer else round(float(value), 6)
        return out

    def describe(self) -> dict:
        return {name: [low, high] for name, low, high in self.bounds}


@dataclass(frozen=True)
class AttackBox:
    """The attacker's continuous space for one family: ``bounds`` is the attacker's budget.

    Parameters
    ----------
    family : {"flash_crash", "pump_and_dump", "black_swan"}
    bounds : dict of str to (float, float)
        Searched parameters and their ranges, e.g. ``{"depth": (0.05, 0.3)}``; integer
        parameters (``fall_steps``, ``hold_steps``, ``dump_steps``) are rounded.
    fixed : dict, optional
        Other constructor arguments, held fixed (e.g. ``{"onset": (0.3, 0.7)}``).
    """

    family: str
    bounds: dict
    fixed: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.family not in ATTACK_FAMILIES:
            raise ConfigError(f"unknown attack family {self.family!r}; use one of {sorted(ATTACK_FAMILIES)}")
        params = ATTACK_FAMILIES[self.family][1]
        box = _Box(_check_bounds(self.bounds, list(params), f"AttackBox({self.family})"),
                   frozenset(k for k, is_int in params.items() if is_int))
        object.__setattr__(self, "_box", box)
        self.make(np.full(len(box.bounds), 0.5))  # validates ranges and fixed arguments once

    @property
    def dimension(self) -> int:
        return len(self._box.bounds)

    def make(self, unit: np.ndarray) -> tuple[str, AttackSpec]:
        """The attack at ``unit`` (a point of the unit cube) and its label."""
        values = self._box.values(unit)
        label = self.family + "(" + ",".join(f"{k}={v:g}" for k, v in values.items()) + ")"
        try:
            return label, ATTACK_FAMILIES[self.family][0](**values, **self.fixed)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"AttackBox({self.family}): {err}") from err

    def describe(self) -> dict:
        return {"side": "attacker", "family": self.family, "bounds": self._box.describe(), "fixed": dict(self.fixed)}


@dataclass(frozen=True)
class StrategyBox:
    """The trader's continuous space for one rule kind.

    Parameters
    ----------
    kind : {"fixed", "trend", "mean_reversion", "vol_target"}
    bounds : dict of str to (float, float)
        Searched parameters (see :data:`gametheory.strategies.KINDS`) and their ranges.
    fixed : dict, optional
        Values of the kind's other parameters; missing ones raise.
    stop_loss : float
        Stop-loss overlay of every strategy in the box (0 = none).
    """

    kind: str
    bounds: dict
    fixed: dict = field(default_factory=dict)
    stop_loss: float = 0.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ConfigError(f"unknown strategy kind {self.kind!r}; use one of {sorted(KINDS)}")
        box = _Box(_check_bounds(self.bounds, KINDS[self.kind][1], f"StrategyBox({self.kind})"),
                   _INTEGER_STRATEGY_PARAMETERS)
        object.__setattr__(self, "_box", box)
        self.make(np.full(len(box.bounds), 0.5))

    @property
    def dimension(self) -> int:
        return len(self._box.bounds)

    def make(self, unit: np.ndarray) -> tuple[str, Strategy]:
        """The strategy at ``unit`` and its label (its name)."""
        values = {**self.fixed, **self._box.values(unit)}
        names = KINDS[self.kind][1]
        missing = [n for n in names if n not in values]
        if missing:
            raise ConfigError(f"StrategyBox({self.kind}): give values for {missing} in bounds or fixed")
        label = self.kind + "(" + ",".join(f"{n}={values[n]:g}" for n in names) + ")"
        label += f"+sl{self.stop_loss:g}" if self.stop_loss else ""
        return label, Strategy(label, self.kind, tuple((n, values[n]) for n in names), stop_loss=self.stop_loss)

    def describe(self) -> dict:
        return {"side": "trader", "kind": self.kind, "bounds": self._box.describe(), "fixed": dict(self.fixed),
                "stop_loss": self.stop_loss}


@dataclass(frozen=True)
class DoubleOracleResult:
    """The double oracle's final game, its exact solution and what is certified.

    Attributes
    ----------
    game : ZeroSumGame
        The final finite game (rows: strategies found, columns: attacks found).
    solution : ZeroSumSolution
        Its exact solution (certificate recomputed from the matrix).
    strategies : tuple of Strategy
    attacks : tuple of AttackSpec
    lower_bound : float
        ``min(solution.lower_bound, best attack the last oracle search found)``: what the
        trader's mix earns against the final attack set and every attack evaluated.
    upper_bound : float
        ``max(solution.upper_bound, best strategy the last oracle search found)``.
    attacker_gain, trader_gain : float
        How much the last searches' best responses improve on the game value (<= ``tol``
        when ``converged``).
    converged : bool
    rounds : int
    history : tuple of dict
        Per round: value, attacker and trader gains, sizes, evaluations.
    search_space : tuple of dict
        The boxes searched (family or kind, bounds, fixed arguments) and the oracle's settings.
    statement : str
        What the bound covers, in words.
    seed : int
    seconds : float
    """

    game: ZeroSumGame
    solution: ZeroSumSolution
    strategies: tuple[Strategy, ...]
    attacks: tuple[AttackSpec, ...]
    lower_bound: float
    upper_bound: float
    attacker_gain: float
    trader_gain: float
    converged: bool
    rounds: int
    history: tuple[dict, ...]
    search_space: tuple[dict, ...]
    statement: str
    seed: int
    seconds: float


class _Evaluator:
    """Payoff of (strategy, attack) pairs on fixed base paths, with common random onsets; cached."""

    def __init__(self, paths: BasePaths, seed: int, payoff_kwargs: dict):
        self.paths, self.seed, self.kwargs = paths, seed, {"sigma0": paths.sigma, **payoff_kwargs}
        self.returns: dict[str, np.ndarray] = {}
        self.cells: dict[tuple[str, str], float] = {}
        self.evaluations = 0

    def scenario(self, label: str, attack: AttackSpec) -> np.ndarray:
        if label not in self.returns:
            log_returns = attack.apply(self.paths.log_returns, self.paths.sigma, rng=self.seed)
            self.returns[label] = np.expm1(log_returns)
        return self.returns[label]

    def table(self, strategies: Sequence[tuple[str, Strategy]], attacks: Sequence[tuple[str, AttackSpec]]):
        """Matrix (len(strategies), len(attacks)), computing only cells not seen before."""
        todo_s = [(ls, s) for ls, s in strategies if any((ls, la) not in self.cells for la, _ in attacks)]
        if todo_s:
            returns = np.stack([self.scenario(la, a) for la, a in attacks])
            tables = build_payoff([s for _, s in todo_s], [la for la, _ in attacks], returns, **self.kwargs)
            values = tables.utility.to_numpy()
            self.evaluations += values.size
            for i, (ls, _) in enumerate(todo_s):
                for j, (la, _) in enumerate(attacks):
                    self.cells[(ls, la)] = float(values[i, j])
        return np.array([[self.cells[(ls, la)] for la, _ in attacks] for ls, _ in strategies])


def _search(box, objective, grid: int, refine: int) -> tuple[float, np.ndarray]:
    """Minimise ``objective`` over the unit cube of ``box``: a grid, then Nelder-Mead from the best point."""
    axes = [np.linspace(0.0, 1.0, grid)] * box.dimension
    points = [np.array(p) for p in itertools.product(*axes)]
    values = [objective(p) for p in points]
    best = int(np.argmin(values))
    best_value, best_point = values[best], points[best]
    if refine > 0:
        result = minimize(lambda u: objective(np.clip(u, 0.0, 1.0)), best_point, method="Nelder-Mead",
                          options={"maxfev": refine, "initial_simplex": None, "xatol": 1e-3, "fatol": 1e-9})
        if result.fun < best_value:
            best_value, best_point = float(result.fun), np.clip(result.x, 0.0, 1.0)
    return float(best_value), best_point


def double_oracle(
    paths: BasePaths,
    attack_boxes: Sequence[AttackBox],
    strategy_boxes: Sequence[StrategyBox] = (),
    strategies: Sequence[Strategy] = (),
    *,
    tol: float = 1e-4,
    max_rounds: int = 20,
    grid: int = 4,
    refine: int = 40,
    rng: np.random.Generator | int | None = 0,
    **payoff_kwargs,
) -> DoubleOracleResult:
    """Grow a game by best responses over continuous attack (and strategy) parameters.

    Parameters
    ----------
    paths : BasePaths
        Base paths every attack is injected into (see :func:`scenarios.paths.make_paths`).
    attack_boxes : sequence of AttackBox
        The attacker's space (its budget: the parameter bounds).
    strategy_boxes : sequence of StrategyBox, optional
        The trader's space; empty = the trader keeps ``strategies``.
    strategies : sequence of Strategy, optional
        Initial trader strategies (at least one strategy or one box is needed); the centre of
        every strategy box is added.
    tol : float
        Stop when no oracle gains more than ``tol`` (in utility units) over the game value.
    max_rounds : int
    grid : int
        Grid points per searched dimension (>= 2).
    refine : int
        Nelder-Mead evaluations after the grid (0 = grid only).
    rng : numpy.random.Generator, int or None
        Seed of the attack onsets (common to every attack, so the search is deterministic).
    **payoff_kwargs
        Passed to :func:`gametheory.payoff.build_payoff` (``utility``, ``cost``, ...).

    Returns
    -------
    DoubleOracleResult
    """
    start = time.perf_counter()
    if not isinstance(paths, BasePaths):
        raise ConfigError(f"paths must be a scenarios.paths.BasePaths, got {type(paths).__name__}")
    attack_boxes, strategy_boxes = tuple(attack_boxes), tuple(strategy_boxes)
    if not attack_boxes or not all(isinstance(b, AttackBox) for b in attack_boxes):
        raise ConfigError("attack_boxes must be a non-empty sequence of AttackBox")
    if not all(isinstance(b, StrategyBox) for b in strategy_boxes):
        raise ConfigError("strategy_boxes must hold StrategyBox objects")
    if not (isinstance(tol, (int, float)) and tol >= 0) or not (isinstance(grid, int) and grid >= 2):
        raise ConfigError(f"tol must be >= 0 and grid an integer >= 2, got tol={tol!r}, grid={grid!r}")
    seed = int(np.random.default_rng(rng).integers(2**31)) if not isinstance(rng, int) else rng
    rows = [(s.name, s) for s in strategies] + [box.make(np.full(box.dimension, 0.5)) for box in strategy_boxes]
    if not rows:
        raise ConfigError("give at least one strategy or one StrategyBox")
    cols = [("no_attack", NoAttack())] + [box.make(np.full(box.dimension, 0.5)) for box in attack_boxes]
    evaluator = _Evaluator(paths, seed, payoff_kwargs)
    history = []
    converged = False
    for round_ in range(1, max_rounds + 1):
        a = evaluator.table(rows, cols)
        solution = solve_zero_sum(ZeroSumGame(a, [r for r, _ in rows], [c for c, _ in cols]))
        x, y = solution.row_strategy, solution.col_strategy
        support_rows = [rows[i] for i in np.flatnonzero(x > 1e-12)]
        weights_x = x[x > 1e-12]
        support_cols = [cols[j] for j in np.flatnonzero(y > 1e-12)]
        weights_y = y[y > 1e-12]
        best_attack = (np.inf, None)
        for box in attack_boxes:
            value, point = _search(box, lambda u, box=box: float(weights_x @ evaluator.table(
                support_rows, [box.make(u)])[:, 0]), grid, refine)
            if value < best_attack[0]:
                best_attack = (value, box.make(point))
        best_strategy = (-np.inf, None)
        for box in strategy_boxes:
            value, point = _search(box, lambda u, box=box: -float(evaluator.table(
                [box.make(u)], support_cols)[0] @ weights_y), grid, refine)
            if -value > best_strategy[0]:
                best_strategy = (-value, box.make(point))
        attacker_gain = solution.lower_bound - best_attack[0]
        trader_gain = best_strategy[0] - solution.upper_bound if strategy_boxes else -np.inf
        history.append({"round": round_, "value": solution.value, "attacker_gain": attacker_gain,
                        "trader_gain": trader_gain, "n_strategies": len(rows), "n_attacks": len(cols),
                        "evaluations": evaluator.evaluations})
        added = False
        if attacker_gain > tol and best_attack[1][0] not in dict(cols):
            cols.append(best_attack[1])
            added = True
        if trader_gain > tol and best_strategy[1][0] not in dict(rows):
            rows.append(best_strategy[1])
            added = True
        if not added:
            converged = attacker_gain <= tol and trader_gain <= tol
            break
    lower = min(solution.lower_bound, best_attack[0])
    upper = max(solution.upper_bound, best_strategy[0]) if strategy_boxes else solution.upper_bound
    space = tuple(box.describe() for box in (*attack_boxes, *strategy_boxes)) + (
        {"oracle": f"grid of {grid} points per dimension, then Nelder-Mead ({refine} evaluations)",
         "paths": f"{paths.n_paths} x {paths.n_steps} ({paths.model}, seed {paths.seed})", "onset_seed": seed},)
    statement = (
        f"The trader's mix earns at least {lower:.6g} against the {len(cols)} attacks in the final game and "
        f"against every attack the oracle evaluated in its last search of the boxes {[b.describe()['bounds'] for b in attack_boxes]} "
        f"(grid {grid} per dimension plus {refine} Nelder-Mead evaluations), on these {paths.n_paths} base paths "
        f"with onsets from seed {seed}. This is not a proof over the continuum of parameters: attacks between "
        f"the evaluated points are not covered. The finite game's solution is exact (duality gap "
        f"{solution.exploitability:.2e}, recomputed from the matrix)."
    )
    return DoubleOracleResult(
        game=ZeroSumGame(a, [r for r, _ in rows[: a.shape[0]]], [c for c, _ in cols[: a.shape[1]]]),
        solution=solution,
        strategies=tuple(s for _, s in rows[: a.shape[0]]),
        attacks=tuple(c for _, c in cols[: a.shape[1]]),
        lower_bound=float(lower),
        upper_bound=float(upper),
        attacker_gain=float(attacker_gain),
        trader_gain=float(trader_gain),
        converged=bool(converged),
        rounds=round_,
        history=tuple(history),
        search_space=space,
        statement=statement,
        seed=seed,
        seconds=time.perf_counter() - start,
    )
