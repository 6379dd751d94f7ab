"""Atomic file and directory writes: a crash never leaves half a file or half a run."""

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yields a temporary path beside `path`; renames it onto `path` only if the block succeeds.

    Works for files and directories. An existing directory at `path` is replaced.

    Args:
        path: final file or directory path.

    Yields:
        `pathlib.Path` to write to (does not exist yet).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp_root = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    tmp = tmp_root / path.name
    try:
        yield tmp
        if not tmp.exists():
            raise OSError(f"Nothing was written to the temporary path for {str(path)!r}.")
        if path.is_dir() and not path.is_symlink():
            old = tmp_root / (path.name + ".old")
            os.replace(path, old)
            os.replace(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


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
