"""Write a file whole or not at all: a temporary file beside it, fsync, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class ExportError(Exception):
    """An export could not be written; the message is fit for the user."""


def check_folder(folder: Path) -> None:
    """Raise ExportError unless ``folder`` exists, is a folder and can be written to."""
    if not folder.exists():
        raise ExportError(f"The folder {folder} does not exist.")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"The folder {folder} cannot be written to (permission denied).")


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``: the target is either absent/unchanged or complete, never cut.

    Raises:
        ExportError: the folder is missing or read-only, the disk is full, or the target is a
            folder.
    """
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    check_folder(folder)
    if path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name.")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot write in {folder}: {exc.strerror}.") from exc
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise ExportError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    _fsync_folder(folder)
    return path
