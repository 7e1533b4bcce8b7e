"""The trader's strategies: parametric long/flat rules with optional stop-loss and circuit-breaker overlays.

A :class:`Strategy` is a frozen spec; :func:`encode` turns a list of them into the arrays the
payoff kernels in :mod:`accelerated.payoff` take (their module docstring states the trading model
and the parameter layout). Exposure is ``multiplier * raw``; the multiplier is chosen per payoff
run (1 = the rule as specified), which is how robust position limits scale a strategy.

Examples
--------
>>> trend_following(span=50).with_stop_loss(0.1).name
'trend_50+sl10'
>>> fixed(1.0).with_breaker().name
'fixed_1.00+cb'
>>> [s.name for s in default_strategies(quick=True)][:3]
['cash', 'fixed_0.50', 'fixed_1.00']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from accelerated.payoff import BREAKER, FIXED, MEAN_REVERSION, N_PARAMS, TREND, VOL_TARGET
from gametheory.errors import ConfigError, checked_count

__all__ = [
    "BREAKER_DEFAULTS",
    "KINDS",
    "Strategy",
    "default_strategies",
    "encode",
    "fixed",
    "mean_reversion",
    "trend_following",
    "vol_target",
]

#: Kernel code and parameter names (in kernel order p0, p1, p2) of every kind.
KINDS: dict[str, tuple[int, tuple[str, ...]]] = {
    "fixed": (FIXED, ("level",)),
    "trend": (TREND, ("span", "level", "short")),
    "mean_reversion": (MEAN_REVERSION, ("span", "z_entry", "level")),
    "vol_target": (VOL_TARGET, ("target", "span", "max_leverage")),
}

#: Circuit-breaker overlay settings on daily steps and their defaults (see :mod:`accelerated.payoff`
#: and :class:`antifragile.breaker.CircuitBreaker`, whose protocol it mirrors), with the short key
#: each uses in a strategy name when not at its default. The defaults were chosen by measurement
#: (``benchmarks/defence.py``): the alarm needs a fall of 6 standard deviations of the volatility
#: before it, so the ordinary drawdowns of normal paths do not trip it, and the loss triggers sit
#: beyond most drawdowns of a normal year, so the breaker seldom acts on attack-free paths.
BREAKER_DEFAULTS = {
    "drop": (0.07, "d"),  # alarm: the market fell by at least this fraction ...
    "window": (3, "w"),  # ... over this many steps (0: no alarm) ...
    "drop_z": (6.0, "z"),  # ... and by at least drop_z EWMA standard deviations (0: drop alone) ...
    "vol_span": (20, "v"),  # ... of the returns before the window, EWMA span in steps
    "halt_loss": (0.15, "h"),  # drawdown that halts new risk
    "liquidate_loss": (0.20, "l"),  # drawdown (from the halt) that liquidates
    "quiet": (5, "q"),  # quiet steps before re-entry
    "stage_steps": (5, "s"),  # quiet steps per re-entry stage
    "stages": ((0.25, 0.5, 1.0), "st"),  # exposure caps of the stages, fractions of the limit
}
_MAX_STAGES = 3

# (lowest allowed value, whether the bound is strict) per parameter name.
_LOWER_BOUNDS = {
    "level": (0.0, False),
    "short": (0.0, False),
    "span": (1.0, False),
    "z_entry": (0.0, True),
    "target": (0.0, True),
    "max_leverage": (0.0, True),
}


@dataclass(frozen=True)
class Strategy:
    """One trader strategy.

    Parameters
    ----------
    name : str
        Unique, stable label (row label of the payoff matrix).
    kind : {"fixed", "trend", "mean_reversion", "vol_target"}
    parameters : tuple of (str, float)
        The kind's parameters by name, in kernel order (see :data:`KINDS`);
        ``dict(strategy.parameters)`` gives a mapping.
    stop_loss : float
        Drawdown fraction in ``[0, 1)`` from the peak that sends the trader flat; 0 = off.
    cooldown : int
        Steps the trader stays flat after the stop-loss fires (>= 0).
    breaker : tuple of (str, value)
        Circuit-breaker overlay settings (keys of :data:`BREAKER_DEFAULTS`, all of them); empty
        means no breaker. Use :meth:`with_breaker`.

    Raises
    ------
    ConfigError
        On an unknown kind, missing or extra parameters, or a value out of range.
    """

    name: str
    kind: str
    parameters: tuple[tuple[str, float], ...]
    stop_loss: float = 0.0
    cooldown: int = 10
    breaker: tuple = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ConfigError(f"strategy name must be a non-empty string, got {self.name!r}")
        if self.kind not in KINDS:
            raise ConfigError(f"strategy {self.name!r}: unknown kind {self.kind!r}; expected one of {sorted(KINDS)}")
        expected = KINDS[self.kind][1]
        try:
            parameters = tuple((str(key), value) for key, value in self.parameters)
        except (TypeError, ValueError) as err:
            raise ConfigError(
                f"strategy {self.name!r}: parameters must be (name, value) pairs, got {self.parameters!r}"
            ) from err
        names = tuple(key for key, _ in parameters)
        if names != expected:
            raise ConfigError(
                f"strategy {self.name!r}: a {self.kind} rule takes parameters {expected}, got {names}"
            )
        checked = []
        for key, value in parameters:
            value = _real(value, f"strategy {self.name!r}: parameter {key!r}")
            lower, strict = _LOWER_BOUNDS[key]
            if value < lower or (strict and value == lower):
                relation = ">" if strict else ">="
                raise ConfigError(f"strategy {self.name!r}: parameter {key!r} must be {relation} {lower}, got {value}")
            checked.append((key, value))
        object.__setattr__(self, "parameters", tuple(checked))
        stop = _real(self.stop_loss, f"strategy {self.name!r}: stop_loss")
        if not 0.0 <= stop < 1.0:
            raise ConfigError(f"strategy {self.name!r}: stop_loss must be in [0, 1), got {stop}")
        object.__setattr__(self, "stop_loss", stop)
        if isinstance(self.cooldown, bool) or not isinstance(self.cooldown, (int, np.integer)) or self.cooldown < 0:
            raise ConfigError(f"strategy {self.name!r}: cooldown must be an integer >= 0 steps, got {self.cooldown!r}")
        object.__setattr__(self, "cooldown", int(self.cooldown))
        if self.breaker:
            object.__setattr__(self, "breaker", _checked_breaker(dict(self.breaker), self.name))

    @property
    def code(self) -> int:
        """The kernel's integer code for this kind."""
        return KINDS[self.kind][0]

    @property
    def max_exposure(self) -> float:
        """The largest exposure the rule can take at multiplier 1."""
        values = dict(self.parameters)
        if self.kind == "vol_target":
            return values["max_leverage"]
        return max(values["level"], values.get("short", 0.0))

    def with_stop_loss(self, stop: float = 0.1, cooldown: int = 10) -> Strategy:
        """This strategy with a stop-loss overlay; the name gains ``+sl<percent>``.

        A cooldown other than 10 steps is added to the name as ``_cd<steps>``.

        Raises
        ------
        ConfigError
            If ``stop`` is not in ``(0, 1)`` or the strategy already has a stop-loss.
        """
        if self.stop_loss > 0.0:
            raise ConfigError(f"strategy {self.name!r} already has a stop-loss ({self.stop_loss})")
        stop = _real(stop, f"stop-loss for {self.name!r}")
        if not 0.0 < stop < 1.0:
            raise ConfigError(f"stop-loss for {self.name!r} must be in (0, 1), got {stop}")
        suffix = f"+sl{_number(100 * stop)}" + ("" if cooldown == 10 else f"_cd{cooldown}")
        return replace(self, name=self.name + suffix, stop_loss=stop, cooldown=cooldown)


    def with_breaker(self, **settings) -> Strategy:
        """This strategy with a circuit-breaker overlay; the name gains ``+cb``.

        Settings not at their defaults are added to the name, e.g. ``+cb_l15`` for
        ``liquidate_loss=0.15`` (fractions in percent, stages joined by ``-``).

        Parameters
        ----------
        **settings
            Any of :data:`BREAKER_DEFAULTS`: ``drop``, ``window``, ``drop_z`` and ``vol_span`` (alarm
            when the market fell over ``window`` steps by at least ``drop`` and at least ``drop_z``
            times the EWMA volatility, span ``vol_span``, of the returns before the window, scaled
            to the window; ``drop=drop_z=0`` or ``window=0`` for none), ``halt_loss`` and
            ``liquidate_loss`` (drawdowns that halt and liquidate), ``quiet`` (quiet steps before
            re-entry), ``stage_steps`` and ``stages`` (up to three increasing caps ending at 1.0).

        Raises
        ------
        ConfigError
            For an unknown setting, a value out of range, or a strategy that already has one.
        """
        if self.breaker:
            raise ConfigError(f"strategy {self.name!r} already has a circuit breaker")
        unknown = sorted(set(settings) - set(BREAKER_DEFAULTS))
        if unknown:
            raise ConfigError(f"circuit breaker for {self.name!r}: unknown settings {unknown}; "
                              f"use {sorted(BREAKER_DEFAULTS)}")
        values = {key: settings.get(key, default) for key, (default, _) in BREAKER_DEFAULTS.items()}
        checked = _checked_breaker(values, self.name)
        parts = []
        for key, value in checked:
            default, short = BREAKER_DEFAULTS[key]
            if key == "stages":
                if value != tuple(float(v) for v in default):
                    parts.append(short + "-".join(_number(100 * v) for v in value))
            elif value != default:
                scaled = value if key in ("window", "drop_z", "vol_span", "quiet", "stage_steps") else 100 * value
                parts.append(short + _number(scaled))
        suffix = "+cb" + "".join("_" + part for part in parts)
        return replace(self, name=self.name + suffix, breaker=checked)


