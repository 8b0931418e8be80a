"""The command line meets a foreign WAL, a damaged page, an old layout and a read-only drive
with a plain message each: no traceback, nothing lost, nothing written by a check."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from massage_chart.storage.database import (
    DatabaseReadOnlyError,
    create_db_engine,
    normalise_url,
    open_database,
    upgrade_schema,
)
from massage_chart.storage.repositories import add_client
from tests.cli.test_cli import run
from tests.storage.test_faults import foreign_wal_beside


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _count(path: Path, table: str) -> int:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        connection.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    seeded = run("demo", "--db", str(path), "--clients", "3")
    assert seeded.returncode == 0, seeded.stderr
    connection = sqlite3.connect(path)
    try:
        (visit_id,) = connection.execute(
            "SELECT id FROM visits WHERE status = 'signed' LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return path, visit_id


def _with_damaged_visits(demo: tuple[Path, str], into: Path) -> Path:
    """A copy of the demo whose visit pages are ruined; its header and schema are whole."""
    path = into / "practice.db"
    shutil.copyfile(demo[0], path)
    connection = sqlite3.connect(path)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = [
            row[0] for row in connection.execute("SELECT pageno FROM dbstat WHERE name = 'visits'")
        ]
    finally:
        connection.close()
    data = bytearray(path.read_bytes())
    noise = random.Random(20261203)
    for page in pages:
        start = (page - 1) * page_size + 8
        data[start : page * page_size] = noise.randbytes(page_size - 8)
    path.write_bytes(bytes(data))
    return path


def test_check_sets_a_foreign_wal_aside_and_keeps_every_client(tmp_path: Path) -> None:
    path = tmp_path / "practice.db"
    database = open_database(str(path))
    with database.write() as session:
        for n in range(20):
            add_client(session, first_name=f"Client {n}", last_name="Ours")
    database.dispose()
    foreign_wal_beside(path, tmp_path / "elsewhere.db")

    result = run("check", "--db", str(path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "belonged to another database" in result.stderr
    assert _count(path, "clients") == 20
    assert list((tmp_path / "backups").glob("practice.db.foreign-wal-*/practice.db-wal"))


@pytest.mark.parametrize("command", ["export-json", "export soap"])
def test_an_export_from_a_damaged_file_says_so_without_a_traceback(
    demo: tuple[Path, str], tmp_path: Path, command: str
) -> None:
    path = _with_damaged_visits(demo, tmp_path)
    target = tmp_path / "out.file"
    words = command.split() + ([demo[1]] if command == "export soap" else [])

    result = run(*words, "--db", str(path), "-o", str(target))

    assert result.returncode == 1
    assert "damaged" in result.stderr and "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()


def test_audit_verify_does_not_vouch_for_a_damaged_file(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    path = _with_damaged_visits(demo, tmp_path)

    result = run("audit", "verify", "--db", str(path))

    assert result.returncode == 1
    assert "damaged" in result.stderr
    assert "verify: nothing altered" not in result.stdout


def test_audit_list_takes_any_limit(demo: tuple[Path, str]) -> None:
    result = run("audit", "list", "--db", str(demo[0]), "--limit", "9" * 30)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("seq\t")


def test_check_of_an_older_layout_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = create_db_engine(normalise_url(str(path)))
    upgrade_schema(engine, "0003")
    engine.dispose()
    before = _digest(path)

    result = run("check", "--db", str(path))

    assert result.returncode == 1
    assert "older layout" in result.stderr and "0003" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(path) == before
    assert not (tmp_path / "backups").exists()


@pytest.fixture
def read_only_drive(tmp_path: Path) -> Iterator[Path]:
    """A small drive holding a database, mounted read-only (needs the right to mount)."""
    drive = tmp_path / "drive"
    drive.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(drive)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a drive needs privileges this run does not have")
    try:
        open_database(str(drive / "practice.db")).dispose()
        subprocess.run(["mount", "-o", "remount,ro", str(drive)], check=True)
        yield drive / "practice.db"
    finally:
        subprocess.run(["umount", str(drive)], check=False)


def test_a_read_only_drive_is_not_called_damaged(read_only_drive: Path) -> None:
    with pytest.raises(DatabaseReadOnlyError, match="read-only"):
        open_database(str(read_only_drive))
    for command in (["check"], ["audit", "verify"], ["backup"]):
        result = run(*command, "--db", str(read_only_drive))
        assert result.returncode == 1
        assert "mounted read-only" in result.stderr and "not damaged" in result.stderr
        assert "restore" not in result.stderr.lower()
