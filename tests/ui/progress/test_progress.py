"""The progress window: pain before and after across visits, findings per region over time."""

from __future__ import annotations

import datetime as dt

import pytest
from pytestqt.qtbot import QtBot

from massage_chart.domain.marks import MarkKind
from massage_chart.storage.client_records import PainPoint
from massage_chart.storage.database import Database
from massage_chart.storage.models import Mark
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.ui.progress.progress_dialog import PainChart, ProgressDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def client_id(db: Database) -> str:
    """A client whose R upper trapezius trigger point eases 7 -> 5 -> 3 over three visits."""
    with db.write() as session:
        client = add_client(session, first_name="Ana", last_name="Silva")
        for day, intensity, before, after in ((1, 7, 8, 5), (8, 5, 6, 4), (15, 3, 4, 2)):
            visit = create_visit(
                session,
                client.id,
                provider_id=None,
                start=dt.datetime(2026, 11, day, 9),
                pain_before=before,
                pain_after=after,
            )
            session.add(
                Mark(
                    visit_id=visit.id,
                    kind=MarkKind.TRIGGER_POINT_ACTIVE.value,
                    view="posterior",
                    points=[[0.4, 0.2]],
                    region_id="upper_trapezius.r",
                    side="right",
                    intensity=intensity,
                )
            )
        return client.id


