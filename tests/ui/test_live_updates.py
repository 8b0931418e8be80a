"""Changes made elsewhere (another window, program or laptop on the same records) reach an open
window within a poll: new clients in the list, a note signed there turns read-only here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.client_records import sign_and_record, update_visit_note
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import AuditEvent
from massage_chart.storage.repositories import add_client, get_visit
from massage_chart.ui.main_window import MainWindow
from tests.helpers.notes import complete_the_note
from tests.storage.test_clinic import Clinic, clinic_db  # noqa: F401  (the fixture)
from tests.ui.conftest import SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def _elsewhere(db: Database) -> Database:
    """The same records opened by another program (another laptop on a server)."""
    return open_database(db.url)


def _sign_elsewhere(db: Database, visit_id: str) -> None:
    """Another program completes the note and signs it as the visit's therapist."""
    other = _elsewhere(db)
    try:
        with other.write() as session:
            complete_the_note(session, visit_id)
            provider = get_visit(session, visit_id).provider_id
            sign_and_record(
                session, visit_id, provider, dt.datetime(2026, 10, 8, 16, tzinfo=dt.UTC)
            )
    finally:
        other.dispose()


def _names(window: MainWindow) -> list[str]:
    model = window.client_panel.model
    return [
        client.list_name
        for row in range(model.rowCount())
        if (client := model.client_at(row)) is not None
    ]


def test_a_client_added_elsewhere_appears_in_the_list(
    qtbot: QtBot, window: MainWindow, db: Database, practice: SmallPractice
) -> None:
    other = _elsewhere(db)
    try:
        with other.write() as session:
            add_client(session, first_name="Noor", last_name="Haddad")
    finally:
        other.dispose()
    assert "Haddad, Noor" not in _names(window)
    qtbot.waitUntil(lambda: "Haddad, Noor" in _names(window), timeout=5_000)  # the 2 s poll


def test_a_note_signed_elsewhere_turns_the_open_chart_read_only(
    qtbot: QtBot, window: MainWindow, db: Database, practice: SmallPractice
) -> None:
    visit_id = practice.zoe_second_visit_id
    chart = window.open_chart(visit_id)
    messages: list[str] = []
    chart.document.problem_reported.connect(messages.append)
    assert not chart.document.read_only
    _sign_elsewhere(db, visit_id)
    window.live_updates.poll()
    assert chart.document.read_only
    assert any("signed this note elsewhere" in m for m in messages)


def test_a_mark_added_elsewhere_shows_on_the_open_chart_and_own_changes_are_left_alone(
    qtbot: QtBot, window: MainWindow, db: Database, practice: SmallPractice, tmp_path: Path
) -> None:
    visit_id = practice.zoe_second_visit_id
    chart = window.open_chart(visit_id)
    before = set(chart.document.marks)
    region = load_atlas().region("posterior", "lower_trapezius.r")
    mark = store.place_mark(
        load_atlas(), visit_id, MarkKind.TENDER_POINT, "posterior", [region.inner_point]
    )
    other = _elsewhere(db)
    try:
        with other.write() as session:
            store.add_mark(session, mark)
    finally:
        other.dispose()
    reads: list[str] = []
    chart.document.mark_added.connect(reads.append)
    window.live_updates.poll()
    assert set(chart.document.marks) - before == {mark.id}
    assert reads == [mark.id]
    window.live_updates.poll()  # nothing new: nothing read again
    assert reads == [mark.id]


def test_a_note_saved_elsewhere_shows_in_the_fields_not_being_typed_here(
    qtbot: QtBot, window: MainWindow, db: Database, practice: SmallPractice
) -> None:
    visit_id = practice.zoe_second_visit_id
    editor = window.open_note_editor(visit_id)
    assert editor is not None
    editor.plan.setPlainText("Typed here, not saved yet")  # being changed on this computer
    other = _elsewhere(db)
    try:
        with other.write() as session:
            update_visit_note(
                session, visit_id, objective="Ropy band R upper trapezius.", plan="Theirs."
            )
    finally:
        other.dispose()
    window.live_updates.poll()
    assert editor.objective.toPlainText() == "Ropy band R upper trapezius."
    assert editor.plan.toPlainText() == "Typed here, not saved yet"
    assert editor.save_state_label.text() == "Updated from elsewhere"
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.visit_id == visit_id, AuditEvent.action == "change"
            )
        ).all()
    assert "note: Objective, Plan notes" in events  # who changed which part, in the log
    editor.window().close()


