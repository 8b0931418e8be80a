"""Faults that once lost records: damage misjudged by a size rule, a WAL of another database."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from massage_chart.storage.backup import since_backup
from massage_chart.storage.database import (
    Database,
    DatabaseDamagedError,
    check_sqlite_file,
    open_database,
)
from massage_chart.storage.repositories import add_client, search_clients
from massage_chart.storage.safekeeping import backup_now
from massage_chart.storage.wal import foreign_wal_reason, read_wal

WAL_HEADER = 32
TAKEN = dt.datetime(2026, 12, 3, 9, 0)
FRAME_HEADER = 24


def _newest_frame_of_page_one(wal: bytes) -> bytes:
    page_size = int.from_bytes(wal[8:12], "big")
    newest = b""
    offset = WAL_HEADER
    while offset + FRAME_HEADER + page_size <= len(wal):
        if int.from_bytes(wal[offset : offset + 4], "big") == 1:
            newest = wal[offset + FRAME_HEADER : offset + FRAME_HEADER + page_size]
        offset += FRAME_HEADER + page_size
    assert newest, "the WAL holds no copy of page 1"
    return newest


def checkpoint_cut_short_by_a_full_disk(db: Database, into: Path) -> Path:
    """The files a full disk leaves behind when it stops a checkpoint after page 1: the
    header counts the new pages, the file never grew, the WAL holds every saved change."""
    assert db.file is not None
    copy = into / db.file.name
    into.mkdir()
    # Copied while the database is open and idle: what a crash at this moment leaves.
    shutil.copyfile(db.file, copy)
    shutil.copyfile(db.file.with_name(db.file.name + "-wal"), copy.with_name(copy.name + "-wal"))
    page_one = _newest_frame_of_page_one(copy.with_name(copy.name + "-wal").read_bytes())
    with open(copy, "r+b") as handle:
        handle.write(page_one)
    return copy


def _saved_in_the_wal_only(db: Database, count: int) -> None:
    assert db.file is not None
    connection = sqlite3.connect(db.file, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    with db.write() as session:
        for n in range(count):
            add_client(
                session,
                first_name=f"Client {n}",
                last_name="Saved " + "x" * 150,
                address="1 Long Road " * 200,
            )


def test_a_checkpoint_cut_short_by_a_full_disk_is_not_called_damaged(
    db: Database, tmp_path: Path
) -> None:
    _saved_in_the_wal_only(db, 33)
    copy = checkpoint_cut_short_by_a_full_disk(db, tmp_path / "after-the-full-disk")
    header = copy.read_bytes()[:100]
    counted = int.from_bytes(header[16:18], "big") * int.from_bytes(header[28:32], "big")
    assert copy.stat().st_size < counted, "the header must count more than the file holds"

    check_sqlite_file(copy)
    check_sqlite_file(copy, thorough=True)
    reopened = open_database(str(copy))
    try:
        with reopened.read() as session:
            assert len(search_clients(session)) == 33
    finally:
        reopened.dispose()


def test_a_file_truly_cut_short_is_still_called_damaged_by_sqlite(
    db: Database, db_path: Path
) -> None:
    _saved_in_the_wal_only(db, 60)
    db.dispose()  # the last connection checkpoints: the file is whole now
    whole = db_path.read_bytes()
    db_path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DatabaseDamagedError, match=r"malformed|damaged"):
        check_sqlite_file(db_path)
    assert db_path.read_bytes() == whole[: len(whole) // 2]


def test_what_a_restore_would_lose_is_counted(db: Database, tmp_path: Path) -> None:
    with db.write() as session:
        add_client(session, first_name="Ada", last_name="Before")
    backup = backup_now(db)
    with db.write() as session:
        for n in range(3):
            add_client(session, first_name=f"Late {n}", last_name="After")
    assert db.file is not None

    lost = since_backup(db.file, backup)

    assert lost.clients == 3
    assert lost.changes is not None and lost.changes >= 3
    sentence = lost.sentence(TAKEN)
    assert "3 clients" in sentence and "kept aside" in sentence
    assert since_backup(db.file, db.file).sentence(TAKEN).startswith("Nothing was saved")


def test_a_restore_from_an_unreadable_file_says_it_cannot_tell(
    db: Database, tmp_path: Path
) -> None:
    backup = backup_now(db)
    unreadable = tmp_path / "notes.db"
    unreadable.write_bytes(b"not a database at all " * 400)
    lost = since_backup(unreadable, backup)
    assert lost.changes is None and lost.clients is None
    assert "cannot be read" in lost.sentence(TAKEN)


def test_the_check_reads_the_wal_and_writes_nothing(db: Database, tmp_path: Path) -> None:
    _saved_in_the_wal_only(db, 5)
    copy = checkpoint_cut_short_by_a_full_disk(db, tmp_path / "copy")
    before = copy.read_bytes(), copy.with_name(copy.name + "-wal").read_bytes()
    check_sqlite_file(copy, thorough=True)
    assert (copy.read_bytes(), copy.with_name(copy.name + "-wal").read_bytes()) == before
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM clients")).scalar() == 5
        connection.rollback()


# ---------------------------------------------------------------------- a WAL of another database


def foreign_wal_beside(ours: Path, other: Path) -> bytes:
    """Put a real WAL of ``other`` (a fresh practice with two clients, still open, nothing
    checkpointed) beside ``ours``; returns its bytes."""
    database = open_database(str(other))
    try:
        with database.write() as session:
            add_client(session, first_name="Someone", last_name="Else")
            add_client(session, first_name="Another", last_name="Practice")
        wal = other.with_name(other.name + "-wal").read_bytes()
    finally:
        database.dispose()
    assert len(wal) > 32
    ours.with_name(ours.name + "-wal").write_bytes(wal)
    return wal


def _twenty_clients(db: Database) -> None:
    with db.write() as session:
        for n in range(20):
            add_client(session, first_name=f"Client {n}", last_name="Ours")
    db.dispose()  # closed: checkpointed, no WAL of its own left


def test_a_wal_of_another_database_is_set_aside_not_replayed(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    _twenty_clients(db)
    ours = db_path.read_bytes()
    wal = foreign_wal_beside(db_path, tmp_path / "elsewhere.db")
    assert read_wal(db_path.with_name(db_path.name + "-wal")) is not None
    assert foreign_wal_reason(db_path) is not None

    reopened = open_database(str(db_path))
    try:
        with reopened.read() as session:
            assert len(search_clients(session)) == 20
        (notice,) = reopened.notices
        assert "belonged to another database" in notice
    finally:
        reopened.dispose()
    (aside,) = (db_path.parent / "backups").glob("practice.db.foreign-wal-*")
    assert (aside / "practice.db").read_bytes() == ours
    assert (aside / "practice.db-wal").read_bytes() == wal
    again = open_database(str(db_path))
    try:
        assert again.notices == []
        with again.read() as session:
            assert len(search_clients(session)) == 20
    finally:
        again.dispose()


def test_a_wal_with_another_page_size_is_foreign(db_path: Path, tmp_path: Path) -> None:
    open_database(str(db_path)).dispose()
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other, isolation_level=None)
    connection.execute("PRAGMA page_size=8192")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA wal_autocheckpoint=0")
    connection.execute("CREATE TABLE notes (text TEXT)")
    connection.execute("INSERT INTO notes VALUES ('not yours')")
    db_path.with_name(db_path.name + "-wal").write_bytes(
        other.with_name(other.name + "-wal").read_bytes()
    )
    connection.close()

    reason = foreign_wal_reason(db_path)

    assert reason is not None and "8192" in reason


def test_this_databases_own_wal_after_a_crash_is_replayed(db: Database, tmp_path: Path) -> None:
    _saved_in_the_wal_only(db, 7)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    assert db.file is not None
    copy = crashed / db.file.name
    shutil.copyfile(db.file, copy)
    shutil.copyfile(db.file.with_name(db.file.name + "-wal"), copy.with_name(copy.name + "-wal"))

    assert foreign_wal_reason(copy) is None
    reopened = open_database(str(copy))
    try:
        assert reopened.notices == []
        with reopened.read() as session:
            assert len(search_clients(session)) == 7
    finally:
        reopened.dispose()
    assert not (crashed / "backups").exists()


# ---------------------------------------------------------------------- a real full disk


@pytest.fixture
def small_drive(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB drive of its own (tmpfs), so that it can be filled; needs the right to mount."""
    drive = tmp_path / "drive"
    drive.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(drive)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a small drive needs privileges this run does not have")
    try:
        yield drive
    finally:
        subprocess.run(["umount", str(drive)], check=False)


def test_a_checkpoint_stopped_by_a_full_disk_loses_nothing(small_drive: Path) -> None:
    path = small_drive / "practice.db"
    database = open_database(str(path))
    try:
        _saved_in_the_wal_only(database, 33)
        free = os.statvfs(small_drive).f_bavail * os.statvfs(small_drive).f_frsize
        (small_drive / "filler").write_bytes(bytes(free - 8 * 4096))
        connection = sqlite3.connect(path, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="full"):
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    finally:
        database.dispose()  # its own checkpoint on closing fails the same way
    header = path.read_bytes()[:100]
    counted = int.from_bytes(header[16:18], "big") * int.from_bytes(header[28:32], "big")
    assert path.stat().st_size < counted, "the header must count pages the file does not hold"

    (small_drive / "filler").unlink()  # the user frees some space
    check_sqlite_file(path, thorough=True)
    reopened = open_database(str(path))
    try:
        with reopened.read() as session:
            assert len(search_clients(session)) == 33
    finally:
        reopened.dispose()
