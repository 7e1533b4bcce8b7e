"""Oracle comparisons of :func:`solvers.robust.robust_allocation` against independent libraries.

- skfolio's ``DistributionallyRobustCVaR`` minimises, over a type-1 Wasserstein ball of radius
  ``eps`` around the empirical distribution, the worst case of ``E[-r^T w] + lambda
  CVaR_beta(-r^T w)`` (Esfahani & Kuhn 2018, Cor. 5.1). Its ground metric is the ``l_1`` norm
  (the dual norm in its cone constraints is ``l_inf``) and its support is ``{xi >= -1}``
  (the ``(1 + R)`` terms). Ours is the same objective (``objective="mean_cvar"``) and metric
  (``wasserstein_norm=1``) with unbounded support; the two programs have the same value
  whenever the support constraint is slack, which the equality asserted here checks rather
  than assumes (with ``eps`` well below the tail mass ``1 - beta`` and returns far above -1).
- Riskfolio-Lib's ``wc_optimization`` with ``Ucov=None``: ``MaxRet`` maximises the worst-case
  mean ``mu^T w - d^T |w|`` (box) or ``mu^T w - k ||S^{1/2} w||_2`` (ellipse), ``Utility``
  subtracts ``l w^T Sigma w``; ours is ``objective="mean"`` / ``"mean_variance"`` with
  Riskfolio's own estimates of ``d``, ``S``, ``k``, ``Sigma`` passed in. Riskfolio's
  ``Ucov="box"``/``"ellip"`` (a worst-case covariance, an SDP) has no counterpart in our API
  and is not compared.

Objectives agree to 1e-6; each peer's weights are also scored by our closed forms
(:func:`solvers.robust.worst_case_bounds`), which must give the peer's optimal value. Weights
are compared only where the optimum is unique (the strictly concave ``Utility``; the box
``MaxRet`` LP whose best sleeve is unique).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from gametheory import ConfigError
from solvers.robust import robust_allocation, worst_case_bounds

RNG = np.random.default_rng(1)
R = RNG.normal(0.01, 0.05, size=(60, 4)) + np.array([0.0, 0.01, -0.01, 0.005])
R_SHORT = R + np.array([0.0, 0.0, -0.03, 0.0])  # a sleeve worth shorting
FRAME = pd.DataFrame(R, columns=["trend", "meanrev", "carry", "vol"])
TOL = 1e-6


def _mean_cvar(w, returns, eps, beta, aversion):
    b = worst_case_bounds(w, returns, alpha=beta, ambiguity="wasserstein", ambiguity_radius=eps, wasserstein_norm=1)
    return aversion * b["worst_case_cvar"] - b["worst_case_mean"]


@pytest.mark.parametrize("eps, aversion, long_only", [
    (0.0, 1.0, True), (0.002, 1.0, True), (0.004, 3.0, True), (0.002, 1.0, False), (0.001, 0.5, False),
])
def test_distributionally_robust_cvar_matches_skfolio(eps, aversion, long_only):
    skfolio = pytest.importorskip("skfolio.optimization")
    beta, returns = 0.9, R if long_only else R_SHORT
    # skfolio's default max_weights=1 and budget=1; min_weights=-1 gives our long-short |w_k| <= 1.
    bounds = {} if long_only else {"min_weights": -1.0}
    peer = skfolio.DistributionallyRobustCVaR(cvar_beta=beta, risk_aversion=aversion, wasserstein_ball_radius=eps,
                                              **bounds).fit(returns)
    theirs = float(peer.problem_values_["objective"])
    ours = robust_allocation(returns, objective="mean_cvar", alpha=beta, risk_aversion=aversion, ambiguity="wasserstein",
                             ambiguity_radius=eps, wasserstein_norm=1, long_only=long_only, max_weight=1.0)
    assert ours.status == "optimal" and ours.certificate.max_residual <= 1e-6
    assert ours.worst_case == pytest.approx(theirs, abs=TOL)
    assert ours.solver_objective == pytest.approx(theirs, abs=TOL)
    # skfolio's weights are optimal for our formulation too (a formulation check, not a tie-break).
    assert _mean_cvar(peer.weights_, returns, eps, beta, aversion) == pytest.approx(theirs, abs=TOL)
    assert long_only or min(ours.weights.min(), peer.weights_.min()) < -0.1


def _riskfolio(frame=FRAME, **settings):
    """A Riskfolio portfolio with its own estimates: historical mean and covariance, and the
    box and ellipse of the mean from its stationary bootstrap."""
    rp = pytest.importorskip("riskfolio")
    port = rp.Portfolio(returns=frame, **settings)
    port.assets_stats(method_mu="hist", method_cov="hist")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its bootstrap warns on the ill-conditioned covariance-of-covariance
        port.wc_stats(box="s", ellip="s", n_sim=300, seed=0)
    return port


@pytest.fixture(scope="module")
def riskfolio_portfolio():
    return _riskfolio()


def _riskfolio_inputs(port, mean_set):
    inputs = {"mean": port.mu.to_numpy().ravel(), "mean_set": mean_set}
    if mean_set == "box":
        inputs["half_width"] = port.d_mu.to_numpy().ravel()
    else:
        inputs.update(covariance=port.cov_mu.to_numpy(), radius=float(port.k_mu))
    return inputs


def _riskfolio_value(port, w, mean_set, aversion):
    """Riskfolio's worst-case objective evaluated by hand at ``w`` (its own formula)."""
    mu = port.mu.to_numpy().ravel()
    if mean_set == "box":
        ret = mu @ w - port.d_mu.to_numpy().ravel() @ np.abs(w)
    else:
        values, vectors = np.linalg.eigh(port.cov_mu.to_numpy())
        ret = mu @ w - float(port.k_mu) * np.sqrt(w @ (vectors * values) @ vectors.T @ w)
    return ret - aversion * w @ port.cov.to_numpy() @ w


