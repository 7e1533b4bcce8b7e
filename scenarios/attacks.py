"""Attack specifications: the attacker's moves, applied to sets of log-return paths.

Each spec is a frozen dataclass, validated on construction. ``apply`` checks
the paths once, draws one onset per path from the generator and calls the
matching kernel of :mod:`accelerated.attacks`; the input is never modified.

Examples
--------
>>> import numpy as np
>>> crash = FlashCrash(0.2, fall_steps=2, onset=(0.5, 0.5))
>>> out = crash.apply(np.zeros((1, 10)), sigma=0.01, rng=0)
>>> round(float(np.exp(out.cumsum(axis=1).min())), 12)
0.8
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from typing import ClassVar

import numba
import numpy as np

from accelerated.attacks import (
    NORM_INF,
    NORM_ONE,
    black_swan_nb,
    flash_crash_nb,
    liquidity_gap_nb,
    perturbation_nb,
    pump_and_dump_nb,
    pump_and_dump_volume_nb,
    replay_nb,
    vol_regime_nb,
)
from scenarios.errors import ScenarioError

__all__ = [
    "AttackSpec",
    "BlackSwan",
    "FlashCrash",
    "HistoricalReplay",
    "LiquidityGap",
    "NoAttack",
    "Perturbation",
    "PumpAndDump",
    "VolatilityRegime",
    "as_log_returns",
    "kernel_threads",
]


def as_log_returns(log_returns, name: str = "log_returns") -> np.ndarray:
    """Validate a path set and return it as a C-contiguous float64 array.

    Parameters
    ----------
    log_returns : array-like of shape (n_paths, n_steps)
        Finite log returns, one row per path.
    name : str
        How the array is called in error messages.

    Raises
    ------
    ScenarioError
        If the input is not real, not 2-D, empty, or holds NaN or inf; the
        message names the first offending entry.
    """
    try:
        array = np.asarray(log_returns)
    except (TypeError, ValueError) as err:
        raise ScenarioError(f"{name} is not a rectangular numeric array: {err}") from err
    if array.dtype.kind not in "iuf":
        raise ScenarioError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != 2 or array.size == 0:
        raise ScenarioError(f"{name} must be a non-empty 2-D array (n_paths, n_steps), got shape {array.shape}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    bad = ~np.isfinite(array)
    if bad.any():
        path, step = np.argwhere(bad)[0]
        raise ScenarioError(
            f"{name} has {int(bad.sum())} non-finite entries; first at path {path}, step {step}: {array[path, step]}"
        )
    return array


PARALLEL_MIN_VALUES = 1 << 18
"""Smallest path set (n_paths * n_steps) the kernels run on several threads for: below it a
parallel launch costs more than the work (about 10 us serial for 64 x 252 values, milliseconds
to wake busy threads on a loaded machine)."""


@contextmanager
def kernel_threads(n_values: int):
    """Run the enclosed kernel calls on one thread when the work is smaller than :data:`PARALLEL_MIN_VALUES`."""
    if n_values >= PARALLEL_MIN_VALUES:
        yield
        return
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(previous)


def _check_sigma(sigma) -> float:
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real) or not math.isfinite(sigma) or sigma <= 0:
        raise ScenarioError(
            f"sigma (daily standard deviation of the base returns) must be a finite number > 0, got {sigma!r}"
        )
    return float(sigma)


def _set_real(spec, name: str, lo: float, hi: float, *, lo_open: bool = False, hi_open: bool = False) -> None:
    """Check that ``spec.<name>`` is a finite real in the interval and store it as float."""
    value = getattr(spec, name)
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
    if ok:
        value = float(value)
        ok = (value > lo if lo_open else value >= lo) and (value < hi if hi_open else value <= hi)
    if not ok:
        interval = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise ScenarioError(
            f"{type(spec).__name__}.{name} must be a finite number in {interval}, got {getattr(spec, name)!r}"
        )
    object.__setattr__(spec, name, value)


def _set_count(spec, name: str, minimum: int) -> None:
    """Check that ``spec.<name>`` is an integer >= ``minimum`` and store it as int."""
    value = getattr(spec, name)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ScenarioError(f"{type(spec).__name__}.{name} must be an integer >= {minimum}, got {value!r}")
    object.__setattr__(spec, name, int(value))


def _jsonable(value):
    return [_jsonable(item) for item in value] if isinstance(value, tuple) else value


class AttackSpec(ABC):
    """Common interface of the attack specifications.

    Attributes
    ----------
    family : str
        Attack family: "flash_crash", "pump_and_dump", "spoofing", "coordinated", "black_swan",
        "perturbation", "historical" or "baseline".

    Every spec acts on a single price path of log returns (``apply``), so that every scenario
    can be a column of the trader's game; specs with extra channels (order flow, several
    assets, slippage) say in their docstring how they map to that single path.
    """

    family: ClassVar[str]

    def apply(self, log_returns, sigma: float, rng: np.random.Generator | int | None = None) -> np.ndarray:
        """Return a new path set with the attack injected on every path.

        Parameters
        ----------
        log_returns : array-like of shape (n_paths, n_steps)
            Base log returns; not modified.
        sigma : float
            Daily standard deviation of the base returns (sizes :class:`BlackSwan` jumps).
        rng : numpy.random.Generator, int or None
            Source of the attack onsets, one per path.

        Returns
        -------
        ndarray of shape (n_paths, n_steps)
        """
        paths = as_log_returns(log_returns)
        sigma = _check_sigma(sigma)
        onsets = self._draw_onsets(*paths.shape, np.random.default_rng(rng))
        with kernel_threads(paths.size):
            return self._inject(paths, sigma, onsets)

    def params(self) -> dict:
        """The family and every field, JSON-serialisable (tuples become lists)."""
        return {"family": self.family, **{f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}}

    def flat_drawdown(self, sigma: float) -> float:
        """Peak-to-trough fraction of the price this attack takes from a flat path.

        The attack is applied at step 0 to zero base returns over a horizon it
        fits in; volatility scaling therefore adds nothing.

        Parameters
        ----------
        sigma : float
            Daily standard deviation of the base returns.
        """
        flat = np.zeros((1, max(self._span, 1)))
        path = self._inject(flat, _check_sigma(sigma), np.zeros(1, dtype=np.int64))[0]
        log_price = np.concatenate(([0.0], np.cumsum(path)))
        return float(-np.expm1(-(np.maximum.accumulate(log_price) - log_price).max()))

    def _draw_onsets(self, n_paths: int, n_steps: int, rng: np.random.Generator) -> np.ndarray:
        return np.zeros(n_paths, dtype=np.int64)

    @property
    @abstractmethod
    def _span(self) -> int:
        """Steps from the onset over which the attack moves the price by itself."""

    @abstractmethod
    def _inject(self, paths: np.ndarray, sigma: float, onsets: np.ndarray) -> np.ndarray:
        """Call the kernel on validated paths with the given onsets."""


def _onset_step(fraction: float, n_steps: int) -> int:
    """Smallest step >= ``fraction * n_steps`` (rounded to absorb float noise such as 0.3 * 10)."""
    return math.ceil(round(fraction * n_steps, 9))


@dataclass(frozen=True)
class _TimedAttack(AttackSpec):
    """An attack that starts at a random step, uniform in ``[lo * n_steps, hi * n_steps)``."""

    onset: tuple[float, float] = field(default=(0.2, 0.8), kw_only=True)

    def __post_init__(self):
        onset = self.onset
        if (
            not isinstance(onset, tuple | list)
            or len(onset) != 2
            or not all(isinstance(x, numbers.Real) and not isinstance(x, bool) for x in onset)
            or not 0.0 <= onset[0] <= onset[1] <= 1.0
        ):
            raise ScenarioError(
                f"{type(self).__name__}.onset must be a pair (lo, hi) with 0 <= lo <= hi <= 1, got {onset!r}"
            )
        object.__setattr__(self, "onset", (float(onset[0]), float(onset[1])))

    def _last_onset(self, n_steps: int) -> int:
        return n_steps - 1

    def _draw_onsets(self, n_paths: int, n_steps: int, rng: np.random.Generator) -> np.ndarray:
        last = self._last_onset(n_steps)
        lo = min(_onset_step(self.onset[0], n_steps), last)
        hi = max(lo + 1, min(_onset_step(self.onset[1], n_steps), last + 1))
        return rng.integers(lo, hi, size=n_paths, dtype=np.int64)


@dataclass(frozen=True)
class FlashCrash(_TimedAttack):
    """Price falls by ``depth`` over ``fall_steps``, then regains ``recovery_share`` of the fall.

    Parameters
    ----------
    depth : float
        Fraction of the price lost at the bottom, ``0 < depth < 1``.
    fall_steps : int
        Steps of the fall (>= 1); the log fall is spread evenly.
    recovery_share : float
        Fraction of the lost log price regained, in ``[0, 1]``.
    recovery_steps : int
        Steps of the recovery (>= 1).
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "flash_crash"
    depth: float
    fall_steps: int = 1
    recovery_share: float = 0.5
    recovery_steps: int = 5

    def __post_init__(self):
        super().__post_init__()
        _set_real(self, "depth", 0.0, 1.0, lo_open=True, hi_open=True)
        _set_count(self, "fall_steps", 1)
        _set_real(self, "recovery_share", 0.0, 1.0)
        _set_count(self, "recovery_steps", 1)

    @property
    def _span(self) -> int:
        return self.fall_steps + self.recovery_steps

    def _inject(self, paths, sigma, onsets):
        return flash_crash_nb(paths, onsets, self.depth, self.fall_steps, self.recovery_share, self.recovery_steps)


