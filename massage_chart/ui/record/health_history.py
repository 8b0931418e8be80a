"""The versioned health history: the current version to edit, older versions read-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain import limits
from massage_chart.domain.client_file import HealthHistoryInfo, MedicationInfo
from massage_chart.domain.medications import classify_medication
from massage_chart.domain.presentation import MEDICATION_CLASS_LABELS as CLASS_LABELS
from massage_chart.domain.record_kinds import MedicationClass
from massage_chart.ui.formatting import format_date
from massage_chart.ui.record.fields import ProblemLabel, scrolling
from massage_chart.ui.style import muted

NO_CLASS = "—"


class _NameDelegate(QStyledItemDelegate):
    """The medication-name editor: reports each keystroke so the class follows the typing."""

    def __init__(self, page: HealthHistoryPage) -> None:
        super().__init__(page)
        self._page = page

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        """A line edit that classifies the name as it is typed."""
        editor = QLineEdit(parent)
        editor.setMaxLength(limits.MEDICATION["name"].most)
        row = index.row()
        editor.textEdited.connect(lambda text: self._page.classify_row(row, text))
        return editor


class MedColumn:
    """Columns of the medications table."""

    NAME = 0
    DOSE = 1
    PURPOSE = 2
    CLASS = 3


@dataclass(frozen=True)
class HealthHistoryInfoValues:
    """A health-history version as typed, ready for ``add_health_history_version``."""

    conditions: tuple[str, ...]
    medications: tuple[MedicationInfo, ...]
    allergies: tuple[str, ...]
    surgeries: str
    injuries: str
    pregnant: bool
    pregnancy_weeks: int | None
    notes: str


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class HealthHistoryPage(QWidget):
    """Conditions, medications with their classes, allergies, surgeries, injuries, pregnancy.

    Each save writes a new full version. The version picker shows older versions read-only.

    Signals:
        save_requested(): "Save as new version" was pressed.
    """

    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._versions: list[HealthHistoryInfo] = []
        self._manual_class_rows: set[int] = set()
        self._filling = False
        self.version_combo = QComboBox()
        self.version_combo.setAccessibleName("Health history version")
        self.version_combo.currentIndexChanged.connect(self._on_version_combo_changed)
        self.version_label = QLabel()
        muted(self.version_label)

        self.conditions_edit = QPlainTextEdit()
        self.conditions_edit.setPlaceholderText("One per line: osteoporosis, diabetes type 2…")
        self.allergies_edit = QPlainTextEdit()
        self.allergies_edit.setPlaceholderText("One per line, including oils and lotions")
        self.surgeries_edit = QPlainTextEdit()
        self.surgeries_edit.setPlaceholderText("One per line with its date: knee 2026-10-01")
        self.injuries_edit = QPlainTextEdit()
        self.injuries_edit.setPlaceholderText("One per line: sprained R ankle last year")
        self.notes_edit = QPlainTextEdit()
        for edit in (
            self.conditions_edit,
            self.allergies_edit,
            self.surgeries_edit,
            self.injuries_edit,
            self.notes_edit,
        ):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(58)
        self.pregnant_check = QCheckBox("Pregnant")
        self.pregnancy_weeks = QSpinBox()
        self.pregnancy_weeks.setRange(0, 45)
        self.pregnancy_weeks.setSpecialValueText("weeks unknown")
        self.pregnancy_weeks.setSuffix(" weeks")
        self.pregnancy_weeks.setEnabled(False)
        self.pregnant_check.toggled.connect(self.pregnancy_weeks.setEnabled)

        self.medications = QTableWidget(0, 4)
        self.medications.setHorizontalHeaderLabels(["Medication", "Dose", "What for", "Class"])
        self.medications.setAccessibleName("Medications")
        header = self.medications.horizontalHeader()
        header.setSectionResizeMode(MedColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MedColumn.PURPOSE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(MedColumn.DOSE, 90)
        header.resizeSection(MedColumn.CLASS, 160)
        self.medications.verticalHeader().hide()
        self.medications.setMinimumHeight(130)
        self.medications.itemChanged.connect(self._on_medications_item_changed)
        self.medications.setItemDelegateForColumn(MedColumn.NAME, _NameDelegate(self))

        pregnancy = QHBoxLayout()
        pregnancy.addWidget(self.pregnant_check)
        pregnancy.addWidget(self.pregnancy_weeks)
        pregnancy.addStretch(1)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.addRow("Conditions:", self.conditions_edit)
        hint = QLabel("The class is looked up as you type the name; change it if it is wrong.")
        muted(hint)
        medications = QVBoxLayout()
        medications.setSpacing(2)
        medications.addWidget(self.medications)
        medications.addWidget(hint)
        form.addRow("Medications:", medications)
        form.addRow("Allergies:", self.allergies_edit)
        form.addRow("Surgeries:", self.surgeries_edit)
        form.addRow("Injuries:", self.injuries_edit)
        form.addRow("Pregnancy:", pregnancy)
        form.addRow("Notes:", self.notes_edit)

        top = QHBoxLayout()
        top.addWidget(QLabel("Version:"))
        top.addWidget(self.version_combo)
        top.addWidget(self.version_label, 1)
        self.problem_label = ProblemLabel()
        self.save_button = QPushButton("Save as &new version")
        self.save_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.save_button.clicked.connect(self.save_requested)
        bottom = QHBoxLayout()
        bottom.addWidget(self.problem_label, 1)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addLayout(top)
        layout.addWidget(scrolling(form), 1)
        layout.addLayout(bottom)
        self._fill(None)

    # ------------------------------------------------------------------ public

    def load(self, versions: Sequence[HealthHistoryInfo]) -> None:
        """Show the versions (newest first); the newest is shown, editable."""
        self._versions = list(versions)
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        if not self._versions:
            self.version_combo.addItem("No health history yet")
        for index, history in enumerate(self._versions):
            current = " (current)" if index == 0 else ""
            self.version_combo.addItem(
                f"Version {history.version} — {format_date(history.recorded_at.date())}{current}"
            )
        self.version_combo.setCurrentIndex(0)
        self.version_combo.blockSignals(False)
        self._show_version(0)

    def is_read_only(self) -> bool:
        """Whether an older version is on show."""
        return self.version_combo.currentIndex() > 0

    def values(self) -> HealthHistoryInfoValues:
        """The history as typed."""
        medications = []
        for row in range(self.medications.rowCount()):
            name = self._cell(row, MedColumn.NAME)
            if not name:
                continue
            combo = self._class_combo(row)
            med_class = combo.currentData() if combo is not None else None
            medications.append(
                MedicationInfo(
                    name=name,
                    dose=self._cell(row, MedColumn.DOSE),
                    purpose=self._cell(row, MedColumn.PURPOSE),
                    med_class=med_class,
                )
            )
        pregnant = self.pregnant_check.isChecked()
        return HealthHistoryInfoValues(
            conditions=_lines(self.conditions_edit.toPlainText()),
            medications=tuple(medications),
            allergies=_lines(self.allergies_edit.toPlainText()),
            surgeries=self.surgeries_edit.toPlainText().strip(),
            injuries=self.injuries_edit.toPlainText().strip(),
            pregnant=pregnant,
            pregnancy_weeks=(self.pregnancy_weeks.value() or None) if pregnant else None,
            notes=self.notes_edit.toPlainText().strip(),
        )

    def add_medication_row(self, name: str = "", dose: str = "", purpose: str = "") -> int:
        """Append a medication row and return its index."""
        row = self.medications.rowCount()
        self._filling = True
        self.medications.insertRow(row)
        for column, text in ((0, name), (1, dose), (2, purpose)):
            self.medications.setItem(row, column, QTableWidgetItem(text))
        combo = QComboBox()
        combo.addItem(NO_CLASS, None)
        for med_class, label in CLASS_LABELS.items():
            combo.addItem(label, med_class)
        combo.setAccessibleName("Medication class")
        combo.activated.connect(lambda _i, r=row: self._manual_class_rows.add(r))
        self.medications.setCellWidget(row, MedColumn.CLASS, combo)
        self._filling = False
        return row

    def classify_row(self, row: int, name: str) -> None:
        """Set a row's class from the medications table, unless it was chosen by hand."""
        if row in self._manual_class_rows:
            return
        combo = self._class_combo(row)
        if combo is not None:
            med_class = classify_medication(name) if name.strip() else None
            combo.setCurrentIndex(max(combo.findData(med_class), 0))

    def medication_class(self, row: int) -> MedicationClass | None:
        """The class chosen on a row."""
        combo = self._class_combo(row)
        return combo.currentData() if combo is not None else None

    def set_medication_class(self, row: int, med_class: MedicationClass | None) -> None:
        """Choose a class by hand (it then stays, whatever the name)."""
        combo = self._class_combo(row)
        if combo is not None:
            combo.setCurrentIndex(max(combo.findData(med_class), 0))
            self._manual_class_rows.add(row)

    # ------------------------------------------------------------------ internals

    def _cell(self, row: int, column: int) -> str:
        item = self.medications.item(row, column)
        return item.text().strip() if item is not None else ""

    def _class_combo(self, row: int) -> QComboBox | None:
        widget = self.medications.cellWidget(row, MedColumn.CLASS)
        return widget if isinstance(widget, QComboBox) else None

    def _show_version(self, index: int) -> None:
        history = self._versions[index] if 0 <= index < len(self._versions) else None
        self._fill(history)
        read_only = index > 0
        for edit in (
            self.conditions_edit,
            self.allergies_edit,
            self.surgeries_edit,
            self.injuries_edit,
            self.notes_edit,
        ):
            edit.setReadOnly(read_only)
        self.pregnant_check.setEnabled(not read_only)
        self.pregnancy_weeks.setEnabled(not read_only and self.pregnant_check.isChecked())
        self.medications.setEditTriggers(
            QTableWidget.EditTrigger.NoEditTriggers
            if read_only
            else QTableWidget.EditTrigger.AllEditTriggers
        )
        for row in range(self.medications.rowCount()):
            combo = self._class_combo(row)
            if combo is not None:
                combo.setEnabled(not read_only)
        self.save_button.setEnabled(not read_only)
        if history is None:
            self.version_label.setText("Saving writes version 1.")
        elif read_only:
            self.version_label.setText(
                f"Recorded {format_date(history.recorded_at.date())}: read-only. "
                "Choose the current version to make changes."
            )
        else:
            self.version_label.setText(
                f"Recorded {format_date(history.recorded_at.date())}. "
                f"Saving writes version {history.version + 1}; this one is kept."
            )

    def _fill(self, history: HealthHistoryInfo | None) -> None:
        self.conditions_edit.setPlainText(
            "\n".join(c.name for c in history.conditions) if history else ""
        )
        self.allergies_edit.setPlainText(
            "\n".join(a.substance for a in history.allergies) if history else ""
        )
        self.surgeries_edit.setPlainText(history.surgeries if history else "")
        self.injuries_edit.setPlainText(history.injuries if history else "")
        self.notes_edit.setPlainText(history.notes if history else "")
        self.pregnant_check.setChecked(bool(history and history.pregnant))
        self.pregnancy_weeks.setValue((history.pregnancy_weeks or 0) if history else 0)
        self.medications.setRowCount(0)
        self._manual_class_rows.clear()
        for medication in history.medications if history else []:
            row = self.add_medication_row(medication.name, medication.dose, medication.purpose)
            combo = self._class_combo(row)
            med_class = medication.med_class or classify_medication(medication.name)
            if combo is not None:
                combo.setCurrentIndex(max(combo.findData(med_class), 0))
            if medication.med_class is not None:
                self._manual_class_rows.add(row)
        self.add_medication_row()
        self.problem_label.say("")

    # ------------------------------------------------------------------ handlers

    @Slot(int)
    def _on_version_combo_changed(self, index: int) -> None:
        self._show_version(index)

    @Slot(QTableWidgetItem)
    def _on_medications_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != MedColumn.NAME:
            return
        row = item.row()
        name = item.text().strip()
        self.classify_row(row, name)
        if name and row == self.medications.rowCount() - 1 and not self.is_read_only():
            self.add_medication_row()
