"""Every signed note of the demo practice: every numbered finding is visible on a figure."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from massage_chart.demo import seed_demo
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.export.service import DocumentKind, render
from massage_chart.export.snapshot import VisitSnapshot, load_visit_snapshot
from massage_chart.export.soap_pdf import body_charts
from massage_chart.storage.database import open_database
from massage_chart.storage.models import Visit
from tests.export.pdftext import all_text
from tests.export.test_body_chart import assert_nothing_hidden

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def signed_notes(tmp_path_factory: pytest.TempPathFactory) -> list[VisitSnapshot]:
    """The snapshots of every signed visit of a freshly seeded demo practice."""
    database = open_database(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    try:
        seed_demo(database, today=dt.date(2026, 11, 23))
        with database.read() as session:
            ids = session.scalars(
                select(Visit.id).where(Visit.status == VisitStatus.SIGNED).order_by(Visit.start)
            ).all()
            return [load_visit_snapshot(session, visit_id) for visit_id in ids]
    finally:
        database.dispose()


def test_every_numbered_finding_of_every_signed_note_is_visible(
    signed_notes: list[VisitSnapshot],
) -> None:
    assert len(signed_notes) > 250
    crowded = 0
    for snapshot in signed_notes:
        charts = body_charts(snapshot.marks)
        for chart in charts:
            assert_nothing_hidden(chart)
        on_figures = sorted(p.label.number for c in charts for _, p in c.layout.placed())
        assert on_figures == [m.number for m in snapshot.marks], snapshot.id
        crowded += any(c.layout.insets for c in charts)
    assert crowded > 20  # the neck, low back and hand clusters of the demo get close-ups


def test_the_most_crowded_notes_print_their_close_ups(signed_notes: list[VisitSnapshot]) -> None:
    def crowding(snapshot: VisitSnapshot) -> tuple[int, int]:
        charts = body_charts(snapshot.marks)
        return sum(len(c.layout.insets) for c in charts), len(snapshot.marks)

    hardest = sorted(signed_notes, key=crowding, reverse=True)[:3]
    for snapshot in hardest:
        text = " ".join(all_text(render(DocumentKind.SOAP, snapshot)).split())
        for chart in body_charts(snapshot.marks):
            for inset in chart.layout.insets:
                assert inset.caption in text
