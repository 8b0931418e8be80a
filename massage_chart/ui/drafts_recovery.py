"""After a crash: offer to open the notes whose text was kept but never saved."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from massage_chart.storage.drafts import DraftStore
from massage_chart.ui.formatting import format_date

if TYPE_CHECKING:  # the note editor loads with the first visit opened, not with the window
    from massage_chart.ui.note.editor import VisitNoteEditor

#: How many kept drafts the box names; the rest are counted.
DRAFTS_NAMED = 8


class DraftsRecovery(QObject):
    """Names the kept drafts in a box over ``parent`` and opens their notes on request.

    While the records are locked the offer waits: it is made once they are unlocked (the list
    names clients).

    Args:
        drafts: where unsaved note text is kept (None: nothing is kept, nothing offered).
        parent: the window the box belongs to.
        locked: whether the records are behind the lock screen now.
        open_note_editor: opens a visit's note editor by visit id (None if it cannot be opened).
    """

    def __init__(
        self,
        drafts: DraftStore | None,
        parent: QWidget,
        locked: Callable[[], bool],
        open_note_editor: Callable[[str], VisitNoteEditor | None],
    ) -> None:
        super().__init__(parent)
        self._drafts = drafts
        self._parent = parent
        self._locked = locked
        self._open_note_editor = open_note_editor
        self._offer_on_unlock = False
        #: The open offer, until it is answered.
        self.box: QMessageBox | None = None

    def offer(self) -> QMessageBox | None:
        """Say which notes have text that was never saved, and offer to open them.

        Each note opens with a bar to restore or discard its text. Answering "Later" keeps the
        drafts: they are offered again when the note is opened, and at the next start.
        """
        if self._drafts is None:
            return None
        if self._locked():
            self._offer_on_unlock = True
            return None
        drafts = self._drafts.all()
        if not drafts:
            return None
        lines = "\n".join(
            f"• {draft.label} (kept {format_date(draft.saved_at.astimezone().date())} "
            f"{draft.saved_at.astimezone():%H:%M})"
            for draft in drafts[:DRAFTS_NAMED]
        )
        more = f"\n…and {len(drafts) - DRAFTS_NAMED} more" if len(drafts) > DRAFTS_NAMED else ""
        box = QMessageBox(
            QMessageBox.Icon.Information,
            "Unsaved text was kept",
            "Massage Chart closed before this text was saved:\n\n"
            f"{lines}{more}\n\nOpen these notes now to restore or discard it?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Close,
            self._parent,
        )
        box.button(QMessageBox.StandardButton.Close).setText("Later")
        box.setDefaultButton(QMessageBox.StandardButton.Open)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_box_finished)
        self.box = box
        box.open()
        return box

    def offer_if_held(self) -> None:
        """Make the offer held back while the records were locked (soon, once the event loop runs)."""
        if self._offer_on_unlock:
            self._offer_on_unlock = False
            QTimer.singleShot(0, self, self.offer)

    def open_all(self) -> list[VisitNoteEditor]:
        """Open the note (and addendum) of every kept draft."""
        editors: list[VisitNoteEditor] = []
        if self._drafts is None:
            return editors
        for draft in self._drafts.all():
            editor = self._open_note_editor(draft.record_id)
            if editor is None:
                continue
            if draft.kind == "addendum" and editor.is_signed():
                editor.open_addendum_dialog()
            editors.append(editor)
        return editors

    @Slot(int)
    def _on_box_finished(self, result: int) -> None:
        self.box = None
        if result == QMessageBox.StandardButton.Open.value:
            self.open_all()
