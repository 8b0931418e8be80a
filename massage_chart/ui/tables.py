"""Read-only tables of text (the findings, the pain maps, the clinic's people): filled from rows
of strings, and read back the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QTableWidget, QTableWidgetItem


def fill_table(table: QTableWidget, rows: Iterable[Sequence[str]]) -> None:
    """Replace the table's rows with these, one cell per string."""
    table.setRowCount(0)
    for cells in rows:
        row = table.rowCount()
        table.insertRow(row)
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))


def table_rows(table: QTableWidget) -> list[list[str]]:
    """The table as text, row by row ("" for an empty cell)."""
    return [
        [
            item.text() if (item := table.item(row, column)) is not None else ""
            for column in range(table.columnCount())
        ]
        for row in range(table.rowCount())
    ]
