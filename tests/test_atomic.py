"""timegan._atomic: atomic files and directories, recovery after a crash, stale temporaries, the lock."""

import os

import pytest

from timegan import _atomic


def make_dir(path, text):
    path.mkdir()
    (path / "state.txt").write_text(text)
    return path


@pytest.mark.parametrize("exchange", [True, False], ids=["atomic-swap", "two-renames"])
def test_a_directory_is_replaced_whole(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(_atomic, "_exchange", lambda a, b: False)
    target = make_dir(tmp_path / "checkpoint", "old")
    with _atomic.atomic_path(target) as tmp:
        make_dir(tmp, "new")
    assert (target / "state.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]


def test_the_atomic_swap_is_used_where_the_system_has_it(tmp_path):
    a, b = make_dir(tmp_path / "a", "a"), make_dir(tmp_path / "b", "b")
    if not _atomic._exchange(a, b):
        pytest.skip("this kernel or file system cannot swap two directories (the two-rename path is tested)")
    assert (a / "state.txt").read_text() == "b" and (b / "state.txt").read_text() == "a"


def test_a_failure_inside_the_block_leaves_the_old_content(tmp_path):
    target = tmp_path / "prices.csv"
    target.write_text("old")
    with pytest.raises(OSError, match="No space left"), _atomic.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise OSError(28, "No space left on device")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prices.csv"]


def test_an_empty_block_is_an_error_and_changes_nothing(tmp_path):
    with (
        pytest.raises(OSError, match="Nothing was written to the temporary path"),
        _atomic.atomic_path(tmp_path / "x.json"),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_readers_fall_back_to_the_previous_directory_and_the_next_write_restores_it(tmp_path):
    """The state a crash between the two renames leaves: no `checkpoint/`, a complete backup."""
    make_dir(_atomic.previous_path(tmp_path / "checkpoint"), "old")
    assert _atomic.readable_path(tmp_path / "checkpoint") == tmp_path / ".checkpoint.previous"
    _atomic.recover(tmp_path / "checkpoint")
    assert (tmp_path / "checkpoint" / "state.txt").read_text() == "old"
    assert _atomic.readable_path(tmp_path / "checkpoint") == tmp_path / "checkpoint"


def test_recover_drops_the_backup_once_the_new_directory_is_in_place(tmp_path):
    make_dir(tmp_path / "model", "new")
    make_dir(_atomic.previous_path(tmp_path / "model"), "old")
    _atomic.recover(tmp_path / "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert (tmp_path / "model" / "state.txt").read_text() == "new"


def test_remove_stale_removes_only_the_temporaries_it_made(tmp_path):
    for name in (".model.abcd_123.tmp", ".checkpoint.zz99zz99.tmp"):
        make_dir(tmp_path / name, "half")
    (tmp_path / ".losses.csv.q1w2e3r4.tmp").write_text("half")
    mine = [".notes.tmp", "draft.tmp", ".model.too-long-suffix.tmp"]
    for name in mine:
        (tmp_path / name).write_text("the user's")
    removed = _atomic.remove_stale(tmp_path)
    assert removed == [".checkpoint.zz99zz99.tmp", ".losses.csv.q1w2e3r4.tmp", ".model.abcd_123.tmp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(mine)


def test_remove_stale_of_one_name_leaves_the_temporaries_of_similar_names(tmp_path):
    make_dir(tmp_path / ".run.abcdefgh.tmp", "staging of run")
    make_dir(tmp_path / ".run.2.abcdefgh.tmp", "staging of run.2")
    assert _atomic.remove_stale(tmp_path, "run") == [".run.abcdefgh.tmp"]
    assert [p.name for p in tmp_path.iterdir()] == [".run.2.abcdefgh.tmp"]


def test_the_lock_refuses_a_second_holder_and_is_released(tmp_path):
    busy = rf"Run directory '.*run' is in use by another process \(pid {os.getpid()}\)"
    held, second = (
        _atomic.DirectoryLock(tmp_path / "run", "Run directory"),
        _atomic.DirectoryLock(tmp_path / "run", "Run directory"),
    )
    with held, pytest.raises(BlockingIOError, match=busy), second:
        pass
    with _atomic.DirectoryLock(tmp_path / "run"):
        assert (tmp_path / "run" / ".lock").read_text() == f"{os.getpid()}\n"
