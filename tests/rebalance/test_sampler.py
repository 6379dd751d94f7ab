import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from sklearn.linear_model import LogisticRegression

from timegan.rebalance import GANOverSampler


@pytest.fixture
def numeric_records(toy_records):
    X, y = toy_records
    return X[:, :3].astype(float), y


def test_fit_resample_balances_and_keeps_the_originals_first(numeric_records, tiny_gan_config):
    X, y = numeric_records
    X_res, y_res = GANOverSampler(random_state=0, config=tiny_gan_config()).fit_resample(X, y)
    assert X_res.shape == (160, 3) and np.bincount(y_res).tolist() == [80, 80]
    np.testing.assert_array_equal(X_res[:120], X)
    np.testing.assert_array_equal(y_res[120:], 1)
    assert np.all(X_res[120:, 2] == 7.5)


def test_sampling_strategy_follows_imblearn(numeric_records, tiny_gan_config):
    X, y = numeric_records
    _, y_res = GANOverSampler(sampling_strategy=0.75, config=tiny_gan_config()).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [80, 60]
    _, y_res = GANOverSampler(sampling_strategy={0: 90, 1: 50}, config=tiny_gan_config()).fit_resample(X, y)
    assert np.bincount(y_res).tolist() == [90, 50]


def test_random_state_reproduces(numeric_records, tiny_gan_config):
    X, y = numeric_records
    a, _ = GANOverSampler(random_state=3, config=tiny_gan_config()).fit_resample(X, y)
    b, _ = GANOverSampler(random_state=3, config=tiny_gan_config()).fit_resample(X, y)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_dataframe_with_named_categorical_column_comes_back_as_dataframe(toy_records, tiny_gan_config):
    X, y = toy_records
    frame = pd.DataFrame(
        {
            "x1": X[:, 0].astype(float),
            "x2": X[:, 1].astype(float),
            "c": X[:, 2].astype(float),
            "kind": X[:, 3].astype(str),
        }
    )
    sampler = GANOverSampler(categorical_features=["kind"], config=tiny_gan_config())
    X_res, y_res = sampler.fit_resample(frame, pd.Series(y, name="label"))
    assert list(X_res.columns) == ["x1", "x2", "c", "kind"] and len(X_res) == 160
    assert set(X_res["kind"]) <= {"a", "b", "c"}
    assert y_res.name == "label"
    assert sampler.gan_.encoder.state["categorical_columns"] == [3]


def test_works_inside_an_imblearn_pipeline(numeric_records, tiny_gan_config):
    X, y = numeric_records
    pipeline = Pipeline(
        [("gan", GANOverSampler(random_state=0, config=tiny_gan_config())), ("model", LogisticRegression())]
    )
    pipeline.fit(X, y)
    assert pipeline.named_steps["gan"].gan_ is not None
    assert pipeline.score(X, y) > 0.9  # separable toy; the sampler is skipped at predict time
    assert pipeline.predict(X).shape == (120,)


def test_bad_parameters_are_reported(numeric_records):
    X, y = numeric_records
    with pytest.raises(ValueError, match="categorical_features"):
        GANOverSampler(categorical_features=["nope"]).fit_resample(pd.DataFrame(X, columns=["a", "b", "c"]), y)
    with pytest.raises(ValueError, match="config"):
        GANOverSampler(config={"steps": 2}).fit_resample(X, y)
