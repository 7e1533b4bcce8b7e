"""Intraday shapes of documented crash events, parameterised from public reports.

Each shape is a piecewise-linear path of the price relative to its level at minute 0, given
at a few knots (minutes, fractional move). The figures are approximate readings of the
sources written beside each event; between knots the log price is interpolated linearly.
An :class:`IntradayEvent` adds the shape, one step per minute (``stretch`` scales time,
``scale`` the log moves), on top of the base paths (kernel
:func:`accelerated.attacks.overlay_nb`); on daily paths a step is a day, so the shape then
reads as a slower crash of the same form.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar, NamedTuple

import numpy as np

from accelerated.attacks import overlay_nb
from scenarios.attacks import _set_real, _TimedAttack
from scenarios.errors import ScenarioError

__all__ = ["INTRADAY_EVENTS", "IntradayEvent", "IntradayShape", "event_increments"]


class IntradayShape(NamedTuple):
    """Knots of an event's price path: minutes from the start, and moves relative to minute 0."""

    minutes: tuple[float, ...]
    moves: tuple[float, ...]
    instrument: str
    source: str


INTRADAY_EVENTS: MappingProxyType[str, IntradayShape] = MappingProxyType(
    {
        # Minute 0 = 14:32 ET, when the large sell programme started; the E-mini fell about 5%
        # by 14:45:28 (over 3% of it between 14:41 and 14:45:28; knot at minute 13), CME Stop Logic paused it for
        # 5 seconds, and it recovered most of the fall by about 15:08.
        "2010-05-06": IntradayShape(
            (0.0, 9.0, 13.0, 14.0, 23.0, 36.0, 60.0),
            (0.0, -0.02, -0.051, -0.05, -0.025, -0.01, -0.012),
            "E-mini S&P 500 futures",
            "CFTC and SEC staff, 'Findings Regarding the Market Events of May 6, 2010', 30 September 2010",
        ),
        # Minute 0 = the prior close carried to 09:30 ET. The S&P 500 opened about 4% down, hit
        # -5.3% (1867 against 1971) within the first minutes while many exchange-traded products
        # traded more than 20% below their prior close amid over 1,000 LULD trading pauses, rallied
        # to about -1.5% by late morning and closed 3.9% down. This is the index shape; ETF shapes
        # are the same with the first dip scaled up (domain randomisation of ``scale``).
        "2015-08-24": IntradayShape(
            (0.0, 1.0, 6.0, 30.0, 120.0, 300.0, 390.0),
            (0.0, -0.04, -0.053, -0.03, -0.015, -0.03, -0.039),
            "S&P 500 index and US equity ETFs",
            "SEC staff (Office of Analytics and Research), 'Equity Market Volatility on August 24, 2015', "
            "research note, December 2015",
        ),
        # Minute 0 = 23:03 London (07:03 Tokyo), 6-7 October. Sterling slid about 1.5%, then fell
        # to about 9% below 1.26 in under a minute around 23:07, and retraced much of the move
        # within minutes.
        "2016-10-07": IntradayShape(
            (0.0, 4.0, 5.0, 10.0, 20.0, 60.0),
            (0.0, -0.015, -0.09, -0.035, -0.025, -0.02),
            "GBP/USD",
            "BIS Markets Committee, 'The sterling \"flash event\" of 7 October 2016', Markets Committee Papers "
            "No 9, January 2017",
        ),
        # Minute 0 = about 07:28 Tokyo, 3 January (a Japanese holiday). The dollar fell from its
        # opening 108.76 yen to 105.25 (-3.2%) within minutes (Nikkei: the yen rose up to 3.9%
        # within one minute) and was trading near 107.50 (-1.2%) later in the session.
        "2019-01-03": IntradayShape(
            (0.0, 1.0, 3.0, 7.0, 30.0, 120.0),
            (0.0, -0.015, -0.032, -0.03, -0.018, -0.012),
            "USD/JPY",
            "Reuters, 'Japanese yen soars as flash crash sweeps currency market', 3 January 2019; Nikkei Asian "
            "Review, 'Yen's flash rally a bonanza for speculators', January 2019",
        ),
        # Minute 0 = 09:30 ET. The S&P 500 fell 20.5% on the day (282.70 to 224.84) and the DJIA
        # 22.6%; openings were delayed by order imbalances, selling was heavy in the first hour,
        # a brief late-morning rally failed, and the decline accelerated in the last two hours.
        "1987-10-19": IntradayShape(
            (0.0, 30.0, 60.0, 90.0, 150.0, 270.0, 330.0, 390.0),
            (0.0, -0.05, -0.08, -0.06, -0.09, -0.12, -0.16, -0.205),
            "S&P 500 index",
            "Report of the Presidential Task Force on Market Mechanisms (Brady Report), January 1988",
        ),
    }
)


def event_increments(name: str, scale: float = 1.0, stretch: float = 1.0) -> np.ndarray:
    """Log returns, one per step, of an event's shape.

    Parameters
    ----------
    name : str
        A key of :data:`INTRADAY_EVENTS`.
    scale : float
        Multiplies the log moves.
    stretch : float
        Multiplies the minutes (2 = twice as slow).

    Returns
    -------
    ndarray of shape (ceil(last_minute * stretch),)
    """
    if name not in INTRADAY_EVENTS:
        raise ScenarioError(f"unknown intraday event {name!r}; known: {', '.join(INTRADAY_EVENTS)}")
    shape = INTRADAY_EVENTS[name]
    minutes = np.asarray(shape.minutes) * stretch
    log_moves = scale * np.log1p(np.asarray(shape.moves))
    grid = np.arange(math.ceil(round(minutes[-1], 9)) + 1, dtype=np.float64)
    return np.diff(np.interp(grid, minutes, log_moves))


@dataclass(frozen=True)
class IntradayEvent(_TimedAttack):
    """A documented crash's intraday shape added to the base paths.

    Onsets are clamped so that the whole shape fits when it can.

    Parameters
    ----------
    name : str
        A key of :data:`INTRADAY_EVENTS` (its source is there).
    scale : float
        Multiplies the log moves, in ``(0, 5]``.
    stretch : float
        Multiplies the duration, in ``(0, 10]``.
    onset : (float, float)
        Onset range as fractions of the horizon, keyword only.
    """

    family: ClassVar[str] = "historical"
    name: str
    scale: float = 1.0
    stretch: float = 1.0

    def __post_init__(self):
        super().__post_init__()
        if self.name not in INTRADAY_EVENTS:
            raise ScenarioError(f"IntradayEvent.name must be one of {', '.join(INTRADAY_EVENTS)}, got {self.name!r}")
        _set_real(self, "scale", 0.0, 5.0, lo_open=True)
        _set_real(self, "stretch", 0.0, 10.0, lo_open=True)

    @property
    def source(self) -> str:
        """The public report the shape is read from."""
        return INTRADAY_EVENTS[self.name].source

    @property
    def increments(self) -> np.ndarray:
        """The added log returns, shape (n_window,)."""
        return event_increments(self.name, self.scale, self.stretch)

    @property
    def _span(self) -> int:
        return self.increments.size

    def _last_onset(self, n_steps: int) -> int:
        return max(n_steps - self._span, 0)

    def _inject(self, paths, sigma, onsets):
        return overlay_nb(paths, onsets, self.increments)
