"""Labelled tick streams for tuning and evaluating the manipulation detector.

Normal intraday streams are simulated around a given daily volatility (in the benchmark it is
drawn from the real S&P 500 history); attacks of the four detector families are injected at
a known onset, sized in units of the stream's tick volatility.

Normal model per tick: log return ``sigma_tick * v_t * e_t`` with Student-t(5) ``e_t`` (unit
variance) and a volatility factor ``v_t = exp(h_t)``, ``h`` an AR(1) (0.995, sd 0.05); a related
asset with correlation 0.8; log volume AR(1) (0.9) plus ``0.3 |e_t|``; order imbalance
``tanh`` of an AR(1) (coefficient ``imbalance_persistence``, default 0.8; sd 0.25).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from gametheory.errors import ConfigError

__all__ = ["ATTACK_SIZES", "SEVERITIES", "TickStreams", "calibration_set", "inject_attack", "simulate_ticks"]

SEVERITIES = ("low", "medium", "high")
ATTACK_SIZES = {
    # family: (size per severity, ticks the attack lasts); sizes are in tick sigmas
    # (price moves) or imbalance units (spoofing)
    "flash_crash": ((8.0, 15.0, 30.0), 25),  # fall over 5 ticks, half regained over 20
    "pump_and_dump": ((25.0, 40.0, 60.0), 90),  # rise over 60 ticks, hold 20, dump 1.2x over 10
    "spoofing": ((0.3, 0.5, 0.7), 100),  # imbalance held at this level for 100 ticks
    "coordinated": ((20.0, 30.0, 45.0), 50),  # drift away from the related asset over 50 ticks
}
_CORRELATION = 0.8


@dataclass(frozen=True)
class TickStreams:
    """Independent tick streams, each array of shape (n_streams, n_ticks).

    Attributes
    ----------
    prices, volumes, imbalance, reference : numpy.ndarray
        Price, volume, order imbalance in (-1, 1) and the related asset's price.
    sigma_tick : numpy.ndarray
        Tick volatility of each stream, shape (n_streams,).
    labels : numpy.ndarray
        bool, True on the ticks of an injected attack.
    onsets : numpy.ndarray
        int, the first attacked tick of each stream (-1 for normal streams).
    tick_size : float
        Price grid (0: continuous prices).
    family : str or None
    severity : str or None
    """

    prices: np.ndarray
    volumes: np.ndarray
    imbalance: np.ndarray
    reference: np.ndarray
    sigma_tick: np.ndarray
    labels: np.ndarray
    onsets: np.ndarray
    tick_size: float = 0.0
    family: str | None = None
    severity: str | None = None


def simulate_ticks(
    daily_vol, n_ticks: int, *, ticks_per_day: int = 23_400, tick_size: float = 0.0, imbalance_persistence=0.8,
    rng=None,
) -> TickStreams:
    """Normal (attack-free) streams, one per entry of ``daily_vol``.

    Parameters
    ----------
    daily_vol : array-like of shape (n_streams,)
        Daily volatility of each stream (e.g. 0.01).
    n_ticks : int
    ticks_per_day : int, default 23,400 (one tick a second)
    tick_size : float, default 0
        Prices (starting at 100, the related asset at 50) are rounded to multiples of this;
        0 leaves them continuous. At one tick a second, a cent on a 100 price leaves most
        returns at zero when the daily volatility is low, as on real quote streams.
    imbalance_persistence : float or array-like of shape (n_streams,), default 0.8
        Lag-1 autocorrelation of the order imbalance's AR(1), in [0, 1); one per stream or shared.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    TickStreams
    """
    rng = np.random.default_rng(rng)
    daily_vol = np.asarray(daily_vol, dtype=np.float64).reshape(-1)
    if daily_vol.size == 0 or np.any(~(daily_vol > 0)) or n_ticks < 2:
        raise ConfigError("daily_vol must be positive numbers and n_ticks >= 2")
    if not 0.0 <= tick_size < 1.0:
        raise ConfigError(f"tick_size must be in [0, 1) (prices start at 100), got {tick_size!r}")
    persistence = np.asarray(imbalance_persistence, dtype=np.float64)
    if persistence.shape not in ((), daily_vol.shape) or np.any(~((persistence >= 0.0) & (persistence < 1.0))):
        raise ConfigError(
            f"imbalance_persistence must be in [0, 1), one value or one per stream, got {imbalance_persistence!r}"
        )
    persistence = np.broadcast_to(persistence, daily_vol.shape)
    shape = (daily_vol.size, n_ticks)
    sigma_tick = daily_vol / np.sqrt(ticks_per_day)
    shocks = rng.standard_t(5, shape) / np.sqrt(5.0 / 3.0)
    vol_factor = np.exp(_ar1(rng.standard_normal(shape), 0.995, 0.05))
    returns = sigma_tick[:, None] * vol_factor * shocks
    own = rng.standard_normal(shape)
    ref_returns = sigma_tick[:, None] * vol_factor * (
        _CORRELATION * shocks + np.sqrt(1.0 - _CORRELATION**2) * own
    )
    log_volume = 6.0 + _ar1(rng.standard_normal(shape), 0.9, 0.3) + 0.3 * np.abs(shocks)
    imbalance = np.tanh(_ar1(rng.standard_normal(shape), persistence, 0.25))
    return TickStreams(
        prices=_on_grid(100.0 * np.exp(np.cumsum(returns, axis=1)), tick_size),
        volumes=np.exp(log_volume),
        imbalance=imbalance,
        reference=_on_grid(50.0 * np.exp(np.cumsum(ref_returns, axis=1)), tick_size),
        sigma_tick=sigma_tick,
        labels=np.zeros(shape, dtype=bool),
        onsets=np.full(shape[0], -1),
        tick_size=float(tick_size),
    )


def calibration_set(n_streams: int = 200, n_ticks: int = 5000, *, rng=2024) -> dict:
    """The normal streams the detector's default thresholds are calibrated on.

    Daily volatility log-uniform between 0.6 % and 3 %; the first half of the streams has
    continuous prices, the second half prices on a one-cent grid (many zero returns); the order
    imbalance's persistence (lag-1 autocorrelation) uniform between 0 (independent ticks) and 0.95.

    Returns
    -------
    dict
        ``prices``, ``volumes``, ``imbalance`` and ``reference``, each of shape
        (n_streams, n_ticks): keyword arguments for ``ManipulationDetector.calibrate``.
    """
    rng = np.random.default_rng(rng)
    vols = np.exp(rng.uniform(np.log(0.006), np.log(0.03), n_streams))
    persistence = rng.uniform(0.0, 0.95, n_streams)
    half = n_streams // 2
    parts = [
        simulate_ticks(vols[:half], n_ticks, imbalance_persistence=persistence[:half], rng=rng),
        simulate_ticks(vols[half:], n_ticks, tick_size=0.01, imbalance_persistence=persistence[half:], rng=rng),
    ]
    channels = ("prices", "volumes", "imbalance", "reference")
    return {name: np.concatenate([getattr(part, name) for part in parts]) for name in channels}


def inject_attack(streams: TickStreams, family: str, severity: str, *, rng=None) -> TickStreams:
    """The same streams with one attack per stream, at an onset uniform in the middle half.

    Parameters
    ----------
    streams : TickStreams
        Normal streams (from :func:`simulate_ticks`).
    family : {"flash_crash", "pump_and_dump", "spoofing", "coordinated"}
    severity : {"low", "medium", "high"}
        Size of the attack (see ``ATTACK_SIZES``).
    rng : numpy.random.Generator, int or None
        Draws the onsets.

    Returns
    -------
    TickStreams
        New arrays; ``labels`` mark the attacked ticks and ``onsets`` their start.
    """
    if family not in ATTACK_SIZES:
        raise ConfigError(f"unknown attack family {family!r}; use one of {', '.join(ATTACK_SIZES)}")
    if severity not in SEVERITIES:
        raise ConfigError(f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}")
    sizes, length = ATTACK_SIZES[family]
    size = sizes[SEVERITIES.index(severity)]
    n_streams, n_ticks = streams.prices.shape
    if n_ticks < 2 * length:
        raise ConfigError(f"streams of {n_ticks} ticks are too short for a {length}-tick {family} attack")
    rng = np.random.default_rng(rng)
    onsets = rng.integers(n_ticks // 4, min(3 * n_ticks // 4, n_ticks - length), size=n_streams)
    log_move = np.zeros(length)  # extra log return per attacked tick, in tick sigmas
    volume_boost = np.ones(length)
    imbalance_level = None
    if family == "flash_crash":
        log_move[:5] = -size / 5
        log_move[5:] = 0.5 * size / 20
        volume_boost[:] = 3.0
    elif family == "pump_and_dump":
        log_move[:60] = size / 60
        log_move[80:] = -1.2 * size / 10
        volume_boost[:60] = 2.0
        volume_boost[80:] = 3.0
    elif family == "spoofing":
        log_move[:] = 5.0 / length
        imbalance_level = size
    else:
        log_move[:] = size / length
    prices, volumes = streams.prices.copy(), streams.volumes.copy()
    imbalance, labels = streams.imbalance.copy(), np.zeros_like(streams.labels)
    for i, onset in enumerate(onsets):
        span = slice(onset, onset + length)
        shift = np.cumsum(log_move) * streams.sigma_tick[i]
        prices[i, span] *= np.exp(shift)
        prices[i, onset + length :] *= np.exp(shift[-1])
        volumes[i, span] *= volume_boost
        if imbalance_level is not None:
            imbalance[i, span] = np.clip(imbalance_level + 0.1 * rng.standard_normal(length), -0.99, 0.99)
        labels[i, span] = True
    return replace(
        streams, prices=_on_grid(prices, streams.tick_size), volumes=volumes, imbalance=imbalance, labels=labels,
        onsets=onsets, family=family, severity=severity,
    )


def _ar1(noise: np.ndarray, phi, sd: float) -> np.ndarray:
    """Stationary AR(1) with coefficient ``phi`` (a scalar, or an array with one per row) and
    marginal sd ``sd`` along axis 1."""
    out = np.empty_like(noise)
    out[:, 0] = sd * noise[:, 0]
    innovation = sd * np.sqrt(1.0 - phi * phi)
    for t in range(1, noise.shape[1]):
        out[:, t] = phi * out[:, t - 1] + innovation * noise[:, t]
    return out


def _on_grid(prices: np.ndarray, tick_size: float) -> np.ndarray:
    """Prices rounded to multiples of ``tick_size`` (unchanged when it is 0)."""
    return np.round(prices / tick_size) * tick_size if tick_size > 0 else prices
