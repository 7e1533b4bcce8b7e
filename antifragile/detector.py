"""The live guard's manipulation detector: one tick at a time, or a batch of ticks.

:class:`ManipulationDetector` wraps the Numba kernel :mod:`accelerated.detector`: its whole
state (parameters, thresholds, streaming statistics) is one preallocated float64 array, and
:meth:`~ManipulationDetector.update` and :meth:`~ManipulationDetector.detect` both advance it
with the same compiled step, so they give identical numbers.

Example
-------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> prices = 100 * np.exp(np.cumsum(0.001 * rng.standard_normal(3000)))
>>> volumes = rng.lognormal(5.0, 0.3, 3000)
>>> detector = ManipulationDetector().calibrate(prices=prices, volumes=volumes, false_alarm_rate=1e-3)
>>> int(detector.detect(prices, volumes)["flag"].sum())   # the stream itself: no alarm
0
>>> detector.update(prices[-1] * 0.97, 800.0).family      # then a 3% drop in one tick
'flash_crash'
"""

from __future__ import annotations

import functools
import json
import math
import numbers
from collections import namedtuple
from pathlib import Path

import numpy as np
import pandas as pd

from accelerated import detector as kernel
from antifragile.io import atomic_write_text
from gametheory.errors import ConfigError, MarketDataError, checked_count

__all__ = ["FAMILIES", "SCHEMA", "STATISTICS", "ManipulationDetector", "TickResult"]

FAMILIES = kernel.FAMILIES
STATISTICS = kernel.STATISTICS
SCHEMA = "antifragile.detector/16"
DEFAULT_DRIFTS = {"flash_crash": 1.0, "sell_off": 0.75, "pump_and_dump": 0.5, "spoofing": 0.15, "coordinated": 0.35}
"""CUSUM allowance per statistic, in standard deviations per tick."""
DEFAULT_THRESHOLDS = {
    "flash_crash": 29.8, "sell_off": 15.5, "pump_and_dump": 21.2, "spoofing": 25.5, "coordinated": 15.6,
}
"""Thresholds before any calibration: :meth:`ManipulationDetector.calibrate` at
``false_alarm_rate=5e-5`` on :func:`antifragile.streams.calibration_set` (200 simulated normal
streams of 5,000 ticks, daily volatility 0.6 % to 3 %, half of them on a one-cent price grid,
order imbalance from independent to persistent), rounded up to one decimal. The grid half raises
fewer alarms (an unchanged price does not count as a move): at these thresholds 2.2e-5 of its ticks
are flagged, 6.9e-5 of the continuous half's. Call :meth:`ManipulationDetector.calibrate` on your
own normal data."""

_ERRORS = {
    kernel.BAD_PRICE: "price is {price!r}; it must be a positive finite number",
    kernel.BAD_VOLUME: "volume is {volume!r}; it must be a finite number >= 0",
    kernel.BAD_IMBALANCE: "imbalance is {imbalance!r}; it must be finite (or None when not observed)",
    kernel.BAD_REFERENCE: "reference price is {reference!r}; it must be positive and finite (or None)",
}
TAIL_TICKS = 20
"""With fewer live calibration ticks than this over ``false_alarm_rate`` (about eight alarm episodes), the
empirical thresholds are raised to each statistic's extrapolated tail (see ``_tail_thresholds``)."""
TAIL_SHARE = 0.05  # the share of a statistic's values its exponential tail is fitted to
FLOOR = 0.5
"""Share of its default below which :meth:`ManipulationDetector.calibrate` sets no threshold."""
SLOW_TICKS = 20_000
"""With fewer live calibration ticks than this, the divergence threshold is not lowered: its slow CUSUM
moves over hundreds of ticks, and so few ticks show few of its excursions."""
_NAN = math.nan
_new_tuple = tuple.__new__
_SCORE_COLUMNS = ["score", *(f"score_{name}" for name in STATISTICS)]


