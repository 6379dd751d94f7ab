"""Daily price data: Yahoo Finance through yfinance, an on-disk cache, bundled history, user CSVs.

Nothing here touches the network at import; downloads happen only inside `load_prices`.
"""

import contextlib
import importlib.resources
import logging
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from timegan import _atomic
from timegan.preprocessing import align_prices

logger = logging.getLogger(__name__)

FIELDS = ("Open", "High", "Low", "Close", "Adj Close", "Volume")
SOURCES = ("auto", "yahoo", "bundled")
DEFAULT_START = "2000-01-01"
_FIELD_ALIASES = {"adj_close": "Adj Close", "adjclose": "Adj Close", "adj close": "Adj Close"}
# Market symbols as Yahoo writes them: BRK-B, ^GSPC, EURUSD=X, 0700.HK, ES=F. They name cache files,
# so nothing else is allowed (no separators, no "..", no leading dot).
MAX_TICKER_LENGTH = 20
_TICKER = re.compile(rf"[A-Z0-9^][A-Z0-9.^=-]{{0,{MAX_TICKER_LENGTH - 1}}}")


def normalize_ticker(ticker):
    """Validates a market symbol and returns it upper-cased.

    A symbol is 1 to `MAX_TICKER_LENGTH` (20) letters, digits or `.-^=`, starting with a letter,
    a digit or `^` (`BA`, `BRK-B`, `^GSPC`, `EURUSD=X`, `0700.HK`).

    Raises:
        ValueError: naming the value received (shortened if long).
    """
    text = str(ticker).strip().upper() if isinstance(ticker, str) else None
    if text is None or not _TICKER.fullmatch(text):
        raise ValueError(
            f"Expected a ticker symbol: 1 to {MAX_TICKER_LENGTH} letters, digits or `.-^=`, starting "
            f"with a letter, a digit or `^`. Received: ticker={shorten(ticker)}"
        )
    return text


def shorten(value, limit=40):
    """`repr(value)`, cut to `limit` characters with the full length said when longer."""
    text = repr(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(str(value))} characters)"


def bundled_tickers():
    """Tickers whose daily history ships with the package (1962-01-02 .. 2020-12-11)."""
    folder = importlib.resources.files("timegan.datasets")
    return tuple(sorted(p.name[:-4] for p in folder.iterdir() if p.name.endswith(".csv") and p.name[:-4].isupper()))


