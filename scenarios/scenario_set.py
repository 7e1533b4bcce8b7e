"""Scenarios (labelled attacks with a severity) and the foundation scenario set.

Severity
--------
The severity of an attack is the peak-to-trough fraction of the price it takes
from a flat path (:meth:`AttackSpec.flat_drawdown`), with black swans sized by
:data:`REFERENCE_SIGMA`, divided by :data:`FULL_SEVERITY_DRAWDOWN` and capped at
1. So the baseline is 0, a 10 % flash crash 0.25, a 30 % one 0.75; a pump and
dump counts its fall from the top; a historical window counts its deepest
drawdown (2008-10: 30 %, severity 0.75).
"""

from __future__ import annotations

import hashlib
import numbers
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.attacks import (
    AttackSpec,
    BlackSwan,
    FlashCrash,
    HistoricalReplay,
    NoAttack,
    PumpAndDump,
    as_log_returns,
)
from scenarios.errors import ScenarioError
from scenarios.history import available_windows, crash_window

__all__ = [
    "FULL_SEVERITY_DRAWDOWN",
    "REFERENCE_SIGMA",
    "Scenario",
    "apply_scenarios",
    "attack_severity",
    "foundation_scenarios",
]

REFERENCE_SIGMA = 0.012
"""Daily standard deviation used to size black swans for severities (S&P 500, 1999-2018: 0.0120)."""

FULL_SEVERITY_DRAWDOWN = 0.4
"""Flat-path drawdown (fraction of the price) that counts as severity 1."""


def attack_severity(attack: AttackSpec) -> float:
    """Severity in ``[0, 1]``: flat-path drawdown over :data:`FULL_SEVERITY_DRAWDOWN`, capped at 1."""
    return min(1.0, attack.flat_drawdown(REFERENCE_SIGMA) / FULL_SEVERITY_DRAWDOWN)


