import json

import numpy as np
import pytest

from timegan.rebalance import TabularEncoder


def test_round_trip_is_exact_and_constant_column_comes_back_exactly(toy_records):
    X, _ = toy_records
    encoder = TabularEncoder(categorical=[3]).fit(X)
    encoded = encoder.transform(X)
    assert encoded.shape == (120, 3 + 3)  # three numeric columns, categories a/b/c
    assert np.all(encoded[:, 2] == 0)  # constant column: no division by a zero std
    np.testing.assert_allclose(encoded[:, :2].mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(encoded[:, :2].std(0), 1, atol=1e-5)
    back = encoder.inverse_transform(encoded)
    np.testing.assert_allclose(back[:, :2].astype(float), X[:, :2].astype(float), rtol=1e-5)
    assert np.all(back[:, 2] == 7.5)
    assert back[:, 3].tolist() == X[:, 3].tolist()


def test_inverse_takes_argmax_of_soft_blocks_and_clips_to_range():
    X = np.array([[0.0, 1], [10.0, 2], [5.0, 1]])
    encoder = TabularEncoder(categorical=[1]).fit(X)
    rows = np.array([[100.0, 0.3, 0.7], [-100.0, 0.9, 0.1]])
    back = encoder.inverse_transform(rows)
    np.testing.assert_array_equal(back, [[10.0, 2], [0.0, 1]])


def test_state_is_json_and_restores_the_same_transform(toy_records):
    X, _ = toy_records
    encoder = TabularEncoder(categorical=[3]).fit(X)
    restored = TabularEncoder.from_dict(json.loads(json.dumps(encoder.to_dict())))
    np.testing.assert_array_equal(restored.transform(X), encoder.transform(X))


def test_stored_state_refuses_missing_keys(toy_records):
    X, _ = toy_records
    state = TabularEncoder(categorical=[3]).fit(X).to_dict()
    del state["std"]
    with pytest.raises(ValueError, match=r"Missing TabularEncoder keys: \['std'\]"):
        TabularEncoder.from_dict(state)


def test_fixed_categories_give_four_vectors_per_nucleotide():
    X = np.array([["A", "T"], ["A", "G"]], dtype=object)
    encoder = TabularEncoder(categorical=[0, 1], categories=["A", "T", "C", "G"]).fit(X)
    np.testing.assert_array_equal(encoder.transform(X), [[1, 0, 0, 0, 0, 1, 0, 0], [1, 0, 0, 0, 0, 0, 0, 1]])


@pytest.mark.parametrize(
    "X, kwargs, message",
    [
        (
            np.array([[1.0, "x"]], dtype=object),
            {},
            "Expected numbers in column 1 (declare it categorical otherwise). Received: 'x'",
        ),
        (np.array([[1.0, np.nan]]), {}, "Expected finite numbers in column 1"),
        (
            np.array([[1.0, 2.0]]),
            {"categorical": [5]},
            "Expected `categorical` to hold column indices in [0, 1]. Received: categorical=[5]",
        ),
        (
            np.array([["A"]], dtype=object),
            {"categorical": [0], "categories": ["C", "G"]},
            "Unknown category in column 0. Expected one of ['C', 'G']. Received: 'A'",
        ),
        (np.zeros(3), {}, "Expected a 2-D array of records (n_samples, n_features). Received: shape=(3,)"),
    ],
)
def test_bad_input_names_the_value(X, kwargs, message):
    with pytest.raises(ValueError) as error:
        TabularEncoder(**kwargs).fit(X)
    assert message in str(error.value)


def test_unknown_category_at_transform_is_an_error():
    encoder = TabularEncoder(categorical=[0]).fit(np.array([["a"], ["b"]], dtype=object))
    with pytest.raises(ValueError, match=r"Unknown category in column 0. Expected one of \['a', 'b'\]. Received: 'z'"):
        encoder.transform(np.array([["z"]], dtype=object))
