"""Backups: taken with the backup API while writing, verified, rotated, restored without overwrite."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from massage_chart.storage import signing
from massage_chart.storage.backup import (
    BackupError,
    backup_name,
    list_backups,
    newest_verified_backup,
    restore_sqlite,
    rotate_backups,
    verify_sqlite_backup,
)
from massage_chart.storage.database import Database, StorageError, open_database
from massage_chart.storage.repositories import add_client, search_clients
from massage_chart.storage.safekeeping import backup_if_due, backup_now, check_database


def _count(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        return int(connection.execute("SELECT count(*) FROM clients").fetchone()[0])
    finally:
        connection.close()


def test_backup_is_verified_and_holds_the_data(db: Database) -> None:
    with db.write() as session:
        add_client(session, first_name="Zoë", last_name="Nguyễn")
    path = backup_now(db)
    assert path.parent == db.backup_dir
    verify_sqlite_backup(path)
    assert _count(path) == 1
    assert [b.reason for b in list_backups(path.parent)] == ["manual"]


def test_backup_while_another_thread_keeps_saving(db: Database) -> None:
    stop = threading.Event()
    errors: list[Exception] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            try:
                with db.write() as session:
                    add_client(session, first_name=f"Writer {n}", last_name="Busy")
                n += 1
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return

    folder = db.backup_dir
    assert folder is not None
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        paths = [backup_now(db, target=folder / f"during-{i}.db") for i in range(3)]
    finally:
        stop.set()
        thread.join()
    assert errors == []
    for path in paths:
        verify_sqlite_backup(path)
    assert _count(paths[-1]) >= _count(paths[0])


def test_backup_refuses_to_overwrite_the_database(db: Database, db_path: Path) -> None:
    with pytest.raises(StorageError, match="over the database itself"):
        backup_now(db, target=db_path)


def test_backups_of_server_databases_are_left_to_the_server(pg_db: Database) -> None:
    with pytest.raises(StorageError, match="pg_dump"):
        backup_now(pg_db)


def test_daily_backup_only_when_due(db: Database) -> None:
    first = backup_if_due(db)
    assert first is not None
    assert backup_if_due(db) is None  # one already taken today
    assert backup_if_due(db, max_age=dt.timedelta(0)) is not None


def test_rotation_keeps_recent_and_daily_and_never_manual(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    database = tmp_path / "practice.db"
    start = dt.datetime(2026, 1, 1, 9, 0)
    for day in range(40):
        for hour in (9, 17):
            when = start + dt.timedelta(days=day, hours=hour - 9)
            (folder / backup_name(database, "on-close", when)).write_bytes(b"x")
    (folder / backup_name(database, "manual", start)).write_bytes(b"x")
    removed = rotate_backups(folder, database, keep_recent=10, keep_daily=30)
    kept = list_backups(folder, database)
    assert any(b.reason == "manual" for b in kept)
    automatic = [b for b in kept if b.reason == "on-close"]
    assert len({b.taken_at.date() for b in automatic}) == 30
    assert len(automatic) == 10 + 25  # 10 newest (5 days x 2) + one for each of 25 older days
    assert len(removed) == 80 - len(automatic)


def test_verify_rejects_damaged_and_foreign_files(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database\n" * 100)
    with pytest.raises(BackupError, match="not a readable database"):
        verify_sqlite_backup(text_file)
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    with pytest.raises(BackupError, match="not a Massage Chart database"):
        verify_sqlite_backup(other)
    with pytest.raises(BackupError, match="does not exist"):
        verify_sqlite_backup(tmp_path / "missing.db")


def test_restore_sets_the_damaged_file_aside_and_never_overwrites_it(
    db: Database, db_path: Path
) -> None:
    with db.write() as session:
        add_client(session, first_name="Łukasz", last_name="Wróbel")
    backup = backup_now(db)
    db.dispose()
    damaged_bytes = b"\x00" * 4096 + b"damage"
    db_path.write_bytes(damaged_bytes)
    assert newest_verified_backup(backup.parent, db_path) is not None

    aside = restore_sqlite(backup, db_path, label="damaged")
    assert aside is not None
    assert aside.read_bytes() == damaged_bytes
    assert ".damaged-" in aside.name
    reopened = open_database(str(db_path))
    with reopened.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Wróbel, Łukasz"]
    reopened.dispose()


def test_a_bad_backup_is_never_restored(db: Database, db_path: Path, tmp_path: Path) -> None:
    with db.write() as session:
        add_client(session, first_name="Keep", last_name="Me")
    db.dispose()
    before = db_path.read_bytes()
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"%PDF-1.4 not a backup")
    with pytest.raises(BackupError):
        restore_sqlite(bad, db_path)
    assert db_path.read_bytes() == before


def test_check_finds_a_signed_note_changed_behind_the_apps_back(db: Database) -> None:
    from tests.storage.test_repositories import _signed_visit

    visit_id = _signed_visit(db)
    assert check_database(db).ok
    with db.engine.begin() as connection:  # bypass the triggers as an attacker with the file would
        connection.exec_driver_sql("DROP TRIGGER trg_visits_signed_update")
        connection.execute(
            text("UPDATE visits SET subjective = 'tampered' WHERE id = :id"), {"id": visit_id}
        )
    report = check_database(db)
    assert not report.ok
    assert any("no longer matches its signature" in p for p in report.problems)


def test_check_reads_signed_notes_in_batches_and_misses_none(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.storage.test_repositories import _signed_visit

    visits = [_signed_visit(db) for _ in range(5)]
    monkeypatch.setattr(signing, "SIGNED_BATCH", 2)  # the walk over signed notes check uses
    report = check_database(db)
    assert report.ok
    assert "5 signed visits against their content hashes" in report.checked
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER trg_marks_signed_update")
        connection.execute(text("UPDATE marks SET intensity = 1 WHERE visit_id = :id"),
                           {"id": visits[4]})  # fmt: skip
    problems = check_database(db).problems
    assert [p for p in problems if "no longer matches" in p] == [
        f"signed visit {visits[4]} of 2026-11-02 no longer matches its signature (changed "
        "outside the app)"
    ]


def test_two_backups_in_the_same_second_are_both_kept(tmp_path: Path) -> None:
    from massage_chart.storage.backup import list_backups, new_backup_path

    file = tmp_path / "practice.db"
    folder = tmp_path / "backups"
    folder.mkdir()
    moment = dt.datetime(2026, 11, 23, 10, 0, 0)
    first = new_backup_path(folder, file, "manual", moment)
    first.write_bytes(b"one")
    second = new_backup_path(folder, file, "manual", moment)
    second.write_bytes(b"two")

    assert first != second
    found = list_backups(folder, file)
    assert {info.path for info in found} == {first, second}
    assert {info.reason for info in found} == {"manual"}
