"""Keeping the open database safe without blocking the window: page check and daily backup."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from massage_chart.storage.backup import quick_check_file
from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.safekeeping import background_backup, backup_due
from massage_chart.ui.threads import start_worker

log = logging.getLogger(__name__)


class MaintenanceRunner(QObject):
    """Reads every page of a SQLite database, then takes the daily backup if it is due, on a
    worker thread with its own connections; results come back as queued signals.

    Signals:
        check_failed(list): the page check found damage (the backup is then skipped, so a
            damaged file never replaces a good backup).
        backup_finished(str): the path of a verified daily backup.
        backup_failed(str): a plain message.
        finished(): the run is over, whatever happened.
    """

    check_failed = Signal(list)
    backup_finished = Signal(str)
    backup_failed = Signal(str)
    finished = Signal()

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether a run is under way."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> bool:
        """Start a run on a worker thread; False for a server database or when one is running."""
        if self.database.file is None or self.running:
            return False
        self._thread = start_worker(self._run, "maintenance")
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Block until the run is over (before the database is closed)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        try:
            file = self.database.file
            assert file is not None
            problems = quick_check_file(file, self.database.keying)
            if problems:
                self._tell("check_failed", problems)
                return
            if backup_due(self.database):
                path: Path = background_backup(self.database)
                self._tell("backup_finished", str(path))
        except StorageError as exc:
            self._tell("backup_failed", str(exc))
        except Exception as exc:  # a worker must never die silently
            log.exception("maintenance run failed")
            self._tell("backup_failed", f"The daily backup failed unexpectedly: {exc}")
        finally:
            self._tell("finished")

    def _tell(self, name: str, *args: object) -> None:
        """Send a result to the window, unless the window that asked is gone (closed, and its
        objects deleted, while the run went on): then there is nobody left to tell, and the
        backup on disk stands as it is."""
        try:
            getattr(self, name).emit(*args)
        except RuntimeError:  # the object was deleted on the window's side
            log.info("the maintenance run's %s was not delivered: its window is gone", name)
