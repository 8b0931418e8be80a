"""One live document per open visit: the chart, the note editor and the note view share it, no
window writes back a stale copy, and a change made elsewhere is detected instead of overwritten."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkData, MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.ui.chart import VisitChartWindow
from massage_chart.ui.chart.visit_document import ChartDocument
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.note.editor import VisitNoteEditor
from massage_chart.ui.visit_note import VisitNoteDialog
from tests.helpers.notes import sign_by_button
from tests.ui.conftest import SmallPractice, type_text

ATLAS = load_atlas()
# The offscreen platform can neither resize a dock's window to its size hint nor raise a window.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def stored(db: Database, visit_id: str) -> dict[str, MarkData]:
    with db.read() as session:
        return {m.id: m for m in store.list_marks(session, visit_id)}


def screen_point(chart: VisitChartWindow, view: str, region_id: str) -> QPoint:
    """Where a region's inner point is on the chart's viewport."""
    figure = chart.scene.figures[view]
    x, y = ATLAS.region(view, region_id).inner_point
    return chart.view.mapFromScene(figure.mapToScene(figure.to_local(x, y)))


def press_key(
    qtbot: QtBot,
    chart: VisitChartWindow,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """Type a shortcut on the body map of a chart, its window the active one (keys go there)."""
    chart.activateWindow()
    qtbot.waitUntil(chart.isActiveWindow)
    chart.view.setFocus()
    qtbot.keyClick(chart.view.viewport(), key, modifiers)


def undo(qtbot: QtBot, chart: VisitChartWindow) -> None:
    press_key(qtbot, chart, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def chart_trigger_point(qtbot: QtBot, chart: VisitChartWindow, region_id: str) -> str:
    """Chart an active trigger point with the T tool and a click; returns the new mark's id."""
    chart.show_view("posterior")
    before = set(chart.document.marks)
    press_key(qtbot, chart, Qt.Key.Key_T)
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "posterior", region_id),
    )
    press_key(qtbot, chart, Qt.Key.Key_Escape)
    (mark_id,) = set(chart.document.marks) - before
    return mark_id


def write_note_in_inspector(qtbot: QtBot, chart: VisitChartWindow, text: str) -> None:
    chart.activateWindow()
    chart.inspector.note.setFocus()
    qtbot.waitUntil(chart.inspector.note.hasFocus)
    qtbot.keyClicks(chart.inspector.note, text)
    qtbot.keyClick(chart.inspector.note, Qt.Key.Key_Return)


@pytest.fixture
def draft(qtbot: QtBot, window: MainWindow, practice: SmallPractice) -> Iterator[str]:
    """Zoë's draft visit of 8 Oct (after her signed visit of 1 Oct); its windows close after."""
    yield practice.zoe_second_visit_id
    for document_visit in window.visit_documents.visit_ids():
        document = window.visit_documents.document(document_visit)
        if document is not None:
            document.undo_stack.clear()


@pytest.fixture
def charts(qtbot: QtBot, db: Database, practice: SmallPractice) -> list[VisitChartWindow]:
    """Two chart windows on Zoë's draft, each with a document of its own: two laptops."""
    windows = []
    for _ in range(2):
        chart = VisitChartWindow(db, practice.zoe_second_visit_id)
        qtbot.addWidget(chart)
        chart.resize(1366, 740)
        chart.show()
        qtbot.waitExposed(chart)
        windows.append(chart)
    return windows


def test_a_visit_opens_once_and_its_windows_share_one_document(
    qtbot: QtBot, window: MainWindow, draft: str
) -> None:
    chart = window.open_chart(draft)
    assert chart is not None
    qtbot.waitExposed(chart)
    editor = window.open_note_editor(draft)
    view = window.open_visit_note(draft)
    assert editor is not None and view is not None

    assert window.open_chart(draft) is chart
    assert window.open_note_editor(draft) is editor
    assert window.open_visit_note(draft) is view
    assert [w for w in window.findChildren(VisitChartWindow) if w.isVisible()] == [chart]
    assert [w for w in window.findChildren(VisitNoteEditor) if w.isVisible()] == [editor]
    assert [w for w in window.findChildren(VisitNoteDialog) if w.isVisible()] == [view]
    assert editor.document is chart.document is view.document
    assert window.visit_documents.document(draft) is chart.document
    assert window.visit_documents.visit_ids() == [draft]


