"""Fault injection: hostile and careless input, crashes at any instant, full disks, damaged runs.

Every bad input ends `timegan-train` with exit code 2, one line on stderr naming the value and
what was expected, and nothing new on disk. A crash or a failed write leaves the previous
complete state loadable.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from timegan import _atomic
from timegan.cli.train import main
from timegan.run import load_run

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--seq-len", "3", "--hidden-dim", "4", "--num-layers", "1", "--batch-size", "8", "--steps", "3", "--quiet"]
OPEN_END = ["--tickers", "BA", "--source", "bundled", "--start", "2019-01-01"]
BA = [*OPEN_END, "--end", "2019-06-30"]
SM = [*BA, *TINY]


def invoke(argv):
    """Runs the command in-process; returns its exit code (argparse errors exit via SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exit_:
        return exit_.code


def snapshot(directory):
    """Every path under `directory` with its size and modification time (None if it does not exist).

    An existing run's `.lock` is left out: a refused attempt may take the lock (writing its
    process id) before it reads the run's files. A new `.lock` shows as a new directory.
    """
    if not directory.exists():
        return None
    return {
        str(p.relative_to(directory)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in directory.rglob("*")
        if p.name != ".lock"
    }


def price_csv(path, values):
    rows = "".join(f"2020-01-{d:02d},1,1,1,1,{v},1\n" for d, v in zip(range(1, 32), values))
    path.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n" + rows)
    return str(path)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A finished tiny run; tests copy it before changing anything."""
    out = tmp_path_factory.mktemp("finished") / "run"
    assert main([*SM, "--checkpoint-every", "2", "--output-dir", str(out)]) == 0
    return out


def copy_of(run, tmp_path):
    target = tmp_path / "run"
    shutil.copytree(run, target)
    return target


# ---------------------------------------------------------------- bad input, table-driven


def _cases(tmp):
    """(argv, expected message fragment, prepare) for every bad input the CLI must refuse."""
    good = [100 + d for d in range(31)]
    file = tmp / "a-file"
    return [
        # Check everything before writing anything
        (["--learning-rate", "inf"], "argument --learning-rate: expected a positive finite number, received 'inf'"),
        (["--learning-rate", "nan"], "expected a positive finite number, received 'nan'"),
        (["--learning-rate", "1e999"], "expected a positive finite number, received '1e999'"),
        (["--learning-rate", "1e30"], "argument --learning-rate: expected a learning rate in (0, 1], received '1e30'"),
        (["--seed", "99999999999999999999999"], "argument --seed: expected an integer seed from 0 to 2**32 - 1"),
        (["--seed", "-1"], "argument --seed: expected an integer seed from 0 to 2**32 - 1 = 4294967295, received '-1'"),
        (
            ["--log-dir", str(file)],
            f"Expected the log directory to be a directory. Received: '{file}', which is a file",
        ),
        (["--hidden-dim", "200000"], "Expected a model that fits in memory: it needs at least"),
        (["--n-synthetic", str(10**13)], "Expected n_synthetic <= "),
        (
            ["--tickers", "BA", "--csv", price_csv(tmp / "HUGE.csv", [*good[:29], "1e309", 1])],
            f"CSV '{tmp / 'HUGE.csv'}' has a 'Adj Close' value '1e309' on 2020-01-30 that is not a finite number",
        ),
        (
            ["--tickers", "BA", "--csv", price_csv(tmp / "RANGE.csv", [-1.7e308, 1.7e308] * 15)],
            "Expected prices whose range (max - min) is a finite float64. Received: column ('RANGE', 'Adj Close')",
        ),
        # Names from users never become paths
        (["--tickers", "../EVIL/X"], "Expected a ticker symbol: 1 to 20 letters, digits or `.-^=`"),
        (["--tickers", ""], "Received: ticker=''"),
        (["--tickers", "A" * 5000], "Received: ticker='AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA... (5000 characters)"),
        (["--tickers", "BA/../../X"], "Received: ticker='BA/../../X'"),
        # Messages name what was received
        (["--start", "2030-01-01"], "No price rows between 2030-01-01 and the last day for ['BA']"),
        (["--tickers", "BA", "--csv", _write(tmp / "EMPTY.csv", b"")], f"CSV '{tmp / 'EMPTY.csv'}' is empty"),
        (
            ["--tickers", "BA", "--csv", _write(tmp / "BIN.csv", bytes(range(256)) * 4)],
            f"CSV '{tmp / 'BIN.csv'}' is not text",
        ),
        (
            ["--tickers", "BA", "--csv", _write(tmp / "HEAD.csv", b"Date,Adj Close\n")],
            f"CSV '{tmp / 'HEAD.csv'}' has a header but no data rows",
        ),
        (["--output-dir", str(file)], f"Expected the output directory to be a directory. Received: '{file}'"),
        (
            ["--output-dir", str(file / "sub")],
            f"Cannot create the output directory '{file / 'sub'}': '{file}' is a file",
        ),
        (["--output-dir", str(tmp / ("R" * 5000))], "timegan-train: error: cannot use '/"),
        # The cases the README promised before
        (["--tickers", "NOPE", "ZZZZ", "--source", "auto"], "No data for ticker(s) NOPE, ZZZZ"),
        (
            ["--start", "2020-01-01", "--end", "2020-01-06"],
            "Expected at least seq_len + 2 = 5 rows of data (a returns window is seq_len + 1 prices). Received: 3",
        ),
        (
            ["--tickers", "BA", "--csv", price_csv(tmp / "TEXT.csv", [*good[:30], "abc"])],
            "non-numeric 'Adj Close' value 'abc' on 2020-01-31",
        ),
        (["--fields", "Price"], "Unknown price field 'Price'"),
        (["--seq-len", "1"], "Expected `seq_len` to be an integer >= 2. Received: seq_len=1"),
        (["--hidden-dim", "0"], "Received: hidden_dim=0"),
        (["--batch-size", "0"], "Received: batch_size=0"),
        (["--batch-size", "99999"], "Received: batch_size=99999"),
        (["--steps", "0"], "Expected positive --steps. Received: [0]"),
        (["--steps", "1", "2"], "Expected --steps with 1 or 3 values"),
        (["--cell", "rnn"], "invalid choice: 'rnn'"),
        (["--checkpoint-every", "-3"], "expected a positive integer, received '-3'"),
        (["--n-synthetic", "0"], "expected a positive integer, received '0'"),
        (["--resume", "--overwrite"], "--resume and --overwrite cannot be combined"),
        (["--resume"], "Nothing to resume: "),
    ]


def _write(path, data):
    path.write_bytes(data)
    return str(path)


CASE_IDS = [
    "lr-inf",
    "lr-nan",
    "lr-overflow",
    "lr-1e30",
    "seed-huge",
    "seed-negative",
    "log-dir-file",
    "hidden-dim-huge",
    "n-synthetic-huge",
    "csv-1e309",
    "csv-range-overflow",
    "ticker-traversal",
    "ticker-empty",
    "ticker-5000",
    "ticker-slash",
    "open-end",
    "csv-empty",
    "csv-binary",
    "csv-header-only",
    "output-dir-file",
    "output-dir-under-file",
    "output-dir-5000",
    "unknown-tickers",
    "short-range",
    "csv-not-numeric",
    "unknown-field",
    "seq-len-1",
    "hidden-dim-0",
    "batch-0",
    "batch-too-large",
    "steps-0",
    "steps-two",
    "cell",
    "checkpoint-every",
    "n-synthetic-0",
    "resume-overwrite",
    "resume-nothing",
]


@pytest.mark.parametrize("index", range(len(CASE_IDS)), ids=CASE_IDS)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(index, tmp_path, capsys):
    tmp_path.joinpath("a-file").write_text("not a directory")
    argv, message = _cases(tmp_path)[index]
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    base = [*OPEN_END, *TINY]
    code = invoke([*base, *argv] if "--output-dir" in argv else [*base, *argv, "--output-dir", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err and len(err) < 400, err
    assert snapshot(tmp_path) == before  # no run directory, no temporaries beside it


def test_every_case_has_an_id(tmp_path):
    assert len(_cases(tmp_path)) == len(CASE_IDS)


def test_a_long_output_dir_is_one_short_line(tmp_path, capsys):
    assert invoke([*SM, "--output-dir", str(tmp_path / ("R" * 5000))]) == 2
    err = capsys.readouterr().err
    assert re.fullmatch(
        r"timegan-train: error: cannot use '/[^\n]{1,19}\.\.\.R{79}' \(\d{4} characters\): File name too long\n", err
    ), err


def test_an_output_directory_that_is_not_writable_is_named(tmp_path, monkeypatch, capsys):
    """Permissions are simulated (the tests may run as root, whom permissions do not stop)."""
    monkeypatch.setattr("timegan.run.os.access", lambda path, mode: False)
    assert invoke([*SM, "--output-dir", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"timegan-train: error: Cannot write the output directory '{tmp_path / 'out'}': '{tmp_path}' is not writable\n"
    )
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- a finished run survives bad input


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--learning-rate", "inf"], "expected a positive finite number"),
        (["--hidden-dim", "200000"], "Expected a model that fits in memory"),
        (["--tickers", "../EVIL/X"], "Expected a ticker symbol"),
    ],
    ids=["lr-inf", "hidden-dim-huge", "ticker-traversal"],
)
def test_overwrite_with_bad_input_leaves_the_finished_run(finished_run, tmp_path, capsys, argv, message):
    run = copy_of(finished_run, tmp_path)
    before = snapshot(tmp_path)
    assert invoke([*SM, *argv, "--overwrite", "--output-dir", str(run)]) == 2
    assert message in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_overwrite_replaces_a_run_built_beside_it(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path)
    (run / "report.html").write_text("old report")  # the evaluation's files are the run's own
    assert main([*SM, "--seed", "7", "--overwrite", "--output-dir", str(run)]) == 0
    assert json.loads((run / "run.json").read_text())["config"]["seed"] == 7
    assert not (run / "report.html").exists()  # an old report would describe the old model
    assert load_run(run).model.config.seed == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging folder left beside it


@pytest.mark.parametrize("layout", ["model/notes.txt", "checkpoint/notes.txt", "notes.txt"])
def test_a_directory_with_foreign_files_is_never_cleared(tmp_path, capsys, layout):
    out = tmp_path / "out"
    (out / layout).parent.mkdir(parents=True, exist_ok=True)
    (out / layout).write_text("the user's own notes")
    before = snapshot(tmp_path)
    assert invoke([*SM, "--overwrite", "--output-dir", str(out)]) == 2
    assert "is not empty and holds no run" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


def test_overwrite_of_a_run_holding_foreign_files_is_refused(finished_run, tmp_path, capsys):
    run = copy_of(finished_run, tmp_path)
    (run / "notes.txt").write_text("mine")
    before = snapshot(tmp_path)
    assert invoke([*SM, "--overwrite", "--output-dir", str(run)]) == 2
    assert "holds files that are not part of a run (notes.txt); nothing was replaced" in capsys.readouterr().err
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- untrusted run directories


def _damage_keras(run):
    files = sorted((run / "checkpoint").rglob("*.keras"))
    assert files
    for file in files:
        file.write_bytes(np.random.default_rng(0).bytes(4096))


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda run: (run / "run.json").write_text("{not json"), "run.json' is not valid JSON"),
        (lambda run: (run / "run.json").write_text('["a list"]'), "run.json' is malformed: expected a JSON object"),
        (lambda run: (run / "run.json").write_text('{"config": {}, "steps": "many"}'), "Received: steps='many'"),
        (lambda run: (run / "prices.csv").write_bytes(bytes(range(256)) * 8), "prices.csv' is unreadable"),
        (lambda run: (run / "prices.csv").write_text("garbage\n1,2\n"), "prices.csv' is unreadable"),
        (_damage_keras, "Cannot load the saved TimeGAN in"),
    ],
    ids=["run-json-syntax", "run-json-list", "run-json-steps", "prices-binary", "prices-garbage", "keras-random-bytes"],
)
def test_damaged_run_files_are_named_on_resume(finished_run, tmp_path, capsys, damage, message):
    run = copy_of(finished_run, tmp_path)
    damage(run)
    before = snapshot(tmp_path)
    assert invoke(["--resume", "--quiet", "--output-dir", str(run)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(run) in err and err.count("\n") == 1, err
    assert snapshot(tmp_path) == before


def test_damaged_model_is_named_by_load_run(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path)
    for file in (run / "model").rglob("*.keras"):
        file.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match=f"Cannot load the saved TimeGAN in '{run / 'model'}'"):
        load_run(run, model="last")


# ---------------------------------------------------------------- concurrency


def test_a_second_writer_is_refused_in_one_line(finished_run, tmp_path, capsys):
    run = copy_of(finished_run, tmp_path)
    with _atomic.DirectoryLock(run):  # another open file description: as another process would hold it
        assert invoke(["--resume", "--quiet", "--output-dir", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"Run directory '{run}' is in use by another process (pid {os.getpid()})" in err and err.count("\n") == 1
    assert invoke(["--resume", "--quiet", "--output-dir", str(run)]) == 0  # released


# ---------------------------------------------------------------- numbers that cannot be trusted


def test_non_finite_generated_output_writes_nothing(tmp_path, monkeypatch, capsys):
    from timegan.model import TimeGAN

    def fit_that_went_wrong(self, data, steps=1000, **kwargs):
        self.feature_names = [("BA", "Adj Close")]  # what a fit leaves for `generate`; no training needed here

    monkeypatch.setattr(TimeGAN, "fit", fit_that_went_wrong)
    monkeypatch.setattr(TimeGAN, "generate", lambda self, n, seed=None, **kw: np.full((n, 3, 1), np.inf))
    out = tmp_path / "out"
    assert invoke([*SM, "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert "generated non-finite values (NaN or inf) for ['BA Adj Close']" in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == [".lock", "prices.csv", "run.json"]  # nothing after training


def test_divergence_keeps_the_last_checkpoint_and_resumes(tmp_path, monkeypatch, capsys):
    """A non-finite loss after the first checkpoint: one line, exit 2, checkpoint kept, --resume finishes."""
    from timegan.model import TimeGAN

    fit = TimeGAN.fit

    def diverging_fit(self, data, steps=1000, **kwargs):
        fit(self, data, steps=(2, 0, 0), **kwargs)  # checkpointed every step
        raise FloatingPointError("Non-finite loss in the embedding phase at step 3: {'recon': nan}")

    out = tmp_path / "out"
    monkeypatch.setattr(TimeGAN, "fit", diverging_fit)
    assert invoke([*SM, "--checkpoint-every", "1", "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"timegan-train: error: Training diverged: Non-finite loss in the embedding phase at step 3: "
        f"{{'recon': nan}}. The last good checkpoint is kept in '{out / 'checkpoint'}' (--resume continues "
        "from it)\n"
    )
    monkeypatch.setattr(TimeGAN, "fit", fit)
    assert invoke(["--resume", "--quiet", "--output-dir", str(out)]) == 0
    assert load_run(out).model.steps_done == {"embedding": 3, "supervised": 3, "joint": 3}


def test_divergence_before_any_checkpoint_leaves_nothing(tmp_path, monkeypatch, capsys):
    from timegan.model import TimeGAN

    def diverging_fit(self, data, steps=1000, **kwargs):
        raise FloatingPointError("Non-finite loss in the embedding phase at step 1: {'recon': inf}")

    monkeypatch.setattr(TimeGAN, "fit", diverging_fit)
    out = tmp_path / "out"
    assert invoke([*SM, "--output-dir", str(out)]) == 2
    assert "was removed; lower --learning-rate" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- crash safety

CRASH_SCRIPT = """
import os, sys
from pathlib import Path
from timegan import _atomic

target, crash_at = Path(sys.argv[1]), int(sys.argv[2])
if sys.argv[3] == "no-exchange":
    _atomic._exchange = lambda a, b: False
calls = []
replace = os.replace

def crashing_replace(src, dst):
    calls.append(1)
    if len(calls) == crash_at:
        os._exit(9)  # a kill: no cleanup runs
    replace(src, dst)

_atomic.os.replace = crashing_replace
with _atomic.atomic_path(target) as tmp:
    tmp.mkdir()
    (tmp / "state.txt").write_text("new")
os._exit(0)
"""


@pytest.mark.parametrize("mode", ["exchange", "no-exchange"])
@pytest.mark.parametrize("crash_at", [1, 2, 3, 99])
def test_a_kill_at_any_instant_of_a_directory_replacement_leaves_a_complete_one(tmp_path, mode, crash_at):
    target = tmp_path / "checkpoint"
    target.mkdir()
    (target / "state.txt").write_text("old")
    result = subprocess.run(
        [sys.executable, "-c", CRASH_SCRIPT, str(target), str(crash_at), mode],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode in (0, 9), result.stderr
    readable = _atomic.readable_path(target)
    assert (readable / "state.txt").read_text() in ("old", "new")  # never missing, never half
    if mode == "exchange":
        assert readable == target  # one atomic swap: the path itself is always there
    _atomic.remove_stale(tmp_path)  # what the next run does first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]
    assert (target / "state.txt").read_text() == ("old" if result.returncode == 9 and crash_at < 3 else "new")


def test_stale_temporaries_are_removed_by_the_next_resume(finished_run, tmp_path):
    run = copy_of(finished_run, tmp_path)
    for stale in (".model.abcd1234.tmp", ".checkpoint.x_y_z_12.tmp"):
        (run / stale / "networks").mkdir(parents=True)
    (run / ".losses.csv.qwertyui.tmp").write_text("half")
    assert main(["--resume", "--quiet", "--output-dir", str(run)]) == 0
    assert not [p.name for p in run.iterdir() if p.name.endswith(".tmp")]


FULL_DISK_SCRIPT = """
import resource, signal, sys
from timegan.model import TimeGAN

model = TimeGAN.load(sys.argv[1])
model.steps_counter.assign([99, 99, 99])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
try:
    model.save(sys.argv[1])
except OSError as error:
    print(type(error).__name__, error.errno)
    sys.exit(3)
"""


def test_a_full_disk_during_a_save_leaves_the_previous_model(finished_run, tmp_path):
    """RLIMIT_FSIZE makes every write past 1 KiB fail (EFBIG), as a full disk fails (ENOSPC), in any writer."""
    from timegan.model import TimeGAN

    model_dir = copy_of(finished_run, tmp_path) / "model"
    expected = TimeGAN.load(model_dir).generate(4, seed=1)
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK_SCRIPT, str(model_dir)],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 3, result.stderr  # the save failed with an OSError
    loaded = TimeGAN.load(model_dir)
    assert loaded.steps_done == {"embedding": 3, "supervised": 3, "joint": 3}
    np.testing.assert_array_equal(loaded.generate(4, seed=1), expected)
    assert sorted(p.name for p in model_dir.parent.iterdir() if p.name.startswith(".model")) == []


@pytest.mark.parametrize("where", ["first file", "swap", "rename 1", "rename 2", "rename 3"])
def test_an_interrupted_model_save_leaves_the_previous_model(finished_run, tmp_path, monkeypatch, where):
    """An interruption while the model's files are written or while the directory is swapped (in one atomic
    step, or in the two-rename fallback at each rename) leaves the previous model loadable."""
    from timegan.model import TimeGAN

    model_dir = copy_of(finished_run, tmp_path) / "model"
    model = TimeGAN.load(model_dir)
    expected = model.generate(4, seed=1)
    model.steps_counter.assign([99, 99, 99])
    replace, names = os.replace, {model_dir.name, _atomic.previous_path(model_dir).name}
    renames = []

    def interrupted_replace(src, dst):
        directory_rename = Path(src).name in names or Path(dst).name in names
        if where == "first file" or (where.startswith("rename") and directory_rename):
            renames.append(dst)
            if where == "first file" or len(renames) == int(where[-1]):
                raise KeyboardInterrupt
        replace(src, dst)

    def interrupted_exchange(a, b):
        raise KeyboardInterrupt

    monkeypatch.setattr(_atomic.os, "replace", interrupted_replace)
    if where == "swap":
        monkeypatch.setattr(_atomic, "_exchange", interrupted_exchange)
    elif where.startswith("rename"):
        monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)
    with pytest.raises(KeyboardInterrupt):
        model.save(model_dir)
    monkeypatch.undo()
    loaded = TimeGAN.load(_atomic.readable_path(model_dir))
    if where == "rename 3":  # the new model was already in place
        assert loaded.steps_done["joint"] == 99
    else:
        assert loaded.steps_done["joint"] == 3
        np.testing.assert_array_equal(loaded.generate(4, seed=1), expected)
    _atomic.remove_stale(model_dir.parent)  # as the next run does
    assert TimeGAN.load(model_dir).steps_done == loaded.steps_done


TRAIN = [
    sys.executable,
    str(ROOT / "scripts" / "train.py"),
    *BA,
    "--seq-len",
    "3",
    "--hidden-dim",
    "4",
    "--num-layers",
    "1",
    "--batch-size",
    "8",
    "--quiet",
]


def test_sigkill_after_the_first_checkpoint_then_resume_finishes(tmp_path, capsys):
    """At most one checkpoint interval of work is lost, and the resumed run ends with a loadable model.

    Only the killed run needs a process of its own; the second writer and the resume run in this
    one (the lock is held by the other process all the same) and spare two TensorFlow imports.
    """
    out = tmp_path / "run"
    process = subprocess.Popen(
        [*TRAIN, "--steps", "100000", "--checkpoint-every", "2", "--output-dir", str(out)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while not _atomic.readable_path(out / "checkpoint").is_dir():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "no checkpoint within 300 s"
            time.sleep(0.2)
        # A second writer, while the first holds the run, is refused in one line.
        assert invoke(["--resume", "--quiet", "--output-dir", str(out)]) == 2
        err = capsys.readouterr().err
        assert f"is in use by another process (pid {process.pid})" in err and err.count("\n") == 1, err
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    from timegan.model import TimeGAN

    at_kill = TimeGAN.load(_atomic.readable_path(out / "checkpoint")).steps_done["embedding"]
    assert at_kill >= 2 and at_kill % 2 == 0  # a checkpoint every 2 steps: at most 2 steps are lost
    assert invoke(["--resume", "--steps", str(at_kill + 2), "2", "2", "--quiet", "--output-dir", str(out)]) == 0, (
        capsys.readouterr().err
    )
    run = load_run(out)
    assert run.model.steps_done == {"embedding": at_kill + 2, "supervised": 2, "joint": 2}
    # The resumed run continues the checkpoint's history: every step once, none repeated or skipped.
    assert run.losses.query("phase == 'embedding'")["step"].tolist() == list(range(1, at_kill + 3))
    assert run.synthetic.shape[1:] == (3, 1) and np.isfinite(run.synthetic).all()
    assert not [p.name for p in out.iterdir() if p.name.endswith((".tmp", ".previous"))]


# ---------------------------------------------------------------- the bounds, on numbers worked by hand


def test_the_memory_bound_of_a_model():
    from timegan.config import TimeGANConfig
    from timegan.run import check_fits_in_memory, training_memory_bytes

    config = TimeGANConfig(seq_len=5, hidden_dim=4, num_layers=1, batch_size=8)
    weights = 4 * 1 * 3 * 4 * (4 + 1)  # four networks, one GRU layer of 3 gates, h * (h + 1) each
    activations = 4 * 1 * 8 * 5 * 3 * 4  # four networks x batch x steps x gates x units
    assert training_memory_bytes(config, 1) == 4 * (4 * weights + activations) == 11520
    check_fits_in_memory(config, 1, available=11520)
    with pytest.raises(
        ValueError, match=r"it needs at least 11.2 KiB .* this machine has 11.2 KiB\. Received: hidden_dim=4"
    ):
        check_fits_in_memory(config, 1, available=11519)


def test_the_bounds_of_n_synthetic(tmp_path):
    from timegan.run import check_n_synthetic

    per_window = 5 * 2  # values
    check_n_synthetic(100, 5, 2, tmp_path, available=2 * 100 * per_window * 20, free_disk=10**12)
    with pytest.raises(ValueError, match=r"Expected n_synthetic <= 100 \(windows of 5 x 2 values that fit in half of "):
        check_n_synthetic(101, 5, 2, tmp_path, available=2 * 100 * per_window * 20, free_disk=10**12)
    with pytest.raises(
        ValueError, match=r"Expected n_synthetic <= 50 \(synthetic.csv would not fit in the 19.5 KiB free"
    ):
        check_n_synthetic(51, 5, 2, tmp_path, available=10**12, free_disk=50 * per_window * 40)
    with pytest.raises(ValueError, match=r"Received: n_synthetic=0"):
        check_n_synthetic(0, 5, 2, tmp_path)


@pytest.mark.parametrize("steps", [-1, (1, 2), "3", (1, -1, 1), True])
def test_train_run_checks_steps_before_writing(tmp_path, steps):
    from timegan import TimeGANConfig, load_prices, train_run

    prices = load_prices(["BA"], start="2019-01-01", end="2019-03-31", source="bundled")
    with pytest.raises(ValueError, match="Expected `steps` as an integer >= 0 or three of them"):
        train_run(tmp_path / "out", prices=prices, config=TimeGANConfig(seq_len=5, batch_size=8), steps=steps)
    assert list(tmp_path.iterdir()) == []


def test_train_run_refuses_prices_it_cannot_scale(tmp_path):
    import pandas as pd

    from timegan import TimeGANConfig, train_run

    index = pd.bdate_range("2020-01-01", periods=30, name="Date")
    columns = pd.MultiIndex.from_tuples([("X", "Adj Close")], names=["ticker", "field"])
    config = TimeGANConfig(seq_len=5, batch_size=8)
    for values, message in (
        ([1.7e308, -1.7e308] * 15, r"range \(max - min\) is a finite float64"),
        ([1.0] * 29 + [np.nan], r"Expected finite prices. Received: nan in column \('X', 'Adj Close'\)"),
    ):
        prices = pd.DataFrame({columns[0]: values}, index=index)
        prices.columns = columns
        with pytest.raises(ValueError, match=message):
            train_run(tmp_path / "out", prices=prices, config=config, steps=1)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [["--lr", "inf"], ["--lr", "nan"], ["--generator-lr", "1e400"], ["--lr", "-1"]])
def test_every_command_refuses_non_finite_rates(argv, capsys):
    """The argument types are shared (timegan.cli._common): `train_images.py --lr inf` is refused too."""
    from timegan.cli.train_images import main as train_images

    with pytest.raises(SystemExit) as exit_:
        train_images(["--dataset", "mnist", *argv])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and f"expected a positive finite number, received '{argv[1]}'" in err
    assert err.count("\n") == 1
