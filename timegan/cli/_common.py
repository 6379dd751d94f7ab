"""Conventions shared by every command-line entry point.

A bad input ends the command with one line on stderr naming the value and what was expected,
exit code 2 and no traceback. Library code raises `ValueError`/`TypeError` (or `OSError` for
files); `run` turns them into that line.
"""

import argparse
import contextlib
import logging
import math
import os
import sys

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
# NumPy's and Keras' `set_random_seed` take seeds below 2**32.
MAX_SEED = 2**32 - 1
_MAX_SHOWN = 60  # characters of a received value shown in a message


class ArgumentParser(argparse.ArgumentParser):
    """An `argparse.ArgumentParser` whose usage errors are a single line on stderr."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def positive_int(text):
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {_shown(text)}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {_shown(text)}")
    return value


def positive_float(text):
    """argparse type: a finite float > 0 (`inf`, `nan` and numbers beyond float64 are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {_shown(text)}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, received {_shown(text)}")
    return value


def learning_rate(text):
    """argparse type: a learning rate as `TimeGANConfig.learning_rate` accepts it, in (0, 1].

    The bound is the config's own constraint (`timegan.config.CONSTRAINTS`), so the command line
    and the library refuse the same values; see there for why it is (0, 1].
    """
    from timegan._validation import validate
    from timegan.config import CONSTRAINTS

    value = positive_float(text)
    try:
        return validate(value, "learning_rate", *CONSTRAINTS["learning_rate"])
    except ValueError:
        accepted = " or ".join(str(c).removeprefix("a number ") for c in CONSTRAINTS["learning_rate"])
        raise argparse.ArgumentTypeError(f"expected a learning rate {accepted}, received {_shown(text)}") from None


def fraction(text):
    """argparse type: a share in [0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), received {_shown(text)}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1), received {_shown(text)}")
    return value


def seed(text):
    """argparse type: an integer seed in [0, 2**32 - 1]."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, received {_shown(text)}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"expected an integer seed from 0 to 2**32 - 1 = {MAX_SEED}, received {_shown(text)}"
        )
    return value


SOURCES_HELP = "auto: cache, Yahoo, then the bundled history; yahoo: no fallback; bundled: offline only"


def add_data_arguments(parser, default_tickers=(), fields=True):
    """Adds the arguments that choose the price history: --tickers, --csv, --start, --end,
    --source, --cache-dir and (if `fields`) --fields, as one argument group "data".

    Read them back with `data_arguments`, which checks them the same way for every command.

    Args:
        parser: an `argparse.ArgumentParser`.
        default_tickers: tickers used when neither --tickers nor --csv is given; () requires one.
        fields: offer --fields (price fields per ticker); without it the prices are Adj Close.

    Returns:
        The argument group, for commands that add more data options.
    """
    from timegan.data import DEFAULT_START, SOURCES

    data = parser.add_argument_group("data")
    default = (
        f"default {' '.join(default_tickers)} unless --csv is given" if default_tickers else "these or --csv required"
    )
    data.add_argument("--tickers", nargs="+", metavar="TICKER", help=f"Yahoo Finance symbols ({default})")
    data.add_argument(
        "--csv",
        action="append",
        nargs="+",
        default=[],
        metavar="PATH",
        help="CSV file(s) in Yahoo's layout, or folders of them; one ticker per file (repeatable)",
    )
    data.add_argument("--start", default=DEFAULT_START, help=f"first date, YYYY-MM-DD (default {DEFAULT_START})")
    data.add_argument("--end", default=None, help="last date, YYYY-MM-DD (default: last available day)")
    if fields:
        data.add_argument(
            "--fields",
            nargs="+",
            default=["Adj Close"],
            metavar="FIELD",
            help="price fields per ticker: Open High Low Close adj_close Volume (default: Adj Close)",
        )
    data.add_argument("--source", choices=SOURCES, default="auto", help=SOURCES_HELP)
    data.add_argument("--cache-dir", default=None, help="download cache (default ~/.cache/timegan/prices)")
    parser.set_defaults(_default_tickers=tuple(default_tickers))
    return data


def data_arguments(args):
    """The keyword arguments of `timegan.data.load_prices` from the options of `add_data_arguments`.

    Raises:
        ValueError: if neither --tickers nor --csv is given and the command has no default tickers.
    """
    csv = [path for group in args.csv for path in group]
    tickers = args.tickers if args.tickers is not None else (() if csv else args._default_tickers)
    if not tickers and not csv:
        raise ValueError("Expected --tickers or --csv. Received: neither")
    return {
        "tickers": tickers,
        "csv": csv,
        "start": args.start,
        "end": args.end,
        "fields": list(getattr(args, "fields", ["Adj Close"])),
        "source": args.source,
        "cache_dir": args.cache_dir,
    }


def _shown_path(path):
    """A path quoted for a message; a long one keeps its start and its end (the file's name)."""
    text = repr(path)
    if len(text) <= 2 * _MAX_SHOWN:
        return text
    return f"{text[:20]}...{text[-(_MAX_SHOWN + 20) :]} ({len(text) - 2} characters)"


def _shown(text):
    text = repr(text)
    return text if len(text) <= _MAX_SHOWN else f"{text[:_MAX_SHOWN]}... ({len(text) - 2} characters)"


def echo(line=""):
    """Writes one line of a command's result to stdout (library code logs instead)."""
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def configure_logging(verbose=False):
    """Log INFO lines (WARNING and up unless `verbose` for TensorFlow's own) to stderr."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("tensorflow", "absl", "h5py", "matplotlib", "PIL", "yfinance", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def import_tensorflow_quietly():
    """Imports TensorFlow and finds its devices with their C++ start-up messages hidden.

    Those lines are written to the process's stderr before TensorFlow's logging can be
    configured; commands keep stderr for their own messages. Python errors still show.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull, contextlib.ExitStack() as restore:
            os.dup2(devnull.fileno(), 2)
            restore.callback(os.dup2, saved, 2)
            import tensorflow

            # Device discovery prints its own line when no CUDA driver is found.
            tensorflow.config.list_physical_devices()
    finally:
        os.close(saved)


def error_line(error):
    """One line for an error: its message, or for a raw OS error what failed on which file.

    An `OSError` raised by the system itself ("[Errno 36] File name too long: '...'") becomes
    "cannot use '<file>': File name too long", the file name shortened when long.
    """
    if isinstance(error, OSError) and error.strerror and error.filename is not None:
        return f"cannot use {_shown_path(os.fsdecode(error.filename))}: {error.strerror}"
    return " ".join(str(error).split()) or type(error).__name__


def run(main, prog):
    """Calls `main()` and maps bad input to one stderr line and exit code 2.

    Args:
        main: callable with no arguments returning an exit code or None.
        prog: name printed before the error message.

    Returns:
        The process exit code.
    """
    import matplotlib

    matplotlib.use("Agg")  # commands write picture files; they never open windows
    try:
        import_tensorflow_quietly()
        code = main()
    except (ValueError, TypeError, OSError) as error:
        sys.stderr.write(f"{prog}: error: {error_line(error)}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return EXIT_INTERRUPTED
    return 0 if code is None else code
