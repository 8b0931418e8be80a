"""The SOAP sub-fields and stop/refer overrides, kept in columns, print on both documents."""

from __future__ import annotations

import datetime as dt

from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.storage.client_records import record_override, update_visit_note
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.signing import sign_visit
from tests.export.conftest import START, VisitSpec, make_visit
from tests.export.pdftext import all_text, flat


def test_sub_fields_and_overrides_print_with_their_sections(db: Database) -> None:
    made = make_visit(db, VisitSpec(signed=False, plan="Reassess cervical rotation."))
    with db.write() as session:
        update_visit_note(
            session,
            made.visit_id,
            pain_best=2,
            pain_worst=8,
            functional_limits="cannot check blind spot",
            response="tissue softened",
            progress_toward_goals="STG 1 met",
            frequency="weekly x4",
            home_care="chin tucks 10 reps hourly; heat 15 minutes",
            referrals_out="physiotherapy",
            next_visit="27 Nov",
        )
        record_override(session, made.visit_id, "dvt", "Cleared by Dr Raman by phone")
        sign_visit(
            get_visit(session, made.visit_id), made.provider_id, START + dt.timedelta(hours=2)
        )
    snapshot = read_snapshot(db, made.visit_id)
    assert snapshot.integrity_ok
    note = flat(all_text(render(DocumentKind.SOAP, snapshot)))
    for line in (
        "Stop/refer override [dvt]: Cleared by Dr Raman by phone",
        "Pain best: 2/10",
        "Pain worst: 8/10",
        "Functional limits: cannot check blind spot",
        "Response: tissue softened",
        "Progress toward goals: STG 1 met",
        "Frequency: weekly x4",
        "Referrals: physiotherapy",
        "Next visit: 27 Nov",
        "Reassess cervical rotation.",
    ):
        assert flat(line) in note
    summary = flat(all_text(render(DocumentKind.SUMMARY, snapshot)))
    assert flat("Chin tucks 10 reps hourly") in summary
