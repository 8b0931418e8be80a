"""Keeping a database healthy: backups now or when due, a full check of what was stored, and
encrypting it or changing its passphrase (with its backups)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage import audit, encryption, seals
from massage_chart.storage.audit_actions import LOOKING_ACTIONS
from massage_chart.storage.audit_checkpoints import (
    checkpoint_file,
    checkpoint_problems,
    read_checkpoints,
    start_afresh,
    write_checkpoint,
)
from massage_chart.storage.backup import (
    BackupError,
    BackupInfo,
    backup_sqlite,
    backup_sqlite_file,
    list_backups,
    new_backup_path,
    restore_sqlite,
    rotate_backups,
)
from massage_chart.storage.client_records import addendum_matches
from massage_chart.storage.database import (
    Database,
    StorageError,
    WrongPassphraseError,
    open_database,
    wrong_passphrase_message,
)
from massage_chart.storage.encryption import FileKind, Keying
from massage_chart.storage.models import Addendum, AuditEvent, PainMapRecord, ProgressReport, Visit
from massage_chart.storage.progress_reports import report_intact
from massage_chart.storage.signing import SIGNED_BATCH, signed_visits, visit_content_hash

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
    destination = target or new_backup_path(database.backup_dir, database.file, reason)
    if destination.resolve() == database.file.resolve() or destination.name.endswith(
        ("-wal", "-shm", "-journal")
    ):
        raise StorageError(
            "A backup cannot be written over the database itself, nor under a name SQLite "
            "gives a database's journal (…-wal, …-shm, …-journal)."
        )
    try:
        path = backup_sqlite(database.engine, destination, keying=database.keying)
    except BackupError as exc:
        raise StorageError(f"The backup failed: {exc}. The database is unchanged.") from exc
    _clear_backup_failure(database)
    record_backup(database, path)
    if target is None and reason in ("auto", "on-close"):
        rotate_backups(
            database.backup_dir,
            database.file,
            keep_recent=database.keep_recent,
            keep_daily=database.keep_daily,
        )
    return path


BACKUP_FAILURE_NOTE = "LAST-BACKUP-FAILED.txt"


def latest_audit_seq(database: Database) -> int | None:
    """The sequence number of the newest audit event of a change (every change writes one;
    viewing, exporting, printing and backing up do not count), or None when it cannot be read;
    compare two readings to learn whether any record changed in between."""
    try:
        with database.read() as session:
            # Walked back from the newest event (the key's order) to the first change: a
            # maximum over a filter would read the whole log, which grows with every view.
            return session.scalar(
                select(audit.AuditEvent.seq)
                .where(audit.AuditEvent.action.not_in(LOOKING_ACTIONS))
                .order_by(audit.AuditEvent.seq.desc())
                .limit(1)
            )
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
    target = new_backup_path(database.backup_dir, database.file, "auto")
    try:
        backup_sqlite_file(database.file, target, database.keying)
    except BackupError as exc:
        raise StorageError(f"The daily backup failed: {exc}. The database is unchanged.") from exc
    rotate_backups(
        database.backup_dir,
        database.file,
        keep_recent=database.keep_recent,
        keep_daily=database.keep_daily,
    )
    _clear_backup_failure(database)
    return target


def record_backup(database: Database, path: Path) -> None:
    """Write the audit event of a backup, then a checkpoint of the audit log's head beside the
    backups (audit_checkpoints.py)."""
    with database.write() as session:
        audit.record(session, audit.AuditAction.BACKUP, detail=str(path))
    _checkpoint(database)


def _checkpoint(database: Database) -> None:
    if database.file is None or database.backup_dir is None:
        return
    with database.read() as session:
        write_checkpoint(session, database.file, database.backup_dir)


@dataclass
class CheckReport:
    """What ``check`` found; ``ok`` when nothing is wrong."""

    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    # What could not be checked here (not a fault): seals made with another computer's key.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return not self.problems


def check_database(database: Database) -> CheckReport:
    """Check the file's integrity, the audit chain and every signed visit's content hash."""
    report = CheckReport()
    if database.is_sqlite:
        with database.engine.execution_options(sqlite_begin="DEFERRED").connect() as connection:
            rows: list[str] = []
            if database.is_encrypted:
                # Every page's HMAC: damage or tampering that still decrypts to a valid page.
                rows.extend(
                    f"encryption: {row[0]}"
                    for row in connection.exec_driver_sql("PRAGMA cipher_integrity_check")
                )
            rows.extend(row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check"))
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
        if rows != ["ok"]:
            report.problems.extend(f"database structure: {row}" for row in rows[:20])
        if broken:
            report.problems.append(f"{len(broken)} records refer to records that do not exist")
        report.checked.append(
            "database structure ("
            + ("cipher_integrity_check, " if database.is_encrypted else "")
            + "integrity_check, foreign_key_check)"
        )
    with database.read() as session:
        chain = audit.verify_chain(session)
        report.problems.extend(f"audit log event {p.seq}: {p.reason}" for p in chain)
        report.checked.append("audit log hash chain")
        _check_checkpoints(database, session, report)
        signed = _check_signed_visits(session, report)
        report.checked.append(f"{signed} signed visits against their content hashes")
        reports = _check_progress_reports(session, report)
        report.checked.append(f"{reports} signed progress reports against their seals")
        _check_seals(session, report)
        maps = _check_pain_maps(session, report)
        report.checked.append(f"{maps} pain maps of the clients' own against the atlas")
        _check_against_audit(session, report)
    _check_protections(database, report)
    _check_backup_keys(database, report)
    return report


def backups_written_elsewhere(database: Database) -> list[Path]:
    """The backups of this database the app wrote outside its backups folder (``backup -o``,
    Back up to…, an earlier backup folder) that are still where they were written: the audit
    log names every backup taken. Encrypting and re-keying cover them; ``check`` looks at them."""
    if database.file is None:
        return []
    try:
        with database.read() as session:
            details = session.scalars(
                select(AuditEvent.detail).where(AuditEvent.action == audit.AuditAction.BACKUP.value)
            ).all()
    except SQLAlchemyError:
        return []
    folder = database.backup_dir.resolve() if database.backup_dir is not None else None
    itself = database.file.resolve()
    found: list[Path] = []
    for detail in dict.fromkeys(details):
        path = Path(detail)
        try:
            resolved = path.resolve()
            if not path.is_absolute() or not resolved.is_file() or resolved == itself:
                continue
        except (OSError, ValueError):
            continue
        if folder is None or not resolved.is_relative_to(folder):
            found.append(path)
    return found


def _known_backups(database: Database) -> list[tuple[Path, str]]:
    """Every backup of the database the app knows of, with how to name it in a message."""
    known: list[tuple[Path, str]] = []
    if database.backup_dir is not None and database.file is not None:
        known += [
            (info.path, info.path.name) for info in list_backups(database.backup_dir, database.file)
        ]
    known += [(path, f"written to {path}") for path in backups_written_elsewhere(database)]
    return known


def _check_backup_keys(database: Database, report: CheckReport) -> None:
    """For an encrypted database: every backup encrypted, and with the database's own key."""
    if database.keying is None or database.backup_dir is None or database.file is None:
        return
    backups = _known_backups(database)
    in_clear: list[str] = []
    other_key: list[str] = []
    for path, name in backups:  # each file read once: its kind, then (encrypted) whether it opens
        try:
            if encryption.file_kind(path) is FileKind.PLAIN:
                in_clear.append(
                    f"the backup {name} is not encrypted (an encryption was interrupted, or it "
                    "was decrypted since): run massage-chart encrypt again to encrypt it"
                )
                continue
            with encryption.connect(path, database.keying, read_only=True):
                pass
        except encryption.EncryptionError:
            other_key.append(
                f"the backup {name} does not open with this database's passphrase (a change "
                "of passphrase was interrupted, or the backup is damaged): run "
                "massage-chart change-passphrase again"
            )
        except OSError:
            continue
    report.problems.extend(in_clear + other_key)
    report.checked.append(f"{len(backups)} backups encrypted with the database's key")


