"""A full disk or a read-only file: a plain message, nothing half-saved, earlier records intact."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from massage_chart.storage.database import Database, WriteError
from massage_chart.storage.repositories import add_client, search_clients


def _names(db: Database) -> list[str]:
    with db.read() as session:
        return [row.list_name for row in search_clients(session)]


def test_a_full_disk_keeps_earlier_records_and_says_so(db: Database, db_path: Path) -> None:
    with db.write() as session:
        add_client(session, first_name="Before", last_name="Full")
    page_limit: dict[str, int] = {"pages": 0}

    def _limit(dbapi_connection: Any, _record: Any) -> None:
        if page_limit["pages"]:
            dbapi_connection.execute(f"PRAGMA max_page_count = {page_limit['pages']}")

    db.engine.dispose()
    event.listen(db.engine, "connect", _limit)
    with db.engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)
        connection.rollback()
    db.engine.dispose()
    page_limit["pages"] = pages + 2  # room for almost nothing more: the disk is "full"

    with pytest.raises(WriteError, match="the disk is full") as raised, db.write() as session:
        add_client(session, first_name="Big", last_name="Note", notes="x" * 90_000)
    assert "Earlier records are safe" in str(raised.value)
    assert _names(db) == ["Full, Before"]

    page_limit["pages"] = 0  # space freed
    db.engine.dispose()
    with db.write() as session:
        add_client(session, first_name="After", last_name="Space")
    assert _names(db) == ["Full, Before", "Space, After"]
    db.dispose()
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def test_a_read_only_database_is_explained(db: Database) -> None:
    with db.write() as session:
        add_client(session, first_name="Kept", last_name="Safe")

    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")  # as a file on read-only media

    db.engine.dispose()
    event.listen(db.engine, "connect", _read_only)
    with pytest.raises(WriteError, match="cannot be written"), db.write() as session:
        add_client(session, first_name="New", last_name="One")
    assert _names(db) == ["Safe, Kept"]


def test_a_lost_server_connection_is_explained_and_the_next_save_works(pg_db: Database) -> None:
    with pg_db.write() as session:
        add_client(session, first_name="Before", last_name="Drop")
    with (
        pytest.raises(WriteError, match="connection to the database server was lost"),
        pg_db.write() as session,
    ):
        add_client(session, first_name="During", last_name="Drop")
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    with pg_db.write() as session:
        add_client(session, first_name="After", last_name="Drop")
    assert _names(pg_db) == ["Drop, After", "Drop, Before"]


def test_a_value_too_long_for_the_server_is_explained(pg_db: Database) -> None:
    with pytest.raises(WriteError, match="does not fit its field"), pg_db.write() as session:
        add_client(session, first_name="N" * 100_000, last_name="Long")
    assert _names(pg_db) == []
