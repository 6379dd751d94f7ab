import logging

import numpy as np
import pandas as pd
import pytest

from timegan import bundled_tickers, load_prices, read_price_csv
from timegan.data import _normalize_yahoo_frame

YAHOO_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"


def write_csv(path, rows):
    path.write_text(YAHOO_HEADER + "\n".join(rows))
    return path


def test_bundled_tickers_include_the_source_report_six():
    assert {"BA", "CAT", "DIS", "GE", "IBM", "KO"} <= set(bundled_tickers())


def test_bundled_prices_default_range_and_columns():
    prices = load_prices(["BA", "KO"], source="bundled")
    assert list(prices.columns) == [("BA", "Adj Close"), ("KO", "Adj Close")]
    assert prices.index[0] == pd.Timestamp("2000-01-03") and prices.index[-1] == pd.Timestamp("2020-12-11")
    assert len(prices) == 5271 and prices.attrs["rows_dropped"] == 0
    assert prices.attrs["sources"] == {"BA": "bundled", "KO": "bundled"}
    assert prices.index.is_monotonic_increasing and prices.dtypes.eq("float64").all()


def test_fields_and_date_range():
    prices = load_prices(
        ["IBM"], start="2010-01-01", end="2010-01-31", fields=["close", "Volume", "adj_close"], source="bundled"
    )
    assert list(prices.columns) == [("IBM", "Close"), ("IBM", "Volume"), ("IBM", "Adj Close")]
    assert prices.index.min() >= pd.Timestamp("2010-01-01") and prices.index.max() <= pd.Timestamp("2010-01-31")
    assert len(prices) == 19


def test_auto_offline_falls_back_to_bundled_with_one_log_line(fake_yahoo, caplog):
    with caplog.at_level(logging.INFO, logger="timegan.data"):
        prices = load_prices(["BA", "CAT"])
    assert [call[0] for call in fake_yahoo.calls] == ["BA", "CAT"]
    assert prices.attrs["sources"] == {"BA": "bundled", "CAT": "bundled"}
    lines = [r.getMessage() for r in caplog.records if "bundled" in r.getMessage()]
    assert len(lines) == 1 and "no data for BA, CAT (offline?)" in lines[0]


def test_unknown_tickers_are_all_named(fake_yahoo):
    with pytest.raises(ValueError) as error:
        load_prices(["BA", "NOPE", "ZZZZ"])
    message = str(error.value)
    assert "NOPE, ZZZZ" in message and "BA" not in message.split(":")[0]
    with pytest.raises(ValueError, match="No bundled data for ticker"):
        load_prices(["AAPLX"], source="bundled")
    with pytest.raises(ValueError, match="No data for ticker.*BA"):
        load_prices(["BA"], source="yahoo")  # offline, and no fallback in yahoo mode


def test_yahoo_download_is_cached_and_read_back(fake_yahoo, tmp_path):
    fake_yahoo.online = True
    cache = tmp_path / "cache"
    first = load_prices(["AAA", "BBB"], start=None, fields=["Adj Close", "Volume"], cache_dir=cache)
    assert first.attrs["sources"] == {"AAA": "yahoo", "BBB": "yahoo"}
    assert sorted(p.name for p in cache.iterdir()) == ["AAA.csv", "BBB.csv"]
    assert not list(cache.glob(".*tmp"))
    fake_yahoo.online = False
    second = load_prices(["AAA", "BBB"], start=None, fields=["Adj Close", "Volume"], cache_dir=cache)
    assert len(fake_yahoo.calls) == 2  # the second load did not download
    assert second.attrs["sources"] == {"AAA": "cache", "BBB": "cache"}
    np.testing.assert_allclose(second.to_numpy(), first.to_numpy())
    expected = fake_yahoo.histories["AAA"]["Adj Close"].to_numpy()
    np.testing.assert_allclose(second[("AAA", "Adj Close")].to_numpy(), expected)


def test_normalize_handles_flat_tz_aware_and_foreign_frames():
    index = pd.date_range("2021-01-04", periods=3, freq="B", tz="America/New_York", name="Date")
    flat = pd.DataFrame({"Close": [1.0, 2.0, 3.0], "Adj Close": [1.0, 2.0, 3.0]}, index=index)
    frame = _normalize_yahoo_frame(flat, "X")
    assert frame.index.tz is None and list(frame.columns) == ["Close", "Adj Close"]
    other = flat.copy()
    other.columns = pd.MultiIndex.from_product([["Close", "Adj Close"], ["Y"]], names=["Price", "Ticker"])
    assert _normalize_yahoo_frame(other, "X") is None


def test_read_csv_handles_null_and_rejects_bad_files(tmp_path):
    good = write_csv(
        tmp_path / "AAA.csv",
        ["2020-01-02,1,1,1,1,1,100", "2020-01-03,null,null,null,null,null,null", "2020-01-06,2,2,2,2,2,200"],
    )
    frame = read_price_csv(good)
    assert frame["Adj Close"].isna().sum() == 1 and frame.loc["2020-01-06", "Volume"] == 200
    bad = write_csv(tmp_path / "BAD.csv", ["2020-01-02,1,1,1,1,abc,100"])
    with pytest.raises(ValueError, match=r"non-numeric 'Adj Close' value 'abc' on 2020-01-02"):
        read_price_csv(bad)
    nodate = tmp_path / "NODATE.csv"
    nodate.write_text("Day,Close\n1,2\n")
    with pytest.raises(ValueError, match="has no `Date` column"):
        read_price_csv(nodate)
    with pytest.raises(FileNotFoundError, match="missing.csv"):
        read_price_csv(tmp_path / "missing.csv")


