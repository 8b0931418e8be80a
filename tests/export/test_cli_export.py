"""``massage-chart export``: soap, summary and batch as a user runs them, with clear errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from massage_chart.cli import main
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent
from massage_chart.storage.settings import default_settings_path, write_json_atomically
from tests.cli.test_cli import run
from tests.export.conftest import MadeVisit
from tests.export.pdftext import all_text

Factory = Callable[..., MadeVisit]


def _db_args(db: Database) -> list[str]:
    assert db.file is not None
    return ["--db", str(db.file)]


def test_export_soap_writes_the_note_and_audits_it(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    made = visit_factory()
    out = tmp_path / "note.pdf"
    result = run("export", "soap", made.visit_id, *_db_args(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"to {out}" in result.stdout
    assert "Electronically signed by Sam Lee, LMT" in all_text(out.read_bytes())
    with db.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.visit_id == made.visit_id and event.client_id == made.client_id
    assert "SOAP note PDF" in event.detail


def test_export_summary_writes_the_client_summary(
    db: Database, visit_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = visit_factory()
    out = tmp_path / "summary.pdf"
    assert main(["export", "summary", made.visit_id, *_db_args(db), "-o", str(out)]) == 0
    assert "client visit summary" in capsys.readouterr().out
    assert "Your home care" in all_text(out.read_bytes())


def test_unknown_visit_id_fails_clearly(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    assert main(["export", "soap", "no-such-visit", *_db_args(db), "-o", str(out)]) == 1
    assert "There is no visit with id 'no-such-visit'." in capsys.readouterr().err
    assert not out.exists()


def test_unwritable_target_fails_clearly(
    db: Database, visit_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = visit_factory()
    (tmp_path / "a-file").write_text("not a folder")
    out = tmp_path / "a-file" / "note.pdf"
    assert main(["export", "soap", made.visit_id, *_db_args(db), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "is not a folder" in err and "Nothing was written." in err


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (["--from", "2026-13-01", "--to", "2026-11-30"], "--from '2026-13-01' is not a date"),
        (["--from", "2026-11-01", "--to", "yesterday"], "--to 'yesterday' is not a date"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "is before --from"),
    ],
)
def test_batch_refuses_bad_dates(
    db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    dates: list[str],
    message: str,
) -> None:
    assert main(["export", "batch", *dates, *_db_args(db), "-o", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err


def test_batch_refuses_a_missing_folder(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["export", "batch", "--from", "2026-11-01", "--to", "2026-11-30"]
    assert main([*args, *_db_args(db), "-o", str(tmp_path / "missing")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_batch_writes_the_range_with_progress(
    db: Database, visit_factory: Factory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visit_factory(start=dt.datetime(2026, 11, 5, 9))
    visit_factory(first_name="Дмитрий", last_name="Иванов", start=dt.datetime(2026, 11, 6, 9))
    out = tmp_path / "out"
    out.mkdir()
    args = ["export", "batch", "--from", "2026-11-01", "--to", "2026-11-30", "--workers", "1"]
    assert main([*args, *_db_args(db), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "[2/2]" in captured.err
    assert "Wrote 2 SOAP notes" in captured.out
    assert len(list(out.glob("*.pdf"))) == 2


@pytest.mark.parametrize(
    ("clock", "times"), [("12-hour", "10:00 AM – 11:00 AM"), ("24-hour", "10:00–11:00")]
)
def test_exports_write_times_on_the_clock_chosen_in_settings(
    db: Database, visit_factory: Factory, tmp_path: Path, clock: str, times: str
) -> None:
    """The command line and every batch worker print times as the window of this computer does."""
    write_json_atomically(default_settings_path(), {"clock": clock})
    made = visit_factory()
    out = tmp_path / "note.pdf"
    result = run("export", "soap", made.visit_id, *_db_args(db), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert times in all_text(out.read_bytes())

    folder = tmp_path / "batch"
    folder.mkdir()
    day = "2026-11-20"
    batch = run(
        "export",
        "batch",
        "--from",
        day,
        "--to",
        day,
        "--workers",
        "2",
        *_db_args(db),
        "-o",
        str(folder),
    )
    assert batch.returncode == 0, batch.stderr
    (written,) = folder.glob("*.pdf")
    assert times in all_text(written.read_bytes())
