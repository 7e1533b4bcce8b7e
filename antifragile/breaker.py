"""Circuit breaker of the live guard: act on detector flags and losses, then re-enter in stages.

States and what each allows (``limit`` is the robust gross exposure, e.g. from ``limits.json``):

==============  =============================================  ==========================
state           entered when                                   exposure allowed
==============  =============================================  ==========================
``normal``      start; end of the last recovery stage           ``limit``
``halted``      an alarm, or drawdown >= ``halt_loss``          no new risk: the position
                                                                held at the halt (<= limit)
``liquidated``  drawdown >= ``liquidate_loss`` (emergency)      0
``recovery``    ``quiet_ticks`` quiet ticks after a halt or     ``stages[k] * limit``
                liquidation; a stage lasts ``stage_ticks``
==============  =============================================  ==========================

An alarm is a detector flag or, when ``window > 0``, an anomalous market fall: the market price
fell over the last ``window`` ticks by at least ``max(drop, drop_z * sigma * sqrt(window))``, with
``sigma`` the EWMA volatility (span ``vol_span``, started at ``sigma0``) of the price's returns
*before* the window, so normal-volatility drawdowns do not trip it and a crash does not widen its
own yardstick. This is the alarm of the payoff kernel's breaker overlay
(:mod:`accelerated.payoff`), so the breaker priced in the game and the live one are one protocol
(:meth:`CircuitBreaker.from_strategy` builds the live twin of a strategy's overlay).

A tick is quiet when there is no alarm and the drawdown, measured from the equity at the halt,
stays below ``halt_loss``; an alarm during recovery halts again. Every transition and
every clamp is a :class:`BreakerEvent` with its reason. In ``"shadow"`` mode the breaker
decides and logs as in ``"enforce"`` mode but passes the requested exposure through, for a
gradual rollout.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

from gametheory.errors import ConfigError, checked_count

__all__ = ["MODES", "STATES", "BreakerDecision", "BreakerEvent", "CircuitBreaker"]

MODES = ("shadow", "enforce")
STATES = ("normal", "halted", "liquidated", "recovery")
LIMITS_SCHEMA = "antifragile.limits/1"
_LOG = logging.getLogger("antifragile.guard")


@dataclass(frozen=True)
class BreakerEvent:
    """One action of the breaker.

    Attributes
    ----------
    tick : int
        0-based count of :meth:`CircuitBreaker.step` calls when it happened.
    action : str
        ``"halt"``, ``"liquidate"``, ``"recovery"`` (a stage starts), ``"resume"`` or ``"clamp"``.
    reason : str
        Why, with the numbers.
    state : str
        The breaker's state after the action.
    requested, allowed : float
        Exposure asked for and exposure the breaker allows.
    enforced : bool
        False in shadow mode (the requested exposure went through).
    """

    tick: int
    action: str
    reason: str
    state: str
    requested: float
    allowed: float
    enforced: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BreakerDecision:
    """The outcome of one tick.

    Attributes
    ----------
    exposure : float
        Exposure to trade: ``allowed`` in enforce mode, the requested one in shadow mode.
    allowed : float
        What the breaker allows (same sign as the request, magnitude at most the cap).
    cap : float
        The gross exposure cap of the current state.
    state : str
    events : tuple of BreakerEvent
        Actions taken on this tick.
    """

    exposure: float
    allowed: float
    cap: float
    state: str
    events: tuple[BreakerEvent, ...]


class CircuitBreaker:
    """Halt, clamp, liquidate and re-enter in stages, on detector flags and losses.

    Parameters
    ----------
    limit : float
        Robust gross exposure limit (fraction of capital), > 0.
    mode : {"shadow", "enforce"}
    halt_loss : float, default 0.05
        Drawdown (from the running peak, or from the equity at the last halt) that halts.
    liquidate_loss : float, default 0.15
        Drawdown that liquidates, > ``halt_loss``.
    quiet_ticks : int, default 100
        Quiet ticks after a halt or liquidation before re-entry starts.
    stages : sequence of float, default (0.25, 0.5, 1.0)
        Exposure caps of the re-entry stages as fractions of ``limit``, increasing, ending at 1.
    stage_ticks : int, default 50
        Quiet ticks per stage.
    drop, window, drop_z, vol_span : float, int, float, float, default 0, 0, 0, 20
        Market-fall alarm (off while ``window = 0`` or ``drop = drop_z = 0``): alarm when the price
        passed to :meth:`step` fell over ``window`` ticks by at least ``drop`` (a fraction in
        ``[0, 1)``) and at least ``drop_z`` EWMA standard deviations (span ``vol_span`` >= 1) of the
        returns before the window, scaled by ``sqrt(window)``.
    sigma0 : float, optional
        Initial per-tick volatility of that EWMA, > 0; required when ``drop_z > 0``.
    on_event : callable, optional
        Called with every :class:`BreakerEvent` (events are also logged to
        ``logging.getLogger("antifragile.guard")`` and kept in :attr:`events`).
    """

    def __init__(
        self,
        limit: float,
        *,
        mode: str = "shadow",
        halt_loss: float = 0.05,
        liquidate_loss: float = 0.15,
        quiet_ticks: int = 100,
        stages=(0.25, 0.5, 1.0),
        stage_ticks: int = 50,
        drop: float = 0.0,
        window: int = 0,
        drop_z: float = 0.0,
        vol_span: float = 20,
        sigma0: float | None = None,
        on_event=None,
    ):
        self.limit = _fraction(limit, "limit", upper=math.inf)
        if mode not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.halt_loss = _fraction(halt_loss, "halt_loss")
        self.liquidate_loss = _fraction(liquidate_loss, "liquidate_loss")
        if self.liquidate_loss <= self.halt_loss:
            raise ConfigError(f"liquidate_loss ({liquidate_loss}) must exceed halt_loss ({halt_loss})")
        self.quiet_ticks = checked_count(quiet_ticks, "quiet_ticks")
        self.stage_ticks = checked_count(stage_ticks, "stage_ticks")
        self.stages = tuple(_fraction(s, "stages[]") for s in stages)
        if not self.stages or self.stages[-1] != 1.0 or any(a >= b for a, b in zip(self.stages, self.stages[1:])):
            raise ConfigError(f"stages must increase and end at 1.0, got {tuple(stages)}")
        self.window = checked_count(window, "window", minimum=0)
        self.drop = _number(drop, "drop", 0.0, 1.0)
        self.drop_z = _number(drop_z, "drop_z", 0.0, math.inf)
        self.vol_span = _number(vol_span, "vol_span", 1.0, math.inf)
        self.market_alarm = self.window > 0 and (self.drop > 0.0 or self.drop_z > 0.0)
        if self.market_alarm and self.drop_z > 0.0 and sigma0 is None:
            raise ConfigError("sigma0 (the initial per-tick volatility) is required when drop_z > 0")
        self.sigma0 = None if sigma0 is None else _fraction(sigma0, "sigma0")
        self.on_event = on_event
        self.events: list[BreakerEvent] = []
        self.state = "normal"
        self._tick = 0
        self._peak = None
        self._quiet = 0
        self._stage = 0
        self._held = self.limit
        self._position = 0.0
        self._clamping = None
        self._prices: deque[float] = deque(maxlen=self.window + 2)
        self._market_var = 0.0 if self.sigma0 is None else self.sigma0**2

    @classmethod
    def from_strategy(cls, strategy, *, sigma0: float, multiplier: float = 1.0, **kwargs) -> CircuitBreaker:
        """The live twin of a strategy's circuit-breaker overlay, on the same (daily) ticks.

        ``limit = multiplier * strategy.max_exposure``; every overlay setting of
        ``strategy.breaker`` maps to its live name (``quiet`` -> ``quiet_ticks``, ``stage_steps``
        -> ``stage_ticks``). Fed the market price, the equity and the strategy's requested
        exposure each step, it allows what :func:`accelerated.payoff.exposure_paths_nb` takes.

        Parameters
        ----------
        strategy : gametheory.Strategy
            A strategy with a breaker (:meth:`~gametheory.Strategy.with_breaker`).
        sigma0 : float
            Initial per-step volatility, as passed to the payoff kernel.
        multiplier : float, default 1
        **kwargs
            ``mode`` and ``on_event``.

        Raises
        ------
        ConfigError
            If the strategy has no breaker.
        """
        if not getattr(strategy, "breaker", ()):
            raise ConfigError(f"strategy {getattr(strategy, 'name', strategy)!r} has no circuit breaker")
        b = dict(strategy.breaker)
        return cls(multiplier * strategy.max_exposure, halt_loss=b["halt_loss"], liquidate_loss=b["liquidate_loss"],
                   quiet_ticks=b["quiet"], stages=b["stages"], stage_ticks=b["stage_steps"], drop=b["drop"],
                   window=b["window"], drop_z=b["drop_z"], vol_span=b["vol_span"], sigma0=sigma0, **kwargs)

    @classmethod
    def from_limits(cls, path, strategy: str | None = None, **kwargs) -> CircuitBreaker:
        """A breaker whose limit is a strategy's ``max_gross_exposure`` in ``limits.json``.

        Parameters
        ----------
        path : path
            A ``limits.json`` written by ``antifragile run`` (schema ``antifragile.limits/1``).
        strategy : str, optional
            Which strategy's limit; by default the one with the largest equilibrium weight.
        **kwargs
            Passed to the constructor.

        Raises
        ------
        ConfigError
            Unreadable file, wrong schema, no limits, or an unknown strategy.
        """
        try:
            document = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ConfigError(f"cannot read limits file {path}: {err}") from err
        if not isinstance(document, dict) or document.get("schema") != LIMITS_SCHEMA:
            raise ConfigError(f"{path}: not a limits file (expected schema {LIMITS_SCHEMA!r})")
        limits = {item["strategy"]: item for item in document.get("limits") or []}
        if not limits:
            raise ConfigError(f"{path}: holds no position limits")
        if strategy is None:
            strategy = max(limits, key=lambda name: limits[name]["weight"])
        if strategy not in limits:
            raise ConfigError(f"{path}: no limit for strategy {strategy!r}; it has {', '.join(limits)}")
        return cls(float(limits[strategy]["max_gross_exposure"]), **kwargs)

    def step(self, alarm, equity: float, exposure: float, price: float | None = None) -> BreakerDecision:
        """Process one tick: the detector's verdict, the account's equity, the exposure wanted.

        Parameters
        ----------
        alarm : bool or TickResult
            The detector's flag, or its tick result (``flag`` and ``family`` are read).
        equity : float
            Current equity (any positive unit).
        exposure : float
            The strategy's requested exposure (fraction of capital; negative for short).
        price : float, optional
            The market price now (> 0); required when the market-fall alarm is on.

        Returns
        -------
        BreakerDecision
        """
        flag = bool(getattr(alarm, "flag", alarm))
        family = getattr(alarm, "family", None)
        if not (isinstance(equity, numbers.Real) and math.isfinite(equity) and equity > 0):
            raise ConfigError(f"tick {self._tick}: equity must be a positive finite number, got {equity!r}")
        if not (isinstance(exposure, numbers.Real) and math.isfinite(exposure)):
            raise ConfigError(f"tick {self._tick}: exposure must be a finite number, got {exposure!r}")
        requested, equity = float(exposure), float(equity)
        fall = self._market_fall(price)
        self._peak = equity if self._peak is None else max(self._peak, equity)
        drawdown = 1.0 - equity / self._peak
        pending = []

        def move(state: str, action: str, reason: str) -> None:
            self.state = state
            pending.append((action, reason))

        if drawdown >= self.liquidate_loss and self.state != "liquidated":
            move("liquidated", "liquidate", f"drawdown {drawdown:.2%} >= liquidate_loss {self.liquidate_loss:.2%}")
            self._halt_at(equity)
        elif (flag or fall) and self.state in ("normal", "recovery"):
            move("halted", "halt", f"detector flagged {family or 'manipulation'}" if flag else f"market fell {fall}")
            self._halt_at(equity)
        elif drawdown >= self.halt_loss and self.state in ("normal", "recovery"):
            move("halted", "halt", f"drawdown {drawdown:.2%} >= halt_loss {self.halt_loss:.2%}")
            self._halt_at(equity)
        elif self.state != "normal":
            quiet = not (flag or fall) and drawdown < self.halt_loss
            self._quiet = self._quiet + 1 if quiet else 0
            if self.state in ("halted", "liquidated") and self._quiet >= self.quiet_ticks:
                self._stage, self._quiet = 0, 0
                move("recovery", "recovery", f"{self.quiet_ticks} quiet ticks; stage 1 of {len(self.stages)} "
                     f"({self.stages[0]:.0%} of the limit)")
            elif self.state == "recovery" and self._quiet >= self.stage_ticks:
                self._quiet = 0
                if self._stage + 1 < len(self.stages):
                    self._stage += 1
                    move("recovery", "recovery", f"{self.stage_ticks} quiet ticks; stage {self._stage + 1} of "
                         f"{len(self.stages)} ({self.stages[self._stage]:.0%} of the limit)")
                else:
                    move("normal", "resume", f"all {len(self.stages)} re-entry stages passed quietly")

        cap = self._cap()
        allowed = math.copysign(min(abs(requested), cap), requested)
        clamping = abs(requested) > cap
        if clamping and self._clamping != cap:
            pending.append(("clamp", f"requested {abs(requested):.4g} > cap {cap:.4g} in state {self.state}"))
        self._clamping = cap if clamping else None
        self._position = allowed
        enforced = self.mode == "enforce"
        events = tuple(
            BreakerEvent(self._tick, action, reason, self.state, requested, allowed, enforced)
            for action, reason in pending
        )
        for event in events:
            self._emit(event)
        self._tick += 1
        return BreakerDecision(allowed if enforced else requested, allowed, cap, self.state, events)

    def _market_fall(self, price) -> str | None:
        """Record ``price``; describe the fall when the market-fall alarm fires, else None."""
        if not self.market_alarm:
            return None
        if not (isinstance(price, numbers.Real) and math.isfinite(price) and price > 0):
            raise ConfigError(f"tick {self._tick}: the market-fall alarm needs a positive finite price, got {price!r}")
        prices = self._prices
        prices.append(float(price))
        if len(prices) <= self.window:
            return None
        if len(prices) == self.window + 2:  # fold the return just before the window into the volatility
            before = prices[1] / prices[0] - 1.0
            a = 2.0 / (self.vol_span + 1.0)
            self._market_var = (1.0 - a) * self._market_var + a * before * before
        growth = prices[-1] / prices[-1 - self.window]
        threshold = max(self.drop, self.drop_z * math.sqrt(self._market_var * self.window))
        if growth > 1.0 - threshold:
            return None
        return f"{1.0 - growth:.2%} over {self.window} ticks (>= {threshold:.2%})"

    def _halt_at(self, equity: float) -> None:
        """Enter a halt: hold at most the current position, measure losses from here."""
        self._held = min(abs(self._position), self.limit)
        self._peak = equity
        self._quiet = 0

    def _cap(self) -> float:
        if self.state == "normal":
            return self.limit
        if self.state == "halted":
            return self._held
        if self.state == "liquidated":
            return 0.0
        return self.stages[self._stage] * self.limit

    def _emit(self, event: BreakerEvent) -> None:
        self.events.append(event)
        _LOG.info("circuit breaker %s", json.dumps(event.to_dict()))
        if self.on_event is not None:
            self.on_event(event)


def _fraction(value, name: str, upper: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 < value <= upper:
        bound = "" if math.isinf(upper) else f" and <= {upper}"
        raise ConfigError(f"{name} must be a number > 0{bound}, got {value!r}")
    return float(value)


def _number(value, name: str, lower: float, upper: float) -> float:
    """A real number in ``[lower, upper)`` (so never infinite or NaN)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not lower <= value < upper:
        raise ConfigError(f"{name} must be a number in [{lower:g}, {upper:g}), got {value!r}")
    return float(value)