@dataclass(frozen=True)
class Scenario:
    """One column of the game: an attack with a stable id, its family and a severity.

    Parameters
    ----------
    id : str
        Stable, readable identifier such as ``"flash_crash/d30-f1-r50"``; it also seeds the scenario's randomness.
    family : str
        The attack's family (must equal ``attack.family``).
    severity : float
        Damage rank in ``[0, 1]`` (0 for the baseline), used for curricula.
    attack : AttackSpec
    """

    id: str
    family: str
    severity: float
    attack: AttackSpec

    def __post_init__(self):
        if not isinstance(self.id, str) or not self.id:
            raise ScenarioError(f"Scenario.id must be a non-empty string, got {self.id!r}")
        if not isinstance(self.attack, AttackSpec):
            raise ScenarioError(
                f"Scenario {self.id!r}: attack must be an AttackSpec, got {type(self.attack).__name__}"
            )
        if self.family != self.attack.family:
            raise ScenarioError(
                f"Scenario {self.id!r}: family {self.family!r} differs from its attack's family {self.attack.family!r}"
            )
        severity = self.severity
        if isinstance(severity, bool) or not isinstance(severity, numbers.Real) or not 0.0 <= severity <= 1.0:
            raise ScenarioError(f"Scenario {self.id!r}: severity must be a number in [0, 1], got {severity!r}")
        object.__setattr__(self, "severity", float(severity))

    @classmethod
    def of(cls, id: str, attack: AttackSpec) -> Scenario:
        """A scenario whose family and severity (:func:`attack_severity`) come from its attack."""
        return cls(id, attack.family, attack_severity(attack), attack)

    def apply(self, paths, sigma: float, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Apply the attack: see :meth:`AttackSpec.apply`; returns (n_paths, n_steps)."""
        return self.attack.apply(paths, sigma, rng)


def _pct(fraction: float) -> str:
    return f"{100 * fraction:g}"


_QUICK_IDS = frozenset(
    {
        "baseline/none",
        "flash_crash/d10-f1-r50",
        "flash_crash/d20-f1-r50",
        "flash_crash/d30-f1-r50",
        "pump_and_dump/r10-u10-h5-d3-o20",
        "pump_and_dump/r30-u10-h5-d3-o20",
        "black_swan/s6-v3-h10",
        "black_swan/s10-v3-h10",
        "historical/2008-10",
        "historical/2010-05-06",
        "historical/2015-08-24",
        "historical/2018-02-05",
    }
)


def foundation_scenarios(history: pd.Series | None = None, *, quick: bool = False) -> list[Scenario]:
    """The foundation scenario set.

    The baseline; flash crashes of depth 10, 20 and 30 % with a fast (1 step)
    and a slow (5 step) fall, recovering half; pump-and-dumps of 10, 20 and
    30 %; black swans of 6, 8 and 10 sigma; and one historical replay per crash
    window of :data:`scenarios.history.CRASH_WINDOWS` inside ``history``.

    Parameters
    ----------
    history : pandas.Series, optional
        Real daily log returns indexed by date; without it there are no historical replays.
    quick : bool
        Keep a subset of about 12 scenarios (fast falls only, the extreme pump and
        swan sizes, four crash windows) for quick runs.

    Returns
    -------
    list of Scenario
        Ordered by family, then by increasing size.
    """
    scenarios = [Scenario.of("baseline/none", NoAttack())]
    scenarios += [
        Scenario.of(f"flash_crash/d{_pct(depth)}-f{fall}-r50", FlashCrash(depth, fall_steps=fall, recovery_share=0.5))
        for depth in (0.1, 0.2, 0.3)
        for fall in (1, 5)
    ]
    scenarios += [
        Scenario.of(f"pump_and_dump/r{_pct(rise)}-u10-h5-d3-o20", PumpAndDump(rise)) for rise in (0.1, 0.2, 0.3)
    ]
    scenarios += [Scenario.of(f"black_swan/s{size}-v3-h10", BlackSwan(float(size))) for size in (6, 8, 10)]
    if history is not None:
        scenarios += [
            Scenario.of(f"historical/{name}", HistoricalReplay(name, crash_window(history, name)))
            for name in available_windows(history)
        ]
    if quick:
        scenarios = [scenario for scenario in scenarios if scenario.id in _QUICK_IDS]
    return scenarios


def _id_key(scenario_id: str) -> int:
    """Stable 64-bit hash of a scenario id (the same in every process, unlike ``hash``)."""
    return int.from_bytes(hashlib.blake2b(scenario_id.encode(), digest_size=8).digest(), "little")


def apply_scenarios(
    scenarios: Sequence[Scenario], log_returns, sigma: float, seed: int | None = None
) -> np.ndarray:
    """Apply every scenario to the same base paths.

    Each scenario draws from its own stream, ``SeedSequence(seed, spawn_key=(h,))``
    with ``h`` a stable hash of its id, so its numbers do not depend on which
    other scenarios are in the set, nor on their order.

    Parameters
    ----------
    scenarios : sequence of Scenario
        With unique ids.
    log_returns : array-like of shape (n_paths, n_steps)
        Base log returns; not modified.
    sigma : float
        Daily standard deviation of the base returns.
    seed : int, optional
        Root seed (non-negative); None draws fresh entropy.

    Returns
    -------
    ndarray of shape (n_scenarios, n_paths, n_steps)
    """
    scenarios = list(scenarios)
    if not scenarios:
        raise ScenarioError("apply_scenarios needs at least one scenario")
    for k, scenario in enumerate(scenarios):
        if not isinstance(scenario, Scenario):
            raise ScenarioError(f"scenarios[{k}] must be a Scenario, got {type(scenario).__name__}")
    duplicates = sorted(scenario_id for scenario_id, count in Counter(s.id for s in scenarios).items() if count > 1)
    if duplicates:
        raise ScenarioError(f"scenario ids must be unique; repeated: {', '.join(duplicates)}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0):
        raise ScenarioError(f"seed must be a non-negative integer or None, got {seed!r}")
    paths = as_log_returns(log_returns)
    entropy = np.random.SeedSequence(seed).entropy
    out = np.empty((len(scenarios), *paths.shape))
    for k, scenario in enumerate(scenarios):
        stream = np.random.SeedSequence(entropy, spawn_key=(_id_key(scenario.id),))
        out[k] = scenario.apply(paths, sigma, np.random.default_rng(stream))
    return out
