"""The clinic sign-in: the person's user name and password, before any record is shown."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from massage_chart.ui.style import error_text


class SignInDialog(QDialog):
    """Asks a clinic's person for their user name and password.

    Ends ``Accepted`` (``user()`` and ``password()`` hold what was typed) or ``Rejected`` (quit).

    Args:
        server: what to call the clinic's database ("cedar on clinic-server").
        user: the user name to offer (the last one, or the one given on the command line).
        parent: the owner window, if any.

    Attributes:
        user_field: where the user name is typed.
        password_field: where the password is typed.
        problem: the red line that says why the last try failed.
        sign_in_button: "Sign in".
    """

    def __init__(self, server: str, user: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in — Massage Chart")
        intro = QLabel(
            f"This is the clinic's shared database <b>{_escape(server)}</b>. Sign in as "
            "yourself: what you chart and sign carries your name."
        )
        intro.setWordWrap(True)
        self.user_field = QLineEdit(user)
        self.user_field.setAccessibleName("User name")
        self.user_field.setMaxLength(24)
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_field.setAccessibleName("Password")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        error_text(self.problem)
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText("&Sign in")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        form = QFormLayout()
        form.addRow("&User name:", self.user_field)
        form.addRow("&Password:", self.password_field)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.user_field.textChanged.connect(self._on_text_changed)
        self.password_field.textChanged.connect(self._on_text_changed)
        self._on_text_changed()
        (self.password_field if user else self.user_field).setFocus()
        self.resize(440, self.sizeHint().height())

    def user(self) -> str:
        """The user name typed (spaces around it dropped)."""
        return self.user_field.text().strip()

    def password(self) -> str:
        """The password typed."""
        return self.password_field.text()

    def show_problem(self, message: str) -> None:
        """Say why the last try failed and clear the password for the next one."""
        self.problem.setText(message)
        self.problem.show()
        self.password_field.clear()
        self.password_field.setFocus()
        needed = self.sizeHint()
        if needed.height() > self.height():
            self.resize(self.width(), needed.height())

    def hold(self, seconds: int) -> None:
        """After repeated refusals, take no new try for ``seconds``."""
        if seconds <= 0:
            return
        for widget in (self.user_field, self.password_field, self.sign_in_button):
            widget.setEnabled(False)
        self.problem.setText(
            f"{self.problem.text()} After several refused tries, wait {seconds} s before the next."
        )
        QTimer.singleShot(seconds * 1000, self, self._on_hold_over)

    @Slot()
    def _on_hold_over(self) -> None:
        self.user_field.setEnabled(True)
        self.password_field.setEnabled(True)
        self._on_text_changed()
        self.password_field.setFocus()

    @Slot()
    def _on_text_changed(self) -> None:
        self.sign_in_button.setEnabled(
            bool(self.user()) and bool(self.password()) and self.password_field.isEnabled()
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
