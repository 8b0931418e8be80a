"""Verified SQLite backups through the SQLite backup API (never a file copy), rotation and restore.

A backup of an encrypted database is encrypted with the same key (``keying``): it is written,
verified and restored only through SQLCipher, never through the standard ``sqlite3``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from massage_chart.files import fsync_file, fsync_folder
from massage_chart.storage import encryption
from massage_chart.storage.encryption import FileKind, Keying

BACKUP_SUFFIX = ".db"
_PARTIAL = ".partial"
# A backup's ``.partial`` untouched this long was left by a backup that was killed.
STALE_PARTIAL = dt.timedelta(minutes=10)
DAMAGED_MARK = "damaged"
_STAMP_FORMAT = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-\d+)?-(?P<reason>[a-z0-9-]+)\.db$")


class BackupError(Exception):
    """A backup could not be written, did not verify, or could not be restored."""


def _driver_errors() -> tuple[type[BaseException], ...]:
    """The DB-API error classes of both SQLite libraries (sqlcipher3's only once it is loaded)."""
    import sys

    errors: list[type[BaseException]] = [sqlite3.Error, encryption.EncryptionError]
    cipher = sys.modules.get("sqlcipher3.dbapi2")
    if cipher is not None:
        errors.append(cipher.Error)
    return tuple(errors)


def _keying_for(path: Path, keying: Keying | None) -> Keying | None:
    """The keying to read ``path`` with: none for a plain file (an old plain backup of a
    database encrypted since), ``keying`` otherwise."""
    try:
        kind = encryption.file_kind(path)
    except OSError:
        return keying
    return None if kind is FileKind.PLAIN else keying


def verify_sqlite_backup(path: Path, keying: Keying | None = None) -> None:
    """Check that a backup file is a whole, healthy Massage Chart database.

    An encrypted backup is opened with ``keying`` and also passes ``cipher_integrity_check``
    (every page's HMAC); a plain one is read with the standard ``sqlite3``.

    Raises:
        BackupError: the file is not a database (or does not open with the key), fails
            ``integrity_check`` or ``foreign_key_check``, or holds no Massage Chart schema.
    """
    if not path.is_file():
        raise BackupError(f"the backup {path} does not exist")
    use = _keying_for(path, keying)
    if use is None and encryption.is_encrypted_file(path):
        raise BackupError(
            f"the backup {path} is encrypted (or damaged): its passphrase is needed to check it"
        )
    try:
        with encryption.connect(path, use, read_only=True) as connection:
            problems = encryption.integrity_problems(connection, encrypted=use is not None)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except encryption.UnlockError as exc:
        raise BackupError(
            f"the backup {path} does not open with this passphrase, or it is damaged"
        ) from exc
    except _driver_errors() as exc:
        raise BackupError(f"the file {path} is not a readable database ({exc})") from exc
    if problems:
        raise BackupError(
            f"the backup {path} failed its integrity check: {'; '.join(problems[:3])}"
        )
    if "alembic_version" not in tables or "clients" not in tables:
        raise BackupError(f"the file {path} is not a Massage Chart database")


def _copy_with_backup_api(
    source: Any, target: Path, keying: Keying | None = None, *, export: bool = False
) -> None:
    """Write ``source`` to ``target`` through a temporary file, verified, renamed into place.

    ``source`` is a connection of the library that matches ``keying`` (the standard ``sqlite3``
    without, SQLCipher with). With ``export`` it is a SQLCipher connection to a plain file
    whose database is exported into an encrypted copy (SQLite's backup API cannot change
    encryption).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if export:
            encryption.export_copy(source, partial, keying)
        else:
            with encryption.connect(partial, keying, check=False) as destination:
                source.backup(destination)
                destination.execute("PRAGMA journal_mode=DELETE")
        verify_sqlite_backup(partial, keying)
        fsync_file(partial)
        os.replace(partial, target)
        fsync_folder(target.parent)
    except OSError as exc:
        raise BackupError(f"the copy to {target} could not be written ({exc.strerror})") from exc
    except _driver_errors() as exc:
        raise BackupError(f"the copy to {target} failed ({exc})") from exc
    finally:
        partial.unlink(missing_ok=True)


def backup_sqlite(engine: Engine, target: Path, *, keying: Keying | None = None) -> Path:
    """Copy the live database behind ``engine`` to ``target`` and verify the copy.

    The copy is made with the SQLite online-backup API on a connection of the engine (so one SQLite
    library touches the file), written to a temporary name, verified, and renamed into place.
    With ``keying`` (an encrypted database) the copy is encrypted with the same key.

    Raises:
        BackupError: the copy failed or did not verify; ``target`` is then left untouched.
    """
    try:
        raw = engine.raw_connection()
    except (SQLAlchemyError, encryption.EncryptionError) as exc:
        raise BackupError(f"the database could not be read ({exc})") from exc
    try:
        source = raw.driver_connection
        if keying is None and not isinstance(source, sqlite3.Connection):
            raise BackupError("only SQLite databases are backed up by the app")
        if keying is not None and engine.dialect.name != "sqlite":
            raise BackupError("only SQLite databases are backed up by the app")
        _copy_with_backup_api(source, target, keying)
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


def new_backup_path(
    folder: Path, database_file: Path, reason: str, when: dt.datetime | None = None
) -> Path:
    """A path for a new backup that names no existing file: a second backup in the same second
    gets ``-2`` (then ``-3``...) after the time, instead of replacing the first."""
    moment = when or dt.datetime.now()
    path = folder / backup_name(database_file, reason, moment)
    number = 2
    while path.exists() or path.with_name(path.name + ".partial").exists():
        stamp = moment.strftime(_STAMP_FORMAT)
        path = folder / f"{database_file.stem}-{stamp}-{number}-{reason}{BACKUP_SUFFIX}"
        number += 1
    return path


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


def newest_verified_backup(
    folder: Path, database_file: Path | None = None, keying: Keying | None = None
) -> BackupInfo | None:
    """The newest backup that passes verification now (with ``keying`` for encrypted ones),
    or None."""
    for info in list_backups(folder, database_file):
        try:
            verify_sqlite_backup(info.path, keying)
        except BackupError:
            continue
        return info
    return None


def rotate_backups(
    folder: Path, database_file: Path, *, keep_recent: int = 10, keep_daily: int = 30
) -> list[Path]:
    """Delete old automatic backups; keep the newest ``keep_recent`` and one a day for
    ``keep_daily`` days. Manual and pre-upgrade backups are never deleted. Returns what was removed.

    A ``.partial`` file of this database's backups left by a backup that was killed (untouched for
    ``STALE_PARTIAL`` or longer; one being written is touched all the time) is removed too: it
    may hold plaintext that no list of backups would ever show.
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
    removed.extend(remove_stale_partials(folder, database_file))
    return removed


