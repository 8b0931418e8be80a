"""Start the window: the Qt application, the database, and plain words when it cannot be opened."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy.exc import SQLAlchemyError

import massage_chart
from massage_chart.storage import audit
from massage_chart.storage.backup import BackupError, newest_verified_backup, restore_sqlite
from massage_chart.storage.database import (
    Database,
    DatabaseDamagedError,
    StorageError,
    default_database_url,
    normalise_url,
    open_database,
    sqlite_file,
)

log = logging.getLogger(__name__)

APPLICATION_NAME = "Massage Chart"
ORGANISATION_NAME = "Massage Chart"
ORGANISATION_DOMAIN = "massagechart.app"
# Qt's default on many Linux desktops is 9 pt, small for reading notes on a laptop all day.
MINIMUM_POINT_SIZE = 10.0
STARTUP_MAINTENANCE_DELAY_MS = 1500


def _application(argv: list[str]) -> QApplication:
    """The running QApplication, created and named if there is none yet."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    else:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(argv)
        font = app.font()
        if font.pointSizeF() < MINIMUM_POINT_SIZE:
            font.setPointSizeF(MINIMUM_POINT_SIZE)
            app.setFont(font)
    QCoreApplication.setApplicationName(APPLICATION_NAME)
    QCoreApplication.setOrganizationName(ORGANISATION_NAME)
    QCoreApplication.setOrganizationDomain(ORGANISATION_DOMAIN)
    QCoreApplication.setApplicationVersion(massage_chart.__version__)
    QGuiApplication.setApplicationDisplayName(APPLICATION_NAME)
    QGuiApplication.setDesktopFileName("massage-chart")
    return app


def _tell_cannot_open(message: str) -> None:
    QMessageBox.critical(
        None,
        "Massage Chart cannot open the database",
        message,
        QMessageBox.StandardButton.Ok,
    )


def _offer_restore(database_url: str | None, message: str) -> Database | None:
    """Offer the newest verified backup of a damaged SQLite file; the damaged file is set aside.

    Returns the reopened database, or None when there is no backup, the user declines, or the
    restore fails (each said in plain words).
    """
    path = sqlite_file(normalise_url(database_url or default_database_url()))
    newest = newest_verified_backup(path.parent / "backups", path) if path is not None else None
    if path is None or newest is None:
        _tell_cannot_open(f"{message}\n\nNo verified backup was found beside it.")
        return None
    answer = QMessageBox.question(
        None,
        "The database is damaged",
        f"{message}\n\nThe newest verified backup is from {newest.taken_at:%d %b %Y %H:%M} "
        f"({newest.path.name}). Restore it now? The damaged file is kept aside, renamed, "
        "never deleted. Anything entered after that backup is not in it.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None
    try:
        restore_sqlite(newest.path, path, label="damaged")
        database = open_database(str(path))
    except (BackupError, StorageError) as exc:
        _tell_cannot_open(f"The backup could not be restored: {exc}")
        return None
    with database.write() as session:
        audit.record(session, audit.AuditAction.RESTORE, detail=f"from {newest.path}")
    return database


def run_app(database_url: str | None, argv: list[str] | None = None) -> int:
    """Open the database and show the main window until the user quits.

    Args:
        database_url: a SQLAlchemy URL or file path; None for the default database.
        argv: command-line arguments for Qt (default: ``sys.argv``).

    Returns:
        The exit code: 0 after a normal quit, 1 when the database cannot be opened.
    """
    app = _application(list(sys.argv if argv is None else argv))
    try:
        database = open_database(database_url)
    except DatabaseDamagedError as exc:
        restored = _offer_restore(database_url, str(exc))
        if restored is None:
            return 1
        database = restored
    except StorageError as exc:
        _tell_cannot_open(str(exc))
        return 1
    except (SQLAlchemyError, OSError) as exc:
        # open_database words what it foresees; anything else (a failed upgrade on a full disk,
        # say) still deserves a sentence rather than a traceback.
        log.exception("could not open the database")
        _tell_cannot_open(
            f"The database could not be opened: {getattr(exc, 'orig', None) or exc}. "
            "Nothing was changed. If this keeps happening, restore the newest backup."
        )
        return 1

    # Imported here so that a failed start shows its message without loading the window's modules.
    from massage_chart.ui.main_window import MainWindow

    window = MainWindow(database)
    window.show()
    # The page check and the daily backup start once the window is up and drawn.
    QTimer.singleShot(STARTUP_MAINTENANCE_DELAY_MS, window, window.start_maintenance)
    try:
        return app.exec()
    finally:
        window.close()
        window.deleteLater()
        database.dispose()
