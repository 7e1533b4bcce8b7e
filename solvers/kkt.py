"""Residuals of the optimality (KKT) conditions of a solved cvxpy problem, from its duals.

For a problem with an affine objective ``f`` and constraints that are affine inequalities
``g(z) <= h(z)``, affine equalities and second-order cones ``||x(z)||_2 <= t(z)`` (the form
:mod:`solvers.robust` builds), the point ``z`` with duals ``(λ, ν, (μ, u))`` is optimal iff

- primal feasibility: every constraint holds;
- dual feasibility: ``λ >= 0`` and ``||u||_2 <= μ``;
- complementarity: ``λ_i (h_i - g_i) = 0`` and ``μ t + u^T x = 0``;
- stationarity: ``∇f + Σ J_g^T λ + Σ J_eq^T ν - Σ (J_t^T μ + J_x^T u) = 0``.

Every residual is recomputed here from the variables' values, the constraints' Jacobians
and the duals that the solver reported — nothing is copied from the solver's own statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import cvxpy as cp
import numpy as np

__all__ = ["KKTResiduals", "kkt_residuals"]


@dataclass(frozen=True)
class KKTResiduals:
    """How far a primal–dual pair is from satisfying the KKT conditions (all ``>= 0``).

    Attributes
    ----------
    primal : float
        Largest constraint violation.
    dual : float
        Largest dual infeasibility (negative inequality multiplier or ``||u|| - μ`` of a cone).
    complementarity : float
        Largest ``|λ_i (h_i - g_i)|`` or ``|μ t + u^T x|``.
    stationarity : float
        ``||∇_z L||_∞``, the gradient of the Lagrangian.
    duality_gap : float
        ``|Σ λ (h - g) + Σ (μ t + u^T x)|``: primal objective minus the Lagrangian dual bound.
    """

    primal: float
    dual: float
    complementarity: float
    stationarity: float
    duality_gap: float

    @property
    def max_residual(self) -> float:
        return max(self.primal, self.dual, self.complementarity, self.stationarity, self.duality_gap)

    def to_dict(self) -> dict:
        return {"primal": self.primal, "dual": self.dual, "complementarity": self.complementarity,
                "stationarity": self.stationarity, "duality_gap": self.duality_gap}


def _jacobian_t(expr, variables) -> dict:
    """``{variable: J^T}`` of an affine expression, shape (variable.size, expr.size)."""
    grads = expr.grad
    out = {}
    for var in variables:
        g = grads.get(var) if grads else None
        if g is not None:
            out[var] = g.toarray() if hasattr(g, "toarray") else np.atleast_2d(np.asarray(g, dtype=float))
    return out


def _flat(value) -> np.ndarray:
    return np.asarray(value, dtype=np.float64).ravel(order="F")


def kkt_residuals(problem: cp.Problem) -> KKTResiduals:
    """Recompute the KKT residuals of a solved ``problem`` (see the module docstring).

    Parameters
    ----------
    problem : cvxpy.Problem
        Solved, with an affine objective and only ``<=``/``>=``, ``==`` and ``cp.SOC``
        constraints whose arguments are affine.
    """
    variables = problem.variables()
    sign = 1.0 if isinstance(problem.objective, cp.Minimize) else -1.0  # minimise sign * f
    gradient = {v: np.zeros(v.size) for v in variables}
    for var, jt in _jacobian_t(problem.objective.expr, variables).items():
        gradient[var] += sign * jt[:, 0]
    primal = dual = complementarity = 0.0
    lagrangian_terms = 0.0
    for constraint in problem.constraints:
        if isinstance(constraint, cp.constraints.SOC):
            t_expr, x_expr = constraint.args[0], constraint.args[1]
            mu, u = (_flat(part) for part in constraint.dual_value)
            t, x = _flat(t_expr.value), _flat(x_expr.value)
            primal = max(primal, float(np.linalg.norm(x) - t[0]), 0.0)
            dual = max(dual, float(np.linalg.norm(u) - mu[0]))
            term = float(mu @ t + u @ x)
            complementarity = max(complementarity, abs(term))
            lagrangian_terms -= term
            for expr, multiplier in ((t_expr, mu), (x_expr, u)):
                for var, jt in _jacobian_t(expr, variables).items():
                    gradient[var] -= jt @ multiplier
            continue
        lhs, rhs = constraint.args
        multiplier = _flat(constraint.dual_value)
        residual = np.broadcast_to(_flat(lhs.value) - _flat(rhs.value), multiplier.shape)
        if isinstance(constraint, cp.constraints.Inequality):  # lhs <= rhs
            primal = max(primal, float(residual.max()), 0.0)
            dual = max(dual, float(-multiplier.min()))
            complementarity = max(complementarity, float(np.abs(multiplier * residual).max()))
        else:  # equality
            primal = max(primal, float(np.abs(residual).max()))
        lagrangian_terms += float(multiplier @ residual)
        for expr, factor in ((lhs, 1.0), (rhs, -1.0)):
            for var, jt in _jacobian_t(expr, variables).items():
                # A scalar side broadcast against a vector side collects every multiplier.
                weights = multiplier if jt.shape[1] == multiplier.size else np.full(jt.shape[1], multiplier.sum())
                gradient[var] += factor * (jt @ weights)
    stationarity = max((float(np.abs(g).max()) for g in gradient.values()), default=0.0)
    return KKTResiduals(primal=primal, dual=max(dual, 0.0), complementarity=complementarity,
                        stationarity=stationarity, duality_gap=abs(lagrangian_terms))
