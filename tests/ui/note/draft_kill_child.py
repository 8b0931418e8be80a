"""Child process for the draft kill test: types into a note without pausing until killed.

Usage: python -m tests.ui.note.draft_kill_child DB_PATH DRAFTS_FOLDER VISIT_ID
Prints "kept" once the typed text is in the draft store, then keeps typing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from massage_chart.storage.database import open_database
from massage_chart.storage.drafts import DraftStore
from massage_chart.ui.note.editor import VisitNoteEditor

TEXT = "Client reports sleeping through the night — first time in weeks. "


def main() -> None:
    db_path, folder, visit_id = sys.argv[1:4]
    app = QApplication([])
    database = open_database(db_path)
    store = DraftStore(Path(folder))
    editor = VisitNoteEditor(database, visit_id, drafts=store)
    editor._autosave.setInterval(3_600_000)  # a therapist typing on and on: no pause to save
    editor.show()
    editor.assessment.setFocus()
    typed = iter(TEXT * 50)
    announced = False

    def type_one() -> None:
        nonlocal announced
        character = next(typed)
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                editor.assessment, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, character)
            )
        if not announced and store.all():
            print("kept", flush=True)
            announced = True

    timer = QTimer()
    timer.timeout.connect(type_one)
    timer.start(20)
    app.exec()


if __name__ == "__main__":
    main()
