"""Market data: the bundled S&P 500 / NASDAQ series and user CSV or Parquet files.

Every loader funnels through :func:`validate_prices`, so a :class:`MarketData` built by this
module always has finite, positive prices on strictly increasing dates and non-negative volume.
Nothing is ever downloaded: the bundled series come from the ``arch`` package's data files.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import MarketDataError

__all__ = ["MIN_OBS", "PERIODS_PER_YEAR", "MarketData", "load_market", "load_prices", "validate_prices"]

MIN_OBS = 60
"""Fewest prices a usable series may have (about three months of trading days)."""

PERIODS_PER_YEAR = 252

_BUNDLED = {"sp500": "arch.data.sp500", "nasdaq": "arch.data.nasdaq"}
_BUNDLED_CLOSE = "Adj Close"
_DATE_NAMES = ("date", "datetime", "timestamp", "time")
_CLOSE_NAMES = ("adj close", "adj_close", "close", "price")
_VOLUME_NAMES = ("volume",)
_READERS = {".csv": pd.read_csv, ".parquet": pd.read_parquet, ".pq": pd.read_parquet}


@dataclass(frozen=True, eq=False)
class MarketData:
    """A validated daily price series, with optional volume.

    Build it with :func:`load_market`, :func:`load_prices` or from the output of
    :func:`validate_prices`; the constructor itself does not re-validate.

    Attributes
    ----------
    name : str
        Short label, e.g. ``"sp500"``.
    prices : pandas.Series
        Float prices, shape (n_obs,), on a sorted, unique ``DatetimeIndex`` named ``"date"``.
    volume : pandas.Series or None
        Float volume on the same index, or None.
    source : str
        Where the data came from, e.g. ``"arch.data.sp500 (Adj Close)"`` or a file path.
    """

    name: str
    prices: pd.Series = field(repr=False)
    volume: pd.Series | None = field(repr=False)
    source: str

    @property
    def n_obs(self) -> int:
        """Number of prices."""
        return len(self.prices)

    @property
    def start(self) -> pd.Timestamp:
        """Date of the first price."""
        return self.prices.index[0]

    @property
    def end(self) -> pd.Timestamp:
        """Date of the last price."""
        return self.prices.index[-1]

    @property
    def log_returns(self) -> pd.Series:
        """Daily log returns, shape (n_obs - 1,), each dated by the day it ends on."""
        returns = np.log(self.prices).diff().iloc[1:]
        return returns.rename("log_return")

    def split(self, date) -> tuple[MarketData, MarketData]:
        """Split into a training part (up to and including `date`) and a hold-out part (after it).

        Parameters
        ----------
        date : str or datetime-like
            Last date of the training part.

        Returns
        -------
        train, test : MarketData
            Each part keeps `name` (suffixed ``":train"`` / ``":test"``) and `source`.

        Raises
        ------
        MarketDataError
            If `date` cannot be parsed or either part would have fewer than ``MIN_OBS`` prices.
        """
        try:
            cut = pd.Timestamp(date)
        except (TypeError, ValueError) as err:
            raise MarketDataError(f"split date {date!r} is not a date") from err
        if cut.tz is None and self.prices.index.tz is not None:
            cut = cut.tz_localize(self.prices.index.tz)
        in_train = self.prices.index <= cut
        n_train = int(in_train.sum())
        n_test = self.n_obs - n_train
        if min(n_train, n_test) < MIN_OBS:
            raise MarketDataError(
                f"splitting {self.name} at {_format_date(cut)} gives {n_train} training and "
                f"{n_test} hold-out prices ({_format_date(self.start)}..{_format_date(self.end)}); "
                f"each part needs at least {MIN_OBS}"
            )
        return self._subset(in_train, "train"), self._subset(~in_train, "test")

    def describe(self) -> dict:
        """JSON-serialisable summary: name, source, dates, size, annualised volatility and mean.

        Returns
        -------
        dict
            Keys ``name, source, start, end, n_obs, annualised_vol, annualised_mean_log_return``;
            dates are ISO strings, statistics are from daily log returns times 252 (mean) or
            sqrt(252) (volatility).
        """
        returns = self.log_returns
        return {
            "name": self.name,
            "source": self.source,
            "start": _format_date(self.start),
            "end": _format_date(self.end),
            "n_obs": self.n_obs,
            "annualised_vol": float(returns.std(ddof=1) * math.sqrt(PERIODS_PER_YEAR)),
            "annualised_mean_log_return": float(returns.mean() * PERIODS_PER_YEAR),
        }

    def _subset(self, mask: np.ndarray, part: str) -> MarketData:
        volume = None if self.volume is None else self.volume[mask]
        return MarketData(f"{self.name}:{part}", self.prices[mask], volume, self.source)


def validate_prices(
    prices: pd.Series, volume=None, *, min_obs: int = MIN_OBS
) -> tuple[pd.Series, pd.Series | None]:
    """Check a price series (and volume) and return clean float copies.

    Parameters
    ----------
    prices : pandas.Series
        Prices, shape (n_obs,), indexed by dates (datetime-like or parseable strings), in order.
    volume : pandas.Series or array-like, optional
        Volume, shape (n_obs,), matched to `prices` by position.
    min_obs : int, default MIN_OBS
        Fewest prices accepted.

    Returns
    -------
    prices : pandas.Series
        float64 values named ``"price"`` on a ``datetime64[ns]`` index named ``"date"``.
    volume : pandas.Series or None
        float64 values named ``"volume"`` on the same index.

    Raises
    ------
    MarketDataError
        Naming the first bad row (0-based position in the input) and its date: an unparseable
        date, a NaN/inf or non-positive price, a date not after the previous one (duplicate or
        earlier), a NaN or negative volume; or too few rows (both numbers given).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, float("nan")], index=["2020-01-02", "2020-01-03"])
    >>> validate_prices(s, min_obs=2)
    Traceback (most recent call last):
    ...
    scenarios.errors.MarketDataError: row 1 (2020-01-03): price is nan, not a finite number
    """
    if not isinstance(prices, pd.Series):
        raise MarketDataError(
            f"prices must be a pandas Series indexed by date, got {type(prices).__name__}"
        )
    dates = _parse_dates(prices.index)
    values = pd.to_numeric(prices, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    volumes = None
    if volume is not None:
        volumes = pd.to_numeric(pd.Series(np.asarray(volume)), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        if len(volumes) != len(values):
            raise MarketDataError(
                f"volume has {len(volumes)} rows but prices have {len(values)}"
            )

    problems = _row_problems(prices.index, dates, prices.to_numpy(), values, volume, volumes)
    if problems:
        row, message = min(problems, key=lambda item: item[0])
        label = _format_date(dates[row]) if not pd.isna(dates[row]) else _show(prices.index[row])
        raise MarketDataError(f"row {row} ({label}): {message}")
    if len(values) < min_obs:
        raise MarketDataError(f"only {len(values)} prices; at least {min_obs} are needed")

    index = pd.DatetimeIndex(dates, name="date").as_unit("ns")
    clean_prices = pd.Series(values, index=index, name="price")
    clean_volume = None if volumes is None else pd.Series(volumes, index=index, name="volume")
    return clean_prices, clean_volume


def load_market(name: str = "sp500") -> MarketData:
    """Load a bundled daily index series from the ``arch`` package (no download).

    Parameters
    ----------
    name : {"sp500", "nasdaq"}
        Which series: S&P 500 or NASDAQ Composite, 1999-01-04 to 2018-12-31 (5031 days).

    Returns
    -------
    MarketData
        Adjusted close as prices, with volume.

    Raises
    ------
    MarketDataError
        If `name` is not one of the bundled series.
    """
    key = str(name).lower()
    if key not in _BUNDLED:
        raise MarketDataError(
            f"unknown market {name!r}; bundled markets are {', '.join(sorted(_BUNDLED))}"
        )
    if key == "sp500":
        from arch.data import sp500 as module
    else:
        from arch.data import nasdaq as module
    frame = module.load()
    prices, volume = validate_prices(frame[_BUNDLED_CLOSE], frame["Volume"])
    return MarketData(key, prices, volume, f"{_BUNDLED[key]} ({_BUNDLED_CLOSE})")


def load_prices(
    path,
    *,
    date_column: str | None = None,
    close_column: str | None = None,
    volume_column: str | None = None,
    name: str | None = None,
) -> MarketData:
    """Load daily prices from a CSV or Parquet file.

    Parameters
    ----------
    path : str or os.PathLike
        File ending in ``.csv``, ``.parquet`` or ``.pq``.
    date_column, close_column, volume_column : str, optional
        Column names (case-insensitive). When not given they are detected: date from
        ``date, datetime, timestamp, time``; price from ``adj close, adj_close, close, price``;
        volume from ``volume`` (optional). A date stored as the (Parquet) index is used too.
    name : str, optional
        Label for the data; defaults to the file name without its suffix.

    Returns
    -------
    MarketData

    Raises
    ------
    MarketDataError
        Missing or unreadable file, unsupported suffix, missing column, or bad data
        (see :func:`validate_prices`).
    """
    file = Path(path)
    reader = _READERS.get(file.suffix.lower())
    if reader is None:
        raise MarketDataError(
            f"{file}: unsupported file type {file.suffix!r}; use one of {', '.join(_READERS)}"
        )
    if not file.is_file():
        raise MarketDataError(f"market data file not found: {file}")
    try:
        frame = reader(file)
    except Exception as err:  # parser errors differ by engine and version
        raise MarketDataError(f"{file}: cannot read {file.suffix} file: {err}") from err
    if isinstance(frame.index, pd.DatetimeIndex):  # e.g. a Parquet file written from a Series
        frame = frame.rename_axis(frame.index.name or "date").reset_index()

    columns = [str(column) for column in frame.columns]
    frame.columns = columns
    date = _find_column(file, columns, date_column, _DATE_NAMES, "date")
    close = _find_column(file, columns, close_column, _CLOSE_NAMES, "price")
    volume = _find_column(file, columns, volume_column, _VOLUME_NAMES, "volume", required=False)

    prices = pd.Series(frame[close].to_numpy(), index=pd.Index(frame[date].to_numpy()))
    try:
        clean_prices, clean_volume = validate_prices(
            prices, None if volume is None else frame[volume].to_numpy()
        )
    except MarketDataError as err:
        raise MarketDataError(f"{file}: {err}") from err
    return MarketData(name or file.stem, clean_prices, clean_volume, str(file))


def _row_problems(raw_index, dates, raw_prices, values, volume, volumes) -> list[tuple[int, str]]:
    """First offending row of each kind of row-level problem, as (row, message)."""
    problems = []

    def first(mask: np.ndarray, describe) -> None:
        rows = np.flatnonzero(mask)
        if rows.size:
            problems.append((int(rows[0]), describe(int(rows[0]))))

    first(np.asarray(pd.isna(dates)), lambda i: f"unparseable date {_show(raw_index[i])}")
    first(~np.isfinite(values), lambda i: f"price is {_show(raw_prices[i])}, not a finite number")
    first(values <= 0, lambda i: f"price {_show(values[i])} is not positive")

    stamps = dates.asi8 if len(dates) else np.empty(0, np.int64)
    valid = ~np.asarray(pd.isna(dates))
    both_valid = valid[1:] & valid[:-1]
    first(
        np.concatenate([[False], both_valid & (stamps[1:] <= stamps[:-1])]),
        lambda i: (
            f"date is not after previous date {_format_date(dates[i - 1])} "
            + ("(duplicate date)" if dates[i] == dates[i - 1] else "(dates must be ascending)")
        ),
    )
    if volumes is not None:
        raw_volume = np.asarray(volume)
        first(np.isnan(volumes), lambda i: f"volume is {_show(raw_volume[i])}, not a number")
        first(volumes < 0, lambda i: f"volume {_show(volumes[i])} is negative")
    return problems


def _parse_dates(index: pd.Index) -> pd.DatetimeIndex:
    """Dates of `index`; entries that cannot be parsed become NaT."""
    if isinstance(index, pd.DatetimeIndex):
        return index
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format" is not news here
        return pd.DatetimeIndex(pd.to_datetime(index, errors="coerce"))


def _find_column(file, columns, given, candidates, what, *, required=True) -> str | None:
    """The column named `given` (or the first of `candidates`), matched case-insensitively."""
    folded = {column.strip().casefold(): column for column in reversed(columns)}
    wanted = (given,) if given is not None else candidates
    for candidate in wanted:
        if candidate.strip().casefold() in folded:
            return folded[candidate.strip().casefold()]
    if given is None and not required:
        return None
    raise MarketDataError(
        f"{file}: no {what} column (looked for {', '.join(map(repr, wanted))}); "
        f"columns are {', '.join(map(repr, columns))}"
    )


def _format_date(stamp: pd.Timestamp) -> str:
    """ISO date, with the time only when there is one."""
    return str(stamp.date()) if stamp == stamp.normalize() else stamp.isoformat()


def _show(value) -> str:
    """A raw cell for an error message: strings quoted, numbers plain."""
    return repr(value) if isinstance(value, str) else str(value)