def _checked_breaker(values: dict, name: str) -> tuple:
    """Validated breaker settings as ``((key, value), ...)`` in :data:`BREAKER_DEFAULTS` order."""
    what = f"circuit breaker for {name!r}"
    if set(values) != set(BREAKER_DEFAULTS):
        raise ConfigError(f"{what}: settings must be exactly {sorted(BREAKER_DEFAULTS)}, got {sorted(values)}")
    out = {}
    for key in ("drop", "drop_z", "vol_span", "halt_loss", "liquidate_loss"):
        out[key] = _real(values[key], f"{what}: {key}")
    for key in ("window", "quiet", "stage_steps"):
        out[key] = checked_count(values[key], f"{what}: {key}", minimum=0 if key == "window" else 1)
    if not 0.0 <= out["drop"] < 1.0:
        raise ConfigError(f"{what}: drop must be in [0, 1), got {out['drop']}")
    if out["drop_z"] < 0.0:
        raise ConfigError(f"{what}: drop_z must be >= 0, got {out['drop_z']}")
    if out["vol_span"] < 1.0:
        raise ConfigError(f"{what}: vol_span must be >= 1 step, got {out['vol_span']}")
    if not 0.0 < out["halt_loss"] < out["liquidate_loss"] <= 1.0:
        raise ConfigError(f"{what}: need 0 < halt_loss < liquidate_loss <= 1, got {out['halt_loss']} "
                          f"and {out['liquidate_loss']}")
    try:
        stages = tuple(_real(v, f"{what}: stages") for v in values["stages"])
    except TypeError as err:
        raise ConfigError(f"{what}: stages must be a sequence of numbers, got {values['stages']!r}") from err
    if not 1 <= len(stages) <= _MAX_STAGES or stages[-1] != 1.0 or stages[0] <= 0.0 or any(
        a >= b for a, b in zip(stages, stages[1:])
    ):
        raise ConfigError(f"{what}: stages must be 1 to {_MAX_STAGES} increasing fractions in (0, 1] ending at "
                          f"1.0, got {values['stages']!r}")
    out["stages"] = stages
    return tuple((key, out[key]) for key in BREAKER_DEFAULTS)


