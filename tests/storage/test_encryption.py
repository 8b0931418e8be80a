"""Encryption at rest: real SQLCipher files, real keys, real damage; nothing mocked."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from massage_chart.domain.client_file import MedicationInfo
from massage_chart.storage import audit, encryption
from massage_chart.storage.backup import (
    BackupError,
    list_backups,
    newest_verified_backup,
    quick_check_file,
    restore_sqlite,
    verify_sqlite_backup,
)
from massage_chart.storage.database import (
    Database,
    DatabaseDamagedError,
    PassphraseRequiredError,
    StorageError,
    WrongPassphraseError,
    open_database,
)
from massage_chart.storage.encryption import Driver, FileKind, Keying
from massage_chart.storage.repositories import (
    add_client,
    add_health_history_version,
    search_clients,
)
from massage_chart.storage.safekeeping import (
    background_backup,
    backup_now,
    change_passphrase,
    check_database,
    encrypt_database,
    record_failed_unlocks,
)
from tests.helpers.dump import dump

PASSPHRASE = "correct horse \"battery\" 'staple'; é"
CANARIES = (b"Wr\xc3\xb3bel", b"ibuprofen")


def _add_canary_client(database: Database, last_name: str = "Wróbel") -> None:
    with database.write() as session:
        client = add_client(session, first_name="Łukasz", last_name=last_name)
        add_health_history_version(
            session, client.id, medications=[MedicationInfo(name="ibuprofen", dose="400 mg")]
        )


def _all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.fixture
def encrypted(db_path: Path) -> Database:
    database = open_database(str(db_path), passphrase=PASSPHRASE)
    _add_canary_client(database)
    return database


def test_an_encrypted_file_holds_no_plaintext_and_the_standard_library_cannot_read_it(
    encrypted: Database, db_path: Path
) -> None:
    assert encrypted.is_encrypted
    backup = backup_now(encrypted)
    encrypted.dispose()
    for path in (db_path, backup):
        data = path.read_bytes()
        assert not data.startswith(b"SQLite format 3")
        for canary in CANARIES:
            assert canary not in data
        assert encryption.file_kind(path) is FileKind.ENCRYPTED_OR_DAMAGED
        connection = sqlite3.connect(path)
        with pytest.raises(sqlite3.DatabaseError, match="file is not a database"):
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        connection.close()


def test_the_right_passphrase_opens_and_a_wrong_or_missing_one_is_refused_in_plain_words(
    encrypted: Database, db_path: Path
) -> None:
    encrypted.dispose()
    before = db_path.read_bytes()
    with pytest.raises(PassphraseRequiredError, match="encrypted"):
        open_database(str(db_path))
    with pytest.raises(WrongPassphraseError) as refused:
        open_database(str(db_path), passphrase=PASSPHRASE + "x")
    message = str(refused.value)
    assert message.startswith("Incorrect passphrase or damaged file")
    assert "delete" not in message.lower()
    assert db_path.read_bytes() == before
    reopened = open_database(str(db_path), passphrase=PASSPHRASE)
    with reopened.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Wróbel, Łukasz"]
    reopened.dispose()


def test_the_keyed_url_form_opens_too(encrypted: Database, db_path: Path) -> None:
    encrypted.dispose()
    from urllib.parse import quote

    reopened = open_database(f"sqlite+pysqlcipher://:{quote(PASSPHRASE, safe='')}@/{db_path}")
    assert reopened.is_encrypted
    assert reopened.url == f"sqlite:///{db_path}"
    reopened.dispose()


def test_every_encrypted_connection_keeps_the_durability_pragmas(encrypted: Database) -> None:
    with encrypted.engine.connect() as connection:
        values = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
        cipher = connection.exec_driver_sql("PRAGMA cipher_version").scalar()
        connection.rollback()
    assert values == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10_000,
    }
    assert cipher


def test_raw_keys_derived_here_open_files_keyed_by_sqlcipher_itself(tmp_path: Path) -> None:
    """The shortcut (deriving the key once with hashlib) must equal SQLCipher's own derivation."""
    module = encryption.sqlcipher_module()
    path = tmp_path / "native.db"
    connection = module.connect(str(path))
    connection.execute(f"PRAGMA key = {encryption.sql_string(PASSPHRASE)}")
    connection.execute("CREATE TABLE t (x)")
    connection.execute("INSERT INTO t VALUES ('ibuprofen')")
    connection.commit()
    connection.close()
    with encryption.connect(path, Keying(PASSPHRASE)) as keyed:
        assert keyed.execute("SELECT x FROM t").fetchall() == [("ibuprofen",)]
        assert keyed.execute("PRAGMA kdf_iter").fetchone()[0] == "256000"