def _check_checkpoints(database: Database, session: Session, report: CheckReport) -> None:
    """The audit log against the checkpoints of its head taken at each backup."""
    if database.file is None or database.backup_dir is None:
        return
    checkpoints, unreadable = read_checkpoints(database.file, database.backup_dir)
    report.problems.extend(checkpoint_problems(session, checkpoints))
    if unreadable:
        report.problems.append(
            f"{unreadable} audit checkpoints beside the backups cannot be read (the file "
            f"{checkpoint_file(database.file, database.backup_dir).name} was changed)"
        )
    report.checked.append(f"audit log against {len(checkpoints)} checkpoints of its head")


def _check_signed_visits(session: Session, report: CheckReport) -> int:
    """Every signed visit against its content hash; returns how many were checked."""
    count = 0
    for visit in signed_visits(session):
        count += 1
        if visit.content_hash != visit_content_hash(visit):
            report.problems.append(
                f"signed visit {visit.id} of {visit.start:%Y-%m-%d} no longer matches its "
                "signature (changed outside the app)"
            )
    return count


def _check_seals(session: Session, report: CheckReport) -> None:
    """Every signed note, addendum and progress report against its keyed seal (seals.py)."""
    found = seals.survey(session)
    for kind, record_id in found.broken[:50]:
        report.problems.append(
            f"{seals.KIND_WORDS.get(kind, kind)} {record_id}: its seal does not hold (its content "
            "hash was redone, or its seal removed, outside the app)"
        )
    if len(found.broken) > 50:
        report.problems.append(f"... and {len(found.broken) - 50} more records whose seal fails")
    if found.uncheckable:
        report.notes.append(
            f"{found.uncheckable} signed records were sealed with a key this computer does not "
            "hold (the database came from another computer): their seals cannot be checked "
            "here. On that computer run massage-chart seal-key export FILE, and here "
            "massage-chart seal-key import FILE"
        )
    report.checked.append(f"{found.checked} signed records against their seals ({found.where})")


