"""Verified SQLite backups through the SQLite backup API (never a file copy), rotation and restore."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

BACKUP_SUFFIX = ".db"
DAMAGED_MARK = "damaged"
_STAMP_FORMAT = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-\d+)?-(?P<reason>[a-z0-9-]+)\.db$")


class BackupError(Exception):
    """A backup could not be written, did not verify, or could not be restored."""


def _integrity_problems(connection: sqlite3.Connection) -> list[str]:
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check") if row[0] != "ok"]
    broken = connection.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        problems.append(f"{len(broken)} broken references between records")
    return problems


def verify_sqlite_backup(path: Path) -> None:
    """Check that a backup file is a whole, healthy Massage Chart database.

    Raises:
        BackupError: the file is not a database, fails ``integrity_check`` or
            ``foreign_key_check``, or holds no Massage Chart schema.
    """
    if not path.is_file():
        raise BackupError(f"the backup {path} does not exist")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup {path} cannot be opened ({exc})") from exc
    try:
        problems = _integrity_problems(connection)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the file {path} is not a readable database ({exc})") from exc
    finally:
        connection.close()
    if problems:
        raise BackupError(
            f"the backup {path} failed its integrity check: {'; '.join(problems[:3])}"
        )
    if "alembic_version" not in tables or "clients" not in tables:
        raise BackupError(f"the file {path} is not a Massage Chart database")


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _copy_with_backup_api(source: sqlite3.Connection, target: Path) -> None:
    """Write ``source`` to ``target`` through a temporary file, verified, renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
        verify_sqlite_backup(partial)
        _fsync_file(partial)
        os.replace(partial, target)
        _fsync_dir(target.parent)
    except sqlite3.Error as exc:
        raise BackupError(f"the copy to {target} failed ({exc})") from exc
    except OSError as exc:
        raise BackupError(f"the copy to {target} could not be written ({exc.strerror})") from exc
    finally:
        partial.unlink(missing_ok=True)


def backup_sqlite(engine: Engine, target: Path) -> Path:
    """Copy the live database behind ``engine`` to ``target`` and verify the copy.

    The copy is made with the SQLite online-backup API on a connection of the engine (so one SQLite
    library touches the file), written to a temporary name, verified, and renamed into place.

    Raises:
        BackupError: the copy failed or did not verify; ``target`` is then left untouched.
    """
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        if not isinstance(source, sqlite3.Connection):
            raise BackupError("only SQLite databases are backed up by the app")
        _copy_with_backup_api(source, target)
    finally:
        raw.close()
    return target


@dataclass(frozen=True)
class BackupInfo:
    """One backup file in the backup folder."""

    path: Path
    taken_at: dt.datetime
    reason: str
    size: int


def backup_name(database_file: Path, reason: str, when: dt.datetime | None = None) -> str:
    """The file name of a backup: ``<db stem>-<YYYYmmdd-HHMMSS>-<reason>.db``."""
    moment = when or dt.datetime.now()
    return f"{database_file.stem}-{moment.strftime(_STAMP_FORMAT)}-{reason}{BACKUP_SUFFIX}"


def list_backups(folder: Path, database_file: Path | None = None) -> list[BackupInfo]:
    """Backups in ``folder`` (of one database, if given), newest first."""
    if not folder.is_dir():
        return []
    found: list[BackupInfo] = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        if database_file is not None and match["stem"] != database_file.stem:
            continue
        taken = dt.datetime.strptime(match["stamp"], _STAMP_FORMAT)
        found.append(BackupInfo(path, taken, match["reason"], path.stat().st_size))
    return sorted(found, key=lambda info: (info.taken_at, info.path.name), reverse=True)


def newest_verified_backup(folder: Path, database_file: Path | None = None) -> BackupInfo | None:
    """The newest backup that passes verification now, or None."""
    for info in list_backups(folder, database_file):
        try:
            verify_sqlite_backup(info.path)
        except BackupError:
            continue
        return info
    return None


def rotate_backups(
    folder: Path, database_file: Path, *, keep_recent: int = 10, keep_daily: int = 30
) -> list[Path]:
    """Delete old automatic backups; keep the newest ``keep_recent`` and one a day for
    ``keep_daily`` days. Manual and pre-upgrade backups are never deleted. Returns what was removed.
    """
    automatic = [
        info for info in list_backups(folder, database_file) if info.reason in ("auto", "on-close")
    ]
    keep: set[Path] = {info.path for info in automatic[:keep_recent]}
    days: set[dt.date] = set()
    for info in automatic:
        day = info.taken_at.date()
        if day not in days and len(days) < keep_daily:
            days.add(day)
            keep.add(info.path)
    removed: list[Path] = []
    for info in automatic:
        if info.path not in keep:
            info.path.unlink(missing_ok=True)
            removed.append(info.path)
    return removed


def set_aside(path: Path, label: str = DAMAGED_MARK) -> Path | None:
    """Rename a database file and its -wal/-shm companions out of the way, never deleting them.

    Returns the new path of the main file, or None if there was nothing to move.
    """
    if not path.exists():
        return None
    stamp = dt.datetime.now().strftime(_STAMP_FORMAT)
    aside = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while aside.exists():
        counter += 1
        aside = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.replace(companion, aside.with_name(aside.name + suffix))
    os.replace(path, aside)
    _fsync_dir(path.parent)
    return aside


def restore_sqlite(backup: Path, target: Path, *, label: str = "replaced") -> Path | None:
    """Put a verified backup in place of ``target``; the old file is set aside, never overwritten.

    Close every connection to ``target`` first. Returns where the old file was set aside.

    Raises:
        BackupError: the backup does not verify (nothing is changed then).
    """
    verify_sqlite_backup(backup)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    staged = target.with_name(target.name + ".restoring")
    try:
        _copy_with_backup_api(source, staged)
    finally:
        source.close()
    try:
        aside = set_aside(target, label)
        os.replace(staged, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise BackupError(f"the restore into {target} failed ({exc.strerror})") from exc
    return aside


def backup_sqlite_file(source: Path, target: Path) -> Path:
    """Back up a database file through a connection of its own (safe from a worker thread).

    Raises:
        BackupError: the copy failed or did not verify; ``target`` is then left untouched.
    """
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        _copy_with_backup_api(connection, target)
    finally:
        connection.close()
    return target


def quick_check_file(path: Path) -> list[str]:
    """Read every page of a database file with ``PRAGMA quick_check`` on a connection of its own;
    returns the problems found (empty when healthy)."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return [row[0] for row in connection.execute("PRAGMA quick_check") if row[0] != "ok"]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        connection.close()
