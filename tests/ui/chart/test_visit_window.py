"""The visit window: the body chart and the SOAP note of one visit side by side, on one document,
at laptop size; keys typed in the note stay in the note; the alerts shown once above both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot

from massage_chart.domain.alerts import AlertTier
from massage_chart.domain.marks import MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.chart.visit_document import ChartDocument
from massage_chart.ui.visit_window import VisitWindow
from tests.ui.chart.conftest import Course
from tests.ui.chart.test_alerts_on_chart import click_region, give_history

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)


DOCUMENTS: list[ChartDocument] = []


@pytest.fixture(autouse=True)
def let_go_of_the_documents() -> Iterator[None]:
    yield
    for document in DOCUMENTS:
        document.undo_stack.clear()
    DOCUMENTS.clear()


def open_visit(qtbot: QtBot, db: Database, visit_id: str, size: tuple[int, int]) -> VisitWindow:
    document = ChartDocument(db, visit_id)
    DOCUMENTS.append(document)
    window = VisitWindow(db, visit_id, document=document)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


@pytest.fixture
def visit(qtbot: QtBot, db: Database, course: Course) -> VisitWindow:
    """Today's visit of Zoë's course, opened at 1366x768."""
    return open_visit(qtbot, db, course.today_visit_id, (1366, 768))


def stored_objective(db: Database, visit_id: str) -> str:
    with db.read() as session:
        return get_visit(session, visit_id).objective


def test_chart_and_note_side_by_side_fit_a_laptop_screen(visit: VisitWindow) -> None:
    assert visit.width() <= 1366 and visit.height() <= 768
    assert visit.chart.isVisible() and visit.note.isVisible()
    assert visit.chart.geometry().right() < visit.note.geometry().left()
    assert visit.chart.document is visit.note.document is visit.document
    assert visit.chart.view.width() > 200, "the body map keeps room beside the note"
    assert visit.note.sign_button.isVisible(), "signing stays in sight under the billing"
    assert visit.note.sign_button.visibleRegion().boundingRect().height() > 0


def test_marks_charted_on_the_left_draft_the_objective_on_the_right(
    qtbot: QtBot, db: Database, course: Course, visit: VisitWindow
) -> None:
    chart, note = visit.chart, visit.note
    assert note.objective.toPlainText() == ""
    chart.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    click_region(qtbot, chart, "posterior", "upper_trapezius.r")
    assert "Active trigger points: R upper trapezius" in note.objective.toPlainText()
    chart.set_tool(MarkKind.SPASM)
    click_region(qtbot, chart, "posterior", "lower_trapezius.l")
    drafted = note.objective.toPlainText()
    assert "Spasm: L lower trapezius" in drafted
    qtbot.waitUntil(lambda: stored_objective(db, course.today_visit_id) == drafted, timeout=3000)

    # Once the therapist writes their own Objective, the chart no longer rewrites it.
    note.sections.setCurrentIndex(1)
    note.objective.setFocus()
    note.objective.selectAll()
    qtbot.keyClicks(note.objective, "Ropy band R upper trapezius")
    chart.set_tool(MarkKind.HYPERTONICITY)
    click_region(qtbot, chart, "posterior", "upper_trapezius.l")
    assert note.objective.toPlainText() == "Ropy band R upper trapezius"
    assert "your text is kept" in note.draft_button.toolTip()


def test_keys_typed_in_the_note_never_act_on_the_chart(
    qtbot: QtBot, db: Database, course: Course, visit: VisitWindow
) -> None:
    chart, note = visit.chart, visit.note
    chart.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    chart.intensity_spin.setValue(4)
    click_region(qtbot, chart, "posterior", "upper_trapezius.r")
    chart.set_tool(None)
    (mark_id,) = chart.document.marks
    chart.scene.select_marks([mark_id])

    # The provider list takes no digits or Delete itself: before, they reached the chart.
    note.provider_combo.setFocus()
    qtbot.waitUntil(note.provider_combo.hasFocus)
    for key in (Qt.Key.Key_8, Qt.Key.Key_Delete, Qt.Key.Key_T, Qt.Key.Key_BracketRight):
        qtbot.keyClick(note.provider_combo, key)
    with db.read() as session:
        marks = store.list_marks(session, course.today_visit_id)
    assert [(m.id, m.intensity) for m in marks] == [(mark_id, 4)]
    assert chart.scene.tool is None and chart.intensity_spin.value() == 4

    # On the map the same keys chart.
    chart.view.setFocus()
    qtbot.waitUntil(chart.view.hasFocus)
    qtbot.keyClick(chart.view.viewport(), Qt.Key.Key_8)
    assert chart.document.marks[mark_id].intensity == 8
    qtbot.keyClick(chart.view.viewport(), Qt.Key.Key_T)
    assert chart.scene.tool is MarkKind.TRIGGER_POINT_ACTIVE


def test_f6_moves_the_keyboard_between_chart_and_note_and_ctrl_w_closes_both(
    qtbot: QtBot, visit: VisitWindow
) -> None:
    visit.show_chart()
    qtbot.waitUntil(lambda: visit.chart.isAncestorOf(QApplication.focusWidget()))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    assert visit.note.isAncestorOf(QApplication.focusWidget())
    assert QApplication.focusWidget() is visit.note.chief_complaint
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F6)
    assert visit.chart.isAncestorOf(QApplication.focusWidget())
    visit.show_note()
    with qtbot.waitSignal(visit.closed):
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier
        )
    assert not visit.isVisible()


def test_the_note_folds_away_and_stays_folded_for_the_next_visit(
    qtbot: QtBot, db: Database, course: Course, visit: VisitWindow
) -> None:
    qtbot.mouseClick(
        visit.chart.charting_toolbar.widgetForAction(visit.show_note_action),
        Qt.MouseButton.LeftButton,
    )
    assert not visit.note.isVisible() and visit.chart.isVisible()
    visit.show_chart_action.setChecked(False)  # folding both is not allowed: the note comes back
    assert visit.note.isVisible() and not visit.chart.isVisible()
    visit.show_chart_action.setChecked(True)
    visit.show_note_action.setChecked(False)
    visit.close()

    again = open_visit(qtbot, db, course.last_visit_id, (1366, 768))
    assert not again.note.isVisible() and again.chart.isVisible()
    again.show_note()
    assert again.note.isVisible()
    again.close()
    unfolded = open_visit(qtbot, db, course.last_visit_id, (1366, 768))
    assert unfolded.note.isVisible()  # shown again last time: kept too
    unfolded.close()


def test_the_alerts_are_shown_once_above_chart_and_note(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    give_history(db, course, "history of DVT left calf 2019")
    window = open_visit(qtbot, db, course.today_visit_id, (1366, 768))
    assert window.alerts_area.isVisible()
    assert window.alerts_area.geometry().bottom() < window.splitter.geometry().top()
    assert AlertTier.DEEP_TISSUE_CAUTION in window.alerts_panel.banner.shown_tiers()
    assert window.note.banner.shown_tiers() == [], "the note does not say them a second time"
    assert window.height() <= 768
    window.close()


def test_an_override_recorded_over_the_chart_lets_the_note_go_on(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    give_history(db, course, "DVT left calf")  # a stop/refer alert
    window = open_visit(qtbot, db, course.today_visit_id, (1366, 768))
    panel, note = window.alerts_panel, window.note
    assert panel.stop_notice.isVisible()
    assert not note.sections.isTabEnabled(1) and not note.billing.isEnabled()
    field = panel.banner.override_fields["dvt"]
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(field, "Cleared by Dr Osei 2026-11-20; upper body only")
    qtbot.mouseClick(panel.banner.override_buttons["dvt"], Qt.MouseButton.LeftButton)
    assert not panel.stop_notice.isVisible()
    assert note.sections.isTabEnabled(1) and note.billing.isEnabled()
    assert window.chart.tool_actions[MarkKind.TREATED.value].isEnabled()
    window.close()


def test_the_charts_warnings_are_one_line_per_caution(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    give_history(db, course, "history of DVT left calf 2019")
    window = open_visit(qtbot, db, course.today_visit_id, (1920, 1080))
    chart = window.chart
    chart.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    for region in ("upper_trapezius.r", "upper_trapezius.l", "lower_trapezius.r"):
        click_region(qtbot, chart, "posterior", region)
    lines = window.alerts_panel.mark_notes.text().splitlines()[1:]
    trigger_lines = [line for line in lines if "trigger-point work" in line]
    assert len(trigger_lines) == 1, lines
    for name in ("R upper trapezius", "L upper trapezius", "R lower trapezius"):
        assert name in trigger_lines[0]
    window.close()


def test_the_shortcut_sheet_names_every_key_of_the_visit_window(
    qtbot: QtBot, visit: VisitWindow
) -> None:
    visit.chart.help_action.trigger()
    sheet = visit.chart.shortcuts_dialog
    table = sheet.findChild(QTableWidget)
    keys = [table.item(row, 0).text() for row in range(table.rowCount())]
    for action in (
        visit.switch_action,
        visit.show_note_action,
        visit.show_chart_action,
        visit.close_action,
    ):
        shown = action.shortcut().toString()
        assert any(shown in key for key in keys), (shown, keys)
    assert "/" in keys
    sheet.close()


def test_the_note_alone_puts_billing_beside_the_soap_parts(
    qtbot: QtBot, visit: VisitWindow
) -> None:
    assert visit.note.parts.orientation() is Qt.Orientation.Vertical  # beside the chart
    visit.show_chart_action.setChecked(False)
    qtbot.waitUntil(lambda: visit.note.parts.orientation() is Qt.Orientation.Horizontal)
    visit.show_chart_action.setChecked(True)
    qtbot.waitUntil(lambda: visit.note.parts.orientation() is Qt.Orientation.Vertical)


def test_the_notes_findings_are_the_charts_marks_as_the_database_holds_them(
    qtbot: QtBot, db: Database, course: Course, visit: VisitWindow
) -> None:
    from sqlalchemy import event

    from massage_chart.storage.client_records import previous_visit_findings, visit_findings

    read: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        read.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        visit.chart.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
        click_region(qtbot, visit.chart, "posterior", "upper_trapezius.r")
        visit.chart.set_tool(MarkKind.TREATED)
        click_region(qtbot, visit.chart, "posterior", "lower_trapezius.l")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    # Charting wrote the marks; the note took them from the chart, reading none back.
    assert not [s for s in read if s.lstrip().upper().startswith("SELECT MARKS.")]
    with db.read() as session:
        assert visit.note.data is not None
        assert visit.note.data.findings == visit_findings(session, course.today_visit_id)
        earlier = previous_visit_findings(session, course.today_visit_id)
        assert earlier and visit.note.data.previous_findings == earlier
    assert len(visit.note.data.findings) == 2
