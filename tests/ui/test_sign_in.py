"""The clinic sign-in at start: real dialogs, real keys typed, a real PostgreSQL clinic database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from massage_chart.storage import audit, clinic
from massage_chart.storage.client_records import sign_and_record
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Client, Provider, Visit
from massage_chart.ui import opening
from massage_chart.ui.sign_in_dialog import SignInDialog
from tests.helpers.notes import complete_the_note
from tests.helpers.postgres import admin_url, fresh_postgres_url
from tests.ui.conftest import type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

Step = Callable[[SignInDialog], None]


def _answer(steps: list[Step]) -> None:
    """Play ``steps`` one by one on the modal sign-in dialog each time it is shown."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignInDialog) and dialog.isVisible() and steps:
            steps.pop(0)(dialog)
            if steps:
                QTimer.singleShot(50, poll)
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def _sign_in_as(qtbot: QtBot, user: str, password: str, seen: list[str] | None = None) -> Step:
    def step(dialog: SignInDialog) -> None:
        if seen is not None:
            seen.append(dialog.problem.text())
        dialog.user_field.clear()
        type_text(dialog.user_field, user)
        type_text(dialog.password_field, password)
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)

    return step


def test_sign_in_needs_a_name_and_a_password(qtbot: QtBot) -> None:
    dialog = SignInDialog("cedar on clinic-server", "sam")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password_field.echoMode() is dialog.password_field.EchoMode.Password
    assert dialog.password_field.hasFocus() or not dialog.isActiveWindow()
    assert not dialog.sign_in_button.isEnabled()
    qtbot.keyClicks(dialog.password_field, "pw")
    assert dialog.sign_in_button.isEnabled()
    dialog.user_field.clear()
    assert not dialog.sign_in_button.isEnabled()
    dialog.show_problem("The server did not accept the user name 'sam' with that password.")
    assert dialog.problem.isVisible() and dialog.password_field.text() == ""


@dataclass
class ClinicDb:
    url: str
    sam_visit: str


@pytest.fixture
def clinic_db() -> Iterator[ClinicDb]:
    practice = ""
    try:
        with fresh_postgres_url() as url:
            practice = clinic.default_practice_key(url)
            clinic.init_clinic(url, practice, "olive", "pw-olive")
            database = open_database(url)
            try:
                with database.write() as session:
                    sam = Provider(first_name="Sam", last_name="Lee")
                    client = Client(first_name="Zoë", last_name="Nguyễn")
                    session.add_all([sam, client])
                    session.flush()
                    visit = Visit(
                        client_id=client.id, provider_id=sam.id, start=dt.datetime(2026, 12, 2, 9)
                    )
                    session.add(visit)
                    session.flush()
                    complete_the_note(session, visit.id)
                    ids = sam.id, visit.id
            finally:
                database.dispose()
            clinic.add_person(url, practice, "sam", "therapist", "pw-sam", provider_id=ids[0])
            yield ClinicDb(url, ids[1])
    finally:
        if practice:  # the roles outlive the database: dropped once it is gone
            clinic.drop_practice_roles(admin_url(), practice)


def _events(database: Database, action: audit.AuditAction) -> list[audit.AuditEvent]:
    with database.read() as session:
        return [e for e in audit.list_events(session, limit=1000) if e.action == action.value]


@pytest.mark.postgres
def test_a_clinic_database_asks_who_signs_in_and_the_log_names_them(
    qtbot: QtBot, clinic_db: ClinicDb
) -> None:
    seen: list[str] = []
    _answer([_sign_in_as(qtbot, "zed", "nope"), _sign_in_as(qtbot, "sam", "pw-sam", seen)])
    # Opened by its administrator's address, the clinic database still asks who is there.
    database = opening._open_at_start(clinic_db.url)
    assert database is not None
    try:
        assert "did not accept the user name 'zed'" in seen[0]
        assert database.actor == "sam"
        [refused] = _events(database, audit.AuditAction.FAILED_UNLOCK)
        assert refused.actor == "sam"
        assert "clinic sign-in: user name or password refused" in refused.detail
        with database.write() as session:
            sign_and_record(session, clinic_db.sam_visit, _provider_of(database), _noon())
        assert [e.actor for e in _events(database, audit.AuditAction.SIGN)] == ["sam"]
        # The lock screen takes the same password.
        assert database.check_sign_in_password("pw-sam")
        assert not database.check_sign_in_password("pw-olive")
    finally:
        database.dispose()


@pytest.mark.postgres
def test_quitting_at_the_sign_in_opens_nothing(qtbot: QtBot, clinic_db: ClinicDb) -> None:
    _answer([lambda dialog: dialog.reject()])
    assert opening._open_at_start(clinic_db.url, "sam") is None


@pytest.mark.postgres
def test_a_shared_database_that_is_not_a_clinic_s_opens_as_before(qtbot: QtBot) -> None:
    with fresh_postgres_url() as url:
        database = opening._open_at_start(url)
        assert database is not None
        try:
            assert database.actor is None
            assert not database.check_sign_in_password("")
        finally:
            database.dispose()


def _provider_of(database: Database) -> str:
    person = clinic.signed_in_person(database)
    assert person is not None and person.provider_id is not None
    return person.provider_id


def _noon() -> dt.datetime:
    return dt.datetime(2026, 12, 2, 12, tzinfo=dt.UTC)