@dataclass(frozen=True)
class PumpAndDump(_TimedAttack):
    """Price rises by ``rise``, holds, then is dumped ``overshoot`` below its start.

    Parameters
    ----------
    rise : float
        Fractional price rise at the top, ``rise > 0``.
    rise_steps : int
        Steps of the pump (>= 1).
    hold_steps : int
        Steps the top is held (>= 0); base returns run alone.
    dump_steps : int
        Steps of the dump (>= 1).
    overshoot : float
        The dump removes ``(1 + overshoot)`` times the pumped log amount, ``overshoot >= 0``.
    rise_volume, hold_volume, dump_volume : float
        Volume signature (order-flow channel only, see :meth:`apply_order_flow`): extra volume,
        as multiples of the base volume, at the top of the rise (reached linearly), through the
        hold and in the dump, ``>= 0``.
    volume_noise : float
        Standard deviation of the log of the mean-one noise on the extra volume, in ``[0, 3]``.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "pump_and_dump"
    rise: float
    rise_steps: int = 10
    hold_steps: int = 5
    dump_steps: int = 3
    overshoot: float = 0.2
    rise_volume: float = 2.0
    hold_volume: float = 1.5
    dump_volume: float = 5.0
    volume_noise: float = 0.3

    def __post_init__(self):
        super().__post_init__()
        _set_real(self, "rise", 0.0, math.inf, lo_open=True, hi_open=True)
        _set_count(self, "rise_steps", 1)
        _set_count(self, "hold_steps", 0)
        _set_count(self, "dump_steps", 1)
        _set_real(self, "overshoot", 0.0, math.inf, hi_open=True)
        for name in ("rise_volume", "hold_volume", "dump_volume"):
            _set_real(self, name, 0.0, math.inf, hi_open=True)
        _set_real(self, "volume_noise", 0.0, 3.0)

    @property
    def _span(self) -> int:
        return self.rise_steps + self.hold_steps + self.dump_steps

    def _inject(self, paths, sigma, onsets):
        return pump_and_dump_nb(
            paths, onsets, self.rise, self.rise_steps, self.hold_steps, self.dump_steps, self.overshoot
        )

    def apply_order_flow(self, flow, rng=None):
        """The attack on the price and volume channels of ``flow``; the depths are unchanged.

        Onsets are drawn as in :meth:`apply` for the same ``rng`` (so the price channel equals
        ``apply(flow.log_returns, ...)``), then the volume noise from the same generator
        (kernel :func:`accelerated.attacks.pump_and_dump_volume_nb`).

        Parameters
        ----------
        flow : scenarios.orderflow.OrderFlowPaths
            Base paths with their order-flow channel, shape (n_paths, n_steps) each.
        rng : numpy.random.Generator, int or None

        Returns
        -------
        scenarios.orderflow.OrderFlowPaths
        """
        from scenarios.orderflow import OrderFlowPaths  # imported here: scenarios.orderflow imports this module

        if not isinstance(flow, OrderFlowPaths):
            raise ScenarioError(f"apply_order_flow needs OrderFlowPaths, got {type(flow).__name__}")
        generator = np.random.default_rng(rng)
        onsets = self._draw_onsets(*flow.log_returns.shape, generator)
        z = generator.standard_normal(flow.volume.shape)
        with kernel_threads(flow.log_returns.size):
            prices = self._inject(flow.log_returns, 0.0, onsets)
            volume = pump_and_dump_volume_nb(
                flow.volume, onsets, z, self.rise_steps, self.hold_steps, self.dump_steps, self.rise_volume,
                self.hold_volume, self.dump_volume, self.volume_noise,
            )
        return OrderFlowPaths(prices, flow.bid_depth, flow.ask_depth, volume, flow.seed)


@dataclass(frozen=True)
class BlackSwan(_TimedAttack):
    """A one-step crash of ``size_sigmas`` daily standard deviations, then decaying excess volatility.

    Parameters
    ----------
    size_sigmas : float
        Size of the log drop in units of ``sigma``, ``size_sigmas > 0``: the jump is ``-size_sigmas * sigma``.
    vol_multiplier : float
        Scale of the base returns right after the jump, ``> 0``.
    halflife : float
        Steps for the excess volatility to halve, ``> 0``.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "black_swan"
    size_sigmas: float
    vol_multiplier: float = 3.0
    halflife: float = 10.0

    def __post_init__(self):
        super().__post_init__()
        _set_real(self, "size_sigmas", 0.0, math.inf, lo_open=True, hi_open=True)
        _set_real(self, "vol_multiplier", 0.0, math.inf, lo_open=True, hi_open=True)
        _set_real(self, "halflife", 0.0, math.inf, lo_open=True, hi_open=True)

    @property
    def _span(self) -> int:
        return 1

    def _inject(self, paths, sigma, onsets):
        return black_swan_nb(paths, onsets, -self.size_sigmas * sigma, self.vol_multiplier, self.halflife)


