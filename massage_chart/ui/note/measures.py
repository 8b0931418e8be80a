"""The note's measurable findings: range of motion, tolerances and functional goals, one table
each, entered with the keyboard or the mouse and saved with the rest of the note."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain import limits
from massage_chart.domain.measures import (
    ACTIVITIES,
    MOST_DEGREES,
    MOST_MINUTES,
    GoalStatus,
    GoalTerm,
    motions,
)
from massage_chart.ui.number_box import OptionalNumberBox
from massage_chart.ui.style import muted

NO_DATE = QDate(2000, 1, 1)
"""The goal date edit's "no date set" (shown as "—")."""

ROM_COLUMNS = ("Motion", "Side", "Type", "When", "Degrees", "WNL", "Pain at end", "Visual")
TOLERANCE_COLUMNS = ("Activity", "Minutes")
GOAL_COLUMNS = ("Term", "Goal", "By", "Status")


def _combo(name: str, items: list[tuple[str, Any]]) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(name)
    for text, data in items:
        combo.addItem(text, data)
    return combo


def _select(combo: QComboBox, data: Any) -> None:
    combo.setCurrentIndex(max(combo.findData(data), 0))


def _check(name: str) -> QCheckBox:
    box = QCheckBox()
    box.setAccessibleName(name)
    return box


class _Table(QGroupBox):
    """A titled table of entries, with Add and Remove; each row's cells are widgets.

    The rows of stored entries are built when the table is first shown (or its cells are first
    asked for): a note opens without building the widgets of a tab not yet looked at. Until
    then the table's entries are the stored ones.

    Signals:
        changed(): a row was added, removed or edited.
        read_back(stored): the rows were built from these stored entries and read back
            otherwise (an entry the rows cannot hold as stored: a motion this version does not
            know, a date before the rows' first); what they show is no edit of the note's.
    """

    changed = Signal()
    read_back = Signal(list)

    def __init__(self, title: str, columns: tuple[str, ...], add_text: str) -> None:
        super().__init__(title)
        self._pending: list[dict[str, Any]] | None = None
        self._read_only = False
        self.grid = QTableWidget(0, len(columns))
        self.grid.setAccessibleName(title)
        self.grid.setHorizontalHeaderLabels(list(columns))
        self.grid.verticalHeader().hide()
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.add_button = QPushButton(add_text)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected row")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid)
        layout.addLayout(buttons)
        self._fit()

    # Each table knows how to make a row's widgets and read them back.
    def make_row(self, entry: dict[str, Any] | None) -> list[QWidget]:
        raise NotImplementedError

    def read_row(self, row: int) -> list[dict[str, Any]]:
        raise NotImplementedError

    @property
    def table(self) -> QTableWidget:
        """The table widget, with its rows built."""
        self._build_rows()
        return self.grid

    def cell(self, row: int, column: int) -> Any:
        """The widget in a cell (a combo, a box, a line)."""
        return self.table.cellWidget(row, column)

    def add_row(self, entry: dict[str, Any] | None = None) -> int:
        """Add a row (filled from ``entry`` when given); returns its index."""
        self._build_rows()
        row = self.grid.rowCount()
        self.grid.insertRow(row)
        for column, widget in enumerate(self.make_row(entry)):
            self._watch(widget)
            if self._read_only:
                widget.setEnabled(False)
            self.grid.setCellWidget(row, column, widget)
        self._fit()
        return row

    def entries(self) -> list[dict[str, Any]]:
        """The complete rows as stored entries (a row still being filled in is left out)."""
        if self._pending is not None:
            return [dict(entry) for entry in self._pending]
        return [entry for row in range(self.grid.rowCount()) for entry in self.read_row(row)]

    def unfinished(self) -> bool:
        """Whether a row is still being filled in (not yet an entry)."""
        if self._pending is not None:
            return False
        return any(not self.read_row(row) for row in range(self.grid.rowCount()))

    def set_entries(self, entries: list[dict[str, Any]]) -> None:
        """Show these entries, replacing the rows (built now when the table is on screen, else
        when it is first shown)."""
        self._pending = [dict(entry) for entry in entries]
        if self.isVisible():
            self._build_rows()

    def _build_rows(self) -> None:
        stored, self._pending = self._pending, None
        if stored is None:
            return
        self.grid.setRowCount(0)
        for entry in stored:
            self.add_row(entry)
        self._fit()
        for line in self.grid.findChildren(QLineEdit):
            line.setCursorPosition(0)  # a long entry shows its beginning, as the note's fields
        if self.entries() != stored:
            self.read_back.emit(stored)

    def showEvent(self, event: QShowEvent) -> None:
        self._build_rows()
        super().showEvent(event)

    def set_read_only(self, read_only: bool) -> None:
        """Lock the rows and the buttons (a signed note)."""
        self._read_only = read_only
        self.add_button.setVisible(not read_only)
        self.remove_button.setVisible(not read_only)
        for row in range(self.grid.rowCount()):
            for column in range(self.grid.columnCount()):
                widget = self.grid.cellWidget(row, column)
                if widget is not None:
                    widget.setEnabled(not read_only)

    def _watch(self, widget: QWidget) -> None:
        signal: Callable[..., Any] | None = None
        if isinstance(widget, QComboBox):
            signal = widget.currentIndexChanged.connect
        elif isinstance(widget, OptionalNumberBox):
            signal = widget.valueChanged.connect
        elif isinstance(widget, QCheckBox):
            signal = widget.toggled.connect
        elif isinstance(widget, QLineEdit):
            signal = widget.textChanged.connect
        elif isinstance(widget, QDateEdit):
            signal = widget.dateChanged.connect
        if signal is not None:
            signal(self._on_cell_changed)

    def _fit(self) -> None:
        """Tall enough for its rows (the tab scrolls, not each table)."""
        header = self.grid.horizontalHeader().sizeHint().height()
        rows = sum(self.grid.rowHeight(r) for r in range(self.grid.rowCount()))
        self.grid.setFixedHeight(header + max(rows, 28) + 2 * self.grid.frameWidth() + 4)

    @Slot()
    def _on_cell_changed(self) -> None:
        self.changed.emit()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        row = self.add_row()
        self.grid.selectRow(row)
        first = self.grid.cellWidget(row, 0)
        if first is not None:
            first.setFocus()
        self.changed.emit()

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        rows = sorted({index.row() for index in self.grid.selectedIndexes()}, reverse=True)
        if not rows and self.grid.rowCount():
            rows = [self.grid.rowCount() - 1]
        for row in rows:
            self.grid.removeRow(row)
        self._fit()
        self.changed.emit()


