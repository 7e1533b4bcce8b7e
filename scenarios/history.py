"""Real crash windows of the US equity market, for historical replay attacks.

Windows are given by calendar dates, both ends included; cutting a window from
a log-return series keeps the returns dated inside it (the return dated ``t``
is the move from the previous close to the close of ``t``). Cumulative S&P 500
log returns of each window (``arch`` sample data, adjusted close) are pinned in
``tests/scenarios/test_scenario_set.py``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from scenarios.errors import ScenarioError

__all__ = ["CRASH_WINDOWS", "CrashWindow", "available_windows", "crash_window"]


class CrashWindow(NamedTuple):
    """A dated market crash: first and last calendar day (ISO dates) and what happened."""

    start: str
    end: str
    description: str


CRASH_WINDOWS: MappingProxyType[str, CrashWindow] = MappingProxyType(
    {
        "2001-09": CrashWindow("2001-09-10", "2001-09-21", "markets reopen after the 11 September attacks"),
        "2008-10": CrashWindow("2008-09-29", "2008-10-27", "post-Lehman crash: TARP vote fails, global sell-off"),
        "2010-05-06": CrashWindow("2010-04-29", "2010-05-20", "flash crash of 6 May 2010 and the Greek debt scare"),
        "2011-08": CrashWindow("2011-07-25", "2011-08-19", "US debt-ceiling standoff and S&P downgrade"),
        "2015-08-24": CrashWindow("2015-08-18", "2015-08-26", "China devaluation; ETF dislocations on 24 August"),
        "2018-02-05": CrashWindow("2018-01-29", "2018-02-09", "Volmageddon: short-volatility products blow up"),
        "2018-12": CrashWindow("2018-12-03", "2018-12-24", "December 2018 sell-off: rate and trade-war fears"),
    }
)


def _date_range(series: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex) or series.empty:
        raise ScenarioError(
            f"crash windows are cut by date: expected a non-empty pandas Series with a DatetimeIndex, "
            f"got {type(series).__name__}"
            + (f" indexed by {type(series.index).__name__}" if isinstance(series, pd.Series) else "")
        )
    return series.index.min(), series.index.max()


def _inside(window: CrashWindow, first: pd.Timestamp, last: pd.Timestamp) -> bool:
    return first <= pd.Timestamp(window.start) and pd.Timestamp(window.end) <= last


def crash_window(log_returns: pd.Series, name: str) -> np.ndarray:
    """The log returns of a crash window, cut from a dated series.

    Parameters
    ----------
    log_returns : pandas.Series
        Log returns indexed by date (a DatetimeIndex).
    name : str
        A key of :data:`CRASH_WINDOWS`.

    Returns
    -------
    ndarray of shape (n_days,)
        The returns dated inside the window, in date order.

    Raises
    ------
    ScenarioError
        If the name is unknown, the window is not wholly inside the series'
        date range (the message names both), or the window holds no returns or
        non-finite ones.
    """
    if name not in CRASH_WINDOWS:
        raise ScenarioError(f"unknown crash window {name!r}; known windows: {', '.join(CRASH_WINDOWS)}")
    window = CRASH_WINDOWS[name]
    first, last = _date_range(log_returns)
    if not _inside(window, first, last):
        raise ScenarioError(
            f"crash window {name!r} ({window.start} to {window.end}) is outside the data, "
            f"which runs from {first.date()} to {last.date()}"
        )
    cut = log_returns[(log_returns.index >= window.start) & (log_returns.index <= window.end)].sort_index()
    values = cut.to_numpy(dtype=np.float64)
    if values.size == 0:
        raise ScenarioError(
            f"crash window {name!r} ({window.start} to {window.end}) holds no dated returns in the data"
        )
    bad = ~np.isfinite(values)
    if bad.any():
        raise ScenarioError(f"crash window {name!r} has a non-finite log return on {cut.index[bad][0].date()}")
    return values


def available_windows(log_returns: pd.Series) -> list[str]:
    """Names of the crash windows wholly inside the series' date range, in chronological order."""
    first, last = _date_range(log_returns)
    return [name for name, window in CRASH_WINDOWS.items() if _inside(window, first, last)]