def _check_progress_reports(session: Session, report: CheckReport) -> int:
    """Every signed progress report against its seal over the notes it covers."""
    count = 0
    for stored in session.scalars(select(ProgressReport).order_by(ProgressReport.signed_at)):
        count += 1
        if not report_intact(session, stored):
            report.problems.append(
                f"progress report {stored.id} ({stored.period_from} to {stored.period_to}) no "
                "longer matches its seal: a note it covers, or the report, was changed"
            )
    return count


def _check_pain_maps(session: Session, report: CheckReport) -> int:
    """Every pain map read as the app reads it: a place the atlas does not have, or a symptom
    answer out of range, was written outside the app."""
    from massage_chart.storage.pain_maps import pain_map_entry  # loads with a check, not at start

    count = 0
    rows = session.scalars(
        select(PainMapRecord).order_by(PainMapRecord.taken_on, PainMapRecord.id)
    ).yield_per(SIGNED_BATCH)
    for entry in map(pain_map_entry, rows):  # one query, read in batches
        count += 1
        if entry.unreadable:
            report.problems.append(
                f"pain map {entry.id} ({entry.taken_on}) holds what the app cannot read: "
                + "; ".join(entry.unreadable)
            )
    return count


def _check_against_audit(session: Session, report: CheckReport) -> None:
    """Signed visits and addenda against the audit log that recorded them being written.

    The comparisons are made by the database, which hands back only what disagrees (and the
    addenda are read in batches): the memory stays the same however long the log is.
    """

    def logged(action: audit.AuditAction) -> ColumnElement[bool]:
        return (AuditEvent.action == action.value) & AuditEvent.visit_id.is_not(None)

    signing = select(AuditEvent.visit_id).where(logged(audit.AuditAction.SIGN))
    signings = session.scalar(
        select(func.count(distinct(AuditEvent.visit_id))).where(logged(audit.AuditAction.SIGN))
    )
    still_signed = select(Visit.id).where(
        Visit.id == AuditEvent.visit_id, Visit.status == VisitStatus.SIGNED
    )
    unsigned = session.scalars(
        signing.where(~still_signed.exists()).distinct().order_by(AuditEvent.visit_id)
    )
    for visit_id in unsigned:
        report.problems.append(
            f"visit {visit_id} was signed (audit log) but is no longer signed or no longer there"
        )
    for stored in session.scalars(
        select(Addendum).order_by(Addendum.id).execution_options(yield_per=SIGNED_BATCH)
    ):
        if stored.content_hash is None:
            report.problems.append(
                f"addendum {stored.id} of visit {stored.visit_id} has no seal (its hash was "
                "removed outside the app)"
            )
        elif not addendum_matches(stored):
            report.problems.append(
                f"addendum {stored.id} of visit {stored.visit_id} no longer matches its "
                "seal (changed outside the app)"
            )
    written = (
        select(AuditEvent.visit_id.label("visit_id"), func.count().label("count"))
        .where(logged(audit.AuditAction.ADDENDUM))
        .group_by(AuditEvent.visit_id)
        .subquery()
    )
    kept = (
        select(Addendum.visit_id.label("visit_id"), func.count().label("count"))
        .group_by(Addendum.visit_id)
        .subquery()
    )
    remaining = func.coalesce(kept.c.count, 0)
    missing = session.execute(
        select(written.c.visit_id, written.c.count, remaining)
        .outerjoin(kept, kept.c.visit_id == written.c.visit_id)
        .where(remaining < written.c.count)
        .order_by(written.c.visit_id)
    )
    for visit_id, count, left in missing:
        report.problems.append(
            f"visit {visit_id} had {count} addenda written (audit log) but {left} remain"
        )
    addenda_written = session.scalar(select(func.coalesce(func.sum(written.c.count), 0)))
    report.checked.append(
        f"{signings} signings and {addenda_written} addenda against the audit log"
    )


