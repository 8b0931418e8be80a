"""Backups the app wrote outside its backups folder (`backup -o`, File › Back up to…): encrypting
the database encrypts them too, a change of passphrase re-keys them, and `check` names any that
is still in the clear or under an old key."""

from __future__ import annotations

from pathlib import Path

import pytest

from massage_chart.storage.backup import verify_sqlite_backup
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.encryption import FileKind, Keying, file_kind
from massage_chart.storage.repositories import add_client
from massage_chart.storage.safekeeping import (
    backup_now,
    backups_written_elsewhere,
    change_passphrase,
    check_database,
    encrypt_database,
)

OLD = "correct horse battery staple"
NEW = "a new and longer passphrase"


def _canary(database: Database) -> None:
    with database.write() as session:
        add_client(session, first_name="Łukasz", last_name="Wróbel")


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    folder = tmp_path / "usb-stick"
    folder.mkdir()
    return folder


def test_encrypting_encrypts_the_backups_written_elsewhere(db: Database, elsewhere: Path) -> None:
    _canary(db)
    copy = backup_now(db, target=elsewhere / "friday.db")
    assert backups_written_elsewhere(db) == [copy]
    outcome = encrypt_database(db, OLD)
    try:
        assert copy in outcome.backups_done
        assert file_kind(copy) is FileKind.ENCRYPTED_OR_DAMAGED
        assert "Wróbel".encode() not in copy.read_bytes()
        verify_sqlite_backup(copy, Keying(OLD))
        assert check_database(outcome.database).problems == []
    finally:
        outcome.database.dispose()


def test_a_change_of_passphrase_rekeys_them_and_check_names_one_left_behind(
    db_path: Path, elsewhere: Path
) -> None:
    database = open_database(str(db_path), passphrase=OLD)
    _canary(database)
    copy = backup_now(database, target=elsewhere / "friday.db")
    outcome = change_passphrase(database, OLD, NEW)
    try:
        assert copy in outcome.backups_done
        verify_sqlite_backup(copy, Keying(NEW))
        assert check_database(outcome.database).problems == []
        # A copy the app wrote there, later replaced by one under the old key, is named.
        stale = backup_now(outcome.database, target=elsewhere / "saturday.db")
        open_database(str(elsewhere / "old-key.db"), passphrase=OLD).dispose()
        (elsewhere / "old-key.db").replace(stale)
        problems = check_database(outcome.database).problems
        assert any(str(stale) in p and "passphrase" in p for p in problems), problems
    finally:
        outcome.database.dispose()


def test_a_plain_copy_written_elsewhere_is_named_by_check(db_path: Path, elsewhere: Path) -> None:
    database = open_database(str(db_path), passphrase=OLD)
    try:
        _canary(database)
        copy = backup_now(database, target=elsewhere / "friday.db")
        plain = open_database(str(elsewhere / "plain.db"))
        plain.dispose()
        (elsewhere / "plain.db").replace(copy)  # what a decrypting tool would leave
        problems = check_database(database).problems
        assert any(str(copy) in p and "not encrypted" in p for p in problems), problems
    finally:
        database.dispose()


def test_a_copy_that_is_gone_is_not_a_problem(db: Database, elsewhere: Path) -> None:
    copy = backup_now(db, target=elsewhere / "friday.db")
    copy.unlink()
    assert backups_written_elsewhere(db) == []
    assert check_database(db).problems == []
