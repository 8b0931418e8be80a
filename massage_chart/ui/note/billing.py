"""The billing block of a note: diagnosis codes, CPT lines with live units, checks and totals."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.cpt import (
    BillingEntry,
    BillingIssue,
    BillingTotals,
    check_billing,
    compute_totals,
    explain_units,
    normalise_cpt,
    normalise_modifier,
)
from massage_chart.domain.icd10 import Severity
from massage_chart.domain.record_kinds import PayerType, UnitRule
from massage_chart.storage.client_records import BillingLineData
from massage_chart.ui.record.icd_picker import Icd10Picker
from massage_chart.ui.style import error_text, muted

UNIT_RULE_NAMES = {
    UnitRule.CMS: "CMS rule (timed minutes pooled)",
    UnitRule.AMA: "AMA rule (each code on its own)",
}
LABELS_GROUP = "billing/cpt_labels"
"""QSettings group of the practice's own CPT labels (no AMA descriptors are shipped)."""


class BillingColumn:
    """Columns of the CPT table."""

    CPT = 0
    LABEL = 1
    MINUTES = 2
    UNITS = 3
    MODIFIERS = 4
    POINTERS = 5


def _pointers(text: str) -> tuple[int, ...]:
    """Diagnosis pointers typed as letters or numbers ("A,B", "1 2") -> (1, 2)."""
    result = []
    for part in text.replace(",", " ").split():
        part = part.strip().upper()
        if part.isascii() and part.isdigit():
            result.append(int(part))
        elif len(part) == 1 and "A" <= part <= "L":
            result.append(ord(part) - ord("A") + 1)
    return tuple(result)


def _pointer_text(pointers: Sequence[int]) -> str:
    return ",".join(chr(ord("A") + p - 1) if 1 <= p <= 12 else str(p) for p in pointers)