# Triggers that keep signed notes, addenda, signed progress reports, the audit log, seals and
# what clients reported unchangeable (migrations 0002, 0004, 0005, 0012, 0017, 0018).
SQLITE_PROTECTIONS = (
    "trg_visits_signed_update",
    "trg_visits_signed_delete",
    "trg_visits_signed_replace",
    "trg_addenda_update",
    "trg_addenda_delete",
    "trg_addenda_replace",
    "trg_audit_events_update",
    "trg_audit_events_delete",
    "trg_progress_reports_update",
    "trg_progress_reports_delete",
    "trg_progress_reports_replace",
    "trg_seals_update",
    "trg_seals_delete",
    "trg_seals_replace",
    # What a client reported (migration 0018).
    *(
        f"trg_{table}_{event}"
        for table in ("outcome_records", "pain_maps")
        for event in ("update", "delete")
    ),
    *(
        f"trg_{table}_signed_{event}"
        for table in ("marks", "billing_lines", "visit_overrides")
        for event in ("insert", "update", "delete")
    ),
)
POSTGRES_PROTECTIONS = (
    "trg_visits_signed",
    "trg_marks_signed",
    "trg_billing_lines_signed",
    "trg_visit_overrides_signed",
    "trg_addenda_immutable",
    "trg_audit_events_immutable",
    "trg_audit_events_truncate",
    "trg_progress_reports_immutable",
    # Clinic mode (migrations 0007 and 0008): who may sign, write addenda, and be named in the log.
    "trg_visits_clinic",
    "trg_addenda_clinic_author",
    "trg_audit_events_clinic_actor",
    "trg_progress_reports_clinic_signer",
    # Keyed seals (migration 0017): made by the server as each record is signed, never changed.
    "trg_visits_seal_insert",
    "trg_visits_seal_update",
    "trg_addenda_seal",
    "trg_progress_reports_seal",
    "trg_seals_immutable",
    "trg_seals_truncate",
    *(
        f"trg_{table}_{kind}"
        for table in ("outcome_records", "pain_maps")
        for kind in ("kept", "truncate")
    ),
)