class RangeOfMotionTable(_Table):
    """One row per measurement: motion, side, AROM/PROM, before or after treatment, degrees or
    within normal limits, pain at end range, a visual estimate."""

    def __init__(self) -> None:
        super().__init__("Range of motion", ROM_COLUMNS, "Add &motion")
        self.again_button = QPushButton("Measure &after treatment")
        self.again_button.setToolTip(
            "Add an after-treatment row for each motion measured before treatment that has none"
        )
        self.again_button.clicked.connect(self._on_again_button_clicked)
        self.buttons.insertWidget(2, self.again_button)

    def make_row(self, entry: dict[str, Any] | None) -> list[QWidget]:
        entry = entry or {}
        motion = _combo("Motion", [(m.name, m.id) for m in motions().values()])
        _select(motion, entry.get("motion"))
        side = _combo("Side", [("Right", "right"), ("Left", "left"), ("—", "")])
        _select(side, entry.get("side", "right"))
        kind = _combo("Type", [("AROM", False), ("PROM", True)])
        _select(kind, bool(entry.get("passive", False)))
        when = _combo("When", [("Before", "before"), ("After", "after")])
        _select(when, entry.get("timing", "before"))
        degrees = OptionalNumberBox("Degrees", MOST_DEGREES, "°")
        degrees.set_number(entry.get("degrees"))
        wnl = _check("Within normal limits")
        wnl.setChecked(bool(entry.get("within_normal")))
        painful = _check("Pain at end range")
        painful.setChecked(bool(entry.get("painful")))
        visual = _check("Visual estimate")
        visual.setChecked(entry.get("method") == "visual")
        degrees.setEnabled(not wnl.isChecked())
        wnl.toggled.connect(lambda on: degrees.setEnabled(not on))
        motion.currentIndexChanged.connect(lambda: self._fit_side(motion, side))
        self._fit_side(motion, side)
        return [motion, side, kind, when, degrees, wnl, painful, visual]

    @staticmethod
    def _fit_side(motion: QComboBox, side: QComboBox) -> None:
        """A spinal motion has no side; a limb's has one."""
        sided = motions()[motion.currentData()].sided
        if not sided:
            _select(side, "")
        elif side.currentData() == "":
            _select(side, "right")
        side.setEnabled(sided)

    def read_row(self, row: int) -> list[dict[str, Any]]:
        wnl = self.cell(row, 5).isChecked()
        degrees = self.cell(row, 4).number()
        if degrees is None and not wnl:
            return []  # still being filled in
        return [
            {
                "motion": self.cell(row, 0).currentData(),
                "side": self.cell(row, 1).currentData(),
                "degrees": None if wnl else degrees,
                "within_normal": wnl,
                "passive": self.cell(row, 2).currentData(),
                "painful": self.cell(row, 6).isChecked(),
                "method": "visual" if self.cell(row, 7).isChecked() else "goniometer",
                "timing": self.cell(row, 3).currentData(),
            }
        ]

    def _motion_key(self, row: int) -> tuple[Any, Any, Any]:
        return (
            self.cell(row, 0).currentData(),
            self.cell(row, 1).currentData(),
            self.cell(row, 2).currentData(),
        )

    @Slot()
    def _on_again_button_clicked(self) -> None:
        rows = range(self.grid.rowCount())
        done = {self._motion_key(row) for row in rows if self.cell(row, 3).currentData() == "after"}
        for row in rows:
            if self.cell(row, 3).currentData() != "before" or self._motion_key(row) in done:
                continue
            done.add(self._motion_key(row))
            entry = {
                "motion": self.cell(row, 0).currentData(),
                "side": self.cell(row, 1).currentData(),
                "passive": self.cell(row, 2).currentData(),
                "timing": "after",
                "method": "visual" if self.cell(row, 7).isChecked() else "goniometer",
            }
            self.add_row(entry)
        self.changed.emit()


