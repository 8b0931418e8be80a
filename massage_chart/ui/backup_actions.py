"""Back up now, Check database and Restore from backup, in the window (File menu)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.backup import (
    BackupError,
    BackupInfo,
    list_backups,
    since_backup,
    verify_sqlite_backup,
)
from massage_chart.storage.database import DATABASE_ERRORS, Database, StorageError, open_database
from massage_chart.storage.repositories import get_practice
from massage_chart.storage.safekeeping import CheckReport, backup_now, check_database
from massage_chart.ui.formatting import format_date
from massage_chart.ui.style import error_text
from massage_chart.ui.threads import start_worker

log = logging.getLogger(__name__)

#: What a backup or a check may raise that it reports in words.
_SAFEKEEPING_ERRORS: tuple[type[Exception], ...] = (*DATABASE_ERRORS, OSError)


def _practice_of(database: Database) -> tuple[str, str] | None:
    """The id and name of the practice a database holds, or None (none recorded yet)."""
    with database.read() as session:
        practice = get_practice(session)
        return None if practice is None else (practice.id, practice.name)


class RestoreDialog(QDialog):
    """Choose a backup to restore: newest first, with its date, reason and size.

    Args:
        backups: the backups of the open database.
        verify: checks a backup before it is offered (raises ``BackupError``).
    """

    def __init__(
        self,
        backups: list[BackupInfo],
        parent: QWidget | None = None,
        *,
        verify: Callable[[Path], None] = verify_sqlite_backup,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore from backup")
        self._verify = verify
        self.chosen: BackupInfo | None = None
        intro = QLabel(
            "Choose the backup to go back to. Everything entered after it is not in it. "
            "The database as it is now is kept beside it, renamed, never deleted."
        )
        intro.setWordWrap(True)
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QListWidget()
        self.list.setAccessibleName("Backups")
        for info in sorted(backups, key=lambda b: b.taken_at, reverse=True):
            item = QListWidgetItem(
                f"{format_date(info.taken_at.date())} {info.taken_at:%H:%M} · {info.reason} · "
                f"{info.size / 1_048_576:.1f} MB"
            )
            item.setData(Qt.ItemDataRole.UserRole, info)
            item.setToolTip(str(info.path))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        error_text(self.problem)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.restore_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.restore_button.setText("Restore…")
        self.restore_button.setEnabled(bool(backups))
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.resize(520, 360)

    def accept(self) -> None:
        """Check the chosen backup; a damaged one is refused with the reason."""
        item = self.list.currentItem()
        if item is None:
            return
        info: BackupInfo = item.data(Qt.ItemDataRole.UserRole)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._verify(info.path)
        except BackupError as exc:
            self.problem.setText(f"This backup cannot be used: {exc}. Choose another.")
            self.problem.show()
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.chosen = info
        super().accept()


class BackupActions(QObject):
    """File menu actions that keep the open database safe, run without freezing the window.

    Restoring replaces the open database, so it is not done here: after the user confirms,
    ``restore_requested`` asks the owner of the window to close it, call
    ``storage.maintenance.restore_and_reopen`` and open a new window on the restored records.

    Signals:
        finished(str): a status-bar message (backup taken, check passed).
        problem_reported(str): a message for a box.
        restore_requested(str): the path of a verified backup the user chose to restore.
        report_ready(object): a ``CheckReport`` (after Check database).
    """

    finished = Signal(str)
    problem_reported = Signal(str)
    restore_requested = Signal(str)
    report_ready = Signal(object)
    _backup_done = Signal(str, str)
    _check_done = Signal(object, str)

    def __init__(self, database: Database, parent: QWidget) -> None:
        super().__init__(parent)
        self.database = database
        self._parent = parent
        self._thread: threading.Thread | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.report_box: QMessageBox | None = None
        self.back_up_action = QAction("&Back up now", parent)
        self.back_up_action.setStatusTip("Take a verified copy of the database now")
        self.check_action = QAction("Chec&k database", parent)
        self.check_action.setStatusTip(
            "Read every page, the audit log and every signed note's signature"
        )
        self.restore_action = QAction("&Restore from backup…", parent)
        self.restore_action.setStatusTip("Go back to a verified backup of this database")
        if database.file is None:
            for action in (self.back_up_action, self.restore_action):
                action.setEnabled(False)
                action.setToolTip(
                    "A PostgreSQL server is backed up with the server's own tools (pg_dump)."
                )
        self.back_up_action.triggered.connect(self._on_back_up_action_triggered)
        self.check_action.triggered.connect(self._on_check_action_triggered)
        self.restore_action.triggered.connect(self._on_restore_action_triggered)
        self._backup_done.connect(self._on_backup_done)
        self._check_done.connect(self._on_check_done)

    def actions(self) -> list[QAction]:
        """The actions, in menu order."""
        return [self.back_up_action, self.check_action, self.restore_action]

    @property
    def busy(self) -> bool:
        """Whether a backup or check is running."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running backup or check is over (before the window closes)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def back_up(self) -> bool:
        """Start a backup off the window's thread; False if something is running already."""
        return self._start(self._run_backup, "Backing up…")

    def check(self) -> bool:
        """Start the full check off the window's thread; False if something is running already."""
        return self._start(self._run_check, "Checking the database…")

    def choose_backup(self) -> RestoreDialog | None:
        """Open the list of backups (not blocking); None when there are none to offer."""
        folder = self.database.backup_dir
        file = self.database.file
        backups = list_backups(folder, file) if folder is not None and file is not None else []
        if not backups:
            self.problem_reported.emit(
                f"There is no backup of this database in {folder} yet. Use Back up now to take one."
            )
            return None
        dialog = RestoreDialog(backups, self._parent, verify=self._verify_same_practice)
        dialog.folder_label.setText(f"Backups in {folder}")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self._on_restore_dialog_accepted)
        self.restore_dialog = dialog
        dialog.open()
        return dialog

    def _verify_same_practice(self, path: Path) -> None:
        """Verify a backup and check it is of this practice's database, not another one whose
        file has the same name (backups are found by file name, and a backup folder can be
        shared by several databases).

        Raises:
            BackupError: the backup does not verify, or holds another practice.
        """
        verify_sqlite_backup(path, keying=self.database.keying)
        ours = _practice_of(self.database)
        keying = self.database.keying
        try:
            other = open_database(
                str(path),
                upgrade=False,
                passphrase=None if keying is None else keying.reveal_passphrase(),
            )
        except StorageError as exc:
            raise BackupError(str(exc)) from exc
        try:
            theirs = _practice_of(other)
        finally:
            other.dispose()
        if ours is not None and theirs is not None and ours[0] != theirs[0]:
            raise BackupError(
                f"it is a backup of another practice's database (“{theirs[1]}”), not of “{ours[1]}”"
            )

    # ------------------------------------------------------------------ workers

    def _start(self, work: Callable[[], None], message: str) -> bool:
        if self.busy:
            return False
        for action in self.actions():
            action.setEnabled(False)
        self.finished.emit(message)
        self._thread = start_worker(work, "backup-actions")
        return True

    def _run_backup(self) -> None:
        try:
            path = backup_now(self.database, reason="manual")
        except _SAFEKEEPING_ERRORS as exc:
            self._backup_done.emit("", str(exc))
        except Exception as exc:  # a worker must never die silently
            log.exception("backup failed")
            self._backup_done.emit("", f"The backup failed unexpectedly: {exc}")
        else:
            self._backup_done.emit(str(path), "")

    def _run_check(self) -> None:
        try:
            report = check_database(self.database)
        except _SAFEKEEPING_ERRORS as exc:
            self._check_done.emit(None, f"The check could not run: {exc}")
        except Exception as exc:  # a worker must never die silently
            log.exception("check failed")
            self._check_done.emit(None, f"The check failed unexpectedly: {exc}")
        else:
            self._check_done.emit(report, "")

    def _enable(self) -> None:
        server = self.database.file is None
        self.back_up_action.setEnabled(not server)
        self.restore_action.setEnabled(not server)
        self.check_action.setEnabled(True)

    # ------------------------------------------------------------------ handlers

    @Slot(str, str)
    def _on_backup_done(self, path: str, problem: str) -> None:
        self._enable()
        if problem:
            self.finished.emit("The backup failed; nothing was changed.")
            self.problem_reported.emit(problem)
            return
        self.finished.emit(f"Backup taken and verified: {Path(path).name}")

    @Slot(object, str)
    def _on_check_done(self, report: CheckReport | None, problem: str) -> None:
        self._enable()
        if report is None:
            self.problem_reported.emit(problem)
            return
        self.report_ready.emit(report)
        checked = "\n".join(f"✓ {item}" for item in report.checked)
        if report.notes:
            checked += "\n\nNot checked here:\n" + "\n".join(f"• {n}" for n in report.notes)
        if report.ok:
            icon, title = QMessageBox.Icon.Information, "No problems found"
            text = f"The database is healthy.\n\nChecked:\n{checked}"
            self.finished.emit("Database checked: no problems found.")
        else:
            icon, title = QMessageBox.Icon.Critical, "The check found problems"
            shown = "\n".join(f"• {p}" for p in report.problems[:12])
            more = len(report.problems) - 12
            text = (
                f"{shown}" + (f"\n…and {more} more" if more > 0 else "") + "\n\nStop changing "
                "records and restore the newest backup (File › Restore from backup), or ask for "
                f"help. Nothing was changed by the check.\n\nChecked:\n{checked}"
            )
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.report_box = box
        box.open()

    @Slot()
    def _on_restore_dialog_accepted(self) -> None:
        dialog = self.restore_dialog
        self.restore_dialog = None
        if dialog is None or dialog.chosen is None:
            return
        chosen = dialog.chosen
        lost = (
            since_backup(self.database.file, chosen.path, self.database.keying).sentence(
                chosen.taken_at
            )
            if self.database.file is not None
            else "Anything entered after it will not be in the records you see."
        )
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Restore this backup?",
            f"Go back to the backup of {format_date(chosen.taken_at.date())} at "
            f"{chosen.taken_at:%H:%M}?\n\n{lost} The database as it is now is kept beside it, "
            "renamed, never deleted. Open windows close first (each saves its text).",
            QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.button(QMessageBox.StandardButton.Ok).setText("Restore")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self._on_confirm_box_finished(result, chosen.path))
        self.confirm_box = box
        box.open()

    def _on_confirm_box_finished(self, result: int, path: Path) -> None:
        self.confirm_box = None
        if result == QMessageBox.StandardButton.Ok.value:
            self.restore_requested.emit(str(path))

    @Slot()
    def _on_back_up_action_triggered(self) -> None:
        self.back_up()

    @Slot()
    def _on_check_action_triggered(self) -> None:
        self.check()

    @Slot()
    def _on_restore_action_triggered(self) -> None:
        self.choose_backup()
