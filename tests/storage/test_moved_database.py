"""A database file deleted, moved or replaced under the open app stops saving and says so."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from massage_chart.storage.database import (
    Database,
    DatabaseMovedError,
    WriteError,
    open_database,
)
from massage_chart.storage.repositories import add_client, search_clients


def _names(db: Database) -> list[str]:
    with db.read() as session:
        return [row.list_name for row in search_clients(session)]


def _save_one(db: Database, first: str) -> None:
    with db.write() as session:
        add_client(session, first_name=first, last_name="Client")


def test_a_deleted_file_stops_saving_and_is_not_recreated(db_path: Path) -> None:
    db = open_database(str(db_path))
    try:
        _save_one(db, "Before")
        db_path.unlink()
        with pytest.raises(DatabaseMovedError, match="deleted or moved away") as raised:
            _save_one(db, "Lost")
        assert str(db_path) in str(raised.value)
        assert "what you were doing is kept" in str(raised.value)
        assert isinstance(raised.value, WriteError)
        assert not db_path.exists()
    finally:
        db.dispose()


def test_a_moved_file_stops_saving_and_keeps_what_was_saved(db_path: Path) -> None:
    db = open_database(str(db_path))
    moved = db_path.with_name("synced-away.db")
    try:
        _save_one(db, "Before")
        db.dispose()
        os.replace(db_path, moved)
        with pytest.raises(DatabaseMovedError, match="deleted or moved away"):
            _save_one(db, "Lost")
    finally:
        db.dispose()
    reopened = open_database(str(moved))
    try:
        assert _names(reopened) == ["Client, Before"]
    finally:
        reopened.dispose()


def test_a_file_replaced_by_another_database_stops_saving(tmp_path: Path, db_path: Path) -> None:
    db = open_database(str(db_path))
    other_path = tmp_path / "other.db"
    other = open_database(str(other_path))
    try:
        _save_one(db, "Ours")
        _save_one(other, "Theirs")
        other.dispose()
        db.dispose()
        os.replace(other_path, db_path)
        with pytest.raises(DatabaseMovedError, match="replaced by another file"):
            _save_one(db, "Lost")
    finally:
        db.dispose()
    reopened = open_database(str(db_path))
    try:
        assert _names(reopened) == ["Client, Theirs"]
    finally:
        reopened.dispose()


def test_a_file_left_in_place_keeps_saving(db_path: Path) -> None:
    db = open_database(str(db_path))
    try:
        for first in ("One", "Two", "Three"):
            _save_one(db, first)
        assert _names(db) == ["Client, One", "Client, Three", "Client, Two"]
    finally:
        db.dispose()


def test_a_server_database_is_not_checked_for_a_file(pg_db: Database) -> None:
    pg_db.remember_file()
    _save_one(pg_db, "Server")
    assert "Client, Server" in _names(pg_db)
