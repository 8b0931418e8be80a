"""Unsaved note text survives a crash and a failing disk, and closing never drops it silently."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from massage_chart.storage.database import Database, WriteError, open_database
from massage_chart.storage.drafts import Draft, DraftStore, draft_key
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.note import addendum as addendum_module
from massage_chart.ui.note import editor as editor_module
from massage_chart.ui.note.editor import VisitNoteEditor
from tests.ui.conftest import NOW, TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def store(tmp_path: Path) -> DraftStore:
    return DraftStore(tmp_path / "drafts")


def _editor(qtbot: QtBot, db: Database, visit_id: str, store: DraftStore) -> VisitNoteEditor:
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY, drafts=store)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def _plan(db: Database, visit_id: str) -> str:
    with db.read() as session:
        return get_visit(session, visit_id).plan


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise WriteError("The disk is full: nothing was saved.")

    monkeypatch.setattr(editor_module, "update_visit_note", refuse)
    return monkeypatch


def _type_the_plan_and_fail_to_save(editor: VisitNoteEditor) -> None:
    editor.plan.setFocus()
    type_text(editor.plan, "Heat 15 min twice daily")
    assert not editor.save_now()


def _opened_anew(
    qtbot: QtBot,
    db: Database,
    editor: VisitNoteEditor,
    store: DraftStore,
    full_disk: pytest.MonkeyPatch,
) -> VisitNoteEditor:
    """The app dies after the refused save; later the disk has room again and the note is
    opened anew."""
    full_disk.undo()
    editor.hide()
    return _editor(qtbot, db, editor.visit_id, store)


def test_a_save_refused_by_a_full_disk_is_kept_as_a_draft_and_offered_back(
    qtbot: QtBot,
    db: Database,
    practice: SmallPractice,
    store: DraftStore,
    full_disk: pytest.MonkeyPatch,
) -> None:
    visit_id = practice.zoe_second_visit_id
    editor = _editor(qtbot, db, visit_id, store)

    _type_the_plan_and_fail_to_save(editor)

    assert "kept on screen and in a draft" in editor.save_problem.text()
    assert [d.key for d in store.all()] == [draft_key("note", visit_id)]
    again = _opened_anew(qtbot, db, editor, store, full_disk)
    assert again.draft_bar.isVisible()
    assert "was not saved" in again.draft_label.text()
    assert "Heat 15 min" not in again.plan.toPlainText()

    qtbot.mouseClick(again.restore_draft_button, Qt.MouseButton.LeftButton)

    assert again.plan.toPlainText().endswith("Heat 15 min twice daily")
    assert _plan(db, visit_id).endswith("Heat 15 min twice daily")
    assert not again.draft_bar.isVisible()
    assert store.all() == []


def test_a_kept_draft_lists_only_what_was_typed_beside_measures_stored_in_an_older_form(
    qtbot: QtBot,
    db: Database,
    practice: SmallPractice,
    store: DraftStore,
    full_disk: pytest.MonkeyPatch,
) -> None:
    """A range of motion stored by an older version, in a shorter form, and looked at: the
    draft kept after a failed save holds it as its rows read it, which is no change of the
    note's (offered back, or written into an addendum, it would be a line nobody typed)."""
    visit_id = practice.zoe_second_visit_id
    with db.write() as session:
        session.execute(
            text("UPDATE visits SET range_of_motion = :rom WHERE id = :id"),
            {"rom": '[{"motion": "knee.flexion", "side": "left", "degrees": 120}]', "id": visit_id},
        )
    editor = _editor(qtbot, db, visit_id, store)
    editor.sections.setCurrentWidget(editor.measures)  # its rows built, read back in full
    _type_the_plan_and_fail_to_save(editor)

    again = _opened_anew(qtbot, db, editor, store, full_disk)

    assert again.pending_draft is not None
    assert again._draft_changes(again.pending_draft) == ["Plan: Heat 15 min twice daily"]


def test_typing_without_a_pause_is_kept_every_few_seconds_and_cleared_once_saved(
    qtbot: QtBot, db: Database, practice: SmallPractice, store: DraftStore
) -> None:
    editor = _editor(qtbot, db, practice.zoe_second_visit_id, store)
    editor._autosave.setInterval(3_600_000)  # typing never pauses long enough to autosave
    editor.assessment.setFocus()
    type_text(editor.assessment, "Less guarding in the right shoulder")

    qtbot.waitUntil(lambda: bool(store.all()), timeout=editor_module.DRAFT_MS + 2000)
    kept = store.all()[0]
    assert "Less guarding" in kept.fields["values"]["assessment"]
    assert kept.label.startswith("SOAP note — Zoë Nguyễn")

    assert editor.save_now()
    assert store.all() == []


def test_a_discarded_draft_is_gone_and_the_note_unchanged(
    qtbot: QtBot,
    db: Database,
    practice: SmallPractice,
    store: DraftStore,
    full_disk: pytest.MonkeyPatch,
) -> None:
    visit_id = practice.zoe_second_visit_id
    before = _plan(db, visit_id)
    editor = _editor(qtbot, db, visit_id, store)
    type_text(editor.plan, "text the therapist changed their mind about")
    editor.save_now()
    full_disk.undo()
    editor.hide()

    again = _editor(qtbot, db, visit_id, store)
    qtbot.mouseClick(again.discard_draft_button, Qt.MouseButton.LeftButton)

    assert store.all() == []
    assert _plan(db, visit_id) == before
    assert not again.draft_bar.isVisible()


