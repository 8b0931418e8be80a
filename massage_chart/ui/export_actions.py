"""File > Export SOAP note…, Export visit summary… and Print… for the selected visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from massage_chart.export.atomic import ExportError, check_output_path, write_atomic
from massage_chart.storage import audit
from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.repositories import NotFoundError

if TYPE_CHECKING:
    # The documents, the PDF and printing libraries and the preview load with the first export
    # or print, not with the main window.
    from PySide6.QtPrintSupport import QPrinter

    from massage_chart.export.service import DocumentKind, RenderedDocument
    from massage_chart.ui.print_preview import PrintPreview

#: Asks where to save: (parent, caption, suggested path) -> the chosen path, or "" when cancelled.
AskSavePath = Callable[[QWidget, str, str], str]
#: Asks for a printer: (parent) -> a configured printer, or None when cancelled.
AskPrinter = Callable[[QWidget], "QPrinter | None"]


def ask_save_path(parent: QWidget, caption: str, suggested: str) -> str:
    """The native save dialog, for PDF files."""
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, "PDF documents (*.pdf)")
    return path


def ask_printer(parent: QWidget) -> QPrinter | None:
    """The print dialog; the printer the user chose, or None."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print visit")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def print_pdf(pdf: bytes, printer: QPrinter) -> int:
    """Print a PDF's pages on a printer, each scaled to the printable area; returns pages printed.

    Raises:
        RuntimeError: the PDF could not be read or the printer could not start.
    """
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrinter

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() == 0:
        raise RuntimeError("The document could not be prepared for printing.")
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("The printer could not be started.")
    pages = document.pageCount()
    try:
        # Render at no more than 300 dpi (a 1200-dpi page image would take hundreds of megabytes)
        # and let the painter scale it to the printable area.
        pixels = min(1.0, 300 / max(printer.resolution(), 1))
        area = printer.pageRect(QPrinter.Unit.DevicePixel)
        for page in range(pages):
            if page > 0:
                printer.newPage()
            points = document.pagePointSize(page)
            scale = min(area.width() / points.width(), area.height() / points.height())
            target = QSize(int(points.width() * scale), int(points.height() * scale))
            image = document.render(
                page, QSize(int(target.width() * pixels), int(target.height() * pixels))
            )
            painter.drawImage(QRectF(0, 0, target.width(), target.height()), image)
    finally:
        painter.end()
        document.close()
        buffer.close()
    return pages