@functools.cache
def _compiled_tick():
    """The compiled tick for (state, price, volume, imbalance, reference) as float64, called
    without Numba's type dispatch (that dispatch is a third of the cost of one update); the
    plain function when JIT is disabled. Loaded on first use, not at import."""
    tick = kernel.detector_tick_nb
    if not hasattr(tick, "compile"):
        return tick
    return tick.compile("(float64[::1], float64, float64, float64, float64)")


class TickResult(namedtuple("TickResult", "flag family score")):
    """What one tick gave: ``flag`` (bool), ``family`` (str or None) and ``score`` (float).

    ``score`` is the largest statistic score, statistic over threshold; ``flag`` is ``score > 1``
    and ``family`` names the family that flagged (None when not flagged). Each statistic is
    capped at its threshold plus ``hold`` allowances, so during an alarm the score stays just
    above 1 (at most ``1 + hold * allowance / threshold``).
    """

    __slots__ = ()


class _either:
    """A method that works on an instance (in place) and on the class (on a new instance)."""

    def __init__(self, function):
        self.function = function
        self.__doc__ = function.__doc__

    def __get__(self, instance, owner):
        target = owner() if instance is None else instance
        return self.function.__get__(target, owner)


class ManipulationDetector:
    """Streaming detector of market manipulation: flash crash, pump-and-dump, spoofing and
    coordinated divergence between related assets.

    Features per tick (see :mod:`accelerated.detector`): the return standardised by a robust
    exponentially weighted volatility of the moves (an unchanged price is not a move), floored at
    a fast volatility read from the change between moves, volume surge, order
    imbalance and the residual against a related asset, each accumulated in a CUSUM statistic
    (``STATISTICS``: two for ``flash_crash``, a sudden fall and a sell-off spread over many
    ticks; one for each other family; the divergence's is the larger of a fast and a slow CUSUM,
    which sees a push too small a tick for the fast one). A tick is flagged when a statistic exceeds
    its threshold.

    Parameters
    ----------
    halflife : float, default 50
        Half-life, in ticks, of the return volatility.
    fast_halflife : float, default 5
        Half-life of the fast volatility floor: the volatility read from the change of the return
        (and of the residual against the related asset) between ticks. It follows a burst of
        volatility within a few ticks, where the slow, robust volatility lags and a normal burst
        would look like a run; a drift (pump, sell-off, divergence) hardly moves it.
    baseline_halflife : float, default 500
        Half-life of the slow baselines (volume, imbalance, residual against the related asset).
    warmup : int, default 100
        Observations of a channel before its statistics start (no flags before).
    clip : float, default 4
        Every EWM update is clipped at this many standard deviations, so an attack cannot hide
        itself by inflating the volatility it is measured with.
    volume_weight : float, default 0.25
        How much a volume surge amplifies a price move.
    runup_halflife : float, default 100
        Half-life of the run-up memory and of the crash memory.
    runup_share : float, default 0.5
        A flagged fall while the run-up memory (the larger score of the pump statistic and of the
        upward divergence from the related asset, decaying) is at least this share (> 0) is named
        ``"pump_and_dump"`` (the dump); a flagged rise while the crash memory (the larger
        score of the two crash statistics during a crash alarm) is at least this share is named
        ``"flash_crash"`` (its rebound).
    naming_share : float, default 0.25
        A ``coordinated`` flag on a fall is named ``"flash_crash"`` when the ``flash_crash``
        statistic's score (not ``sell_off``'s) is at least this: the asset's own fast fall explains
        the divergence, a slow one on normal volume does not.
    surge_halflife : float, default 5
        Half-life of the volume-surge memory (EWM of the standardised volume).
    surge_level : float, default 0.5
        A ``coordinated`` flag that comes with a surge memory at least this is named after the
        asset's own move: ``"flash_crash"`` for a fall, ``"pump_and_dump"`` for a rise.
    tick_floor : float, default 0.5
        The volatility of the residual against the related asset never falls below this multiple
        of the smallest price move seen (relative to the price): on a coarse price grid, where
        neither price moves on most ticks, a one-tick move counts at most ``1 / tick_floor``
        standard deviations. 0 turns the floor off. (The return's own volatility needs no floor:
        an unchanged price is not counted as a move.)
    hold : float, default 1
        Each statistic is capped at its threshold plus ``hold`` times its allowance, so an alarm
        ends about ``hold`` ticks after the evidence stops, instead of lasting while a statistic
        that ran far above its threshold drains (scored tick by tick, that tail would count as
        false alarms on the normal ticks after an attack).
    restart : float, default 0.5
        When an alarm ends, its statistic restarts at most at this share of its threshold, in
        [0, 1] (1: it goes on from just below the threshold). Left there, it would take
        threshold / allowance ticks to drain, and any modest move in that time would raise the
        alarm again: a flicker of alarms after an attack or on marginal evidence. A new alarm
        then needs new evidence worth the rest of the threshold.
    drifts : dict, optional
        CUSUM allowance per statistic, > 0 (``DEFAULT_DRIFTS`` for those not given).
    thresholds : dict, optional
        Threshold per statistic (``DEFAULT_THRESHOLDS`` for those not given); usually set by
        :meth:`calibrate`.

    Attributes
    ----------
    calibration_ : dict or None
        After :meth:`calibrate`: requested and achieved false-alarm rate (the achieved one on the
        calibration data itself), ticks used, thresholds.
    """

    def __init__(
        self,
        *,
        halflife: float = 50.0,
        fast_halflife: float = 5.0,
        baseline_halflife: float = 500.0,
        warmup: int = 100,
        clip: float = 4.0,
        volume_weight: float = 0.25,
        runup_halflife: float = 100.0,
        runup_share: float = 0.5,
        naming_share: float = 0.25,
        surge_halflife: float = 5.0,
        surge_level: float = 0.5,
        tick_floor: float = 0.5,
        hold: float = 1.0,
        restart: float = 0.5,
        drifts: dict | None = None,
        thresholds: dict | None = None,
    ):
        self.params = {
            "halflife": _positive(halflife, "halflife"),
            "fast_halflife": _positive(fast_halflife, "fast_halflife"),
            "baseline_halflife": _positive(baseline_halflife, "baseline_halflife"),
            "warmup": checked_count(warmup, "warmup"),
            "clip": _positive(clip, "clip"),
            "volume_weight": _non_negative(volume_weight, "volume_weight"),
            "runup_halflife": _positive(runup_halflife, "runup_halflife"),
            "runup_share": _positive(runup_share, "runup_share"),
            "naming_share": _non_negative(naming_share, "naming_share"),
            "surge_halflife": _positive(surge_halflife, "surge_halflife"),
            "surge_level": _non_negative(surge_level, "surge_level"),
            "tick_floor": _non_negative(tick_floor, "tick_floor"),
            "hold": _positive(hold, "hold"),
            "restart": _share(restart, "restart"),
            "drifts": _per_statistic(drifts, DEFAULT_DRIFTS, "drifts", _positive),
        }
        self.calibration_ = None
        self._tick = _compiled_tick()
        self._state = self._fresh_state(_per_statistic(thresholds, DEFAULT_THRESHOLDS, "thresholds", _positive))

    # ----------------------------------------------------------------- streaming
    def update(self, price, volume, imbalance=None, reference=None) -> TickResult:
        """Score one tick and advance the stream.

        Parameters
        ----------
        price : float
            Last price, > 0.
        volume : float
            Volume traded since the previous tick, >= 0.
        imbalance : float, optional
            Order-book imbalance, e.g. ``(bid size - ask size) / (bid size + ask size)``.
        reference : float, optional
            Price of a related asset (index, ETF, sister listing) at the same time.

        Returns
        -------
        TickResult
            ``(flag, family, score)``.

        Raises
        ------
        MarketDataError
            A NaN, infinite or non-positive price or reference, a negative or NaN volume, an
            infinite imbalance. The state is left as it was.
        """
        try:
            flag_family_score = self._tick(
                self._state,
                price,
                volume,
                _NAN if imbalance is None else imbalance,
                _NAN if reference is None else reference,
            )
        except TypeError as err:
            raise MarketDataError(
                f"tick {int(self._state[kernel.S_N])}: price, volume, imbalance and reference must be "
                f"numbers, got {price!r}, {volume!r}, {imbalance!r}, {reference!r}"
            ) from err
        if flag_family_score[2] < 0.0:  # the kernel's error code
            message = _ERRORS[int(flag_family_score[2])].format(
                price=price, volume=volume, imbalance=imbalance, reference=reference
            )
            raise MarketDataError(f"tick {int(self._state[kernel.S_N])}: {message}")
        return _new_tuple(TickResult, flag_family_score)

    def detect(self, prices, volumes, imbalance=None, reference=None) -> pd.DataFrame:
        """Score a batch of ticks, continuing the stream (exactly as ``update`` tick by tick).

        Parameters
        ----------
        prices, volumes : array-like of shape (n_ticks,)
            A pandas Series keeps its index in the result.
        imbalance, reference : array-like of shape (n_ticks,), optional
            NaN entries mean "not observed at this tick".

        Returns
        -------
        pandas.DataFrame
            One row per tick: ``flag`` (bool), ``family`` (categorical over ``FAMILIES``,
            missing where not flagged), ``score`` (float) and ``score_<statistic>`` for each of
            ``STATISTICS``.

        Raises
        ------
        MarketDataError
            Wrong shapes, or an invalid tick (named by its row); the stream's state is left as it was.
        """
        index = prices.index if isinstance(prices, pd.Series) else None
        codes, scores = _run(self._state, _batch_arrays(prices, volumes, imbalance, reference))
        # the kernel's (6, n) score block becomes the frame's float block as it is, without a copy
        frame = pd.DataFrame(scores.T, index=index, columns=_SCORE_COLUMNS, copy=False)
        frame.insert(0, "family", pd.Categorical.from_codes(codes, categories=FAMILIES))
        frame.insert(0, "flag", codes >= 0)
        return frame

    def reset(self) -> ManipulationDetector:
        """Forget the stream (statistics back to zero); parameters and thresholds are kept."""
        self._state = self._fresh_state(self.thresholds)
        return self

    def gap(self) -> ManipulationDetector:
        """Mark a break in the stream: an overnight close, a trading halt, a data outage.

        The next tick's move from the last price before the break (and the related asset's) is
        not scored: an opening gap down of a few tenths of a percent is tens of tick volatilities
        and would otherwise be flagged as a flash crash. Everything learned carries over: the
        volatilities, the volume and imbalance baselines, the statistics (an alarm on at the
        break stays on) and the tick count.
        """
        self._state[kernel.S_LAST] = 0.0
        self._state[kernel.S_LAST_REF] = np.nan
        return self

    # --------------------------------------------------------------- calibration
    def calibrate(
        self, *, prices, volumes, imbalance=None, reference=None, false_alarm_rate: float = 1e-4,
        floor: float = FLOOR,
    ) -> ManipulationDetector:
        """Set the thresholds so that normal data is flagged at ``false_alarm_rate``.

        The statistics are computed, uncapped and without the restart, from a fresh state on each
        stream (the detector's own stream is not touched); the thresholds are the same upper quantile level of every
        observed statistic, the lowest level, found by bisection, at which the detector (capped,
        run again on the data) flags at most a fraction ``false_alarm_rate`` of the live ticks
        (after ``warmup``).
        Statistics whose channel is absent (no imbalance, no reference), or that stay at 0 on the
        data (a reference equal to the price), keep their thresholds.
        With fewer than ``1 / false_alarm_rate`` live ticks, that is the lowest level at which
        the calibration data itself raises no alarm.

        A level found on the data alone is set by its few largest values, and short data sees too
        little of the tail: fresh normal streams then flag many times the rate asked for (a median
        of 76, 30 and 7.0 times with 2,000, 5,000 and 20,000 ticks at 1e-4; 0.6 to 0.7 times with
        the rules below). So with fewer than
        ``TAIL_TICKS / false_alarm_rate`` live ticks, each threshold is raised, where it is lower,
        to the value its statistic exceeds with probability ``false_alarm_rate / k`` (``k``
        statistics, a union bound) under an exponential tail fitted to its largest ``TAIL_SHARE``
        of values: a CUSUM statistic's stationary tail is exponential. The spoofing threshold is
        then not lowered at all: short data shows its statistic mostly while the book's persistence
        is still learned, its long-run variance inflated, and lower thresholds from such data
        flagged fresh streams at up to 45 times the rate. ``calibration_`` says whether that
        happened (``tails_extrapolated``). Nor is the divergence threshold with fewer than
        ``SLOW_TICKS`` live ticks (after each stream's warm-up): its slow CUSUM moves over hundreds
        of ticks.

        Last, no threshold goes below ``floor`` times its default (``DEFAULT_THRESHOLDS``, from
        broad tick data). Normal data from a few instruments unlike those the detector then runs
        on can set thresholds far lower: an independent test calibrated on 12 streams of
        20,000 ticks of stocks under $150, quoted on a one-cent grid with a one- or two-cent
        spread, where bid-ask bounce is most of the moves, and got a crash threshold of 6.8 (29.8
        by default); fresh stocks of $20 to $500 were then flagged at 2.5 ticks per 10,000
        (0.8 with the floor at 0.5, 0.17 with the defaults). ``calibration_["floored"]`` lists the
        statistics the floor raised. Pass ``floor=0`` to trust the data alone, e.g. for daily closes.

        Parameters
        ----------
        prices, volumes : array-like of shape (n_ticks,) or (n_streams, n_ticks), or a list of 1-D streams
            Normal (attack-free) data; the rows of a 2-D array, or the arrays of a list (of any
            lengths), are independent streams.
        imbalance, reference : array-like of the same shape (a list of streams of the same lengths), optional
        false_alarm_rate : float
            Target fraction of flagged normal ticks, in (0, 0.5).
        floor : float
            No threshold is set below this share of its default, in [0, 1].

        Returns
        -------
        ManipulationDetector
            ``self``, with ``calibration_`` set.
        """
        rate = _positive(false_alarm_rate, "false_alarm_rate")
        floor = _share(floor, "floor")
        if rate >= 0.5:
            raise ConfigError(f"false_alarm_rate must be below 0.5, got {false_alarm_rate}")
        streams = _streams(prices, volumes, imbalance, reference)
        scratch = self._fresh_state({name: 1.0 for name in STATISTICS}, hold=math.inf, restart=1.0)
        warmup = self.params["warmup"]
        stats = [_run(scratch.copy(), arrays)[1][1:, warmup + 1 :].T for arrays in streams]
        stats = np.concatenate(stats)
        if stats.shape[0] == 0:
            raise MarketDataError(f"calibration needs streams longer than warmup + 1 = {warmup + 1} ticks")
        _, _, observed_imbalance, observed_reference = streams[0]
        live = [0, 1, 2] + [3] * bool(observed_imbalance.size) + [4] * bool(observed_reference.size)
        live = [f for f in live if stats[:, f].max() > 0.0]  # one that never moved says nothing
        if not live:
            raise MarketDataError("calibration data moved no statistic (constant prices?)")
        ordered = np.sort(stats[:, live], axis=0)

        def thresholds_at(rank: int) -> dict:
            new = self.thresholds
            for f, value in zip(live, np.maximum(ordered[rank], 1e-9).tolist()):
                new[STATISTICS[f]] = value
            return new

        def flagged_share(thresholds: dict) -> float:
            fresh = self._fresh_state(thresholds)
            flagged = sum(np.count_nonzero(_run(fresh.copy(), arrays)[0][warmup + 1 :] >= 0) for arrays in streams)
            return flagged / stats.shape[0]

        @functools.cache  # the bisection's last rank is asked again for the achieved rate
        def flag_rate(rank: int) -> float:
            return flagged_share(thresholds_at(rank))

        rank = _lowest_rank(flag_rate, rate, ordered.shape[0])
        new = thresholds_at(rank)
        achieved = flag_rate(rank)
        tails = stats.shape[0] < TAIL_TICKS / rate
        if tails:
            for f, value in zip(live, _tail_thresholds(ordered, rate / len(live))):
                new[STATISTICS[f]] = max(new[STATISTICS[f]], value)
            if 3 in live:  # short data: the imbalance statistic is mostly seen while it is learned
                new["spoofing"] = max(new["spoofing"], self.thresholds["spoofing"])
        if 4 in live and stats.shape[0] < SLOW_TICKS:  # few excursions of the slow divergence CUSUM
            new["coordinated"] = max(new["coordinated"], self.thresholds["coordinated"])
        floored = [STATISTICS[f] for f in live if new[STATISTICS[f]] < floor * DEFAULT_THRESHOLDS[STATISTICS[f]]]
        for name in floored:
            new[name] = floor * DEFAULT_THRESHOLDS[name]
        if new != thresholds_at(rank):
            achieved = flagged_share(new)
        self._state[kernel.P_H : kernel.P_H + len(STATISTICS)] = [new[name] for name in STATISTICS]
        self.calibration_ = {
            "false_alarm_rate": rate,
            "achieved_rate": achieved,
            "tails_extrapolated": tails,
            "floor": floor,
            "floored": floored,
            "n_live_ticks": int(stats.shape[0]),
            "n_streams": len(streams),
            "statistics": [STATISTICS[f] for f in live],
            "thresholds": self.thresholds,
        }
        return self

    # ---------------------------------------------------------------- persistence
    def to_dict(self) -> dict:
        """Everything needed to resume the stream: parameters, thresholds and the state slots."""
        return {
            "schema": SCHEMA,
            "params": self.params,
            "thresholds": self.thresholds,
            "calibration": self.calibration_,
            "state": [None if math.isnan(v) else v for v in self._state.tolist()],
        }

    def save(self, path=None):
        """Save the detector as JSON (atomically when ``path`` is given).

        Returns
        -------
        pathlib.Path or str
            The path written, or the JSON text when ``path`` is None.
        """
        text = json.dumps(self.to_dict(), allow_nan=False)
        if path is None:
            return text
        return atomic_write_text(path, text + "\n")

    def __reduce__(self):
        # pickled as its saved document: the compiled step is looked up again, not pickled
        return _from_document, (self.to_dict(),)

    @_either
    def restore(self, source) -> ManipulationDetector:
        """Load a saved detector: ``detector.restore(src)`` in place, or
        ``ManipulationDetector.restore(src)`` for a new one.

        Parameters
        ----------
        source : path, JSON text or dict
            What :meth:`save` or :meth:`to_dict` produced.

        Returns
        -------
        ManipulationDetector
            The restored detector; the stream resumes exactly where it was saved.

        Raises
        ------
        ConfigError
            Not a saved detector, one saved by another version (another schema), or a state of the
            wrong length.
        """
        document = _read_document(source)
        schema = document.get("schema") if isinstance(document, dict) else None
        if isinstance(schema, str) and schema.startswith(SCHEMA.split("/")[0] + "/") and schema != SCHEMA:
            raise ConfigError(
                f"this detector was saved by another version of antifragile (schema {schema!r}, this one reads "
                f"{SCHEMA!r}): its statistics do not carry over; build a new detector, calibrate it on your normal "
                "data and start the stream afresh"
            )
        if schema != SCHEMA:
            raise ConfigError(f"not a saved ManipulationDetector (expected schema {SCHEMA!r})")
        state = document.get("state")
        if not isinstance(state, list) or len(state) != kernel.N_SLOTS:
            raise ConfigError(f"saved detector state must be a list of {kernel.N_SLOTS} numbers")
        params = dict(document["params"])
        drifts = params.pop("drifts")
        self.__init__(**params, drifts=drifts, thresholds=document["thresholds"])
        self._state[:] = [math.nan if v is None else float(v) for v in state]
        self.calibration_ = document.get("calibration")
        return self

    # ------------------------------------------------------------------ helpers
    @property
    def thresholds(self) -> dict:
        """Threshold per statistic (a copy)."""
        return {name: float(self._state[kernel.P_H + f]) for f, name in enumerate(STATISTICS)}

    @property
    def n_ticks(self) -> int:
        """Ticks processed since the start (or the last reset)."""
        return int(self._state[kernel.S_N])

    def _fresh_state(self, thresholds: dict, hold: float | None = None, restart: float | None = None) -> np.ndarray:
        p = self.params
        return kernel.new_state(
            alpha=_ewm_weight(p["halflife"]),
            alpha_base=_ewm_weight(p["baseline_halflife"]),
            clip=p["clip"],
            warmup=p["warmup"],
            volume_weight=p["volume_weight"],
            runup_decay=0.5 ** (1.0 / p["runup_halflife"]),
            runup_share=p["runup_share"],
            naming_share=p["naming_share"],
            surge_weight=_ewm_weight(p["surge_halflife"]),
            surge_level=p["surge_level"],
            floor=p["tick_floor"],
            hold=p["hold"] if hold is None else hold,
            fast_alpha=_ewm_weight(p["fast_halflife"]),
            restart=p["restart"] if restart is None else restart,
            drifts=[p["drifts"][name] for name in STATISTICS],
            thresholds=[thresholds[name] for name in STATISTICS],
        )

    def __repr__(self) -> str:
        return f"ManipulationDetector(n_ticks={self.n_ticks}, thresholds={self.thresholds})"


