"""People, for a clinic's owner: who signs in, in which group, as which provider; add a person,
move them to another group, give a new password, disable a sign-in.

Each action takes effect at once, on the server, through the practice's own functions there
(``storage.clinic``): the server refuses anyone but an owner, whichever program asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from massage_chart.storage.clinic import (
    GROUPS,
    ClinicError,
    Person,
    add_person,
    disable_person,
    list_people,
    reset_password,
    set_group,
    signed_in_person,
)
from massage_chart.storage.database import Database
from massage_chart.storage.practice import list_provider_details
from massage_chart.ui.practice_document import READ_ERRORS, WRITE_ERRORS, describe_error
from massage_chart.ui.style import error_text, heading, muted
from massage_chart.ui.tables import fill_table, table_rows

GROUP_WORDS = {
    "owner": "Owner",
    "therapist": "Therapist",
    "front_desk": "Front desk",
    "student": "Student",
}
"""Each group as the window names it."""


@dataclass(frozen=True)
class NewPerson:
    """What the Add form asks for."""

    username: str
    group: str
    provider_id: str | None
    password: str


class PasswordFields(QWidget):
    """A password typed twice, hidden."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = QLineEdit()
        self.second = QLineEdit()
        for edit, name in ((self.first, "Password"), (self.second, "Password again")):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setAccessibleName(name)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Password:", self.first)
        layout.addRow("Again:", self.second)

    def problem(self) -> str:
        """Why the password cannot be used, or ""."""
        if not self.first.text():
            return "Type a password."
        if self.first.text() != self.second.text():
            return "The two passwords are not the same."
        return ""


class PersonForm(QDialog):
    """Add a person: user name, group, the provider they chart as, a first password."""

    def __init__(self, providers: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a person")
        self.username = QLineEdit()
        self.username.setPlaceholderText("lower-case, e.g. sam or lee_r")
        self.group = QComboBox()
        for code in GROUPS:
            self.group.addItem(GROUP_WORDS[code], code)
        self.group.setCurrentIndex(self.group.findData("therapist"))
        self.provider = QComboBox()
        self.provider.addItem("— none (front desk, owner who does not treat) —", None)
        for ident, name in providers:
            self.provider.addItem(name, ident)
        self.password = PasswordFields()
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        error_text(self.problem_label)
        self.problem_label.hide()
        form = QFormLayout()
        form.addRow("User name:", self.username)
        form.addRow("Group:", self.group)
        form.addRow("Charts as:", self.provider)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.password)
        layout.addWidget(self.problem_label)
        layout.addWidget(buttons)

    def person(self) -> NewPerson:
        """The person as filled in."""
        return NewPerson(
            self.username.text().strip(),
            str(self.group.currentData()),
            self.provider.currentData(),
            self.password.first.text(),
        )

    @Slot()
    def _on_ok(self) -> None:
        problem = self.password.problem()
        if not self.username.text().strip():
            problem = "Type the user name they will sign in with."
        if problem:
            self.problem_label.setText(problem)
            self.problem_label.show()
            return
        self.accept()


def ask_new_person(parent: QWidget, providers: Sequence[tuple[str, str]]) -> NewPerson | None:
    """The Add form; None when cancelled."""
    form = PersonForm(providers, parent)
    return form.person() if form.exec() == QDialog.DialogCode.Accepted else None