def test_a_delete_and_undo_in_one_window_keeps_the_edit_made_in_another(
    qtbot: QtBot, db: Database, draft: str, charts: list[VisitChartWindow]
) -> None:
    first, second = charts
    mark_id = chart_trigger_point(qtbot, first, "upper_trapezius.r")
    second.document.read_again()  # the other laptop has seen the new mark
    assert mark_id in second.document.marks

    first.scene.select_marks([mark_id])
    press_key(qtbot, first, Qt.Key.Key_9)
    write_note_in_inspector(qtbot, first, "refers to the temple")
    assert (stored(db, draft)[mark_id].intensity, stored(db, draft)[mark_id].note) == (
        9,
        "refers to the temple",
    )

    second.scene.select_marks([mark_id])
    with qtbot.waitSignal(second.document.conflict_detected):
        press_key(qtbot, second, Qt.Key.Key_Delete)
    undo(qtbot, second)
    mark = stored(db, draft)[mark_id]
    assert (mark.intensity, mark.note) == (9, "refers to the temple")
    assert first.document.marks == second.document.marks == stored(db, draft)
    assert "changed elsewhere" in second.problem.text()
    assert second.mark_list.labels() == first.mark_list.labels()

    # Now that it shows what is saved, the second window removes the mark and puts it back:
    # as it was when removed, with the intensity and note made in the first.
    second.scene.select_marks([mark_id])
    press_key(qtbot, second, Qt.Key.Key_Delete)
    assert mark_id not in stored(db, draft)
    undo(qtbot, second)
    assert stored(db, draft)[mark_id] == mark == second.document.marks[mark_id]


def test_the_shared_chart_undoes_what_was_saved_not_an_older_copy(
    qtbot: QtBot, db: Database, window: MainWindow, draft: str
) -> None:
    chart = window.open_chart(draft)
    assert chart is not None
    qtbot.waitExposed(chart)
    mark_id = chart_trigger_point(qtbot, chart, "upper_trapezius.l")
    chart.scene.select_marks([mark_id])
    press_key(qtbot, chart, Qt.Key.Key_9)
    write_note_in_inspector(qtbot, chart, "twitch response")
    again = window.open_chart(draft)
    assert again is chart
    again.scene.select_marks([mark_id])
    press_key(qtbot, again, Qt.Key.Key_Delete)
    undo(qtbot, again)
    mark = stored(db, draft)[mark_id]
    assert (mark.intensity, mark.note) == (9, "twitch response")
    assert chart.document.marks == stored(db, draft)
    undo(qtbot, chart)  # the note, then the intensity: each back to its value before
    assert stored(db, draft)[mark_id].note == ""
    undo(qtbot, chart)
    assert stored(db, draft)[mark_id].intensity == 5


def test_the_note_editor_shows_a_new_finding_without_being_told(
    qtbot: QtBot, window: MainWindow, draft: str
) -> None:
    editor = window.open_note_editor(draft)
    chart = window.open_chart(draft)
    assert editor is not None and chart is not None
    qtbot.waitExposed(chart)
    assert "trapezius" not in editor.changes_label.text()
    mark_id = chart_trigger_point(qtbot, chart, "upper_trapezius.r")
    assert "upper trapezius" in editor.changes_label.text().lower()
    assert editor.data is not None
    assert [f.region_id for f in editor.data.findings] == ["upper_trapezius.r"]
    chart.scene.select_marks([mark_id])
    press_key(qtbot, chart, Qt.Key.Key_Delete)
    assert "trapezius" not in editor.changes_label.text()
    assert editor.data is not None and editor.data.findings == []


def test_the_read_only_note_follows_the_note_as_it_is_saved(
    qtbot: QtBot, window: MainWindow, draft: str
) -> None:
    view = window.open_visit_note(draft)
    editor = window.open_note_editor(draft)
    assert view is not None and editor is not None
    assert "Follow-up: upper back" in view.browser.toPlainText()
    editor.chief_complaint.setFocus()
    editor.chief_complaint.selectAll()
    type_text(editor.chief_complaint, "Headache behind the right eye")
    assert editor.save_now()
    assert "Headache behind the right eye" in view.browser.toPlainText()
    assert "Follow-up: upper back" not in view.browser.toPlainText()
    chart = window.open_chart(draft)
    assert chart is not None
    qtbot.waitExposed(chart)
    assert "0 marks" in view.browser.toPlainText()
    chart_trigger_point(qtbot, chart, "upper_trapezius.r")
    assert "1 mark" in view.browser.toPlainText()


