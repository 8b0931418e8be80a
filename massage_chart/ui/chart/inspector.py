"""The inspector: edits the selected marks (intensity, deep muscle, treatment, note, confirm)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.marks import WALTON_PRESSURE_LEVELS, MarkData, MarkKind
from massage_chart.ui.chart.mark_list import mark_label
from massage_chart.ui.chart.visit_document import ChartDocument
from massage_chart.ui.number_box import NONE, OptionalNumberBox

TECHNIQUES = (
    "Swedish massage",
    "deep tissue",
    "myofascial release",
    "trigger point therapy",
    "cross-fiber friction",
    "muscle energy technique",
    "lymphatic drainage",
    "stretching",
    "scar tissue mobilization",
    "instrument-assisted soft tissue",
)


class MarkInspector(QWidget):
    """Edits the selected marks; each change is one undo step for all of them.

    Args:
        document: the chart document.
    """

    def __init__(self, document: ChartDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.mark_ids: list[str] = []
        self._loading = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        self.title = QLabel("No mark selected")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        outer.addWidget(self.title)
        self.where = QLabel("")
        self.where.setWordWrap(True)
        outer.addWidget(self.where)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.intensity = OptionalNumberBox("Intensity, 0 to 10", 10, "/10")
        self.intensity.setKeyboardTracking(False)
        form.addRow("&Intensity", self.intensity)
        self.deep_muscle = QComboBox()
        self.deep_muscle.setAccessibleName("Deep muscle")
        form.addRow("&Deep muscle", self.deep_muscle)
        self.technique = QComboBox()
        self.technique.setEditable(True)
        self.technique.addItems(["", *TECHNIQUES])
        self.technique.setAccessibleName("Technique")
        form.addRow("&Technique", self.technique)
        self.minutes = OptionalNumberBox("Minutes", 240, " min")
        self.minutes.setKeyboardTracking(False)
        form.addRow("&Minutes", self.minutes)
        self.pressure = QComboBox()
        self.pressure.addItem("—", None)
        for level, words in WALTON_PRESSURE_LEVELS.items():
            self.pressure.addItem(f"{level} – {words}", level)
        self.pressure.setAccessibleName("Pressure, Walton scale")
        self.pressure.setToolTip("Walton pressure scale, 0 (stationary hold) to 5 (deep)")
        form.addRow("&Pressure", self.pressure)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note (Enter to save)")
        self.note.setAccessibleName("Note")
        form.addRow("N&ote", self.note)
        outer.addLayout(form)
        self.carried = QLabel("")
        self.carried.setWordWrap(True)
        outer.addWidget(self.carried)
        self.alert_warnings = QLabel("")
        self.alert_warnings.setObjectName("inspectorAlertWarnings")
        self.alert_warnings.setWordWrap(True)
        self.alert_warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.alert_warnings.setStyleSheet(
            "#inspectorAlertWarnings { background: #fff8d6; color: #1f1f1f;"
            " border-left: 4px solid #7a5d00; padding: 4px 6px; }"
        )
        self.alert_warnings.hide()
        outer.addWidget(self.alert_warnings)
        buttons = QHBoxLayout()
        self.confirm = QPushButton("Con&firm")
        self.confirm.setToolTip("Keep the marks copied from the last visit as they are (Enter)")
        self.resolve = QPushButton("&Resolved / remove")
        self.resolve.setToolTip("Remove the selected marks (Delete)")
        buttons.addWidget(self.confirm)
        buttons.addWidget(self.resolve)
        outer.addLayout(buttons)
        outer.addStretch(1)
        self.intensity.valueChanged.connect(self._on_intensity_value_changed)
        self.deep_muscle.activated.connect(self._on_deep_muscle_activated)
        self.technique.activated.connect(self._on_technique_edited)
        technique_edit = self.technique.lineEdit()
        assert technique_edit is not None  # the combo box is editable
        technique_edit.editingFinished.connect(self._on_technique_edited)
        self.minutes.valueChanged.connect(self._on_minutes_value_changed)
        self.pressure.activated.connect(self._on_pressure_activated)
        self.note.editingFinished.connect(self._on_note_editing_finished)
        self.confirm.clicked.connect(self._on_confirm_clicked)
        self.resolve.clicked.connect(self._on_resolve_clicked)
        document.mark_changed.connect(self._on_document_mark_changed)
        document.mark_moved.connect(self._on_document_mark_changed)
        document.mark_removed.connect(self._on_document_mark_removed)
        document.read_only_changed.connect(self._on_document_read_only_changed)
        self.show_marks([])

    def show_warnings(self, warnings: list[tuple[str, str]]) -> None:
        """Name the alerts the selected marks go against, (title, message) pairs; the messages
        are in the tooltip and over the map. None: hidden."""
        titles = list(dict.fromkeys(title for title, _ in warnings))
        self.alert_warnings.setText(f"⚠  Caution: {'; '.join(titles)}" if titles else "")
        self.alert_warnings.setToolTip("\n".join(message for _, message in warnings))
        self.alert_warnings.setVisible(bool(warnings))

    def _marks(self) -> list[MarkData]:
        return [self.document.marks[i] for i in self.mark_ids if i in self.document.marks]

    def show_marks(self, mark_ids: list[str]) -> None:
        """Show (and edit) these marks."""
        self.mark_ids = [i for i in mark_ids if i in self.document.marks]
        marks = self._marks()
        self._loading = True
        try:
            self._fill(marks)
        finally:
            self._loading = False

    def _fill(self, marks: list[MarkData]) -> None:
        editable = bool(marks) and not self.document.read_only and not self.document.held_by
        for widget in (
            self.intensity,
            self.deep_muscle,
            self.technique,
            self.minutes,
            self.pressure,
            self.note,
        ):
            widget.setEnabled(editable)
        if not marks:
            self.title.setText("No mark selected")
            self.where.setText(
                "Pick a tool in the legend and click the body; select a mark to edit it here."
            )
            for spin in (self.intensity, self.minutes):
                spin.setValue(NONE)
            self.note.clear()
            self.carried.clear()
            self.confirm.setEnabled(False)
            self.resolve.setEnabled(False)
            return
        first = marks[0]
        if len(marks) == 1:
            self.title.setText(mark_label(self.document, first))
            view = self.document.atlas.view(first.view).caption
            where = self.document.where(first) or "Off the body"
            self.where.setText(f"{where}, client's {first.side} side. View: {view}.")
        else:
            self.title.setText(f"{len(marks)} marks selected")
            self.where.setText("Changes apply to every selected mark.")

        def common(name: str) -> Any:
            values = {getattr(m, name) for m in marks}
            return values.pop() if len(values) == 1 else None

        takes_intensity = any(m.kind.legend.has_intensity for m in marks)
        self.intensity.setEnabled(editable and takes_intensity)
        intensity = common("intensity")
        self.intensity.setValue(NONE if intensity is None else int(intensity))
        treated = all(m.kind is MarkKind.TREATED for m in marks)
        for widget in (self.technique, self.minutes, self.pressure):
            widget.setEnabled(editable and treated)
        minutes = common("minutes")
        self.minutes.setValue(NONE if minutes is None else int(minutes))
        pressure = common("pressure")
        self.pressure.setCurrentIndex(
            self.pressure.findData(pressure) if pressure is not None else 0
        )
        self.technique.setEditText(common("technique") or "")
        self.deep_muscle.clear()
        self.deep_muscle.addItem("—", "")
        region = self.document.region_of(first) if len(marks) == 1 else None
        choices = region.deep_muscles if region is not None else ()
        for muscle in choices:
            self.deep_muscle.addItem(muscle, muscle)
        if first.deep_muscle and first.deep_muscle not in choices:
            self.deep_muscle.addItem(first.deep_muscle, first.deep_muscle)
        self.deep_muscle.setCurrentIndex(max(0, self.deep_muscle.findData(first.deep_muscle)))
        self.deep_muscle.setEnabled(editable and len(marks) == 1 and bool(choices))
        self.note.setText(common("note") or "")
        unconfirmed = [m for m in marks if not m.confirmed]
        self.carried.setText(
            f"Copied from the last visit, not yet confirmed ({len(unconfirmed)})."
            if unconfirmed
            else ""
        )
        self.confirm.setEnabled(editable and bool(unconfirmed))
        self.resolve.setEnabled(editable)

    def _edit(self, **changes: Any) -> None:
        if self._loading or not self.mark_ids:
            return
        self.document.edit_marks(list(self.mark_ids), **changes)

    @Slot(int)
    def _on_intensity_value_changed(self, value: int) -> None:
        self._edit(intensity=None if value == NONE else value)

    @Slot(int)
    def _on_deep_muscle_activated(self, index: int) -> None:
        self._edit(deep_muscle=str(self.deep_muscle.itemData(index) or ""))

    @Slot()
    def _on_technique_edited(self) -> None:
        self._edit(technique=self.technique.currentText().strip())

    @Slot(int)
    def _on_minutes_value_changed(self, value: int) -> None:
        self._edit(minutes=None if value == NONE else value)

    @Slot(int)
    def _on_pressure_activated(self, index: int) -> None:
        self._edit(pressure=self.pressure.itemData(index))

    @Slot()
    def _on_note_editing_finished(self) -> None:
        self._edit(note=self.note.text().strip())

    @Slot()
    def _on_confirm_clicked(self) -> None:
        self.document.confirm_marks(list(self.mark_ids))

    @Slot()
    def _on_resolve_clicked(self) -> None:
        self.document.delete_marks(list(self.mark_ids))

    @Slot(str)
    def _on_document_mark_changed(self, mark_id: str) -> None:
        if mark_id in self.mark_ids:
            self.show_marks(self.mark_ids)

    @Slot(str)
    def _on_document_mark_removed(self, mark_id: str) -> None:
        if mark_id in self.mark_ids:
            self.show_marks([i for i in self.mark_ids if i != mark_id])

    @Slot(bool)
    def _on_document_read_only_changed(self, _read_only: bool) -> None:
        self.show_marks(self.mark_ids)