def _check_protections(database: Database, report: CheckReport) -> None:
    """Every protective trigger is still there (someone with a database shell can drop one)."""
    with database.engine.execution_options(sqlite_begin="DEFERRED").connect() as connection:
        if database.is_sqlite:
            found = {
                row[0]
                for row in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'"
                )
            }
            wanted: tuple[str, ...] = SQLITE_PROTECTIONS
        else:
            found = {
                row[0]
                for row in connection.exec_driver_sql(
                    # 'A': fires always, even for a session that set session_replication_role
                    # to replica (an 'O' or 'R' trigger is skipped then, a 'D' one always).
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'A'"
                )
            }
            wanted = POSTGRES_PROTECTIONS
            bypass = connection.exec_driver_sql(
                "SELECT coalesce(r.rolname, 'every role') FROM pg_db_role_setting s "
                "LEFT JOIN pg_roles r ON r.oid = s.setrole "
                "WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database "
                "WHERE datname = current_database())) "
                "AND array_to_string(s.setconfig, ',') ILIKE '%%session_replication_role%%'"
            ).fetchall()
            if bypass:
                report.problems.append(
                    "the server is set to start sessions of "
                    + ", ".join(sorted(str(row[0]) for row in bypass))
                    + " with session_replication_role changed, which skips ordinary triggers "
                    "(ALTER ROLE/DATABASE ... SET session_replication_role): remove that setting"
                )
        connection.rollback()
    missing = [name for name in wanted if name not in found]
    if missing:
        report.problems.append(
            f"{len(missing)} protection(s) of signed notes or the audit log were removed or "
            f"switched off: {', '.join(missing)}"
        )
    report.checked.append(f"{len(wanted)} protections of signed notes and the audit log")


def restore_from_backup(
    file: Path, backup: Path, *, keying: Keying | None = None, label: str = "replaced"
) -> tuple[Database, Path | None]:
    """Put a verified backup in place of a SQLite file, reopen it and audit the restore.

    The current file is set aside (renamed with ``label``), never deleted; a restore is refused
    while a window has the file open. With ``keying`` the restored file opens with that key.

    Returns:
        The reopened database and where the previous file was kept (None if there was none).

    Raises:
        StorageError: nothing was restored (the backup does not verify, the file is in use,
            the folder cannot be written...); the file is as it was.
    """
    from massage_chart.storage.in_use import alone

    try:
        with alone(file):
            aside = restore_sqlite(backup, file, label=label, keying=keying)
    except BackupError as exc:
        raise StorageError(f"Nothing was restored: {exc}.") from exc
    database = open_database(
        str(file), passphrase=None if keying is None else keying.reveal_passphrase()
    )
    # The restored log is older than the checkpoints taken since: they are set aside, not held
    # against it.
    old_checkpoints = (
        start_afresh(file, database.backup_dir) if database.backup_dir is not None else None
    )
    with database.write() as session:
        kept = f"; the previous file was kept as {aside}" if aside else ""
        if old_checkpoints is not None:
            kept += f"; the audit checkpoints before it were kept as {old_checkpoints}"
        audit.record(session, audit.AuditAction.RESTORE, detail=f"from {backup}{kept}")
    _checkpoint(database)
    return database, aside


