"""The dialogs on their own: the date-of-birth input, New visit without therapists, the note view."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.overviews import VisitNote
from massage_chart.ui.dialogs import (
    DateOfBirthInput,
    NewClientDialog,
    NewVisitDialog,
    email_problem,
)
from massage_chart.ui.visit_note import VisitNoteDialog

TODAY = dt.date(2026, 11, 23)


def test_the_hint_beside_the_date_of_birth_says_what_was_understood(qtbot: QtBot) -> None:
    field = DateOfBirthInput(today=lambda: TODAY)
    qtbot.addWidget(field)
    assert field.hint_label.text() == "Unknown"

    qtbot.keyClicks(field.line_edit, "1986-03-14")
    assert field.hint_label.text() == "14 Mar 1986, age 40"

    field.line_edit.clear()
    qtbot.keyClicks(field.line_edit, "2031-01-01")
    assert field.hint_label.text() == "In the future"


def test_picking_a_day_on_the_calendar_types_it_year_first(qtbot: QtBot) -> None:
    field = DateOfBirthInput(today=lambda: TODAY)
    qtbot.addWidget(field)

    field.calendar.clicked.emit(QDate(1979, 11, 2))

    assert field.text() == "1979-11-02"
    assert field.entry().date == dt.date(1979, 11, 2)


def test_an_unknown_date_of_birth_is_saved_as_none(qtbot: QtBot) -> None:
    dialog = NewClientDialog(today=lambda: TODAY)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.first_name_edit, "  Ana  ")
    qtbot.keyClicks(dialog.last_name_edit, "de   Souza")

    dialog.accept()

    assert dialog.result() == NewClientDialog.DialogCode.Accepted
    details = dialog.details()
    assert (details.first_name, details.last_name) == ("Ana", "de Souza")
    assert details.date_of_birth is None


def test_tab_walks_the_new_client_form_past_the_calendar(qtbot: QtBot) -> None:
    dialog = NewClientDialog(today=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.first_name_edit.setFocus()
    qtbot.waitUntil(dialog.first_name_edit.hasFocus)
    visited = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited == [
        dialog.last_name_edit,
        dialog.date_of_birth_input.line_edit,
        dialog.date_of_birth_input.calendar_button,
        dialog.phone_edit,
        dialog.email_edit,
    ]
    qtbot.keyClick(dialog.email_edit, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.date_of_birth_input.line_edit


def test_a_client_needs_a_name(qtbot: QtBot) -> None:
    dialog = NewClientDialog(today=lambda: TODAY)
    qtbot.addWidget(dialog)

    dialog.accept()

    assert dialog.result() != NewClientDialog.DialogCode.Accepted
    assert dialog.problem_label.text() == "Type the client's name."


def test_email_addresses_need_an_at_and_a_dot_after_it() -> None:
    assert email_problem("") == ""
    assert email_problem("zoe@example.com") == ""
    assert "needs an @ and a dot after it" in email_problem("zoe.example.com")
    assert "needs an @ and a dot after it" in email_problem("zoe@example")
    assert "needs an @ and a dot after it" in email_problem("zoe@example.")


def test_a_visit_can_be_started_before_any_therapist_is_on_record(qtbot: QtBot) -> None:
    dialog = NewVisitDialog("client-1", "Zoë Nguyễn", [], dt.datetime(2026, 11, 23, 10, 17, 59))
    qtbot.addWidget(dialog)

    details = dialog.details()

    assert dialog.provider_combo.currentText() == "No therapist on record"
    assert details.provider_id is None
    assert details.start == dt.datetime(2026, 11, 23, 10, 17)


def test_the_note_view_shows_typed_text_literally(qtbot: QtBot) -> None:
    note = VisitNote(
        id="v-1",
        client_id="c-1",
        client_name="Zoë Nguyễn",
        start=dt.datetime(2026, 11, 20, 10, 0),
        end=None,
        provider_name="Sam Lee, LMT",
        status=VisitStatus.DRAFT,
        signed_at=None,
        signed_by="",
        chief_complaint="Pain <8/10> & stiffness",
        health_update="",
        subjective="Line one\nLine two",
        objective="",
        assessment="",
        plan="",
        pain_before=8,
        pain_after=None,
        techniques=("Swedish massage",),
        positioning="",
        icd10_codes=("M54.2",),
        mark_count=1,
        addenda=(),
    )
    dialog = VisitNoteDialog(note)
    qtbot.addWidget(dialog)

    text = dialog.browser.toPlainText()
    assert "Pain <8/10> & stiffness" in text
    assert "Line one\nLine two" in text
    assert "Draft, not signed" in text
    assert "Nothing written." in text
    assert dialog.windowTitle() == "Visit note: Zoë Nguyễn — 20 Nov 2026, 10:00"
