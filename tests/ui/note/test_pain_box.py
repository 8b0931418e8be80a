"""Pain scores typed as a therapist types them: click into the box showing "—", type 6."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.note.pain_box import PainBox
from tests.ui.note import test_note_editor
from tests.ui.note.test_note_editor import Charted, _open

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

charted = test_note_editor.charted  # Zoë's draft visit, as the note editor's tests have it


def _click_and_type(qtbot: QtBot, box: PainBox, keys: str) -> None:
    """Come to the box from elsewhere, click into it and type, as a therapist does."""
    box.window().setFocus()
    qtbot.mouseClick(box.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(box.hasFocus)
    qtbot.wait(10)  # the selection made on entering
    qtbot.keyClicks(box, keys)


@pytest.fixture
def box(qtbot: QtBot) -> Iterator[PainBox]:
    holder = QWidget()
    qtbot.addWidget(holder)
    pain = PainBox("Pain now", holder)
    QLineEdit(holder).move(0, 40)  # somewhere to tab to
    holder.show()
    qtbot.waitExposed(holder)
    yield pain
    holder.close()


def test_a_digit_typed_into_an_empty_box_is_taken(qtbot: QtBot, box: PainBox) -> None:
    assert box.text() == "—" and box.score() is None
    _click_and_type(qtbot, box, "6")
    assert box.score() == 6


def test_a_digit_typed_over_a_score_replaces_it(qtbot: QtBot, box: PainBox) -> None:
    box.set_score(4)
    _click_and_type(qtbot, box, "8")
    assert box.score() == 8
    _click_and_type(qtbot, box, "10")
    assert box.score() == 10


def test_typed_after_the_dash_or_out_of_range(qtbot: QtBot, box: PainBox) -> None:
    box.setFocus()
    qtbot.waitUntil(box.hasFocus)
    box.lineEdit().deselect()
    box.lineEdit().setCursorPosition(1)  # just after "—", as a click can leave it
    qtbot.keyClicks(box, "3")
    assert box.score() == 3
    _click_and_type(qtbot, box, "11")
    assert box.score() == 1  # the second 1 would make 11: refused, the score stays in range
    box.set_score(None)
    assert box.text() == "—"


def test_pain_typed_in_the_note_reaches_the_record(
    qtbot: QtBot, db: Database, charted: Charted
) -> None:
    editor = _open(qtbot, db, charted.visit_id)
    editor.sections.setCurrentIndex(0)
    _click_and_type(qtbot, editor.pain_now, "6")
    editor.sections.setCurrentIndex(2)
    _click_and_type(qtbot, editor.pain_after, "3")
    editor.save_now()
    with db.read() as session:
        visit = get_visit(session, charted.visit_id)
        assert (visit.pain_before, visit.pain_after) == (6, 3)