def test_a_note_signed_elsewhere_turns_the_open_note_read_only_and_keeps_what_was_typed(
    qtbot: QtBot, window: MainWindow, db: Database, practice: SmallPractice
) -> None:
    visit_id = practice.zoe_second_visit_id
    editor = window.open_note_editor(visit_id)
    assert editor is not None and not editor.is_signed()
    editor.sections.setCurrentIndex(3)
    editor.plan.setFocus()
    type_text(editor.plan, "Ice after")  # typed here, not saved yet
    _sign_elsewhere(db, visit_id)
    window.live_updates.poll()
    assert editor.is_signed() and editor.plan.isReadOnly()
    assert editor.draft_bar.isVisible(), "what was typed is offered back"
    assert "signed since" in editor.draft_label.text()
    assert editor.restore_draft_button.text() == "Add as &addendum…"
    assert editor.pending_draft is not None
    editor.window().close()


@pytest.mark.postgres
def test_on_the_server_a_change_elsewhere_arrives_at_once_not_at_the_next_read(
    qtbot: QtBot,
) -> None:
    """The two-second read is set to ten minutes: only the server's announcement can bring the
    change; a dropped listening connection is opened again at the next read."""
    from massage_chart.ui.live_updates import LiveUpdates
    from tests.helpers.postgres import fresh_postgres_url

    with fresh_postgres_url() as url:
        database = open_database(url)
        other = open_database(url)
        live = LiveUpdates(database)
        live.timer.setInterval(600_000)
        try:
            live.start()
            assert live.listening
            with (
                qtbot.waitSignal(live.changed, timeout=10_000) as blocker,
                other.write() as session,
            ):
                client_id = add_client(session, first_name="Ana", last_name="Silva").id
            assert client_id in blocker.args[0].clients
            with other.engine.begin() as connection:
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
                )
            qtbot.waitUntil(lambda: not live.listening, timeout=10_000)
            live.poll()
            assert live.listening
        finally:
            live.stop()
            database.dispose()
            other.dispose()


@pytest.mark.postgres
def test_two_people_signed_in_to_one_clinic_see_each_other_s_work(
    qtbot: QtBot,
    clinic_db: Clinic,  # noqa: F811
) -> None:
    """Two windows, each signed in as a therapist of one clinic's server: a client the front
    desk adds and a note one therapist signs reach the other's window by the server's
    announcement (the two-second read is set to ten minutes), and the log names who did it."""
    from massage_chart.storage import clinic
    from massage_chart.storage.client_records import sign_and_record as sign

    c = clinic_db
    sam = clinic.sign_in(c.url, "sam", "pw-sam", practice=c.practice)
    lee = clinic.sign_in(c.url, "lee", "pw-lee", practice=c.practice)
    fran = clinic.sign_in(c.url, "fran", "pw-fran", practice=c.practice)
    windows = []
    try:
        for person in (sam, lee):
            window = MainWindow(person.database)
            qtbot.addWidget(window)
            window.live_updates.timer.setInterval(600_000)
            window.show()
            windows.append(window)
        assert all(w.live_updates.listening for w in windows)
        with fran.database.write() as session:
            add_client(session, first_name="Noor", last_name="Haddad")
        for window in windows:
            qtbot.waitUntil(lambda w=window: "Haddad, Noor" in _names(w), timeout=10_000)
        with sam.database.write() as session:
            complete_the_note(session, c.sam_visit)
            sign(session, c.sam_visit, c.sam_provider, dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC))
        changes: list[object] = []
        windows[1].live_updates.changed.connect(changes.append)
        qtbot.waitUntil(lambda: bool(changes), timeout=10_000)
        with lee.database.read() as session:
            actors = list(
                session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "sign"))
            )
        assert actors == ["sam"]
    finally:
        for window in windows:
            window.close()
        for person in (sam, lee, fran):
            person.database.dispose()
