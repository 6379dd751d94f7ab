import numpy as np
import pandas as pd
import pytest

from timegan.rebalance import benchmark


def test_rarer_minority_subsamples_only_the_minority():
    y = np.array([0] * 50 + [1] * 30)
    train = np.arange(80)
    kept = benchmark.rarer_minority(train, y, minority=1, ratio=10, rng=np.random.default_rng(0))
    assert np.bincount(y[kept]).tolist() == [50, 5]
    assert set(np.flatnonzero(y == 0)) <= set(kept)


def test_compare_resamplers_scores_every_method_and_fold():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 40)
    X = rng.normal(size=(100, 3)) + 2.5 * y[:, None]
    results = benchmark.compare_resamplers(
        X,
        y,
        minority=1,
        ratios=(5,),
        n_splits=2,
        n_repeats=1,
        methods=("none", "undersample", "smote", "class-weight"),
        classifiers=("logistic",),
    )
    assert len(results) == 2 * 4
    assert set(results["method"]) == {"none", "undersample", "smote", "class-weight"}
    assert (results["roc_auc"] > 0.9).all()  # well separated classes
    summary = benchmark.summarize(results)
    assert summary.loc[(5, "logistic", "smote"), "balanced_accuracy_mean"] == pytest.approx(
        results.query("method == 'smote'")["balanced_accuracy"].mean()
    )
    table = benchmark.format_table(summary)
    assert table.count("\n") == 2 + 4 - 1 and "| 1:5 | logistic | smote |" in table


def test_categorical_columns_use_smote_n_and_one_hot_classifiers():
    letters = np.array([list("ACGT"), list("ACGA")] * 30, dtype=object)
    y = np.array([0, 1] * 30)
    results = benchmark.compare_resamplers(
        letters,
        y,
        minority=1,
        ratios=(2,),
        n_splits=2,
        n_repeats=1,
        methods=("smote",),
        classifiers=("logistic",),
        categorical=[0, 1, 2, 3],
    )
    assert (results["balanced_accuracy"] == 1.0).all()  # the last letter gives the class away


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"methods": ("magic",)}, "Unknown method 'magic'"),
        ({"classifiers": ("forest",)}, "Unknown classifier 'forest'"),
    ],
)
def test_unknown_names(kwargs, message):
    with pytest.raises(ValueError, match=message):
        benchmark.compare_resamplers(np.zeros((10, 2)), np.array([0, 1] * 5), minority=1, **kwargs)


def test_paired_differences_pair_the_same_folds():
    import pandas as pd

    rows = []
    for fold, (ours, theirs) in enumerate([(0.9, 0.8), (0.7, 0.75), (0.6, 0.6)]):
        for method, value in (("gan", ours), ("smote", theirs)):
            rows.append(
                {
                    "ratio": 5,
                    "classifier": "logistic",
                    "repeat": 0,
                    "fold": fold,
                    "method": method,
                    "balanced_accuracy": value,
                }
            )
    table = benchmark.paired_differences(pd.DataFrame(rows), "gan", ("smote",))
    row = table.loc[(5, "logistic", "smote")]
    assert row["mean_difference"] == pytest.approx((0.1 - 0.05 + 0.0) / 3)
    assert (row["wins"], row["ties"], row["folds"]) == (1, 1, 3)


def test_resume_keeps_completed_folds_and_reruns_the_rest():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 40)
    X = rng.normal(size=(100, 3)) + 1.0 * y[:, None]
    kwargs = dict(
        minority=1, ratios=(5,), n_splits=3, n_repeats=1, methods=("none", "smote"), classifiers=("logistic",)
    )
    full = benchmark.compare_resamplers(X, y, **kwargs)
    earlier = full[full["fold"] < 2].copy()
    earlier.loc[earlier["fold"] == 0, "roc_auc"] = -1.0  # a marker: kept folds are not recomputed
    earlier = earlier.drop(earlier.index[-1])  # fold 1 incomplete: run again
    resumed = benchmark.compare_resamplers(X, y, previous=earlier, **kwargs)
    assert len(resumed) == len(full)
    assert (resumed[resumed["fold"] == 0]["roc_auc"] == -1.0).all()
    rerun = resumed[resumed["fold"] > 0].reset_index(drop=True)
    np.testing.assert_allclose(rerun["roc_auc"], full[full["fold"] > 0]["roc_auc"].to_numpy())


def test_folds_split_among_runs_concatenate_to_the_whole_run():
    rng = np.random.default_rng(0)
    y = np.array([0] * 60 + [1] * 40)
    X = rng.normal(size=(100, 3)) + 1.0 * y[:, None]
    kwargs = dict(minority=1, ratios=(5,), n_splits=2, n_repeats=2, methods=("smote",), classifiers=("logistic",))
    whole = benchmark.compare_resamplers(X, y, **kwargs)
    parts = [benchmark.compare_resamplers(X, y, folds=part, **kwargs) for part in ([0, 3], [1, 2])]
    assert sorted(zip(parts[0]["repeat"], parts[0]["fold"])) == [(0, 0), (1, 1)]
    joined = pd.concat(parts).sort_values(["repeat", "fold"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(joined.drop(columns="resample_seconds"), whole.drop(columns="resample_seconds"))
    with pytest.raises(ValueError, match=r"Expected `folds` to be an integer in \[0, 3\]. Received: folds=4"):
        benchmark.compare_resamplers(X, y, folds=[4], **kwargs)


def test_resume_refuses_results_without_the_score_columns():
    earlier = pd.DataFrame({"ratio": [5], "repeat": [0], "fold": [0]})
    with pytest.raises(ValueError, match=r"Expected earlier results with columns .*Received: no column \['method'"):
        benchmark.compare_resamplers(
            np.zeros((20, 2)), np.array([0, 1] * 10), minority=1, ratios=(5,), n_splits=2, n_repeats=1, previous=earlier
        )