def _from_document(document: dict) -> ManipulationDetector:
    return ManipulationDetector().restore(document)


def _run(state: np.ndarray, arrays) -> tuple[np.ndarray, np.ndarray]:
    """Run a batch (the kernel stops at an invalid tick, the state untouched); (codes, scores) where scores has shape
    (6, n_ticks): the tick's score, then one row per statistic."""
    prices, volumes, imbalance, reference = arrays
    n = prices.shape[0]
    codes = np.empty(n, dtype=np.int8)
    scores = np.empty((1 + len(STATISTICS), n))
    row, code = kernel.detector_run_nb(state, prices, volumes, imbalance, reference, codes, scores)
    if row >= 0:
        values = {
            "price": float(prices[row]),
            "volume": float(volumes[row]),
            "imbalance": float(imbalance[row]) if imbalance.size else None,
            "reference": float(reference[row]) if reference.size else None,
        }
        raise MarketDataError(f"row {row}: " + _ERRORS[code].format(**values))
    return codes, scores


def _tail_thresholds(ordered: np.ndarray, level: float) -> list:
    """Per column of ``ordered`` (a statistic's values, sorted), the value it exceeds with probability
    ``level`` under an exponential tail fitted to its largest ``TAIL_SHARE`` of values.

    A CUSUM statistic is the maximum of a random walk with negative drift (Lindley's recursion); its
    stationary tail is exponential when the steps have exponential moments (Cramer-Lundberg), as the
    clipped steps here have. Over the fitted quantile ``u``, exceeded by a share ``p`` of the values,
    the tail's scale is their mean excess (the maximum likelihood estimate), so the level is reached at
    ``u + scale * log(p / level)``. Where ``u`` is exceeded no more often than ``level`` (a constant
    statistic, say, or a level above ``TAIL_SHARE``), the empirical quantile at ``level`` is returned.
    """
    n = ordered.shape[0]
    fitted, empirical = (ordered[min(int(n * (1.0 - share)), n - 1)] for share in (TAIL_SHARE, level))
    out = []
    for column, u, quantile in zip(ordered.T, fitted, empirical):
        excess = column[column > u] - u
        share = excess.size / n
        out.append(u + excess.mean() * math.log(share / level) if share > level else quantile)
    return out


