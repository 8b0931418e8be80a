"""The time out of a visit on the note: typed, or set to now, or "not recorded"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QTime, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTimeEdit, QWidget

from massage_chart.domain.presentation import Clock, clock_in_use

NOT_RECORDED = QTime(0, 0)
"""The time edit's lowest value, shown as "not recorded" (no session ends at midnight sharp)."""


class TimeOutField(QWidget):
    """When the session ended, on the day it started.

    Signals:
        changed: the therapist finished typing a time out, or pressed "Time out now" (not
            emitted when a visit is shown).
    """

    changed = Signal()

    def __init__(self, now: Callable[[], dt.datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._now = now
        self._start: dt.datetime | None = None
        self.edit = QTimeEdit()
        self.edit.setAccessibleName("Time out")
        self.edit.setMinimumTime(NOT_RECORDED)
        self.edit.setSpecialValueText("not recorded")
        self.edit.setToolTip("When the session ended; payers need the treatment's duration")
        self.now_button = QPushButton("Time out &now")
        self.now_button.setToolTip("Set the time out to the time now")
        label = QLabel("Time &out:")
        label.setBuddy(self.edit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 0)
        row.addWidget(label)
        row.addWidget(self.edit)
        row.addWidget(self.now_button)
        row.addStretch(1)
        self.edit.editingFinished.connect(self._on_edit_editing_finished)
        self.now_button.clicked.connect(self._on_now_button_clicked)

    def show_visit(self, start: dt.datetime, end: dt.datetime | None) -> None:
        """Show a visit's time out (without announcing a change)."""
        self._start = start
        twelve = clock_in_use() is Clock.TWELVE_HOUR
        self.edit.setDisplayFormat("h:mm AP" if twelve else "HH:mm")
        self.edit.blockSignals(True)
        self.edit.setTime(NOT_RECORDED if end is None else QTime(end.hour, end.minute))
        self.edit.blockSignals(False)

    def end(self) -> dt.datetime | None:
        """The time out on the visit's day, or None when it is not recorded."""
        time = self.edit.time()
        if self._start is None or time == NOT_RECORDED:
            return None
        return dt.datetime.combine(self._start.date(), dt.time(time.hour(), time.minute()))

    def set_read_only(self, read_only: bool) -> None:
        """Show the time out without letting it change (a signed note)."""
        self.edit.setReadOnly(read_only)
        self.now_button.setVisible(not read_only)

    @Slot()
    def _on_edit_editing_finished(self) -> None:
        self.changed.emit()

    @Slot()
    def _on_now_button_clicked(self) -> None:
        now = self._now()
        self.edit.setTime(QTime(now.hour, now.minute))
        self.changed.emit()
