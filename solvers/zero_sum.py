"""Solution of finite zero-sum games: exact LP (HiGHS), iterative solvers, and an automatic choice."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import lu_factor, lu_solve
from scipy.optimize import linprog

from gametheory.certificates import certify
from gametheory.errors import ConfigError, SolverError
from gametheory.game import ZeroSumGame
from solvers.iterative import DEFAULT_MAX_ITER, ITERATIVE_METHODS, check_tolerance, run_iterative

__all__ = ["ZeroSumSolution", "solve_zero_sum", "METHODS"]

METHODS = ("lp", *ITERATIVE_METHODS, "auto")
EXACT_TOL = 1e-9
"""Default exploitability asked, as a fraction of the payoff range ("exact")."""
AUTO_LP_CELLS = 10_000
"""``auto`` solves games with at most this many cells by the full LP when an exact answer is asked
(a few milliseconds there; larger games go through predictive RM+ and the support simplex)."""
AUTO_WARM_TOL = 1e-4
"""Relative gap to which ``auto`` runs predictive RM+ before the support-restricted LP."""
_CANDIDATE_GAPS = 16.0
"""Rows and columns within this many gaps of the best reply to the warm iterate are candidates."""
_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


@dataclass(frozen=True)
class ZeroSumSolution:
    """An equilibrium of a zero-sum game and its certificate.

    Attributes
    ----------
    value : float
        The game value: the midpoint of ``[lower_bound, upper_bound]``, which bracket the
        exact value; they differ by ``exploitability``.
    row_strategy : ndarray of shape (n_strategies,)
        The trader's equilibrium mix (probabilities).
    col_strategy : ndarray of shape (n_scenarios,)
        The attacker's equilibrium mix.
    lower_bound : float
        ``min_j (x^T A)_j``: what ``row_strategy`` guarantees against every attack.
    upper_bound : float
        ``max_i (A y)_i``: the best any strategy achieves against ``col_strategy``.
    exploitability : float
        ``upper_bound - lower_bound >= 0``, recomputed from the payoff matrix.
    method, success, status, message, iterations, seconds
        How the answer was obtained. ``success`` is True when the certificate meets the
        tolerance asked; ``status`` is 0 then, 1 when an iterative method stopped at its
        iteration limit, 2 when the certificate recomputed from the matrix misses the
        tolerance although the solver stopped.
    row_labels, col_labels : tuple of str
        Strategy and scenario names from the game.
    gap_history : ndarray of shape (iterations,)
        Exploitability after each iteration of an iterative method, in payoff units, as the
        solver tracked it; empty for the LP.
    """

    value: float
    row_strategy: np.ndarray
    col_strategy: np.ndarray
    lower_bound: float
    upper_bound: float
    exploitability: float
    method: str
    success: bool
    status: int
    message: str
    iterations: int
    seconds: float
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    gap_history: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def row_support(self, tol: float = 1e-9) -> dict[str, float]:
        """Trader strategies played with probability above ``tol``, largest first."""
        return _support(self.row_strategy, self.row_labels, tol)

    def col_support(self, tol: float = 1e-9) -> dict[str, float]:
        """Attack scenarios that bind (attacker probability above ``tol``), largest first."""
        return _support(self.col_strategy, self.col_labels, tol)

    def to_dict(self) -> dict:
        """A JSON-serialisable summary."""
        return {
            "value": self.value,
            "lower_bound": self.lower_bound,
            "upper_bound": self.upper_bound,
            "exploitability": self.exploitability,
            "method": self.method,
            "success": self.success,
            "status": self.status,
            "message": self.message,
            "iterations": self.iterations,
            "seconds": self.seconds,
            "row_strategy": dict(zip(self.row_labels, map(float, self.row_strategy))),
            "col_strategy": dict(zip(self.col_labels, map(float, self.col_strategy))),
        }


def _support(p: np.ndarray, labels: tuple[str, ...], tol: float) -> dict[str, float]:
    order = np.argsort(-p, kind="stable")
    return {labels[k]: float(p[k]) for k in order if p[k] > tol}


def _normalise(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 0.0, None)
    total = p.sum()
    if not np.isfinite(total) or total <= 0:
        raise SolverError("the LP returned no usable mixed strategy")
    return p / total


def _maximin_lp(b: np.ndarray, algorithm: str = "highs"):
    """Solve ``max_x min_j (x^T B)_j`` over the simplex; return (x, duals y, result)."""
    m, n = b.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-b.T, np.ones((n, 1))])
    a_eq = np.ones((1, m + 1))
    a_eq[0, -1] = 0.0
    bounds = [(0.0, None)] * m + [(None, None)]
    result = linprog(
        c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0],
        bounds=bounds, method=algorithm, options=_HIGHS_OPTIONS,
    )
    if result.status != 0:
        raise SolverError(f"HiGHS failed on the zero-sum LP (status {result.status}): {result.message}")
    return _normalise(result.x[:m]), _normalise(-result.ineqlin.marginals), result


def _solve_lp(a: np.ndarray, algorithm: str = "highs"):
    low, span = a.min(), np.ptp(a)
    if span == 0.0:
        m, n = a.shape
        return np.full(m, 1.0 / m), np.full(n, 1.0 / n), 0, "constant game"
    b = (a - low) / span
    x, y, result = _maximin_lp(b, algorithm)
    if certify(b, x, y).exploitability > EXACT_TOL:
        # The duals were not accurate enough: solve the attacker's LP on its own.
        y, _, dual_result = _maximin_lp(-b.T, algorithm)
        return x, y, result.nit + dual_result.nit, result.message
    return x, y, result.nit, result.message


def _indifference_polish(b: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """Equilibrium of ``b`` supported on the square ``rows x cols``: solve the indifference conditions.

    ``b[rows, cols] y = v 1``, ``sum(y) = 1`` and ``x^T b[rows, cols] = v 1^T``, ``sum(x) = 1``,
    with one LU factorisation of the bordered matrix (the second system is its transpose).
    Returns the padded ``(x, y)`` (negative round-off clipped), or None when singular.
    """
    k = rows.size
    bordered = np.zeros((k + 1, k + 1))
    bordered[:k, :k] = b[np.ix_(rows, cols)]
    bordered[:k, k] = -1.0
    bordered[k, :k] = 1.0
    rhs = np.zeros(k + 1)
    rhs[k] = 1.0
    try:
        factors = lu_factor(bordered, check_finite=False)
    except (ValueError, np.linalg.LinAlgError):
        return None
    ys = lu_solve(factors, rhs, check_finite=False)[:k]
    xs = lu_solve(factors, -rhs, trans=1, check_finite=False)[:k]  # M^T (x, s) = (0, -1): x^T B = -s
    x, y = np.zeros(b.shape[0]), np.zeros(b.shape[1])
    x[rows], y[cols] = xs, ys
    if not (np.isfinite(x).all() and np.isfinite(y).all()) or x.sum() <= 0 or y.sum() <= 0:
        return None
    return _normalise(x), _normalise(y)


def _support_simplex(a: np.ndarray, x: np.ndarray, y: np.ndarray, tol: float, rounds: int = 4):
    """Refine an approximate equilibrium exactly: warm-started dual simplex on the likely supports.

    The candidate rows are those whose payoff against ``y`` is within a few gaps of the best
    reply, the columns likewise against ``x``. On that sub-game the LP
    ``max 1^T w  s.t.  B w <= 1, w >= 0`` (``B`` the payoffs shifted into [1, 2]) is solved by
    HiGHS's dual simplex, started from the basis that the approximate equilibrium suggests:
    the ``k`` best-replying columns basic and the ``k`` best-replying rows tight, ``k`` the
    estimated support size. The optimal basis names the supports; the indifference conditions
    on them are solved again with one dense LU (more accurate than the simplex's own values) and
    the result is certified on the full matrix. Rows and columns that beat it join the sub-game,
    which is solved again from the previous basis.

    Returns ``(x, y, simplex_iterations, rounds_used)``, or None when highspy is not installed,
    HiGHS fails, or ``rounds`` did not suffice.
    """
    try:
        import highspy
    except ImportError:  # highspy comes with cvxpy >= 1.5; without it the caller falls back to the LP
        return None
    m, n = a.shape
    low, span = a.min(), np.ptp(a)
    target = max(tol, EXACT_TOL) * span
    b = (a - low) / span + 1.0
    ay, xa = a @ y, x @ a
    margin = _CANDIDATE_GAPS * max(ay.max() - xa.min(), tol * span)
    rows = np.flatnonzero(ay >= ay.max() - margin)
    cols = np.flatnonzero(xa <= xa.min() + margin)
    k = min(rows.size, cols.size, int(round(0.5 * ((x > 0.03 / m).sum() + (y > 0.03 / n).sum()))))
    tight_rows = set(rows[np.argsort(-ay[rows], kind="stable")[:k]].tolist())
    basic_cols = set(cols[np.argsort(xa[cols], kind="stable")[:k]].tolist())
    status = highspy.HighsBasisStatus
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    for option, value in (("solver", "simplex"), ("simplex_strategy", 1), ("presolve", "off"),
                          ("simplex_scale_strategy", 0), ("primal_feasibility_tolerance", 1e-10),
                          ("dual_feasibility_tolerance", 1e-10)):
        highs.setOptionValue(option, value)
    total = 0
    for used in range(1, rounds + 1):
        sub = np.ascontiguousarray(b[np.ix_(rows, cols)])
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = cols.size, rows.size
        lp.col_cost_ = np.ones(cols.size)
        lp.col_lower_, lp.col_upper_ = np.zeros(cols.size), np.full(cols.size, highspy.kHighsInf)
        lp.row_lower_, lp.row_upper_ = np.full(rows.size, -highspy.kHighsInf), np.ones(rows.size)
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.arange(0, sub.size + 1, rows.size, dtype=np.int32)
        lp.a_matrix_.index_ = np.tile(np.arange(rows.size, dtype=np.int32), cols.size)
        lp.a_matrix_.value_ = sub.T.ravel()
        highs.passModel(lp)
        basis = highspy.HighsBasis()
        basis.col_status = [status.kBasic if j in basic_cols else status.kLower for j in cols.tolist()]
        basis.row_status = [status.kUpper if i in tight_rows else status.kBasic for i in rows.tolist()]
        basis.valid = True
        highs.setBasis(basis)
        highs.run()
        total += int(highs.getInfo().simplex_iteration_count)
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        final = highs.getBasis()
        basic_cols = {int(cols[j]) for j, s in enumerate(final.col_status) if s == status.kBasic}
        tight_rows = {int(rows[i]) for i, s in enumerate(final.row_status) if s != status.kBasic}
        solution = highs.getSolution()
        candidates = []
        if len(basic_cols) == len(tight_rows):
            polished = _indifference_polish(b, np.array(sorted(tight_rows)), np.array(sorted(basic_cols)))
            if polished is not None:
                candidates.append(polished)
        x, y = np.zeros(m), np.zeros(n)
        x[rows], y[cols] = np.abs(solution.row_dual), np.clip(solution.col_value, 0.0, None)
        if x.sum() > 0 and y.sum() > 0:
            candidates.append((_normalise(x), _normalise(y)))
        for x, y in candidates:
            ay, xa = a @ y, x @ a
            if ay.max() - xa.min() <= target:
                return x, y, total, used
        if not candidates:
            return None
        sub_low, sub_high = xa[cols].min(), ay[rows].max()
        rows = np.union1d(rows, np.flatnonzero(ay > sub_high))
        cols = np.union1d(cols, np.flatnonzero(xa < sub_low))
    return None


def _auto(a: np.ndarray, tol: float, max_iter: int):
    """The fastest route to ``tol``: (x, y, iterations, message, method, gaps, status)."""
    m, n = a.shape
    if tol < AUTO_WARM_TOL and m * n <= AUTO_LP_CELLS:
        x, y, iterations, message = _solve_lp(a)
        return x, y, iterations, message, "auto:lp", np.zeros(0), 0
    run = run_iterative(a, "prm+", max(tol, AUTO_WARM_TOL), max_iter)
    if tol >= AUTO_WARM_TOL and run.converged:
        return (run.row_strategy, run.col_strategy, run.iterations, "predictive RM+ reached the tolerance",
                "auto:prm+", run.gaps, 0)
    refined = _support_simplex(a, run.row_strategy, run.col_strategy, tol)
    if refined is not None:
        x, y, lp_iterations, rounds = refined
        message = (f"predictive RM+ then the warm-started simplex on the supports ({rounds} round(s), "
                   f"{lp_iterations} simplex iterations)")
        return x, y, run.iterations + lp_iterations, message, "auto:prm+>support-simplex", run.gaps, 0
    x, y, iterations, message = _solve_lp(a, "highs-ipm")
    return x, y, run.iterations + iterations, "support LP not certified; full LP: " + message, "auto:lp", run.gaps, 0


def solve_zero_sum(
    game, method: str = "lp", *, tol: float = EXACT_TOL, max_iter: int = DEFAULT_MAX_ITER, device: str | None = None
) -> ZeroSumSolution:
    """Solve a zero-sum game and certify the answer.

    Parameters
    ----------
    game : ZeroSumGame or array-like of shape (n_strategies, n_scenarios)
        Entry ``[i, j]`` is the trader's (row player's, maximiser's) utility.
    method : {"lp", "rm+", "prm+", "pdhg", "auto"}
        ``"lp"`` solves the maximin linear program with HiGHS; the attacker's
        strategy comes from its duals (or its own LP when the duals are not
        accurate enough). ``"rm+"`` (regret matching+), ``"prm+"`` (predictive RM+)
        and ``"pdhg"`` (restarted primal-dual hybrid gradient) iterate until the
        exploitability is at most ``tol`` times the payoff range or ``max_iter``.
        ``"auto"`` picks the fastest route for the size and tolerance: the LP for
        exact answers on small games, predictive RM+ for approximate ones, and
        predictive RM+ to 1e-4 followed by HiGHS's dual simplex on the likely supports,
        warm-started from the basis the iterate suggests and polished by the indifference
        conditions (certified on the full matrix, with the full LP as fallback), for exact
        answers on larger games.
    tol : float, default 1e-9
        Exploitability asked, as a fraction of ``max(A) - min(A)``. The LP ignores it
        (it is exact to about 1e-9 of the range).
    max_iter : int, default 100000
        Iteration limit of the iterative methods.
    device : str, optional
        Run ``"rm+"`` or ``"prm+"`` with the torch backend on this device (``"cuda"``,
        ``"cpu"``); see :func:`solvers.torch_backend.rm_plus_torch`.

    Returns
    -------
    ZeroSumSolution
        The value, both mixes and a certificate recomputed from the matrix.

    Raises
    ------
    InvalidGameError
        If the payoff matrix is empty, not 2-D, not numeric, or holds NaN or inf.
    ConfigError
        If ``method``, ``tol``, ``max_iter`` or ``device`` is invalid.
    SolverError
        If HiGHS fails.

    Examples
    --------
    >>> sol = solve_zero_sum([[1, -1], [-1, 1]])   # matching pennies
    >>> round(sol.value, 9), sol.row_strategy.round(6).tolist()
    (0.0, [0.5, 0.5])
    >>> approx = solve_zero_sum([[2, -1], [-1, 1]], method="auto", tol=1e-4)
    >>> approx.success, approx.exploitability <= 1e-4 * 3
    (True, True)
    """
    if method not in METHODS:
        raise ConfigError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    tol, max_iter = check_tolerance(tol, max_iter)
    if device is not None and method not in ("rm+", "prm+"):
        raise ConfigError(f"device applies to the torch backend of 'rm+' and 'prm+' only, not to {method!r}")
    game = game if isinstance(game, ZeroSumGame) else ZeroSumGame(game)
    a = game.payoff
    start = time.perf_counter()
    gaps, status, label = np.zeros(0), 0, method
    if method == "lp":
        x, y, iterations, message = _solve_lp(a)
    elif method == "auto":
        x, y, iterations, message, label, gaps, status = _auto(a, tol, max_iter)
    else:
        if device is not None:
            from solvers.torch_backend import rm_plus_torch  # torch is imported only when asked for

            run = rm_plus_torch(a, tol, max_iter, device=device, predictive=method == "prm+")
        else:
            run = run_iterative(a, method, tol, max_iter)
        x, y, iterations, gaps, label = run.row_strategy, run.col_strategy, run.iterations, run.gaps, run.method
        status = 0 if run.converged else 1
        message = "tolerance reached" if run.converged else f"iteration limit ({max_iter}) reached"
    seconds = time.perf_counter() - start
    certificate = certify(a, x, y)
    span = float(np.ptp(a))
    success = method == "lp" or certificate.exploitability <= max(tol, EXACT_TOL) * span + 1e-12 * max(span, 1.0)
    return ZeroSumSolution(
        value=0.5 * (certificate.lower_bound + certificate.upper_bound),
        row_strategy=x,
        col_strategy=y,
        lower_bound=certificate.lower_bound,
        upper_bound=certificate.upper_bound,
        exploitability=certificate.exploitability,
        method=label,
        success=bool(success),
        status=status if success or status else 2,
        message=message,
        iterations=int(iterations),
        seconds=seconds,
        row_labels=game.row_labels,
        col_labels=game.col_labels,
        gap_history=gaps,
    )
