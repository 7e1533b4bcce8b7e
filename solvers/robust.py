"""Robust allocation over strategy sleeves with cvxpy: the best weights for the worst case.

The data are a scenario-by-sleeve matrix ``R`` of shape (n_scenarios, n_sleeves) — e.g. each
strategy's return on every scenario path, or asset returns — with scenario probabilities
``p`` (uniform by default). For weights ``w`` the portfolio loss in scenario ``k`` is
``l_k = -(R w)_k``.

Uncertainty (both may be combined):

- **Mean set** around a centre ``c`` (default ``R^T p``, or a robust estimate from
  :mod:`solvers.robust_statistics`): the box ``|mu_k - c_k| <= delta_k`` (worst case
  ``c^T w - delta^T |w|``) or the ellipsoid ``(mu - c)^T S^{-1} (mu - c) <= kappa^2``
  (worst case ``c^T w - kappa ||S^{1/2} w||_2``).
- **Ambiguity ball** over the scenario probabilities:

  * ``"tv"``: total variation ``{q : (1/2) ||q - p||_1 <= eps}``. The worst case moves mass
    ``eps`` from the best outcomes to the worst scenario, so
    ``sup_q E_q[g] = eps max_k g_k + (1 - eps) CVaR_eps(g)`` (upper tail), an LP.
  * ``"wasserstein"``: type-1 Wasserstein ball of radius ``eps`` (ground metric the
    ``l_r`` norm on return vectors, ``r = wasserstein_norm`` in {1, 2, inf}, Euclidean by
    default; unbounded support) around the empirical distribution. With ``||.||_*`` the dual
    norm (``l_inf``, ``l_2``, ``l_1``), for the linear loss ``sup E[l] = E_p[l] + eps ||w||_*``
    and ``sup CVaR_alpha(l) = CVaR_alpha,p(l) + eps ||w||_* / (1 - alpha)`` (Esfahani & Kuhn
    2018; Pflug, Pichler & Wozabal 2012).

  The mean then ranges over ``{c + R^T (q - p) + delta}``, the Minkowski sum of the two.

Objectives: ``"mean"`` maximises the worst-case expected return; ``"cvar"`` minimises the
worst-case CVaR of the loss at level ``alpha`` over the ambiguity ball (optionally with a
floor on the worst-case expected return, where the mean set acts); ``"mean_cvar"`` minimises
the worst case of ``E[l] + lambda CVaR_alpha(l)`` (``lambda = risk_aversion``; skfolio's
``DistributionallyRobustCVaR`` objective); ``"mean_variance"`` maximises the worst-case mean
minus ``lambda w^T Sigma w`` with ``Sigma = return_covariance`` (Riskfolio-Lib's worst-case
``Utility`` with a fixed covariance). The joint worst case of ``E[l] + lambda CVaR(l)`` is the
sum of the two worst cases: for the TV ball one distribution (mass moved to the largest
loss) dominates all others in first order, and in the Wasserstein ball both suprema are
approached by the same far transport along the dual-norm direction of ``w``.

Constraints: ``sum w = budget``; long-only (``w >= 0``) or long-short; leverage
``sum |w| <= L``; per-sleeve caps ``|w_k| <= cap_k``; a drawdown budget, modelled as the
conditional drawdown at risk (CDaR, Chekhlov, Uryasev & Zabarankin 2005) of the
*additive* P&L path ``C_{k,t} = sum_{s <= t} r_{k,s}^T w`` (constant exposures, no
compounding) over the scenario paths, under the nominal probabilities: the mean of the
worst ``1 - drawdown_alpha`` of the scenario max drawdowns is at most the budget. This is an
LP and is exact for the additive P&L; it is not the compounded drawdown.

Every reported bound is recomputed in closed form from the weights (sorting for the TV
ball, norms for the other sets), not copied from the solver; the dual certificate is the
set of KKT residuals recomputed from cvxpy's duals (:mod:`solvers.kkt`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cvxpy as cp
import numpy as np
from scipy import stats

from gametheory.errors import ConfigError, InfeasibleError, InvalidGameError, SolverError
from solvers.kkt import KKTResiduals, kkt_residuals

__all__ = ["OBJECTIVES", "RobustAllocation", "UncertaintySet", "robust_allocation", "worst_case_bounds"]

OBJECTIVES = ("mean", "cvar", "mean_cvar", "mean_variance")
MEAN_SETS = (None, "box", "ellipsoid")
AMBIGUITIES = (None, "tv", "wasserstein")
DUAL_NORMS = {1.0: np.inf, 2.0: 2.0, np.inf: 1.0}  # Wasserstein ground norm -> its dual
_LP_CHAIN = ("CLARABEL", "HIGHS")
_CONIC_CHAIN = ("CLARABEL", "SCS")


@dataclass(frozen=True)
class UncertaintySet:
    """Validated uncertainty on the mean and on the scenario probabilities.

    Attributes
    ----------
    probabilities : ndarray of shape (n_scenarios,)
    center : ndarray of shape (n_sleeves,)
    mean_set : {None, "box", "ellipsoid"}
    half_width : ndarray of shape (n_sleeves,) or None
        Box half-widths ``delta``.
    root : ndarray of shape (n_sleeves, n_sleeves) or None
        ``S^{1/2}`` of the ellipsoid's shape matrix, so ``||root @ w||_2^2 = w^T S w``.
    radius : float
        The ellipsoid's ``kappa``.
    ambiguity : {None, "tv", "wasserstein"}
    ambiguity_radius : float
    ground_norm : {1, 2, inf}
        The Wasserstein ground metric's ``l_r`` norm.
    """

    probabilities: np.ndarray
    center: np.ndarray
    mean_set: str | None = None
    half_width: np.ndarray | None = None
    root: np.ndarray | None = None
    radius: float = 0.0
    ambiguity: str | None = None
    ambiguity_radius: float = 0.0
    ground_norm: float = 2.0
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RobustAllocation:
    """Robust weights with their worst-case bounds and certificate.

    Attributes
    ----------
    weights : ndarray of shape (n_sleeves,)
    labels : tuple of str
        Sleeve names.
    objective : {"mean", "cvar", "mean_cvar", "mean_variance"}
    worst_case : float
        The objective's worst case, recomputed in closed form: the worst-case expected return
        (``"mean"``, higher is better), the worst-case CVaR of the loss (``"cvar"``, lower is
        better), ``risk_aversion * worst_case_cvar - worst_case_mean`` (``"mean_cvar"``, lower is
        better) or ``worst_case_mean - risk_aversion * w^T Sigma w`` (``"mean_variance"``, higher
        is better).
    solver_objective : float
        The solver's optimal value, to compare with ``worst_case``.
    worst_case_mean, worst_case_cvar : float
        Both closed forms for ``weights`` (the CVaR at ``alpha``).
    nominal_mean, nominal_cvar : float
        The same under ``p`` with no uncertainty.
    drawdown_cdar : float or None
        CDaR of the additive P&L paths at ``drawdown_alpha`` when paths were given.
    certificate : KKTResiduals
        Residuals of the optimality conditions from cvxpy's duals.
    solver : str
        The solver that produced the answer.
    fallback : tuple of str
        Every solver tried, in order, with its outcome.
    status : str
    seconds : float
    settings : dict
        The objective's and uncertainty sets' parameters.
    """

    weights: np.ndarray
    labels: tuple[str, ...]
    objective: str
    worst_case: float
    solver_objective: float
    worst_case_mean: float
    worst_case_cvar: float
    nominal_mean: float
    nominal_cvar: float
    drawdown_cdar: float | None
    certificate: KKTResiduals
    solver: str
    fallback: tuple[str, ...]
    status: str
    seconds: float
    settings: dict

    def to_dict(self) -> dict:
        return {
            "objective": self.objective,
            "worst_case": self.worst_case,
            "solver_objective": self.solver_objective,
            "worst_case_mean": self.worst_case_mean,
            "worst_case_cvar": self.worst_case_cvar,
            "nominal_mean": self.nominal_mean,
            "nominal_cvar": self.nominal_cvar,
            "drawdown_cdar": self.drawdown_cdar,
            "certificate": self.certificate.to_dict(),
            "solver": self.solver,
            "fallback": list(self.fallback),
            "status": self.status,
            "seconds": self.seconds,
            "settings": self.settings,
            "weights": dict(zip(self.labels, map(float, self.weights))),
        }


# ----------------------------------------------------------------------------- closed forms

def _cvar(losses: np.ndarray, q: np.ndarray, alpha: float) -> float:
    """``CVaR_alpha`` of a discrete loss: the mean of its worst ``1 - alpha`` probability mass."""
    order = np.argsort(-losses, kind="stable")
    mass = q[order]
    take = np.clip((1.0 - alpha) - (np.cumsum(mass) - mass), 0.0, mass)
    return float(take @ losses[order] / (1.0 - alpha))


def _tv_worst(losses: np.ndarray, p: np.ndarray, eps: float) -> np.ndarray:
    """The distribution in the TV ball that first-order dominates every other in loss:
    mass ``eps`` taken from the smallest losses and put on the largest."""
    order = np.argsort(losses, kind="stable")
    mass = p[order]
    removed = np.clip(eps - (np.cumsum(mass) - mass), 0.0, mass)
    q = p.copy()
    q[order] -= removed
    q[int(np.argmax(losses))] += removed.sum()
    return q


def _mean_penalty(w: np.ndarray, u: UncertaintySet) -> float:
    if u.mean_set == "box":
        return float(u.half_width @ np.abs(w))
    if u.mean_set == "ellipsoid":
        return float(u.radius * np.linalg.norm(u.root @ w))
    return 0.0


def _closed_forms(w: np.ndarray, returns: np.ndarray, u: UncertaintySet, alpha: float) -> dict:
    p, losses = u.probabilities, -(returns @ w)
    eps = u.ambiguity_radius
    nominal_mean, nominal_cvar = float(p @ (returns @ w)), _cvar(losses, p, alpha)
    shift = float((u.center - returns.T @ p) @ w)  # the centre c may differ from R^T p
    if u.ambiguity == "tv":
        q = _tv_worst(losses, p, eps)
        worst_loss_mean, worst_cvar = float(q @ losses), _cvar(losses, q, alpha)
    elif u.ambiguity == "wasserstein":
        norm = float(np.linalg.norm(w, DUAL_NORMS[u.ground_norm]))
        worst_loss_mean, worst_cvar = float(p @ losses) + eps * norm, nominal_cvar + eps * norm / (1.0 - alpha)
    else:
        worst_loss_mean, worst_cvar = float(p @ losses), nominal_cvar
    return {
        "worst_case_mean": shift - worst_loss_mean - _mean_penalty(w, u),
        "worst_case_cvar": worst_cvar,
        "nominal_mean": nominal_mean,
        "nominal_cvar": nominal_cvar,
    }


def _additive_drawdowns(paths: np.ndarray, w: np.ndarray) -> np.ndarray:
    pnl = np.cumsum(paths @ w, axis=1)
    peaks = np.maximum.accumulate(np.maximum(pnl, 0.0), axis=1)  # the start (P&L 0) is a peak
    return (peaks - pnl).max(axis=1)


# ----------------------------------------------------------------------------- validation

def _matrix(returns) -> tuple[np.ndarray, tuple[str, ...]]:
    labels = tuple(map(str, returns.columns)) if hasattr(returns, "columns") else None
    values = getattr(returns, "to_numpy", None)
    try:
        r = np.asarray(values() if callable(values) else returns, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidGameError(f"returns is not a numeric array: {err}") from err
    if r.ndim != 2 or 0 in r.shape:
        raise InvalidGameError(f"returns must be a non-empty (n_scenarios, n_sleeves) array, got shape {r.shape}")
    bad = ~np.isfinite(r)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise InvalidGameError(f"returns hold {int(bad.sum())} non-finite values; first at scenario {i}, sleeve {j}")
    return r, labels or tuple(f"sleeve{k}" for k in range(r.shape[1]))


def _vector(value, n: int, name: str, minimum: float = 0.0) -> np.ndarray:
    v = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy() if np.ndim(value) <= 1 else None
    if v is None or not np.isfinite(v).all() or (v < minimum).any():
        raise ConfigError(f"{name} must be a scalar or ({n},) vector of finite values >= {minimum}, got {value!r}")
    return v


def _psd_root(matrix: np.ndarray, n: int, name: str) -> np.ndarray:
    """``M^{1/2}`` of a symmetric positive semi-definite ``(n, n)`` matrix, so ``||root @ w||_2^2 = w^T M w``."""
    if matrix.shape != (n, n) or not np.isfinite(matrix).all() or not np.allclose(matrix, matrix.T):
        raise ConfigError(f"{name} must be a symmetric ({n}, {n}) matrix")
    values, vectors = np.linalg.eigh(matrix)
    if values.min() < -1e-10 * max(values.max(), 1.0):
        raise ConfigError(f"{name} is not positive semi-definite (eigenvalue {values.min():.3g})")
    return np.sqrt(np.clip(values, 0.0, None))[:, None] * vectors.T


def _uncertainty(returns, probabilities, mean, mean_set, half_width, covariance, radius, ambiguity,
                 ambiguity_radius, wasserstein_norm=2.0) -> UncertaintySet:
    n_scenarios, n_sleeves = returns.shape
    if probabilities is None:
        p = np.full(n_scenarios, 1.0 / n_scenarios)
    else:
        p = np.asarray(probabilities, dtype=np.float64).ravel()
        if p.shape != (n_scenarios,) or not np.isfinite(p).all() or (p < 0).any() or abs(p.sum() - 1) > 1e-9:
            raise ConfigError(f"probabilities must be {n_scenarios} non-negative numbers summing to 1")
    center = returns.T @ p if mean is None else np.asarray(mean, dtype=np.float64).ravel()
    if center.shape != (n_sleeves,) or not np.isfinite(center).all():
        raise ConfigError(f"mean must be {n_sleeves} finite numbers, got shape {center.shape}")
    if mean_set not in MEAN_SETS:
        raise ConfigError(f"unknown mean_set {mean_set!r}; choose one of {MEAN_SETS}")
    if ambiguity not in AMBIGUITIES:
        raise ConfigError(f"unknown ambiguity {ambiguity!r}; choose one of {AMBIGUITIES}")
    eps = float(ambiguity_radius)
    if not eps >= 0 or (ambiguity == "tv" and eps > 1):
        raise ConfigError(f"ambiguity_radius must be >= 0 (and <= 1 for 'tv'), got {ambiguity_radius}")
    ground = float(wasserstein_norm)
    if ground not in DUAL_NORMS:
        raise ConfigError(f"wasserstein_norm must be 1, 2 or inf, got {wasserstein_norm!r}")
    std = returns.std(axis=0, ddof=1) if n_scenarios > 1 else np.zeros(n_sleeves)
    settings = {"mean_set": mean_set, "ambiguity": ambiguity, "ambiguity_radius": eps}
    if ambiguity == "wasserstein":
        settings["wasserstein_norm"] = ground
    box = root = None
    kappa = 0.0
    if mean_set == "box":  # default: 95% two-sided marginal confidence intervals of the mean
        default = stats.norm.ppf(0.975) * std / np.sqrt(n_scenarios)
        box = _vector(default if half_width is None else half_width, n_sleeves, "half_width")
        settings["half_width"] = box.tolist()
    elif mean_set == "ellipsoid":  # default: the 95% confidence ellipsoid of the sample mean
        shape = (np.cov(returns, rowvar=False, aweights=p).reshape(n_sleeves, n_sleeves) / n_scenarios
                 if covariance is None else np.asarray(covariance, dtype=np.float64))
        root = _psd_root(shape, n_sleeves, "covariance")
        kappa = float(np.sqrt(stats.chi2.ppf(0.95, n_sleeves)) if radius is None else radius)
        if not kappa >= 0:
            raise ConfigError(f"radius must be >= 0, got {radius}")
        settings["radius"] = kappa
    return UncertaintySet(probabilities=p, center=center, mean_set=mean_set, half_width=box, root=root,
                          radius=kappa, ambiguity=ambiguity, ambiguity_radius=eps, ground_norm=ground,
                          settings=settings)


def worst_case_bounds(weights, returns, *, alpha: float = 0.95, **uncertainty) -> dict:
    """Closed-form worst-case expected return and CVaR of fixed ``weights``.

    Parameters
    ----------
    weights : array-like of shape (n_sleeves,)
    returns : array-like of shape (n_scenarios, n_sleeves)
    alpha : float in (0, 1)
    **uncertainty
        ``probabilities``, ``mean``, ``mean_set``, ``half_width``, ``covariance``, ``radius``,
        ``ambiguity``, ``ambiguity_radius``, ``wasserstein_norm`` as in :func:`robust_allocation`.

    Returns
    -------
    dict
        ``worst_case_mean``, ``worst_case_cvar``, ``nominal_mean``, ``nominal_cvar``.
    """
    r, _ = _matrix(returns)
    keys = ("probabilities", "mean", "mean_set", "half_width", "covariance", "radius", "ambiguity",
            "ambiguity_radius", "wasserstein_norm")
    defaults = {"ambiguity_radius": 0.0, "wasserstein_norm": 2.0}
    unknown = set(uncertainty) - set(keys)
    if unknown:
        raise ConfigError(f"unknown uncertainty arguments: {sorted(unknown)}")
    u = _uncertainty(r, *(uncertainty.get(k, defaults.get(k)) for k in keys))
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != (r.shape[1],):
        raise ConfigError(f"weights have length {w.size}, expected {r.shape[1]}")
    return _closed_forms(w, r, u, _level(alpha, "alpha"))


def _level(value, name: str) -> float:
    value = float(value)
    if not 0.0 < value < 1.0:
        raise ConfigError(f"{name} must lie in (0, 1), got {value}")
    return value


# ----------------------------------------------------------------------------- the program

def _tv_sup(g, p: np.ndarray, eps: float, constraints: list):
    """An affine upper bound on ``sup_{TV(q, p) <= eps} E_q[g]`` that is tight at the optimum:
    ``eps s + (1 - eps) t + p^T z`` with ``s >= g``, ``z >= g - t``, ``z >= 0``."""
    s, t, z = cp.Variable(), cp.Variable(), cp.Variable(p.size, nonneg=False)
    constraints += [g <= s, g - t <= z, z >= 0]
    return eps * s + (1.0 - eps) * t + p @ z


def _dual_norm(w, ground_norm: float, constraints: list):
    """A variable bounding the dual norm of ``w`` from above, tight at the optimum: a second-order
    cone (``l_2``) or linear bounds (``l_inf``: ``|w_k| <= t``; ``l_1``: ``sum |w_k| <= t``)."""
    bound = cp.Variable()
    dual = DUAL_NORMS[ground_norm]
    if dual == 2.0:
        constraints.append(cp.SOC(bound, w))
    elif dual == np.inf:
        constraints += [w <= bound, -w <= bound]
    else:
        size = cp.Variable(w.shape[0])
        constraints += [w <= size, -w <= size, cp.sum(size) <= bound]
    return bound


def _worst_mean_expr(returns, w, abs_w, u: UncertaintySet, constraints: list):
    p, eps = u.probabilities, u.ambiguity_radius
    losses = -(returns @ w)
    expr = (u.center - returns.T @ p) @ w
    if u.ambiguity == "tv":
        expr = expr - _tv_sup(losses, p, eps, constraints)
    else:
        expr = expr - p @ losses
        if u.ambiguity == "wasserstein":
            expr = expr - eps * _dual_norm(w, u.ground_norm, constraints)
    if u.mean_set == "box":
        expr = expr - u.half_width @ abs_w
    elif u.mean_set == "ellipsoid":
        spread = cp.Variable()
        constraints.append(cp.SOC(spread, u.root @ w))
        expr = expr - u.radius * spread
    return expr


def _worst_cvar_expr(losses, w, p, alpha, u: UncertaintySet, constraints: list):
    tau, v = cp.Variable(), cp.Variable(p.size)
    constraints += [losses - tau <= v, v >= 0]
    if u is not None and u.ambiguity == "tv":
        return tau + _tv_sup(v, p, u.ambiguity_radius, constraints) / (1.0 - alpha)
    expr = tau + (p @ v) / (1.0 - alpha)
    if u is not None and u.ambiguity == "wasserstein":
        expr = expr + u.ambiguity_radius * _dual_norm(w, u.ground_norm, constraints) / (1.0 - alpha)
    return expr


def _drawdown_constraints(paths: np.ndarray, w, p: np.ndarray, beta: float, budget: float) -> list:
    n_scenarios, n_steps, n_sleeves = paths.shape
    cumulative = np.cumsum(paths, axis=1).reshape(-1, n_sleeves)
    pnl = cp.reshape(cumulative @ w, (n_scenarios, n_steps), order="C")
    peak, drawdown = cp.Variable((n_scenarios, n_steps)), cp.Variable((n_scenarios, 1))
    constraints = [pnl <= peak, peak[:, :1] >= 0, peak - pnl <= drawdown @ np.ones((1, n_steps))]
    if n_steps > 1:
        constraints.append(peak[:, :-1] <= peak[:, 1:])
    eta, excess = cp.Variable(), cp.Variable(n_scenarios)
    constraints += [drawdown[:, 0] - eta <= excess, excess >= 0, eta + p @ excess / (1.0 - beta) <= budget]
    return constraints


def _solve(problem: cp.Problem, chain: tuple[str, ...]):
    tried = []
    for name in chain:
        try:
            problem.solve(solver=name)
        except (cp.error.SolverError, ValueError) as err:
            tried.append(f"{name}: error ({err})")
            last = err
            continue
        tried.append(f"{name}: {problem.status}")
        if problem.status == cp.OPTIMAL:
            return name, tried, None
        if problem.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            return name, tried, "infeasible"
        last = SolverError(f"{name} ended with status {problem.status}")
    raise SolverError(f"every solver failed on the robust allocation: {'; '.join(tried)}") from last


def _diagnose(groups: dict[str, list]) -> str:
    """Add the constraint sets one at a time; name the first that makes the problem infeasible."""
    active: list = []
    names: list[str] = []
    for name, constraints in groups.items():
        active += constraints
        names.append(name)
        probe = cp.Problem(cp.Minimize(0), active)
        try:
            probe.solve(solver="CLARABEL")
        except cp.error.SolverError:
            continue
        if probe.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
            context = f" (together with {', '.join(names[:-1])})" if len(names) > 1 else ""
            return f"the {name} constraints are infeasible{context}"
    return f"the constraint sets {', '.join(names)} are infeasible together"


def robust_allocation(
    returns,
    *,
    objective: str = "mean",
    alpha: float = 0.95,
    probabilities=None,
    mean=None,
    mean_set: str | None = None,
    half_width=None,
    covariance=None,
    radius: float | None = None,
    ambiguity: str | None = None,
    ambiguity_radius: float = 0.0,
    wasserstein_norm: float = 2.0,
    risk_aversion: float = 1.0,
    return_covariance=None,
    budget: float = 1.0,
    long_only: bool = True,
    leverage: float | None = None,
    max_weight=None,
    min_return: float | None = None,
    drawdown_paths=None,
    drawdown_budget: float | None = None,
    drawdown_alpha: float = 0.95,
    solvers: tuple[str, ...] | None = None,
) -> RobustAllocation:
    """Weights over sleeves that are best in the worst case (see the module docstring).

    Parameters
    ----------
    returns : array-like of shape (n_scenarios, n_sleeves)
        Scenario returns of each sleeve; a DataFrame's columns name the sleeves.
    objective : {"mean", "cvar", "mean_cvar", "mean_variance"}
        Maximise the worst-case expected return; minimise the worst-case CVaR of the loss;
        minimise the worst case of ``E[loss] + risk_aversion * CVaR``; or maximise the
        worst-case expected return minus ``risk_aversion * w^T Sigma w``.
    alpha : float in (0, 1)
        CVaR level (the mean of the worst ``1 - alpha`` of outcomes).
    probabilities : array-like of shape (n_scenarios,), optional
        Nominal scenario probabilities ``p``; uniform by default.
    mean : array-like of shape (n_sleeves,), optional
        Centre of the mean set; ``R^T p`` by default.
    mean_set : {None, "box", "ellipsoid"}
    half_width : float or array-like of shape (n_sleeves,), optional
        Box half-widths; default ``1.96 std / sqrt(n_scenarios)``.
    covariance : array-like of shape (n_sleeves, n_sleeves), optional
        Ellipsoid shape ``S``; default the covariance of the sample mean (``Cov(R) / n``).
    radius : float, optional
        Ellipsoid radius ``kappa``; default ``sqrt(chi2_{0.95}(n_sleeves))``.
    ambiguity : {None, "tv", "wasserstein"}
    ambiguity_radius : float
        ``eps`` of the ambiguity ball (TV: in [0, 1]).
    wasserstein_norm : {1, 2, inf}
        The Wasserstein ground metric's ``l_r`` norm (skfolio's ball uses 1).
    risk_aversion : float
        ``lambda >= 0`` of ``"mean_cvar"`` and ``"mean_variance"``.
    return_covariance : array-like of shape (n_sleeves, n_sleeves), optional
        ``Sigma`` of ``"mean_variance"``; default the covariance of ``returns`` under ``p``
        (``ddof=1`` for uniform ``p``).
    budget : float
        ``sum w``.
    long_only : bool
    leverage : float, optional
        ``sum |w| <= leverage``. A long-short allocation needs it or ``max_weight``.
    max_weight : float or array-like of shape (n_sleeves,), optional
        Caps ``|w_k| <= max_weight_k``.
    min_return : float, optional
        Floor on the worst-case expected return (with ``objective="cvar"`` or ``"mean_cvar"``).
    drawdown_paths : array-like of shape (n_scenarios, n_steps, n_sleeves), optional
        Per-step returns of each sleeve along each scenario path.
    drawdown_budget : float, optional
        Bound on the CDaR of the additive P&L drawdown at ``drawdown_alpha``.
    drawdown_alpha : float in (0, 1)
    solvers : tuple of str, optional
        The fallback chain; default Clarabel then HiGHS (LPs) or SCS (cone programs).

    Returns
    -------
    RobustAllocation

    Raises
    ------
    InvalidGameError
        On malformed ``returns`` or ``drawdown_paths``.
    ConfigError
        On out-of-range settings.
    InfeasibleError
        When the constraints admit no weights; the message names the constraint set.
    SolverError
        When every solver of the chain fails.

    Examples
    --------
    >>> r = np.array([[0.02, 0.01], [-0.03, 0.00], [0.04, 0.01]])
    >>> alloc = robust_allocation(r, objective="cvar", alpha=0.5)
    >>> alloc.weights.round(6).tolist(), round(alloc.worst_case, 9)
    ([0.0, 1.0], -0.003333333)
    """
    start = time.perf_counter()
    r, labels = _matrix(returns)
    n_scenarios, n_sleeves = r.shape
    if objective not in OBJECTIVES:
        raise ConfigError(f"unknown objective {objective!r}; choose one of {', '.join(OBJECTIVES)}")
    alpha = _level(alpha, "alpha")
    u = _uncertainty(r, probabilities, mean, mean_set, half_width, covariance, radius, ambiguity, ambiguity_radius,
                     wasserstein_norm)
    aversion = float(risk_aversion)
    if not aversion >= 0:
        raise ConfigError(f"risk_aversion must be >= 0, got {risk_aversion}")
    sigma_root = None
    if objective == "mean_variance":
        sigma = (np.cov(r, rowvar=False, aweights=u.probabilities).reshape(n_sleeves, n_sleeves)
                 if return_covariance is None else np.asarray(return_covariance, dtype=np.float64))
        sigma_root = _psd_root(sigma, n_sleeves, "return_covariance")
    if objective == "cvar" and mean_set is not None and min_return is None:
        raise ConfigError("mean_set acts on the worst-case mean: use objective='mean' or give min_return")
    if not long_only and leverage is None and max_weight is None:
        raise ConfigError("a long-short allocation needs a leverage bound or max_weight caps")
    if leverage is not None and not float(leverage) > 0:
        raise ConfigError(f"leverage must be > 0, got {leverage}")
    paths = None
    if drawdown_budget is not None:
        if drawdown_paths is None:
            raise ConfigError("drawdown_budget needs drawdown_paths (n_scenarios, n_steps, n_sleeves)")
        paths = np.asarray(drawdown_paths, dtype=np.float64)
        if paths.ndim != 3 or paths.shape[0] != n_scenarios or paths.shape[2] != n_sleeves or paths.shape[1] == 0:
            raise InvalidGameError(f"drawdown_paths must have shape ({n_scenarios}, n_steps, {n_sleeves}), "
                                   f"got {paths.shape}")
        if not np.isfinite(paths).all():
            raise InvalidGameError("drawdown_paths hold NaN or inf")
        drawdown_alpha = _level(drawdown_alpha, "drawdown_alpha")

    w = cp.Variable(n_sleeves)
    groups: dict[str, list] = {"budget": [cp.sum(w) == float(budget)]}
    if long_only:
        abs_w = w
        groups["long_only"] = [w >= 0]
    else:
        abs_w = cp.Variable(n_sleeves)
        groups["long_short"] = [w <= abs_w, -w <= abs_w]
    if max_weight is not None:
        groups["caps"] = [abs_w <= _vector(max_weight, n_sleeves, "max_weight")]
    if leverage is not None:
        groups["leverage"] = [cp.sum(abs_w) <= float(leverage)]
    objective_constraints: list = []
    if objective in ("mean", "mean_variance"):
        expr = _worst_mean_expr(r, w, abs_w, u, objective_constraints)
        if sigma_root is not None:  # w^T Sigma w <= v as ||(2 Sigma^{1/2} w, v - 1)|| <= v + 1
            variance = cp.Variable()
            objective_constraints.append(cp.SOC(variance + 1, cp.hstack([2 * sigma_root @ w, variance - 1])))
            expr = expr - aversion * variance
        goal = cp.Maximize(expr)
    else:
        expr = _worst_cvar_expr(-(r @ w), w, u.probabilities, alpha, u, objective_constraints)
        if objective == "mean_cvar":
            expr = aversion * expr - _worst_mean_expr(r, w, abs_w, u, objective_constraints)
        goal = cp.Minimize(expr)
    if min_return is not None:
        floor: list = []
        floor.append(_worst_mean_expr(r, w, abs_w, u, floor) >= float(min_return))
        groups["min_return"] = floor
    if paths is not None:
        groups["drawdown"] = _drawdown_constraints(paths, w, u.probabilities, drawdown_alpha, float(drawdown_budget))
    problem = cp.Problem(goal, [c for group in groups.values() for c in group] + objective_constraints)
    conic = (mean_set == "ellipsoid" or (ambiguity == "wasserstein" and u.ground_norm == 2.0)
             or objective == "mean_variance")
    chain = tuple(solvers) if solvers else (_CONIC_CHAIN if conic else _LP_CHAIN)
    name, tried, outcome = _solve(problem, chain)
    if outcome == "infeasible":
        raise InfeasibleError(f"no weights satisfy the constraints: {_diagnose(groups)} (solver {name})")
    weights = np.asarray(w.value, dtype=np.float64)
    bounds = _closed_forms(weights, r, u, alpha)
    if objective == "mean_cvar":
        worst_case = aversion * bounds["worst_case_cvar"] - bounds["worst_case_mean"]
    elif objective == "mean_variance":
        worst_case = bounds["worst_case_mean"] - aversion * float(np.sum((sigma_root @ weights) ** 2))
    else:
        worst_case = bounds[f"worst_case_{objective}"]
    cdar = None
    if paths is not None:
        cdar = _cvar(_additive_drawdowns(paths, weights), u.probabilities, drawdown_alpha)
    settings = {"alpha": alpha, "budget": float(budget), "long_only": bool(long_only),
                "leverage": None if leverage is None else float(leverage),
                "min_return": min_return, "drawdown_budget": drawdown_budget,
                **({"risk_aversion": aversion} if objective in ("mean_cvar", "mean_variance") else {}),
                "drawdown_alpha": drawdown_alpha if paths is not None else None, **u.settings}
    return RobustAllocation(
        weights=weights, labels=labels, objective=objective,
        worst_case=worst_case,
        solver_objective=float(problem.value), certificate=kkt_residuals(problem), solver=name,
        fallback=tuple(tried), status=problem.status, seconds=time.perf_counter() - start,
        drawdown_cdar=cdar, settings=settings, **bounds,
    )