def restore_and_reopen(database: Database, backup: Path) -> Database:
    """Close an open ``database`` and restore ``backup`` in its place, with the same key.

    Raises:
        StorageError: nothing was restored; the database file is as it was.
    """
    file = database.file
    if file is None:
        raise StorageError("Only SQLite databases are restored by the app.")
    keying = database.keying
    database.dispose()
    reopened, _aside = restore_from_backup(file, backup, keying=keying)
    return reopened


# --------------------------------------------------------------------------- encryption at rest


def record_failed_unlocks(
    database: Database,
    attempts: Sequence[dt.datetime],
    *,
    where: str = "start",
    what: str = "incorrect passphrase or damaged file",
) -> None:
    """Write one ``FAILED_UNLOCK`` audit event per wrong passphrase typed before ``database``
    was opened.

    They are written late, once the file is open, because the log is inside the encrypted file:
    attempts on a file that is never opened cannot be recorded in it.
    """
    if not attempts:
        return
    with database.write() as session:
        for number, moment in enumerate(attempts, start=1):
            audit.record(
                session,
                audit.AuditAction.FAILED_UNLOCK,
                detail=(
                    f"{where}: {what} at "
                    f"{moment:%Y-%m-%d %H:%M:%S}, try {number} of {len(attempts)} before the "
                    "database was opened"
                ),
            )


@dataclass
class EncryptionOutcome:
    """What encrypting a database, or changing its passphrase, did.

    Attributes:
        database: the database reopened with the new key; the one passed in is closed.
        backups_done: backups now encrypted with the new key.
        backups_left: backups that could not be converted, with the reason (kept as they were).
        plaintext_left: other unencrypted copies beside the database (files set aside after
            damage or a restore), never deleted by the app: the user decides.
        old_file_overwritten: whether the old bytes of the database were overwritten before
            being deleted (not possible on drives without hard links, such as FAT).
    """

    database: Database
    backups_done: list[Path] = field(default_factory=list)
    backups_left: list[tuple[Path, str]] = field(default_factory=list)
    plaintext_left: list[Path] = field(default_factory=list)
    old_file_overwritten: bool = False


def _require_file(database: Database) -> Path:
    if database.file is None or not database.is_sqlite:
        raise StorageError(
            "Only a SQLite database file can be encrypted by the app; a PostgreSQL server is "
            "protected by the server's own disk encryption and TLS."
        )
    return database.file


def _opens_with(path: Path, keying: Keying) -> bool:
    try:
        with encryption.connect(path, keying, read_only=True):
            return True
    except (encryption.EncryptionError, OSError):
        return False


def _convert_backups(
    database: Database,
    old: Keying | None,
    new: Keying,
    outcome: EncryptionOutcome,
    *,
    only_plain: bool = False,
    skip_new: bool = False,
) -> None:
    """Rewrite every backup of ``database`` that opens with ``old`` (or is plain) under ``new``;
    the old bytes are overwritten before they are deleted. ``only_plain``: the plain ones only;
    ``skip_new``: leave be, unlisted, those already under ``new`` (finishing a change)."""
    if database.backup_dir is None or database.file is None:
        return
    for path, _name in _known_backups(database):  # the backups folder, and copies elsewhere
        try:
            kind = encryption.file_kind(path)
        except OSError as exc:
            outcome.backups_left.append((path, f"cannot be read ({exc.strerror})"))
            continue
        if only_plain and kind is not FileKind.PLAIN:
            continue
        if skip_new and kind is not FileKind.PLAIN and _opens_with(path, new):
            continue
        source = None if kind is FileKind.PLAIN else old
        if kind is FileKind.NOT_A_DATABASE or (source is None and kind is not FileKind.PLAIN):
            outcome.backups_left.append((path, "not a readable database"))
            continue
        try:
            encryption.rewrite_file(path, source, new, wipe_old=True)
        except encryption.UnlockError:
            outcome.backups_left.append(
                (path, "does not open with the old passphrase (or is damaged)")
            )
        except encryption.EncryptionError as exc:
            outcome.backups_left.append((path, str(exc)))
        else:
            outcome.backups_done.append(path)


