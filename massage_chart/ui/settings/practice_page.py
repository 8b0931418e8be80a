"""The Practice page of Settings: the letterhead (name, address, contacts, tax id, logo)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Slot
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from massage_chart.domain.practice import PracticeInfo
from massage_chart.storage.practice import PRACTICE_TEXT_FIELDS, practice_problems
from massage_chart.ui.settings.fields import (
    CheckedField,
    ImageChooser,
    ImagePicker,
    form_layout,
    line_edit,
    page_layout,
)

LOGO_PREVIEW = QSize(200, 80)
PRACTICE_LABELS = {
    "name": "Practice name",
    "address": "Address",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
    "tax_id": "Tax ID",
}


def editor_text(editor: QWidget) -> str:
    """The text of a line or a multi-line input."""
    if isinstance(editor, QPlainTextEdit):
        return editor.toPlainText()
    assert isinstance(editor, QLineEdit)
    return editor.text()


def set_editor_text(editor: QWidget, text: str) -> None:
    """Put text in a line or a multi-line input."""
    if isinstance(editor, QPlainTextEdit):
        editor.setPlainText(text)
    elif isinstance(editor, QLineEdit):
        editor.setText(text)


class PracticePage(QWidget):
    """The practice's details as edited, compared with what is stored.

    Args:
        choose_image: asks for the logo file.
    """

    title = "Practice"

    def __init__(self, choose_image: ImageChooser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stored = PracticeInfo()
        self._loading = False
        layout = page_layout(
            self, self.title, "The letterhead of every note and summary you print or export."
        )
        form = form_layout()
        self.practice_fields: dict[str, CheckedField] = {}
        for name in PRACTICE_TEXT_FIELDS:
            label = PRACTICE_LABELS[name]
            editor: QWidget
            if name == "address":
                address = QPlainTextEdit()
                address.setAccessibleName(label)
                address.setTabChangesFocus(True)
                address.setFixedHeight(address.fontMetrics().lineSpacing() * 3 + 14)
                address.textChanged.connect(self._on_practice_text_changed)
                editor = address
            else:
                edit = line_edit(label)
                edit.textChanged.connect(self._on_practice_text_changed)
                editor = edit
            checked = CheckedField(editor)
            self.practice_fields[name] = checked
            form.addRow(f"{label}:", checked)
        self.logo_picker = ImagePicker("logo", LOGO_PREVIEW, choose_image)
        self.logo_picker.image_changed.connect(self._on_logo_picker_image_changed)
        form.addRow("Logo:", self.logo_picker.field)
        layout.addLayout(form)
        layout.addStretch(1)

    def load(self, practice: PracticeInfo) -> None:
        """Show the stored practice (forgetting unsaved edits)."""
        self.stored = practice
        self._loading = True
        try:
            for name, checked in self.practice_fields.items():
                set_editor_text(checked.editor, getattr(practice, name))
                checked.clear_problem()
            self.logo_picker.set_image(practice.logo_png)
        finally:
            self._loading = False

    def changes(self) -> dict[str, Any]:
        """The practice fields edited in the window, by name."""
        changes: dict[str, Any] = {}
        for name, checked in self.practice_fields.items():
            text = editor_text(checked.editor)
            if text != getattr(self.stored, name):
                changes[name] = text
        if self.logo_picker.image() != self.stored.logo_png:
            changes["logo_png"] = self.logo_picker.image()
        return changes

    def check(self) -> CheckedField | None:
        """Show every problem of the edits next to its field; the first such field, or None."""
        for checked in self.practice_fields.values():
            checked.clear_problem()
        first: CheckedField | None = None
        for name, message in practice_problems(self.changes()).items():
            target = self.logo_picker.field if name == "logo_png" else self.practice_fields[name]
            target.show_problem(message)
            first = first or target
        return first

    @Slot()
    def _on_practice_text_changed(self) -> None:
        if self._loading:
            return
        # A problem once shown follows the typing, and goes when it is fixed.
        for name, checked in self.practice_fields.items():
            if checked.problem:
                problem = practice_problems({name: editor_text(checked.editor)}).get(name)
                if problem:
                    checked.show_problem(problem)
                else:
                    checked.clear_problem()

    @Slot()
    def _on_logo_picker_image_changed(self) -> None:
        self.logo_picker.field.clear_problem()
