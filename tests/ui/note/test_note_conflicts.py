"""Two computers writing the same note: a field saved on one since the other opened the note is
never silently written over; the therapist keeps theirs or takes the other's. Different fields
written on each are both kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.client_records import NoteChangedElsewhereError, update_visit_note
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.note.editor import VisitNoteEditor
from tests.ui.conftest import NOW, TODAY, SmallPractice, new_draft, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def visit_id(db: Database, practice: SmallPractice) -> str:
    return new_draft(
        db, practice, dt.datetime(2026, 11, 23, 9, 0), objective="Tender R upper trapezius."
    )


@pytest.fixture
def laptops(
    qtbot: QtBot, db: Database, db_path: Path, visit_id: str
) -> Iterator[tuple[VisitNoteEditor, VisitNoteEditor]]:
    """The note open on two computers (two connections to one database)."""
    other = open_database(str(db_path))
    editors = []
    for database in (db, other):
        editor = VisitNoteEditor(database, visit_id, now=lambda: NOW, today=lambda: TODAY)
        qtbot.addWidget(editor)
        editor.show()
        editors.append(editor)
    yield editors[0], editors[1]
    for editor in editors:
        editor.conflict = None
    other.dispose()


def stored(db: Database, visit_id: str, name: str) -> object:
    with db.read() as session:
        return getattr(get_visit(session, visit_id), name)


def write(editor: VisitNoteEditor, field: str, text: str) -> None:
    widget = getattr(editor, field)
    widget.selectAll()
    type_text(widget, text)


def test_the_same_field_saved_on_both_is_not_written_over_until_the_therapist_chooses(
    qtbot: QtBot, db: Database, visit_id: str, laptops: tuple[VisitNoteEditor, VisitNoteEditor]
) -> None:
    front, back = laptops
    write(front, "objective", "Ropy band R upper trapezius, 6/10.")
    assert front.save_now()
    write(back, "objective", "Taut band, twitch response.")
    assert not back.save_now(), "it would have written over the other computer's Objective"
    assert stored(db, visit_id, "objective") == "Ropy band R upper trapezius, 6/10."
    assert back.conflict_bar.isVisible()
    assert "Objective" in back.conflict_label.text()
    assert back.objective.toPlainText() == "Taut band, twitch response.", "nothing typed is lost"

    qtbot.mouseClick(back.keep_mine_button, Qt.MouseButton.LeftButton)
    assert stored(db, visit_id, "objective") == "Taut band, twitch response."
    assert not back.conflict_bar.isVisible()


def test_use_theirs_shows_the_other_computers_text_and_keeps_the_rest_typed_here(
    qtbot: QtBot, db: Database, visit_id: str, laptops: tuple[VisitNoteEditor, VisitNoteEditor]
) -> None:
    front, back = laptops
    write(front, "objective", "Ropy band R upper trapezius, 6/10.")
    assert front.save_now()
    write(back, "objective", "Taut band, twitch response.")
    write(back, "plan", "Weekly for four weeks.")
    assert not back.save_now()
    qtbot.mouseClick(back.use_theirs_button, Qt.MouseButton.LeftButton)
    assert back.objective.toPlainText() == "Ropy band R upper trapezius, 6/10."
    assert stored(db, visit_id, "objective") == "Ropy band R upper trapezius, 6/10."
    assert stored(db, visit_id, "plan") == "Weekly for four weeks."


def test_different_fields_written_on_each_computer_are_both_kept(
    db: Database, visit_id: str, laptops: tuple[VisitNoteEditor, VisitNoteEditor]
) -> None:
    front, back = laptops
    write(front, "objective", "Ropy band R upper trapezius, 6/10.")
    write(back, "plan", "Weekly for four weeks.")
    assert front.save_now() and back.save_now()
    assert stored(db, visit_id, "objective") == "Ropy band R upper trapezius, 6/10."
    assert stored(db, visit_id, "plan") == "Weekly for four weeks."
    assert not back.conflict_bar.isVisible()


def test_the_storage_refuses_a_stale_write_on_every_road(db: Database, visit_id: str) -> None:
    with db.write() as session:
        update_visit_note(session, visit_id, objective="Saved first.")
    with pytest.raises(NoteChangedElsewhereError) as info, db.write() as session:
        update_visit_note(
            session,
            visit_id,
            expected={"objective": "Tender R upper trapezius."},
            objective="Saved second, from an old read.",
        )
    assert info.value.theirs == {"objective": "Saved first."}
    assert stored(db, visit_id, "objective") == "Saved first."


def _chart_a_trigger_point(db: Database, visit_id: str) -> None:
    atlas = load_atlas()
    with db.write() as session:
        store.add_mark(
            session,
            store.place_mark(
                atlas,
                visit_id,
                MarkKind.TRIGGER_POINT_ACTIVE,
                "posterior",
                [atlas.region("posterior", "upper_trapezius.r").inner_point],
                intensity=6,
            ),
        )


def test_an_objective_only_drafted_from_the_marks_gives_way_to_written_words(
    qtbot: QtBot, db: Database, visit_id: str, laptops: tuple[VisitNoteEditor, VisitNoteEditor]
) -> None:
    front, back = laptops
    with db.write() as session:
        update_visit_note(session, visit_id, objective="")
    for editor in laptops:
        editor.reload()
    _chart_a_trigger_point(db, visit_id)
    write(front, "objective", "Ropy band R upper trapezius, 6/10.")
    assert front.save_now()
    back.reload_findings()  # the chart changed: the empty Objective drafts itself here
    assert back.objective.toPlainText().startswith("Active trigger points")
    assert back.save_now(), back.save_error
    assert not back.conflict_bar.isVisible(), "a draft is not a conflict of words"
    assert back.objective.toPlainText() == "Ropy band R upper trapezius, 6/10."
    assert stored(db, visit_id, "objective") == "Ropy band R upper trapezius, 6/10."


def test_the_conflict_names_who_saved_and_when(
    db: Database, visit_id: str, laptops: tuple[VisitNoteEditor, VisitNoteEditor]
) -> None:
    front, back = laptops
    front.database.actor = "Sam Lee"  # who is signed in on the front computer
    write(front, "objective", "Ropy band R upper trapezius, 6/10.")
    assert front.save_now()
    assert stored(db, visit_id, "note_saved_by") == "Sam Lee"
    write(back, "objective", "Taut band, twitch response.")
    assert not back.save_now()
    assert back.conflict is not None and back.conflict.changed_by == "Sam Lee"
    assert "Saved elsewhere by Sam Lee" in back.conflict_label.text()