def _assert_unique_weights_agree(ours, theirs, sigma, aversion):
    """The Utility objective is strongly concave with modulus ``m = 2 l lambda_min(Sigma)``, so
    a point within ``g`` of the optimum lies within ``sqrt(2 g / m)`` of the unique optimiser:
    two answers each within TOL in objective are within ``2 sqrt(2 TOL / m)`` of each other.
    (The objective is flat near the optimum, so solver tolerances of 1e-8 in objective leave
    the weights determined only to about 1e-4; a fixed 1e-6 on weights would test the solvers'
    stopping rules, not the formulation.)"""
    m = 2.0 * aversion * np.linalg.eigvalsh(sigma)[0]
    assert np.linalg.norm(ours - theirs) <= 2.0 * np.sqrt(2.0 * TOL / m)


@pytest.mark.parametrize("mean_set", ["box", "ellipsoid"])
@pytest.mark.parametrize("obj", ["MaxRet", "Utility"])
def test_worst_case_mean_variance_matches_riskfolio(riskfolio_portfolio, obj, mean_set):
    port = riskfolio_portfolio
    aversion = 2.0 if obj == "Utility" else 0.0
    theirs_w = port.wc_optimization(obj=obj, Umu="box" if mean_set == "box" else "ellip", Ucov=None,
                                    l=aversion).to_numpy().ravel()
    theirs = _riskfolio_value(port, theirs_w, mean_set, aversion)
    inputs = _riskfolio_inputs(port, mean_set)
    if obj == "MaxRet":
        ours = robust_allocation(FRAME, objective="mean", **inputs)
        assert worst_case_bounds(theirs_w, R, **inputs)["worst_case_mean"] == pytest.approx(theirs, abs=1e-12)
    else:
        ours = robust_allocation(FRAME, objective="mean_variance", risk_aversion=aversion,
                                 return_covariance=port.cov.to_numpy(), **inputs)
    assert ours.status == "optimal" and ours.certificate.max_residual <= 1e-6
    assert ours.worst_case == pytest.approx(theirs, abs=TOL)
    assert ours.solver_objective == pytest.approx(theirs, abs=TOL)
    if obj == "Utility":
        _assert_unique_weights_agree(ours.weights, theirs_w, port.cov.to_numpy(), aversion)
    elif mean_set == "box":  # an LP with a unique best sleeve: one vertex, found by both interior-point runs
        np.testing.assert_allclose(ours.weights, theirs_w, atol=1e-5)


