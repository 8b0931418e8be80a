"""The note's Measures & goals tab: range of motion, tolerance and goals typed in as a therapist
would, saved with the note, locked once signed, and the goals carried to the next visit."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, QPoint, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from massage_chart.domain.measures import entries_json
from massage_chart.storage.client_records import update_visit_note
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.note.editor import VisitNoteEditor
from massage_chart.ui.note.measures import NO_DATE
from tests.helpers.notes import complete_the_note, sign_by_button
from tests.ui.conftest import NOW, TODAY, SmallPractice, new_draft, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _draft(db: Database, practice: SmallPractice, day: dt.date) -> str:
    start = dt.datetime.combine(day, dt.time(14))
    return new_draft(db, practice, start, end=start + dt.timedelta(hours=1), chief_complaint="Neck")


def _open(qtbot: QtBot, db: Database, visit_id: str) -> VisitNoteEditor:
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    editor.sections.setCurrentWidget(editor.measures)
    return editor


def _choose(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    assert index >= 0, text
    combo.setCurrentIndex(index)


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Click a check box on its indicator, as a finger would."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _stored(db: Database, visit_id: str, name: str) -> list:
    with db.read() as session:
        return list(getattr(get_visit(session, visit_id), name))


def test_typed_measures_and_goals_are_saved_and_read_back(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    editor = _open(qtbot, db, visit_id)
    rom = editor.measures.rom
    qtbot.mouseClick(rom.add_button, Qt.MouseButton.LeftButton)
    _choose(rom.cell(0, 0), "Neck rotation")
    _choose(rom.cell(0, 1), "Left")
    degrees = rom.cell(0, 4)
    degrees.setFocus()
    degrees.selectAll()
    type_text(degrees, "55")
    degrees.interpretText()
    _tick(qtbot, rom.cell(0, 6))  # pain at end range
    # Spine motions take no side: choosing one clears and locks it.
    qtbot.mouseClick(rom.add_button, Qt.MouseButton.LeftButton)
    _choose(rom.cell(1, 0), "Neck flexion")
    assert rom.cell(1, 1).currentData() == "" and not rom.cell(1, 1).isEnabled()
    _tick(qtbot, rom.cell(1, 5))  # within normal limits
    assert not rom.cell(1, 4).isEnabled()
    # One click adds an after-treatment row for each before-treatment one.
    qtbot.mouseClick(rom.again_button, Qt.MouseButton.LeftButton)
    assert rom.table.rowCount() == 4
    qtbot.mouseClick(rom.again_button, Qt.MouseButton.LeftButton)  # each motion once
    assert rom.table.rowCount() == 4
    rom.cell(2, 4).set_number(70)

    tolerance = editor.measures.tolerances
    qtbot.mouseClick(tolerance.add_button, Qt.MouseButton.LeftButton)
    _choose(tolerance.cell(0, 0), "Sitting")
    tolerance.cell(0, 1).set_number(20)

    goals = editor.measures.goals
    qtbot.mouseClick(goals.add_button, Qt.MouseButton.LeftButton)
    goals.cell(0, 1).setFocus()
    type_text(goals.cell(0, 1), "العودة إلى العمل — check traffic")
    goals.cell(0, 2).setDate(QDate(2026, 12, 18))
    _choose(goals.cell(0, 3), "Progressing")
    qtbot.mouseClick(goals.add_button, Qt.MouseButton.LeftButton)  # left empty: not saved

    assert editor.save_now()
    assert _stored(db, visit_id, "range_of_motion") == [
        {
            "motion": "cervical.rotation",
            "side": "left",
            "degrees": 55,
            "within_normal": False,
            "passive": False,
            "painful": True,
            "method": "goniometer",
            "timing": "before",
        },
        {
            "motion": "cervical.flexion",
            "side": "",
            "degrees": None,
            "within_normal": True,
            "passive": False,
            "painful": False,
            "method": "goniometer",
            "timing": "before",
        },
        {
            "motion": "cervical.rotation",
            "side": "left",
            "degrees": 70,
            "within_normal": False,
            "passive": False,
            "painful": False,
            "method": "goniometer",
            "timing": "after",
        },
    ]  # fmt: skip  (the flexion's after row has no degrees yet: not saved)
    assert _stored(db, visit_id, "tolerances") == [{"activity": "sitting", "minutes": 20}]
    assert _stored(db, visit_id, "goals") == [
        {"term": "short", "text": "العودة إلى العمل — check traffic", "target": "2026-12-18",
         "status": "progressing"},
    ]  # fmt: skip

    # Read back in a new window, as typed.
    editor.close()
    again = _open(qtbot, db, visit_id)
    assert again.measures.values()["range_of_motion"][0]["degrees"] == 55
    assert again.measures.goals.cell(0, 2).date() == QDate(2026, 12, 18)
    assert again.measures.goals.cell(0, 1).text() == "العودة إلى العمل — check traffic"
    assert not again.is_modified()


def test_removing_a_row_saves_the_rest(qtbot: QtBot, db: Database, practice: SmallPractice) -> None:
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    with db.write() as session:
        update_visit_note(
            session,
            visit_id,
            tolerances=[
                {"activity": "sitting", "minutes": 20},
                {"activity": "driving", "minutes": 5},
            ],
        )
    editor = _open(qtbot, db, visit_id)
    table = editor.measures.tolerances
    table.table.selectRow(0)
    qtbot.mouseClick(table.remove_button, Qt.MouseButton.LeftButton)
    assert editor.save_now()
    assert _stored(db, visit_id, "tolerances") == [{"activity": "driving", "minutes": 5}]


def test_goals_carry_to_the_next_visit_until_met_and_lock_when_signed(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    first = _draft(db, practice, dt.date(2026, 11, 13))
    with db.write() as session:
        update_visit_note(
            session,
            first,
            goals=[
                {"term": "short", "text": "Sleep through the night", "status": "met"},
                {"term": "long", "text": "Return to work", "target": "2027-01-15",
                 "status": "progressing"},
            ],
        )  # fmt: skip
    second = _draft(db, practice, dt.date(2026, 11, 20))
    assert _stored(db, second, "goals") == [
        {"term": "long", "text": "Return to work", "target": "2027-01-15", "status": "progressing"}
    ]
    editor = _open(qtbot, db, second)
    goals = editor.measures.goals
    assert goals.table.rowCount() == 1
    assert goals.cell(0, 2).date() != NO_DATE
    editor.close()
    with db.write() as session:
        complete_the_note(session, second)
    signed = _open(qtbot, db, second)
    sign_by_button(qtbot, signed)
    assert signed.is_signed()
    assert not signed.measures.goals.add_button.isVisible()
    assert not signed.measures.goals.cell(0, 1).isEnabled()


def test_a_list_saved_elsewhere_shows_here_unless_a_row_is_half_filled_in(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    editor = _open(qtbot, db, visit_id)
    qtbot.mouseClick(editor.measures.tolerances.add_button, Qt.MouseButton.LeftButton)
    _choose(editor.measures.tolerances.cell(0, 0), "Standing")  # no minutes typed yet
    with db.write() as session:  # another window or computer
        update_visit_note(
            session,
            visit_id,
            tolerances=[{"activity": "sitting", "minutes": 20}],
            range_of_motion=[{"motion": "knee.flexion", "side": "left", "degrees": 120}],
        )
    shown = editor.refresh_from_elsewhere()
    assert "range_of_motion" in shown and editor.measures.rom.table.rowCount() == 1
    # The half-filled row is kept: the other save waits for this one's conflict check.
    assert "tolerances" not in shown
    assert editor.measures.tolerances.cell(0, 0).currentData() == "standing"


def test_the_rows_are_built_when_the_tab_is_first_looked_at_and_showing_them_is_no_edit(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    with db.write() as session:  # an entry of a shorter form, as an older version stored it
        session.execute(
            text("UPDATE visits SET range_of_motion = :rom WHERE id = :id"),
            {"rom": '[{"motion": "knee.flexion", "side": "left", "degrees": 120}]', "id": visit_id},
        )
    stored = _stored(db, visit_id, "range_of_motion")
    in_full = entries_json("range_of_motion", stored)
    assert in_full != stored  # the form stored now writes every part of the entry
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    rom = editor.measures.rom
    assert rom.grid.rowCount() == 0  # the note opened without building a tab not looked at
    assert editor.measures.values()["range_of_motion"] == in_full  # read in the one form
    assert not editor.is_modified()

    editor.sections.setCurrentWidget(editor.measures)  # looked at
    assert rom.grid.rowCount() == 1 and rom.cell(0, 4).number() == 120
    assert rom.cell(0, 1).currentData() == "left"
    assert editor.measures.values()["range_of_motion"] == in_full  # its rows read it the same
    assert not editor.is_modified()  # what was saved, shown: nothing to save
    assert editor.refresh_from_elsewhere() == []  # nor anything changed elsewhere
    assert editor.save_now()
    assert _stored(db, visit_id, "range_of_motion") == stored
    # An edit after it is one, and saves (the short form stored is no change made elsewhere).
    rom.cell(0, 4).set_number(125)
    assert editor.is_modified() and editor.save_now(), editor.save_problem.text()
    assert editor.conflict is None
    assert _stored(db, visit_id, "range_of_motion")[0]["degrees"] == 125


def test_entries_the_rows_cannot_hold_as_stored_are_no_edit_when_looked_at(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    """A motion this version does not know, a goal's date before the rows' first: the rows read
    them back otherwise, which is what was saved shown, not an edit to write over it."""
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    with db.write() as session:
        session.execute(
            text("UPDATE visits SET range_of_motion = :rom, goals = :goals WHERE id = :id"),
            {
                "rom": '[{"motion": "knee.wiggle", "side": "left", "degrees": 120}]',
                "goals": '[{"term": "long", "text": "Walk to work", "target": "1999-06-01"}]',
                "id": visit_id,
            },
        )
    stored = {name: _stored(db, visit_id, name) for name in ("range_of_motion", "goals")}
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)

    editor.sections.setCurrentWidget(editor.measures)  # looked at: the rows are built

    assert editor.measures.rom.grid.rowCount() == 1 and editor.measures.goals.grid.rowCount() == 1
    assert not editor.is_modified()
    assert editor.save_now()
    assert {name: _stored(db, visit_id, name) for name in stored} == stored


def test_a_long_goal_shows_its_beginning_when_its_row_is_built(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    text = "Return to full shifts at the warehouse, lifting 20 kg boxes " * 3
    with db.write() as session:
        update_visit_note(session, visit_id, goals=[{"term": "long", "text": text.strip()}])
    editor = _open(qtbot, db, visit_id)  # the Measures tab shown after the note opened
    assert editor.measures.goals.cell(0, 1).cursorPosition() == 0


def test_a_signed_notes_rows_are_locked_when_built_after_signing(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    visit_id = _draft(db, practice, dt.date(2026, 11, 20))
    with db.write() as session:
        update_visit_note(session, visit_id, tolerances=[{"activity": "sitting", "minutes": 20}])
        complete_the_note(session, visit_id)
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    sign_by_button(qtbot, editor)
    assert editor.is_signed() and editor.measures.tolerances.grid.rowCount() == 0
    editor.sections.setCurrentWidget(editor.measures)
    assert not editor.measures.tolerances.cell(0, 0).isEnabled()
    assert not editor.measures.tolerances.add_button.isVisible()
