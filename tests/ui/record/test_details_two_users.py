"""Two people editing one client's details at once: a save writes only what its form changed."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from massage_chart.storage.client_records import update_client
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.repositories import add_client, get_client
from massage_chart.ui.record.record_dialog import ClientRecordDialog
from tests.ui.conftest import type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_saving_the_details_form_keeps_another_users_change_to_another_field(
    qtbot: QtBot, any_db: Database
) -> None:
    with any_db.write() as session:
        client_id = add_client(
            session, first_name="Zoë", last_name="Nguyễn", phone="555 000 0000"
        ).id
    front_desk = ClientRecordDialog(any_db, client_id, today=lambda: dt.date(2026, 12, 3))
    qtbot.addWidget(front_desk)
    front_desk.show()
    qtbot.waitExposed(front_desk)

    # Meanwhile, on another laptop: a second connection changes the phone number.
    other_laptop = open_database(any_db.url)
    try:
        with other_laptop.write() as session:
            update_client(session, client_id, phone="555 123 4567")
    finally:
        other_laptop.dispose()

    email = front_desk.details_page.fields["email"]
    assert isinstance(email, QLineEdit)
    type_text(email, "zoe@example.org")
    assert front_desk.save_details()

    with any_db.read() as session:
        client = get_client(session, client_id)
        assert client.email == "zoe@example.org"
        assert client.phone == "555 123 4567"
