"""One live document per open visit, shared by its chart window, note editor and note view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Signal, SignalInstance, Slot
from PySide6.QtWidgets import QWidget

from massage_chart.atlas import Atlas
from massage_chart.storage.database import Database
from massage_chart.storage.marks import marks_version
from massage_chart.storage.watch import Changes
from massage_chart.ui.practice_document import READ_ERRORS

if TYPE_CHECKING:
    from massage_chart.ui.chart.visit_document import ChartDocument

Window = TypeVar("Window", bound=QWidget)


@dataclass
class _OpenVisit:
    """A visit with windows open on it: its document and those windows (by ``id``)."""

    document: ChartDocument
    windows: dict[int, QWidget] = field(default_factory=dict)


class _WindowWatch(QObject):
    """Tells the registry that one window of a visit closed.

    A child of the registry, so a window that outlives the registry (at exit, both go with the
    main window) finds nothing connected rather than a registry already deleted.
    """

    def __init__(
        self, registry: VisitDocuments, visit_id: str, window: QWidget, closed: SignalInstance
    ) -> None:
        super().__init__(registry)
        self.registry = registry
        self.visit_id = visit_id
        self.key = id(window)
        closed.connect(self._on_window_closed)
        window.destroyed.connect(self._on_window_closed)

    @Slot()
    def _on_window_closed(self) -> None:
        self.registry.detach(self.visit_id, self.key)
        self.deleteLater()


class VisitDocuments(QObject):
    """The documents of the open visits: one per visit, whatever the windows that show it.

    The chart window, the note editor and the read-only note of a visit are made on the same
    ``ChartDocument`` (its marks, its undo stack, its signals), so an edit in one is seen by the
    others and no window keeps a stale copy to write back. The document is read when the first
    window of the visit opens and released when the last one closes.

    Args:
        database: the open database.
        atlas: the body atlas (the application's by default).

    Signals:
        opened(visit_id): a document was read for a visit that had no window open.
        released(visit_id): the last window of a visit closed; its document is let go.
    """

    opened = Signal(str)
    released = Signal(str)

    def __init__(
        self, database: Database, parent: QObject | None = None, *, atlas: Atlas | None = None
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.atlas = atlas
        self._open: dict[str, _OpenVisit] = {}

    def document(self, visit_id: str) -> ChartDocument | None:
        """The document of a visit with a window open, or None."""
        entry = self._open.get(visit_id)
        return entry.document if entry is not None else None

    def catch_up(self, changes: Changes) -> None:
        """Bring the open documents up to changes made elsewhere (another window, program or
        laptop): a visit signed there turns read-only here and says who signed it; marks
        changed there are read again, and so are a visit's previous marks and standing areas
        to avoid when another visit of its client changed. Documents already current are left
        alone."""
        read_again = self._catch_up_visits(changes)
        for visit_id, entry in sorted(self._open.items()):
            document = entry.document
            if visit_id in read_again:
                continue  # read whole just now, its earlier visits with it
            if document.client_id not in changes.clients or not changes.visits - {visit_id}:
                continue  # no other visit of the client changed
            try:
                document.read_earlier_again()
            except READ_ERRORS as exc:
                document.problem_reported.emit(str(exc))

    def _catch_up_visits(self, changes: Changes) -> set[str]:
        """The open visits changed elsewhere, each brought up to date; the ids of those read
        again whole."""
        read_again: set[str] = set()
        for visit_id in sorted(changes.visits & self._open.keys()):
            document = self._open[visit_id].document
            try:
                with self.database.read() as session:
                    version = marks_version(session, visit_id)
            except READ_ERRORS:
                continue
            if version == document.version:
                continue  # the change was this window's own, or is already shown
            if visit_id in changes.signed and not document.read_only:
                document.note_was_signed()
                document.problem_reported.emit(
                    f"{changes.signed[visit_id]} signed this note elsewhere; it is read-only "
                    "now. Anything more goes in an addendum."
                )
            else:
                try:
                    document.read_again()
                except READ_ERRORS as exc:
                    document.problem_reported.emit(str(exc))
                    continue
                read_again.add(visit_id)
                document.changed_elsewhere.emit()
        return read_again

    def visit_ids(self) -> list[str]:
        """The visits with a window open."""
        return list(self._open)

    def window(self, visit_id: str, kind: type[Window]) -> Window | None:
        """The open window of this kind on a visit (or the part of one, such as the chart of a
        visit window), or None."""
        entry = self._open.get(visit_id)
        if entry is None:
            return None
        for window in entry.windows.values():
            part = window if isinstance(window, kind) else window.findChild(kind)
            if part is not None:
                return part
        return None

    def raise_window(self, visit_id: str, kind: type[Window]) -> Window | None:
        """Bring the open window of this kind on a visit to the front; None when there is none."""
        window = self.window(visit_id, kind)
        if window is not None:
            window.raise_()
            window.activateWindow()
        return window

    def open_window(
        self,
        visit_id: str,
        make: Callable[[ChartDocument], Window],
        closed: Callable[[Window], SignalInstance],
    ) -> Window:
        """A new window on the visit's document (read first when no window has it).

        Args:
            visit_id: the visit.
            make: makes the window on the document.
            closed: the window's signal that it closed for good (not hidden by the lock).

        Raises:
            NotFoundError, StorageError or a database library error (DATABASE_ERRORS): the visit
                could not be read.
        """
        entry = self._open.get(visit_id)
        fresh = entry is None
        if entry is None:
            from massage_chart.ui.chart.visit_document import (
                ChartDocument,  # the chart loads on use
            )

            entry = _OpenVisit(ChartDocument(self.database, visit_id, self.atlas, parent=self))
        try:
            window = make(entry.document)
        except BaseException:
            if fresh:
                entry.document.deleteLater()
            raise
        if fresh:
            self._open[visit_id] = entry
            self.opened.emit(visit_id)
        entry.windows[id(window)] = window
        _WindowWatch(self, visit_id, window, closed(window))
        return window

    def detach(self, visit_id: str, key: int) -> None:
        """A window (``id`` of it) closed: forget it, and the document with the last one."""
        entry = self._open.get(visit_id)
        if entry is None or entry.windows.pop(key, None) is None or entry.windows:
            return
        del self._open[visit_id]
        entry.document.deleteLater()
        self.released.emit(visit_id)
