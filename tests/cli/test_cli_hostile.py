"""Hostile arguments and files on the command line: one clear line, a non-zero exit, no traceback.

Most run ``main()`` in-process (an exception would fail the test, as a traceback would fail the
user); two run the installed module as a subprocess to see exactly what a terminal shows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from massage_chart.cli import main
from massage_chart.storage.chart_file import MAX_FILE_BYTES
from massage_chart.storage.client_records import sign_and_record
from massage_chart.storage.database import Database
from massage_chart.storage.models import Provider
from massage_chart.storage.repositories import add_client, create_visit
from tests.helpers.dump import dump
from tests.helpers.notes import complete_the_note


@pytest.fixture
def seeded(db: Database, db_path: Path) -> tuple[Path, str]:
    """A database file with one client and one signed visit; returns (path, visit id)."""
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        visit = create_visit(
            session,
            client.id,
            provider_id=provider.id,
            start=dt.datetime(2026, 11, 2, 10, 0),
            end=dt.datetime(2026, 11, 2, 11, 0),
            subjective="Neck pain.",
        )
        complete_the_note(session, visit.id)
        sign_and_record(session, visit.id, provider.id, dt.datetime(2026, 11, 2, 11, 5))
        visit_id = visit.id
    db.dispose()
    return db_path, visit_id


def _fails(capsys: pytest.CaptureFixture[str], args: list[str], words: str) -> str:
    code = main(args)
    captured = capsys.readouterr()
    assert code != 0
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("massage-chart: error: ")
    assert words in lines[0], lines[0]
    assert "Traceback" not in captured.err
    return lines[0]


@pytest.mark.parametrize(
    ("dates", "words"),
    [
        (["--from", "2026-02-31", "--to", "2026-03-01"], "--from '2026-02-31' is not a date"),
        (["--from", "2026-01-01", "--to", "0000-01-01"], "--to '0000-01-01' is not a date"),
        (["--from", "", "--to", "2026-01-01"], "--from '' is not a date"),
        (["--from", "31/12/2026", "--to", "2027-01-01"], "write it as YYYY-MM-DD"),
        (["--from", "'; DROP TABLE visits;--", "--to", "2027-01-01"], "is not a date"),
        (["--from", "2026-12-01", "--to", "2026-01-01"], "is before --from"),
    ],
)
def test_bad_batch_dates(
    capsys: pytest.CaptureFixture[str],
    seeded: tuple[Path, str],
    tmp_path: Path,
    dates: list[str],
    words: str,
) -> None:
    path, _ = seeded
    _fails(capsys, ["--db", str(path), "export", "batch", *dates, "-o", str(tmp_path)], words)


def test_batch_output_that_is_a_file_or_missing(
    capsys: pytest.CaptureFixture[str], seeded: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = seeded
    dates = ["--from", "2026-01-01", "--to", "2026-12-31"]
    _fails(capsys, ["--db", str(path), "export", "batch", *dates, "-o", str(path)], "not a folder")
    missing = tmp_path / "no" / "such"
    _fails(
        capsys, ["--db", str(path), "export", "batch", *dates, "-o", str(missing)], "does not exist"
    )


@pytest.mark.parametrize("visit_id", ["no-such-visit", "'; DROP TABLE visits;--", "%", "王"])
def test_unknown_visit_ids(
    capsys: pytest.CaptureFixture[str], seeded: tuple[Path, str], tmp_path: Path, visit_id: str
) -> None:
    path, _ = seeded
    before = _file_dump(path)
    _fails(
        capsys,
        ["--db", str(path), "export", "soap", visit_id, "-o", str(tmp_path / "n.pdf")],
        "There is no visit with id",
    )
    assert not (tmp_path / "n.pdf").exists()
    assert _file_dump(path) == before


def test_a_folder_or_a_missing_folder_as_the_pdf_output(
    capsys: pytest.CaptureFixture[str], seeded: tuple[Path, str], tmp_path: Path
) -> None:
    path, visit_id = seeded
    db = ["--db", str(path)]
    _fails(capsys, [*db, "export", "soap", visit_id, "-o", str(tmp_path)], "is a folder")
    _fails(
        capsys,
        [*db, "export", "summary", visit_id, "-o", str(tmp_path / "none" / "x.pdf")],
        "does not exist",
    )


def test_a_folder_as_the_chart_file_output(
    capsys: pytest.CaptureFixture[str], seeded: tuple[Path, str], tmp_path: Path
) -> None:
    """``export-json -o .`` raised ValueError from Path.with_name (a traceback)."""
    path, _ = seeded
    db = ["--db", str(path)]
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        _fails(capsys, [*db, "export-json", "-o", "."], "is a folder; give a file name")
    finally:
        os.chdir(cwd)
    _fails(capsys, [*db, "export-json", "-o", str(tmp_path)], "is a folder")
    _fails(
        capsys,
        [*db, "export-json", "-o", str(tmp_path / "none" / "c.json")],
        "Could not write",
    )
    _fails(
        capsys,
        [*db, "export-json", "no-such-client", "-o", str(tmp_path / "c.json")],
        "No client with id no-such-client",
    )
    assert not (tmp_path / "c.json").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def _file_dump(path: Path) -> object:
    from massage_chart.storage.database import open_database

    database = open_database(str(path))
    try:
        return dump(database)
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "broken JSON"),
        (b'{"format": "massage-chart/1", "clients": [', "broken JSON"),
        (b"\xff\xfe garbage", "not UTF-8"),
        (b'{"format": "massage-chart/7", "clients": []}', "newer version"),
        (b'{"format": "massage-chart/1", "clients": [{"first_name": 5}]}', "not valid"),
        (b'{"format": "massage-chart/1", "clients": [], "n": ' + b"9" * 5000 + b"}", "digits"),
        (
            json.dumps(
                {
                    "format": "massage-chart/1",
                    "clients": [{"first_name": "N" * 100_000, "last_name": "Long"}],
                }
            ).encode(),
            "First name is too long",
        ),
        (
            json.dumps(
                {
                    "format": "massage-chart/1",
                    "clients": [
                        {"id": "c-1", "first_name": "A", "last_name": "B"},
                        {"id": "c-1", "first_name": "A", "last_name": "B"},
                    ],
                }
            ).encode(),
            "appears twice",
        ),
    ],
)
def test_hostile_chart_files_are_refused_and_the_database_is_unchanged(
    capsys: pytest.CaptureFixture[str],
    seeded: tuple[Path, str],
    tmp_path: Path,
    content: bytes,
    words: str,
) -> None:
    path, _ = seeded
    chart = tmp_path / "chart.json"
    chart.write_bytes(content)
    before = _file_dump(path)
    line = _fails(capsys, ["--db", str(path), "import-json", str(chart)], words)
    assert line.endswith("Nothing was imported.")
    assert _file_dump(path) == before


def test_an_oversized_missing_or_folder_chart_file(
    capsys: pytest.CaptureFixture[str], seeded: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = seeded
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk used
    assert big.stat().st_size > MAX_FILE_BYTES
    db = ["--db", str(path)]
    _fails(capsys, [*db, "import-json", str(big)], "200 MB; the largest this version imports")
    _fails(capsys, [*db, "import-json", str(tmp_path / "nope.json")], "Cannot read")
    _fails(capsys, [*db, "import-json", str(tmp_path)], "Cannot read")


def test_a_folder_or_an_unopenable_path_as_the_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _fails(capsys, ["--db", str(tmp_path), "check"], "is a folder, not a database file")
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"%PDF-1.7\n" + b"\x00" * 5000)
    _fails(capsys, ["--db", str(not_a_db), "check"], str(not_a_db))


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "massage_chart", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )


def test_in_a_terminal_a_bad_date_and_a_bad_chart_file_show_one_line(
    seeded: tuple[Path, str], tmp_path: Path
) -> None:
    path, _ = seeded
    chart = tmp_path / "chart.json"
    chart.write_text('{"format": "massage-chart/1", "clients": [{"first_name": "\\ud800"}]}')
    for args in (
        ("export", "batch", "--from", "2026-02-30", "--to", "2026-03-01", "-o", str(tmp_path)),
        ("import-json", str(chart)),
    ):
        result = _run("--db", str(path), *args)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("massage-chart: error:")