def test_long_short_utility_matches_riskfolio():
    # Riskfolio's long-short set: w >= -min(uppersht, budgetsht), w <= min(upperlng, 1 + budgetsht),
    # sum(w^+) <= 1 + budgetsht, sum(w^-) <= budgetsht; with 0.5 everywhere this is
    # |w_k| <= 0.5 and sum |w| <= 2 (as sum w = 1), our caps and leverage.
    frame = pd.DataFrame(R_SHORT, columns=FRAME.columns)
    port = _riskfolio(frame, sht=True, budgetsht=0.5, uppersht=0.5, upperlng=0.5)
    theirs_w = port.wc_optimization(obj="Utility", Umu="box", Ucov=None, l=2.0).to_numpy().ravel()
    theirs = _riskfolio_value(port, theirs_w, "box", 2.0)
    ours = robust_allocation(frame, objective="mean_variance", risk_aversion=2.0, return_covariance=port.cov.to_numpy(),
                             long_only=False, max_weight=0.5, leverage=2.0, **_riskfolio_inputs(port, "box"))
    assert (theirs_w < -1e-2).any() and ours.certificate.max_residual <= 1e-6
    assert ours.worst_case == pytest.approx(theirs, abs=TOL)
    assert ours.solver_objective == pytest.approx(theirs, abs=TOL)
    _assert_unique_weights_agree(ours.weights, theirs_w, port.cov.to_numpy(), 2.0)


# --- the formulation pieces the comparisons need, checked without the peers ----------------------

@pytest.mark.parametrize("ground, dual", [(1, np.inf), (2, 2), (np.inf, 1)])
def test_wasserstein_bound_is_attained_by_a_shift_in_each_ground_norm(ground, dual):
    # Moving every scenario by -eps d with ||d||_ground = 1 and d^T w = ||w||_dual costs exactly eps.
    w, eps = np.array([0.2, -0.5, 0.3, 1.0]), 0.01
    d = {1: np.eye(4)[np.argmax(np.abs(w))] * np.sign(w), 2: w / np.linalg.norm(w), np.inf: np.sign(w)}[ground]
    assert np.linalg.norm(d, ground) == pytest.approx(1.0) and d @ w == pytest.approx(np.linalg.norm(w, dual))
    got = worst_case_bounds(w, R, ambiguity="wasserstein", ambiguity_radius=eps, wasserstein_norm=ground)
    assert got["worst_case_mean"] == pytest.approx(((R - eps * d) @ w).mean(), abs=1e-12)


@pytest.mark.parametrize("objective", ["mean_cvar", "mean_variance"])
@pytest.mark.parametrize("ambiguity, ground", [(None, 2), ("tv", 2), ("wasserstein", 1), ("wasserstein", np.inf)])
def test_combined_objectives_agree_with_closed_form_and_kkt(objective, ambiguity, ground):
    alloc = robust_allocation(R, objective=objective, risk_aversion=1.5, alpha=0.9, mean_set="box", half_width=0.002,
                              ambiguity=ambiguity, ambiguity_radius=0.05 if ambiguity == "tv" else 0.002,
                              wasserstein_norm=ground, long_only=False, leverage=1.5)
    assert alloc.status == "optimal" and alloc.certificate.max_residual <= 1e-6
    assert alloc.worst_case == pytest.approx(alloc.solver_objective, abs=1e-7)
    sigma = np.cov(R, rowvar=False)
    expected = (1.5 * alloc.worst_case_cvar - alloc.worst_case_mean if objective == "mean_cvar"
                else alloc.worst_case_mean - 1.5 * alloc.weights @ sigma @ alloc.weights)
    assert alloc.worst_case == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"ambiguity": "wasserstein", "wasserstein_norm": 3}, "wasserstein_norm"),
    ({"objective": "mean_cvar", "risk_aversion": -1.0}, "risk_aversion"),
    ({"objective": "mean_variance", "return_covariance": -np.eye(4)}, "return_covariance"),
])
def test_bad_combined_settings(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        robust_allocation(R, **kwargs)