def _plaintext_copies(file: Path) -> list[Path]:
    """Unencrypted copies the app set aside beside ``file`` (``<name>.damaged-…`` and the like)."""
    found: list[Path] = []
    for path in sorted(file.parent.glob(f"{file.name}.*")):
        if path.is_file() and not path.name.endswith(("-wal", "-shm", "-journal")):
            try:
                if encryption.file_kind(path) is FileKind.PLAIN:
                    found.append(path)
            except OSError:
                continue
    return found


def _carry_over(database: Database, reopened: Database) -> None:
    """Keep the backup folder and keep counts the settings gave the database before."""
    reopened.backup_dir = database.backup_dir
    reopened.keep_recent = database.keep_recent
    reopened.keep_daily = database.keep_daily


def _rekey_drafts(database: Database, old: str | None, new: str) -> None:
    """Unsaved text kept for this database follows its new key (never left in clear)."""
    from massage_chart.storage.drafts import DraftError, drafts_folder_for, rekey_drafts

    # Drafts are a courtesy copy; the records themselves are re-keyed and verified.
    with contextlib.suppress(DraftError, OSError):
        rekey_drafts(drafts_folder_for(database.display_name), old, new)


def finish_changing_passphrase(database: Database, old: str, new: str) -> EncryptionOutcome:
    """Finish a change of passphrase that was cut short: the database already opens with
    ``new`` (it is re-keyed first, whole), while backups and drafts may still be under ``old``.
    Those are re-keyed now; the ones already under ``new`` are left be.

    Raises:
        StorageError: the database is not encrypted, or does not open with ``new``.
    """
    file = _require_file(database)
    if database.keying is None or not database.check_passphrase(new):
        raise StorageError(f"The database {file} does not open with the new passphrase.")
    outcome = EncryptionOutcome(database)
    _convert_backups(database, Keying(old), database.keying, outcome, skip_new=True)
    _rekey_drafts(database, old, new)
    if not outcome.backups_done and not outcome.backups_left:
        return outcome  # nothing was left under the old passphrase
    with database.write() as session:
        audit.record(
            session,
            audit.AuditAction.CHANGE,
            detail=(
                f"database passphrase change finished after an interruption; "
                f"{len(outcome.backups_done)} backups re-keyed, {len(outcome.backups_left)} left "
                "as they were"
            ),
        )
    return outcome


def encrypt_database(database: Database, passphrase: str) -> EncryptionOutcome:
    """Encrypt a plain SQLite database at rest, and its backups, with ``passphrase``.

    The database is closed, copied into a new SQLCipher file (every table and row checked,
    then the copy checked on its own with the key), and the copy renamed over the original;
    the plaintext is then overwritten and deleted. The app's backups of it are encrypted the
    same way. Copies the app set aside after damage or a restore are listed, not touched.

    Whatever happens, ``database`` is closed; on failure it can be used again as it was.

    Raises:
        StorageError: nothing was encrypted (the database is as it was); the message says why.
    """
    file = _require_file(database)
    if database.is_encrypted:
        raise StorageError(f"The database {file} is already encrypted.")
    try:
        encryption.check_new_passphrase(passphrase)
        keying = Keying(passphrase)
    except encryption.EncryptionError as exc:
        raise StorageError(str(exc)) from exc
    database.dispose()
    try:
        overwritten = encryption.rewrite_file(file, None, keying, wipe_old=True)
    except encryption.EncryptionError as exc:
        raise StorageError(
            f"The database was not encrypted: {exc}. It is unchanged and still open."
        ) from exc
    reopened = open_database(str(file), passphrase=passphrase)
    _carry_over(database, reopened)
    outcome = EncryptionOutcome(reopened, old_file_overwritten=overwritten)
    assert reopened.keying is not None
    _convert_backups(reopened, None, reopened.keying, outcome)
    _rekey_drafts(reopened, None, passphrase)
    outcome.plaintext_left = _plaintext_copies(file)
    with reopened.write() as session:
        audit.record(
            session,
            audit.AuditAction.CHANGE,
            detail=(
                f"database encrypted at rest (SQLCipher); {len(outcome.backups_done)} backups "
                f"encrypted, {len(outcome.backups_left)} left as they were"
            ),
        )
    return outcome