def test_check_passphrase_for_the_lock_screen(encrypted: Database, tmp_path: Path) -> None:
    assert encrypted.check_passphrase(PASSPHRASE)
    assert not encrypted.check_passphrase(PASSPHRASE[:-1])
    assert not encrypted.check_passphrase("")
    plain = open_database(str(tmp_path / "plain.db"))
    assert not plain.check_passphrase("anything")
    plain.dispose()


def test_change_passphrase_old_fails_new_works_and_backups_follow(
    encrypted: Database, db_path: Path
) -> None:
    backup = backup_now(encrypted)
    with pytest.raises(WrongPassphraseError):
        change_passphrase(encrypted, "not it at all", "a new passphrase")
    outcome = change_passphrase(encrypted, PASSPHRASE, "a new passphrase ünïcode")
    database = outcome.database
    assert outcome.backups_done == [backup]
    assert outcome.backups_left == []
    with database.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Wróbel, Łukasz"]
        assert audit.verify_chain(session) == []
    database.dispose()
    with pytest.raises(WrongPassphraseError):
        open_database(str(db_path), passphrase=PASSPHRASE)
    with pytest.raises(BackupError):
        verify_sqlite_backup(backup, Keying(PASSPHRASE))
    verify_sqlite_backup(backup, Keying("a new passphrase ünïcode"))
    open_database(str(db_path), passphrase="a new passphrase ünïcode").dispose()
    assert list(db_path.parent.glob("*.rekeying")) == []
    assert list(db_path.parent.glob("*.old-*")) == []


def test_a_short_new_passphrase_is_refused(encrypted: Database) -> None:
    with pytest.raises(StorageError, match="at least 8"):
        change_passphrase(encrypted, PASSPHRASE, "short")


def test_an_encrypted_backup_opens_only_with_the_key_and_verifies(
    encrypted: Database, db_path: Path
) -> None:
    backup = backup_now(encrypted)
    keying = encrypted.keying
    assert keying is not None
    verify_sqlite_backup(backup, keying)
    with pytest.raises(BackupError, match="encrypted"):
        verify_sqlite_backup(backup)
    with pytest.raises(BackupError, match="does not open with this passphrase"):
        verify_sqlite_backup(backup, Keying("another passphrase"))
    assert newest_verified_backup(backup.parent, db_path) is None
    newest = newest_verified_backup(backup.parent, db_path, keying)
    assert newest is not None and newest.path == backup
    # A backup opens on its own with the passphrase alone (another program, another computer).
    with encryption.connect(backup, Keying(PASSPHRASE), read_only=True) as connection:
        assert connection.execute("SELECT count(*) FROM clients").fetchone()[0] == 1


def test_the_daily_background_backup_and_page_check_use_the_key(encrypted: Database) -> None:
    path = background_backup(encrypted)
    assert encryption.file_kind(path) is FileKind.ENCRYPTED_OR_DAMAGED
    assert encrypted.file is not None
    assert quick_check_file(encrypted.file, encrypted.keying) == []
    report = check_database(encrypted)
    assert report.ok, report.problems
    assert any("cipher_integrity_check" in item for item in report.checked)