def test_csv_folder_and_missing_field(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    rows = [f"2020-01-{d:02d},1,1,1,1,{d},100" for d in range(1, 20)]
    write_csv(folder / "aaa.csv", rows)
    write_csv(folder / "bbb.csv", rows[:-1] + ["2020-01-19,1,1,1,1,null,100"])
    prices = load_prices(csv=[folder])
    assert list(prices.columns) == [("AAA", "Adj Close"), ("BBB", "Adj Close")]
    assert len(prices) == 18 and prices.attrs["rows_dropped"] == 1
    only_close = tmp_path / "CCC.csv"
    only_close.write_text("Date,Close\n2020-01-02,1\n")
    with pytest.raises(ValueError, match=r"Ticker 'CCC' .* has no column \['Adj Close'\]"):
        load_prices(csv=[only_close])


def test_bad_arguments():
    with pytest.raises(ValueError, match="Unknown source 'web'"):
        load_prices(["BA"], source="web")
    with pytest.raises(ValueError, match="Unknown price field 'Price'"):
        load_prices(["BA"], fields=["Price"])
    with pytest.raises(ValueError, match="No price rows between 2030-01-01"):
        load_prices(["BA"], start="2030-01-01", source="bundled")
    with pytest.raises(ValueError, match="Expected `end` on or after `start`"):
        load_prices(["BA"], start="2010-01-01", end="2009-01-01")


@pytest.mark.parametrize(
    "ticker", ["", "../../ESCAPED", "../EVIL/X", "A" * 5000, "..", ".HIDDEN", "BA/X", "BA\\X", "BA X", "AB\x00C", 7]
)
def test_tickers_that_are_not_market_symbols_never_reach_the_disk(ticker, tmp_path, monkeypatch, fake_yahoo):
    """The download is faked to answer for any name: nothing is written, inside or outside the cache."""
    import timegan.data

    history = fake_yahoo.histories["AAA"]
    downloads = []
    monkeypatch.setattr(timegan.data, "_download_yahoo", lambda name: downloads.append(name) or history.copy())
    cache = tmp_path / "deep" / "cache"
    with pytest.raises(
        ValueError, match=r"Expected a ticker symbol: 1 to 20 letters, digits or `.-\^=`.* Received: ticker="
    ):
        load_prices([ticker], cache_dir=cache)
    assert downloads == [] and list(tmp_path.rglob("*")) == []


def test_market_symbols_are_accepted_and_cached_inside_the_cache(tmp_path, monkeypatch, fake_yahoo):
    import timegan.data

    history = fake_yahoo.histories["AAA"]
    monkeypatch.setattr(timegan.data, "_download_yahoo", lambda name: history.copy())
    cache = tmp_path / "cache"
    prices = load_prices(["brk-b", "^GSPC", "EURUSD=X", "0700.HK"], cache_dir=cache, start=None)
    assert [c[0] for c in prices.columns] == ["BRK-B", "^GSPC", "EURUSD=X", "0700.HK"]
    assert sorted(p.name for p in cache.iterdir()) == ["0700.HK.csv", "BRK-B.csv", "EURUSD=X.csv", "^GSPC.csv"]


def test_a_cache_file_that_resolves_outside_the_cache_is_refused(tmp_path):
    from timegan.data import cache_path

    cache = tmp_path / "cache"
    cache.mkdir()
    (tmp_path / "elsewhere.csv").write_text("x")
    (cache / "BA.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(ValueError, match="Cache file for ticker 'BA' resolves to .*elsewhere.csv', outside the cache"):
        cache_path(cache, "BA")
    assert cache_path(cache, "ko") == cache.resolve() / "KO.csv"


def test_an_open_end_is_named_the_last_day():
    with pytest.raises(ValueError, match=r"No price rows between 2030-01-01 and the last day for \['BA'\]"):
        load_prices(["BA"], start="2030-01-01", source="bundled")
    with pytest.raises(ValueError, match=r"No price rows between the first day and 1900-01-31 for \['BA'\]"):
        load_prices(["BA"], start=None, end="1900-01-31", source="bundled")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (bytes(range(256)) * 4, "is not text"),
        (b"Date,Open,High,Low,Close,Adj Close,Volume\n", "has a header but no data rows"),
        (
            b"Date,Adj Close\n2020-01-02,1e309\n",
            "has a 'Adj Close' value '1e309' on 2020-01-02 that is not a finite number",
        ),
        (
            b"Date,Adj Close\n2020-01-02,-inf\n",
            "has a 'Adj Close' value '-inf' on 2020-01-02 that is not a finite number",
        ),
    ],
)
def test_unreadable_csvs_are_named(tmp_path, content, message):
    path = tmp_path / "X.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError) as error:
        read_price_csv(path)
    assert str(error.value).startswith(f"CSV '{path}' ") and message in str(error.value)
