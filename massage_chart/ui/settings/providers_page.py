"""The Providers page of Settings: the therapists who chart and sign, edited as drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QSize, Qt, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.presentation import person_name
from massage_chart.storage.practice import (
    PROVIDER_TEXT_FIELDS,
    ProviderDetails,
    provider_problems,
)
from massage_chart.ui.settings.fields import (
    CheckedField,
    ImageChooser,
    ImagePicker,
    form_layout,
    line_edit,
    page_layout,
)
from massage_chart.ui.settings.practice_page import editor_text, set_editor_text
from massage_chart.ui.style import muted

PROVIDER_LIST_WIDTH = 220
SIGNATURE_PREVIEW = QSize(200, 60)
PROVIDER_LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "credentials": "Credentials",
    "license_number": "Licence number",
    "license_jurisdiction": "Licensed in",
    "npi": "NPI",
    "email": "Email",
    "phone": "Phone",
}
PROVIDER_PLACEHOLDERS = {
    "credentials": "LMT, CMT, RMT…",
    "license_jurisdiction": "State or province",
    "npi": "10 digits (leave empty if none)",
}


@dataclass
class ProviderDraft:
    """A provider as edited in the window, saved only with the rest.

    Attributes:
        original: what is stored, or None for a provider added in this window.
        values: every field as it is now in the form.
        problems: field -> the problem found at the last Save.
    """

    original: ProviderDetails | None
    values: dict[str, Any]
    problems: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, details: ProviderDetails | None) -> ProviderDraft:
        source = details or ProviderDetails(id="")
        values: dict[str, Any] = {f: getattr(source, f) for f in PROVIDER_TEXT_FIELDS}
        values["signature_png"] = source.signature_png
        values["active"] = source.active
        return cls(details, values)

    def changes(self) -> dict[str, Any]:
        """The fields to write: all that are filled in for a new provider, else those changed."""
        if self.original is None:
            return {k: v for k, v in self.values.items() if v not in ("", None) or k == "active"}
        return {k: v for k, v in self.values.items() if getattr(self.original, k) != v}

    @property
    def display_name(self) -> str:
        name = person_name(self.values["first_name"], self.values["last_name"])
        name = name or ("New provider" if self.original is None else "(no name)")
        credentials = self.values["credentials"].strip()
        text = f"{name}, {credentials}" if credentials else name
        return text if self.values["active"] else f"{text} (inactive)"


class ProvidersPage(QWidget):
    """The providers as drafts: added, edited and (de)activated here, written with the rest.

    Args:
        choose_image: asks for a signature image file.

    Attributes:
        drafts: every provider, in the list's order.
    """

    title = "Providers"

    def __init__(self, choose_image: ImageChooser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drafts: list[ProviderDraft] = []
        self._loading = False
        layout = page_layout(
            self,
            self.title,
            "The therapists who chart and sign. One who has visits can be deactivated, "
            "never deleted: their notes keep their name.",
        )
        self.provider_list = QListWidget()
        self.provider_list.setAccessibleName("Providers")
        self.provider_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.provider_list.setFixedWidth(PROVIDER_LIST_WIDTH)
        self.add_provider_button = QPushButton("Add provider")
        self.deactivate_button = QPushButton("Deactivate")
        list_column = QVBoxLayout()
        list_column.setSpacing(6)
        list_column.addWidget(self.provider_list, 1)
        list_column.addWidget(self.add_provider_button)
        list_column.addWidget(self.deactivate_button)

        self.provider_form = QWidget()
        form = form_layout()
        form_column = QVBoxLayout(self.provider_form)
        form_column.setContentsMargins(0, 0, 0, 0)
        form_column.addLayout(form)
        form_column.addStretch(1)
        self.provider_fields: dict[str, CheckedField] = {}
        for name in PROVIDER_TEXT_FIELDS:
            label = PROVIDER_LABELS[name]
            edit = line_edit(label, PROVIDER_PLACEHOLDERS.get(name, ""))
            edit.setMinimumWidth(200)
            edit.textChanged.connect(self._on_provider_text_changed)
            if name == "npi":
                edit.editingFinished.connect(self._on_npi_editing_finished)
            checked = CheckedField(edit)
            self.provider_fields[name] = checked
            form.addRow(f"{label}:", checked)
        self.signature_picker = ImagePicker("signature", SIGNATURE_PREVIEW, choose_image)
        self.signature_picker.image_changed.connect(self._on_signature_picker_image_changed)
        form.addRow("Signature:", self.signature_picker.field)
        self.no_provider_label = QLabel("Add a provider to fill in their details.")
        muted(self.no_provider_label)
        self.no_provider_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.provider_stack = QStackedWidget()
        self.provider_stack.addWidget(self.no_provider_label)
        self.provider_stack.addWidget(self.provider_form)

        row = QHBoxLayout()
        row.setSpacing(14)
        row.addLayout(list_column)
        row.addWidget(self.provider_stack, 1)
        layout.addLayout(row, 1)

        self.provider_list.currentRowChanged.connect(self._on_provider_list_current_row_changed)
        self.add_provider_button.clicked.connect(self._on_add_provider_button_clicked)
        self.deactivate_button.clicked.connect(self._on_deactivate_button_clicked)

    # ---------------------------------------------------------------- loading and checking

    def load(self, providers: list[ProviderDetails], row: int = 0) -> None:
        """Show the stored providers (forgetting unsaved edits), the one at ``row`` selected."""
        self.drafts = [ProviderDraft.of(p) for p in providers]
        self._loading = True
        try:
            self.provider_list.clear()
            for draft in self.drafts:
                self._style_provider_item(QListWidgetItem(self.provider_list), draft)
        finally:
            self._loading = False
        self.provider_list.setCurrentRow(min(row, len(self.drafts) - 1) if self.drafts else -1)
        self._show_provider(self.provider_list.currentRow())

    def has_changes(self) -> bool:
        """Whether a provider was added or edited and not saved."""
        return any(d.original is None or d.changes() for d in self.drafts)

    def check(self) -> CheckedField | None:
        """Find every provider's problems; show the first provider with one and return the
        field to focus (None when all are fine)."""
        first: CheckedField | None = None
        for index, draft in enumerate(self.drafts):
            draft.problems = provider_problems(draft.changes())
            names = (draft.values["first_name"], draft.values["last_name"])
            if not any(n.strip() for n in names) and "first_name" not in draft.problems:
                draft.problems["first_name"] = "Type the provider's first or last name."
            if draft.problems and first is None:
                self.provider_list.setCurrentRow(index)
                first = self._provider_target(next(iter(draft.problems)))
        self._show_provider(self.provider_list.currentRow())
        return first

    def show_refusal(self, row: int, name: str, message: str) -> None:
        """Show what the database refused of the provider at ``row``."""
        self.drafts[row].problems = {name: message}
        self.provider_list.setCurrentRow(row)
        self._show_provider(row)

    def current_draft(self) -> ProviderDraft | None:
        """The provider shown in the form, or None."""
        row = self.provider_list.currentRow()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

    def _provider_target(self, name: str) -> CheckedField:
        return (
            self.signature_picker.field if name == "signature_png" else self.provider_fields[name]
        )

    def _show_provider(self, row: int) -> None:
        draft = self.drafts[row] if 0 <= row < len(self.drafts) else None
        self.provider_stack.setCurrentWidget(
            self.provider_form if draft is not None else self.no_provider_label
        )
        self.deactivate_button.setEnabled(draft is not None)
        if draft is None:
            return
        self._loading = True
        try:
            for name, checked in self.provider_fields.items():
                set_editor_text(checked.editor, draft.values[name])
                if name in draft.problems:
                    checked.show_problem(draft.problems[name])
                else:
                    checked.clear_problem()
            self.signature_picker.set_image(draft.values["signature_png"])
            if "signature_png" in draft.problems:
                self.signature_picker.field.show_problem(draft.problems["signature_png"])
        finally:
            self._loading = False
        if draft.original is None:
            self.deactivate_button.setText("Remove")
            self.deactivate_button.setToolTip("Forget this provider (not saved yet)")
        elif draft.values["active"]:
            self.deactivate_button.setText("Deactivate")
            self.deactivate_button.setToolTip(
                "No longer offer this provider for new visits; their notes keep their name"
            )
        else:
            self.deactivate_button.setText("Reactivate")
            self.deactivate_button.setToolTip("Offer this provider for new visits again")

    @staticmethod
    def _style_provider_item(item: QListWidgetItem, draft: ProviderDraft) -> None:
        item.setText(draft.display_name)
        item.setToolTip(draft.display_name)  # a long name is cut short in the list
        font = item.font()
        font.setItalic(not draft.values["active"])
        item.setFont(font)
        item.setSizeHint(QSize(0, QFontMetrics(font).height() + 10))

    def _refresh_provider_item(self) -> None:
        item = self.provider_list.currentItem()
        draft = self.current_draft()
        if item is not None and draft is not None:
            self._style_provider_item(item, draft)

    # ---------------------------------------------------------------- handlers

    @Slot(int)
    def _on_provider_list_current_row_changed(self, row: int) -> None:
        if not self._loading:
            self._show_provider(row)

    @Slot()
    def _on_provider_text_changed(self) -> None:
        draft = self.current_draft()
        if self._loading or draft is None:
            return
        for name, checked in self.provider_fields.items():
            text = editor_text(checked.editor)
            if draft.values[name] != text:
                draft.values[name] = text
                if name in draft.problems:
                    problem = provider_problems({name: text}).get(name)
                    if problem:
                        draft.problems[name] = problem
                        checked.show_problem(problem)
                    else:
                        del draft.problems[name]
                        checked.clear_problem()
        self._refresh_provider_item()

    @Slot()
    def _on_npi_editing_finished(self) -> None:
        draft = self.current_draft()
        if draft is None:
            return
        problem = provider_problems({"npi": draft.values["npi"]}).get("npi")
        if problem:
            draft.problems["npi"] = problem
            self.provider_fields["npi"].show_problem(problem)

    @Slot()
    def _on_signature_picker_image_changed(self) -> None:
        draft = self.current_draft()
        if draft is not None:
            draft.values["signature_png"] = self.signature_picker.image()
            draft.problems.pop("signature_png", None)

    @Slot()
    def _on_add_provider_button_clicked(self) -> None:
        draft = ProviderDraft.of(None)
        self.drafts.append(draft)
        self._style_provider_item(QListWidgetItem(self.provider_list), draft)
        self.provider_list.setCurrentRow(len(self.drafts) - 1)
        self.provider_fields["first_name"].setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _on_deactivate_button_clicked(self) -> None:
        row = self.provider_list.currentRow()
        draft = self.current_draft()
        if draft is None:
            return
        if draft.original is None:
            del self.drafts[row]
            self._loading = True
            try:
                self.provider_list.takeItem(row)
            finally:
                self._loading = False
            self.provider_list.setCurrentRow(min(row, len(self.drafts) - 1))
            self._show_provider(self.provider_list.currentRow())
            return
        draft.values["active"] = not draft.values["active"]
        self._refresh_provider_item()
        self._show_provider(row)