def test_escape_on_a_typed_addendum_asks_before_dropping_it(
    qtbot: QtBot, db: Database, practice: SmallPractice, store: DraftStore
) -> None:
    editor = _editor(qtbot, db, practice.zoe_first_visit_id, store)  # signed
    dialog = editor.open_addendum_dialog()
    assert dialog is not None
    type_text(dialog.text, "Client called: pain 2/10 the next day.")

    qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    box = dialog.discard_box
    assert box is not None and box.isVisible()
    assert dialog.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()  # keep writing
    assert dialog.isVisible()
    assert dialog.text.toPlainText() == "Client called: pain 2/10 the next day."

    dialog.keep_draft()
    assert store.load(draft_key("addendum", practice.zoe_first_visit_id)) is not None
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.discard_box
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Discard).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert store.all() == []


def test_an_addendum_kept_as_a_draft_comes_back_in_the_dialog(
    qtbot: QtBot, db: Database, practice: SmallPractice, store: DraftStore
) -> None:
    visit_id = practice.zoe_first_visit_id
    # What the dialog keeps every few seconds, left behind by a session that died.
    store.save(
        Draft(
            draft_key("addendum", visit_id),
            "Addendum — Zoë Nguyễn, visit 1 Oct 2026",
            {"reason": "Correction", "text": "Pressure was Walton 3, not 4."},
        )
    )

    editor = _editor(qtbot, db, visit_id, store)
    restored = editor.open_addendum_dialog()

    assert restored is not None
    assert restored.text.toPlainText() == "Pressure was Walton 3, not 4."
    assert restored.reason.currentText() == "Correction"
    qtbot.mouseClick(restored.ok_button, Qt.MouseButton.LeftButton)
    assert store.all() == []
    with db.read() as session:
        texts = [a.text for a in get_visit(session, visit_id).addenda]
    assert texts == ["Pressure was Walton 3, not 4."]


def test_the_addendum_dialog_keeps_what_is_typed_in_the_draft_store(
    qtbot: QtBot, db: Database, practice: SmallPractice, store: DraftStore
) -> None:
    editor = _editor(qtbot, db, practice.zoe_first_visit_id, store)
    dialog = editor.open_addendum_dialog()
    assert dialog is not None
    dialog.reason.setCurrentText("Correction")
    type_text(dialog.text, "Pressure was Walton 3, not 4.")

    qtbot.waitUntil(lambda: bool(store.all()), timeout=addendum_module.DRAFT_MS + 2000)

    kept = store.all()[0]
    assert kept.key == draft_key("addendum", practice.zoe_first_visit_id)
    assert kept.fields == {"reason": "Correction", "text": "Pressure was Walton 3, not 4."}


def test_quitting_with_a_note_that_cannot_be_saved_asks_and_stays_open(
    qtbot: QtBot,
    db: Database,
    practice: SmallPractice,
    store: DraftStore,
    full_disk: pytest.MonkeyPatch,
) -> None:
    window = MainWindow(
        db, today=lambda: TODAY, now=lambda: NOW, backup_on_close=False, drafts=store
    )
    qtbot.addWidget(window)
    window.show()
    editor = window.open_note_editor(practice.zoe_second_visit_id)
    assert editor is not None
    type_text(editor.plan, "Stretch pecs 3x30 s")

    assert not window.close()

    assert window.isVisible() and editor.isVisible()
    assert editor.unsaved_box is not None and editor.unsaved_box.isVisible()
    assert store.all()  # and the text is also in the draft store meanwhile
    full_disk.undo()
    editor.unsaved_box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.close()
    assert _plan(db, practice.zoe_second_visit_id).endswith("Stretch pecs 3x30 s")
    assert store.all() == []


def test_a_killed_app_offers_the_text_typed_before_the_kill(
    qtbot: QtBot, db_path: Path, tmp_path: Path, practice: SmallPractice
) -> None:
    folder = tmp_path / "drafts"
    visit_id = practice.zoe_second_visit_id
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.note.draft_kill_child", str(db_path), str(folder),
         visit_id],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert child.stdout is not None
    try:
        line = child.stdout.readline()
        if line.strip() != "kept":
            _, err = child.communicate(timeout=10)
            pytest.fail(f"the child stopped before keeping a draft: {err}")
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL

    database = open_database(str(db_path))
    try:
        with database.read() as session:
            assert "sleeping through" not in get_visit(session, visit_id).assessment
        window = MainWindow(
            database,
            today=lambda: TODAY,
            now=lambda: NOW,
            backup_on_close=False,
            drafts=DraftStore(folder),
        )
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.drafts_box is not None, timeout=2000)
        box = window.drafts_box
        assert box is not None
        assert "SOAP note — Zoë Nguyễn" in box.text()
        box.button(QMessageBox.StandardButton.Open).click()
        editors = [e for e in window.findChildren(VisitNoteEditor) if e.isVisible()]
        assert len(editors) == 1
        qtbot.mouseClick(editors[0].restore_draft_button, Qt.MouseButton.LeftButton)
        with database.read() as session:
            assert "sleeping through the night" in get_visit(session, visit_id).assessment
        assert window.close()
    finally:
        database.dispose()
