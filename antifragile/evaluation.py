"""How well a :class:`~antifragile.detector.ManipulationDetector` does on labelled streams.

:func:`detection_table` injects attacks of every family into simulated normal tick streams
(:mod:`antifragile.streams`) and scores the detector tick by tick, as a labelled stream would
be scored: was the attack flagged, how soon, under which name, and how many normal ticks were
flagged around it. :func:`daily_detector` calibrates a detector for daily closes on simulated
normal paths, and :func:`daily_alarms` runs it over a real price history.
``antifragile run`` puts both in its report; ``benchmarks/detector.py`` adds the peers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from antifragile.detector import ManipulationDetector
from antifragile.streams import ATTACK_SIZES, TickStreams, inject_attack, simulate_ticks

__all__ = ["DAILY_RATE", "DAILY_SETTINGS", "alarm_onsets", "daily_alarms", "daily_detector", "detection_table",
           "score_attacks"]

DAILY_SETTINGS = {"halflife": 20.0, "warmup": 60, "volume_weight": 0.0}
"""Detector parameters for daily closes: a one-month volatility half-life, three months of
warm-up, and no volume channel."""
DAILY_RATE = 2e-3
"""Share of normal days a daily detector is calibrated to flag, by default."""


def detection_table(
    detector: ManipulationDetector,
    daily_vol: float,
    *,
    n_streams: int = 24,
    n_ticks: int = 3000,
    severities=("medium", "high"),
    grace: int = 20,
    rng=None,
) -> pd.DataFrame:
    """Score ``detector`` on attacks of every family injected into simulated normal streams.

    Parameters
    ----------
    detector : ManipulationDetector
        Its parameters and thresholds are used on a fresh stream each time; its own stream is
        not touched.
    daily_vol : float
        Daily volatility of the simulated streams (one tick a second).
    n_streams, n_ticks : int
        One attack per stream, at an onset in the middle half.
    severities : sequence of str
        Attack sizes, see :data:`antifragile.streams.ATTACK_SIZES`.
    grace : int
        Ticks after the attack's end in which a first flag still counts as detecting it.
    rng : numpy.random.Generator, int or None

    Returns
    -------
    pandas.DataFrame
        Indexed by (family, severity): ``detected`` (share of attacks flagged within the attack
        plus ``grace``), ``median_delay_ticks`` (first flag after the onset, over the detected),
        ``named_ok`` (share of the detected whose first flag names the family), and
        ``normal_flagged_per_10k`` (flagged ticks per 10,000 outside the attacks, the ticks right
        after each attack included, the warm-up excluded).
    """
    rng = np.random.default_rng(rng)
    normal = simulate_ticks(np.full(n_streams, daily_vol), n_ticks, rng=rng)
    probe = _fresh_copy(detector)
    rows = []
    for family in ATTACK_SIZES:
        for severity in severities:
            attacked = inject_attack(normal, family, severity, rng=rng)
            frames = [
                probe.reset().detect(attacked.prices[i], attacked.volumes[i], attacked.imbalance[i],
                                     attacked.reference[i])
                for i in range(n_streams)
            ]
            scores = score_attacks(frames, attacked, grace=grace, warmup=int(detector.params["warmup"]) + 1)
            del scores["delays"]
            rows.append({"family": family, "severity": severity, **scores})
    return pd.DataFrame(rows).set_index(["family", "severity"])


def score_attacks(frames, attacked: TickStreams, *, grace: int = 20, warmup: int = 0) -> dict:
    """Score a detector's output on attacked streams, one attack per stream.

    Parameters
    ----------
    frames : sequence of pandas.DataFrame
        What :meth:`ManipulationDetector.detect` gave on each stream of ``attacked``, in order.
    attacked : TickStreams
        From :func:`antifragile.streams.inject_attack` (its ``family``, ``onsets`` and ``labels``).
    grace : int
        Ticks after the attack's end in which a first flag still counts as detecting it.
    warmup : int
        Leading ticks of each stream left out (flags there are ignored).

    Returns
    -------
    dict
        ``detected`` (share of attacks flagged within the attack plus ``grace``),
        ``median_delay_ticks`` and ``named_ok`` (over the detected; NaN when none is),
        ``normal_flagged_per_10k`` (flagged ticks per 10,000 outside the attacks, the ticks right
        after each attack included) and ``delays`` (the first flag's delay of each detected attack).
    """
    length = ATTACK_SIZES[attacked.family][1]
    delays, named, flagged, normal_total = [], 0, 0, 0
    for frame, onset, labels in zip(frames, attacked.onsets, attacked.labels):
        flags = frame["flag"].to_numpy().copy()
        flags[:warmup] = False
        window = flags[onset : onset + length + grace]
        if window.any():
            delays.append(int(np.argmax(window)))
            named += frame["family"].iloc[onset + delays[-1]] == attacked.family
        normal_ticks = ~labels
        normal_ticks[:warmup] = False
        flagged += int(np.count_nonzero(flags & normal_ticks))
        normal_total += int(np.count_nonzero(normal_ticks))
    return {
        "detected": len(delays) / len(frames),
        "median_delay_ticks": float(np.median(delays)) if delays else np.nan,
        "named_ok": named / len(delays) if delays else np.nan,
        "normal_flagged_per_10k": 1e4 * flagged / normal_total,
        "delays": delays,
    }


def daily_detector(log_returns, false_alarm_rate: float = DAILY_RATE) -> ManipulationDetector:
    """A daily detector (``DAILY_SETTINGS``, price channel only) calibrated on simulated normal
    daily log returns of shape (n_paths, n_days), e.g. GARCH paths fitted to the history.

    The default thresholds come from one-second ticks and are far too tolerant for daily closes
    (at 1 % daily volatility a 20 % one-day fall scores below the crash threshold): calibrate on
    daily paths instead.
    """
    prices = 100.0 * np.exp(np.cumsum(np.asarray(log_returns, dtype=np.float64), axis=1))
    return ManipulationDetector(**DAILY_SETTINGS).calibrate(
        prices=prices, volumes=np.zeros_like(prices), false_alarm_rate=false_alarm_rate, floor=0.0
    )


def daily_alarms(prices: pd.Series, detector: ManipulationDetector) -> pd.DataFrame:
    """The alarm onsets of a daily detector (price channel only) over a history of closes.

    Parameters
    ----------
    prices : pandas.Series
        Daily closes, indexed by date.
    detector : ManipulationDetector
        For daily closes, e.g. from :func:`daily_detector`. Run on a fresh stream; its own
        stream is not touched.

    Returns
    -------
    pandas.DataFrame
        One row per alarm onset (a flagged day after an unflagged one): ``family`` and ``score``.
    """
    frame = _fresh_copy(detector).detect(prices, np.zeros(len(prices)))
    return frame.loc[alarm_onsets(frame["flag"]), ["family", "score"]]


def alarm_onsets(flags) -> np.ndarray:
    """Where alarms start: the flagged ticks whose previous tick is not flagged (boolean array)."""
    flags = np.asarray(flags, dtype=bool)
    return flags & ~np.concatenate([[False], flags[:-1]])


def _fresh_copy(detector: ManipulationDetector) -> ManipulationDetector:
    """Same parameters and thresholds, a fresh stream."""
    return ManipulationDetector.restore(detector.to_dict()).reset()