class BillingPanel(QWidget):
    """ICD-10 codes of the visit and its CPT lines; units follow the payer's rule as you type.

    Signals:
        changed(): a code, a line or a value changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.unit_rule = UnitRule.CMS
        self.payer_type = PayerType.SELF_PAY
        self.visit_minutes: int | None = None
        self._filling = False
        self._read_only = False
        self.totals = BillingTotals(0, 0, 0)
        self.issues: list[BillingIssue] = []
        self.icd_picker = Icd10Picker()
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            ["CPT", "Your label", "Minutes", "Units", "Modifiers", "Dx"]
        )
        self.table.setAccessibleName("Billing lines")
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(BillingColumn.LABEL, QHeaderView.ResizeMode.Stretch)
        for column, width in (
            (BillingColumn.CPT, 64),
            (BillingColumn.MINUTES, 64),
            (BillingColumn.UNITS, 48),
            (BillingColumn.MODIFIERS, 76),
            (BillingColumn.POINTERS, 52),
        ):
            header.resizeSection(column, width)
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton("Add line")
        self.remove_button = QPushButton("Remove line")
        self.rule_label = QLabel()
        muted(self.rule_label)
        self.totals_label = QLabel()
        self.totals_label.setAccessibleName("Billing totals")
        self.units_label = QLabel()
        self.units_label.setWordWrap(True)
        self.units_label.setAccessibleName("Why these units")
        muted(self.units_label)
        self.issues_label = QLabel()
        self.issues_label.setWordWrap(True)
        self.issues_label.setTextFormat(Qt.TextFormat.PlainText)
        self.issues_label.setAccessibleName("Billing problems")
        error_text(self.issues_label)
        self.issues_label.hide()

        codes_title = QLabel("Diagnosis codes (from the referral; check with the prescriber)")
        muted(codes_title)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.rule_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(codes_title)
        layout.addWidget(self.icd_picker)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.units_label)
        layout.addWidget(self.totals_label)
        layout.addWidget(self.issues_label)

        self.table.itemChanged.connect(self._on_table_item_changed)
        self.table.currentCellChanged.connect(self._on_table_current_cell_changed)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.icd_picker.codes_changed.connect(self._on_icd_picker_codes_changed)

    # ------------------------------------------------------------------ public

    def load(
        self,
        codes: Sequence[str],
        lines: Sequence[BillingLineData],
        *,
        unit_rule: UnitRule,
        payer_type: PayerType,
        visit_minutes: int | None,
    ) -> None:
        """Show the visit's codes and lines, with units by ``unit_rule``."""
        self.unit_rule = unit_rule
        self.payer_type = payer_type
        self.visit_minutes = visit_minutes
        self.rule_label.setText(f"Units by the {UNIT_RULE_NAMES[unit_rule]}")
        self.icd_picker.set_codes(codes)
        self._filling = True
        self.table.setRowCount(0)
        for line in lines:
            self._append_row(line)
        self._filling = False
        self.recompute()

    def add_line(self, cpt: str = "", minutes: int = 0) -> int:
        """Append a line and return its row."""
        self._filling = True
        row = self._append_row(BillingLineData(cpt, minutes))
        self._filling = False
        self.recompute()
        self.changed.emit()
        return row

    def set_cell(self, row: int, column: int, text: str) -> None:
        """Type into a cell (as the user would, committing the edit)."""
        item = self.table.item(row, column)
        if item is not None:
            item.setText(text)

    def entries(self) -> list[BillingEntry]:
        """The lines as the billing rules read them (units as computed)."""
        return [
            BillingEntry(
                cpt=line.cpt,
                minutes=line.minutes,
                units=line.units,
                modifiers=line.modifiers,
                diagnosis_pointers=line.diagnosis_pointers,
            )
            for line in self.lines()
        ]

    def lines(self) -> list[BillingLineData]:
        """The lines to store: blank codes left out, units as computed by the rule."""
        result = []
        for row in range(self.table.rowCount()):
            code = normalise_cpt(self._text(row, BillingColumn.CPT))
            if not code:
                continue
            units_text = self._text(row, BillingColumn.UNITS)
            result.append(
                BillingLineData(
                    cpt=code,
                    minutes=self._minutes(row),
                    units=int(units_text) if units_text.isascii() and units_text.isdigit() else 0,
                    modifiers=tuple(
                        normalise_modifier(m)
                        for m in self._text(row, BillingColumn.MODIFIERS).replace(",", " ").split()
                        if normalise_modifier(m)
                    ),
                    diagnosis_pointers=_pointers(self._text(row, BillingColumn.POINTERS)),
                )
            )
        return result

    def units_shown(self) -> list[str]:
        """The Units column as shown, row by row."""
        return [self._text(row, BillingColumn.UNITS) for row in range(self.table.rowCount())]

    def errors(self) -> list[str]:
        """Problems likely to get a claim denied: billing errors and diagnosis-code errors."""
        codes = [i.message for i in self.icd_picker.issues if i.severity is Severity.ERROR]
        return codes + [i.message for i in self.issues if i.severity is Severity.ERROR]

    def issue_messages(self) -> list[str]:
        """The billing problems on show."""
        return [line.removeprefix("• ") for line in self.issues_label.text().splitlines() if line]

    def set_read_only(self, read_only: bool) -> None:
        """Show the billing without letting it change (a signed note)."""
        self._read_only = read_only
        self.icd_picker.set_read_only(read_only)
        self.table.setEditTriggers(
            QTableWidget.EditTrigger.NoEditTriggers
            if read_only
            else QTableWidget.EditTrigger.AllEditTriggers
        )
        self.add_button.setVisible(not read_only)
        self.remove_button.setVisible(not read_only)

    def recompute(self) -> None:
        """Units per line, totals and checks, from what is in the table now."""
        rows = [
            (row, normalise_cpt(self._text(row, BillingColumn.CPT)), self._minutes(row))
            for row in range(self.table.rowCount())
        ]
        entries = [BillingEntry(cpt=code, minutes=minutes) for _, code, minutes in rows if code]
        self.totals = compute_totals(entries, self.unit_rule)
        seen: set[str] = set()
        self._filling = True
        for row, code, _minutes in rows:
            units = ""
            if code and code in self.totals.units_by_code:
                units = "0" if code in seen else str(self.totals.units_by_code[code])
                seen.add(code)
            item = self.table.item(row, BillingColumn.UNITS)
            if item is not None:
                item.setText(units)
                item.setToolTip(self.unit_explanation(row))
        self._filling = False
        self._show_unit_explanation()
        self.totals_label.setText(
            f"Timed minutes {self.totals.timed_minutes} · treatment minutes "
            f"{self.totals.treatment_minutes} · units {self.totals.total_units}"
        )
        issues = check_billing(
            self.entries(),
            unit_rule=self.unit_rule,
            visit_minutes=self.visit_minutes,
            payer_type=self.payer_type,
            diagnosis_count=len(self.icd_picker.codes()),
        )
        self.issues = issues
        text = "\n".join(
            f"• {'' if i.severity is Severity.ERROR else '(check) '}{i.message}" for i in issues
        )
        self.issues_label.setText(text)
        self.issues_label.setVisible(bool(text))

    def unit_explanation(self, row: int) -> str:
        """Why the line in ``row`` gets its units (or "" for a line without a code)."""
        code = normalise_cpt(self._text(row, BillingColumn.CPT))
        if not code:
            return ""
        return explain_units(code, self.entries(), self.unit_rule)

    def _show_unit_explanation(self) -> None:
        """Under the table: why the current line gets its units (nothing without one)."""
        row = self.table.currentRow()
        text = self.unit_explanation(row) if row >= 0 else ""
        self.units_label.setText(text)
        self.units_label.setVisible(bool(text))

    @Slot(int, int, int, int)
    def _on_table_current_cell_changed(
        self, _row: int, _column: int, _old_row: int, _old_column: int
    ) -> None:
        self._show_unit_explanation()

    # ------------------------------------------------------------------ internals

    def _append_row(self, line: BillingLineData) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        values = (
            line.cpt,
            self._label_for(line.cpt),
            str(line.minutes) if line.minutes else "",
            str(line.units) if line.units else "",
            " ".join(line.modifiers),
            _pointer_text(line.diagnosis_pointers) or ("A" if self.icd_picker.codes() else ""),
        )
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            if column == BillingColumn.UNITS:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setToolTip("Computed from the minutes by the payer's unit rule")
            if column in (BillingColumn.MINUTES, BillingColumn.UNITS):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, column, item)
        return row

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text().strip() if item is not None else ""

    def _minutes(self, row: int) -> int:
        text = self._text(row, BillingColumn.MINUTES)
        return int(text) if text.isascii() and text.isdigit() else 0

    @staticmethod
    def _label_for(code: str) -> str:
        if not code:
            return ""
        value = QSettings().value(f"{LABELS_GROUP}/{normalise_cpt(code)}", "")
        return str(value) if value else ""

    # ------------------------------------------------------------------ handlers

    @Slot(QTableWidgetItem)
    def _on_table_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, column = item.row(), item.column()
        if column == BillingColumn.CPT:
            label = self._label_for(item.text())
            current = self.table.item(row, BillingColumn.LABEL)
            if label and current is not None and not current.text().strip():
                self._filling = True
                current.setText(label)
                self._filling = False
        elif column == BillingColumn.LABEL:
            code = normalise_cpt(self._text(row, BillingColumn.CPT))
            if code:
                QSettings().setValue(f"{LABELS_GROUP}/{code}", item.text().strip())
        if column != BillingColumn.LABEL:
            self.recompute()
            self.changed.emit()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        row = self.add_line()
        self.table.setCurrentCell(row, BillingColumn.CPT)
        item = self.table.item(row, BillingColumn.CPT)
        if item is not None:
            self.table.editItem(item)

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < self.table.rowCount() and not self._read_only:
            self.table.removeRow(row)
            self.recompute()
            self.changed.emit()

    @Slot()
    def _on_icd_picker_codes_changed(self) -> None:
        self.recompute()
        self.changed.emit()
