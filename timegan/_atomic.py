"""Atomic file and directory writes: a crash never leaves half a file or half a run.

Every writer goes through `atomic_path`: the new content is written to a hidden temporary
path beside the target (`.<name>.<random>.tmp`) and only then put in place.

- A file is put in place by one `os.replace`, which is atomic.
- A directory that already exists is swapped with the new one in one atomic step where the
  system can (Linux `renameat2(RENAME_EXCHANGE)`), so at every instant `path` is either the old
  complete directory or the new one. Elsewhere it takes two renames, with the old directory
  kept as `.<name>.previous` until the new one is in place: a crash between them leaves
  `path` missing and the backup complete. Readers ask `readable_path(path)`, which falls back
  to the backup, and the next write (or `recover`) renames it back.

A full disk or any error inside the block removes the temporary and leaves `path` as it was.
`remove_stale` deletes the temporaries a killed process left behind; `DirectoryLock` keeps two
processes from writing one directory.
"""

import contextlib
import ctypes
import errno
import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_NAME = ".lock"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def previous_path(path):
    """The backup name of a directory while it is being replaced: `.<name>.previous` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.previous"


def readable_path(path):
    """`path`, or its complete previous version if a crash happened between two renames.

    Readers (loaders of runs, models and checkpoints) call this so that a crash at any instant
    of a directory replacement leaves something to read. Never writes.
    """
    path = Path(path)
    backup = previous_path(path)
    if not path.exists() and backup.is_dir():
        return backup
    return path


def recover(path):
    """Finishes or undoes a directory replacement that a crash interrupted.

    If `path` is missing and its backup exists, the backup is renamed back; if both exist the
    new directory was already in place and the backup is removed.
    """
    path = Path(path)
    backup = previous_path(path)
    if not backup.is_dir():
        return
    if path.exists():
        _remove_tree(backup)
    else:
        os.replace(backup, path)
        logger.info("Restored %s from the copy kept while it was being replaced.", path)


def remove_stale(directory, name=None):
    """Removes the temporaries that a killed writer left in `directory`.

    Temporaries are the hidden `.<name>.<8 random characters>.tmp` entries made by
    `atomic_path`; interrupted directory replacements (`.<name>.previous`) are first finished
    by `recover`. Call it only while no other process writes there (hold a `DirectoryLock`).

    Args:
        directory: folder to clean.
        name: clean only the temporaries of this entry; default every entry's.

    Returns:
        The names removed, sorted.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    entry = re.escape(name) if name is not None else ".+"
    backup_pattern = re.compile(rf"\.({entry})\.previous")
    tmp_pattern = re.compile(rf"\.{entry}\.[a-z0-9_]{{8}}\.tmp")
    for child in list(directory.iterdir()):
        match = backup_pattern.fullmatch(child.name)
        if match:
            recover(directory / match.group(1))
    removed = []
    for child in directory.iterdir():
        if tmp_pattern.fullmatch(child.name):
            if child.is_dir() and not child.is_symlink():
                _remove_tree(child)
            else:
                child.unlink(missing_ok=True)
            removed.append(child.name)
    if removed:
        logger.info("Removed %d temporary file(s) left by an interrupted writer in %s.", len(removed), directory)
    return sorted(removed)


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; puts it in place of `path` only if the block succeeds.

    Works for files and directories. An existing directory at `path` is replaced as described
    in the module docstring: there is no instant at which a reader finds neither the old nor
    the new complete content.

    Args:
        path: final file or directory path.

    Yields:
        `pathlib.Path` to write to (does not exist yet).

    Raises:
        OSError: if nothing was written to the temporary path, or the write failed (for
            instance a full disk); `path` is then unchanged.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    recover(path)
    tmp_root = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp = tmp_root / path.name
    try:
        yield tmp
        if not tmp.exists():
            raise OSError(f"Nothing was written to the temporary path for {str(path)!r}.")
        if path.is_dir() and not path.is_symlink():
            _replace_directory(tmp, path, tmp_root / (path.name + ".old"))
        else:
            os.replace(tmp, path)
    finally:
        _remove_tree(tmp_root)


def _replace_directory(new, path, trash):
    """Puts directory `new` at `path` (an existing directory); the old one ends up at `trash`."""
    if _exchange(new, path):
        return  # `new` now names the old directory, removed with the temporary folder
    backup = previous_path(path)
    os.replace(path, backup)
    os.replace(new, path)
    os.replace(backup, trash)


def _exchange(a, b):
    """Swaps two paths in one atomic step (Linux >= 3.15); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV):
        return False  # this file system or kernel cannot swap: the two-rename path is used
    raise OSError(code, os.strerror(code), str(b))


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _remove_tree(path):
    shutil.rmtree(path, ignore_errors=True)


def write_text(path, text):
    """Writes `text` to `path` atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path, obj):
    """Writes `obj` as indented JSON to `path` atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def save_figure(figure, path, **kwargs):
    """Saves a matplotlib Figure to `path` atomically; the format follows the suffix."""
    path = Path(path)
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format=path.suffix.lstrip(".") or "png", **kwargs)


class DirectoryLock:
    """An exclusive lock on a directory, held by one process at a time (a context manager).

    The lock is `fcntl.flock` on `<directory>/.lock`, which holds the owner's process id; the
    system releases it when the process ends, even by SIGKILL, so a crash never leaves a
    directory locked. The file itself stays (removing it would race with the next owner).
    On systems without `fcntl` no lock is taken.

    Args:
        directory: the directory to lock; created if missing.
        what: how the directory is named in the error message.

    Raises:
        BlockingIOError: (on enter) if another process holds the lock, naming its process id.
    """

    def __init__(self, directory, what="Directory"):
        self.directory = Path(directory)
        self.what = what
        self._fd = None

    def __enter__(self):
        try:
            import fcntl
        except ImportError:  # not POSIX: no advisory locks
            return self
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BlockingIOError(
                f"{self.what} {str(self.directory)!r} is in use by another process (pid {owner}); "
                "wait for it to finish or choose another directory"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd
        return self

    def __exit__(self, *exc_info):
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
        return False
