"""Dialogs that add to the record: New client (with a date-of-birth input) and New visit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Slot
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from massage_chart.domain import limits
from massage_chart.domain.practice import ProviderInfo
from massage_chart.ui.formatting import (
    EARLIEST_BIRTH_YEAR,
    DateOfBirthEntry,
    age_on,
    format_date,
    parse_date_of_birth,
)
from massage_chart.ui.practice_document import ClientDetails, VisitDetails
from massage_chart.ui.style import error_text, heading, muted

# Something, an @, something, a dot, something: enough to catch a typo, not a full RFC 5322 check.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
FIELD_WIDTH = 260

_Details = TypeVar("_Details", ClientDetails, VisitDetails)


def email_problem(text: str) -> str:
    """Why an email address cannot be right, or "" (an empty address is allowed)."""
    address = text.strip()
    if not address or _EMAIL.match(address):
        return ""
    return (
        f"“{address}” is not an email address: it needs an @ and a dot after it, "
        "like name@example.com."
    )


def ask_to_discard(
    parent: QWidget,
    title: str,
    text: str,
    on_finished: Callable[[int], None],
    *,
    keep_text: str = "",
    icon: QMessageBox.Icon = QMessageBox.Icon.Question,
    delete_on_close: bool = False,
) -> QMessageBox:
    """Ask, without blocking, before typed text is thrown away: Discard, or keep it (the default).

    ``on_finished`` gets the button's value (compare with ``QMessageBox.StandardButton.Discard``).
    Boxes shown over a dialog that receives typed keys are not deleted on close by default:
    deleting them crashed PySide6 6.11 now and then; they stay as hidden children.
    """
    box = QMessageBox(
        icon,
        title,
        text,
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        parent,
    )
    if keep_text:
        box.button(QMessageBox.StandardButton.Cancel).setText(keep_text)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if delete_on_close:
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.finished.connect(on_finished)
    box.open()
    return box


class DateOfBirthInput(QWidget):
    """A typed date of birth, year first, with a calendar for the mouse; empty means unknown.

    What is typed is never changed or clamped: a date in the future or a typo stays in the field
    for the user to correct, and the hint beside it says what the text means.

    Args:
        today: the clock (a seam for tests).
    """

    def __init__(
        self, parent: QWidget | None = None, *, today: Callable[[], dt.date] = dt.date.today
    ) -> None:
        super().__init__(parent)
        self._today = today
        self.line_edit = QLineEdit()
        self.line_edit.setPlaceholderText("YYYY-MM-DD")
        self.line_edit.setAccessibleName("Date of birth")
        self.line_edit.setToolTip(
            "Year first, for example 1980-05-12. Leave empty if the date of birth is unknown."
        )
        self.line_edit.setMaxLength(20)

        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(False)
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.calendar.setMinimumDate(QDate(EARLIEST_BIRTH_YEAR, 1, 1))
        menu = QMenu(self)
        picker = QWidgetAction(menu)
        picker.setDefaultWidget(self.calendar)
        menu.addAction(picker)
        self._menu = menu
        self.calendar_button = QToolButton()
        self.calendar_button.setText("Calendar…")
        self.calendar_button.setToolTip("Pick the date of birth on a calendar")
        self.calendar_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.calendar_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")
        self.calendar_button.setMenu(menu)

        self.hint_label = QLabel()
        self.hint_label.setAccessibleName("What the date of birth means")
        # Room for the longest hint, so the form does not jump while typing.
        self.hint_label.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("30 Sep 2000, age 100") + 8
        )
        muted(self.hint_label)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.line_edit)
        layout.addWidget(self.calendar_button)
        layout.addWidget(self.hint_label, 1)
        # No focus proxy: with one, Tab from the Calendar button came back to the text field.

        self.line_edit.textChanged.connect(self._on_line_edit_text_changed)
        menu.aboutToShow.connect(self._on_menu_about_to_show)
        self.calendar.clicked.connect(self._on_calendar_clicked)
        self.calendar.activated.connect(self._on_calendar_clicked)
        self._on_line_edit_text_changed("")

    def text(self) -> str:
        """The text as typed."""
        return self.line_edit.text()

    def entry(self) -> DateOfBirthEntry:
        """What the text means: a date, unknown (empty), or an error for the user."""
        return parse_date_of_birth(self.line_edit.text(), self._today())

    @Slot(str)
    def _on_line_edit_text_changed(self, text: str) -> None:
        entry = self.entry()
        if not text.strip():
            self.hint_label.setText("Unknown")
        elif entry.date is not None:
            age = age_on(entry.date, self._today())
            self.hint_label.setText(f"{format_date(entry.date)}, age {age}")
        elif "future" in entry.error:
            self.hint_label.setText("In the future")
        else:
            self.hint_label.setText("Year first: 1980-05-12")

    @Slot()
    def _on_menu_about_to_show(self) -> None:
        today = self._today()
        self.calendar.setMaximumDate(QDate(today.year, today.month, today.day))
        shown = self.entry().date
        if shown is not None:
            self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))

    @Slot(QDate)
    def _on_calendar_clicked(self, date: QDate) -> None:
        self.line_edit.setText(f"{date.year():04d}-{date.month():02d}-{date.day():02d}")
        self._menu.close()
        self.line_edit.setFocus(Qt.FocusReason.PopupFocusReason)


class _FormDialog(QDialog):
    """A dialog with a title, a form, a line for problems, and OK/Cancel."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.title_label = QLabel(title)
        heading(self.title_label, 1.25)
        self.form = QFormLayout()
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(8)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.problem_label = QLabel()
        self.problem_label.setAccessibleName("Problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.hide()
        error_text(self.problem_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(self.title_label)
        layout.addLayout(self.form)
        layout.addWidget(self.problem_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def fix_minimum_size(self) -> None:
        """Pin the minimum size to what the finished form needs (call at the end of __init__).

        An explicit minimum keeps the layout from changing it while the dialog is on screen,
        which some platforms (the offscreen one, tiling window managers) cannot follow; the
        dialog grows by resizing instead (see ``show_problem``).
        """
        self.setMinimumSize(self.minimumSizeHint())

    def show_problem(self, message: str, field: QWidget) -> None:
        """Say what is wrong, keep the dialog open with everything typed, and go to the field."""
        self.problem_label.setText(message)
        self.problem_label.show()
        needed = self.sizeHint()
        if needed.height() > self.height() or needed.width() > self.width():
            self.resize(max(needed.width(), self.width()), max(needed.height(), self.height()))
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_problem(self) -> None:
        """Hide the problem line."""
        self.problem_label.clear()
        self.problem_label.hide()

    def finish(self, save: Callable[[_Details], str] | None, details: _Details) -> None:
        """Save, then close; if the save fails, say why and stay open with everything typed."""
        problem = save(details) if save is not None else ""
        if problem:
            self.show_problem(problem, self.ok_button)
            return
        self.clear_problem()
        QDialog.accept(self)


class NewClientDialog(_FormDialog):
    """Name, date of birth, phone and email of a new client; OK only when they make sense.

    Args:
        today: the clock (a seam for tests).
        find_same_person: describes a client already on record with the same name and date of
            birth ("Zoë Nguyễn, born 14 Mar 1986"), or returns None; such a match is pointed out
            once, and pressing OK again adds the client anyway.
        save: saves the client and returns "" or, when it could not, why; the dialog then
            stays open with everything typed.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        find_same_person: Callable[[ClientDetails], str | None] | None = None,
        save: Callable[[ClientDetails], str] | None = None,
    ) -> None:
        super().__init__("New client", "Add client", parent)
        self._save = save
        self._find_same_person = find_same_person
        self._confirmed_same_person: ClientDetails | None = None
        self.discard_box: QMessageBox | None = None
        self._discard_confirmed = False
        self.first_name_edit = QLineEdit()
        self.first_name_edit.setMaxLength(limits.CLIENT["first_name"].most)
        self.last_name_edit = QLineEdit()
        self.last_name_edit.setMaxLength(limits.CLIENT["last_name"].most)
        self.date_of_birth_input = DateOfBirthInput(today=today)
        self.phone_edit = QLineEdit()
        self.phone_edit.setMaxLength(limits.CLIENT["phone"].most)
        self.phone_edit.setPlaceholderText("(555) 555-0123")
        self.email_edit = QLineEdit()
        self.email_edit.setMaxLength(limits.CLIENT["email"].most)
        self.email_edit.setPlaceholderText("name@example.com")
        for edit in (self.first_name_edit, self.last_name_edit, self.phone_edit, self.email_edit):
            edit.setMinimumWidth(FIELD_WIDTH)
        self.date_of_birth_input.line_edit.setFixedWidth(
            self.fontMetrics().horizontalAdvance("0000-00-00") + 24
        )
        self.form.addRow("&First name:", self.first_name_edit)
        self.form.addRow("&Last name:", self.last_name_edit)
        self.form.addRow("Date of &birth:", self.date_of_birth_input)
        born_label = self.form.labelForField(self.date_of_birth_input)
        if isinstance(born_label, QLabel):
            born_label.setBuddy(self.date_of_birth_input.line_edit)  # Alt+B types the date
        self.form.addRow("&Phone:", self.phone_edit)
        self.form.addRow("&Email:", self.email_edit)
        self.first_name_edit.setFocus()
        self.fix_minimum_size()

    def details(self) -> ClientDetails:
        """What was typed, as a new client (call after the dialog was accepted)."""
        return ClientDetails(
            first_name=" ".join(self.first_name_edit.text().split()),
            last_name=" ".join(self.last_name_edit.text().split()),
            date_of_birth=self.date_of_birth_input.entry().date,
            phone=self.phone_edit.text().strip(),
            email=self.email_edit.text().strip(),
        )

    def has_text(self) -> bool:
        """Whether anything is typed that closing would throw away."""
        fields = (
            self.first_name_edit,
            self.last_name_edit,
            self.phone_edit,
            self.email_edit,
            self.date_of_birth_input.line_edit,
        )
        return any(field.text().strip() for field in fields)

    def reject(self) -> None:
        """Cancel, Escape or the close button: typed details are never dropped without asking."""
        if not self.has_text() or self._discard_confirmed:
            super().reject()
            return
        if self.discard_box is not None and self.discard_box.isVisible():
            return
        self.discard_box = ask_to_discard(
            self,
            "Discard the new client?",
            "The new client's details are not saved. Discard them?",
            self._on_discard_box_finished,
            keep_text="Keep editing",
        )

    @Slot(int)
    def _on_discard_box_finished(self, result: int) -> None:
        if result == QMessageBox.StandardButton.Discard.value:
            self._discard_confirmed = True
            QTimer.singleShot(0, self, self.reject)

    def accept(self) -> None:
        """Close only when the entries can be saved; otherwise say why and keep the text."""
        if not self.first_name_edit.text().strip() and not self.last_name_edit.text().strip():
            self.show_problem("Type the client's name.", self.first_name_edit)
            return
        born = self.date_of_birth_input.entry()
        if not born.is_valid:
            self.show_problem(born.error, self.date_of_birth_input.line_edit)
            return
        problem = email_problem(self.email_edit.text())
        if problem:
            self.show_problem(problem, self.email_edit)
            return
        details = self.details()
        if self._find_same_person is not None and details != self._confirmed_same_person:
            existing = self._find_same_person(details)
            if existing:
                self._confirmed_same_person = details
                self.show_problem(
                    f"{existing} is already on record. Check that this is someone else, then "
                    "press Add client again to add them.",
                    self.ok_button,
                )
                return
        self.finish(self._save, details)


def _qdatetime(value: dt.datetime) -> QDateTime:
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute))


def round_to_minute(value: dt.datetime) -> dt.datetime:
    """Drop seconds and microseconds (visit times are charted to the minute)."""
    return value.replace(second=0, microsecond=0)


class NewVisitDialog(_FormDialog):
    """Who treats and when: opens a draft visit for one client.

    Args:
        client_id: the client the visit is for.
        client_name: shown in the title.
        providers: the active therapists (the first is chosen unless ``provider_id`` is given).
        start: the proposed time in (now, to the minute).
        provider_id: the therapist to propose, e.g. the one of the client's last visit.
        save: opens the visit and returns "" or, when it could not, why.
    """

    def __init__(
        self,
        client_id: str,
        client_name: str,
        providers: Sequence[ProviderInfo],
        start: dt.datetime,
        parent: QWidget | None = None,
        *,
        provider_id: str | None = None,
        save: Callable[[VisitDetails], str] | None = None,
    ) -> None:
        super().__init__(f"New visit for {client_name}", "Start visit", parent)
        self._client_id = client_id
        self._save = save
        self.provider_combo = QComboBox()
        self.provider_combo.setMinimumWidth(FIELD_WIDTH)
        for provider in providers:
            self.provider_combo.addItem(provider.display_name, provider.id)
        if not providers:
            self.provider_combo.addItem("No therapist on record", None)
        if provider_id is not None:
            found = self.provider_combo.findData(provider_id)
            if found >= 0:
                self.provider_combo.setCurrentIndex(found)
        self.start_edit = QDateTimeEdit(_qdatetime(round_to_minute(start)))
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("d MMM yyyy  HH:mm")
        self.start_edit.setMinimumWidth(FIELD_WIDTH)
        self.form.addRow("&Therapist:", self.provider_combo)
        self.form.addRow("&Time in:", self.start_edit)
        self.provider_combo.setFocus()
        self.fix_minimum_size()

    def details(self) -> VisitDetails:
        """The visit to open."""
        chosen = self.start_edit.dateTime()
        day, time = chosen.date(), chosen.time()
        provider_id = self.provider_combo.currentData()
        return VisitDetails(
            client_id=self._client_id,
            provider_id=str(provider_id) if provider_id else None,
            start=dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute()),
        )

    def accept(self) -> None:
        """Open the visit; stay open and say why if it cannot be saved."""
        self.finish(self._save, self.details())