def remove_stale_partials(folder: Path, database_file: Path) -> list[Path]:
    """Remove the ``.partial`` files of killed backups of ``database_file`` in ``folder``."""
    if not folder.is_dir():
        return []
    oldest = dt.datetime.now().timestamp() - STALE_PARTIAL.total_seconds()
    removed: list[Path] = []
    for path in folder.iterdir():
        if not path.name.endswith(_PARTIAL):
            continue
        match = _NAME.match(path.name[: -len(_PARTIAL)])
        if match is None or match["stem"] != database_file.stem:
            continue
        try:
            if path.stat().st_mtime > oldest:
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
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
    fsync_folder(path.parent)
    return aside


def restore_sqlite(
    backup: Path, target: Path, *, label: str = "replaced", keying: Keying | None = None
) -> Path | None:
    """Put a verified backup in place of ``target``; the old file is set aside, never overwritten.

    Close every connection to ``target`` first. Returns where the old file was set aside.
    With ``keying`` (an encrypted database) the restored file is encrypted with it: an
    encrypted backup is checked and copied with the key, a plain one (taken before the
    database was encrypted) is encrypted on the way.

    Raises:
        BackupError: the backup does not verify (nothing is changed then).
    """
    verify_sqlite_backup(backup, keying)
    source_keying = _keying_for(backup, keying)
    export = keying is not None and source_keying is None
    staged = target.with_name(target.name + ".restoring")
    driver = encryption.Driver.SQLCIPHER3 if keying is not None else None
    try:
        with encryption.connect(
            backup, source_keying, read_only=not export, driver=driver
        ) as source:
            _copy_with_backup_api(source, staged, keying, export=export)
    except encryption.EncryptionError as exc:
        raise BackupError(f"the backup {backup} could not be read ({exc})") from exc
    try:
        aside = set_aside(target, label)
        os.replace(staged, target)
        fsync_folder(target.parent)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        raise BackupError(f"the restore into {target} failed ({exc.strerror})") from exc
    return aside