def _lowest_rank(flag_rate, rate: float, m: int) -> int:
    """The lowest rank in [0, m) whose ``flag_rate(rank)`` (non-increasing, 0 at ``m - 1``) is at
    most ``rate``, by bisection."""
    if flag_rate(0) <= rate:
        return 0
    low, high = 0, m - 1
    while high - low > 1:
        middle = (low + high) // 2
        if flag_rate(middle) <= rate:
            high = middle
        else:
            low = middle
    return high


def _as_1d(values, name: str, n: int | None) -> np.ndarray:
    try:
        array = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    except (TypeError, ValueError) as err:
        raise MarketDataError(f"{name} must be numeric: {err}") from err
    if array.ndim != 1:
        raise MarketDataError(f"{name} must be 1-D (n_ticks,), got shape {array.shape}")
    if n is not None and array.shape[0] != n:
        raise MarketDataError(f"{name} has {array.shape[0]} ticks but prices have {n}")
    return array


def _batch_arrays(prices, volumes, imbalance, reference) -> tuple[np.ndarray, ...]:
    if isinstance(prices, pd.Series):  # pandas would align by index; a positional read must not misalign
        for name, values in {"volumes": volumes, "imbalance": imbalance, "reference": reference}.items():
            if isinstance(values, pd.Series) and not values.index.equals(prices.index):
                raise MarketDataError(f"{name} is indexed unlike prices; align them first, e.g. with reindex")
    prices = _as_1d(prices, "prices", None)
    n = prices.shape[0]
    empty = np.empty(0)
    return (
        prices,
        _as_1d(volumes, "volumes", n),
        empty if imbalance is None else _as_1d(imbalance, "imbalance", n),
        empty if reference is None else _as_1d(reference, "reference", n),
    )