def test_progress_shows_pain_and_findings_over_time(
    qtbot: QtBot, db: Database, client_id: str
) -> None:
    _sign(db, client_id)
    dialog = ProgressDialog(db, client_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert [(p.pain_before, p.pain_after) for p in dialog.chart.points] == [(8, 5), (6, 4), (4, 2)]
    assert "from 8/10 to 4/10" in dialog.summary_label.text()
    assert dialog.trend_rows()[0] == (
        "Trigger point, active",
        "R upper trapezius",
        "2 visits ago 7/10, now 3/10  (7 → 5 → 3)",
        "better by 4",
    )
    # The lines are drawn where the scores are: the first "before" dot is high, the last low.
    first = dialog.chart.point_at(0, 8)
    last = dialog.chart.point_at(2, 4)
    assert first.x() < last.x() and first.y() < last.y()
    image = dialog.chart.grab().toImage()
    assert image.pixelColor(int(first.x()), int(first.y())).red() > 150
    # The first finding is chosen and plotted by its dates: 7, 5, 3 on 1, 8 and 15 Nov.
    region = dialog.region_chart
    assert region.trend is not None and region.trend.label == "R upper trapezius"
    assert [p.y() for p in region.rated.points()] == [7, 5, 3]
    high, low = region.point_at(0), region.point_at(2)
    assert high.x() < low.x() and high.y() < low.y()
    assert region.chart().title() == "Trigger point, active, R upper trapezius"


def test_drafts_are_left_out_unless_asked(qtbot: QtBot, db: Database, client_id: str) -> None:
    _sign(db, client_id, skip=1)  # 1 Nov stays a draft
    dialog = ProgressDialog(db, client_id)
    qtbot.addWidget(dialog)
    assert [p.pain_before for p in dialog.chart.points] == [6, 4]
    assert dialog.summary_label.text().startswith("2 visits;")
    assert dialog.trend_rows()[0][2] == "1 visit ago 5/10, now 3/10  (5 → 3)"
    dialog.include_drafts.setChecked(True)
    assert [p.pain_before for p in dialog.chart.points] == [8, 6, 4]
    assert dialog.summary_label.text().startswith("3 visits (1 not yet signed: hollow dots)")
    assert dialog.trend_rows()[0][2] == "2 visits ago 7/10, now 3/10  (7 → 5 → 3)"


def test_progress_without_visits(qtbot: QtBot, db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Bo", last_name="Ek").id
    dialog = ProgressDialog(db, client_id)
    qtbot.addWidget(dialog)
    assert dialog.summary_label.text() == "No signed visits yet."
    dialog.include_drafts.setChecked(True)
    assert dialog.summary_label.text() == "No visits yet."
    assert dialog.region_chart.trend is None
    assert dialog.trend_rows() == []


def test_visits_are_placed_by_their_dates_and_drafts_drawn_hollow(qtbot: QtBot) -> None:
    chart = PainChart()
    qtbot.addWidget(chart)
    chart.resize(700, 260)
    days = (1, 8, 29)
    chart.set_points(
        [
            PainPoint(f"v{day}", dt.datetime(2026, 11, day, 9), 8 - n, 5 - n, signed=n < 2)
            for n, day in enumerate(days)
        ]
    )
    chart.show()
    qtbot.waitExposed(chart)
    xs = [chart.point_at(n, 0).x() for n in range(3)]
    # A week, then three weeks: the gaps on the chart are a third of each other.
    assert (xs[2] - xs[1]) / (xs[1] - xs[0]) == pytest.approx(3.0, rel=0.01)
    image = chart.grab().toImage()
    filled, hollow = chart.point_at(0, 8), chart.point_at(2, 6)
    assert image.pixelColor(int(filled.x()), int(filled.y())).red() > 150
    assert image.pixelColor(int(hollow.x()), int(hollow.y())) == chart.paper
    assert "(draft, not yet signed)" in chart.toolTip().splitlines()[2]


def test_the_summary_says_which_visits_are_not_signed(
    qtbot: QtBot, db: Database, client_id: str
) -> None:
    dialog = ProgressDialog(db, client_id)
    qtbot.addWidget(dialog)
    assert dialog.summary_label.text() == "No signed visits yet."
    dialog.include_drafts.setChecked(True)
    assert dialog.summary_label.text().startswith("3 visits (none signed yet: hollow dots)")


def _sign(db: Database, client_id: str, *, skip: int = 0) -> str:
    """Sign the client's visits (all but the first ``skip``) as a new therapist; their id."""
    from sqlalchemy import select

    from massage_chart.storage.models import Provider, Visit
    from massage_chart.storage.signing import sign_visit

    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        visits = session.scalars(
            select(Visit).where(Visit.client_id == client_id).order_by(Visit.start)
        ).all()
        for visit in visits[skip:]:
            visit.end = visit.start + dt.timedelta(hours=1)
            visit.subjective, visit.provider_id = "Neck", provider.id
            session.flush()
            sign_visit(visit, provider.id, visit.start + dt.timedelta(hours=2))
        return provider.id


def test_the_progress_report_is_written_from_the_window(
    qtbot: QtBot, db: Database, client_id: str, tmp_path
) -> None:
    from PySide6.QtCore import QDate, Qt

    _sign(db, client_id, skip=1)  # 8 and 15 Nov signed, 1 Nov still a draft
    asked: list[str] = []
    target = tmp_path / "report.pdf"

    def ask(parent: object, caption: str, suggested: str) -> str:
        asked.append(suggested)
        return str(target)

    dialog = ProgressDialog(db, client_id, today=lambda: dt.date(2026, 11, 23), ask_path=ask)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.report_from.date() == QDate(2026, 11, 8)  # the first signed visit
    assert dialog.report_to.date() == QDate(2026, 11, 23)
    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)
    assert asked == ["progress-Ana-Silva-2026-11-08-to-2026-11-23.pdf"]
    assert target.read_bytes().startswith(b"%PDF")
    assert dialog.report_state.text() == f"Wrote the report to {target}."

    # A span with no signed visit says so and writes nothing.
    other = tmp_path / "none.pdf"
    dialog._ask_path = lambda *_: str(other)
    dialog.report_to.setDate(QDate(2026, 11, 5))
    dialog.report_from.setDate(QDate(2026, 11, 1))
    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)
    assert "no signed visit" in dialog.report_state.text()
    assert "Nothing was written" in dialog.report_state.text()
    assert not other.exists()


def test_a_report_is_signed_from_the_window_after_a_question(
    qtbot: QtBot, db: Database, client_id: str, tmp_path
) -> None:
    from PySide6.QtCore import Qt
    from sqlalchemy import select

    from massage_chart.storage.models import ProgressReport

    provider_id = _sign(db, client_id)
    answers = [False, True]
    questions: list[str] = []

    def confirm(parent: object, question: str) -> bool:
        questions.append(question)
        return answers.pop(0)

    dialog = ProgressDialog(db, client_id, today=lambda: dt.date(2026, 11, 23),
                            ask_path=lambda *_: str(tmp_path / "r.pdf"), confirm=confirm)  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.mouseClick(dialog.sign_report, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)  # "Cancel"
    assert not (tmp_path / "r.pdf").exists()
    qtbot.mouseClick(dialog.report_button, Qt.MouseButton.LeftButton)  # "Yes"
    assert "Ana Silva, 01 Nov 2026 to 23 Nov 2026" in questions[0]
    assert dialog.report_state.text().startswith("Wrote the signed report")
    assert not dialog.sign_report.isChecked()
    with db.read() as session:
        (report,) = session.scalars(select(ProgressReport)).all()
        assert (report.signed_by_id, len(report.visit_ids)) == (provider_id, 3)
