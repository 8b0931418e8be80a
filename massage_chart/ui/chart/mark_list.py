"""The list of marks, grouped by region: the accessible alternative to the picture."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from massage_chart.domain.marks import MarkData
from massage_chart.domain.presentation import (
    format_minutes,
    format_pain_score,
    format_pressure_level,
)
from massage_chart.ui.chart.glyphs import SHORT_NAMES, kind_icon
from massage_chart.ui.chart.visit_document import ChartDocument

MARK_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def mark_label(document: ChartDocument, mark: MarkData) -> str:
    """How a mark reads in a list: "Active TrP · R upper trapezius · 7/10"."""
    where = document.where(mark) or f"off the body ({mark.side})"
    if mark.whole_region:
        where += " (whole)"
    parts = [SHORT_NAMES[mark.kind], where]
    if mark.intensity is not None:
        parts.append(format_pain_score(mark.intensity))
    if mark.deep_muscle:
        parts.append(f"deep: {mark.deep_muscle}")
    if mark.minutes is not None:
        parts.append(format_minutes(mark.minutes))
    if mark.pressure is not None:
        parts.append(format_pressure_level(mark.pressure))
    if mark.technique:
        parts.append(mark.technique)
    if not mark.confirmed:
        parts.append("unconfirmed")
    return " · ".join(parts)


def group_label(document: ChartDocument, mark: MarkData) -> str:
    """The region heading a mark is listed under."""
    region = document.region_of(mark)
    return region.label if region is not None else "Off the body"


class MarkListView(QTreeView):
    """The marks of the visit by region, following the document and the selection.

    Signals:
        marks_selected(list[str]): the user selected marks in the list.
    """

    marks_selected = Signal(list)

    def __init__(self, document: ChartDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.model_ = QStandardItemModel(self)
        self.setModel(self.model_)
        self.setHeaderHidden(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setAccessibleName("Marks by region")
        self._rows: dict[str, QStandardItem] = {}
        self._groups: dict[str, QStandardItem] = {}
        self._syncing = False
        for mark in document.marks.values():
            self._insert(mark)
        self.expandAll()
        document.mark_added.connect(self._on_document_mark_added)
        document.mark_removed.connect(self._on_document_mark_removed)
        document.mark_changed.connect(self._on_document_mark_changed)
        document.mark_moved.connect(self._on_document_mark_moved)
        self.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def _insert(self, mark: MarkData) -> None:
        heading = group_label(self.document, mark)
        group = self._groups.get(heading)
        if group is None:
            group = QStandardItem(heading)
            group.setSelectable(False)
            font = group.font()
            font.setBold(True)
            group.setFont(font)
            row = 0
            while row < self.model_.rowCount() and self.model_.item(row).text() < heading:
                row += 1
            self.model_.insertRow(row, group)
            self._groups[heading] = group
        item = QStandardItem(kind_icon(mark.kind), mark_label(self.document, mark))
        item.setData(mark.id, MARK_ID_ROLE)
        item.setToolTip(mark.note or mark_label(self.document, mark))
        group.appendRow(item)
        self._rows[mark.id] = item
        self.expand(group.index())

    def _remove(self, mark_id: str) -> None:
        item = self._rows.pop(mark_id, None)
        if item is None:
            return
        group = item.parent()
        group.removeRow(item.row())
        if group.rowCount() == 0:
            self._groups.pop(group.text(), None)
            self.model_.removeRow(group.row())

    def item_for(self, mark_id: str) -> QStandardItem | None:
        """The row of a mark."""
        return self._rows.get(mark_id)

    def labels(self) -> list[str]:
        """Every mark's label, group by group (for tests and screen readers)."""
        out: list[str] = []
        for row in range(self.model_.rowCount()):
            group = self.model_.item(row)
            out += [group.child(i).text() for i in range(group.rowCount())]
        return out

    def select_marks(self, mark_ids: list[str]) -> None:
        """Select exactly these marks' rows (from the picture's selection)."""
        self._syncing = True
        try:
            selection = QItemSelection()
            for mark_id in mark_ids:
                item = self._rows.get(mark_id)
                if item is not None:
                    selection.select(item.index(), item.index())
            self.selectionModel().select(
                selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            if mark_ids and mark_ids[-1] in self._rows:
                index = self._rows[mark_ids[-1]].index()
                self.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.NoUpdate
                )
                self.scrollTo(index)
        finally:
            self._syncing = False

    @Slot(str)
    def _on_document_mark_added(self, mark_id: str) -> None:
        self._insert(self.document.mark(mark_id))

    @Slot(str)
    def _on_document_mark_removed(self, mark_id: str) -> None:
        self._remove(mark_id)

    @Slot(str)
    def _on_document_mark_changed(self, mark_id: str) -> None:
        item = self._rows.get(mark_id)
        if item is not None:
            mark = self.document.mark(mark_id)
            item.setText(mark_label(self.document, mark))
            item.setToolTip(mark.note or item.text())

    @Slot(str)
    def _on_document_mark_moved(self, mark_id: str) -> None:
        selected = self.selected_ids()
        self._syncing = True
        try:
            self._remove(mark_id)
            self._insert(self.document.mark(mark_id))
        finally:
            self._syncing = False
        self.select_marks(selected)

    def selected_ids(self) -> list[str]:
        """The ids of the selected rows."""
        ids = [
            index.data(MARK_ID_ROLE)
            for index in self.selectionModel().selectedIndexes()
            if index.data(MARK_ID_ROLE)
        ]
        return [str(i) for i in ids]

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self._syncing:
            self.marks_selected.emit(self.selected_ids())
