"""General-sum (bimatrix) games: all Nash equilibria of small games, one selected answer,
and the leader–follower (Stackelberg) commitment.

Nash equilibria come from support enumeration and vertex enumeration (nashpy's building
blocks, driven here so that a time limit is checked between steps) and from Lemke–Howson
from every initial label (:func:`lemke_howson_path`, implemented here with lexicographic
pivoting because nashpy's can cycle and cannot be interrupted), all under one shared time
limit. Every candidate is certified by recomputing both players' best-response gaps;
candidates that fail the ε-Nash check are rejected and counted, never returned.

Equilibrium selection (one explainable answer among several equilibria), in order:

1. **Trader payoff dominance**: the largest trader value ``x^T A y``.
2. **Max-min guarantee**: among ties, the largest ``min_j (x^T A)_j`` — what the trader's
   mix still guarantees if the attacker deviates to any attack (a risk-dominance proxy
   that needs no assumption about the attacker's beliefs).
3. **Simplicity**: the smallest total support, then the first in lexicographic order of
   the (rounded) strategies, so the choice is deterministic.

Stackelberg: the trader commits to a mixed strategy that the attacker observes and
best-responds to (a live strategy can be inferred). Solved by the multiple-LPs method of
Conitzer & Sandholm (2006): for every attacker response ``j``, an LP finds the trader's
best commitment that makes ``j`` a best response; ties are broken in the trader's favour
(strong Stackelberg equilibrium).
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
from nashpy.algorithms.support_enumeration import obey_support, potential_support_pairs, solve_indifference
from nashpy.polytope import build_halfspaces, non_trivial_vertices
from scipy.optimize import linprog

from gametheory.bimatrix import BimatrixGame, DegenerateGameWarning
from gametheory.errors import ConfigError, SolverError

__all__ = [
    "GENERAL_SUM_METHODS",
    "Equilibrium",
    "GeneralSumSolution",
    "StackelbergSolution",
    "solve_general_sum",
    "solve_stackelberg",
]

#: Methods accepted by :func:`solve_general_sum`.
GENERAL_SUM_METHODS = ("auto", "support", "vertex", "lemke_howson", "all")
_AUTO_ENUMERATION_PAIRS = 4096  # "auto" enumerates everything up to this many support pairs
_SUPPORT_TOL = 1e-9
_SAME_TOL = 1e-7
_PIVOT_TOL = 1e-12
_VERTEX_MAX_STRATEGIES = 10
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class Equilibrium:
    """A certified (ε-)Nash equilibrium of a bimatrix game.

    Attributes
    ----------
    row_strategy : ndarray of shape (n_strategies,)
    col_strategy : ndarray of shape (n_scenarios,)
    trader_value, attacker_value : float
        ``x^T A y`` and ``x^T B y``.
    row_gap, col_gap : float
        ``max_i (A y)_i - x^T A y`` and ``max_j (x^T B)_j - x^T B y``, recomputed (>= 0).
    trader_security : float
        ``min_j (x^T A)_j``: the trader's guarantee if the attacker deviates.
    found_by : tuple of str
        The methods that found it.
    """

    row_strategy: np.ndarray
    col_strategy: np.ndarray
    trader_value: float
    attacker_value: float
    row_gap: float
    col_gap: float
    trader_security: float
    found_by: tuple[str, ...]

    @property
    def epsilon(self) -> float:
        """The largest gain either player has from deviating (0 at an exact equilibrium)."""
        return max(self.row_gap, self.col_gap)

    @property
    def support_sizes(self) -> tuple[int, int]:
        return int((self.row_strategy > _SUPPORT_TOL).sum()), int((self.col_strategy > _SUPPORT_TOL).sum())

    def to_dict(self, row_labels, col_labels) -> dict:
        return {
            "trader_value": self.trader_value,
            "attacker_value": self.attacker_value,
            "epsilon": self.epsilon,
            "trader_security": self.trader_security,
            "found_by": list(self.found_by),
            "row_strategy": {k: float(p) for k, p in zip(row_labels, self.row_strategy) if p > _SUPPORT_TOL},
            "col_strategy": {k: float(p) for k, p in zip(col_labels, self.col_strategy) if p > _SUPPORT_TOL},
        }


@dataclass(frozen=True)
class GeneralSumSolution:
    """The equilibria found, the selected one and what the search did not finish.

    Attributes
    ----------
    equilibria : tuple of Equilibrium
        Deduplicated, sorted by the selection rule (best first).
    selected : Equilibrium
        ``equilibria[0]``: the answer of the selection rule (module docstring).
    methods : tuple of str
        The nashpy algorithms run, in order.
    complete : bool
        Whether an enumeration (support or vertex) ran to the end within the time limit.
        For a non-degenerate game that means every equilibrium was found; for a degenerate
        game, vertex enumeration finds the extreme points of every equilibrium component.
    unfinished : tuple of str
        What was cut off by the time limit or failed, and how far it got.
    rejected : int
        Candidates returned by nashpy that failed the ε-Nash check.
    degenerate : bool
    degeneracy_reasons : tuple of str
    tolerance : float
        The ε accepted: ``1e-9`` times the payoffs' scale.
    seconds : float
    row_labels, col_labels : tuple of str
    """

    equilibria: tuple[Equilibrium, ...]
    selected: Equilibrium
    methods: tuple[str, ...]
    complete: bool
    unfinished: tuple[str, ...]
    rejected: int
    degenerate: bool
    degeneracy_reasons: tuple[str, ...]
    tolerance: float
    seconds: float
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "selected": self.selected.to_dict(self.row_labels, self.col_labels),
            "n_equilibria": len(self.equilibria),
            "equilibria": [e.to_dict(self.row_labels, self.col_labels) for e in self.equilibria],
            "methods": list(self.methods),
            "complete": self.complete,
            "unfinished": list(self.unfinished),
            "rejected": self.rejected,
            "degenerate": self.degenerate,
            "degeneracy_reasons": list(self.degeneracy_reasons),
            "tolerance": self.tolerance,
            "seconds": self.seconds,
        }


class _Collector:
    """Certifies candidates, deduplicates them and remembers who found them."""

    def __init__(self, game: BimatrixGame, tolerance: float, limit: int | None):
        self.game, self.tolerance, self.limit = game, tolerance, limit
        self.found: list[list] = []  # [x, y, set of methods]
        self.rejected = 0

    def offer(self, x, y, method: str, screening: bool = False) -> None:
        """Keep ``(x, y)`` if it is an ε-Nash equilibrium; ``screening`` candidates (support
        enumeration's indifference solutions, most of which are not equilibria) are not
        counted as rejected."""
        m, n = self.game.shape
        x, y = np.asarray(x, dtype=np.float64).ravel(), np.asarray(y, dtype=np.float64).ravel()
        if x.shape != (m,) or y.shape != (n,) or not (np.isfinite(x).all() and np.isfinite(y).all()):
            self.rejected += 1  # e.g. nashpy's Lemke-Howson returning a wrongly shaped vector
            return
        x, y = np.where(x > 1e-12, x, 0.0), np.where(y > 1e-12, y, 0.0)  # drop round-off
        if x.sum() <= 0 or y.sum() <= 0:
            self.rejected += 1
            return
        x, y = x / x.sum(), y / y.sum()
        if max(self.game.best_response_gaps(x, y)) > self.tolerance:
            self.rejected += not screening
            return
        for entry in self.found:
            if max(np.abs(entry[0] - x).max(), np.abs(entry[1] - y).max()) <= _SAME_TOL:
                entry[2].add(method)
                return
        self.found.append([x, y, {method}])

    @property
    def full(self) -> bool:
        """Whether ``max_equilibria`` distinct equilibria have been found."""
        return self.limit is not None and len(self.found) >= self.limit

    def equilibria(self) -> list[Equilibrium]:
        a, b = self.game.trader_payoff, self.game.attacker_payoff
        out = []
        for x, y, methods in self.found:
            row_gap, col_gap = self.game.best_response_gaps(x, y)
            out.append(Equilibrium(
                row_strategy=x, col_strategy=y, trader_value=float(x @ a @ y), attacker_value=float(x @ b @ y),
                row_gap=row_gap, col_gap=col_gap, trader_security=float((x @ a).min()),
                found_by=tuple(sorted(methods)),
            ))
        return out


def _positive(matrix: np.ndarray) -> np.ndarray:
    """Shift and scale payoffs into ``[1, 2]`` (equilibria are unchanged); the best-response
    polytopes need positive payoffs, and unit scale keeps the pivoting tolerances meaningful."""
    return 1.0 + (matrix - matrix.min()) / max(np.ptp(matrix), 1e-300)


def _lex_pivot(tableau: np.ndarray, basis: np.ndarray, slack: np.ndarray, entering: int) -> int:
    """Pivot ``entering`` into the basis with the lexicographic minimum-ratio rule; return the
    label that leaves. ``slack`` are the columns of the initial identity basis, whose current
    entries are the basis inverse that breaks ties (this prevents cycling)."""
    column = tableau[:, entering]
    rows = np.flatnonzero(column > _PIVOT_TOL)
    keys = np.column_stack([tableau[rows, -1], tableau[rows][:, slack]]) / column[rows, None]
    candidates = np.arange(rows.size)
    for k in range(keys.shape[1]):
        values = keys[candidates, k]
        candidates = candidates[values <= values.min() + _PIVOT_TOL * max(1.0, abs(values.min()))]
        if candidates.size == 1:
            break
    row = rows[candidates[0]]
    leaving = int(basis[row])
    tableau[row] /= tableau[row, entering]
    factors = tableau[:, entering].copy()
    factors[row] = 0.0
    tableau -= np.outer(factors, tableau[row])
    basis[row] = entering
    return leaving


def lemke_howson_path(a: np.ndarray, b: np.ndarray, label: int, deadline: float = np.inf):
    """Follow the Lemke–Howson path that drops ``label``, with lexicographic pivoting.

    Uses the polytopes ``P = {x >= 0 : B^T x <= 1}`` and ``Q = {y >= 0 : A y <= 1}`` of
    von Stengel (2007, Nisan et al. ch. 3); labels ``0..m-1`` are the trader's strategies and
    ``m..m+n-1`` the attacker's. Written here rather than taken from nashpy, whose
    ``lemke_howson`` can cycle on random 12x12 games and cannot be interrupted.

    Parameters
    ----------
    a, b : ndarray of shape (m, n)
        Payoffs, all > 0 (shift them first; equilibria do not change).
    label : int
        The label dropped, in ``range(m + n)``.
    deadline : float
        A ``time.perf_counter()`` value; the path stops when it is passed.

    Returns
    -------
    (x, y, pivots) with x, y normalised mixed strategies, or ``(None, None, pivots)`` when the
    deadline stopped the path.
    """
    m, n = a.shape
    q = np.hstack([np.eye(m), a, np.ones((m, 1))])  # r + A y = 1; columns by label, then rhs
    p = np.hstack([b.T, np.eye(n), np.ones((n, 1))])  # B^T x + s = 1
    tableaux = {"q": (q, np.arange(m), np.arange(m)), "p": (p, np.arange(m, m + n), np.arange(m, m + n))}
    side = "p" if label < m else "q"  # where the dropped label's variable is non-basic
    entering, pivots = label, 0
    while True:
        if time.perf_counter() > deadline:
            return None, None, pivots
        tableau, basis, slack = tableaux[side]
        leaving = _lex_pivot(tableau, basis, slack, entering)
        pivots += 1
        if leaving == label:
            break
        entering, side = leaving, "q" if side == "p" else "p"
    x, y = np.zeros(m), np.zeros(n)
    p, basis_p, _ = tableaux["p"]
    q, basis_q, _ = tableaux["q"]
    x[basis_p[basis_p < m]] = p[basis_p < m, -1]
    y[basis_q[basis_q >= m] - m] = q[basis_q >= m, -1]
    return x / x.sum(), y / y.sum(), pivots


def _run_lemke_howson(a, b, collector, deadline, unfinished) -> bool:
    labels = a.shape[0] + a.shape[1]
    for label in range(labels):
        x, y, pivots = lemke_howson_path(a, b, label, deadline)
        if x is None:
            unfinished.append(f"lemke_howson: {label} of {labels} initial labels done; label {label} "
                              f"stopped after {pivots} pivots at the time limit")
            return False
        collector.offer(x, y, "lemke_howson")
        if collector.full:
            return False
    return False  # Lemke-Howson never proves that it found every equilibrium


def _run_support(a, b, collector, deadline, unfinished) -> bool:
    m, n = a.shape
    total = (2 ** m - 1) * (2 ** n - 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for checked, (rows, cols) in enumerate(potential_support_pairs(a, b, non_degenerate=False)):
            if time.perf_counter() > deadline:
                unfinished.append(f"support: checked {checked} of {total} support pairs before the time limit")
                return False
            x = solve_indifference(b.T, cols, rows)
            y = solve_indifference(a, rows, cols)
            if x is not False and y is not False and obey_support(x, rows) and obey_support(y, cols):
                collector.offer(x, y, "support", screening=True)
                if collector.full:
                    return False
    return True


def _run_vertex(a, b, collector, deadline, unfinished) -> bool:
    m, n = a.shape
    if max(m, n) > _VERTEX_MAX_STRATEGIES:
        unfinished.append(f"vertex: skipped, a {m}x{n} game is above {_VERTEX_MAX_STRATEGIES} strategies per "
                          "player (qhull's vertex enumeration cannot be interrupted)")
        return False
    if time.perf_counter() > deadline:
        unfinished.append("vertex: not started before the time limit")
        return False
    try:  # nashpy's vertex_enumeration, with the column polytope's vertices computed once
        rows = list(non_trivial_vertices(build_halfspaces(b.T)))
        cols = list(non_trivial_vertices(build_halfspaces(a)))
    except (ValueError, np.linalg.LinAlgError) as err:  # qhull fails on flat polytopes
        unfinished.append(f"vertex: qhull failed ({type(err).__name__}: {err})")
        return False
    full = set(range(m + n))
    for done, (row_vertex, row_labels) in enumerate(rows):
        if time.perf_counter() > deadline:
            unfinished.append(f"vertex: matched {done} of {len(rows)} row vertices before the time limit")
            return False
        shifted = {(label + m) % (m + n) for label in row_labels}
        for col_vertex, col_labels in cols:
            if shifted | col_labels == full:
                collector.offer(row_vertex / row_vertex.sum(), col_vertex / col_vertex.sum(), "vertex")
                if collector.full:
                    return False
    return True


_RUNNERS = {"lemke_howson": _run_lemke_howson, "support": _run_support, "vertex": _run_vertex}


def _degeneracy(game: BimatrixGame, equilibria: list[Equilibrium], complete: bool, tol: float) -> list[str]:
    a, b = game.trader_payoff, game.attacker_payoff
    reasons = []
    ties_a = np.flatnonzero((a >= a.max(axis=0) - tol).sum(axis=0) > 1)
    if ties_a.size:
        reasons.append(f"attack {game.col_labels[ties_a[0]]!r} has several best trader replies (tied payoffs)")
    ties_b = np.flatnonzero((b >= b.max(axis=1, keepdims=True) - tol).sum(axis=1) > 1)
    if ties_b.size:
        reasons.append(f"strategy {game.row_labels[ties_b[0]]!r} has several best attacker replies (tied payoffs)")
    unequal = [e.support_sizes for e in equilibria if e.support_sizes[0] != e.support_sizes[1]]
    if unequal:
        reasons.append(f"an equilibrium has supports of unequal sizes {unequal[0]}")
    if complete and len(equilibria) % 2 == 0:
        reasons.append(f"a complete enumeration found an even number ({len(equilibria)}) of equilibria")
    return reasons


def _selection_key(e: Equilibrium, scale: float):
    quantise = lambda v: round(v / scale, 8)  # noqa: E731 - ties within 1e-8 of the payoff scale
    return (-quantise(e.trader_value), -quantise(e.trader_security), sum(e.support_sizes),
            tuple(-np.round(e.row_strategy, 8)), tuple(-np.round(e.col_strategy, 8)))


def solve_general_sum(game, method: str = "auto", *, time_limit: float = 10.0,
                      max_equilibria: int | None = None) -> GeneralSumSolution:
    """Nash equilibria of a bimatrix game, certified, with one selected answer.

    Parameters
    ----------
    game : BimatrixGame or tuple (A, B) of array-likes of shape (n_strategies, n_scenarios)
    method : {"auto", "support", "vertex", "lemke_howson", "all"}
        Support enumeration (all support pairs, for degenerate games too), vertex
        enumeration (games up to 10 strategies per player), Lemke–Howson from every initial
        label, or all three (Lemke–Howson first, so that one equilibrium is found fast). ``"auto"`` is ``"all"`` when there are
        at most 4096 support pairs and ``"lemke_howson"`` otherwise.
    time_limit : float
        Seconds shared by all methods; checked between steps (one support pair, one label,
        one pivot, one row vertex); only a single qhull call in vertex enumeration can overrun
        it. What was not finished is listed in ``unfinished``.
    max_equilibria : int, optional
        Stop as soon as this many distinct certified equilibria are found (``1`` for one
        equilibrium fast, e.g. of a 50x50 game by Lemke–Howson); ``complete`` is then False.

    Returns
    -------
    GeneralSumSolution

    Warns
    -----
    DegenerateGameWarning
        When the game is, or shows signs of being, degenerate (``degeneracy_reasons``).

    Raises
    ------
    InvalidGameError
        On invalid payoffs (via :class:`BimatrixGame`).
    ConfigError
        On an unknown method or a non-positive time limit.
    SolverError
        If no candidate passes the ε-Nash check before the time limit.

    Examples
    --------
    >>> sol = solve_general_sum(BimatrixGame([[3, 0], [0, 2]], [[2, 0], [0, 3]]), method="support")
    >>> len(sol.equilibria), sol.selected.row_strategy.tolist(), round(sol.selected.trader_value, 9)
    (3, [1.0, 0.0], 3.0)
    """
    if method not in GENERAL_SUM_METHODS:
        raise ConfigError(f"unknown method {method!r}; choose one of {', '.join(GENERAL_SUM_METHODS)}")
    if not time_limit > 0:
        raise ConfigError(f"time_limit must be > 0 seconds, got {time_limit}")
    if max_equilibria is not None and (not isinstance(max_equilibria, int) or max_equilibria < 1):
        raise ConfigError(f"max_equilibria must be a positive integer or None, got {max_equilibria!r}")
    game = game if isinstance(game, BimatrixGame) else BimatrixGame(*game)
    start = time.perf_counter()
    m, n = game.shape
    if method == "auto":
        method = "all" if (2 ** m - 1) * (2 ** n - 1) <= _AUTO_ENUMERATION_PAIRS else "lemke_howson"
    methods = ("lemke_howson", "support", "vertex") if method == "all" else (method,)
    a, b = game.trader_payoff, game.attacker_payoff
    scale = max(np.ptp(a), np.ptp(b), np.abs(a).max(), np.abs(b).max(), 1.0)
    tolerance = 1e-9 * scale
    collector, unfinished, complete = _Collector(game, tolerance, max_equilibria), [], False
    deadline = start + time_limit
    for name in methods:
        if collector.full:
            unfinished.append(f"{name}: not run, max_equilibria={max_equilibria} reached")
            continue
        complete |= _RUNNERS[name](_positive(a), _positive(b), collector, deadline, unfinished)
    equilibria = sorted(collector.equilibria(), key=lambda e: _selection_key(e, scale))
    if not equilibria:
        raise SolverError(
            f"no equilibrium of the {m}x{n} game passed the ε-Nash check (ε <= {tolerance:.3g}) with {method}; "
            f"{collector.rejected} candidates rejected; unfinished: {'; '.join(unfinished) or 'nothing'}"
        )
    reasons = _degeneracy(game, equilibria, complete, tolerance)
    if reasons:
        warnings.warn(f"degenerate bimatrix game: {'; '.join(reasons)}", DegenerateGameWarning, stacklevel=2)
    return GeneralSumSolution(
        equilibria=tuple(equilibria), selected=equilibria[0], methods=methods, complete=complete,
        unfinished=tuple(unfinished), rejected=collector.rejected, degenerate=bool(reasons),
        degeneracy_reasons=tuple(reasons), tolerance=tolerance, seconds=time.perf_counter() - start,
        row_labels=game.row_labels, col_labels=game.col_labels,
    )


@dataclass(frozen=True)
class StackelbergSolution:
    """The trader's optimal commitment against an attacker that observes it.

    Attributes
    ----------
    commitment : ndarray of shape (n_strategies,)
        The trader's mixed strategy.
    response : int
        The attacker's best response (column index); ties are broken in the trader's favour.
    response_label : str
    leader_value : float
        ``commitment @ A[:, response]``, recomputed.
    follower_value : float
        ``commitment @ B[:, response]``.
    follower_gap : float
        ``max_j (commitment @ B)_j - follower_value >= 0``: how far ``response`` is from a best
        response (zero up to LP round-off; a strong Stackelberg equilibrium typically makes
        the attacker exactly indifferent).
    upper_bound : float
        A bound no commitment can beat, recomputed from each LP's duals
        (``max_i (A[:, j] - G_j^T λ_j)_i`` over the feasible LPs); ``upper_bound - leader_value``
        is the optimality gap.
    lp_values : ndarray of shape (n_scenarios,)
        Each LP's optimum (``nan`` where response ``j`` can never be a best response).
    lp_status : tuple of str
        Each LP's outcome: ``"optimal"``, ``"infeasible"`` or HiGHS's message.
    seconds : float
    row_labels, col_labels : tuple of str
    """

    commitment: np.ndarray
    response: int
    response_label: str
    leader_value: float
    follower_value: float
    follower_gap: float
    upper_bound: float
    lp_values: np.ndarray
    lp_status: tuple[str, ...]
    seconds: float
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]

    @property
    def gap(self) -> float:
        return max(self.upper_bound - self.leader_value, 0.0)

    def to_dict(self) -> dict:
        return {
            "leader_value": self.leader_value,
            "upper_bound": self.upper_bound,
            "gap": self.gap,
            "response": self.response_label,
            "follower_value": self.follower_value,
            "follower_gap": self.follower_gap,
            "commitment": {k: float(p) for k, p in zip(self.row_labels, self.commitment)},
            "lp_status": dict(zip(self.col_labels, self.lp_status)),
            "seconds": self.seconds,
        }


def solve_stackelberg(game) -> StackelbergSolution:
    """Strong Stackelberg equilibrium with the trader as leader (multiple LPs).

    For every attack ``j`` the LP ``max_x x^T A[:, j]`` subject to
    ``x^T B[:, j] >= x^T B[:, k]`` for all ``k`` and ``x`` in the simplex finds the trader's
    best commitment that makes ``j`` a best response; the best feasible LP wins.

    Parameters
    ----------
    game : BimatrixGame or tuple (A, B) of array-likes of shape (n_strategies, n_scenarios)

    Returns
    -------
    StackelbergSolution

    Raises
    ------
    SolverError
        If HiGHS fails on an LP for a reason other than infeasibility.

    Examples
    --------
    >>> sol = solve_stackelberg(BimatrixGame([[2, 4], [1, 3]], [[1, 0], [0, 1]]))  # Conitzer & Sandholm
    >>> round(sol.leader_value, 9), sol.commitment.round(9).tolist(), sol.response
    (3.5, [0.5, 0.5], 1)
    """
    game = game if isinstance(game, BimatrixGame) else BimatrixGame(*game)
    start = time.perf_counter()
    a, b = game.trader_payoff, game.attacker_payoff
    m, n = game.shape
    values, status, bounds, commitments = np.full(n, np.nan), [], np.full(n, -np.inf), [None] * n
    for j in range(n):
        others = [k for k in range(n) if k != j]
        g = (b[:, others] - b[:, [j]]).T  # x^T B[:, k] - x^T B[:, j] <= 0
        result = linprog(
            -a[:, j], A_ub=g if others else None, b_ub=np.zeros(len(others)) if others else None,
            A_eq=np.ones((1, m)), b_eq=[1.0], bounds=[(0.0, None)] * m, method="highs", options=_HIGHS_OPTIONS,
        )
        if result.status == 2:
            status.append("infeasible")
            continue
        if result.status != 0:
            raise SolverError(f"HiGHS failed on the Stackelberg LP for response {game.col_labels[j]!r}: "
                              f"{result.message}")
        status.append("optimal")
        x = np.clip(result.x, 0.0, None)
        commitments[j] = x / x.sum()
        values[j] = float(commitments[j] @ a[:, j])
        lam = -result.ineqlin.marginals if others else np.zeros(0)
        bounds[j] = float((a[:, j] - g.T @ np.clip(lam, 0.0, None)).max())
    if not np.isfinite(values).any():
        raise SolverError("every Stackelberg LP was infeasible, which cannot happen for a finite game")
    j = int(np.nanargmax(values))
    x = commitments[j]
    follower = x @ b
    return StackelbergSolution(
        commitment=x, response=j, response_label=game.col_labels[j], leader_value=float(x @ a[:, j]),
        follower_value=float(follower[j]), follower_gap=max(float(follower.max() - follower[j]), 0.0),
        upper_bound=float(bounds.max()), lp_values=values, lp_status=tuple(status),
        seconds=time.perf_counter() - start, row_labels=game.row_labels, col_labels=game.col_labels,
    )
