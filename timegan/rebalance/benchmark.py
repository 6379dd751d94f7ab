"""The rebalancing comparison: classifiers trained on a rarer minority, each resampling method.

Protocol (docs/rebalance.md): repeated stratified K-fold cross-validation; in each training fold
the minority class is subsampled to `1 / ratio` of the majority class (the test fold is left
untouched and stratified), then each method rebalances the training fold and each classifier is
scored on the test fold with balanced accuracy, the minority class's F1 and ROC AUC.
"""

import logging
import time

import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from tqdm.auto import tqdm

from timegan._validation import Integer, validate
from timegan.rebalance.sampler import GANOverSampler

logger = logging.getLogger(__name__)

METHODS = ("none", "undersample", "oversample", "smote", "class-weight", "gan")
CLASSIFIERS = ("logistic", "boosting")
METRICS = ("balanced_accuracy", "f1_minority", "roc_auc")


def make_classifier(name, seed, categorical=None):
    """`"logistic"`: StandardScaler + LogisticRegression(max_iter=2000); `"boosting"`: GradientBoostingClassifier().

    Categorical columns (indices) are one-hot encoded first (unknown categories ignored).
    """
    if name == "logistic":
        steps = [StandardScaler(), LogisticRegression(max_iter=2000)]
    elif name == "boosting":
        steps = [GradientBoostingClassifier(random_state=seed)]
    else:
        raise ValueError(f"Unknown classifier {name!r}. Expected one of {list(CLASSIFIERS)}. Received: {name!r}")
    if categorical:
        encode = ColumnTransformer(
            [("one_hot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(categorical))],
            remainder="passthrough",
        )
        steps = [encode] + steps
    return make_pipeline(*steps)


def make_resampler(method, seed, categorical=None, gan_config=None, n_features=None):
    """The imbalanced-learn sampler of `method` (None for "none" and "class-weight").

    With categorical columns SMOTE is SMOTE-NC (Chawla et al. 2002, section 6.1), or SMOTE-N when
    every column is categorical (`n_features`).
    """
    if method in ("none", "class-weight"):
        return None
    if method == "undersample":
        return RandomUnderSampler(random_state=seed)
    if method == "oversample":
        return RandomOverSampler(random_state=seed)
    if method == "smote":
        if categorical and n_features is not None and len(categorical) == n_features:
            return SMOTEN(random_state=seed)
        return SMOTENC(categorical, random_state=seed) if categorical else SMOTE(random_state=seed)
    if method == "gan":
        return GANOverSampler(random_state=seed, categorical_features=categorical, config=gan_config)
    raise ValueError(f"Unknown method {method!r}. Expected one of {list(METHODS)}. Received: method={method!r}")


def _fit(classifier, X, y, balanced_weights):
    if not balanced_weights:
        return classifier.fit(X, y)
    weights = compute_sample_weight("balanced", y)
    return classifier.fit(X, y, **{f"{classifier.steps[-1][0]}__sample_weight": weights})


def rarer_minority(train_index, y, minority, ratio, rng):
    """Keeps `n_majority // ratio` minority records of a training fold (at least 2), chosen at random.

    Returns:
        The kept indices into `y`, sorted.
    """
    minority_index = train_index[y[train_index] == minority]
    majority_index = train_index[y[train_index] != minority]
    keep = max(2, min(len(minority_index), len(majority_index) // ratio))
    kept = rng.choice(minority_index, size=keep, replace=False)
    return np.sort(np.concatenate([majority_index, kept]))


def compare_resamplers(
    X,
    y,
    minority,
    ratios=(5, 10),
    n_splits=5,
    n_repeats=5,
    methods=METHODS,
    classifiers=CLASSIFIERS,
    categorical=None,
    gan_config=None,
    seed=0,
    on_fold=None,
    previous=None,
    folds=None,
):
    """Scores each method x classifier on each fold of repeated stratified K-fold CV.

    Args:
        X: `(n, n_features)` numeric records (categorical columns hold category codes).
        y: `(n,)` binary labels.
        minority: the label made rarer in training.
        ratios: majority:minority ratios of the training folds. Default (5, 10).
        n_splits: folds per repeat. Default 5.
        n_repeats: repeats. Default 5.
        methods: subset of `METHODS`.
        classifiers: subset of `CLASSIFIERS`.
        categorical: indices of categorical columns (SMOTE-NC and the GAN's one-hot blocks).
        gan_config: `TabularGANConfig` of the GAN method (its seed is replaced per fold).
        seed: seed of the folds, the subsampling, the samplers and the classifiers.
        on_fold: optional callable receiving the results so far (a `pd.DataFrame`) after each
            fold, e.g. to checkpoint a long run.
        previous: optional `pd.DataFrame` of rows an earlier, interrupted run of the same
            arguments returned or checkpointed: the folds it completed (every ratio x method x
            classifier) are kept as they are and not run again. Folds, subsamples and seeds
            depend only on `seed` and the fold's index, so the resumed run is the uninterrupted one.
        folds: optional indices of the folds to run (repeat-major: fold `f` of repeat `r` is
            `r * n_splits + f`), e.g. to share the folds of one comparison among processes; the
            results of the parts concatenate to the whole run's. Default None: every fold.

    Returns:
        A tidy `pd.DataFrame` with columns ratio, repeat, fold, method, classifier, the three
        `METRICS`, and `resample_seconds` (time to resample the training fold).

    Raises:
        ValueError: for an unknown method or classifier, or `y` not binary.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if len(np.unique(y)) != 2:
        raise ValueError(f"Expected binary labels. Received: classes={np.unique(y).tolist()}")
    for method in methods:
        make_resampler(method, 0, categorical, n_features=X.shape[1])
    for name in classifiers:
        make_classifier(name, 0)
    splitter = RepeatedStratifiedKFold(n_splits=n_splits, n_repeats=n_repeats, random_state=seed)
    selected = (
        None if folds is None else {validate(index, "folds", Integer(0, n_splits * n_repeats - 1)) for index in folds}
    )
    folds = list(splitter.split(X, y))
    rows = []
    completed = set()
    if previous is not None and len(previous):
        rows, completed = _completed_folds(previous, n_splits, ratios, methods, classifiers)
        logger.info("Resuming: %d of %d folds already scored.", len(completed), len(folds))
    to_run = [i for i in range(len(folds)) if i not in completed and (selected is None or i in selected)]
    progress = tqdm(total=len(ratios) * len(to_run) * len(methods), desc="folds x methods", disable=None)
    # Folds outside, ratios inside: a run stopped early still has every ratio on the same folds.
    for index, (full_train_index, test_index) in enumerate(folds):
        if index not in to_run:
            continue
        for ratio in ratios:
            fold_seed = seed + 1000 * ratio + index
            train_index = rarer_minority(full_train_index, y, minority, ratio, np.random.default_rng(fold_seed))
            X_train, y_train = X[train_index], y[train_index]
            for method in methods:
                start = time.perf_counter()
                sampler = make_resampler(method, fold_seed, categorical, gan_config, X.shape[1])
                X_fit, y_fit = (X_train, y_train) if sampler is None else sampler.fit_resample(X_train, y_train)
                seconds = time.perf_counter() - start
                for name in classifiers:
                    classifier = make_classifier(name, fold_seed, categorical)
                    _fit(classifier, X_fit, y_fit, method == "class-weight")
                    scores = score(classifier, X[test_index], y[test_index], minority)
                    rows.append(
                        dict(
                            ratio=ratio,
                            repeat=index // n_splits,
                            fold=index % n_splits,
                            method=method,
                            classifier=name,
                            resample_seconds=seconds,
                            **scores,
                        )
                    )
                progress.update()
        if on_fold is not None:
            on_fold(pd.DataFrame(rows))
    progress.close()
    return pd.DataFrame(rows)


def _completed_folds(previous, n_splits, ratios, methods, classifiers):
    """The rows of `previous` that belong to complete folds, and those folds' indices.

    Raises:
        ValueError: if `previous` lacks a column of the results.
    """
    columns = ["ratio", "repeat", "fold", "method", "classifier", "resample_seconds", *METRICS]
    missing = [column for column in columns if column not in previous.columns]
    if missing:
        raise ValueError(f"Expected earlier results with columns {columns}. Received: no column {missing}")
    wanted = previous[
        previous["ratio"].isin(ratios) & previous["method"].isin(methods) & previous["classifier"].isin(classifiers)
    ]
    index = wanted["repeat"] * n_splits + wanted["fold"]
    cells = (
        wanted.assign(index=index)
        .groupby("index")
        .apply(lambda rows: len(set(zip(rows["ratio"], rows["method"], rows["classifier"]))), include_groups=False)
    )
    completed = set(cells.index[cells == len(ratios) * len(methods) * len(classifiers)].tolist())
    kept = wanted[index.isin(completed)]
    return kept[columns].to_dict("records"), completed


def score(classifier, X, y, minority):
    """Balanced accuracy, the minority class's F1 and ROC AUC (minority = positive) of a fitted classifier."""
    predicted = classifier.predict(X)
    column = list(classifier.classes_).index(minority)
    probability = classifier.predict_proba(X)[:, column]
    return {
        "balanced_accuracy": balanced_accuracy_score(y, predicted),
        "f1_minority": f1_score(y, predicted, pos_label=minority),
        "roc_auc": roc_auc_score(y == minority, probability),
    }


def summarize(results):
    """Mean and std of each metric per ratio, classifier and method (rows in `METHODS` order).

    Returns:
        A `pd.DataFrame` indexed by (ratio, classifier, method) with columns `<metric>_mean`,
        `<metric>_std`, `resample_seconds_mean` and `folds` (number of folds averaged).
    """
    grouped = results.groupby(["ratio", "classifier", "method"])
    table = grouped[list(METRICS)].agg(["mean", "std"])
    table.columns = [f"{metric}_{stat}" for metric, stat in table.columns]
    table["resample_seconds_mean"] = grouped["resample_seconds"].mean()
    table["folds"] = grouped.size()
    order = {name: i for i, name in enumerate(METHODS + CLASSIFIERS)}
    return table.sort_index(key=lambda level: level.map(lambda v: order.get(v, v)))


def paired_differences(results, method="gan", baselines=("undersample", "smote"), metric="balanced_accuracy"):
    """Per-fold differences `method - baseline` of one metric (the folds are shared, so pairs are exact).

    Returns:
        A `pd.DataFrame` indexed by (ratio, classifier, baseline) with the mean and std of the
        differences, the number of folds where `method` wins, ties and the number of folds.
    """
    keys = ["ratio", "classifier", "repeat", "fold"]
    ours = results[results["method"] == method].set_index(keys)[metric]
    rows = []
    for baseline in baselines:
        theirs = results[results["method"] == baseline].set_index(keys)[metric]
        difference = (ours - theirs).dropna()
        for (ratio, classifier), values in difference.groupby(level=["ratio", "classifier"]):
            rows.append(
                {
                    "ratio": ratio,
                    "classifier": classifier,
                    "baseline": baseline,
                    "mean_difference": values.mean(),
                    "std_difference": values.std(),
                    "wins": int((values > 0).sum()),
                    "ties": int((values == 0).sum()),
                    "folds": len(values),
                }
            )
    return pd.DataFrame(rows).set_index(["ratio", "classifier", "baseline"])


def format_table(summary):
    """The summary as Markdown: one row per ratio x classifier x method, `mean ± std` cells."""
    lines = [
        "| ratio | classifier | method | balanced accuracy | F1 (minority) | ROC AUC | resample s | folds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (ratio, classifier, method), row in summary.iterrows():
        cells = [f"{row[f'{m}_mean']:.3f} ± {row[f'{m}_std']:.3f}" for m in METRICS]
        lines.append(
            f"| 1:{ratio} | {classifier} | {method} | "
            + " | ".join(cells)
            + f" | {row['resample_seconds_mean']:.2f} | {int(row['folds'])} |"
        )
    return "\n".join(lines)
