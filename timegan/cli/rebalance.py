"""`timegan-rebalance`: balance the classes of a CSV file with a GAN, SMOTE or random undersampling.

    timegan-rebalance --csv patients.csv --target diagnosis --method gan --categorical sex smoker
    python scripts/rebalance.py --csv patients.csv --target diagnosis --method smote --output balanced.csv

Writes the balanced table (original rows first, then generated ones, or the kept rows for
undersampling) as CSV, atomically. Bad input ends with one line on stderr and exit code 2.
"""

import logging
from pathlib import Path

from timegan.cli._common import ArgumentParser, configure_logging, echo, positive_int, run
from timegan.cli._common import seed as seed_type

logger = logging.getLogger(__name__)

METHODS = ("gan", "smote", "undersample")


def build_parser():
    parser = ArgumentParser(prog="timegan-rebalance", description=__doc__.splitlines()[0])
    parser.add_argument("--csv", required=True, help="input CSV file with a header row")
    parser.add_argument("--target", required=True, help="name of the class column")
    parser.add_argument("--method", required=True, choices=METHODS)
    parser.add_argument(
        "--categorical",
        nargs="+",
        default=[],
        metavar="COL",
        help="columns holding categories (generated as exact one-hot choices)",
    )
    parser.add_argument(
        "--output", default=None, help="output CSV (default: <input name>.balanced.csv beside the input)"
    )
    parser.add_argument("--seed", type=seed_type, default=0, help="random seed (default 0)")
    parser.add_argument("--gan-steps", type=positive_int, default=1000, help="GAN generator updates (default 1000)")
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser


def read_table(path):
    """Reads a CSV file with pandas; any failure becomes an `OSError` naming the file."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise OSError(f"No CSV file at {str(path)!r}.")
    try:
        frame = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise OSError(f"Cannot read {str(path)!r} as CSV: {error}") from None
    if frame.empty:
        raise ValueError(f"Expected at least one data row in {str(path)!r}. Received: 0 rows")
    return frame


def check_table(frame, target, categorical):
    """Checks the target and feature columns of the table; returns the categorical column indices among features.

    Raises:
        ValueError: missing target or categorical column, one class only, missing values, or
            non-numeric features not declared categorical.
    """
    columns = [str(column) for column in frame.columns]
    if target not in columns:
        raise ValueError(f"Expected `--target` to name a column of the CSV {columns}. Received: target={target!r}")
    features = [column for column in columns if column != target]
    if not features:
        raise ValueError(f"Expected at least one feature column besides the target. Received: columns={columns}")
    for column in categorical:
        if column not in features:
            raise ValueError(
                f"Expected `--categorical` to name feature columns {features}. Received: categorical={column!r}"
            )
    labels = frame[target]
    if labels.isna().any():
        raise ValueError(
            f"Expected a class in every row of column {target!r}. Received: a missing value in row "
            f"{int(labels.isna().to_numpy().argmax()) + 2} of the file"
        )
    classes = sorted(labels.unique().tolist(), key=str)
    if len(classes) < 2:
        raise ValueError(f"Expected at least 2 classes in column {target!r}. Received: classes={classes}")
    for column in features:
        values = frame[column]
        if values.isna().any():
            raise ValueError(
                f"Expected no missing values in feature column {column!r}. Received: a missing value in "
                f"row {int(values.isna().to_numpy().argmax()) + 2} of the file"
            )
        if column not in categorical and values.dtype.kind not in "biuf":
            bad = next(v for v in values if not _is_number(v))
            raise ValueError(
                f"Expected numbers in column {column!r} (or declare it with --categorical). Received: {bad!r}"
            )
    return features, [features.index(column) for column in categorical]


def _is_number(value):
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def make_sampler(method, categorical, n_features, seed, gan_steps):
    """The imbalanced-learn sampler of `method` ("gan", "smote" or "undersample")."""
    if method == "undersample":
        from imblearn.under_sampling import RandomUnderSampler

        return RandomUnderSampler(random_state=seed)
    if method == "smote":
        from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

        if not categorical:
            return SMOTE(random_state=seed)
        if len(categorical) == n_features:
            return SMOTEN(random_state=seed)
        return SMOTENC(categorical, random_state=seed)
    if method == "gan":
        from timegan.rebalance import GANOverSampler, TabularGANConfig

        return GANOverSampler(
            random_state=seed,
            categorical_features=categorical or None,
            config=TabularGANConfig(steps=gan_steps, seed=seed),
        )
    raise ValueError(f"Unknown method {method!r}. Expected one of {list(METHODS)}. Received: method={method!r}")


def rebalance_table(frame, target, method, categorical=(), seed=0, gan_steps=1000):
    """Balances the classes of a table.

    Args:
        frame: `pd.DataFrame` with the target and feature columns.
        target: name of the class column.
        method: "gan", "smote" or "undersample".
        categorical: names of categorical feature columns.
        seed: random seed.
        gan_steps: GAN generator updates.

    Returns:
        The balanced `pd.DataFrame` with the input's columns in their order; integer columns stay
        integers (generated values rounded).
    """
    import numpy as np
    import pandas as pd

    features, indices = check_table(frame, target, list(categorical))
    if indices:
        X = frame[features].to_numpy(dtype=object)
    else:
        X = frame[features].to_numpy(dtype=np.float64)
    sampler = make_sampler(method, indices, len(features), seed, gan_steps)
    X_out, y_out = sampler.fit_resample(X, frame[target].to_numpy())
    out = pd.DataFrame(X_out, columns=features)
    for column in features:
        kind = frame[column].dtype.kind
        if kind in "iu":
            out[column] = np.rint(out[column].astype(np.float64)).astype(frame[column].dtype)
        elif kind == "b":
            out[column] = out[column].astype(bool)
        elif kind == "f":
            out[column] = out[column].astype(np.float64)
    out[target] = y_out
    return out[[str(column) for column in frame.columns]]


def main(argv=None):
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)

    def body():
        from timegan._atomic import write_text

        frame = read_table(args.csv)
        frame.columns = [str(column) for column in frame.columns]
        source = Path(args.csv)
        output = Path(args.output) if args.output else source.with_name(f"{source.stem}.balanced.csv")
        balanced = rebalance_table(frame, args.target, args.method, args.categorical, args.seed, args.gan_steps)
        write_text(output, balanced.to_csv(index=False))
        before = frame[args.target].value_counts().sort_index().to_dict()
        after = balanced[args.target].value_counts().sort_index().to_dict()
        echo(f"class counts before: {before}")
        echo(f"class counts after ({args.method}): {after}")
        echo(f"wrote {output}")

    return run(body, "timegan-rebalance")