def ask_group(parent: QWidget, person: Person) -> str | None:
    """A new group for a person; None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"Group of {person.username}")
    box = QComboBox()
    for code in GROUPS:
        box.addItem(GROUP_WORDS[code], code)
    box.setCurrentIndex(box.findData(person.group))
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel(f"Move {person.username} to:"))
    layout.addWidget(box)
    layout.addWidget(buttons)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return str(box.currentData())


def ask_password(parent: QWidget, person: Person) -> str | None:
    """A new password for a person, typed twice; None when cancelled."""
    dialog = QDialog(parent)
    dialog.setWindowTitle(f"New password for {person.username}")
    fields = PasswordFields()
    problem = QLabel()
    error_text(problem)
    problem.hide()
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )

    def check() -> None:
        said = fields.problem()
        if said:
            problem.setText(said)
            problem.show()
        else:
            dialog.accept()

    buttons.accepted.connect(check)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(fields)
    layout.addWidget(problem)
    layout.addWidget(buttons)
    return fields.first.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


def confirm_disable(parent: QWidget, person: Person) -> bool:
    """Ask before a sign-in is disabled."""
    answer = QMessageBox.question(
        parent,
        "Disable a sign-in",
        f"Disable {person.username}'s sign-in? They can no longer sign in; their notes and "
        "their name in the audit log stay.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class PeopleDialog(QDialog):
    """The clinic's people, for its owner.

    Args:
        database: the clinic database, signed in to as an owner.
        ask_person, ask_new_group, ask_new_password, confirm: the questions (tests answer them).
    """

    COLUMNS = ("User name", "Group", "Charts as", "Can sign in")

    def __init__(
        self,
        database: Database,
        parent: QWidget | None = None,
        *,
        ask_person: Callable[[QWidget, Sequence[tuple[str, str]]], NewPerson | None] = (
            ask_new_person
        ),
        ask_new_group: Callable[[QWidget, Person], str | None] = ask_group,
        ask_new_password: Callable[[QWidget, Person], str | None] = ask_password,
        confirm: Callable[[QWidget, Person], bool] = confirm_disable,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self._ask_person = ask_person
        self._ask_group = ask_new_group
        self._ask_password = ask_new_password
        self._confirm = confirm
        self.practice = ""
        self.people: list[Person] = []
        self.providers: list[tuple[str, str]] = []
        self.setWindowTitle("People")
        title = QLabel("People who sign in to this clinic")
        heading(title, 1.2)
        about = QLabel(
            "Changes take effect at once, on the clinic's server; each is in the audit log under "
            "your name. The server lets only an owner make them."
        )
        about.setWordWrap(True)
        muted(about)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.setAccessibleName("People")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton("&Add a person…")
        self.group_button = QPushButton("Change &group…")
        self.password_button = QPushButton("New &password…")
        self.disable_button = QPushButton("&Disable sign-in")
        self.add_button.clicked.connect(self.add)
        self.group_button.clicked.connect(self.change_group)
        self.password_button.clicked.connect(self.new_password)
        self.disable_button.clicked.connect(self.disable)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        actions = QHBoxLayout()
        for button in (self.add_button, self.group_button, self.password_button,
                       self.disable_button):  # fmt: skip
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(about)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.resize(720, 440)
        self.reload()

    def reload(self) -> bool:
        """Read who signs in, and the providers they may chart as."""
        try:
            me = signed_in_person(self.database)
            if me is None:
                self._say("People are managed by a clinic's owner, signed in to its server.")
                self._update_buttons()
                return False
            self.practice = me.practice
            self.people = list_people(self.database, self.practice)
            with self.database.read() as session:
                details = list_provider_details(session, include_inactive=False)
        except (
            READ_ERRORS
        ) as exc:  # a ClinicError is a StorageError: its words are said as they are
            self._say(describe_error(exc), problem=True)
            return False
        self.providers = [(d.id, d.display_name) for d in details]
        names = dict(self.providers)
        fill_table(
            self.table,
            (
                (
                    person.username,
                    GROUP_WORDS.get(person.group, person.group),
                    names.get(person.provider_id or "", "—"),
                    "yes" if person.active else "no (disabled)",
                )
                for person in self.people
            ),
        )
        self._update_buttons()
        return True

    def rows(self) -> list[list[str]]:
        """The table as text."""
        return table_rows(self.table)

    def select(self, username: str) -> None:
        """Choose a person's row."""
        for row, person in enumerate(self.people):
            if person.username == username:
                self.table.selectRow(row)

    def chosen(self) -> Person | None:
        """The person whose row is chosen."""
        rows = self.table.selectionModel().selectedRows()
        return self.people[rows[0].row()] if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        person = self.chosen()
        self.add_button.setEnabled(bool(self.practice))
        for button in (self.group_button, self.password_button):
            button.setEnabled(person is not None)
        self.disable_button.setEnabled(person is not None and person.active)

    def _say(self, text: str, *, problem: bool = False) -> None:
        self.status.setText(text)
        if problem:
            error_text(self.status)
        else:
            self.status.setStyleSheet("")

    def _run(self, action: Callable[[], object], done: str) -> bool:
        try:
            action()
        except ClinicError as exc:
            self._say(f"{exc} Nothing was changed.", problem=True)
            return False
        except WRITE_ERRORS as exc:
            self._say(describe_error(exc), problem=True)
            return False
        self.reload()
        self._say(done)
        return True

    @Slot()
    def add(self) -> bool:
        """Ask for a new person and give them a sign-in."""
        new = self._ask_person(self, self.providers)
        if new is None:
            return False
        return self._run(
            lambda: add_person(
                self.database, self.practice, new.username, new.group, new.password,
                provider_id=new.provider_id,
            ),
            f"{new.username} can now sign in as {GROUP_WORDS[new.group].lower()}.",
        )  # fmt: skip

    @Slot()
    def change_group(self) -> bool:
        """Move the chosen person to another group."""
        person = self.chosen()
        group = self._ask_group(self, person) if person else None
        if person is None or group is None or group == person.group:
            return False
        return self._run(
            lambda: set_group(self.database, self.practice, person.username, group),
            f"{person.username} is now {GROUP_WORDS[group].lower()}.",
        )

    @Slot()
    def new_password(self) -> bool:
        """Give the chosen person a new password."""
        person = self.chosen()
        password = self._ask_password(self, person) if person else None
        if person is None or password is None:
            return False
        return self._run(
            lambda: reset_password(self.database, self.practice, person.username, password),
            f"{person.username} has a new password; tell them in person.",
        )

    @Slot()
    def disable(self) -> bool:
        """Disable the chosen person's sign-in, after asking."""
        person = self.chosen()
        if person is None or not self._confirm(self, person):
            return False
        return self._run(
            lambda: disable_person(self.database, self.practice, person.username),
            f"{person.username} can no longer sign in; their notes keep their name.",
        )