def test_restore_of_an_encrypted_backup(encrypted: Database, db_path: Path) -> None:
    backup = backup_now(encrypted)
    _add_canary_client(encrypted, last_name="Later")
    keying = encrypted.keying
    encrypted.dispose()
    aside = restore_sqlite(backup, db_path, keying=keying)
    assert aside is not None and encryption.file_kind(aside) is FileKind.ENCRYPTED_OR_DAMAGED
    assert encryption.file_kind(db_path) is FileKind.ENCRYPTED_OR_DAMAGED
    reopened = open_database(str(db_path), passphrase=PASSPHRASE)
    with reopened.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Wróbel, Łukasz"]
    reopened.dispose()


def test_a_plain_backup_restored_into_an_encrypted_database_is_encrypted(
    db: Database, db_path: Path, tmp_path: Path
) -> None:
    _add_canary_client(db)
    plain_backup = backup_now(db, target=tmp_path / "elsewhere" / "plain.db")
    outcome = encrypt_database(db, PASSPHRASE)
    keying = outcome.database.keying
    outcome.database.dispose()
    restore_sqlite(plain_backup, db_path, keying=keying)
    data = db_path.read_bytes()
    assert not data.startswith(b"SQLite format 3") and b"ibuprofen" not in data
    reopened = open_database(str(db_path), passphrase=PASSPHRASE)
    with reopened.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Wróbel, Łukasz"]
    reopened.dispose()


def test_two_sqlite_libraries_never_open_one_file(db: Database, db_path: Path) -> None:
    with db.read() as session:  # the standard library holds a pooled connection
        session.execute(text("SELECT 1"))
    assert encryption.open_connections(db_path)[0] is Driver.SQLITE3
    with (
        pytest.raises(encryption.DriverConflictError, match="two SQLite libraries"),
        encryption.connect(db_path, None, driver=Driver.SQLCIPHER3),
    ):
        pass
    with pytest.raises(StorageError, match=r"still open|two SQLite libraries"):
        encrypt_database(_open_again(db_path), PASSPHRASE)
    db.dispose()
    assert encryption.open_connections(db_path) == (None, 0)


def _open_again(path: Path) -> Database:
    """A second Database on the same file, holding a connection of its own."""
    database = open_database(str(path))
    database.engine.raw_connection()  # checked out and kept: the file stays open
    return database


def test_an_encrypted_file_is_never_opened_by_the_standard_library(
    encrypted: Database, db_path: Path
) -> None:
    with encrypted.read() as session:
        session.execute(text("SELECT 1"))
    assert encryption.open_connections(db_path)[0] is Driver.SQLCIPHER3
    with pytest.raises(encryption.DriverConflictError), encryption.connect(db_path, None):
        pass
    assert "two SQLite libraries" in quick_check_file(db_path)[0]  # refused, not opened


@pytest.mark.parametrize("page", [1, 2])
def test_a_damaged_encrypted_file_gets_a_plain_message(
    encrypted: Database, db_path: Path, page: int
) -> None:
    with encrypted.write() as session:
        for n in range(300):
            add_client(session, first_name=f"Client {n}", last_name="Filler " * 20)
    encrypted.dispose()
    data = bytearray(db_path.read_bytes())
    offset = 4096 * (page - 1) + 200
    data[offset : offset + 8] = bytes(b ^ 0xFF for b in data[offset : offset + 8])
    db_path.write_bytes(bytes(data))
    if page == 1:
        with pytest.raises(WrongPassphraseError, match="Incorrect passphrase or damaged file"):
            open_database(str(db_path), passphrase=PASSPHRASE)
    else:
        with pytest.raises(DatabaseDamagedError, match="damaged") as refused:
            open_database(str(db_path), passphrase=PASSPHRASE, thorough_check=True)
        assert "HMAC" in str(refused.value) or "malformed" in str(refused.value)
        keying = Keying(PASSPHRASE)
        assert quick_check_file(db_path, keying)


