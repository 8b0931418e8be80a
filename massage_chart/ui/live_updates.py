"""Changes made elsewhere reach the window: at once from another laptop on the clinic's server
(it announces each change, and the window listens), and within two seconds from anywhere (another
window on the same file, another program, a laptop whose listening connection dropped)."""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal, Slot

from massage_chart.storage.database import Database
from massage_chart.storage.watch import (
    ChangeListener,
    ListenerLostError,
    audit_head,
    changes_since,
)
from massage_chart.ui.practice_document import READ_ERRORS

log = logging.getLogger(__name__)

POLL_MS = 2_000
"""How often the audit log's head is read: one indexed query, cheap on a file or a server."""
RELISTEN_S = 30.0
"""How long after a listening connection failed before opening one is tried again."""


class LiveUpdates(QObject):
    """Reads the audit log's head every ``POLL_MS``, and at once when the server announces a
    change; says what changed since the last read.

    A read that fails (the server unreachable for a moment, the file busy) is let be: the next
    one catches up, since nothing is lost from the log. A listening connection that drops is
    opened again at a later read.

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
        self.listener: ChangeListener | None = None
        self.notifier: QSocketNotifier | None = None
        self._next_try = 0.0

    def start(self) -> None:
        """Begin watching (from the newest event now)."""
        self.head = self._read_head()
        self._listen()
        self.timer.start()

    def stop(self) -> None:
        """Stop watching (before closing)."""
        self.timer.stop()
        self._stop_listening()

    @property
    def listening(self) -> bool:
        """Whether the server's announcements are being listened to."""
        return self.listener is not None

    def _listen(self) -> None:
        """Listen for the server's announcements (PostgreSQL only; polling covers the rest)."""
        if self.database.is_sqlite or self.listener is not None:
            return
        if time.monotonic() < self._next_try:
            return
        try:
            listener = ChangeListener(self.database.url)
        except Exception as exc:  # any failure to connect: the two-second read still works
            log.info("not listening for changes: %s", exc)
            self._next_try = time.monotonic() + RELISTEN_S
            return
        self.listener = listener
        self.notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self.notifier.activated.connect(self._on_notifier_activated)

    def _stop_listening(self) -> None:
        if self.notifier is not None:
            self.notifier.setEnabled(False)
            self.notifier.deleteLater()
            self.notifier = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    @Slot()
    def _on_notifier_activated(self) -> None:
        if self.listener is None:
            return
        try:
            announced = self.listener.drain()
        except ListenerLostError as exc:
            log.info("stopped listening for changes: %s", exc)
            self._stop_listening()  # opened again at the next read
            return
        if announced:
            self.poll()

    def _read_head(self) -> int:
        try:
            with self.database.read() as session:
                return audit_head(session)
        except READ_ERRORS:
            return 0

    @Slot()
    def poll(self) -> None:
        """Read what changed since the last read, and say so if anything did."""
        if self.listener is None and self.timer.isActive():
            self._listen()
        try:
            with self.database.read() as session:
                changes = changes_since(session, self.head)  # one indexed read, empty when idle
        except READ_ERRORS:
            return
        self.head = changes.head
        if changes.any:
            self.changed.emit(changes)
