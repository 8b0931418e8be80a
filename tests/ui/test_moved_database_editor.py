"""The note editor keeps its text, on screen and as a draft, when its database file vanishes."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database
from massage_chart.storage.drafts import DraftStore, draft_key
from massage_chart.ui.note.editor import VisitNoteEditor
from tests.ui.conftest import NOW, TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def test_a_deleted_database_file_stops_the_save_and_keeps_the_note(
    qtbot: QtBot, db: Database, db_path: Path, practice: SmallPractice, tmp_path: Path
) -> None:
    store = DraftStore(tmp_path / "drafts")
    visit_id = practice.zoe_second_visit_id
    editor = VisitNoteEditor(db, visit_id, now=lambda: NOW, today=lambda: TODAY, drafts=store)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)

    db_path.unlink()
    editor.plan.setFocus()
    type_text(editor.plan, "Heat 15 min twice daily")

    assert not editor.save_now()

    assert "deleted or moved away" in editor.save_problem.text()
    assert editor.plan.toPlainText().endswith("Heat 15 min twice daily")
    assert [d.key for d in store.all()] == [draft_key("note", visit_id)]
    assert not db_path.exists()
