"""``-o`` never writes over the database, its journal, a backup, or an existing file unasked."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import run


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A demo practice and the id of one of its signed visits."""
    path = tmp_path_factory.mktemp("practice") / "practice.db"
    seeded = run("demo", "--db", str(path), "--clients", "3")
    assert seeded.returncode == 0, seeded.stderr
    connection = sqlite3.connect(path)
    try:
        (visit_id,) = connection.execute(
            "SELECT id FROM visits WHERE status = 'signed' ORDER BY start LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return path, visit_id


@pytest.mark.parametrize(
    ("document", "companion"),
    [("soap", ""), ("summary", ""), ("soap", "-wal"), ("soap", "-shm"), ("summary", "-journal")],
)
def test_an_export_over_the_database_or_its_journal_is_refused(
    demo: tuple[Path, str], document: str, companion: str
) -> None:
    path, visit_id = demo
    before = _digest(path)
    target = path.with_name(path.name + companion)

    result = run("export", document, visit_id, "--db", str(path), "-o", str(target), "--force")

    assert result.returncode == 1
    assert "Nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert _digest(path) == before
    if companion:
        assert not target.exists()


def test_a_link_to_the_database_is_the_database(demo: tuple[Path, str], tmp_path: Path) -> None:
    path, visit_id = demo
    before = _digest(path)
    link = tmp_path / "note.pdf"
    link.symlink_to(path)

    result = run("export", "soap", visit_id, "--db", str(path), "-o", str(link), "--force")

    assert result.returncode == 1
    assert "is the database" in result.stderr
    assert _digest(path) == before


def test_an_existing_file_is_replaced_only_with_force(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    path, visit_id = demo
    mine = tmp_path / "letter.pdf"
    mine.write_bytes(b"my own letter")

    refused = run("export", "soap", visit_id, "--db", str(path), "-o", str(mine))
    assert refused.returncode == 1
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert mine.read_bytes() == b"my own letter"

    forced = run("export", "soap", visit_id, "--db", str(path), "-o", str(mine), "--force")
    assert forced.returncode == 0, forced.stderr
    assert mine.read_bytes().startswith(b"%PDF")


def test_backup_never_replaces_a_file_unasked_nor_writes_a_journal_name(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    path, _visit_id = demo
    mine = tmp_path / "copy.db"
    mine.write_bytes(b"the user's own file")

    refused = run("backup", "--db", str(path), "-o", str(mine))
    assert refused.returncode == 1 and "already exists" in refused.stderr
    assert mine.read_bytes() == b"the user's own file"

    wal = tmp_path / "x.db-wal"
    journal = run("backup", "--db", str(path), "-o", str(wal), "--force")
    assert journal.returncode == 1 and "journal" in journal.stderr
    assert not wal.exists()
    assert "Backup written" not in journal.stdout

    forced = run("backup", "--db", str(path), "-o", str(mine), "--force")
    assert forced.returncode == 0, forced.stderr
    connection = sqlite3.connect(mine)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def test_a_backup_in_the_backups_folder_is_never_written_over(demo: tuple[Path, str]) -> None:
    path, _visit_id = demo
    taken = run("backup", "--db", str(path))
    assert taken.returncode == 0, taken.stderr
    (backup,) = sorted((path.parent / "backups").glob("practice-*.db"))[-1:]
    before = _digest(backup)

    result = run("backup", "--db", str(path), "-o", str(backup), "--force")

    assert result.returncode == 1
    assert "backups folder" in result.stderr
    assert _digest(backup) == before


def test_export_json_refuses_an_existing_file_and_the_database(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    path, _visit_id = demo
    before = _digest(path)
    over_database = run("export-json", "--db", str(path), "-o", str(path), "--force")
    assert over_database.returncode == 1 and "is the database" in over_database.stderr
    assert _digest(path) == before

    mine = tmp_path / "chart.json"
    mine.write_text("{}", encoding="utf-8")
    refused = run("export-json", "--db", str(path), "-o", str(mine))
    assert refused.returncode == 1 and "already exists" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "{}"
    forced = run("export-json", "--db", str(path), "-o", str(mine), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "massage-chart/" in mine.read_text(encoding="utf-8")


def test_a_batch_writes_nothing_when_a_note_file_exists_unless_forced(
    demo: tuple[Path, str], tmp_path: Path
) -> None:
    path, _visit_id = demo
    folder = tmp_path / "notes"
    folder.mkdir()
    dates = ("--from", "2000-01-01", "--to", "2100-12-31", "--workers", "1")
    first = run("export", "batch", "--db", str(path), *dates, "-o", str(folder))
    assert first.returncode == 0, first.stderr
    written = sorted(folder.iterdir())
    assert written
    written[0].write_bytes(b"edited by hand")
    for extra in written[1:]:
        extra.unlink()

    again = run("export", "batch", "--db", str(path), *dates, "-o", str(folder))
    assert again.returncode == 1 and "already exists" in again.stderr
    assert sorted(folder.iterdir()) == [written[0]]
    assert written[0].read_bytes() == b"edited by hand"

    forced = run("export", "batch", "--db", str(path), *dates, "-o", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert written[0].read_bytes().startswith(b"%PDF")