def _real(value, what: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{what} must be a real number, got {value!r}") from err
    if not math.isfinite(value):
        raise ConfigError(f"{what} must be finite, got {value}")
    return value


def _number(value: float) -> str:
    """Short stable text for a parameter in a name: 20 -> '20', 0.5 -> '0.5'."""
    return f"{value:g}"


def _level_suffix(level: float) -> str:
    return "" if level == 1.0 else f"_x{level:.2f}"


def fixed(level: float) -> Strategy:
    """Constant exposure ``level`` (0 is cash); named ``cash`` or ``fixed_<level:.2f>``."""
    name = "cash" if level == 0 else f"fixed_{_real(level, 'fixed level'):.2f}"
    return Strategy(name, "fixed", (("level", level),))


def trend_following(span: float = 50, level: float = 1.0, short: float = 0.0) -> Strategy:
    """Long ``level`` while the EWMA (span ``span``) of returns is positive, else short ``short`` (0: flat).

    A long/short rule is named with an ``_ls`` suffix (``_ls<short>`` when ``short != level``).
    """
    name = f"trend_{_number(_real(span, 'trend span'))}" + _level_suffix(level)
    short = _real(short, "trend short level")
    name += "" if short == 0 else "_ls" if short == level else f"_ls{short:.2f}"
    return Strategy(name, "trend", (("span", span), ("level", level), ("short", short)))


def mean_reversion(span: float = 20, z_entry: float = 1.0, level: float = 1.0) -> Strategy:
    """Buy the dip: exposure grows to ``level`` as the price falls ``z_entry`` z-scores under its EWMA."""
    name = f"mean_reversion_{_number(_real(span, 'mean-reversion span'))}"
    name += ("" if z_entry == 1.0 else f"_z{_number(_real(z_entry, 'z_entry'))}") + _level_suffix(level)
    return Strategy(name, "mean_reversion", (("span", span), ("z_entry", z_entry), ("level", level)))


def vol_target(target: float = 0.15, span: float = 30, max_leverage: float = 1.5) -> Strategy:
    """Exposure that targets annual volatility ``target`` from an EWMA variance, capped at ``max_leverage``."""
    name = f"vol_target_{_number(100 * _real(target, 'vol target'))}%"
    name += ("" if span == 30 else f"_span{_number(_real(span, 'vol-target span'))}")
    name += ("" if max_leverage == 1.5 else f"_max{_number(_real(max_leverage, 'max_leverage'))}")
    return Strategy(name, "vol_target", (("target", target), ("span", span), ("max_leverage", max_leverage)))


def encode(strategies: Sequence[Strategy]) -> tuple[np.ndarray, np.ndarray]:
    """The kernel encoding of ``strategies``.

    Returns
    -------
    kinds : int64 (n_strategies,)
    params : float64 (n_strategies, N_PARAMS)
        Rows ``[p0, p1, p2, stop, cooldown, spare, <12 breaker columns>]`` (see
        :mod:`accelerated.payoff`); unused slots are 0 (no breaker: all twelve are 0).

    Raises
    ------
    ConfigError
        If ``strategies`` is empty or holds something other than :class:`Strategy`.
    """
    strategies = list(strategies)
    if not strategies:
        raise ConfigError("need at least one strategy")
    kinds = np.empty(len(strategies), dtype=np.int64)
    params = np.zeros((len(strategies), N_PARAMS))
    for i, strategy in enumerate(strategies):
        if not isinstance(strategy, Strategy):
            raise ConfigError(f"strategies[{i}] is a {type(strategy).__name__}, not a Strategy")
        kinds[i] = strategy.code
        values = [value for _, value in strategy.parameters]
        params[i, : len(values)] = values
        params[i, 3] = strategy.stop_loss
        params[i, 4] = strategy.cooldown
        if strategy.breaker:
            b = dict(strategy.breaker)
            stages = b["stages"] + (1.0,) * (_MAX_STAGES - len(b["stages"]))
            params[i, BREAKER:] = [b["drop"], b["window"], b["drop_z"], b["vol_span"], b["halt_loss"],
                                   b["liquidate_loss"], b["quiet"], b["stage_steps"], *stages, strategy.max_exposure]
    return kinds, params


def default_strategies(quick: bool = False) -> list[Strategy]:
    """The default strategy menu of the game.

    Full (24): cash, fixed 0.25 / 0.5 / 1.0 / 1.5, trend 20 / 100, mean reversion 20,
    vol target 10% / 15%, 10% stop-loss versions of every risky rule but fixed 0.25,
    long/short trend 20 / 100, and circuit-breaker versions of fixed 1.0 / 1.5, mean
    reversion 20 and vol target 15% (so the game prices the defence).
    Quick (10): cash, fixed 0.5 / 1.0 / 1.5, trend 20, mean reversion 20, vol target 15%,
    fixed 1.0 with a 10% stop-loss, long/short trend 100, fixed 1.0 with the breaker.
    """
    if quick:
        return [
            fixed(0.0), fixed(0.5), fixed(1.0), fixed(1.5), trend_following(20),
            mean_reversion(20), vol_target(0.15), fixed(1.0).with_stop_loss(0.1),
            trend_following(100, short=1.0), fixed(1.0).with_breaker(),
        ]
    risky = [
        fixed(0.5), fixed(1.0), fixed(1.5), trend_following(20), trend_following(100),
        mean_reversion(20), vol_target(0.10), vol_target(0.15),
    ]
    plain = [fixed(0.0), fixed(0.25), *risky]
    long_short = [trend_following(20, short=1.0), trend_following(100, short=1.0)]
    guarded = [fixed(1.0), fixed(1.5), mean_reversion(20), vol_target(0.15)]
    return (plain + [strategy.with_stop_loss(0.1) for strategy in risky] + long_short
            + [strategy.with_breaker() for strategy in guarded])
