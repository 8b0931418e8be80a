"""The Settings pages that edit settings from the registry: billing, security, backups, display.

Each page shows some settings of ``storage.settings.REGISTRY``, says what they are now
(``setting_values``) and which field shows a problem with each (``setting_fields``); the window
collects them, so a setting is added by declaring it once and giving it a field on one page.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGroupBox,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.presentation import CLOCK_LABELS
from massage_chart.domain.record_kinds import UnitRule
from massage_chart.storage.database import Database
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
)
from massage_chart.ui.settings.fields import (
    CheckedField,
    FolderChooser,
    FolderPicker,
    form_layout,
    page_layout,
)
from massage_chart.ui.style import muted

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


class SettingsPage(QWidget):
    """A page of settings from the registry.

    Args:
        title: the page's name in the window's list and its heading.
        intro: a sentence under the heading.
    """

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.layout_ = page_layout(self, title, intro)

    def load(self, settings: Settings) -> None:
        """Show the stored values."""
        raise NotImplementedError

    def setting_values(self) -> dict[str, Any]:
        """This page's settings as the window shows them now, by key."""
        raise NotImplementedError

    def setting_fields(self) -> Mapping[str, CheckedField]:
        """The field that shows a problem with each of this page's settings, by key."""
        raise NotImplementedError


class BillingPage(SettingsPage):
    """The practice's default unit rule."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Billing",
            "How treatment minutes become billing units when a visit is not billed to a claim "
            "with a rule of its own (each claim's rule is set in the client's record).",
            parent,
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
        self.layout_.addWidget(self.unit_rule_field)
        self.layout_.addStretch(1)

    def load(self, settings: Settings) -> None:
        self.unit_rule_buttons[settings.default_unit_rule].setChecked(True)

    def setting_values(self) -> dict[str, Any]:
        rule = next((r for r, b in self.unit_rule_buttons.items() if b.isChecked()), UnitRule.CMS)
        return {DEFAULT_UNIT_RULE.key: rule}

    def setting_fields(self) -> Mapping[str, CheckedField]:
        return {DEFAULT_UNIT_RULE.key: self.unit_rule_field}


class SecurityPage(SettingsPage):
    """The idle lock; the main window adds its password and encryption buttons.

    Attributes:
        extra_layout: an empty layout for more controls (unlock password, encryption).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Security",
            "When nobody has touched the keyboard or mouse for a while, client records are "
            "hidden behind the lock screen. This setting is for this computer only.",
            parent,
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
        form = form_layout()
        form.addRow("Lock after:", self.auto_lock_field)
        self.layout_.addLayout(form)
        self.extra_layout = QVBoxLayout()
        self.extra_layout.setSpacing(8)
        self.layout_.addLayout(self.extra_layout)
        self.layout_.addStretch(1)

    def load(self, settings: Settings) -> None:
        self.auto_lock_spin.setValue(settings.auto_lock_minutes)

    def setting_values(self) -> dict[str, Any]:
        return {AUTO_LOCK_MINUTES.key: self.auto_lock_spin.value()}

    def setting_fields(self) -> Mapping[str, CheckedField]:
        return {AUTO_LOCK_MINUTES.key: self.auto_lock_field}


class BackupsPage(SettingsPage):
    """Where backups go and how many are kept; where PDFs are saved.

    Args:
        database: the open database (a server database has no backups made by the app).
        choose_folder: asks for a folder.
    """

    def __init__(
        self, database: Database, choose_folder: FolderChooser, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Backups",
            "A verified copy of the database is made every day. These settings are for this "
            "computer only."
            if database.file is not None
            else "Where this computer keeps exported files. These settings are for this "
            "computer only.",
            parent,
        )
        self.database = database
        backups = QGroupBox("Automatic backups")
        backups_form = form_layout()
        backups.setLayout(backups_form)
        self.backup_folder_picker = FolderPicker(
            BACKUP_FOLDER.label, "Beside the database", choose_folder
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
        self.layout_.addWidget(backups)
        if database.file is None:
            backups.setEnabled(False)
            note = QLabel(
                f"This database is on a server ({database.display_name}); the app backs "
                "up SQLite files only. Back the server up with its own tools (pg_dump or "
                "continuous archiving)."
            )
            note.setWordWrap(True)
            muted(note)
            self.layout_.addWidget(note)

        exports = QGroupBox("Exported PDFs")
        exports_form = form_layout()
        exports.setLayout(exports_form)
        self.export_folder_picker = FolderPicker(
            EXPORT_FOLDER.label, "Your home folder", choose_folder
        )
        self.export_folder_field = CheckedField(
            self.export_folder_picker, "Offered first when you save a note or summary as PDF."
        )
        self.export_folder_picker.folder_changed.connect(self._on_export_folder_picker_changed)
        exports_form.addRow("Folder:", self.export_folder_field)
        self.layout_.addWidget(exports)
        self.layout_.addStretch(1)

    def load(self, settings: Settings) -> None:
        self.backup_folder_picker.line_edit.setText(settings.get(BACKUP_FOLDER))
        self.backups_to_keep_spin.setValue(settings.backups_to_keep)
        self.backup_days_spin.setValue(settings.backup_days_to_keep)
        self.export_folder_picker.line_edit.setText(settings.get(EXPORT_FOLDER))
        self._on_backup_folder_picker_changed(self.backup_folder_picker.text())
        self._on_export_folder_picker_changed(self.export_folder_picker.text())

    def setting_values(self) -> dict[str, Any]:
        return {
            BACKUP_FOLDER.key: self.backup_folder_picker.text(),
            BACKUPS_TO_KEEP.key: self.backups_to_keep_spin.value(),
            BACKUP_DAYS_TO_KEEP.key: self.backup_days_spin.value(),
            EXPORT_FOLDER.key: self.export_folder_picker.text(),
        }

    def setting_fields(self) -> Mapping[str, CheckedField]:
        return {
            BACKUP_FOLDER.key: self.backup_folder_field,
            BACKUPS_TO_KEEP.key: self.backups_to_keep_field,
            BACKUP_DAYS_TO_KEEP.key: self.backup_days_field,
            EXPORT_FOLDER.key: self.export_folder_field,
        }

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


class DisplayPage(SettingsPage):
    """How this computer writes times (the clock)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Display",
            "How this computer writes times, on screen and in every PDF it prints. Dates are "
            "always written as 3 Dec 2026, which no country reads as another day.",
            parent,
        )
        form = form_layout()
        self.clock_combo = QComboBox()
        self.clock_combo.setAccessibleName(CLOCK.label)
        self.clock_combo.setToolTip(CLOCK.doc)
        for clock, label in CLOCK_LABELS.items():
            self.clock_combo.addItem(label, clock)
        self.clock_field = CheckedField(self.clock_combo, fill=False)
        form.addRow("Clock:", self.clock_field)
        self.layout_.addLayout(form)
        self.layout_.addStretch(1)

    def load(self, settings: Settings) -> None:
        self.clock_combo.setCurrentIndex(self.clock_combo.findData(settings.clock))

    def setting_values(self) -> dict[str, Any]:
        return {CLOCK.key: self.clock_combo.currentData()}

    def setting_fields(self) -> Mapping[str, CheckedField]:
        return {CLOCK.key: self.clock_field}