def test_a_document_is_released_when_its_last_window_closes(
    qtbot: QtBot, window: MainWindow, draft: str
) -> None:
    registry = window.visit_documents
    chart = window.open_chart(draft)
    editor = window.open_note_editor(draft)
    assert chart is not None and editor is not None
    visit = chart.window()
    assert editor.window() is visit, "chart and note are one visit window"
    note_view = window.open_visit_note(draft)
    assert note_view is not None
    document = chart.document
    visit.close()
    assert registry.document(draft) is document, "the read-only note still shows it"
    with qtbot.waitSignal(document.destroyed), qtbot.waitSignal(registry.released) as released:
        note_view.close()
    assert released.args == [draft]
    assert registry.document(draft) is None and registry.visit_ids() == []

    reopened = window.open_chart(draft)
    assert reopened is not None and reopened is not chart
    assert registry.document(draft) is reopened.document
    reopened.window().close()
    assert registry.visit_ids() == []


def test_a_change_made_behind_the_chart_is_reported_not_overwritten(
    qtbot: QtBot, db: Database, window: MainWindow, draft: str
) -> None:
    chart = window.open_chart(draft)
    editor = window.open_note_editor(draft)
    assert chart is not None and editor is not None
    qtbot.waitExposed(chart)
    mark_id = chart_trigger_point(qtbot, chart, "upper_trapezius.r")
    with db.write() as session:  # the front-desk laptop, on the same database
        store.update_mark(session, mark_id, intensity=2, note="eased after stretching")

    chart.scene.select_marks([mark_id])
    with qtbot.waitSignal(chart.document.conflict_detected) as conflict:
        press_key(qtbot, chart, Qt.Key.Key_8)
    assert "changed elsewhere" in conflict.args[0]
    mark = stored(db, draft)[mark_id]
    assert (mark.intensity, mark.note) == (2, "eased after stretching")
    assert chart.document.marks == stored(db, draft)
    assert chart.problem.isVisibleTo(chart) and "changed elsewhere" in chart.problem.text()
    assert chart.mark_list.labels() == ["Active TrP · R upper trapezius · 2/10"]
    assert chart.inspector.intensity.value() == 2
    assert editor.data is not None and [f.intensity for f in editor.data.findings] == [2]

    # The therapist, now looking at what is saved, makes the change again.
    press_key(qtbot, chart, Qt.Key.Key_8)
    assert stored(db, draft)[mark_id].intensity == 8


def test_a_note_saved_elsewhere_is_not_a_conflict_for_the_chart(
    qtbot: QtBot, db: Database, window: MainWindow, draft: str
) -> None:
    chart = window.open_chart(draft)
    editor = window.open_note_editor(draft)
    assert chart is not None and editor is not None
    qtbot.waitExposed(chart)
    mark_id = chart_trigger_point(qtbot, chart, "upper_trapezius.r")
    editor.plan.setFocus()
    type_text(editor.plan, "Weekly for three weeks")
    assert editor.save_now()  # the visit row's version goes up; its marks are unchanged
    chart.scene.select_marks([mark_id])
    with qtbot.assertNotEmitted(chart.document.conflict_detected):
        press_key(qtbot, chart, Qt.Key.Key_6)
    assert stored(db, draft)[mark_id].intensity == 6


@pytest.mark.parametrize("any_db", ["sqlite", "postgresql"], indirect=True)
def test_two_documents_on_one_visit_never_lose_an_update(qtbot: QtBot, any_db: Database) -> None:
    with any_db.write() as session:
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        start = dt.datetime(2026, 11, 23, 10)
        visit_id = create_visit(session, client.id, provider_id=None, start=start).id
    here = ChartDocument(any_db, visit_id)
    there = ChartDocument(any_db, visit_id)
    mark_id = here.add_mark(
        MarkKind.TRIGGER_POINT_ACTIVE,
        "posterior",
        [ATLAS.region("posterior", "upper_trapezius.r").inner_point],
        intensity=5,
    )
    assert mark_id is not None
    with qtbot.waitSignal(there.conflict_detected):  # it never saw that mark: read again
        refused = there.add_mark(
            MarkKind.PAIN, "posterior", [ATLAS.region("posterior", "lower_trapezius.l").inner_point]
        )
    assert refused is None
    assert there.marks == here.marks == stored(any_db, visit_id)
    here.edit_marks([mark_id], intensity=9, note="refers to the temple")
    with qtbot.waitSignal(there.conflict_detected):
        there.delete_marks([mark_id])
    there.undo_stack.undo()  # the refused edit is not on the stack; nothing is undone
    expected = stored(any_db, visit_id)
    assert (expected[mark_id].intensity, expected[mark_id].note) == (9, "refers to the temple")
    assert there.marks == here.marks == expected

    there.delete_marks([mark_id])
    there.undo_stack.undo()
    assert stored(any_db, visit_id) == expected == there.marks
    with qtbot.assertNotEmitted(here.conflict_detected):
        here.edit_marks([mark_id], confirmed=True)  # the marks are as it last saw them
    assert stored(any_db, visit_id)[mark_id].confirmed


