import itertools

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from gametheory import ConfigError, InfeasibleError, InvalidGameError, SolverError
from solvers.kkt import kkt_residuals
from solvers.robust import robust_allocation, worst_case_bounds

RNG = np.random.default_rng(0)
R = RNG.normal(0.01, 0.05, size=(40, 3)) + np.array([0.0, 0.01, -0.01])
PATHS = RNG.normal(0.001, 0.02, size=(40, 12, 3))


def _tv_worst_mean_lp(x, p, eps):
    """min_q q^T x over {q >= 0, sum q = 1, sum |q - p| <= 2 eps}, with d = q - p split in +/- parts."""
    n = p.size
    c = np.r_[x, -x]
    # Rows: the TV budget, then q = p + d_plus - d_minus >= 0.
    res = linprog(c, A_ub=np.vstack([np.ones((1, 2 * n)), np.hstack([-np.eye(n), np.eye(n)])]),
                  b_ub=np.r_[2 * eps, p], A_eq=np.r_[np.ones(n), -np.ones(n)][None, :], b_eq=[0.0],
                  bounds=[(0, None)] * (2 * n), method="highs")
    return float(p @ x + res.fun)


def _tv_worst_cvar_lp(losses, p, eps, alpha):
    """sup over q in the TV ball of CVaR_q = max xi^T l, 0 <= xi <= q / (1 - alpha), sum xi = 1.
    Variables (xi, d_plus, d_minus), q = p + d_plus - d_minus."""
    n = p.size
    c = np.r_[-losses, np.zeros(2 * n)]
    eye, zero = np.eye(n), np.zeros((n, n))
    a_ub = np.vstack([
        np.hstack([eye, -eye / (1 - alpha), eye / (1 - alpha)]),  # xi <= q / (1 - alpha)
        np.r_[np.zeros(n), np.ones(2 * n)][None, :],               # TV
        np.hstack([zero, -eye, eye]),                               # q >= 0
    ])
    b_ub = np.r_[p / (1 - alpha), 2 * eps, p]
    a_eq = np.vstack([np.r_[np.ones(n), np.zeros(2 * n)], np.r_[np.zeros(n), np.ones(n), -np.ones(n)]])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0, 0.0], bounds=[(0, None)] * (3 * n), method="highs")
    return -float(res.fun)


@pytest.mark.parametrize("eps", [0.0, 0.05, 0.3, 1.0])
def test_tv_closed_forms_match_independent_lps(eps):
    w = np.array([0.5, 0.2, 0.3])
    p = RNG.dirichlet(np.ones(R.shape[0]))
    bounds = worst_case_bounds(w, R, alpha=0.9, probabilities=p, ambiguity="tv", ambiguity_radius=eps)
    assert bounds["worst_case_mean"] == pytest.approx(_tv_worst_mean_lp(R @ w, p, eps), abs=1e-10)
    assert bounds["worst_case_cvar"] == pytest.approx(_tv_worst_cvar_lp(-(R @ w), p, eps, 0.9), abs=1e-10)


def test_mean_set_closed_forms_are_attained():
    w = np.array([0.6, -0.3, 0.7])
    c = R.mean(axis=0)
    s = np.cov(R, rowvar=False) / R.shape[0]
    got = worst_case_bounds(w, R, mean_set="ellipsoid", covariance=s, radius=2.0)["worst_case_mean"]
    mu = c - 2.0 * s @ w / np.sqrt(w @ s @ w)  # the minimiser over the ellipsoid
    assert (mu - c) @ np.linalg.solve(s, mu - c) == pytest.approx(4.0)
    assert got == pytest.approx(mu @ w, abs=1e-12)
    got = worst_case_bounds(w, R, mean_set="box", half_width=[0.01, 0.02, 0.03])["worst_case_mean"]
    assert got == pytest.approx((c - np.sign(w) * [0.01, 0.02, 0.03]) @ w, abs=1e-12)


def test_wasserstein_bound_is_attained_by_a_shift():
    # Moving every scenario by -eps w / ||w|| costs exactly eps in W1 and lowers the mean by eps ||w||.
    w, eps = np.array([0.2, 0.5, 0.3]), 0.02
    got = worst_case_bounds(w, R, ambiguity="wasserstein", ambiguity_radius=eps)
    shifted = R - eps * w / np.linalg.norm(w)
    assert got["worst_case_mean"] == pytest.approx((shifted @ w).mean(), abs=1e-12)


@pytest.mark.parametrize(
    "objective, mean_set, ambiguity",
    list(itertools.product(["mean", "cvar"], [None, "box", "ellipsoid"], [None, "tv", "wasserstein"])),
)
def test_solver_agrees_with_closed_form_and_kkt_holds(objective, mean_set, ambiguity):
    kwargs = dict(objective=objective, mean_set=mean_set, ambiguity=ambiguity, max_weight=0.7,
                  ambiguity_radius=0.1 if ambiguity == "tv" else 0.01)
    if objective == "cvar" and mean_set is not None:
        kwargs["min_return"] = -0.02
    alloc = robust_allocation(R, **kwargs)
    assert alloc.status == "optimal" and alloc.solver == "CLARABEL" and alloc.fallback == ("CLARABEL: optimal",)
    assert alloc.worst_case == pytest.approx(alloc.solver_objective, abs=1e-7)
    assert alloc.certificate.max_residual <= 1e-6
    assert alloc.weights.sum() == pytest.approx(1.0, abs=1e-8)
    assert (alloc.weights >= -1e-8).all() and (alloc.weights <= 0.7 + 1e-8).all()
    if "min_return" in kwargs:
        assert alloc.worst_case_mean >= -0.02 - 1e-7


