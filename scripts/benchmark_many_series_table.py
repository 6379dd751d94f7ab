"""Quality against the number of series, as a user gets it: `python scripts/benchmark_many_series_table.py`.

For each number of tickers N (`--counts`; the first N of `--order`) and each seed, runs
`scripts/train.py` on those tickers with its defaults (plus any arguments given after `--`, for
example `-- --representation levels --hidden-dim 24` for the settings before issue 16), then
`scripts/evaluate.py` on the run, and appends one JSON line to `--output` with the report's
discriminative score, predictive score (last feature) and correlation-matrix distances, beside
their real-data references. Lines already in `--output` (same label, count and seed) are not run
again, and a run directory that already holds a trained, evaluated run is read rather than
trained again, so the benchmark resumes where it stopped. `--summary` prints the table of means and
standard deviations over seeds from `--output` alone (docs/many_series.md).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from timegan.cli._common import ArgumentParser, echo, positive_int, run, seed

# BA CAT DIS first (the Quickstart's), then the other bundled tickers, then the rest of
# shared/data/stocks, so that each set contains the smaller ones.
ORDER = ("BA CAT DIS GE IBM KO JPM XOM MSFT PG AAPL CVX HD INTC JNJ MCD MMM MRK PFE WMT").split()
SCRIPTS = Path(__file__).resolve().parent
SCORES = (
    ("discriminative", ("discriminative", "score")),
    ("discriminative_real", ("discriminative", "baseline", "score")),
    # The report's next-step predictive score of the last feature; with one series, of all (that one).
    ("predictive", ("predictive_last", "mae"), ("predictive_all", "mae")),
    ("predictive_real", ("predictive_last", "baseline_mae"), ("predictive_all", "baseline_mae")),
    ("correlation", ("correlation", "returns", "distance")),
    ("correlation_floor", ("correlation", "returns", "real_floor")),
    ("correlation_abs", ("correlation", "abs", "distance")),
    ("correlation_abs_floor", ("correlation", "abs", "real_floor")),
    ("hidden_dim", ("data", "info", "config", "hidden_dim")),
    ("best_step", ("data", "info", "selection", "best_step")),
)


def build_parser():
    parser = ArgumentParser(prog="benchmark_many_series_table", description=__doc__.split("\n\n")[1])
    parser.add_argument("--csv", default="../shared/data/stocks", help="folder of <TICKER>.csv price files")
    parser.add_argument("--start", default="2000-01-01", help="first date (default 2000-01-01)")
    parser.add_argument("--counts", type=positive_int, nargs="+", default=[1, 3, 6, 10, 20], metavar="N")
    parser.add_argument("--order", nargs="+", default=list(ORDER), metavar="TICKER", help="tickers, in order of use")
    parser.add_argument("--seeds", type=seed, nargs="+", default=[0, 1, 2])
    parser.add_argument("--label", default="after", help="name of this setting in the table (default after)")
    parser.add_argument("--runs", default="runs/many_series", help="folder of the run directories")
    parser.add_argument("--output", default="many_series.jsonl", help="JSON lines, appended")
    parser.add_argument("--summary", action="store_true", help="only print the table of --output")
    parser.add_argument("train_args", nargs="*", help="after --: extra arguments of train.py")
    return parser


def _value(metrics, *paths):
    """The value at the first of `paths` (tuples of keys) that `metrics` holds, else None."""
    for keys in paths:
        value = metrics
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


def _done(output):
    """The records of `output`, one per (label, count, seed): the last one written."""
    if not Path(output).exists():
        return []
    records = []
    for number, line in enumerate(Path(output).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict) or not all(key in record for key in ("label", "n_tickers", "seed")):
            raise ValueError(
                f"Expected each line of --output {str(output)!r} to be a JSON record with label, n_tickers and "
                f"seed. Received at line {number}: {line[:80]!r}"
            )
        records.append(record)
    return list({(r["label"], r["n_tickers"], r["seed"]): r for r in records}.values())


def _call(script, arguments):
    """Runs `scripts/<script>` and returns its wall-clock seconds; a failure (the script has said
    why on stderr) ends the benchmark with the script's exit code, without a traceback."""
    started = time.monotonic()
    code = subprocess.run([sys.executable, str(SCRIPTS / script), *arguments], env=os.environ).returncode
    if code != 0:
        sys.stderr.write(f"benchmark_many_series_table: error: {script} exited with code {code}\n")
        raise SystemExit(code)
    return round(time.monotonic() - started, 1)