def _streams(prices, volumes, imbalance, reference) -> list[tuple[np.ndarray, ...]]:
    """Split calibration inputs into per-stream 1-D arrays: one stream (n_ticks,), the rows of a
    2-D array (n_streams, n_ticks), or a list of 1-D streams of any lengths."""
    if not (isinstance(prices, (list, tuple)) and prices and np.ndim(prices[0]) == 1):
        shape = np.shape(prices)
        if len(shape) == 1:
            return [_batch_arrays(prices, volumes, imbalance, reference)]
        if len(shape) != 2:
            raise MarketDataError(f"prices must be (n_ticks,), (n_streams, n_ticks) or a list of 1-D streams, "
                                  f"got shape {shape}")
        prices = np.asarray(prices)
    others = {"volumes": volumes, "imbalance": imbalance, "reference": reference}
    for name, values in others.items():
        if values is None:
            continue
        count = len(values) if hasattr(values, "__len__") else repr(values)
        if count != len(prices):
            raise MarketDataError(f"{name} must hold {len(prices)} streams, one per stream of prices, got {count}")

    def rows(values):  # a DataFrame iterates over its column labels: 2-D inputs are read as arrays
        if values is None:
            return [None] * len(prices)
        return values if isinstance(values, (list, tuple)) else np.asarray(values)

    return [_batch_arrays(*row) for row in zip(prices, rows(volumes), rows(imbalance), rows(reference))]


