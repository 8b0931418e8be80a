"""Start the app: the Qt application and, at once, the start window; the records after it is drawn.

This module loads Qt and nothing of the storage layer, so that a window is on screen about as soon
as a bare Qt window would be. The database, the sign-in or passphrase and the main window follow
from massage_chart.ui.opening once the start window has painted.
"""

from __future__ import annotations

import importlib
import logging
import sys

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

import massage_chart
from massage_chart.ui.fonts import install_script_fonts
from massage_chart.ui.start_window import StartWindow

log = logging.getLogger(__name__)

APPLICATION_NAME = "Massage Chart"
ORGANISATION_NAME = "Massage Chart"
ORGANISATION_DOMAIN = "massagechart.app"
# Qt's default on many Linux desktops is 9 pt, small for reading notes on a laptop all day.
MINIMUM_POINT_SIZE = 10.0
#: The modules without Qt that opening the records and the main window need: loaded on a worker
#: thread while the start window stays responsive (one missing here only loads later, on the
#: window's thread).
RECORDS_LAYER = (
    "sqlalchemy.orm",
    "sqlalchemy.dialects.sqlite",
    "massage_chart.storage.safekeeping",
    "massage_chart.storage.clinic",
    "massage_chart.storage.backup",
    "massage_chart.storage.client_records",
    "massage_chart.storage.overviews",
    "massage_chart.storage.repositories",
    "massage_chart.storage.drafts",
    "massage_chart.storage.settings",
    "massage_chart.storage.watch",
)


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
    install_script_fonts()
    return app


def run_app(
    database_url: str | None,
    argv: list[str] | None = None,
    *,
    quit_after_start: bool = False,
    quit_after_first_paint: bool = False,
    user: str | None = None,
) -> int:
    """Show the start window, open the database, and show the main window until the user quits.

    Args:
        database_url: a SQLAlchemy URL or file path; None for the default database.
        argv: command-line arguments for Qt (default: ``sys.argv``).
        quit_after_start: quit as soon as the main window has been drawn once (start-up checks).
        quit_after_first_paint: quit as soon as the start window has been drawn, before the
            records are opened (start-up checks of Qt itself, and the start-up benchmark).
        user: the clinic person to offer at the sign-in (a clinic's server database).

    Returns:
        The exit code: 0 after a normal quit, 1 when the database cannot be opened.
    """
    app = _application(list(sys.argv if argv is None else argv))
    start = StartWindow()
    start.show_and_wait_for_paint()
    if quit_after_first_paint:
        start.retire()
        return 0
    # Only now: the storage layer and the main window's modules take most of the start-up.
    _load_records_layer(start)
    from massage_chart.ui.opening import open_and_run

    try:
        return open_and_run(app, start, database_url, quit_after_start=quit_after_start, user=user)
    finally:
        start.retire()  # when the records did not open, nothing took its place


def _load_records_layer(start: StartWindow) -> None:
    """Import the records layer on a worker thread, the event loop running meanwhile: the start
    window repaints, moves and takes typing while it loads. Its mappers are configured and the
    alert rules read there too. A failure is left for the window's thread to meet (and word) when
    it imports the same module."""

    def load() -> None:
        try:
            for name in RECORDS_LAYER:
                importlib.import_module(name)
            from massage_chart.domain.alerts import alert_rules
            from massage_chart.storage.database import prepare_mappers

            prepare_mappers()
            alert_rules()
        except Exception:  # met again, and worded, on the window's thread
            log.debug("loading the records layer ahead failed", exc_info=True)

    start.run_beside(load, name="load the records layer")