def default_cache_dir():
    """`$TIMEGAN_CACHE_DIR`, else `$XDG_CACHE_HOME/timegan/prices`, else `~/.cache/timegan/prices`."""
    if os.environ.get("TIMEGAN_CACHE_DIR"):
        return Path(os.environ["TIMEGAN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "timegan" / "prices"


def normalize_fields(fields):
    """Validates field names (case-insensitive, `adj_close` accepted) and returns canonical ones."""
    if isinstance(fields, str):
        fields = (fields,)
    canonical = {name.lower(): name for name in FIELDS}
    result = []
    for field in fields:
        key = str(field).strip().lower()
        name = canonical.get(key) or _FIELD_ALIASES.get(key)
        if name is None:
            raise ValueError(f"Unknown price field {field!r}. Expected one of {list(FIELDS)}")
        if name not in result:
            result.append(name)
    if not result:
        raise ValueError("Expected at least one price field. Received: fields=()")
    return tuple(result)


def read_price_csv(path):
    """Reads one ticker's daily prices from a CSV in Yahoo Finance's layout.

    The layout is `Date,Open,High,Low,Close,Adj Close,Volume` (any subset of the price columns;
    `Adj_Close` accepted); "null" and empty cells become NaN.

    Args:
        path: CSV file.

    Returns:
        DataFrame indexed by a sorted DatetimeIndex "Date", one float column per field present.

    Raises:
        FileNotFoundError: if `path` does not exist.
        ValueError: if the file is empty, binary or not CSV, has no data rows, misses the Date
            column or every price column, or holds a value that is not a finite number (the
            file, column, value and date are named).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Price CSV not found: {str(path)!r}")
    if _looks_binary(path):
        raise ValueError(f"CSV {str(path)!r} is not text (binary or not UTF-8). Expected a CSV in Yahoo's layout")
    try:
        # Read as text, so that a message quotes a bad cell as written (`1e309`, not the inf it parses to).
        frame = pd.read_csv(path, dtype=str, na_values=["null", "NaN", ""], keep_default_na=True, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise ValueError(
            f"CSV {str(path)!r} is empty. Expected Yahoo's layout {['Date', *FIELDS]} with one row per day"
        ) from None
    except UnicodeDecodeError:
        raise ValueError(
            f"CSV {str(path)!r} is not text (binary or not UTF-8). Expected a CSV in Yahoo's layout"
        ) from None
    except (pd.errors.ParserError, ValueError) as error:
        raise ValueError(f"CSV {str(path)!r} cannot be parsed as CSV: {' '.join(str(error).split())}") from None
    frame.columns = [_canonical_column(c) for c in frame.columns]
    if "Date" not in frame.columns:
        raise ValueError(
            f"CSV {str(path)!r} has no `Date` column. Expected Yahoo's layout {['Date', *FIELDS]}; got {list(frame.columns)}"
        )
    present = [field for field in FIELDS if field in frame.columns]
    if not present:
        raise ValueError(
            f"CSV {str(path)!r} has no price column. Expected some of {list(FIELDS)}; got {list(frame.columns)}"
        )
    if frame.empty:
        raise ValueError(f"CSV {str(path)!r} has a header but no data rows. Expected one row per day")
    try:
        index = pd.DatetimeIndex(pd.to_datetime(frame["Date"], format="ISO8601"), name="Date")
    except (ValueError, TypeError) as error:
        raise ValueError(f"CSV {str(path)!r} has a `Date` value that is not a date: {error}") from None
    prices = frame[present].set_axis(index)
    for field in present:
        converted = pd.to_numeric(prices[field], errors="coerce")
        bad = converted.isna() & prices[field].notna()
        if bad.any():
            row = prices.index[bad.argmax()].date()
            raise ValueError(
                f"CSV {str(path)!r} has a non-numeric {field!r} value {prices[field][bad].iloc[0]!r} on {row}"
            )
        infinite = (
            pd.Series(~np.isfinite(converted.to_numpy(dtype="float64")), index=converted.index) & converted.notna()
        )
        if infinite.any():
            row = prices.index[infinite.argmax()].date()
            raise ValueError(
                f"CSV {str(path)!r} has a {field!r} value {prices[field][infinite].iloc[0]!r} on {row} "
                "that is not a finite number (too large for a float64 or inf)"
            )
        prices[field] = converted.astype("float64")
    return prices[~prices.index.duplicated(keep="last")].sort_index()


def _looks_binary(path, size=8192):
    """True if the first `size` bytes of `path` hold a NUL byte or are not UTF-8."""
    import codecs

    with open(path, "rb") as handle:
        head = handle.read(size)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError:
        return True
    return b"\x00" in head


def csv_paths(paths):
    """Expands files and folders (every `*.csv` inside) into a sorted list of CSV paths."""
    result = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(path.glob("*.csv"))
            if not found:
                raise FileNotFoundError(f"No .csv file in folder {str(path)!r}")
            result.extend(found)
        elif path.is_file():
            result.append(path)
        else:
            raise FileNotFoundError(f"Price CSV not found: {str(path)!r}")
    return result


def load_prices(
    tickers=(),
    start=DEFAULT_START,
    end=None,
    fields=("Adj Close",),
    source="auto",
    cache_dir=None,
    csv=(),
    refresh=False,
):
    """Loads aligned daily prices for several tickers.

    Each ticker is read from, in order: the on-disk cache; Yahoo Finance (full history, then
    cached); the bundled history (`source="auto"` only, with one log line saying so). Files in
    `csv` add one ticker each, named after the file.

    Args:
        tickers: Yahoo symbols, e.g. ("BA", "CAT", "DIS").
        start: first date (inclusive), default "2000-01-01"; None for the whole history.
        end: last date (inclusive), default None (the last available day).
        fields: price fields per ticker among `FIELDS`; default ("Adj Close",).
        source: "auto" (cache, Yahoo, then bundled data), "yahoo" (cache, then Yahoo) or
            "bundled" (shipped history only).
        cache_dir: cache folder; default `default_cache_dir()`.
        csv: CSV files or folders in Yahoo's layout; each file is one ticker named after its stem.
        refresh: download again even if the cache has the ticker.

    Returns:
        DataFrame with a DatetimeIndex "Date", MultiIndex columns (ticker, field) in the order
        requested, float values, no NaN. `attrs["rows_dropped"]` counts rows removed for missing
        values, `attrs["sources"]` maps each ticker to where it came from.

    Raises:
        ValueError: on an unknown source or field, a ticker that is not a market symbol (see
            `normalize_ticker`; checked before anything is downloaded or cached), a ticker without
            data (all are named), a CSV without the needed columns, or an empty date range.
    """
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}. Expected one of {list(SOURCES)}")
    fields = normalize_fields(fields)
    if isinstance(tickers, str):
        tickers = (tickers,)
    tickers = [normalize_ticker(t) for t in tickers]
    if not tickers and not csv:
        raise ValueError("Expected at least one ticker or CSV file. Received: none")
    start_ts, end_ts = _parse_range(start, end)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    if cache_dir.exists() and not cache_dir.is_dir():
        raise ValueError(f"Expected `cache_dir` to be a directory. Received: cache_dir={str(cache_dir)!r}, a file")

    frames, sources, missing = {}, {}, []
    for ticker in dict.fromkeys(tickers):
        frame, origin = _load_ticker(ticker, source, cache_dir, refresh)
        if frame is None:
            missing.append(ticker)
            continue
        frames[ticker], sources[ticker] = frame, origin
    if missing:
        raise ValueError(_missing_message(missing, source))
    fallback = [ticker for ticker, origin in sources.items() if origin == "bundled" and source == "auto"]
    if fallback:
        logger.info(
            "Yahoo Finance returned no data for %s (offline?); using the bundled history, which ends on 2020-12-11.",
            ", ".join(fallback),
        )
    for path in csv_paths(csv):
        ticker = path.stem.upper()
        if ticker in frames:
            raise ValueError(f"Ticker {ticker!r} is given twice (CSV {str(path)!r}).")
        frames[ticker], sources[ticker] = read_price_csv(path), f"csv:{path}"

    selected = {}
    for ticker, frame in frames.items():
        absent = [field for field in fields if field not in frame.columns]
        if absent:
            raise ValueError(
                f"Ticker {ticker!r} ({sources[ticker]}) has no column {absent}. Available: {list(frame.columns)}"
            )
        selected[ticker] = frame.loc[start_ts:end_ts, list(fields)]
    empty = [ticker for ticker, frame in selected.items() if frame.empty]
    if empty:
        raise ValueError(
            f"No price rows between {_fmt(start_ts, 'the first day')} and {_fmt(end_ts, 'the last day')} for {empty}."
        )
    prices, rows_dropped = align_prices(selected)
    prices.attrs = {"rows_dropped": rows_dropped, "sources": sources}
    return prices


def _canonical_column(name):
    name = str(name).strip()
    return _FIELD_ALIASES.get(name.lower(), name)


def _parse_range(start, end):
    try:
        start_ts = pd.Timestamp(start) if start is not None else None
        end_ts = pd.Timestamp(end) if end is not None else None
    except (ValueError, TypeError):
        raise ValueError(f"Expected dates as YYYY-MM-DD. Received: start={start!r}, end={end!r}") from None
    if start_ts is not None and end_ts is not None and end_ts < start_ts:
        raise ValueError(f"Expected `end` on or after `start`. Received: start={start!r}, end={end!r}")
    return start_ts, end_ts


def _fmt(timestamp, open_end):
    return open_end if timestamp is None else str(timestamp.date())


def _missing_message(missing, source):
    names = ", ".join(missing)
    if source == "bundled":
        return f"No bundled data for ticker(s) {names}. Bundled tickers: {list(bundled_tickers())}"
    where = "Yahoo Finance returned no data (offline or unknown symbol)"
    if source == "auto":
        where += f" and no bundled data exists (bundled: {list(bundled_tickers())})"
    return f"No data for ticker(s) {names}: {where}. Pass --csv with a Yahoo-layout file for them."


def _load_ticker(ticker, source, cache_dir, refresh):
    """Returns `(frame, origin)` for one ticker, or `(None, None)` if no source has it."""
    if source in ("auto", "yahoo"):
        cached = cache_path(cache_dir, ticker)
        if cached.is_file() and not refresh:
            return read_price_csv(cached), "cache"
        frame = _download_yahoo(ticker)
        if frame is not None:
            _write_cache(frame, cached)
            return frame, "yahoo"
    if source in ("auto", "bundled") and ticker in bundled_tickers():
        with importlib.resources.as_file(importlib.resources.files("timegan.datasets") / f"{ticker}.csv") as path:
            return read_price_csv(path), "bundled"
    return None, None


def cache_path(cache_dir, ticker):
    """The cache file of `ticker`: `<cache_dir>/<TICKER>.csv`, checked to lie inside `cache_dir`.

    Raises:
        ValueError: if `ticker` is not a market symbol or the path resolves outside the cache
            (a symbolic link pointing elsewhere, for instance).
    """
    ticker = normalize_ticker(ticker)
    root = Path(cache_dir).resolve()
    path = (root / f"{ticker}.csv").resolve()
    if path.parent != root:
        raise ValueError(f"Cache file for ticker {ticker!r} resolves to {str(path)!r}, outside the cache {str(root)!r}")
    return path


def _download_yahoo(ticker):
    """Full daily history of `ticker` from Yahoo Finance, or None when yfinance returns nothing.

    yfinance does not raise when Yahoo is unreachable or the symbol is unknown: it logs and
    returns an empty frame. Its logging and warnings are muted for the duration of the call.
    """
    import yfinance

    yf_logger = logging.getLogger("yfinance")
    level = yf_logger.level
    yf_logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(None):
            warnings.simplefilter("ignore")
            raw = yfinance.download(
                ticker, period="max", interval="1d", auto_adjust=False, actions=False, progress=False, threads=False
            )
    except Exception as error:  # yfinance raises assorted network/parse errors; all mean "no data"
        logger.debug("yfinance failed for %s: %s", ticker, error)
        return None
    finally:
        yf_logger.setLevel(level)
    return _normalize_yahoo_frame(raw, ticker)


def _normalize_yahoo_frame(raw, ticker):
    """Turns yfinance's output (flat or (Price, Ticker) MultiIndex columns) into one ticker's frame."""
    if raw is None or len(raw) == 0:
        return None
    frame = raw
    if isinstance(frame.columns, pd.MultiIndex):
        level = "Ticker" if "Ticker" in frame.columns.names else frame.columns.nlevels - 1
        if ticker not in frame.columns.get_level_values(level):
            return None
        frame = frame.xs(ticker, axis=1, level=level)
    frame = frame.rename(columns=_canonical_column)
    present = [field for field in FIELDS if field in frame.columns]
    if not present:
        return None
    index = pd.DatetimeIndex(frame.index)
    if index.tz is not None:
        index = index.tz_localize(None)
    frame = frame[present].set_axis(index.normalize().rename("Date")).apply(pd.to_numeric, errors="coerce")
    frame = frame.dropna(how="all")
    return frame.sort_index().astype("float64") if len(frame) else None


def _write_cache(frame, path):
    try:
        _atomic.write_text(path, frame.to_csv(date_format="%Y-%m-%d"))
    except OSError as error:
        logger.warning("Could not write the price cache %s: %s", path, error)
