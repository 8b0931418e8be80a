"""Set, change or remove the password that unlocks the window after the idle lock."""

from __future__ import annotations

from PySide6.QtCore import Qt
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

from massage_chart.domain.secrets import SecretError, hash_password, verify_password
from massage_chart.storage.settings import UNLOCK_PASSWORD_HASH, Settings, SettingsError
from massage_chart.ui.record.fields import ProblemLabel


class UnlockPasswordDialog(QDialog):
    """Ask for the new password twice (and the current one, if there is one), then store its hash.

    Args:
        settings: where the hash is kept (this computer's settings).
    """

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._stored = str(settings.get(UNLOCK_PASSWORD_HASH))
        self.setWindowTitle("Unlock password")
        intro = QLabel(
            "After the idle lock, the window asks for this password before it shows client "
            "records again. It is kept on this computer only as a salted hash: if it is "
            "forgotten, it can be reset here by whoever can open Settings."
            if not self._stored
            else "Change or remove the password that unlocks the window after the idle lock."
        )
        intro.setWordWrap(True)
        self.intro = intro
        self.current = self._password_field("Current password")
        self.new = self._password_field("New password")
        self.repeat = self._password_field("New password again")
        self.problem = ProblemLabel()
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        if self._stored:
            form.addRow("&Current password:", self.current)
        else:
            self.current.hide()
        form.addRow("&New password:", self.new)
        form.addRow("New password &again:", self.repeat)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.remove_button: QPushButton | None = None
        if self._stored:
            self.remove_button = self.buttons.addButton(
                "&Remove password", QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.remove_button.clicked.connect(self._on_remove_button_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Tall enough for the wrapped introduction at this width (a top-level window's minimum
        # height does not follow its text's wrapping: it was cut off at top and bottom).
        self.resize(460, max(self.heightForWidth(460), self.sizeHint().height()))

    @staticmethod
    def _password_field(name: str) -> QLineEdit:
        field = QLineEdit()
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setAccessibleName(name)
        return field

    def _current_is_right(self) -> bool:
        if not self._stored or verify_password(self.current.text(), self._stored):
            return True
        self.problem.say("The current password is not right.")
        self.current.clear()
        self.current.setFocus()
        return False

    def accept(self) -> None:
        """Store the new password's hash; on a problem say it and keep the dialog open."""
        if not self._current_is_right():
            return
        if self.new.text() != self.repeat.text():
            self.problem.say("The two new passwords are not the same.")
            self.repeat.setFocus()
            return
        try:
            stored = hash_password(self.new.text())
            self.settings.set(UNLOCK_PASSWORD_HASH, stored)
        except (SecretError, SettingsError) as exc:
            self.problem.say(str(exc))
            return
        super().accept()

    def _on_remove_button_clicked(self) -> None:
        if not self._current_is_right():
            return
        try:
            self.settings.set(UNLOCK_PASSWORD_HASH, "")
        except SettingsError as exc:
            self.problem.say(str(exc))
            return
        super().accept()
