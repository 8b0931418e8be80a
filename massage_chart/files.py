"""Files written whole or not at all, and made durable: the one way the program replaces a file.

A crash, a kill or a full disk at any moment leaves the file as it was or as it is meant to be,
never cut short: the bytes go to a temporary file beside the target, are flushed to the disk, and
the temporary file is renamed over the target; the rename is then flushed too. The temporary
file is created readable by its owner only (the program's files hold health information).
Pure Python; every layer may use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    """Flush a file's bytes to the disk."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def replace_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, and durably.

    The temporary file has a name of its own (two writers never share one) and is removed when
    the write fails. A new file is readable by its owner only; a replaced one too.

    Raises:
        OSError: the folder or the temporary file could not be written (a full disk, a read-only
            folder, a missing folder); ``path`` is untouched.
    """
    folder = path.parent
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_folder(folder)
