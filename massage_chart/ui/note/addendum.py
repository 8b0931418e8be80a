"""The Add addendum dialog: author, reason and text of a late entry or correction."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.practice import ProviderInfo
from massage_chart.ui.dialogs import ask_to_discard
from massage_chart.ui.record.fields import ProblemLabel
from massage_chart.ui.style import heading, muted

REASONS = ("Late entry", "Correction", "Clarification", "Client-requested amendment")
DRAFT_MS = 3000


class AddendumDialog(QDialog):
    """Write an addendum; it is saved after the signed note and never merged into it.

    Args:
        providers: who may author it.
        author_id: the author proposed (the note's signer).
        save: called with (author id, reason, text); returns why saving failed, or "".
        keeps_drafts: whether to ask every few seconds for what is typed to be kept.

    Signals:
        keep_requested(reason, text): keep this in the draft store (every few seconds while
            text is typed, and when a save fails).
        forget_requested(): the text is saved, or the user discarded it.
    """

    # Signals rather than callbacks: a callback would tie the dialog and the editor into a
    # reference cycle, and collecting such cycles crashed PySide6 6.11 now and then.
    keep_requested = Signal(str, str)
    forget_requested = Signal()

    def __init__(
        self,
        providers: Sequence[ProviderInfo],
        author_id: str | None,
        save: Callable[[str | None, str, str], str],
        parent: QWidget | None = None,
        *,
        keeps_drafts: bool = False,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._keeps_drafts = keeps_drafts
        self.discard_box: QMessageBox | None = None
        self._confirmed_discard = False
        self.setWindowTitle("Add addendum")
        title = QLabel("Add addendum")
        heading(title, 1.2)
        hint = QLabel(
            "The signed note stays as it was. The addendum is dated now, signed with the "
            "author's name, and shown after the note."
        )
        hint.setWordWrap(True)
        muted(hint)
        self.author = QComboBox()
        for provider in providers:
            self.author.addItem(provider.display_name, provider.id)
        if author_id is not None:
            self.author.setCurrentIndex(max(self.author.findData(author_id), 0))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.reason.setAccessibleName("Reason")
        self.text = QPlainTextEdit()
        self.text.setAccessibleName("Addendum text")
        self.text.setTabChangesFocus(True)
        self.problem_label = ProblemLabel()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("&Author:", self.author)
        form.addRow("&Reason:", self.reason)
        form.addRow("&Text:", self.text)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add addendum")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(hint)
        layout.addLayout(form, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._draft_timer = QTimer(self)
        self._draft_timer.setInterval(DRAFT_MS)
        self._draft_timer.timeout.connect(self._on_draft_timer_timeout)
        self.text.textChanged.connect(self._on_text_text_changed)
        self.resize(560, 380)

    def has_text(self) -> bool:
        """Whether anything is typed that would be lost by closing."""
        return bool(self.text.toPlainText().strip())

    def keep_draft(self) -> None:
        """Hand what is typed to the draft store now."""
        if self._keeps_drafts and self.has_text():
            self.keep_requested.emit(self.reason.currentText(), self.text.toPlainText())

    def reject(self) -> None:
        """Cancel, Escape or the close button: typed text is never dropped without asking."""
        if not self.has_text() or self._confirmed_discard:
            self._draft_timer.stop()
            super().reject()
            return
        if self.discard_box is not None and self.discard_box.isVisible():
            return
        self.discard_box = ask_to_discard(
            self,
            "Discard the addendum?",
            "The addendum you typed is not saved. Discard it?",
            self._on_discard_box_finished,
            keep_text="Keep writing",
        )

    @Slot(int)
    def _on_discard_box_finished(self, result: int) -> None:
        # The box stays referenced (a hidden child) and the dialog closes once the box's own
        # signal is over: closing the parent from inside it crashed PySide6 6.11 now and then.
        if result == QMessageBox.StandardButton.Discard.value:
            self._confirmed_discard = True
            self.forget_requested.emit()
            QTimer.singleShot(0, self, self.reject)

    @Slot()
    def _on_text_text_changed(self) -> None:
        if self._keeps_drafts and not self._draft_timer.isActive():
            self._draft_timer.start()

    @Slot()
    def _on_draft_timer_timeout(self) -> None:
        if self.has_text():
            self.keep_draft()
        else:
            self._draft_timer.stop()

    def accept(self) -> None:
        """Save; on a problem say what it is and keep everything typed."""
        reason = self.reason.currentText().strip()
        text = self.text.toPlainText()
        if not reason:
            self.problem_label.say("Say why the addendum is written.")
            return
        if not text.strip():
            self.problem_label.say("Type the addendum.")
            self.text.setFocus()
            return
        problem = self._save(self.author.currentData(), reason, text)
        if problem:
            self.keep_draft()
            self.problem_label.say(problem)
            return
        self._draft_timer.stop()
        self.forget_requested.emit()
        super().accept()
