"""The window drawn the moment the app starts, while the records are being opened.

It is the main window's frame (its title, size and search field) made from Qt alone, so that it
is on screen about as soon as a bare Qt window would be. The database layer and the main window's
modules load after it has been drawn; the main window then takes its place, with whatever was
typed into its search field meanwhile. Nothing here may import the storage layer.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from massage_chart.ui.threads import start_worker

#: The client list's share of a 1366-pixel-wide window: the main window's and this one's.
CLIENT_LIST_WIDTH = 440
#: The search field's hint, the same in the main window's client list.
SEARCH_PLACEHOLDER = "Search name, phone, email or date of birth"
#: The menus of the main window, left to right (the start window shows them, not yet usable).
MENU_TITLES = ("&File", "&Edit", "&View", "&Client", "&Help")
MINIMUM_SIZE = QSize(800, 500)
#: The narrowest the client list and the record beside it may be made.
LIST_MINIMUM_WIDTH = 300
RECORD_MINIMUM_WIDTH = 480
#: How long to wait for the first paint before going on regardless (a platform that never
#: paints a hidden or minimised window must not hold the start).
PAINT_WAIT_MS = 2000
#: How often the window asks how the work running beside it goes.
POLL_MS = 10


def window_size(available: QSize) -> QSize:
    """The main window's opening size on a screen with this much room: at most 1280 x 760,
    leaving room for the title bar and the frame on a 1366 x 768 laptop."""
    return QSize(min(1280, available.width()), min(760, available.height() - 40))


class StartWindow(QMainWindow):
    """The main window's frame, shown while the records open.

    Attributes:
        search_field: takes what is typed before the records are open; handed to the main window.
        status: says what is happening ("Opening the records…").
        abandoned: the user closed this window before the main window replaced it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Massage Chart")
        self.abandoned = False
        self._first_paint: AfterFirstPaint | None = None
        self._retired = False
        self._waiting: QEventLoop | None = None  # the loop of run_beside, while it waits

        self.search_field = QLineEdit()
        self.search_field.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search clients")
        empty_list = QTableView()
        empty_list.setEnabled(False)
        for title in MENU_TITLES:
            self.menuBar().addMenu(title).setEnabled(False)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(10, 10, 6, 8)
        left_layout.addWidget(self.search_field)
        left_layout.addWidget(empty_list, 1)

        self.status = QLabel("Opening the records…")
        self.status.setAccessibleName("Start-up status")
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(14, 12, 12, 8)
        right_layout.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        left.setMinimumWidth(LIST_MINIMUM_WIDTH)
        right.setMinimumWidth(RECORD_MINIMUM_WIDTH)
        splitter.setSizes([CLIENT_LIST_WIDTH, 1366 - CLIENT_LIST_WIDTH])
        self.setCentralWidget(splitter)
        self.statusBar()  # the main window has one: the frame is the same height
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(window_size(self.screen().availableGeometry().size()))
        self.search_field.setFocus()

    @property
    def painted(self) -> bool:
        """Whether the window has been drawn at least once."""
        return self._first_paint is not None and self._first_paint.painted

    def show_and_wait_for_paint(self) -> bool:
        """Show the window and run the event loop until it has been drawn (at most
        PAINT_WAIT_MS); whether it was."""
        wait = QEventLoop(self)
        self._first_paint = AfterFirstPaint(wait.quit, self)
        QTimer.singleShot(PAINT_WAIT_MS, wait, wait.quit)
        self.show()
        wait.exec()
        return self.painted

    def run_beside(
        self,
        work: Callable[[], object],
        *,
        name: str,
        progress: Callable[[], str] | None = None,
        after_close: float | None = 0.0,
    ) -> bool:
        """Run ``work`` on a worker thread while the event loop runs: this window repaints,
        moves and takes typing meanwhile, and its status line says what ``progress`` returns
        (asked every POLL_MS, and once at the end). What the work raised is raised here.

        Closing the window ends the wait: the work is then given ``after_close`` seconds to
        end (None: as long as it takes; work that writes should look at ``abandoned`` and stop,
        its transaction rolled back), and is otherwise left to the end of the process. Returns
        whether the work finished with the window open (False, and nothing is started, once
        the window has been closed).
        """
        if self.abandoned:
            return False
        raised: list[BaseException] = []
        finished = threading.Event()
        loop = QEventLoop()
        wake = _Wake(self)  # the window's: never deleted on the worker
        wake.up.connect(loop.quit)  # queued: emitted on the worker, run on this thread

        def run() -> None:
            try:
                work()
            except BaseException as exc:  # handed to the window's thread, raised there
                raised.append(exc)
            finally:
                finished.set()
                with contextlib.suppress(RuntimeError):  # the window is gone: nobody waits
                    wake.up.emit()

        def say() -> None:
            if progress is not None:
                said = progress()
                if said and said != self.status.text():
                    self.status.setText(said)

        poll = QTimer()
        poll.setInterval(POLL_MS)
        poll.timeout.connect(say)
        if progress is not None:
            poll.start()
        worker = start_worker(run, name)
        self._waiting = loop
        try:
            if not finished.is_set():
                loop.exec()
        finally:
            self._waiting = None
            poll.stop()
        if not finished.is_set():
            self.abandoned = True  # closed, or the app told to quit: either way, it stops
        if self.abandoned:
            worker.join(after_close)
            return False
        say()
        if raised:
            raise raised[0]
        return True

    def catch_up(self) -> bool:
        """Deliver the input that arrived while the records were opening (the app was busy, so
        keystrokes waited); False when the user closed this window meanwhile."""
        QApplication.processEvents()
        return not self.abandoned

    def hand_over(self, window: QMainWindow, search_field: QLineEdit) -> None:
        """Show ``window`` where this one is, with what was typed here in its search field, and
        close this one."""
        if self.isMaximized() or self.isFullScreen():
            window.setWindowState(self.windowState())
        else:
            window.resize(self.size())
            window.move(self.pos())
        typed = self.search_field.text()
        if typed:
            search_field.setText(typed)
            search_field.setCursorPosition(self.search_field.cursorPosition())
        window.show()
        self.retire()

    def retire(self) -> None:
        """Hide and let go of this window (again: nothing)."""
        if self._retired:
            return
        self._retired = True
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closed before the records were open: the app stops instead of showing them (work
        running beside this window is no longer waited for: ``run_beside``)."""
        self.abandoned = True
        if self._waiting is not None:
            self._waiting.quit()
        event.accept()


class _Wake(QObject):
    """Wakes the window's thread from a worker (a signal emitted there is queued here)."""

    up = Signal()


class AfterFirstPaint(QObject):
    """Calls back once the watched window has painted itself for the first time (after that
    paint, not inside it), then stops watching: a filter left in place would be called for
    every event of the window.

    Attributes:
        painted: whether the window has painted.
    """

    def __init__(self, callback: Callable[[], object], window: QWidget) -> None:
        super().__init__(window)
        self._callback = callback
        self.painted = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self.painted:
            self.painted = True
            QTimer.singleShot(0, self._callback)
            QTimer.singleShot(0, self, lambda: watched.removeEventFilter(self))
        return super().eventFilter(watched, event)
