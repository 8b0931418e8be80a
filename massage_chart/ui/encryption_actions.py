"""Encryption at rest in the window (Settings › Security): encrypt the database, change its passphrase."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.safekeeping import (
    EncryptionOutcome,
    change_passphrase,
    encrypt_database,
)
from massage_chart.ui.passphrase_dialog import NewPassphraseDialog

log = logging.getLogger(__name__)


class EncryptionActions(QObject):
    """ "Encrypt database…" and "Change passphrase…" for Settings › Security.

    Both rewrite the database file under a new key, so the open ``Database`` is closed and a
    new one is opened with the key. The work runs on the window's thread behind a busy cursor
    (the file must not be used meanwhile; it takes about a second plus a second per 100 MB).

    **Reopening.** After success, ``database_reopened`` carries the new ``Database`` and the
    old one must never be used again (its engine would open a file that is now encrypted under
    another key; the one-library-per-file registry refuses it if it tries). The owner of the
    window should close the window without its on-close backup and open a new one on the new
    database: ``run_app`` does exactly that when the window sets ``reopen_with`` to it and
    closes. So the lead's slot is, in the window::

        self.backup_on_close = False  # the old Database is closed for good
        self.reopen_with = database
        self.close()

    On failure nothing changed and the old database stays open and usable.

    Args:
        database: the open database.
        parent_widget: the window the dialogs belong to.

    Attributes:
        encrypt_action: "Encrypt database…" (enabled for a plain SQLite file).
        change_action: "Change passphrase…" (enabled for an encrypted one).
        dialog: the passphrase dialog while it is open.
        report_box: the last message box shown (success or failure).

    Signals:
        database_reopened(object): the new ``Database`` after a successful change.
        problem_reported(str): the message of a failure (also shown in a box).
    """

    database_reopened = Signal(object)
    problem_reported = Signal(str)

    def __init__(self, database: Database, parent_widget: QWidget) -> None:
        super().__init__(parent_widget)
        self.database = database
        self._parent_widget = parent_widget
        self.dialog: NewPassphraseDialog | None = None
        self.report_box: QMessageBox | None = None
        self.encrypt_action = QAction("&Encrypt database…", self)
        self.encrypt_action.setStatusTip(
            "Encrypt the records and their backups on this computer with a passphrase"
        )
        self.change_action = QAction("Change &passphrase…", self)
        self.change_action.setStatusTip("Change the passphrase of the database and its backups")
        self.encrypt_action.triggered.connect(self._on_encrypt_action_triggered)
        self.change_action.triggered.connect(self._on_change_action_triggered)
        self._update_actions()

    def actions(self) -> list[QAction]:
        """The actions, in menu order."""
        return [self.encrypt_action, self.change_action]

    def _update_actions(self) -> None:
        is_file = self.database.file is not None and self.database.is_sqlite
        self.encrypt_action.setEnabled(is_file and not self.database.is_encrypted)
        self.change_action.setEnabled(is_file and self.database.is_encrypted)

    # ------------------------------------------------------------------ the work

    def encrypt(self, passphrase: str) -> Database | None:
        """Encrypt the open database with ``passphrase``; returns the reopened database."""
        return self._run(lambda: encrypt_database(self.database, passphrase), "encrypted")

    def change(self, current: str, new: str) -> Database | None:
        """Change the passphrase from ``current`` to ``new``; returns the reopened database."""
        return self._run(lambda: change_passphrase(self.database, current, new), "changed")

    def _run(self, work: Callable[[], EncryptionOutcome], done: str) -> Database | None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            outcome = work()
        except StorageError as exc:
            message = str(exc)
            log.warning("encryption %s failed: %s", done, message)
            self._report(QMessageBox.Icon.Warning, "Nothing was changed", message)
            self.problem_reported.emit(message)
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.database = outcome.database
        self._update_actions()
        self._report(QMessageBox.Icon.Information, "Done", _describe(outcome, done))
        self.database_reopened.emit(outcome.database)
        return outcome.database

    def _report(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self._parent_widget)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.destroyed.connect(self._on_report_box_destroyed)
        self.report_box = box
        box.open()

    # ------------------------------------------------------------------ handlers

    @Slot()
    def _on_encrypt_action_triggered(self) -> None:
        dialog = NewPassphraseDialog(
            "Encrypt database",
            f"The database {self.database.display_name} and its backups will be encrypted. "
            "From now on Massage Chart asks for the passphrase when it starts. Close Massage "
            "Chart on any other computer that uses this file first.",
            parent=self._parent_widget,
        )
        dialog.finished.connect(self._on_encrypt_dialog_finished)
        self._show(dialog)

    @Slot()
    def _on_change_action_triggered(self) -> None:
        dialog = NewPassphraseDialog(
            "Change passphrase",
            "The database and its backups will be re-encrypted with the new passphrase; the old "
            "one will no longer open them.",
            ask_current=True,
            parent=self._parent_widget,
        )
        dialog.finished.connect(self._on_change_dialog_finished)
        self._show(dialog)

    def _show(self, dialog: NewPassphraseDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog = dialog
        dialog.open()

    @Slot(int)
    def _on_encrypt_dialog_finished(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and result == QDialog.DialogCode.Accepted.value:
            self.encrypt(dialog.new_passphrase())

    @Slot(int)
    def _on_change_dialog_finished(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None and result == QDialog.DialogCode.Accepted.value:
            self.change(dialog.current_passphrase(), dialog.new_passphrase())

    @Slot()
    def _on_report_box_destroyed(self) -> None:
        self.report_box = None


def _describe(outcome: EncryptionOutcome, done: str) -> str:
    """The result in plain words, with anything the user still has to decide."""
    lines = [
        f"The database is {done}: Massage Chart will ask for the passphrase when it starts. "
        f"{len(outcome.backups_done)} backup(s) were converted too."
    ]
    if outcome.backups_left:
        lines.append(
            "These backups were left as they were (they do not open with the old passphrase, "
            "or are damaged):\n"
            + "\n".join(f"• {path.name}: {why}" for path, why in outcome.backups_left)
        )
    if outcome.plaintext_left:
        lines.append(
            "These unencrypted copies were set aside earlier (after damage or a restore) and "
            "were not touched; delete them once you no longer need them:\n"
            + "\n".join(f"• {path}" for path in outcome.plaintext_left)
        )
    if not outcome.old_file_overwritten:
        lines.append(
            "The old file could not be overwritten on this drive before it was deleted; its "
            "bytes may stay in free space until reused. Full-disk encryption covers that."
        )
    return "\n\n".join(lines)
