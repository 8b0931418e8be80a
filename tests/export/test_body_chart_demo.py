"""Every signed note of the demo practice: every numbered finding is visible on a figure."""

from __future__ import annotations

import pytest

from massage_chart.export.service import DocumentKind, render
from massage_chart.export.snapshot import VisitSnapshot
from massage_chart.export.soap_pdf import body_charts
from tests.export.conftest import signed_demo_snapshots
from tests.export.pdftext import all_text
from tests.export.test_body_chart import assert_nothing_hidden

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def signed_notes(tmp_path_factory: pytest.TempPathFactory) -> list[VisitSnapshot]:
    """The snapshots of every signed visit of a freshly seeded demo practice."""
    return signed_demo_snapshots(tmp_path_factory.mktemp("demo"))


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
