"""The Add addendum dialog: author, reason and text of a late entry or correction."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from massage_chart.ui.dialogs import ProviderChoice
from massage_chart.ui.record.fields import ProblemLabel
from massage_chart.ui.style import heading, muted

REASONS = ("Late entry", "Correction", "Clarification", "Client-requested amendment")


class AddendumDialog(QDialog):
    """Write an addendum; it is saved after the signed note and never merged into it.

    Args:
        providers: who may author it.
        author_id: the author proposed (the note's signer).
        save: called with (author id, reason, text); returns why saving failed, or "".
    """

    def __init__(
        self,
        providers: Sequence[ProviderChoice],
        author_id: str | None,
        save: Callable[[str | None, str, str], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
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
            self.author.addItem(provider.name, provider.id)
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
        self.resize(560, 380)

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
            self.problem_label.say(problem)
            return
        super().accept()