def _read_document(source):
    if isinstance(source, dict):
        return source
    text = str(source)
    if not text.lstrip().startswith("{"):
        try:
            text = Path(source).read_text()
        except OSError as err:
            raise ConfigError(f"cannot read saved detector {source}: {err}") from err
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(f"saved detector is not valid JSON: {err}") from err


def _ewm_weight(halflife: float) -> float:
    return 1.0 - 0.5 ** (1.0 / halflife)


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _positive(value, name: str) -> float:
    number = _real(value, name)
    if number <= 0:
        raise ConfigError(f"{name} must be > 0, got {value!r}")
    return number


def _share(value, name: str) -> float:
    number = _real(value, name)
    if not 0.0 <= number <= 1.0:
        raise ConfigError(f"{name} must be in [0, 1], got {value!r}")
    return number


def _non_negative(value, name: str) -> float:
    number = _real(value, name)
    if number < 0:
        raise ConfigError(f"{name} must be >= 0, got {value!r}")
    return number


def _per_statistic(given: dict | None, defaults: dict, name: str, check) -> dict:
    values = dict(defaults)
    for statistic, value in (given or {}).items():
        if statistic not in values:
            raise ConfigError(f"{name}: unknown statistic {statistic!r}; statistics are {', '.join(STATISTICS)}")
        values[statistic] = check(value, f"{name}[{statistic!r}]")
    return values