class ExportActions(QObject):
    """The export and print actions of the main window, acting on the selected visit.

    Args:
        database: the open database.
        current_visit: returns the selected visit's id, or "".
        parent: the window the dialogs belong to.
        save_path: the save-dialog boundary (tests replace it).
        printer: the print-dialog boundary (tests replace it).

    Signals:
        problem_reported(str): an export or print failed, in words for the user.
        finished(str): an export or print succeeded, in words for the status bar.
    """

    problem_reported = Signal(str)
    finished = Signal(str)

    def __init__(
        self,
        database: Database,
        current_visit: Callable[[], str],
        parent: QWidget,
        *,
        save_path: AskSavePath = ask_save_path,
        printer: AskPrinter = ask_printer,
        folder: Callable[[], Path] | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = folder
        self.database = database
        self._window = parent
        self._current_visit = current_visit
        self._save_path = save_path
        self._printer = printer
        #: The open print preview, if any.
        self.preview: PrintPreview | None = None
        self.export_soap_action = QAction("Export &SOAP note…", self)
        self.export_soap_action.setStatusTip("Save the insurer SOAP note of the selected visit")
        self.export_soap_action.setShortcut(QKeySequence("Ctrl+Shift+E"))  # Ctrl+E edits the note
        self.export_summary_action = QAction("Export visit s&ummary…", self)
        self.export_summary_action.setStatusTip(
            "Save the client's plain-language summary of the selected visit"
        )
        self.print_action = QAction("&Print…", self)
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.setStatusTip(
            "Preview and print the SOAP note or the client's summary of the selected visit"
        )
        self.export_soap_action.triggered.connect(self._on_export_soap_action_triggered)
        self.export_summary_action.triggered.connect(self._on_export_summary_action_triggered)
        self.print_action.triggered.connect(self._on_print_action_triggered)
        self.set_visit_selected(False)

    def actions(self) -> list[QAction]:
        """The actions, in menu order."""
        return [self.export_soap_action, self.export_summary_action, self.print_action]

    def set_visit_selected(self, selected: bool) -> None:
        """Enable the actions when a visit is selected."""
        for action in self.actions():
            action.setEnabled(selected)

    def export(self, kind: DocumentKind) -> Path | None:
        """Ask where to save one document of the selected visit, then write it whole and audit
        it; returns the file written, or None (cancelled or failed)."""
        document = self._render(kind)
        if document is None:
            return None
        from massage_chart.export.service import DocumentKind, record_export

        caption = "Export SOAP note" if kind is DocumentKind.SOAP else "Export visit summary"
        chosen = self._save_path(
            self._window,
            caption,
            suggested_name(document, self._folder() if self._folder else None),
        )
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            # The save dialog asked before replacing the file it was given, not one with
            # ".pdf" added; the database, its journal and backups are never written over.
            target = check_output_path(
                target,
                database_file=self.database.file,
                backup_folder=self.database.backup_dir,
                overwrite=target == Path(chosen),
            )
            path = write_atomic(target, document.pdf)
            record_export(self.database, document, destination=str(path))
        except (ExportError, StorageError) as exc:
            self.problem_reported.emit(f"The {kind.title} was not saved. {exc}")
            return None
        self.finished.emit(f"Saved the {kind.title} to {path}")
        return path

    def print_visit(self) -> PrintPreview | None:
        """Show the selected visit's SOAP note as it will print (the client's summary one
        choice away), saying what it is and how many pages; Print there asks for the printer.
        Returns the preview, or None when there is nothing to show."""
        visit_id = self._current_visit()
        if not visit_id:
            self.problem_reported.emit("Select a visit first.")
            return None
        from massage_chart.export.service import DocumentKind
        from massage_chart.ui.print_preview import PrintPreview

        preview = PrintPreview(lambda kind: self._render(kind, visit_id), self._window)
        if not preview.show_kind(DocumentKind.SOAP):
            preview.deleteLater()
            return None
        preview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        preview.print_requested.connect(self._on_preview_print_requested)
        self.preview = preview
        preview.open()
        return preview

    def print_document(self, document: RenderedDocument) -> int:
        """Ask for a printer and print a rendered document, audited; returns the pages printed
        (0 when cancelled or failed, after saying why)."""
        from massage_chart.export.service import record_export

        printer = self._printer(self._window)
        if printer is None:
            return 0
        what = document.kind.title
        try:
            pages = print_pdf(document.pdf, printer)
            record_export(
                self.database,
                document,
                action=audit.AuditAction.PRINT,
                destination=printer.printerName() or printer.outputFileName() or "printer",
            )
        except (RuntimeError, StorageError) as exc:
            self.problem_reported.emit(f"The {what} was not printed. {exc}")
            return 0
        self.finished.emit(
            f"Sent the {what} ({pages} page{'s' if pages != 1 else ''}) to the printer"
        )
        return pages

    def _render(self, kind: DocumentKind, visit_id: str = "") -> RenderedDocument | None:
        visit_id = visit_id or self._current_visit()
        if not visit_id:
            self.problem_reported.emit("Select a visit first.")
            return None
        from massage_chart.export.service import render_document

        try:
            return render_document(self.database, kind, visit_id)
        except NotFoundError:
            self.problem_reported.emit("That visit no longer exists; it may have been removed.")
        except StorageError as exc:
            self.problem_reported.emit(str(exc))
        return None

    @Slot()
    def _on_export_soap_action_triggered(self) -> None:
        from massage_chart.export.service import DocumentKind

        self.export(DocumentKind.SOAP)

    @Slot()
    def _on_export_summary_action_triggered(self) -> None:
        from massage_chart.export.service import DocumentKind

        self.export(DocumentKind.SUMMARY)

    @Slot()
    def _on_print_action_triggered(self) -> None:
        self.print_visit()

    @Slot(object)
    def _on_preview_print_requested(self, document: RenderedDocument) -> None:
        if self.print_document(document) and self.preview is not None:
            self.preview.accept()


def suggested_name(document: RenderedDocument, folder: Path | None = None) -> str:
    """ "2026-11-20 Nguyễn Zoë SOAP note.pdf" in ``folder`` (default: the home folder)."""
    from massage_chart.export.batch import safe_name_part
    from massage_chart.export.service import DocumentKind

    snapshot = document.snapshot
    day = snapshot.start.date() if isinstance(snapshot.start, dt.datetime) else snapshot.start
    client = (
        f"{safe_name_part(snapshot.client.last_name)} {safe_name_part(snapshot.client.first_name)}"
    )
    what = "SOAP note" if document.kind is DocumentKind.SOAP else "visit summary"
    return str((folder or Path.home()) / f"{day.isoformat()} {client} {what}.pdf")