@dataclass(frozen=True)
class HistoricalReplay(_TimedAttack):
    """Replace the returns from the onset by a real window of log returns.

    Onsets are clamped so that the whole window fits in the horizon when it can.

    Parameters
    ----------
    name : str
        Name of the window, e.g. "2008-10" (see :data:`scenarios.history.CRASH_WINDOWS`).
    window : tuple of float
        The real log returns, non-empty and finite; arrays are accepted and stored as a tuple.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "historical"
    name: str
    window: tuple[float, ...]

    def __post_init__(self):
        super().__post_init__()
        if not isinstance(self.name, str) or not self.name:
            raise ScenarioError(f"HistoricalReplay.name must be a non-empty string, got {self.name!r}")
        try:
            window = np.asarray(self.window, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise ScenarioError(f"HistoricalReplay.window of {self.name!r} is not numeric: {err}") from err
        if window.ndim != 1 or window.size == 0:
            raise ScenarioError(
                f"HistoricalReplay.window of {self.name!r} must be a non-empty 1-D sequence, got shape {window.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(window))
        if bad.size:
            raise ScenarioError(
                f"HistoricalReplay.window of {self.name!r} has non-finite log returns at positions {bad.tolist()}"
            )
        object.__setattr__(self, "window", tuple(window.tolist()))

    @property
    def _span(self) -> int:
        return len(self.window)

    def _last_onset(self, n_steps: int) -> int:
        return max(n_steps - len(self.window), 0)

    def _inject(self, paths, sigma, onsets):
        return replay_nb(paths, onsets, np.array(self.window, dtype=np.float64))


@dataclass(frozen=True)
class NoAttack(AttackSpec):
    """The baseline: the paths unchanged (a copy)."""

    family: ClassVar[str] = "baseline"

    @property
    def _span(self) -> int:
        return 0

    def _inject(self, paths, sigma, onsets):
        return paths.copy()


@dataclass(frozen=True)
class VolatilityRegime(_TimedAttack):
    """Black swan of the second kind: volatility jumps to a new regime for a while.

    Parameters
    ----------
    multiplier : float
        Scale of the base returns inside the regime, ``> 0``.
    length : int
        Steps of the regime (>= 1); cut at the path end.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "black_swan"
    multiplier: float
    length: int = 60

    def __post_init__(self):
        super().__post_init__()
        _set_real(self, "multiplier", 0.0, math.inf, lo_open=True, hi_open=True)
        _set_count(self, "length", 1)

    @property
    def _span(self) -> int:
        return self.length

    def _inject(self, paths, sigma, onsets):
        return vol_regime_nb(paths, onsets, self.multiplier, self.length)


