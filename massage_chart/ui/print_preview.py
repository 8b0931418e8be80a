"""Print preview: the pages about to be printed, which document they are, then the printer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Signal, Slot
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.presentation import format_date
from massage_chart.export.service import DocumentKind, RenderedDocument
from massage_chart.ui.style import heading, muted

#: Renders one document of the visit on show, or says why not (None).
Render = Callable[[DocumentKind], RenderedDocument | None]

_WHO_READS = {
    DocumentKind.SOAP: "SOAP note, for the insurer and the chart",
    DocumentKind.SUMMARY: "Visit summary, for the client",
}


class PrintPreview(QDialog):
    """The pages of a visit's document as they will print, and what they are, before the
    printer is chosen: the SOAP note or the client's summary, the client, the visit and the
    number of pages.

    Args:
        render: renders a document of the visit (the SOAP note is shown first).
        parent: the window it belongs to.

    Signals:
        print_requested(document): Print was pressed for the document on show.
    """

    print_requested = Signal(object)

    def __init__(self, render: Render, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Print preview")
        self._render = render
        self.document: RenderedDocument | None = None
        self._pdf = QPdfDocument(self)
        self._buffer: QBuffer | None = None
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Document to print")
        for kind, words in _WHO_READS.items():
            self.kind_combo.addItem(words, kind)
        self.what_label = QLabel()
        heading(self.what_label, 1.15)
        self.pages_label = QLabel()
        muted(self.pages_label)
        self.view = QPdfView()
        self.view.setDocument(self._pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setAccessibleName("Pages to print")
        buttons = QDialogButtonBox()
        self.print_button = QPushButton("&Print…")
        self.print_button.setDefault(True)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        choose = QHBoxLayout()
        choose.addWidget(QLabel("Print:"))
        choose.addWidget(self.kind_combo, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addWidget(self.what_label)
        layout.addWidget(self.pages_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(760, 900)

    def show_kind(self, kind: DocumentKind) -> bool:
        """Render and show one document of the visit; False (nothing to print) when it could
        not be rendered (the reason was reported by ``render``)."""
        document = self._render(kind)
        self.document = document
        self._pdf.close()
        if document is None:
            self.what_label.setText(f"The {kind.title} could not be prepared.")
            self.pages_label.setText("")
            self.print_button.setEnabled(False)
            return False
        data = QByteArray(document.pdf)
        buffer = QBuffer(self)
        buffer.setData(data)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._pdf.load(buffer)
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
        self._buffer = buffer
        snapshot = document.snapshot
        start = snapshot.start
        day = start.date() if isinstance(start, dt.datetime) else start
        pages = self._pdf.pageCount()
        self.what_label.setText(
            f"{kind.title[0].upper()}{kind.title[1:]} — {snapshot.client.full_name} — "
            f"visit of {format_date(day)}"
        )
        self.pages_label.setText(f"{pages} page{'s' if pages != 1 else ''}, as they will print")
        self.print_button.setEnabled(pages > 0)
        index = self.kind_combo.findData(kind)
        if index != self.kind_combo.currentIndex():
            self.kind_combo.blockSignals(True)
            self.kind_combo.setCurrentIndex(index)
            self.kind_combo.blockSignals(False)
        return True

    def page_count(self) -> int:
        """Pages of the document on show."""
        return self._pdf.pageCount()

    @Slot(int)
    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        self.show_kind(self.kind_combo.currentData())

    @Slot()
    def _on_print_button_clicked(self) -> None:
        if self.document is not None:
            self.print_requested.emit(self.document)

    def done(self, result: int) -> None:
        """Let go of the pages as the preview closes."""
        self._pdf.close()
        super().done(result)
