"""Changes made elsewhere reach the window within seconds: another window on the same file,
another program, or another laptop on the clinic's server."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from massage_chart.storage.database import Database
from massage_chart.storage.watch import audit_head, changes_since
from massage_chart.ui.practice_document import READ_ERRORS

POLL_MS = 2_000
"""How often the audit log's head is read: one indexed query, cheap on a file or a server."""


class LiveUpdates(QObject):
    """Reads the audit log's head every ``POLL_MS`` and says what changed since the last read.

    A read that fails (the server unreachable for a moment, the file busy) is let be: the next
    one catches up, since nothing is lost from the log.

    Signals:
        changed(Changes): clients or visits changed since the last read.
    """

    changed = Signal(object)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.head = 0  # read by start()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Begin watching (from the newest event now)."""
        self.head = self._read_head()
        self.timer.start()

    def stop(self) -> None:
        """Stop watching (before closing)."""
        self.timer.stop()

    def _read_head(self) -> int:
        try:
            with self.database.read() as session:
                return audit_head(session)
        except READ_ERRORS:
            return 0

    @Slot()
    def poll(self) -> None:
        """Read what changed since the last read, and say so if anything did."""
        try:
            with self.database.read() as session:
                changes = changes_since(session, self.head)  # one indexed read, empty when idle
        except READ_ERRORS:
            return
        self.head = changes.head
        if changes.any:
            self.changed.emit(changes)
