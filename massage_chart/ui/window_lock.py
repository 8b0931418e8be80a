"""The idle lock of the main window: hide every client record, and show them again."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from massage_chart.domain.secrets import verify_password
from massage_chart.storage import audit
from massage_chart.storage.database import Database
from massage_chart.storage.settings import UNLOCK_PASSWORD_HASH, Settings
from massage_chart.ui.idle_lock import LockScreen
from massage_chart.ui.practice_document import WRITE_ERRORS


class WindowLock(QObject):
    """Puts a window's records behind its lock screen, and takes them out for the right secret.

    Locking saves the open notes, hides every other window and disables the window's actions
    (but ``keep_enabled``); a wrong secret is audited and refused.

    Args:
        window: the window whose records are locked.
        pages: the window's pages; the first one holds the records.
        lock_screen: the page shown while locked (one of ``pages``).
        database: the open database (its passphrase unlocks an encrypted one; the clinic
            password of the person signed in unlocks a clinic database).
        settings: the app's settings (their unlock password unlocks otherwise).
        keep_enabled: the action left working while locked (Quit).
        unlock_check: checks what is typed, instead of the passphrase or the unlock password.
        secret_name: what the lock screen calls ``unlock_check``'s secret.
    """

    #: The records are shown again.
    unlocked = Signal()

    def __init__(
        self,
        window: QMainWindow,
        pages: QStackedWidget,
        lock_screen: LockScreen,
        database: Database,
        settings: Settings,
        keep_enabled: QAction,
        *,
        unlock_check: Callable[[str], bool] | None = None,
        secret_name: str = "unlock password",
    ) -> None:
        super().__init__(window)
        self._window = window
        self._pages = pages
        self._lock_screen = lock_screen
        self._database = database
        self._settings = settings
        self._keep_enabled = keep_enabled
        self.unlock_check = unlock_check
        self._secret_name = secret_name
        self.failed_unlocks = 0
        #: The other windows hidden by the lock, shown again on unlocking.
        self.hidden_windows: list[QWidget] = []
        self._disabled_actions: list[QAction] = []
        lock_screen.unlock_requested.connect(self.unlock)

    @property
    def locked(self) -> bool:
        """Whether client data is hidden behind the lock screen."""
        return self._pages.currentWidget() is self._lock_screen

    def lock(self) -> None:
        """Hide every client record (the window and every other one) behind the lock screen.

        Open notes are saved first and their windows only hidden, so nothing typed is lost.
        """
        if self.locked:
            return
        from massage_chart.ui.note.editor import VisitNoteEditor  # loads with the first visit

        window = self._window
        check, name = self.check()
        self._lock_screen.set_needs_secret(check is not None, name)
        for editor in window.findChildren(VisitNoteEditor):
            editor.save_now()
        self.hidden_windows = [
            widget
            for widget in QApplication.topLevelWidgets()
            if widget is not window and widget.isVisible()
        ]
        for widget in self.hidden_windows:
            widget.hide()
        self._disabled_actions = [
            action
            for action in window.findChildren(QAction)
            if action.isEnabled() and action is not self._keep_enabled
        ]
        for action in self._disabled_actions:
            action.setEnabled(False)
        window.menuBar().hide()
        window.statusBar().hide()
        self._pages.setCurrentWidget(self._lock_screen)
        window.setWindowTitle("Massage Chart — locked")
        self._lock_screen.reset()

    def unlock(self, secret: str = "") -> bool:
        """Show the records again if ``secret`` is right; a wrong one is audited and refused."""
        if not self.locked:
            return True
        check, _name = self.check()
        if check is not None and not check(secret):
            self.failed_unlocks += 1
            try:
                with self._database.write() as session:
                    audit.record(
                        session,
                        audit.AuditAction.FAILED_UNLOCK,
                        detail=f"idle lock: wrong secret, try {self.failed_unlocks} in a row",
                    )
            except WRITE_ERRORS:
                pass  # the refusal matters more than its record; the lock stays
            self._lock_screen.refuse(self.failed_unlocks)
            return False
        self.failed_unlocks = 0
        self._pages.setCurrentIndex(0)
        self._window.menuBar().show()
        self._window.statusBar().show()
        for action in self._disabled_actions:
            action.setEnabled(True)
        self._disabled_actions = []
        for widget in self.hidden_windows:
            widget.show()
        self.hidden_windows = []
        self.unlocked.emit()
        return True

    def check(self) -> tuple[Callable[[str], bool] | None, str]:
        """What unlocks the window now, and what to call it on the lock screen."""
        if self.unlock_check is not None:
            return self.unlock_check, self._secret_name
        if getattr(self._database, "actor", None) is not None:  # signed in to a clinic database
            return self._database.check_sign_in_password, "clinic password"
        check_passphrase = getattr(self._database, "check_passphrase", None)
        if getattr(self._database, "is_encrypted", False) and check_passphrase is not None:
            return check_passphrase, "database passphrase"
        stored = str(self._settings.get(UNLOCK_PASSWORD_HASH))
        if stored:
            return (lambda secret: verify_password(secret, stored)), "unlock password"
        return None, "unlock password"
