"""Dialogs for the passphrase of an encrypted database: to open it, and to choose a new one."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.encryption import MIN_PASSPHRASE_LENGTH
from massage_chart.ui.style import error_text

LOST_PASSPHRASE_WARNING = (
    "Write the passphrase down and keep it apart from this computer. A lost passphrase means "
    "lost records AND lost backups: the backups are encrypted with it too, and nobody, not "
    "even Massage Chart's makers, can open them without it."
)


def _password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    return field


class PassphraseDialog(QDialog):
    """Asks for the passphrase of an encrypted database when the app starts.

    The dialog ends with ``Accepted`` (``passphrase()`` holds what was typed), ``Rejected``
    (quit) or ``RESTORE`` (restore the newest backup that opens with what was typed; offered
    once a passphrase has failed, since a damaged file and a wrong passphrase look the same).

    Args:
        file: the database file.
        parent: the owner window, if any.

    Attributes:
        field: where the passphrase is typed.
        problem: the red line that says why the last try failed.
        restore_button: "Restore newest backup…", shown after a failed try.
    """

    RESTORE = 2

    def __init__(self, file: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open encrypted database")
        intro = QLabel(
            f"The database <b>{_escape(file.name)}</b> is encrypted. Enter its passphrase to "
            "open it."
        )
        intro.setWordWrap(True)
        intro.setToolTip(str(file))
        self.field = _password_field("Passphrase")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        error_text(self.problem)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.open_button = self.buttons.button(QDialogButtonBox.StandardButton.Open)
        self.open_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        self.restore_button = QPushButton("&Restore newest backup…")
        self.restore_button.setToolTip(
            "If the passphrase is right but the file is damaged: put the newest backup that "
            "opens with this passphrase in its place (the damaged file is kept aside)."
        )
        self.buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.hide()
        form = QFormLayout()
        form.addRow("&Passphrase:", self.field)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._on_field_text_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.resize(460, self.sizeHint().height())

    def passphrase(self) -> str:
        """What was typed."""
        return self.field.text()

    def show_problem(self, message: str) -> None:
        """Say why the last try failed, clear the field for the next one, offer the restore."""
        self.problem.setText(message)
        self.problem.show()
        self.restore_button.show()
        self.field.clear()
        self.field.setFocus()
        needed = self.sizeHint()
        if needed.height() > self.height():
            self.resize(self.width(), needed.height())  # the message is never cut off

    def hold(self, seconds: int) -> None:
        """After repeated wrong passphrases, take no new try for ``seconds``."""
        if seconds <= 0:
            return
        self.field.setEnabled(False)
        self.open_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self.problem.setText(
            f"{self.problem.text()} After several wrong tries, wait {seconds} s before the next."
        )
        QTimer.singleShot(seconds * 1000, self, self._on_hold_over)

    @Slot()
    def _on_hold_over(self) -> None:
        self.field.setEnabled(True)
        self.field.setFocus()

    @Slot(str)
    def _on_field_text_changed(self, text: str) -> None:
        self.open_button.setEnabled(bool(text))
        self.restore_button.setEnabled(bool(text))

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        if self.field.text():
            self.done(self.RESTORE)
        else:
            self.problem.setText("Type the passphrase: the backups are encrypted with it too.")
            self.problem.show()


class NewPassphraseDialog(QDialog):
    """Asks for a new passphrase twice (and the current one, to change it), with the warning
    that a lost passphrase loses the records and the backups.

    Args:
        title: the window title ("Encrypt database", "Change passphrase").
        intro: what will happen, in a sentence or two.
        ask_current: also ask for the current passphrase.
        parent: the owner window.

    Attributes:
        current: the current passphrase (None unless ``ask_current``).
        new: the new passphrase.
        repeat: the new passphrase again.
        problem: why OK is not yet possible.
    """

    def __init__(
        self, title: str, intro: str, *, ask_current: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        warning = QLabel(LOST_PASSPHRASE_WARNING)
        warning.setWordWrap(True)
        warning.setStyleSheet("font-weight: bold;")
        self.current = _password_field("Current passphrase") if ask_current else None
        self.new = _password_field("New passphrase")
        self.repeat = _password_field("New passphrase again")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        error_text(self.problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(title.split()[0] if title else "OK")
        form = QFormLayout()
        if self.current is not None:
            form.addRow("&Current passphrase:", self.current)
        form.addRow("&New passphrase:", self.new)
        form.addRow("&Again:", self.repeat)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for field in (self.current, self.new, self.repeat):
            if field is not None:
                field.textChanged.connect(self._on_field_text_changed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._on_field_text_changed("")
        self.resize(520, self.sizeHint().height())

    def new_passphrase(self) -> str:
        """The new passphrase (valid once the dialog was accepted)."""
        return self.new.text()

    def current_passphrase(self) -> str:
        """The current passphrase typed, or "" when it was not asked for."""
        return self.current.text() if self.current is not None else ""

    def _why_not(self) -> str:
        new = self.new.text()
        if self.current is not None and not self.current.text():
            return "Type the current passphrase."
        if len(new) < MIN_PASSPHRASE_LENGTH:
            return f"The new passphrase needs at least {MIN_PASSPHRASE_LENGTH} characters."
        if new.strip() != new:
            return "The passphrase must not start or end with a space."
        if self.repeat.text() != new:
            return "The two new passphrases differ."
        if self.current is not None and self.current.text() == new:
            return "The new passphrase is the same as the current one."
        return ""

    @Slot(str)
    def _on_field_text_changed(self, _text: str) -> None:
        reason = self._why_not()
        self.problem.setText(reason)
        self.ok_button.setEnabled(not reason)

    def accept(self) -> None:
        """Close only when the passphrases are acceptable (Enter in a field comes here too)."""
        if self._why_not():
            return
        super().accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
