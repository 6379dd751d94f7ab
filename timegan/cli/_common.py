"""Conventions shared by every command-line entry point.

A bad input ends the command with one line on stderr naming the value and what was expected,
exit code 2 and no traceback. Library code raises `ValueError`/`TypeError` (or `OSError` for
files); `run` turns them into that line.
"""

import argparse
import contextlib
import logging
import os
import sys

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class ArgumentParser(argparse.ArgumentParser):
    """An `argparse.ArgumentParser` whose usage errors are a single line on stderr."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def positive_int(text):
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def positive_float(text):
    """argparse type: a float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}")
    return value


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
        message = " ".join(str(error).split()) or type(error).__name__
        sys.stderr.write(f"{prog}: error: {message}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write(f"{prog}: interrupted\n")
        return EXIT_INTERRUPTED
    return 0 if code is None else code
