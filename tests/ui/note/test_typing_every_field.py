"""Every field of the note keeps what is typed, the ways a person types it: click into the field
and type, select what is there and type over it, or paste; read back from the database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database
from massage_chart.ui.note.editor import VisitNoteEditor
from massage_chart.ui.note.pain_box import PainBox
from tests.ui.conftest import NOW, TODAY, SmallPractice, new_draft, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TEXT_FIELDS = (
    "chief_complaint", "functional_limits", "health_update", "subjective", "objective",
    "techniques", "response", "progress", "assessment", "frequency", "home_care", "referrals",
    "next_visit", "plan",
)  # fmt: skip
PAIN_FIELDS = ("pain_now", "pain_best", "pain_worst", "pain_after")
TYPED = "Zoë: Nacken 王 قلق 5/10"  # Latin with accents, CJK, Arabic, digits


@pytest.fixture
def visit_id(db: Database, practice: SmallPractice) -> str:
    return new_draft(db, practice, dt.datetime(2026, 11, 23, 9, 0))


@pytest.fixture
def editor(qtbot: QtBot, db: Database, visit_id: str) -> Iterator[VisitNoteEditor]:
    note = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(note)
    note.resize(1366, 740)
    note.show()
    qtbot.waitExposed(note)
    note.activateWindow()
    qtbot.waitUntil(note.isActiveWindow)
    yield note
    note.save_now()


def _show(editor: VisitNoteEditor, widget: QWidget) -> None:
    """Bring the part of the note holding ``widget`` forward, as the therapist would."""
    for index in range(editor.sections.count()):
        if editor.sections.widget(index).isAncestorOf(widget):
            editor.sections.setCurrentIndex(index)


def _text(widget: QLineEdit | QPlainTextEdit) -> str:
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


def click_and_type(qtbot: QtBot, widget: QWidget, text: str) -> None:
    qtbot.mouseClick(widget if isinstance(widget, QLineEdit) else widget.viewport(),  # type: ignore[attr-defined]
                     Qt.MouseButton.LeftButton)  # fmt: skip
    qtbot.waitUntil(widget.hasFocus)
    type_text(widget, text)


def select_and_type(qtbot: QtBot, widget: QWidget, text: str) -> None:
    click_and_type(qtbot, widget, "to be replaced")
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_text(widget, text)


def paste(qtbot: QtBot, widget: QWidget, text: str) -> None:
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    clipboard.setText(text)
    click_and_type(qtbot, widget, "")
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


WAYS: dict[str, Callable[[QtBot, QWidget, str], None]] = {
    "click then type": click_and_type,
    "select then type": select_and_type,
    "paste": paste,
}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("name", TEXT_FIELDS)
def test_every_text_field_keeps_what_is_typed(
    qtbot: QtBot, editor: VisitNoteEditor, name: str, way: str
) -> None:
    widget = getattr(editor, name)
    _show(editor, widget)
    WAYS[way](qtbot, widget, TYPED)
    assert _text(widget) == TYPED
    assert editor.save_now(), editor.save_error
    editor.reload()  # read back from the database
    assert _text(getattr(editor, name)).strip() == TYPED.strip()


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("name", PAIN_FIELDS)
def test_every_pain_score_keeps_what_is_typed(
    qtbot: QtBot, editor: VisitNoteEditor, name: str, way: str
) -> None:
    box: PainBox = getattr(editor, name)
    _show(editor, box)
    line = box.lineEdit()
    assert line is not None
    if way == "paste":
        paste(qtbot, line, "6")
    elif way == "select then type":
        box.setFocus()
        qtbot.waitUntil(box.hasFocus)
        qtbot.keyClicks(line, "3")
        qtbot.keyClick(line, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(line, "6")
    else:
        qtbot.mouseClick(line, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(box.hasFocus)
        qtbot.keyClicks(line, "6")
    editor.sections.currentWidget().setFocus()  # leaving the box takes the score
    assert box.score() == 6, box.text()
    assert editor.save_now(), editor.save_error
    editor.reload()
    assert getattr(editor, name).score() == 6
