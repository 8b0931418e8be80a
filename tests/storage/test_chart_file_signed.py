"""Signed visits in a chart file: kept as recorded, unless the signing rules refuse them outright."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from massage_chart.demo import seed_demo
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.chart_file import ChartFileError, dumps_chart, export_chart, import_chart
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Client, Visit
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.signing import verify_visit_hash
from tests.storage.test_chart_file import _without_provenance

SIGNED_VISIT: dict[str, Any] = {
    "id": "v-1",
    "start": "2026-11-20T07:14:00",
    "end": "2026-11-20T08:14:00",
    "status": "signed",
    "provider": {"id": "p-lee", "first_name": "Sam", "last_name": "Lee", "credentials": "LMT"},
    "subjective": "Neck pain 6/10 on waking.",
    "objective": "Hypertonic right upper trapezius.",
    "assessment": "Rotation improved.",
    "plan": "Weekly.",
    "pain_before": 6,
    "icd10": ["M54.2"],
    "billing": [{"cpt": "97140", "minutes": 53, "units": 4, "diagnosis_pointers": [1]}],
    "marks": [
        {"kind": "tender_point", "view": "posterior", "points": [[0.4, 0.2]], "confirmed": True}
    ],
    "signed_at": "2026-11-20T08:30:00",
    "signed_by": "p-lee",
    "addenda": [],
}


def _document(**changes: Any) -> dict[str, Any]:
    visit = {**copy.deepcopy(SIGNED_VISIT), **changes}
    return {
        "format": "massage-chart/1",
        "clients": [{"id": "c-1", "first_name": "Zoë", "last_name": "Nguyễn", "visits": [visit]}],
    }


def _import(db: Database, document: dict[str, Any]) -> None:
    with db.write() as session:
        import_chart(session, document)


def _clients(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count(Client.id))) or 0)


def test_a_complete_signed_visit_is_imported_signed(db: Database) -> None:
    _import(db, _document())
    with db.read() as session:
        visit = get_visit(session, "v-1")
        assert visit.status is VisitStatus.SIGNED and visit.signed_by_id == "p-lee"
        assert verify_visit_hash(visit)


def test_warnings_do_not_refuse_a_signature_made_elsewhere(db: Database) -> None:
    """Likely denials (no Assessment, no pain score) were the signer's call; kept as signed."""
    _import(db, _document(assessment="", pain_before=None, icd10=[], billing=[]))
    with db.read() as session:
        assert get_visit(session, "v-1").status is VisitStatus.SIGNED


NO_SIGNER = {"provider": None, "signed_by": None}
UNCONFIRMED = [
    {"kind": "tender_point", "view": "posterior", "points": [[0.4, 0.2]], "confirmed": False}
]


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"end": None}, "The time out is not recorded"),
        ({"end": "2026-11-20T07:14:00"}, "is not after the time in"),
        ({"subjective": "", "objective": " "}, "no Subjective or Objective"),
        (NO_SIGNER, "Choose the provider who signs the note"),
        ({"marks": UNCONFIRMED}, "1 mark copied forward from the last visit not confirmed"),
    ],
)
def test_a_signed_visit_breaking_a_blocking_rule_refuses_the_whole_file(
    db: Database, changes: dict[str, Any], words: str
) -> None:
    document = _document(**changes)
    with pytest.raises(ChartFileError) as refused:
        _import(db, document)
    message = str(refused.value)
    assert message.startswith("clients[0].visits[0]: the visit of 2026-11-20 07:14 (id v-1)")
    assert words in message
    assert _clients(db) == 0  # all or nothing


def test_the_same_visit_as_a_draft_imports_as_a_draft(db: Database) -> None:
    document = _document(end=None, subjective="", objective="", marks=UNCONFIRMED, **NO_SIGNER)
    visit = document["clients"][0]["visits"][0]
    visit.update(status="draft", signed_at=None)
    _import(db, document)
    with db.read() as session:
        stored = get_visit(session, "v-1")
        assert stored.status is VisitStatus.DRAFT and stored.end is None
        assert [m.confirmed for m in stored.marks] == [False]


