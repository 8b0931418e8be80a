"""The time out on the note: a note without one is not signed; typed or "now", it is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt, QTime
from pytestqt.qtbot import QtBot

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.client_records import update_visit_note
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import create_visit, get_visit
from massage_chart.ui.note.editor import VisitNoteEditor
from tests.helpers.notes import complete_the_note, sign_by_button
from tests.ui.conftest import NOW, TODAY, SmallPractice

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

START = dt.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def visit_id(db: Database, practice: SmallPractice) -> str:
    """Łukasz's self-pay visit this morning: complete but for the time out."""
    with db.write() as session:
        visit = create_visit(session, practice.lukasz_id, provider_id=practice.lee_id, start=START)
        complete_the_note(session, visit.id)
        update_visit_note(session, visit.id, end=None)
        return visit.id


def _open(qtbot: QtBot, db: Database, visit_id: str) -> VisitNoteEditor:
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def _end(db: Database, visit_id: str) -> dt.datetime | None:
    with db.read() as session:
        return get_visit(session, visit_id).end


def test_no_time_out_refuses_signing_until_now_is_pressed(
    qtbot: QtBot, db: Database, visit_id: str
) -> None:
    editor = _open(qtbot, db, visit_id)
    assert editor.time_out.edit.text() == "not recorded"
    assert sign_by_button(qtbot, editor) is None
    assert not editor.is_signed()
    assert "The time out is not recorded" in editor.sign_problem.text()

    qtbot.mouseClick(editor.time_out.now_button, Qt.MouseButton.LeftButton)
    assert _end(db, visit_id) == NOW.replace(second=0, microsecond=0)
    summary = sign_by_button(qtbot, editor)
    assert summary is not None and "Visit: " in summary
    assert editor.is_signed(), editor.sign_problem.text()
    assert editor.time_out.edit.isReadOnly() and not editor.time_out.now_button.isVisible()
    with db.read() as session:
        assert get_visit(session, visit_id).status is VisitStatus.SIGNED


def test_a_typed_time_out_is_stored_when_the_edit_is_finished(
    qtbot: QtBot, db: Database, visit_id: str
) -> None:
    editor = _open(qtbot, db, visit_id)
    editor.time_out.edit.setTime(QTime(10, 5))
    assert _end(db, visit_id) is None  # not while the time is being typed
    qtbot.keyClick(editor.time_out.edit, Qt.Key.Key_Return)
    assert _end(db, visit_id) == dt.datetime(2026, 11, 23, 10, 5)
    assert "10:05" in editor.subtitle_label.text()


def test_a_time_out_before_the_time_in_is_refused_at_signing(
    qtbot: QtBot, db: Database, visit_id: str
) -> None:
    editor = _open(qtbot, db, visit_id)
    editor.time_out.edit.setTime(QTime(9, 0))  # the same minute as the time in
    assert sign_by_button(qtbot, editor) is None
    assert not editor.is_signed()
    assert "is not after the time in" in editor.sign_problem.text()