@dataclass(frozen=True)
class LiquidityGap(_TimedAttack):
    """Black swan of the third kind: the price gaps down and the cost of trading explodes.

    Game mapping: :meth:`apply` returns the price channel only (the gap). The slippage
    channel, from :meth:`apply_with_slippage`, is an extra cost per unit of traded exposure at
    each step; the payoff kernel charges it once it takes a cost path,
    ``W_{t+1} = W_t (1 + e_t R_t - (cost + slippage_t) |e_t - e_{t-1}|)``.

    Parameters
    ----------
    gap : float
        Fraction of the price lost in the gap, in ``[0, 1)``.
    gap_steps : int
        Steps of the gap (>= 1).
    slippage : float
        Extra cost per unit of traded exposure at the onset, in ``[0, 1)``.
    halflife : float
        Steps for the slippage to halve, ``> 0``.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "black_swan"
    gap: float
    gap_steps: int = 1
    slippage: float = 0.02
    halflife: float = 5.0

    def __post_init__(self):
        super().__post_init__()
        _set_real(self, "gap", 0.0, 1.0, hi_open=True)
        _set_count(self, "gap_steps", 1)
        _set_real(self, "slippage", 0.0, 1.0, hi_open=True)
        _set_real(self, "halflife", 0.0, math.inf, lo_open=True, hi_open=True)

    @property
    def _span(self) -> int:
        return self.gap_steps

    def _both(self, paths, onsets):
        return liquidity_gap_nb(paths, onsets, self.gap, self.gap_steps, self.slippage, self.halflife)

    def _inject(self, paths, sigma, onsets):
        return self._both(paths, onsets)[0]

    def apply_with_slippage(self, log_returns, sigma: float, rng=None) -> tuple[np.ndarray, np.ndarray]:
        """Price channel and slippage path, with the same onsets as :meth:`apply` for the same ``rng``.

        Returns
        -------
        log_returns, slippage : ndarrays of shape (n_paths, n_steps)
        """
        paths = as_log_returns(log_returns)
        _check_sigma(sigma)
        onsets = self._draw_onsets(*paths.shape, np.random.default_rng(rng))
        with kernel_threads(paths.size):
            return self._both(paths, onsets)


_NORMS = {"inf": NORM_INF, "one": NORM_ONE}


@dataclass(frozen=True)
class Perturbation(AttackSpec):
    """Adversarial perturbation: the bounded change of each path worst for a buy-and-hold holder.

    Strategy-free, so it can be a column of the game; the search against a given strategy is
    :func:`gametheory.adversarial.adversarial_search`. Exactness is stated in
    :func:`accelerated.attacks.perturbation_nb`: exact for ``norm="one"`` and for
    ``norm="inf"`` with ``length`` at least the path length, a lower bound otherwise.

    Parameters
    ----------
    budget : float
        Size of the change of the log returns in the norm, in ``[0, 1]``.
    norm : {"inf", "one"}
        ``"inf"``: each return changes by at most ``budget``; ``"one"``: the changes' absolute
        values sum to at most ``budget``.
    length : int
        Steps the max-norm change acts on (>= 1); ignored for ``"one"``.
    """

    family: ClassVar[str] = "perturbation"
    budget: float
    norm: str = "inf"
    length: int = 10

    def __post_init__(self):
        _set_real(self, "budget", 0.0, 1.0)
        if self.norm not in _NORMS:
            raise ScenarioError(f"Perturbation.norm must be one of {sorted(_NORMS)}, got {self.norm!r}")
        _set_count(self, "length", 1)

    @property
    def _span(self) -> int:
        return 1 if self.norm == "one" else self.length

    def _inject(self, paths, sigma, onsets):
        return perturbation_nb(paths, self.budget, _NORMS[self.norm], self.length)