def test_signing_in_the_editor_locks_the_chart_and_the_read_only_note(
    qtbot: QtBot, db: Database, window: MainWindow, practice: SmallPractice, draft: str
) -> None:
    with db.write() as session:
        visit_id = create_visit(
            session,
            practice.zoe_id,
            provider_id=practice.lee_id,
            start=dt.datetime(2026, 10, 15, 14),
            end=dt.datetime(2026, 10, 15, 15),
            chief_complaint="Neck and upper back",
        ).id
    chart = window.open_chart(visit_id)
    view = window.open_visit_note(visit_id)
    editor = window.open_note_editor(visit_id)
    assert chart is not None and view is not None and editor is not None
    qtbot.waitExposed(chart)
    chart_trigger_point(qtbot, chart, "upper_trapezius.r")
    editor.draft_from_chart()
    editor.pain_now.setValue(4)
    type_text(editor.assessment, "Neck eased, rotation improved.")
    editor.billing.add_line("97140", 30)
    editor.provider_combo.setCurrentIndex(editor.provider_combo.findData(practice.lee_id))
    sign_by_button(qtbot, editor)
    assert editor.is_signed(), editor.sign_problem.text()
    assert chart.document.read_only and chart.banner.isVisibleTo(chart)
    assert not chart.delete_action.isEnabled()
    assert (
        "Signed" in view.browser.toPlainText()
        and "the note is locked" in view.browser.toPlainText()
    )


def test_an_earlier_visit_added_elsewhere_becomes_the_one_compared_with(
    qtbot: QtBot, db: Database, window: MainWindow, practice: SmallPractice, draft: str
) -> None:
    """Another laptop enters a visit between the last one and today's: today's chart shows its
    marks as the last visit's, and the note compares with it, once the changes are caught up."""
    from massage_chart.storage.client_records import previous_visit_findings
    from massage_chart.storage.watch import audit_head, changes_since

    visit = window.open_visit(draft)
    assert visit is not None
    qtbot.waitExposed(visit)
    document = visit.document
    first_previous = document.previous_start
    with db.read() as session:
        head = audit_head(session)
    with db.write() as session:  # elsewhere: a back-dated visit with a trigger point
        between = create_visit(
            session, practice.zoe_id, provider_id=None, start=dt.datetime(2026, 10, 5, 9, 30)
        )
        mark = store.place_mark(
            ATLAS, between.id, MarkKind.TRIGGER_POINT_ACTIVE, "posterior",
            [ATLAS.region("posterior", "upper_trapezius.r").inner_point],
        )  # fmt: skip
        store.add_mark(session, mark)
    with db.read() as session:
        changes = changes_since(session, head)
    assert practice.zoe_id in changes.clients

    with qtbot.waitSignal(document.earlier_changed):
        window.visit_documents.catch_up(changes)
    assert document.previous_start == dt.datetime(2026, 10, 5, 9, 30) != first_previous
    assert [m.id for m in document.previous] == [mark.id]
    assert [g.mark.id for g in visit.chart.scene.ghosts] == [mark.id]
    assert visit.note.data is not None
    with db.read() as session:
        assert visit.note.data.previous_findings == previous_visit_findings(session, draft)
    assert "upper trapezius" in visit.note.changes_label.text()

    # Caught up again with nothing new for the client: nothing read again, nothing said.
    with db.read() as session:
        again = changes_since(session, changes.head)
    assert not document.read_earlier_again()
    window.visit_documents.catch_up(again)