@pytest.mark.parametrize("objective", ["mean", "cvar"])
def test_optimum_beats_a_grid_of_two_sleeve_mixes(objective):
    r = R[:, :2]
    kwargs = dict(ambiguity="tv", ambiguity_radius=0.1, mean_set="box", half_width=0.002, alpha=0.8)
    if objective == "cvar":
        kwargs["min_return"] = -1.0
    alloc = robust_allocation(r, objective=objective, **kwargs)
    kwargs.pop("min_return", None)
    key = "worst_case_mean" if objective == "mean" else "worst_case_cvar"
    grid = [worst_case_bounds([t, 1 - t], r, **kwargs)[key] for t in np.linspace(0, 1, 201)]
    if objective == "mean":
        assert alloc.worst_case >= max(grid) - 1e-8
    else:
        assert alloc.worst_case <= min(grid) + 1e-8


def test_long_short_leverage_caps_and_highs_fallback_certificate():
    alloc = robust_allocation(R, objective="mean", long_only=False, leverage=1.6, max_weight=0.9,
                              solvers=("HIGHS",))
    assert alloc.solver == "HIGHS" and (alloc.weights < -1e-6).any()
    assert np.abs(alloc.weights).sum() <= 1.6 + 1e-8 and np.abs(alloc.weights).max() <= 0.9 + 1e-8
    assert alloc.certificate.max_residual <= 1e-7
    clarabel = robust_allocation(R, objective="mean", long_only=False, leverage=1.6, max_weight=0.9)
    assert clarabel.worst_case == pytest.approx(alloc.worst_case, abs=1e-7)


def test_fallback_chain_records_failures_and_raises_from_last_error():
    alloc = robust_allocation(R, solvers=("NO_SUCH_SOLVER", "CLARABEL"))
    assert alloc.solver == "CLARABEL" and alloc.fallback[0].startswith("NO_SUCH_SOLVER: error")
    with pytest.raises(SolverError, match="every solver failed") as info:
        robust_allocation(R, solvers=("NO_SUCH_SOLVER", "ALSO_MISSING"))
    assert info.value.__cause__ is not None


def _reference_drawdowns(paths, w):
    out = []
    for path in paths:
        pnl, peak, worst = 0.0, 0.0, 0.0
        for step in path:
            pnl += step @ w
            peak = max(peak, pnl)
            worst = max(worst, peak - pnl)
        out.append(worst)
    return np.array(out)


def test_drawdown_budget_binds_and_is_met_exactly():
    free = robust_allocation(R, drawdown_paths=PATHS, drawdown_budget=10.0)
    budget = 0.8 * free.drawdown_cdar
    alloc = robust_allocation(R, drawdown_paths=PATHS, drawdown_budget=budget, drawdown_alpha=0.9)
    dd = _reference_drawdowns(PATHS, alloc.weights)
    worst = np.sort(dd)[::-1][:4].mean()  # CDaR at 0.9 of 40 equally likely paths: the worst 4
    assert alloc.drawdown_cdar == pytest.approx(worst, abs=1e-12)
    assert worst <= budget + 1e-7 and alloc.worst_case <= free.worst_case + 1e-9
    assert alloc.certificate.max_residual <= 1e-6


def test_infeasible_constraints_name_the_set():
    with pytest.raises(InfeasibleError, match="caps"):
        robust_allocation(R, max_weight=0.2)
    with pytest.raises(InfeasibleError, match="drawdown"):
        robust_allocation(R, drawdown_paths=PATHS, drawdown_budget=1e-6)
    with pytest.raises(InfeasibleError, match="min_return"):
        robust_allocation(R, objective="cvar", min_return=1.0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"objective": "sharpe"}, ConfigError, "objective"),
        ({"alpha": 1.0}, ConfigError, "alpha"),
        ({"ambiguity": "tv", "ambiguity_radius": 1.5}, ConfigError, "ambiguity_radius"),
        ({"long_only": False}, ConfigError, "leverage"),
        ({"drawdown_budget": 0.1}, ConfigError, "drawdown_paths"),
        ({"drawdown_budget": 0.1, "drawdown_paths": np.zeros((3, 2, 3))}, InvalidGameError, "drawdown_paths"),
        ({"objective": "cvar", "mean_set": "box"}, ConfigError, "min_return"),
        ({"mean_set": "ellipsoid", "covariance": -np.eye(3)}, ConfigError, "semi-definite"),
    ],
)
def test_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        robust_allocation(R, **kwargs)


def test_labels_from_dataframe_and_nan_location():
    frame = pd.DataFrame(R, columns=["trend", "meanrev", "carry"])
    alloc = robust_allocation(frame)
    assert alloc.labels == ("trend", "meanrev", "carry") and set(alloc.to_dict()["weights"]) == set(alloc.labels)
    bad = R.copy()
    bad[5, 2] = np.nan
    with pytest.raises(InvalidGameError, match="scenario 5, sleeve 2"):
        robust_allocation(bad)


def test_kkt_residuals_detect_a_wrong_point():
    w = cp.Variable(2)
    problem = cp.Problem(cp.Minimize(w[0] + 2 * w[1]), [cp.sum(w) == 1, w >= 0])
    problem.solve(solver="CLARABEL")
    assert kkt_residuals(problem).max_residual <= 1e-8
    w.value = np.array([0.0, 1.0])  # feasible but not optimal: complementarity/stationarity break
    assert kkt_residuals(problem).max_residual >= 0.5
