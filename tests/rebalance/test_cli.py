import numpy as np
import pandas as pd
import pytest

from timegan.cli import rebalance


@pytest.fixture
def patients(tmp_path):
    """30 patients: age (int), bmi (float), sex (F/M), outcome (24 'healthy', 6 'sick')."""
    rng = np.random.default_rng(0)
    outcome = np.array(["healthy"] * 24 + ["sick"] * 6)
    frame = pd.DataFrame(
        {
            "age": rng.integers(20, 80, 30),
            "bmi": rng.normal(25, 3, 30).round(2),
            "sex": rng.choice(["F", "M"], 30),
            "outcome": outcome,
        }
    )
    path = tmp_path / "patients.csv"
    frame.to_csv(path, index=False)
    return path, frame


def call(argv):
    try:
        return rebalance.main([str(a) for a in argv])
    except SystemExit as exit_:
        return exit_.code


@pytest.mark.parametrize(
    "method, extra, expected_counts",
    [
        ("smote", ["--categorical", "sex"], {"healthy": 24, "sick": 24}),
        ("undersample", ["--categorical", "sex"], {"healthy": 6, "sick": 6}),
        ("gan", ["--categorical", "sex", "--gan-steps", "2"], {"healthy": 24, "sick": 24}),
    ],
)
def test_balances_and_writes_the_csv(patients, tmp_path, capsys, method, extra, expected_counts):
    path, frame = patients
    output = tmp_path / "out" / "balanced.csv"
    code = call(["--csv", path, "--target", "outcome", "--method", method, "--output", output, *extra])
    assert code == 0, capsys.readouterr().err
    balanced = pd.read_csv(output)
    assert list(balanced.columns) == list(frame.columns)
    assert balanced["outcome"].value_counts().to_dict() == expected_counts
    assert set(balanced["sex"]) <= {"F", "M"}
    assert balanced["age"].dtype.kind == "i"
    assert balanced["age"].between(frame["age"].min(), frame["age"].max()).all()
    if method != "undersample":
        pd.testing.assert_frame_equal(balanced.iloc[:30].reset_index(drop=True), frame, check_dtype=False)
    assert f"wrote {output}" in capsys.readouterr().out


def test_default_output_is_beside_the_input(patients, capsys):
    path, _ = patients
    frame = pd.read_csv(path).drop(columns="sex")
    frame.to_csv(path, index=False)
    assert call(["--csv", path, "--target", "outcome", "--method", "smote", "--seed", "1"]) == 0
    assert (path.parent / "patients.balanced.csv").is_file()


def _write(tmp_path, text, name="bad.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize(
    "content, args, fragments",
    [
        (
            None,
            ["--target", "nope", "--method", "smote"],
            ["Expected `--target` to name a column of the CSV", "Received: target='nope'"],
        ),
        (
            "a,b,y\n1,2,0\n3,4,0\n",
            ["--target", "y", "--method", "smote"],
            ["Expected at least 2 classes in column 'y'. Received: classes=[0]"],
        ),
        (
            None,
            ["--target", "outcome", "--method", "gan"],
            ["Expected numbers in column 'sex' (or declare it with --categorical). Received:"],
        ),
        (
            None,
            ["--target", "outcome", "--method", "smote", "--categorical", "colour"],
            ["Expected `--categorical` to name feature columns", "Received: categorical='colour'"],
        ),
        (
            "a,b,y\n1,,0\n3,4,1\n",
            ["--target", "y", "--method", "undersample"],
            ["Expected no missing values in feature column 'b'. Received: a missing value in row 2"],
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe\x00", ["--target", "y", "--method", "smote"], ["Cannot read"]),
        ("", ["--target", "y", "--method", "smote"], ["Cannot read"]),
        (None, ["--target", "outcome", "--method", "magic"], ["invalid choice: 'magic'"]),
        (
            None,
            ["--target", "outcome", "--method", "gan", "--seed", "-1"],
            ["argument --seed: expected an integer seed from 0 to 2**32 - 1"],
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(patients, tmp_path, capsys, content, args, fragments):
    path = patients[0] if content is None else _write(tmp_path, content)
    output = tmp_path / "never.csv"
    code = call(["--csv", path, "--output", output, *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "Traceback" not in err[0], err
    for fragment in fragments:
        assert fragment in err[0], err[0]
    assert not output.exists()


def test_missing_file(tmp_path, capsys):
    assert call(["--csv", tmp_path / "absent.csv", "--target", "y", "--method", "smote"]) == 2
    assert capsys.readouterr().err.strip() == f"timegan-rebalance: error: No CSV file at '{tmp_path / 'absent.csv'}'."