def test_demo_chart_files_still_round_trip(db: Database, tmp_path: Path) -> None:
    seed_demo(db, clients=4, today=dt.date(2026, 11, 23))
    with db.write() as session:
        first = dumps_chart(export_chart(session))
    other = open_database(str(tmp_path / "other.db"))
    try:
        _import(other, json.loads(first))
        with other.write() as session:
            assert _without_provenance(dumps_chart(export_chart(session))) == first
        with other.read() as session:
            signed = session.scalars(select(Visit).where(Visit.status == VisitStatus.SIGNED)).all()
            assert signed and all(verify_visit_hash(v) for v in signed)
    finally:
        other.dispose()


def test_a_hand_written_signed_note_says_it_was_signed_elsewhere(db: Database) -> None:
    """A file can carry a signature, never pass it off as one made in these records."""
    from massage_chart.export.service import DocumentKind, render_document
    from tests.export.pdftext import all_text, flat

    document = _document(signed_at="2024-03-05T10:00:00")
    document["practice"] = {"name": "Harbour Physio"}
    document["generator"] = "OtherChart 7"
    _import(db, document)
    with db.read() as session:
        visit = get_visit(session, "v-1")
        assert visit.is_signed and verify_visit_hash(visit)
        assert visit.imported_from == "Harbour Physio (OtherChart 7)"
        assert visit.imported_seal == "added"  # the file carried no content hash
        assert visit.imported_by and visit.imported_at is not None
    text = flat(all_text(render_document(db, DocumentKind.SOAP, "v-1").pdf))
    assert flat("Electronically signed") not in text
    assert flat("Signed in Harbour Physio (OtherChart 7) by Sam Lee") in text
    assert flat("on 5 Mar 2024") in text
    assert flat("Not signed in this practice's records") in text
    assert flat("made on import") in text


def test_signed_notes_of_a_therapist_this_practice_already_has_keep_their_seals(
    tmp_path: Path,
) -> None:
    """Another laptop's notes come in while this practice already holds the same therapists
    (matched by NPI, so under other ids): the file's hashes verify with the file's ids and the
    notes, addenda and progress reports are sealed again with these, never shown as failing."""
    from massage_chart.storage.client_records import add_addendum
    from massage_chart.storage.models import Addendum, ProgressReport
    from massage_chart.storage.progress_reports import report_intact, sign_progress_report
    from massage_chart.storage.safekeeping import check_database

    laptop = open_database(str(tmp_path / "laptop.db"))
    clinic = open_database(str(tmp_path / "clinic.db"))
    try:
        seed_demo(laptop, clients=3, seed=7)
        seed_demo(clinic, clients=4)
        with laptop.write() as session:
            first = session.scalars(
                select(Visit).where(Visit.status == VisitStatus.SIGNED).order_by(Visit.start)
            ).first()
            assert first is not None
            add_addendum(
                session, first.id, author_id=first.signed_by_id, reason="Late entry",
                text="Client phoned: headache eased.",
            )  # fmt: skip
            sign_progress_report(
                session, first.client_id, first.start.date(), dt.date(2026, 12, 31), None,
                dt.datetime(2026, 12, 2, 9, 0),
            )  # fmt: skip
        with laptop.read() as session:
            ids = list(session.scalars(select(Client.id)))
            document = json.loads(dumps_chart(export_chart(session, ids)))
            filed = {v.id: v.content_hash for v in session.scalars(select(Visit))}
        visits = [v for c in document["clients"] for v in c["visits"] if v["status"] == "signed"]
        assert visits and any(c.get("progress_reports") for c in document["clients"])
        with clinic.write() as session:
            report = import_chart(session, document)
        assert report.warnings == [] and report.providers_created == 0
        assert check_database(clinic).problems == []
        with clinic.read() as session:
            for item in visits:
                visit = get_visit(session, item["id"])
                assert visit.signed_by_id != item["signed_by"]  # this practice's own therapist
                assert visit.imported_seal == "carried"
                assert verify_visit_hash(visit) and visit.content_hash != filed[visit.id]
            (addendum,) = session.scalars(select(Addendum)).all()
            assert addendum.author_id != first.signed_by_id
            (stored,) = session.scalars(select(ProgressReport)).all()
            assert report_intact(session, stored)
    finally:
        laptop.dispose()
        clinic.dispose()