def plain_backups(database: Database) -> list[Path]:
    """Backups of an encrypted database that are still plaintext: an ``encrypt`` that was
    interrupted after the database and before its backups (``finish_encrypting`` ends it)."""
    if not database.is_encrypted or database.backup_dir is None or database.file is None:
        return []
    found: list[Path] = []
    for path, _name in _known_backups(database):
        try:
            if encryption.file_kind(path) is FileKind.PLAIN:
                found.append(path)
        except OSError:
            continue
    return found


def finish_encrypting(database: Database) -> EncryptionOutcome:
    """Encrypt, with the database's own key, the backups an interrupted ``encrypt`` left plain.

    Raises:
        StorageError: the database is not encrypted (encrypt it first).
    """
    _require_file(database)
    if database.keying is None:
        raise StorageError("The database is not encrypted; encrypt it first.")
    outcome = EncryptionOutcome(database, old_file_overwritten=True)
    _convert_backups(database, None, database.keying, outcome, only_plain=True)
    if outcome.backups_done:
        with database.write() as session:
            audit.record(
                session,
                audit.AuditAction.CHANGE,
                detail=f"finished encrypting: {len(outcome.backups_done)} plaintext backups "
                "left by an interrupted encryption were encrypted",
            )
    return outcome


def change_passphrase(database: Database, old: str, new: str) -> EncryptionOutcome:
    """Change the passphrase of an encrypted database, and of its backups.

    The database is rewritten under the new key beside itself and renamed into place (never
    half old, half new), reopened with the new passphrase, and every backup that opens with the
    old one is rewritten under the new one, so that one passphrase opens them all. Backups that
    do not open with the old passphrase are left as they were and listed.

    Raises:
        WrongPassphraseError: ``old`` is not the passphrase (nothing is changed).
        StorageError: nothing was changed; the message says why.
    """
    file = _require_file(database)
    if database.keying is None:
        raise StorageError(f"The database {file} is not encrypted; encrypt it first.")
    if not database.check_passphrase(old):
        raise WrongPassphraseError(wrong_passphrase_message(file))
    if new == old:
        raise StorageError("The new passphrase is the same as the old one.")
    try:
        encryption.check_new_passphrase(new)
        new_keying = Keying(new)
    except encryption.EncryptionError as exc:
        raise StorageError(str(exc)) from exc
    old_keying = database.keying
    database.dispose()
    try:
        overwritten = encryption.rewrite_file(file, old_keying, new_keying, wipe_old=True)
    except encryption.EncryptionError as exc:
        raise StorageError(
            f"The passphrase was not changed: {exc}. The database is unchanged and still open."
        ) from exc
    reopened = open_database(str(file), passphrase=new)
    _carry_over(database, reopened)
    outcome = EncryptionOutcome(reopened, old_file_overwritten=overwritten)
    assert reopened.keying is not None
    _convert_backups(reopened, old_keying, reopened.keying, outcome)
    _rekey_drafts(reopened, old, new)
    with reopened.write() as session:
        audit.record(
            session,
            audit.AuditAction.CHANGE,
            detail=(
                f"database passphrase changed; {len(outcome.backups_done)} backups re-keyed, "
                f"{len(outcome.backups_left)} left as they were"
            ),
        )
    return outcome
