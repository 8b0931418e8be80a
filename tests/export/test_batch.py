"""Batch export: every signed note in a date range, one file each, on worker processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from massage_chart.export.atomic import ExportError
from massage_chart.export.batch import export_batch, file_name, safe_name_part, signed_visits
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent
from tests.export.conftest import MadeVisit
from tests.export.pdftext import all_text

Factory = Callable[..., MadeVisit]


def _practice(visit_factory: Factory) -> dict[str, MadeVisit]:
    return {
        "zoe": visit_factory(start=dt.datetime(2026, 11, 2, 9, 0)),
        "lukasz": visit_factory(
            first_name="Łukasz", last_name="Żółć", start=dt.datetime(2026, 11, 3, 14, 0)
        ),
        "wang": visit_factory(
            first_name="小明", last_name="王", start=dt.datetime(2026, 11, 30, 23)
        ),
        "draft": visit_factory(start=dt.datetime(2026, 11, 4, 9, 0), signed=False),
        "december": visit_factory(start=dt.datetime(2026, 12, 1, 0, 0)),
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_every_signed_note_in_the_range_is_written_and_audited(
    db: Database, visit_factory: Factory, tmp_path: Path, workers: int
) -> None:
    made = _practice(visit_factory)
    seen: list[tuple[int, int]] = []
    out = tmp_path / "out"
    out.mkdir()
    report = export_batch(
        db.url,
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
        out,
        workers=workers,
        progress=lambda done, total, name: seen.append((done, total)),
    )
    assert not report.failures
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        f"2026-11-02_Ağaoğlu-Zoë_{made['zoe'].visit_id[:8]}.pdf",
        f"2026-11-03_Żółć-Łukasz_{made['lukasz'].visit_id[:8]}.pdf",
        f"2026-11-30_王-小明_{made['wang'].visit_id[:8]}.pdf",
    ]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    text = all_text((out / names[1]).read_bytes())
    assert "Łukasz Żółć" in text and "Electronically signed by" in text
    with db.read() as session:
        exported = session.scalars(
            select(AuditEvent.visit_id).where(AuditEvent.action == "export")
        ).all()
    assert sorted(str(v) for v in exported) == sorted(
        made[k].visit_id for k in ("zoe", "lukasz", "wang")
    )


def test_an_empty_range_writes_nothing(
    db: Database, visit_factory: Factory, tmp_path: Path
) -> None:
    _practice(visit_factory)
    out = tmp_path / "out"
    out.mkdir()
    report = export_batch(db.url, dt.date(2025, 1, 1), dt.date(2025, 1, 31), out)
    assert report.written == [] and report.failures == []
    assert list(out.iterdir()) == []


def test_a_missing_folder_is_refused_before_any_work(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export_batch(db.url, dt.date(2026, 1, 1), dt.date(2026, 1, 2), tmp_path / "none")


def test_signed_visits_selects_by_day_of_service(db: Database, visit_factory: Factory) -> None:
    made = _practice(visit_factory)
    with db.read() as session:
        items = signed_visits(session, dt.date(2026, 11, 30), dt.date(2026, 12, 1))
    assert [i.visit_id for i in items] == [made["wang"].visit_id, made["december"].visit_id]


def test_file_names_keep_letters_of_every_script_and_drop_path_characters() -> None:
    start = dt.datetime(2026, 11, 20, 10, 0)
    assert file_name(start, "Nguyễn", "Zoë", "v-9") == "2026-11-20_Nguyễn-Zoë_v-9.pdf"
    assert safe_name_part("../../etc/passwd") == "etc_passwd"
    assert safe_name_part("O'Brien / Smith") == "O_Brien_Smith"
    assert safe_name_part("   ") == "unnamed"
    # No separator left at either end, also where the 40-character cut falls on one.
    assert file_name(start, "O'Neil-", "-Ana", "v-9") == "2026-11-20_O_Neil-Ana_v-9.pdf"
    assert safe_name_part("a" * 39 + " Smith") == "a" * 39
    assert safe_name_part("---") == "unnamed"
