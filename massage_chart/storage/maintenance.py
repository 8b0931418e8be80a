"""Keeping a database healthy: backups now or when due, and a full check of what was stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from massage_chart.domain.records import VisitStatus
from massage_chart.storage import audit
from massage_chart.storage.backup import (
    BackupError,
    BackupInfo,
    backup_name,
    backup_sqlite,
    backup_sqlite_file,
    list_backups,
    rotate_backups,
)
from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.models import Visit
from massage_chart.storage.signing import visit_content_hash

DAILY = dt.timedelta(hours=24)


def backup_now(database: Database, *, target: Path | None = None, reason: str = "manual") -> Path:
    """Take a verified backup of a SQLite database, to ``target`` or the backup folder.

    Raises:
        StorageError: the database is not SQLite, or the backup failed (nothing else changes).
    """
    if database.file is None or database.backup_dir is None:
        raise StorageError(
            "The app backs up SQLite databases only; back up a PostgreSQL server with the "
            "server's own tools (pg_dump or continuous archiving)."
        )
    destination = target or database.backup_dir / backup_name(database.file, reason)
    if destination.resolve() == database.file.resolve():
        raise StorageError("A backup cannot be written over the database itself.")
    try:
        path = backup_sqlite(database.engine, destination)
    except BackupError as exc:
        raise StorageError(f"The backup failed: {exc}. The database is unchanged.") from exc
    _clear_backup_failure(database)
    with database.write() as session:
        audit.record(session, audit.AuditAction.BACKUP, detail=str(path))
    if target is None and reason in ("auto", "on-close"):
        rotate_backups(database.backup_dir, database.file)
    return path


BACKUP_FAILURE_NOTE = "LAST-BACKUP-FAILED.txt"


def latest_audit_seq(database: Database) -> int | None:
    """The sequence number of the newest audit event (every change writes one), or None when
    it cannot be read; compare two readings to learn whether anything changed in between."""
    try:
        with database.read() as session:
            return session.scalar(select(func.max(audit.AuditEvent.seq)))
    except SQLAlchemyError:
        return None


def remember_backup_failure(database: Database, message: str) -> None:
    """Keep the reason a backup failed beside the backups, to be shown at the next start."""
    if database.backup_dir is None:
        return
    try:
        database.backup_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%d %b %Y %H:%M")
        (database.backup_dir / BACKUP_FAILURE_NOTE).write_text(
            f"The backup at {stamp} failed: {message}", encoding="utf-8"
        )
    except OSError:
        pass  # the folder itself is unwritable: the next backup attempt will say so


def last_backup_failure(database: Database) -> str | None:
    """The reason the last backup failed, if no backup has succeeded since."""
    if database.backup_dir is None:
        return None
    try:
        return (database.backup_dir / BACKUP_FAILURE_NOTE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _clear_backup_failure(database: Database) -> None:
    if database.backup_dir is not None:
        (database.backup_dir / BACKUP_FAILURE_NOTE).unlink(missing_ok=True)


def backup_due(database: Database, *, max_age: dt.timedelta = DAILY) -> bool:
    """Whether the daily automatic backup of a SQLite database is due."""
    if database.file is None or database.backup_dir is None:
        return False
    newest: BackupInfo | None = next(iter(list_backups(database.backup_dir, database.file)), None)
    return newest is None or dt.datetime.now() - newest.taken_at >= max_age


def backup_if_due(database: Database, *, max_age: dt.timedelta = DAILY) -> Path | None:
    """Take the daily automatic backup if the newest backup is older than ``max_age``."""
    if not backup_due(database, max_age=max_age):
        return None
    return backup_now(database, reason="auto")


def background_backup(database: Database) -> Path:
    """The daily backup as a worker thread takes it: its own connection, verified, rotated.

    The caller records the audit event from its own thread (``record_backup``).

    Raises:
        StorageError: the backup failed.
    """
    if database.file is None or database.backup_dir is None:
        raise StorageError("Only SQLite databases are backed up by the app.")
    target = database.backup_dir / backup_name(database.file, "auto")
    try:
        backup_sqlite_file(database.file, target)
    except BackupError as exc:
        raise StorageError(f"The daily backup failed: {exc}. The database is unchanged.") from exc
    rotate_backups(database.backup_dir, database.file)
    _clear_backup_failure(database)
    return target


def record_backup(database: Database, path: Path) -> None:
    """Write the audit event of a backup taken elsewhere."""
    with database.write() as session:
        audit.record(session, audit.AuditAction.BACKUP, detail=str(path))


@dataclass
class CheckReport:
    """What ``check`` found; ``ok`` when nothing is wrong."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return not self.problems


def check_database(database: Database) -> CheckReport:
    """Check the file's integrity, the audit chain and every signed visit's content hash."""
    report = CheckReport()
    if database.is_sqlite:
        with database.engine.execution_options(sqlite_begin="DEFERRED").connect() as connection:
            rows = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
        if rows != ["ok"]:
            report.problems.extend(f"database structure: {row}" for row in rows[:20])
        if broken:
            report.problems.append(f"{len(broken)} records refer to records that do not exist")
        report.checked.append("database structure (integrity_check, foreign_key_check)")
    with database.read() as session:
        chain = audit.verify_chain(session)
        report.problems.extend(f"audit log event {p.seq}: {p.reason}" for p in chain)
        report.checked.append("audit log hash chain")
        signed = 0
        query = select(Visit).where(Visit.status == VisitStatus.SIGNED).order_by(Visit.start)
        for visit in session.scalars(query):
            signed += 1
            if visit.content_hash != visit_content_hash(visit):
                report.problems.append(
                    f"signed visit {visit.id} of {visit.start:%Y-%m-%d} no longer matches its "
                    "signature (changed outside the app)"
                )
        report.checked.append(f"{signed} signed visits against their content hashes")
    return report
