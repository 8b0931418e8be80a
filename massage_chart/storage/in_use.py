"""Who has a database file open: the window holds a shared claim, replacing the file needs it alone.

SQLite lets several programs use one file safely, so two windows may share it; but a restore
renames a backup over the file, and a program that still has the old file open would go on
saving into the copy set aside. A restore therefore takes the claim exclusively and is refused,
in plain words, while a window holds it. The claim is an advisory ``flock`` on a small file
beside the database (POSIX; on other systems the check is skipped and says so in its docstring).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; the claim is not enforced there
    fcntl = None  # type: ignore[assignment]

from massage_chart.storage.database import StorageError


class DatabaseInUseError(StorageError):
    """Another window or program has the database open; the file cannot be replaced now."""


def claim_path(database_file: Path) -> Path:
    """The small file whose lock stands for "this database is open"."""
    return database_file.with_name(database_file.name + ".in-use")


class InUse:
    """A shared claim on a database file, held while a window has it open.

    Args:
        database_file: the SQLite file.
    """

    def __init__(self, database_file: Path) -> None:
        self.database_file = database_file
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether the claim is held now."""
        return self._fd is not None

    def share(self) -> None:
        """Hold a shared claim (several windows may); refused while a restore runs.

        Raises:
            DatabaseInUseError: a restore or re-key has the file to itself right now.
        """
        if fcntl is None or self._fd is not None:
            return
        fd = os.open(claim_path(self.database_file), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise DatabaseInUseError(
                f"The database {self.database_file} is being restored or re-keyed by another "
                "program. Try again when it has finished."
            ) from exc
        self._fd = fd

    def release(self) -> None:
        """Let the claim go (before this window restores the file, or when it closes)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


@contextlib.contextmanager
def alone(database_file: Path) -> Iterator[None]:
    """Hold the database file exclusively while it is replaced.

    Raises:
        DatabaseInUseError: a window (or another program) has the database open.
    """
    if fcntl is None or not database_file.parent.is_dir():
        yield
        return
    fd = os.open(claim_path(database_file), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise DatabaseInUseError(
                f"Massage Chart has {database_file} open in a window. Close it first: a "
                "restore must not pull the file from under a program that is saving to it."
            ) from exc
        yield
    finally:
        os.close(fd)