def _one(args, count, seed_):
    tickers = args.order[:count]
    directory = Path(args.runs) / f"{args.label}_n{count}_s{seed_}"
    files = [str(Path(args.csv) / f"{ticker}.csv") for ticker in tickers]
    train = ["--csv", *files, "--start", args.start, "--seed", str(seed_), "--quiet", *args.train_args]
    # A finished and evaluated run (one made by hand, or before an interruption) is read, not made again.
    finished = (directory / "model").is_dir() and (directory / "metrics.json").is_file()
    train_seconds = evaluate_seconds = None
    if not finished:
        resume = ["--resume"] if (directory / "run.json").exists() else []
        train_seconds = _call("train.py", [*train, "--output-dir", str(directory), *resume])
        evaluate_seconds = _call("evaluate.py", ["--run", str(directory), "--quiet", "--no-tsne"])
    metrics = json.loads((directory / "metrics.json").read_text())
    return {
        "label": args.label,
        "n_tickers": count,
        "seed": seed_,
        "tickers": tickers,
        "train_args": args.train_args,
        "train_seconds": train_seconds,
        "evaluate_seconds": evaluate_seconds,
        **{name: _value(metrics, *paths) for name, *paths in SCORES},
    }


def summary(records):
    """The markdown table: one row per (label, count), mean +- std over seeds."""
    import numpy as np

    columns = ("discriminative", "predictive", "correlation", "correlation_abs")
    lines = [
        "| setting | tickers | seeds | hidden_dim | training min | "
        + " | ".join(columns)
        + " | real: discriminative, predictive, correlation floor, |r| floor |",
        "|---" * (6 + len(columns)) + "|",
    ]
    groups = {}
    for record in records:
        groups.setdefault((record["label"], record["n_tickers"]), []).append(record)
    for (label, count), group in groups.items():

        def cell(name, digits=3, group=group):
            values = np.array([r[name] for r in group if r.get(name) is not None], float)
            if len(values) == 0:
                return "-"
            spread = f" ± {values.std(ddof=1):.{digits}f}" if len(values) > 1 else ""
            return f"{values.mean():.{digits}f}{spread}"

        real = ", ".join(cell(name) for name in ("discriminative_real", "predictive_real"))
        floors = ", ".join(cell(name) for name in ("correlation_floor", "correlation_abs_floor"))
        seconds = [r["train_seconds"] for r in group if r.get("train_seconds")]
        minutes = f"{np.mean(seconds) / 60:.1f}" if seconds else "-"
        lines.append(
            f"| {label} | {count} | {','.join(str(r['seed']) for r in group)} | {group[0].get('hidden_dim', '-')} | "
            f"{minutes} | " + " | ".join(cell(name) for name in columns) + f" | {real}, {floors} |"
        )
    return "\n".join(lines)


def _benchmark(args):
    unknown = [ticker for ticker in args.order if not (Path(args.csv) / f"{ticker}.csv").is_file()]
    if unknown and not args.summary:
        raise ValueError(f"Expected a <TICKER>.csv in --csv {args.csv!r} for every ticker. Missing: {unknown}")
    if max(args.counts) > len(args.order):
        raise ValueError(f"Expected --counts <= {len(args.order)} (the tickers of --order). Received: {args.counts}")
    if not args.summary:
        for count in args.counts:
            for seed_ in args.seeds:
                # Read again before each run: another process may have added it meanwhile.
                if (args.label, count, seed_) in {(r["label"], r["n_tickers"], r["seed"]) for r in _done(args.output)}:
                    continue
                record = _one(args, count, seed_)
                with open(args.output, "a") as file:
                    file.write(json.dumps(record) + "\n")
                echo(json.dumps(record))
    echo(summary(_done(args.output)))


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run(lambda: _benchmark(args), "benchmark_many_series_table")


if __name__ == "__main__":
    raise SystemExit(main())
