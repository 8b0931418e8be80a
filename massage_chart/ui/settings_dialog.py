"""The Settings window: practice, providers, billing, security and backups, saved together.

Nothing is written until Save: a therapist filling in the practice's address or a new colleague's
licence expects Cancel to throw the half-typed form away, as in any form, and expects one Save to
keep everything (the practice and providers in one audited transaction, then this computer's
settings). A problem is shown next to its field, with the text left as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.presentation import CLOCK_LABELS
from massage_chart.domain.records import UnitRule
from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.practice import (
    PRACTICE_TEXT_FIELDS,
    PROVIDER_TEXT_FIELDS,
    FieldRefusedError,
    ImageRefusedError,
    PracticeDetails,
    ProviderDetails,
    add_provider,
    list_provider_details,
    practice_problems,
    provider_problems,
    read_image_file,
    read_practice,
    update_practice,
    update_provider,
)
from massage_chart.storage.repositories import NotFoundError
from massage_chart.storage.settings import (
    AUTO_LOCK_MINUTES,
    BACKUP_DAYS_TO_KEEP,
    BACKUP_FOLDER,
    BACKUPS_SUBFOLDER,
    BACKUPS_TO_KEEP,
    CLOCK,
    DEFAULT_UNIT_RULE,
    EXPORT_FOLDER,
    Settings,
    SettingsError,
    folder_write_problem,
)
from massage_chart.ui.style import error_text, heading, muted

ImageChooser = Callable[[QWidget, str], Path | None]
"""Asks for an image file: (parent, title) -> the path, or None when cancelled."""
FolderChooser = Callable[[QWidget, str, str], Path | None]
"""Asks for a folder: (parent, title, folder to start in) -> the path, or None."""

TYPED_TEXT_MOST = 1_000_000
"""Line edits keep a long paste whole (Qt's default cuts at 32,767 without a word) so the
message can say how long it was; the limits of domain/limits.py decide what is stored."""
PAGE_LIST_WIDTH = 150
PROVIDER_LIST_WIDTH = 220
FIELD_MINIMUM_WIDTH = 280
LOGO_PREVIEW = QSize(200, 80)
SIGNATURE_PREVIEW = QSize(200, 60)

PRACTICE_LABELS = {
    "name": "Practice name",
    "address": "Address",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
    "tax_id": "Tax ID",
}
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
UNIT_RULE_TEXT = {
    UnitRule.CMS: (
        "CMS: the 8-minute rule",
        "Timed minutes are added up across codes, then turned into units (Medicare and most "
        "US insurers).",
    ),
    UnitRule.AMA: (
        "AMA: each code on its own",
        "Each code's minutes become units separately, 8 or more minutes making a unit.",
    ),
}


def choose_image_file(parent: QWidget, title: str) -> Path | None:
    """The platform's open dialog, for PNG and JPEG files."""
    name, _ = QFileDialog.getOpenFileName(
        parent, title, str(Path.home()), "Images (*.png *.jpg *.jpeg);;All files (*)"
    )
    return Path(name) if name else None


def choose_folder(parent: QWidget, title: str, start: str) -> Path | None:
    """The platform's folder dialog."""
    name = QFileDialog.getExistingDirectory(parent, title, start or str(Path.home()))
    return Path(name) if name else None


def ask_discard(parent: QWidget) -> bool:
    """Whether to throw away unsaved changes (asked when Cancel or close is pressed)."""
    answer = QMessageBox.question(
        parent,
        "Discard changes?",
        "Your changes to the settings have not been saved. Discard them?",
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


# --------------------------------------------------------------------------- building blocks


class CheckedField(QWidget):
    """An input with an optional quiet hint under it and a line for its problem.

    Args:
        editor: the input.
        hint: a short explanation shown under it.
    """

    def __init__(
        self, editor: QWidget, hint: str = "", parent: QWidget | None = None, *, fill: bool = True
    ) -> None:
        super().__init__(parent)
        self.editor = editor
        self.hint_label = QLabel(hint)
        self.hint_label.setWordWrap(True)
        muted(self.hint_label)
        self.hint_label.setVisible(bool(hint))
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setAccessibleName(f"Problem with {editor.accessibleName()}")
        error_text(self.problem_label)
        self.problem_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        if fill:
            layout.addWidget(editor)
        else:
            layout.addWidget(editor, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.problem_label)
        self.setFocusProxy(editor)

    def show_problem(self, message: str) -> None:
        """Say what is wrong under the input (what was typed stays)."""
        self.problem_label.setText(message)
        self.problem_label.show()

    def clear_problem(self) -> None:
        """Hide the problem line."""
        self.problem_label.clear()
        self.problem_label.hide()

    @property
    def problem(self) -> str:
        """The problem shown, or ""."""
        return self.problem_label.text() if self.problem_label.isVisible() else ""


def _line_edit(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setMaxLength(TYPED_TEXT_MOST)
    edit.setPlaceholderText(placeholder)
    edit.setMinimumWidth(FIELD_MINIMUM_WIDTH)
    return edit


def _page(title: str, intro: str) -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(10)
    title_label = QLabel(title)
    heading(title_label, 1.2)
    layout.addWidget(title_label)
    if intro:
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        muted(intro_label)
        layout.addWidget(intro_label)
    return page, layout


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    return form


class ImagePicker(QWidget):
    """A preview of an image with Choose… and Remove; what is chosen is checked at once.

    Args:
        label: what the image is, in messages ("logo", "signature").
        preview_size: the box the preview is fitted in.
        chooser: asks for the file (a seam for tests).

    Signals:
        image_changed(): an image was chosen or removed.
    """

    image_changed = Signal()

    def __init__(
        self,
        label: str,
        preview_size: QSize,
        chooser: ImageChooser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._chooser = chooser
        self._image: bytes | None = None
        self.preview = QLabel()
        self.preview.setFixedSize(preview_size)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setAccessibleName(f"{label.capitalize()} preview")
        muted(self.preview)
        self.choose_button = QPushButton("Choose…")
        self.choose_button.setToolTip(f"Choose a PNG or JPEG file for the {label}")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip(f"Print no {label}")
        buttons = QVBoxLayout()
        buttons.setSpacing(6)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.field = CheckedField(self, "PNG or JPEG, up to 10 MB; large images are scaled down.")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self._show()

    def image(self) -> bytes | None:
        """The image as it will be stored (a PNG), or None."""
        return self._image

    def set_image(self, image: bytes | None) -> None:
        """Show an image without announcing a change (loading what is stored)."""
        self._image = image
        self.field.clear_problem()
        self._show()

    def choose_file(self, path: Path) -> bool:
        """Use the image in ``path`` if it is a usable PNG or JPEG; else say why and keep the
        current one. Returns whether it was taken."""
        try:
            image = read_image_file(path, self.label)
        except ImageRefusedError as exc:
            self.field.show_problem(str(exc))
            return False
        self._image = image
        self.field.clear_problem()
        self._show()
        self.image_changed.emit()
        return True

    def _show(self) -> None:
        pixmap = QPixmap()
        if self._image and pixmap.loadFromData(self._image):
            ratio = self.devicePixelRatioF()
            box = self.preview.contentsRect().size() * ratio
            scaled = pixmap.scaled(
                box, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
            scaled.setDevicePixelRatio(ratio)
            self.preview.setPixmap(scaled)
        else:
            self.preview.setPixmap(QPixmap())
            self.preview.setText(f"No {self.label}")
        self.remove_button.setEnabled(self._image is not None)

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        path = self._chooser(self, f"Choose the {self.label} image")
        if path is not None:
            self.choose_file(path)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        self._image = None
        self.field.clear_problem()
        self._show()
        self.image_changed.emit()


class FolderPicker(QWidget):
    """A folder path that can be typed, chosen, or cleared to use the default.

    Signals:
        folder_changed(str): the text changed.
    """

    folder_changed = Signal(str)

    def __init__(
        self, name: str, placeholder: str, chooser: FolderChooser, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._chooser = chooser
        self.line_edit = _line_edit(name, placeholder)
        self.choose_button = QPushButton("Choose…")
        self.default_button = QPushButton("Use default")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.choose_button)
        layout.addWidget(self.default_button)
        self.setFocusProxy(self.line_edit)
        self.setAccessibleName(name)
        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.default_button.clicked.connect(self.line_edit.clear)
        self._on_line_edit_text_changed(self.line_edit.text())

    def text(self) -> str:
        """The folder as typed, without spaces around it."""
        return self.line_edit.text().strip()

    @Slot(str)
    def _on_line_edit_text_changed(self, text: str) -> None:
        self.default_button.setEnabled(bool(text))
        self.folder_changed.emit(text)

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        path = self._chooser(self, f"Choose the {self.accessibleName().lower()}", self.text())
        if path is not None:
            self.line_edit.setText(str(path))


# --------------------------------------------------------------------------- providers being edited


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
        name = f"{self.values['first_name']} {self.values['last_name']}".strip()
        name = name or ("New provider" if self.original is None else "(no name)")
        credentials = self.values["credentials"].strip()
        text = f"{name}, {credentials}" if credentials else name
        return text if self.values["active"] else f"{text} (inactive)"


# --------------------------------------------------------------------------- the window


class SettingsDialog(QDialog):
    """The Settings window.

    Args:
        database: the open database (the practice and providers are read and written there).
        settings: the app's settings (per-machine ones and the practice-wide unit rule).
        parent: the main window.
        choose_image: asks for an image file (tests pass a function returning a path).
        choose_folder: asks for a folder.
        confirm_discard: asked before unsaved changes are thrown away.

    Attributes:
        security_extra_layout: an empty layout on the Security page for more controls
            (encryption, passphrase).

    Signals:
        settings_changed(str): a setting was saved with a new value (its key, see
            ``storage.settings.REGISTRY``).
        practice_changed(): the practice's details or logo were saved.
        providers_changed(): a provider was added, edited or deactivated.
    """

    settings_changed = Signal(str)
    practice_changed = Signal()
    providers_changed = Signal()

    PAGES = ("Practice", "Providers", "Billing", "Security", "Backups", "Display")

    def __init__(
        self,
        database: Database,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        choose_image: ImageChooser = choose_image_file,
        choose_folder: FolderChooser = choose_folder,
        confirm_discard: Callable[[QWidget], bool] = ask_discard,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.settings = settings
        self._choose_image = choose_image
        self._choose_folder = choose_folder
        self._confirm_discard = confirm_discard
        self._loading = False
        self._practice = PracticeDetails(id="")
        self.drafts: list[ProviderDraft] = []
        self.setWindowTitle("Settings")

        self.page_list = QListWidget()
        self.page_list.setAccessibleName("Settings pages")
        self.page_list.setFixedWidth(PAGE_LIST_WIDTH)
        self.pages = QStackedWidget()
        for name, page in (
            ("Practice", self._build_practice_page()),
            ("Providers", self._build_providers_page()),
            ("Billing", self._build_billing_page()),
            ("Security", self._build_security_page()),
            ("Backups", self._build_backups_page()),
            ("Display", self._build_display_page()),
        ):
            item = QListWidgetItem(name, self.page_list)
            item.setSizeHint(QSize(PAGE_LIST_WIDTH - 8, self.fontMetrics().height() + 14))
            self.pages.addWidget(page)

        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setAccessibleName("Problem")
        error_text(self.problem_label)
        self.problem_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addWidget(self.page_list)
        body.addWidget(self.pages, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(body, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.page_list.currentRowChanged.connect(self._on_page_list_current_row_changed)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.load()
        self.page_list.setCurrentRow(0)
        self.resize(self.sizeHint().expandedTo(QSize(780, 560)))

    # ---------------------------------------------------------------- pages

    def _build_practice_page(self) -> QWidget:
        page, layout = _page(
            "Practice", "The letterhead of every note and summary you print or export."
        )
        form = _form()
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
                edit = _line_edit(label)
                edit.textChanged.connect(self._on_practice_text_changed)
                editor = edit
            checked = CheckedField(editor)
            self.practice_fields[name] = checked
            form.addRow(f"{label}:", checked)
        self.logo_picker = ImagePicker("logo", LOGO_PREVIEW, self._choose_image)
        self.logo_picker.image_changed.connect(self._on_logo_picker_image_changed)
        form.addRow("Logo:", self.logo_picker.field)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _build_providers_page(self) -> QWidget:
        page, layout = _page(
            "Providers",
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
        form = _form()
        form_column = QVBoxLayout(self.provider_form)
        form_column.setContentsMargins(0, 0, 0, 0)
        form_column.addLayout(form)
        form_column.addStretch(1)
        self.provider_fields: dict[str, CheckedField] = {}
        for name in PROVIDER_TEXT_FIELDS:
            label = PROVIDER_LABELS[name]
            edit = _line_edit(label, PROVIDER_PLACEHOLDERS.get(name, ""))
            edit.setMinimumWidth(200)
            edit.textChanged.connect(self._on_provider_text_changed)
            if name == "npi":
                edit.editingFinished.connect(self._on_npi_editing_finished)
            checked = CheckedField(edit)
            self.provider_fields[name] = checked
            form.addRow(f"{label}:", checked)
        self.signature_picker = ImagePicker("signature", SIGNATURE_PREVIEW, self._choose_image)
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
        return page

    def _build_billing_page(self) -> QWidget:
        page, layout = _page(
            "Billing",
            "How treatment minutes become billing units when a visit is not billed to a claim "
            "with a rule of its own (each claim's rule is set in the client's record).",
        )
        self.unit_rule_group = QButtonGroup(self)
        self.unit_rule_buttons: dict[UnitRule, QRadioButton] = {}
        box = QGroupBox(DEFAULT_UNIT_RULE.label)
        box_layout = QVBoxLayout(box)
        box_layout.setSpacing(4)
        for rule, (title, explanation) in UNIT_RULE_TEXT.items():
            button = QRadioButton(title)
            button.setAccessibleName(title)
            self.unit_rule_group.addButton(button)
            self.unit_rule_buttons[rule] = button
            detail = QLabel(explanation)
            detail.setWordWrap(True)
            detail.setContentsMargins(24, 0, 0, 6)
            muted(detail)
            box_layout.addWidget(button)
            box_layout.addWidget(detail)
        self.unit_rule_field = CheckedField(box)
        layout.addWidget(self.unit_rule_field)
        layout.addStretch(1)
        return page

    def _build_security_page(self) -> QWidget:
        page, layout = _page(
            "Security",
            "When nobody has touched the keyboard or mouse for a while, client records are "
            "hidden behind the lock screen. This setting is for this computer only.",
        )
        self.auto_lock_spin = QSpinBox()
        self.auto_lock_spin.setAccessibleName(AUTO_LOCK_MINUTES.label)
        self.auto_lock_spin.setRange(0, 240)
        self.auto_lock_spin.setSpecialValueText("Never")
        self.auto_lock_spin.setSuffix(" minutes")
        self.auto_lock_spin.setToolTip(AUTO_LOCK_MINUTES.doc)
        self.auto_lock_spin.setMinimumWidth(140)
        self.auto_lock_field = CheckedField(
            self.auto_lock_spin, "0 (Never) turns the lock off; from 1 to 240 minutes.", fill=False
        )
        form = _form()
        form.addRow("Lock after:", self.auto_lock_field)
        layout.addLayout(form)
        self.security_extra_layout = QVBoxLayout()
        self.security_extra_layout.setSpacing(8)
        layout.addLayout(self.security_extra_layout)
        layout.addStretch(1)
        return page

    def _build_backups_page(self) -> QWidget:
        page, layout = _page(
            "Backups",
            "A verified copy of the database is made every day. These settings are for this "
            "computer only."
            if self.database.file is not None
            else "Where this computer keeps exported files. These settings are for this "
            "computer only.",
        )
        backups = QGroupBox("Automatic backups")
        backups_form = _form()
        backups.setLayout(backups_form)
        self.backup_folder_picker = FolderPicker(
            BACKUP_FOLDER.label, "Beside the database", self._choose_folder
        )
        self.backup_folder_field = CheckedField(self.backup_folder_picker)
        self.backup_folder_picker.folder_changed.connect(self._on_backup_folder_picker_changed)
        backups_form.addRow("Folder:", self.backup_folder_field)
        self.backups_to_keep_spin = QSpinBox()
        self.backups_to_keep_spin.setRange(1, 1000)
        self.backups_to_keep_spin.setAccessibleName(BACKUPS_TO_KEEP.label)
        self.backups_to_keep_spin.setToolTip(BACKUPS_TO_KEEP.doc)
        self.backups_to_keep_field = CheckedField(self.backups_to_keep_spin, fill=False)
        backups_form.addRow("Keep the newest:", self.backups_to_keep_field)
        self.backup_days_spin = QSpinBox()
        self.backup_days_spin.setRange(0, 3650)
        self.backup_days_spin.setSuffix(" days")
        self.backup_days_spin.setAccessibleName(BACKUP_DAYS_TO_KEEP.label)
        self.backup_days_spin.setToolTip(BACKUP_DAYS_TO_KEEP.doc)
        self.backup_days_field = CheckedField(
            self.backup_days_spin,
            "Older backups beyond these are deleted. Manual and pre-upgrade backups are kept.",
            fill=False,
        )
        backups_form.addRow("And one a day for:", self.backup_days_field)
        for spin in (self.backups_to_keep_spin, self.backup_days_spin):
            spin.setMinimumWidth(120)
        self.backups_box = backups
        layout.addWidget(backups)
        if self.database.file is None:
            backups.setEnabled(False)
            note = QLabel(
                f"This database is on a server ({self.database.display_name}); the app backs "
                "up SQLite files only. Back the server up with its own tools (pg_dump or "
                "continuous archiving)."
            )
            note.setWordWrap(True)
            muted(note)
            layout.addWidget(note)

        exports = QGroupBox("Exported PDFs")
        exports_form = _form()
        exports.setLayout(exports_form)
        self.export_folder_picker = FolderPicker(
            EXPORT_FOLDER.label, "Your home folder", self._choose_folder
        )
        self.export_folder_field = CheckedField(
            self.export_folder_picker, "Offered first when you save a note or summary as PDF."
        )
        self.export_folder_picker.folder_changed.connect(self._on_export_folder_picker_changed)
        exports_form.addRow("Folder:", self.export_folder_field)
        layout.addWidget(exports)
        layout.addStretch(1)
        return page

    def _build_display_page(self) -> QWidget:
        page, layout = _page(
            "Display",
            "How this computer writes times, on screen and in every PDF it prints. Dates are "
            "always written as 3 Dec 2026, which no country reads as another day.",
        )
        form = _form()
        self.clock_combo = QComboBox()
        self.clock_combo.setAccessibleName(CLOCK.label)
        self.clock_combo.setToolTip(CLOCK.doc)
        for clock, label in CLOCK_LABELS.items():
            self.clock_combo.addItem(label, clock)
        self.clock_field = CheckedField(self.clock_combo)
        form.addRow("Clock:", self.clock_field)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    # ---------------------------------------------------------------- loading

    def load(self) -> None:
        """Fill every page from the database and the settings (forgetting unsaved edits)."""
        self._loading = True
        try:
            with self.database.read() as session:
                self._practice = read_practice(session)
                providers = list_provider_details(session)
            for name, checked in self.practice_fields.items():
                self._set_text(checked.editor, getattr(self._practice, name))
                checked.clear_problem()
            self.logo_picker.set_image(self._practice.logo_png)
            self.drafts = [ProviderDraft.of(p) for p in providers]
            self._fill_provider_list()
            self.unit_rule_buttons[self.settings.default_unit_rule].setChecked(True)
            self.auto_lock_spin.setValue(self.settings.auto_lock_minutes)
            self.backup_folder_picker.line_edit.setText(self.settings.get(BACKUP_FOLDER))
            self.backups_to_keep_spin.setValue(self.settings.backups_to_keep)
            self.backup_days_spin.setValue(self.settings.backup_days_to_keep)
            self.export_folder_picker.line_edit.setText(self.settings.get(EXPORT_FOLDER))
            self.clock_combo.setCurrentIndex(self.clock_combo.findData(self.settings.clock))
        finally:
            self._loading = False
        self.provider_list.setCurrentRow(0 if self.drafts else -1)
        self._show_provider(self.provider_list.currentRow())
        self._on_backup_folder_picker_changed(self.backup_folder_picker.text())
        self._on_export_folder_picker_changed(self.export_folder_picker.text())

    @staticmethod
    def _set_text(editor: QWidget, text: str) -> None:
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(text)
        elif isinstance(editor, QLineEdit):
            editor.setText(text)

    @staticmethod
    def _text(editor: QWidget) -> str:
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        assert isinstance(editor, QLineEdit)
        return editor.text()

    # ---------------------------------------------------------------- what changed

    def practice_changes(self) -> dict[str, Any]:
        """The practice fields edited in the window, by name."""
        changes: dict[str, Any] = {}
        for name, checked in self.practice_fields.items():
            text = self._text(checked.editor)
            if text != getattr(self._practice, name):
                changes[name] = text
        if self.logo_picker.image() != self._practice.logo_png:
            changes["logo_png"] = self.logo_picker.image()
        return changes

    def setting_values(self) -> dict[str, Any]:
        """Every setting as the window shows it now."""
        rule = next((r for r, b in self.unit_rule_buttons.items() if b.isChecked()), UnitRule.CMS)
        return {
            DEFAULT_UNIT_RULE.key: rule,
            AUTO_LOCK_MINUTES.key: self.auto_lock_spin.value(),
            BACKUP_FOLDER.key: self.backup_folder_picker.text(),
            BACKUPS_TO_KEEP.key: self.backups_to_keep_spin.value(),
            BACKUP_DAYS_TO_KEEP.key: self.backup_days_spin.value(),
            EXPORT_FOLDER.key: self.export_folder_picker.text(),
            CLOCK.key: self.clock_combo.currentData(),
        }

    def setting_changes(self) -> dict[str, Any]:
        """The settings whose value in the window differs from the stored one."""
        return {k: v for k, v in self.setting_values().items() if self.settings.get(k) != v}

    def has_changes(self) -> bool:
        """Whether anything was edited and not saved."""
        return bool(
            self.practice_changes()
            or self.setting_changes()
            or any(d.original is None or d.changes() for d in self.drafts)
        )

    # ---------------------------------------------------------------- saving

    def _setting_field(self, key: str) -> CheckedField:
        return {
            DEFAULT_UNIT_RULE.key: self.unit_rule_field,
            AUTO_LOCK_MINUTES.key: self.auto_lock_field,
            BACKUP_FOLDER.key: self.backup_folder_field,
            BACKUPS_TO_KEEP.key: self.backups_to_keep_field,
            BACKUP_DAYS_TO_KEEP.key: self.backup_days_field,
            EXPORT_FOLDER.key: self.export_folder_field,
            CLOCK.key: self.clock_field,
        }[key]

    def _field_page(self, key: str) -> int:
        if key in (BACKUP_FOLDER.key, BACKUPS_TO_KEEP.key, BACKUP_DAYS_TO_KEEP.key):
            return self.PAGES.index("Backups")
        if key == EXPORT_FOLDER.key:
            return self.PAGES.index("Backups")
        if key == AUTO_LOCK_MINUTES.key:
            return self.PAGES.index("Security")
        if key == CLOCK.key:
            return self.PAGES.index("Display")
        return self.PAGES.index("Billing")

    def _check(self) -> bool:
        """Show every problem next to its field; True when there are none."""
        first: tuple[int, QWidget] | None = None
        for checked in self.practice_fields.values():
            checked.clear_problem()
        for name, message in practice_problems(self.practice_changes()).items():
            target = self.logo_picker.field if name == "logo_png" else self.practice_fields[name]
            target.show_problem(message)
            first = first or (self.PAGES.index("Practice"), target)
        for index, draft in enumerate(self.drafts):
            draft.problems = provider_problems(draft.changes())
            names = (draft.values["first_name"], draft.values["last_name"])
            if not any(n.strip() for n in names) and "first_name" not in draft.problems:
                draft.problems["first_name"] = "Type the provider's first or last name."
            if draft.problems and first is None:
                self.provider_list.setCurrentRow(index)
                name = next(iter(draft.problems))
                first = (self.PAGES.index("Providers"), self._provider_target(name))
        self._show_provider(self.provider_list.currentRow())
        for key, value in self.setting_changes().items():
            field_ = self._setting_field(key)
            field_.clear_problem()
            problem = self.settings.problem(key, value)
            if problem is None and key in (BACKUP_FOLDER.key, EXPORT_FOLDER.key) and value:
                problem = folder_write_problem(Path(value).expanduser())
            if problem:
                field_.show_problem(problem)
                first = first or (self._field_page(key), field_)
        if first is not None:
            self.page_list.setCurrentRow(first[0])
            first[1].setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        return True

    def _provider_target(self, name: str) -> CheckedField:
        return (
            self.signature_picker.field if name == "signature_png" else self.provider_fields[name]
        )

    @Slot()
    def save(self) -> bool:
        """Check everything, write it, tell who listens, and close; on a problem the window
        stays open with everything as typed. Returns whether it was saved."""
        self.problem_label.hide()
        if not self._check():
            return False
        practice = self.practice_changes()
        drafts = [(i, d, d.changes()) for i, d in enumerate(self.drafts)]
        drafts = [(i, d, c) for i, d, c in drafts if c or d.original is None]
        if practice or drafts:
            refused_row = -1  # the provider being written, for a refusal only the database sees
            try:
                with self.database.write() as session:
                    if practice:
                        update_practice(session, practice)
                    for row, draft, changes in drafts:
                        refused_row = row
                        if draft.original is None:
                            add_provider(session, changes)
                        else:
                            update_provider(session, draft.original.id, changes)
            except FieldRefusedError as exc:
                if refused_row >= 0:
                    self.drafts[refused_row].problems = {exc.field: str(exc)}
                    self.page_list.setCurrentRow(self.PAGES.index("Providers"))
                    self.provider_list.setCurrentRow(refused_row)
                    self._show_provider(refused_row)
                else:
                    self._fail(str(exc))
                return False
            except (StorageError, NotFoundError) as exc:
                self._fail(str(exc))
                return False
            self._reload_after_write()
            if practice:
                self.practice_changed.emit()
            if drafts:
                self.providers_changed.emit()
        try:
            changed = self.settings.update(self.setting_changes())
        except (SettingsError, StorageError) as exc:
            self._fail(str(exc))
            return False
        for key in changed:
            self.settings_changed.emit(key)
        self.accept()
        return True

    def _reload_after_write(self) -> None:
        """Take what was just written as the new starting point (a later failure on this
        computer's settings then does not write the practice twice)."""
        current = self.provider_list.currentRow()
        with self.database.read() as session:
            self._practice = read_practice(session)
            providers = list_provider_details(session)
        self.drafts = [ProviderDraft.of(p) for p in providers]
        self._loading = True
        try:
            self._fill_provider_list()
        finally:
            self._loading = False
        self.provider_list.setCurrentRow(min(current, len(self.drafts) - 1))

    def _fail(self, message: str) -> None:
        self.problem_label.setText(message)
        self.problem_label.show()

    # ---------------------------------------------------------------- closing

    def reject(self) -> None:
        """Cancel, Escape or the close button: ask before throwing away unsaved changes (a
        close that is refused here leaves the window open: QDialog.closeEvent calls this)."""
        if self.has_changes() and not self._confirm_discard(self):
            return
        super().reject()

    # ---------------------------------------------------------------- providers page

    def current_draft(self) -> ProviderDraft | None:
        """The provider shown in the form, or None."""
        row = self.provider_list.currentRow()
        return self.drafts[row] if 0 <= row < len(self.drafts) else None

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
                self._set_text(checked.editor, draft.values[name])
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

    def _fill_provider_list(self) -> None:
        self.provider_list.clear()
        for draft in self.drafts:
            self._style_provider_item(QListWidgetItem(self.provider_list), draft)

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
            text = self._text(checked.editor)
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

    # ---------------------------------------------------------------- other handlers

    @Slot(int)
    def _on_page_list_current_row_changed(self, row: int) -> None:
        self.pages.setCurrentIndex(row)

    @Slot()
    def _on_practice_text_changed(self) -> None:
        if self._loading:
            return
        # A problem once shown follows the typing, and goes when it is fixed.
        for name, checked in self.practice_fields.items():
            if checked.problem:
                problem = practice_problems({name: self._text(checked.editor)}).get(name)
                if problem:
                    checked.show_problem(problem)
                else:
                    checked.clear_problem()

    @Slot()
    def _on_logo_picker_image_changed(self) -> None:
        self.logo_picker.field.clear_problem()

    @Slot(str)
    def _on_backup_folder_picker_changed(self, text: str) -> None:
        self.backup_folder_field.clear_problem()
        database_file = self.database.file
        if database_file is None:
            return
        folder = (
            Path(text.strip()).expanduser()
            if text.strip()
            else database_file.parent / BACKUPS_SUBFOLDER
        )
        self.backup_folder_field.hint_label.setText(f"Backups go to {folder}")
        self.backup_folder_field.hint_label.show()

    @Slot(str)
    def _on_export_folder_picker_changed(self, _text: str) -> None:
        self.export_folder_field.clear_problem()
