"""Robust position limits: the largest exposure whose worst-case drawdown stays within budget."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from gametheory.errors import ConfigError
from gametheory.payoff import path_drawdowns
from gametheory.strategies import Strategy

__all__ = ["PositionLimit", "robust_limit", "SCHEMA", "DRAWDOWN_DEFINITION"]

SCHEMA = "antifragile.limits/1"
DRAWDOWN_DEFINITION = (
    "max over every attack scenario and every base path of the path's maximum drawdown "
    "max_t (1 - W_t / max_{s<=t} W_s), wealth W_0 = 1, exposure = exposure_multiple x the strategy's rule"
)


@dataclass(frozen=True)
class PositionLimit:
    """A strategy's robust exposure limit and the evidence for it.

    Attributes
    ----------
    strategy : str
    weight : float
        The strategy's probability in the equilibrium mix.
    exposure_multiple : float
        The largest multiple of the strategy's exposures found to keep the worst-case
        drawdown within budget (verified by evaluation at exactly this multiple).
    max_gross_exposure : float
        ``exposure_multiple x`` the most exposure the rule takes (fraction of capital).
    worst_case_drawdown : float
        Worst drawdown over all scenarios and paths at ``exposure_multiple`` (<= budget).
    binding_scenario : str
        The scenario where that worst drawdown occurs.
    binding_path : int
        The base path index where it occurs.
    drawdown_at_unit_multiple : float
        The worst-case drawdown of the strategy as specified (multiple 1).
    capped : bool
        True when the budget was never reached up to the search cap ``max_multiple``.
    in_equilibrium : bool
        True when the strategy is in the support of the robust mix (weight > 1e-6).
    """

    strategy: str
    weight: float
    exposure_multiple: float
    max_gross_exposure: float
    worst_case_drawdown: float
    binding_scenario: str
    binding_path: int
    drawdown_at_unit_multiple: float
    capped: bool
    in_equilibrium: bool

    def to_dict(self) -> dict:
        return asdict(self)


def robust_limit(
    strategy: Strategy,
    simple_returns: np.ndarray,
    scenario_ids,
    *,
    budget: float = 0.15,
    weight: float = 1.0,
    max_multiple: float = 4.0,
    sigma0: float,
    cost: float = 0.0005,
    periods_per_year: int = 252,
    tolerance: float = 1e-4,
) -> PositionLimit:
    """Bisect the exposure multiple so that the worst-case drawdown stays within ``budget``.

    Parameters
    ----------
    strategy : Strategy
    simple_returns : ndarray of shape (n_scenarios, n_paths, n_steps)
        Attacked paths, one block per scenario.
    scenario_ids : sequence of str
        Names of the scenarios, to report the binding one.
    budget : float
        The drawdown budget, in (0, 1).
    max_multiple : float
        The search cap: a strategy whose drawdown stays within budget up to it gets it.
    tolerance : float
        Bisection stops when the bracket is narrower than this.

    Notes
    -----
    Only feasible multiples are ever returned: the answer is the largest multiple that
    was *evaluated* within budget, so the certificate holds at the limit itself even
    where drawdown is not monotone in the multiple (stop-loss overlays).
    """
    if not 0.0 < budget < 1.0:
        raise ConfigError(f"drawdown budget must be in (0, 1), got {budget}")
    scenario_ids = list(scenario_ids)

    def worst(multiple):
        dd = path_drawdowns(strategy, simple_returns, multiplier=multiple, sigma0=sigma0, cost=cost,
                            periods_per_year=periods_per_year)
        return dd, float(dd.max())

    low, high = 0.0, float(max_multiple)
    dd_low = np.zeros((len(scenario_ids), simple_returns.shape[1]))
    dd_high, worst_high = worst(high)
    if worst_high <= budget:
        low, dd_low, capped = high, dd_high, True
    else:
        capped = False
        while high - low > tolerance:
            middle = 0.5 * (low + high)
            dd_mid, worst_mid = worst(middle)
            if worst_mid <= budget:
                low, dd_low = middle, dd_mid
            else:
                high = middle
    scenario, path = np.unravel_index(int(np.argmax(dd_low)), dd_low.shape)
    return PositionLimit(
        strategy=strategy.name,
        weight=float(weight),
        exposure_multiple=float(low),
        max_gross_exposure=float(low * strategy.max_exposure),
        worst_case_drawdown=float(dd_low.max()),
        binding_scenario=scenario_ids[scenario],
        binding_path=int(path),
        drawdown_at_unit_multiple=worst(1.0)[1],
        capped=capped,
        in_equilibrium=bool(weight > 1e-6),
    )
