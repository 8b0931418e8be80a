"""Hostile input pasted into the record window and the New client dialog, on a real database.

Whatever is pasted, the field either keeps what the database can hold (and the save stores it
and reads it back identical) or the save is refused with a message under the field, with every
table unchanged.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from massage_chart.domain import limits
from massage_chart.storage.database import Database
from massage_chart.storage.models import Claim, Client
from massage_chart.storage.repositories import get_client, search_clients
from massage_chart.ui.dialogs import NewClientDialog
from massage_chart.ui.formatting import parse_date_of_birth
from massage_chart.ui.practice_document import WRITE_ERRORS, ClientDetails, describe_error
from massage_chart.ui.record.fields import parse_date
from massage_chart.ui.record.record_dialog import ClientRecordDialog, RecordTab
from tests.helpers.dump import dump
from tests.ui.conftest import TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

SQL_INJECTION = "'); DROP TABLE clients;--"
KEPT = [
    "فاطمة الزهراء",
    "שרה כהן",
    "王小明",
    "🧘‍♀️💆🏽",
    SQL_INJECTION,
    "100%_d\\one",
    'O\'Brien "Bob"',
]


@pytest.fixture
def dialog(qtbot: QtBot, db: Database, practice: SmallPractice) -> ClientRecordDialog:
    record = ClientRecordDialog(db, practice.zoe_id, today=lambda: TODAY)
    qtbot.addWidget(record)
    record.show()
    qtbot.waitExposed(record)
    return record


def _paste(widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    """Replace the field's text by a paste from the clipboard, as the user would."""
    QApplication.clipboard().setText(text)
    widget.setFocus()
    widget.selectAll()
    widget.paste()


def _text(widget: QLineEdit | QPlainTextEdit) -> str:
    return widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()


def _stored(db: Database, client_id: str, field: str) -> object:
    with db.read() as session:
        return getattr(get_client(session, client_id), field)


TEXT_FIELDS = sorted(limits.CLIENT)
FREE_TEXT_FIELDS = [name for name in TEXT_FIELDS if name != "email"]  # email has its own check


def test_an_email_field_refuses_what_is_not_an_address_and_changes_nothing(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database
) -> None:
    page = dialog.details_page
    before = dump(db)
    for value in [*KEPT, "N" * 100_000, "zo\x00e@example.com", "\x00"]:
        _paste(page.fields["email"], value)
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        problem = page.problems["email"].text()
        assert "is not an email address" in problem or "invisible NUL" in problem, value[:20]
        assert dump(db) == before
    _paste(page.fields["email"], "王@例え.jp")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.problem_label.text() == ""


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_rtl_cjk_emoji_and_sql_pasted_into_a_detail_field_are_stored_exactly(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice, field: str
) -> None:
    page = dialog.details_page
    widget = page.fields[field]
    for value in KEPT:
        _paste(widget, value)
        assert _text(widget) == value
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        assert page.problem_label.text() == "", page.problem_label.text()
        assert _stored(db, practice.zoe_id, field) == value
        assert _text(widget) == value
    with db.read() as session:
        assert len(search_clients(session, "")) == 6  # the clients table is still there


@pytest.mark.parametrize("field", FREE_TEXT_FIELDS)
def test_100000_characters_pasted_into_a_detail_field_are_capped_or_refused(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice, field: str
) -> None:
    page = dialog.details_page
    widget = page.fields[field]
    most = limits.CLIENT[field].most
    before = dump(db)
    _paste(widget, "N" * 100_000 + "x")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    if isinstance(widget, QLineEdit):
        # The line edit keeps what fits its column; that much is saved, exactly as shown.
        assert widget.text() == "N" * most
        assert _stored(db, practice.zoe_id, field) == "N" * most
    else:
        # A multi-line field shows the whole paste and says it is too long; nothing is saved.
        assert len(widget.toPlainText()) == 100_001
        assert page.problems[field].text() == (
            f"{limits.CLIENT[field].label} is too long and does not fit its field: "
            f"100,001 characters; the most is {most:,}."
        )
        assert page.problem_label.text() == "Not saved: fix the fields marked in red."
        assert dump(db) == before


