"""Market data: the bundled arch series, CSV/Parquet files and the validation of bad rows."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from arch.data import nasdaq, sp500
from numpy.testing import assert_allclose, assert_array_equal

from scenarios.data import MIN_OBS, MarketData, load_market, load_prices, validate_prices
from scenarios.errors import MarketDataError


@pytest.fixture(scope="module")
def spx():
    return load_market("sp500")


@pytest.fixture
def small():
    """70 clean rows: dates as ISO strings, rising prices, unit volume."""
    dates = pd.date_range("2020-01-01", periods=70, freq="B").strftime("%Y-%m-%d").tolist()
    return pd.Series(np.linspace(100.0, 120.0, 70), index=dates), np.full(70, 1000.0)


# --- bundled data ---------------------------------------------------------------------------------


def test_sp500_is_the_arch_series(spx):
    raw = sp500.load()
    assert spx.n_obs == 5031
    assert spx.start == pd.Timestamp("1999-01-04")
    assert spx.end == pd.Timestamp("2018-12-31")
    assert spx.prices.index.name == "date"
    assert spx.prices.index.is_monotonic_increasing and spx.prices.index.is_unique
    assert_array_equal(spx.prices.to_numpy(), raw["Adj Close"].to_numpy())
    assert_array_equal(spx.volume.to_numpy(), raw["Volume"].to_numpy(dtype=float))
    assert spx.prices.dtype == np.float64
    assert spx.source == "arch.data.sp500 (Adj Close)"
    assert spx.name == "sp500"


def test_sp500_log_returns(spx):
    returns = spx.log_returns
    assert len(returns) == 5030
    assert returns.index[0] == pd.Timestamp("1999-01-05")  # dated by the day the return ends on
    assert_allclose(returns.to_numpy(), np.diff(np.log(sp500.load()["Adj Close"].to_numpy())))
    assert returns.loc["2008-10-15"] == pytest.approx(-0.0947, abs=1e-4)
    assert returns.idxmin() == pd.Timestamp("2008-10-15")  # the worst day of the sample


def test_nasdaq_loads_case_insensitively():
    data = load_market("NASDAQ")
    assert data.n_obs == 5031 == len(nasdaq.load())
    assert data.name == "nasdaq"
    assert data.source == "arch.data.nasdaq (Adj Close)"


def test_unknown_market_lists_the_valid_names():
    with pytest.raises(MarketDataError, match="unknown market 'ftse'.*nasdaq, sp500"):
        load_market("ftse")


def test_describe_is_json_and_matches_numpy(spx):
    summary = json.loads(json.dumps(spx.describe()))
    returns = np.diff(np.log(spx.prices.to_numpy()))
    assert summary == {
        "name": "sp500",
        "source": "arch.data.sp500 (Adj Close)",
        "start": "1999-01-04",
        "end": "2018-12-31",
        "n_obs": 5031,
        "annualised_vol": pytest.approx(returns.std(ddof=1) * math.sqrt(252), rel=1e-12),
        "annualised_mean_log_return": pytest.approx(returns.mean() * 252, rel=1e-12),
    }
    assert summary["annualised_vol"] == pytest.approx(0.1911, abs=1e-4)


def test_split_is_inclusive_and_disjoint(spx):
    train, test = spx.split("2016-12-30")
    assert train.end == pd.Timestamp("2016-12-30")
    assert test.start == pd.Timestamp("2017-01-03")  # next trading day
    assert train.n_obs + test.n_obs == spx.n_obs
    assert_array_equal(np.concatenate([train.prices, test.prices]), spx.prices.to_numpy())
    assert_array_equal(np.concatenate([train.volume, test.volume]), spx.volume.to_numpy())
    assert (train.name, test.name) == ("sp500:train", "sp500:test")


def test_split_refuses_a_short_part(spx):
    with pytest.raises(MarketDataError, match=r"5012 training and 19 hold-out.*at least 60"):
        spx.split("2018-11-30")
    with pytest.raises(MarketDataError, match="not a date"):
        spx.split("someday")


# --- files ----------------------------------------------------------------------------------------


def test_csv_round_trip(spx, tmp_path):
    path = tmp_path / "spx.csv"
    frame = pd.DataFrame(
        {"Date": spx.prices.index, "Adj Close": spx.prices.to_numpy(), "Volume": spx.volume}
    )
    frame.to_csv(path, index=False)
    loaded = load_prices(path)
    pd.testing.assert_series_equal(loaded.prices, spx.prices)
    pd.testing.assert_series_equal(loaded.volume, spx.volume)
    assert (loaded.name, loaded.source) == ("spx", str(path))


@pytest.mark.parametrize("suffix", [".parquet", ".pq"])
def test_parquet_round_trip_with_the_date_as_index(spx, tmp_path, suffix):
    path = tmp_path / f"spx{suffix}"
    spx.prices.rename("close").to_frame().to_parquet(path)  # no volume, date stored as the index
    loaded = load_prices(path, name="mine")
    pd.testing.assert_series_equal(loaded.prices, spx.prices)
    assert loaded.volume is None
    assert loaded.name == "mine"


def test_explicit_columns_win_over_detection(tmp_path, small):
    prices, volume = small
    path = tmp_path / "two_prices.csv"
    pd.DataFrame(
        {"when": prices.index, "close": prices.to_numpy() * 2, "mid": prices.to_numpy(), "qty": volume}
    ).to_csv(path, index=False)
    loaded = load_prices(path, date_column="WHEN", close_column="mid", volume_column="qty")
    assert_array_equal(loaded.prices.to_numpy(), prices.to_numpy())
    assert_array_equal(loaded.volume.to_numpy(), volume)


def test_detection_prefers_adjusted_close(tmp_path, small):
    prices, _ = small
    path = tmp_path / "ohlc.csv"
    pd.DataFrame(
        {"timestamp": prices.index, "CLOSE": prices.to_numpy() * 2, "adj_close": prices.to_numpy()}
    ).to_csv(path, index=False)
    loaded = load_prices(path)
    assert_array_equal(loaded.prices.to_numpy(), prices.to_numpy())
    assert loaded.volume is None


def test_missing_column_names_what_was_there(tmp_path, small):
    prices, _ = small
    path = tmp_path / "nodate.csv"
    pd.DataFrame({"day": prices.index, "close": prices.to_numpy()}).to_csv(path, index=False)
    with pytest.raises(MarketDataError, match=r"no date column.*columns are 'day', 'close'"):
        load_prices(path)
    with pytest.raises(MarketDataError, match="no volume column"):
        load_prices(path, date_column="day", volume_column="volume")


def test_missing_file_and_bad_suffix(tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(MarketDataError, match="not found: .*nowhere.csv"):
        load_prices(missing)
    with pytest.raises(MarketDataError, match=r"unsupported file type '\.xlsx'"):
        load_prices(tmp_path / "prices.xlsx")


def test_bad_row_in_a_file_names_file_row_and_date(tmp_path, small):
    prices, _ = small
    values = prices.to_numpy().copy()
    values[41] = 0.0
    path = tmp_path / "zero.csv"
    pd.DataFrame({"date": prices.index, "price": values}).to_csv(path, index=False)
    with pytest.raises(MarketDataError, match=rf"zero\.csv: row 41 \({prices.index[41]}\)"):
        load_prices(path)


# --- validation -----------------------------------------------------------------------------------


def corrupt(prices, volume, case):
    dates = list(prices.index)
    values = prices.to_numpy(dtype=object).copy()
    volume = volume.copy()
    if case == "nan":
        values[5] = np.nan
    elif case == "inf":
        values[5] = np.inf
    elif case == "text":
        values[5] = "n/a"
    elif case == "zero":
        values[5] = 0.0
    elif case == "negative":
        values[5] = -3.0
    elif case == "bad date":
        dates[5] = "2020-13-45"
    elif case == "duplicate":
        dates[5] = dates[4]
    elif case == "earlier":
        dates[5] = dates[1]
    elif case == "negative volume":
        volume[5] = -1.0
    elif case == "nan volume":
        volume[5] = np.nan
    return pd.Series(values, index=dates), volume


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("nan", r"row 5 \(2020-01-08\): price is nan, not a finite number"),
        ("inf", r"row 5 \(2020-01-08\): price is inf, not a finite number"),
        ("text", r"row 5 \(2020-01-08\): price is 'n/a', not a finite number"),
        ("zero", r"row 5 \(2020-01-08\): price 0.0 is not positive"),
        ("negative", r"row 5 \(2020-01-08\): price -3.0 is not positive"),
        ("bad date", r"row 5 \('2020-13-45'\): unparseable date '2020-13-45'"),
        ("duplicate", r"row 5 \(2020-01-07\): .*not after previous date 2020-01-07 \(duplicate"),
        ("earlier", r"row 5 \(2020-01-02\): .*not after previous date 2020-01-07 \(dates must"),
        ("negative volume", r"row 5 \(2020-01-08\): volume -1.0 is negative"),
        ("nan volume", r"row 5 \(2020-01-08\): volume is nan, not a number"),
    ],
)
def test_each_bad_row_is_named(small, case, message):
    prices, volume = corrupt(*small, case)
    with pytest.raises(MarketDataError, match=message):
        validate_prices(prices, volume)


def test_the_first_bad_row_is_reported(small):
    prices, volume = small
    prices = prices.copy()
    prices.iloc[30] = np.nan
    volume = volume.copy()
    volume[12] = -5.0  # an earlier row with a different problem
    with pytest.raises(MarketDataError, match=r"^row 12 \("):
        validate_prices(prices, volume)


def test_too_short_states_both_numbers(small):
    prices, _ = small
    with pytest.raises(MarketDataError, match=f"only 59 prices; at least {MIN_OBS}"):
        validate_prices(prices.iloc[:59])
    clean, volume = validate_prices(prices.iloc[:10], min_obs=10)
    assert len(clean) == 10 and volume is None


def test_clean_output(small):
    prices, volume = small
    clean, clean_volume = validate_prices(prices, list(volume))
    assert clean.dtype == np.float64 and clean.name == "price"
    assert isinstance(clean.index, pd.DatetimeIndex) and clean.index.name == "date"
    assert clean.index[0] == pd.Timestamp("2020-01-01")
    assert_array_equal(clean.to_numpy(), prices.to_numpy())
    assert clean_volume.index.equals(clean.index) and clean_volume.name == "volume"


def test_refuses_mismatched_volume_and_non_series(small):
    prices, volume = small
    with pytest.raises(MarketDataError, match="volume has 69 rows but prices have 70"):
        validate_prices(prices, volume[:-1])
    with pytest.raises(MarketDataError, match="pandas Series indexed by date, got ndarray"):
        validate_prices(prices.to_numpy())


def test_market_data_built_from_validated_parts(small):
    prices, volume = validate_prices(*small)
    data = MarketData("toy", prices, volume, "test")
    assert_allclose(data.log_returns.to_numpy(), np.diff(np.log(np.linspace(100.0, 120.0, 70))))
    assert data.describe()["n_obs"] == 70