class ToleranceTable(_Table):
    """How long the client can sit, stand, walk, drive... in minutes."""

    def __init__(self) -> None:
        super().__init__("Tolerance", TOLERANCE_COLUMNS, "Add &activity")

    def make_row(self, entry: dict[str, Any] | None) -> list[QWidget]:
        entry = entry or {}
        activity = _combo("Activity", [(label, key) for key, label in ACTIVITIES.items()])
        _select(activity, entry.get("activity"))
        minutes = OptionalNumberBox("Minutes", MOST_MINUTES, " min")
        minutes.set_number(entry.get("minutes"))
        return [activity, minutes]

    def read_row(self, row: int) -> list[dict[str, Any]]:
        minutes = self.cell(row, 1).number()
        if minutes is None:
            return []
        return [{"activity": self.cell(row, 0).currentData(), "minutes": minutes}]


class GoalTable(_Table):
    """Short- and long-term goals with the day they should be met by and where they stand."""

    def __init__(self) -> None:
        super().__init__("Functional goals", GOAL_COLUMNS, "Add &goal")
        self.grid.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def make_row(self, entry: dict[str, Any] | None) -> list[QWidget]:
        entry = entry or {}
        term = _combo("Term", [(t.abbreviation, t.value) for t in GoalTerm])
        _select(term, entry.get("term", "short"))
        text = QLineEdit(entry.get("text", ""))
        text.setAccessibleName("Goal")
        text.setMaxLength(limits.SHORT_TEXT)
        text.setPlaceholderText("e.g. Turn the head 70° to check traffic")
        text.setMinimumWidth(220)
        by = QDateEdit()
        by.setAccessibleName("Goal date")
        by.setCalendarPopup(True)
        by.setDisplayFormat("d MMM yyyy")
        by.setMinimumDate(NO_DATE)
        by.setSpecialValueText("—")
        target = entry.get("target")
        by.setDate(QDate.fromString(target, "yyyy-MM-dd") if target else NO_DATE)
        status = _combo("Status", [(s.label, s.value) for s in GoalStatus])
        _select(status, entry.get("status", "set"))
        return [term, text, by, status]

    def read_row(self, row: int) -> list[dict[str, Any]]:
        text = self.cell(row, 1).text().strip()
        if not text:
            return []
        day: QDate = self.cell(row, 2).date()
        target = None if day == NO_DATE else dt.date(day.year(), day.month(), day.day())
        return [
            {
                "term": self.cell(row, 0).currentData(),
                "text": text,
                "target": target.isoformat() if target else None,
                "status": self.cell(row, 3).currentData(),
            }
        ]


FIELDS = ("range_of_motion", "tolerances", "goals")


class MeasuresPanel(QScrollArea):
    """The note's Measures & goals tab: range of motion, tolerance, functional goals.

    Signals:
        changed(): an entry was added, removed or edited.
        read_back(name, stored): a field's rows were built, when first shown, from these stored
            entries and read back otherwise (see ``_Table``).
    """

    changed = Signal()
    read_back = Signal(str, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rom = RangeOfMotionTable()
        self.tolerances = ToleranceTable()
        self.goals = GoalTable()
        hint = QLabel(
            "Degrees and minutes print on the SOAP note beside the last signed visit's and the "
            "normal range; goals carry to the next visit until met or discontinued."
        )
        hint.setWordWrap(True)
        muted(hint)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(hint)
        for name, table in self.tables().items():
            table.changed.connect(self.changed)
            table.read_back.connect(lambda stored, name=name: self.read_back.emit(name, stored))
            layout.addWidget(table)
        layout.addStretch(1)
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def tables(self) -> dict[str, _Table]:
        """Each table by the note field it holds."""
        return {"range_of_motion": self.rom, "tolerances": self.tolerances, "goals": self.goals}

    def values(self) -> dict[str, list[dict[str, Any]]]:
        """The three fields as stored (rows still being filled in left out)."""
        return {name: table.entries() for name, table in self.tables().items()}

    def unfinished(self, name: str) -> bool:
        """Whether one field's table has a row still being filled in."""
        return self.tables()[name].unfinished()

    def set_value(self, name: str, entries: list[dict[str, Any]] | None) -> None:
        """Show one field's stored entries."""
        self.tables()[name].set_entries(list(entries or []))

    def set_values(self, fields: dict[str, Any]) -> None:
        """Show the three fields of a note (a draft kept before they existed has none)."""
        for name in FIELDS:
            self.set_value(name, fields.get(name))

    def set_read_only(self, read_only: bool) -> None:
        """Lock every table (a signed note)."""
        for table in self.tables().values():
            table.set_read_only(read_only)
        self.rom.again_button.setVisible(not read_only)
