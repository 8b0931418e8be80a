"""Opening databases: durability pragmas, BEGIN IMMEDIATE, migrations, refusals and backups."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from massage_chart.storage import database as database_module
from massage_chart.storage.database import (
    Database,
    DatabaseDamagedError,
    DatabaseTooNewError,
    SchemaState,
    StorageError,
    UnknownDatabaseError,
    default_database_url,
    head_revision,
    normalise_url,
    open_database,
    schema_status,
)
from massage_chart.storage.models import Base, include_in_schema_comparison
from massage_chart.storage.repositories import add_client, search_clients


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_sqlite_connection_is_durable_and_checked(db: Database) -> None:
    expected = {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "foreign_keys": 1,
        "busy_timeout": 10_000,
        "trusted_schema": 0,
        "mmap_size": 0,
        "cell_size_check": 1,
    }
    # Two connections checked out at once: the pragmas hold for each, not only the first.
    readers = db.engine.execution_options(sqlite_begin="DEFERRED")
    with readers.connect() as first, readers.connect() as second:
        for connection in (first, second):
            for name, value in expected.items():
                assert connection.exec_driver_sql(f"PRAGMA {name}").scalar() == value, name


def test_write_sessions_take_the_write_lock_up_front(db: Database, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with db.write() as session:
            session.execute(text("SELECT 1"))  # a read only, yet the lock is already held
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released at commit
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_read_sessions_never_block_writers(db: Database, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with db.read() as session:
            search_clients(session, "")
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


def test_ddl_is_transactional(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        session.execute(text("CREATE TABLE scratch (x INTEGER)"))
        raise RuntimeError("abort the action")
    assert "scratch" not in inspect(db.engine).get_table_names()


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), db.write() as session:
        session.execute(
            text(
                "INSERT INTO visits (id, client_id, start, status, chief_complaint, health_update,"
                " subjective, objective, assessment, plan, techniques, positioning, icd10_codes,"
                " created_at, updated_at, row_version)"
                " VALUES ('v', 'no-such-client', '2026-01-01 10:00:00', 'draft', '', '', '', '',"
                " '', '', '[]', '', '[]', '2026-01-01', '2026-01-01', 1)"
            )
        )


def test_migrations_build_exactly_the_models(any_db: Database) -> None:
    with any_db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_in_schema_comparison}
        )
        differences = compare_metadata(context, Base.metadata)
        indexes = {i["name"]: i["column_names"] for i in inspect(connection).get_indexes("clients")}
    assert differences == []
    expected = ["archived", "sort_key", "id"]
    if any_db.is_sqlite:
        expected.append("search_key")
    assert indexes["ix_clients_list"] == expected
    assert schema_status(any_db.engine).state is SchemaState.CURRENT


def test_reopening_a_current_database_changes_nothing(db: Database, db_path: Path) -> None:
    with db.write() as session:
        add_client(session, first_name="Zoë", last_name="Nguyễn")
    db.dispose()
    reopened = open_database(str(db_path))
    with reopened.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Nguyễn, Zoë"]
    reopened.dispose()
    assert not (db_path.parent / "backups").exists()


def test_a_database_from_a_newer_version_is_refused_untouched(db: Database, db_path: Path) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    db.dispose()
    before = _file_digest(db_path)
    with pytest.raises(DatabaseTooNewError, match="newer version of Massage Chart"):
        open_database(str(db_path))
    assert _file_digest(db_path) == before


@pytest.mark.parametrize(
    "damage",
    ["text", "zeroed_header", "truncated", "pdf"],
)
def test_a_damaged_file_gets_a_plain_message_and_is_not_overwritten(
    db: Database, db_path: Path, damage: str
) -> None:
    with db.write() as session:
        for n in range(200):
            add_client(session, first_name=f"Client {n}", last_name="Test" * 20)
    db.dispose()
    data = bytearray(db_path.read_bytes())
    if damage == "text":
        data = bytearray(b"these are my shopping notes, not a database\n" * 50)
    elif damage == "zeroed_header":
        data[:100] = bytes(100)
    elif damage == "truncated":
        data = data[: len(data) // 3 + 17]
    else:
        data = bytearray(
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 40
        )
    db_path.write_bytes(bytes(data))
    (db_path.parent / "practice.db-wal").unlink(missing_ok=True)
    before = _file_digest(db_path)
    with pytest.raises(DatabaseDamagedError, match=r"damaged|not a Massage Chart database"):
        open_database(str(db_path))
    assert _file_digest(db_path) == before


def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.commit()
    connection.close()
    with pytest.raises(UnknownDatabaseError, match="did not create"):
        open_database(str(path))


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="is a folder"):
        open_database(str(tmp_path))


def test_urls_and_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert normalise_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"
    assert normalise_url("postgresql://postgres@localhost/clinic").startswith(
        "postgresql+psycopg://"
    )
    with pytest.raises(StorageError, match="Not a database address"):
        normalise_url("nonsense://")
    with pytest.raises(StorageError, match="No database"):
        normalise_url("   ")
    monkeypatch.setenv("MASSAGE_CHART_DB", "sqlite:////srv/clinic.db")
    assert default_database_url() == "sqlite:////srv/clinic.db"
    monkeypatch.delenv("MASSAGE_CHART_DB")
    assert default_database_url().endswith("massage-chart.db")


@pytest.mark.parametrize(
    ("url", "sslmode"),
    [
        ("postgresql://sam@db.cedar-clinic.example/cedar", "verify-full"),
        ("postgresql://sam@10.0.0.5:5432/cedar", "verify-full"),
        ("postgresql://sam@db.example/cedar?sslmode=require", "require"),  # the URL's choice
        ("postgresql://postgres@127.0.0.1:5432/test", None),
        ("postgresql://postgres@localhost/test", None),
        ("postgresql://postgres@[::1]/test", None),
        ("postgresql:///test?host=/var/run/postgresql", None),  # a local socket
    ],
)
def test_a_server_on_another_computer_is_reached_over_verified_tls(
    url: str, sslmode: str | None
) -> None:
    query = make_url(normalise_url(url)).query
    assert query.get("sslmode") == sslmode


# ---------------------------------------------------------------------- upgrades of older schemas


def _migrations_with_extra(tmp_path: Path, body: str) -> Path:
    """A copy of the shipped migrations plus one newer revision with the given upgrade body."""
    folder = tmp_path / "migrations"
    shutil.copytree(
        database_module.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__")
    )
    head = head_revision()
    (folder / "versions" / "9000_test_upgrade.py").write_text(
        f'''"""A later schema used by the tests."""
import sqlalchemy as sa
from alembic import op

revision = "9000"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
{body}


def downgrade() -> None:
    pass
''',
        encoding="utf-8",
    )
    return folder


def test_an_older_database_is_backed_up_verified_then_upgraded(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.write() as session:
        add_client(session, first_name="Łukasz", last_name="Wróbel")
    db.dispose()
    old_revision = head_revision()
    monkeypatch.setattr(
        database_module,
        "MIGRATIONS_DIR",
        _migrations_with_extra(
            tmp_path,
            '    op.create_table("later_table", sa.Column("id", sa.Integer, primary_key=True))',
        ),
    )
    upgraded = open_database(str(db_path))
    assert schema_status(upgraded.engine).current == "9000"
    assert "later_table" in inspect(upgraded.engine).get_table_names()
    upgraded.dispose()

    backups = list((db_path.parent / "backups").glob(f"practice-*-pre-upgrade-{old_revision}.db"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (old_revision,)
        assert copy.execute("SELECT first_name FROM clients").fetchall() == [("Łukasz",)]
    finally:
        copy.close()


def test_a_failed_upgrade_leaves_the_database_as_it_was(
    db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db.dispose()
    old_revision = head_revision()
    monkeypatch.setattr(
        database_module,
        "MIGRATIONS_DIR",
        _migrations_with_extra(
            tmp_path,
            '    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))\n'
            '    raise RuntimeError("simulated failure in the middle of a migration")',
        ),
    )
    with pytest.raises(RuntimeError, match="simulated failure"):
        open_database(str(db_path))
    check = sqlite3.connect(db_path)
    try:
        assert check.execute("SELECT version_num FROM alembic_version").fetchone() == (
            old_revision,
        )
        tables = {row[0] for row in check.execute("SELECT name FROM sqlite_master")}
        assert "half_done" not in tables
    finally:
        check.close()


def test_known_revisions_agree_with_alembic() -> None:
    from alembic.script import ScriptDirectory

    from massage_chart.storage.database import alembic_config, known_revisions

    script = ScriptDirectory.from_config(alembic_config())
    known, head = known_revisions()
    assert known == {revision.revision for revision in script.walk_revisions()}
    assert head == script.get_current_head()


def test_opening_a_current_database_does_not_import_alembic(db_path: Path) -> None:
    import subprocess
    import sys

    open_database(str(db_path)).dispose()
    code = (
        "import sys\n"
        "from massage_chart.storage.database import open_database\n"
        f"open_database({str(db_path)!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_garbage_inside_the_file_is_found_by_the_thorough_check(
    db: Database, db_path: Path
) -> None:
    with db.write() as session:
        for n in range(300):
            add_client(session, first_name=f"Client {n}", last_name="Page filler " * 10)
    db.dispose()
    data = bytearray(db_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    data[page_size * 3 : page_size * 3 + 512] = b"\xde\xad\xbe\xef" * 128  # an interior page
    db_path.write_bytes(bytes(data))
    before = _file_digest(db_path)
    with pytest.raises(DatabaseDamagedError, match="damaged"):
        open_database(str(db_path), thorough_check=True)
    assert _file_digest(db_path) == before


@pytest.mark.parametrize("column", ["claim_id", "referral_id"])
def test_a_claim_s_and_a_referral_s_visits_are_found_by_index(db: Database, column: str) -> None:
    """Every signing check counts them: without an index each count read every visit of the
    practice, a cost that grew with every visit ever charted."""
    with db.engine.connect() as connection:
        plan = " ".join(
            str(row[-1])
            for row in connection.exec_driver_sql(
                f"EXPLAIN QUERY PLAN SELECT id, start FROM visits WHERE {column} = 'x'"
            )
        )
    assert f"USING INDEX ix_visits_{column}" in plan, plan