def backup_sqlite_file(source: Path, target: Path, keying: Keying | None = None) -> Path:
    """Back up a database file through a connection of its own (safe from a worker thread).

    With ``keying`` the file is read through SQLCipher and the copy encrypted with the same key.

    Raises:
        BackupError: the copy failed or did not verify; ``target`` is then left untouched.
    """
    try:
        with encryption.connect(source, keying, read_only=True) as connection:
            _copy_with_backup_api(connection, target, keying)
    except encryption.EncryptionError as exc:
        raise BackupError(str(exc)) from exc
    except _driver_errors() as exc:
        raise BackupError(f"the database {source} could not be read ({exc})") from exc
    return target


def quick_check_file(path: Path, keying: Keying | None = None) -> list[str]:
    """Read every page of a database file with ``PRAGMA quick_check`` on a connection of its own
    (and, encrypted, check every page's HMAC); returns the problems found (empty when healthy)."""
    try:
        with encryption.connect(path, keying, read_only=True) as connection:
            problems: list[str] = []
            if keying is not None:
                problems.extend(
                    str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check")
                )
            problems.extend(
                str(row[0]) for row in connection.execute("PRAGMA quick_check") if row[0] != "ok"
            )
            return problems
    except _driver_errors() as exc:
        return [str(exc)]


@dataclass(frozen=True)
class SinceBackup:
    """What a database holds that a backup of it does not (None where it cannot be read).

    Attributes:
        changes: audit events written after the backup's newest one (every save writes one).
        clients: clients in the database that are not in the backup.
    """

    changes: int | None
    clients: int | None

    def sentence(self, taken_at: dt.datetime) -> str:
        """What going back to the backup would lose, in the therapist's words."""
        when = f"{taken_at:%d %b %Y %H:%M}"
        if self.changes is None and self.clients is None:
            return (
                f"How much was entered after {when} cannot be read from the current file: "
                "anything entered since would not be in the records you see."
            )
        parts: list[str] = []
        if self.changes is not None:
            parts.append(f"{self.changes} saved change{'' if self.changes == 1 else 's'}")
        if self.clients is not None:
            parts.append(f"{self.clients} client{'' if self.clients == 1 else 's'}")
        if self.changes == 0 and not self.clients:
            return f"Nothing was saved after {when}: the backup holds every record."
        return (
            f"{' and '.join(parts)} entered after {when} would not be in the records you see "
            "(they stay in the file kept aside)."
        )


def _newest_seq_and_clients(path: Path, keying: Keying | None) -> tuple[int | None, set[str]]:
    with encryption.connect(path, _keying_for(path, keying), read_only=True) as connection:
        seq = connection.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
        clients = {str(row[0]) for row in connection.execute("SELECT id FROM clients")}
    return (int(seq) if seq is not None else None), clients


def since_backup(file: Path, backup: Path, keying: Keying | None = None) -> SinceBackup:
    """Count what ``file`` holds that ``backup`` lacks: changes (audit events after the backup's
    newest) and clients; each None when that file cannot be read (damaged, wrong key).
    Nothing is written."""
    try:
        backup_seq, backup_clients = _newest_seq_and_clients(backup, keying)
    except _driver_errors():
        return SinceBackup(None, None)
    try:
        with encryption.connect(file, _keying_for(file, keying), read_only=True) as connection:
            changes = connection.execute(
                "SELECT count(*) FROM audit_events WHERE seq > ?", (backup_seq or 0,)
            ).fetchone()[0]
    except _driver_errors():
        changes = None
    try:
        _seq, clients = _newest_seq_and_clients(file, keying)
    except _driver_errors():
        return SinceBackup(changes, None)
    return SinceBackup(changes, len(clients - backup_clients))