@pytest.mark.parametrize("field", ["first_name", "phone", "address", "notes"])
@pytest.mark.parametrize("bad", ["Zo\x00ë", "\x00"])
def test_a_nul_pasted_into_a_field_is_refused_with_a_message_and_nothing_changes(
    qtbot: QtBot,
    dialog: ClientRecordDialog,
    db: Database,
    practice: SmallPractice,
    field: str,
    bad: str,
) -> None:
    page = dialog.details_page
    widget = page.fields[field]
    before = dump(db)
    _paste(widget, bad)
    if "\x00" not in _text(widget):
        pytest.skip("this Qt drops NUL from pasted text")  # then nothing reaches the database
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "invisible NUL character" in page.problems[field].text()
    assert dump(db) == before
    assert _text(widget) == bad  # what was typed is kept for the user to fix


def test_a_value_stored_before_the_limits_is_shown_whole_and_kept(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    """setText would cut it to the field's maxLength and the next save would store it cut."""
    legacy = (
        "Preferred" + " name" * 58
    )  # 299 characters, over the 200 limit, stored before it existed
    with db.write() as session:
        client = session.get(Client, practice.zoe_id)
        assert client is not None
        client.preferred_name = legacy
        claim = session.query(Claim).filter_by(client_id=practice.zoe_id).one()
        claim.claim_number = "C" * 120
    record = ClientRecordDialog(db, practice.zoe_id, today=lambda: TODAY)
    qtbot.addWidget(record)
    page = record.details_page
    preferred = page.fields["preferred_name"]
    assert isinstance(preferred, QLineEdit)
    assert preferred.text() == legacy
    _paste(page.fields["phone"], "555 0199")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.problem_label.text() == ""
    assert _stored(db, practice.zoe_id, "preferred_name") == legacy
    assert _stored(db, practice.zoe_id, "phone") == "555 0199"

    type_text(preferred, "!")  # the field is full: it can be shortened, not lengthened
    assert preferred.text() == legacy
    preferred.end(False)
    preferred.backspace()
    type_text(preferred, "!")  # changed: now it must fit
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert "Preferred name is too long" in page.problems["preferred_name"].text()
    assert _stored(db, practice.zoe_id, "preferred_name") == legacy

    record.tabs.setCurrentIndex(RecordTab.CLAIMS)
    assert record.claims_page.claim_number.text() == "C" * 120
    assert record.save_claim()  # unchanged, so kept whole
    with db.read() as session:
        assert session.query(Claim).filter_by(client_id=practice.zoe_id).one().claim_number == (
            "C" * 120
        )


def test_claim_fields_cap_a_paste_and_a_referral_refuses_long_instructions(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database, practice: SmallPractice
) -> None:
    dialog.tabs.setCurrentIndex(RecordTab.CLAIMS)
    claims = dialog.claims_page
    _paste(claims.claim_number, "9" * 100_000)
    assert claims.claim_number.text() == "9" * limits.IDENTIFIER
    _paste(claims.policy_number, SQL_INJECTION)
    assert dialog.save_claim()
    with db.read() as session:
        numbers = {
            c.claim_number: c.policy_number for c in get_client(session, practice.zoe_id).claims
        }
    assert numbers["9" * limits.IDENTIFIER] == SQL_INJECTION

    dialog.tabs.setCurrentIndex(RecordTab.REFERRALS)
    referrals = dialog.referrals_page
    referrals.new_button.click()
    _paste(referrals.prescriber, "Dr. 王")
    _paste(referrals.instructions, "i" * (limits.LONG_TEXT + 1))
    before = dump(db)
    assert not dialog.save_referral()
    assert "Instructions is too long" in referrals.problem_label.text()
    assert dump(db) == before


@pytest.mark.parametrize(
    ("field", "text", "words"),
    [
        ("date_of_birth", "2026-02-31", "is not a date"),
        ("date_of_birth", "0000-01-01", "is not a date"),
        ("date_of_birth", "9999-12-31", "in the future"),
        ("date_of_birth", "1850-01-01", "before 1900"),
        ("date_of_birth", "'); DROP TABLE clients;--", "is not a date"),
    ],
)
def test_impossible_dates_of_birth_are_refused_in_the_form(
    qtbot: QtBot,
    dialog: ClientRecordDialog,
    db: Database,
    field: str,
    text: str,
    words: str,
) -> None:
    page = dialog.details_page
    before = dump(db)
    _paste(page.fields[field], text)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert words in page.problems[field].text()
    assert dump(db) == before


def test_consent_expiring_before_it_was_signed_and_injury_in_the_future_are_refused(
    qtbot: QtBot, dialog: ClientRecordDialog, db: Database
) -> None:
    before = dump(db)
    dialog.tabs.setCurrentIndex(RecordTab.CONSENTS)
    consents = dialog.consents_page
    consents.new_button.click()
    _paste(consents.signed_on, "2026-06-01")
    _paste(consents.expires_on, "2026-05-31")
    assert not dialog.save_consent()
    assert "expires before it was signed" in consents.problems["expires_on"].text()
    dialog.tabs.setCurrentIndex(RecordTab.CLAIMS)
    claims = dialog.claims_page
    claims.new_button.click()
    _paste(claims.payer_name, "Allstate")
    _paste(claims.date_of_injury, "2027-01-01")
    assert not dialog.save_claim()
    assert "in the future" in claims.problems["date_of_injury"].text()
    _paste(claims.date_of_injury, "2026-02-30")
    assert not dialog.save_claim()
    assert "is not a date" in claims.problems["date_of_injury"].text()
    assert dump(db) == before


# --------------------------------------------------------------------------- New client dialog


def _new_client_dialog(qtbot: QtBot, db: Database) -> NewClientDialog:
    def save(details: ClientDetails) -> str:
        from massage_chart.storage.repositories import add_client

        try:
            with db.write() as session:
                add_client(
                    session,
                    first_name=details.first_name,
                    last_name=details.last_name,
                    date_of_birth=details.date_of_birth,
                    phone=details.phone,
                    email=details.email,
                )
        except WRITE_ERRORS as exc:
            return describe_error(exc)
        return ""

    dialog = NewClientDialog(today=lambda: TODAY, save=save)
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize("name", KEPT)
def test_a_new_client_named_in_any_script_or_as_sql_is_stored_exactly(
    qtbot: QtBot, db: Database, name: str
) -> None:
    dialog = _new_client_dialog(qtbot, db)
    type_text(dialog.first_name_edit, name)
    type_text(dialog.last_name_edit, "Test")
    _paste(dialog.phone_edit, "+1 (555) 0123 ext. 9")
    dialog.accept()
    assert dialog.result() == NewClientDialog.DialogCode.Accepted, dialog.problem_label.text()
    expected = " ".join(name.split())
    with db.read() as session:
        [found] = search_clients(session, "test")
    assert found.list_name == f"Test, {expected}"


def test_a_pasted_100000_character_name_is_capped_and_a_nul_is_refused(
    qtbot: QtBot, db: Database
) -> None:
    dialog = _new_client_dialog(qtbot, db)
    _paste(dialog.first_name_edit, "N" * 100_000)
    _paste(dialog.last_name_edit, "Long")
    _paste(dialog.email_edit, "e" * 100_000)
    assert len(dialog.first_name_edit.text()) == limits.NAME
    assert len(dialog.email_edit.text()) == limits.EMAIL
    _paste(dialog.email_edit, "")
    dialog.accept()
    assert dialog.result() == NewClientDialog.DialogCode.Accepted, dialog.problem_label.text()

    dialog = _new_client_dialog(qtbot, db)
    _paste(dialog.first_name_edit, "Zo\x00ë")
    if "\x00" not in dialog.first_name_edit.text():
        return  # this Qt drops NUL from pasted text
    before = dump(db)
    dialog.accept()
    assert dialog.result() != NewClientDialog.DialogCode.Accepted
    assert "invisible NUL character" in dialog.problem_label.text()
    assert dump(db) == before


def test_the_client_search_field_caps_a_pasted_paragraph(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    from massage_chart.ui.client_list import ClientListPanel

    panel = ClientListPanel()
    qtbot.addWidget(panel)
    _paste(panel.search_field, "Zoë " * 50_000)
    assert len(panel.search_field.text()) == 200


# --------------------------------------------------------------------------- date parsers


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=30))
def test_typed_dates_are_read_or_refused_with_a_sentence(text: str) -> None:
    value, problem = parse_date(text)
    assert (value is None) or problem == ""
    if value is None and text.strip():
        assert problem.startswith("“") and "is not a date" in problem
    entry = parse_date_of_birth(text, TODAY)
    assert entry.date is None or (dt.date(1900, 1, 1) <= entry.date <= TODAY)
    assert entry.is_valid == (entry.error == "")


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_any_real_date_typed_year_first_reads_back_the_same(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == (day, "")
    assert parse_date(f"  {day.isoformat()}  ") == (day, "")
    entry = parse_date_of_birth(day.isoformat(), TODAY)
    if dt.date(1900, 1, 1) <= day <= TODAY:
        assert entry.date == day
    else:
        assert entry.date is None and entry.error