def test_encrypting_a_plain_database_keeps_every_row_and_the_audit_chain(
    db: Database, db_path: Path
) -> None:
    _add_canary_client(db)
    with db.write() as session:
        for n in range(50):
            add_client(session, first_name=f"Client {n}", last_name="Test")
    plain_backup = backup_now(db)
    before = dump(db)
    outcome = encrypt_database(db, PASSPHRASE)
    database = outcome.database
    assert database.is_encrypted
    after = dump(database)
    events_before = set(before.pop("audit_events"))
    events_after = set(after.pop("audit_events"))
    assert after == before
    assert events_before < events_after and len(events_after - events_before) == 1
    with database.read() as session:
        assert audit.verify_chain(session) == []
        last = session.scalars(
            select(audit.AuditEvent).order_by(audit.AuditEvent.seq.desc())
        ).first()
        assert last is not None and "encrypted at rest" in last.detail
    # The plaintext is gone: the database, its companions and its backups are encrypted.
    assert outcome.backups_done == [plain_backup]
    assert outcome.old_file_overwritten
    backup_now(database)
    database.dispose()
    everything = _all_bytes(db_path.parent)
    for canary in CANARIES:
        assert canary not in everything
    assert sorted(p.name for p in db_path.parent.iterdir() if p.is_file()) == ["practice.db"]
    backups = list_backups(db_path.parent / "backups", db_path)
    assert backups and all(
        encryption.file_kind(b.path) is FileKind.ENCRYPTED_OR_DAMAGED for b in backups
    )


def test_set_aside_plaintext_copies_are_listed_not_deleted(db: Database, db_path: Path) -> None:
    _add_canary_client(db)
    backup = backup_now(db)
    db.dispose()
    aside = restore_sqlite(backup, db_path, label="damaged")
    assert aside is not None
    reopened = open_database(str(db_path))
    outcome = encrypt_database(reopened, PASSPHRASE)
    outcome.database.dispose()
    assert outcome.plaintext_left == [aside]
    assert aside.exists()


def test_a_failed_encryption_leaves_the_plain_database_usable(db: Database, db_path: Path) -> None:
    _add_canary_client(db)
    with pytest.raises(StorageError, match="at least 8"):
        encrypt_database(db, "short")
    # Another process (a second window, another computer on a shared folder) has it open.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(db_path)!r})\n"
            "c.execute('SELECT count(*) FROM clients').fetchone()\n"
            "print('open', flush=True)\n"
            "sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StorageError, match="another window or on another computer"):
            encrypt_database(db, PASSPHRASE)
    finally:
        holder.communicate("\n", timeout=30)
    assert db_path.read_bytes().startswith(b"SQLite format 3")
    with db.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Wróbel, Łukasz"]


def test_failed_unlocks_before_opening_are_audited(encrypted: Database) -> None:
    moments = [dt.datetime(2026, 11, 23, 8, 0, 1), dt.datetime(2026, 11, 23, 8, 0, 9)]
    record_failed_unlocks(encrypted, moments)
    with encrypted.read() as session:
        events = session.scalars(
            select(audit.AuditEvent).where(
                audit.AuditEvent.action == audit.AuditAction.FAILED_UNLOCK.value
            )
        ).all()
        assert audit.verify_chain(session) == []
    assert [e.detail for e in events] == [
        "start: incorrect passphrase or damaged file at 2026-11-23 08:00:01, try 1 of 2 "
        "before the database was opened",
        "start: incorrect passphrase or damaged file at 2026-11-23 08:00:09, try 2 of 2 "
        "before the database was opened",
    ]


def test_a_plain_database_given_a_passphrase_is_not_silently_opened(
    db: Database, db_path: Path
) -> None:
    db.dispose()
    with pytest.raises(StorageError, match="not encrypted"):
        open_database(str(db_path), passphrase=PASSPHRASE)


def test_plain_databases_do_not_load_sqlcipher(db_path: Path) -> None:
    code = (
        "import sys\n"
        "from massage_chart.storage.database import open_database\n"
        f"open_database({str(db_path)!r}).dispose()\n"
        "print('sqlcipher3' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
