"""A small practice for the window tests: two therapists, clients in six scripts, a few visits."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from massage_chart.domain.record_kinds import PayerType
from massage_chart.storage.database import Database
from massage_chart.storage.models import Claim, Practice, Provider, Referral
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.main_window import MainWindow

TODAY = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 10, 17, 42, 123456)


def type_text(widget: QWidget, text: str) -> None:
    """Type any Unicode text as key events (QTest's keyClicks types Latin-1 keys only).

    Each character is sent as the press and release that an input method delivers for a key it
    has no key code for: key 0 carrying the character as its text.
    """
    for character in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, character)
            QApplication.sendEvent(widget, event)


@pytest.fixture(autouse=True)
def no_window_left_showing() -> Iterator[None]:
    """A window a test leaves showing is hidden after it: a note editor whose database was
    deleted under it refuses to close (it keeps the note), and a later test that counts the
    app's windows (the lock hides every other window) must not find it."""
    yield
    for widget in QApplication.topLevelWidgets():
        if widget.isVisible():
            widget.hide()


#: The window's worker threads (``ui.threads.start_worker`` names): each pauses the collector
#: while it runs.
WINDOW_WORKERS = frozenset(
    {"maintenance", "backup-actions", "seal-keys", "icd10-preload", "icd10-search-index"}
)


@pytest.fixture(autouse=True)
def window_workers_ended() -> Iterator[None]:
    """A test ends once the workers its windows started have ended: a daily backup still running
    keeps the cycle collector paused, and a later test in the same process that checks the
    collector (or the backups folder) must not see it."""
    yield
    for thread in threading.enumerate():
        if thread.name in WINDOW_WORKERS:
            thread.join(timeout=60)
            assert not thread.is_alive(), f"the {thread.name} worker did not end within 60 s"


@pytest.fixture(autouse=True)
def forget_window_layouts() -> Iterator[None]:
    """Each test starts from the default window layouts (the visit window keeps its own)."""
    yield
    QSettings().remove("visit_window")


@dataclass(frozen=True)
class SmallPractice:
    """Ids of the records the tests look for."""

    rivera_id: str
    lee_id: str
    zoe_id: str
    lukasz_id: str
    dmitry_id: str
    sarah_id: str
    zoe_first_visit_id: str
    zoe_second_visit_id: str


@pytest.fixture
def practice(db: Database) -> SmallPractice:
    """Clients named in six scripts; Zoë has a claim, a referral and two visits (one signed)."""
    with db.write() as session:
        session.add(Practice(name="Harbor Street Massage"))
        rivera = Provider(first_name="Alexandra", last_name="Rivera", credentials="LMT")
        lee = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add_all([rivera, lee])
        session.flush()
        zoe = add_client(
            session,
            first_name="Zoë",
            last_name="Nguyễn",
            date_of_birth=dt.date(1986, 3, 14),
            phone="(555) 201-4433",
            email="zoe@example.com",
        )
        lukasz = add_client(
            session, first_name="Łukasz", last_name="Wróbel", date_of_birth=dt.date(1979, 11, 2)
        )
        dmitry = add_client(session, first_name="Дмитрий", last_name="Иванов", phone="555 410 2020")
        add_client(session, first_name="小明", last_name="王")
        add_client(session, first_name="فاطمة", last_name="الزهراء")
        sarah = add_client(session, first_name="שרה", last_name="כהן")
        session.add(
            Claim(
                client_id=zoe.id,
                payer_type=PayerType.PIP,
                payer_name="Allstate",
                claim_number="PIP-2026-004411",
            )
        )
        session.add(Referral(client_id=zoe.id, prescriber="Dr. Priya Raman", icd10_codes=["M54.2"]))
        session.flush()
        first = create_visit(
            session,
            zoe.id,
            provider_id=rivera.id,
            start=dt.datetime(2026, 10, 1, 9, 30),
            end=dt.datetime(2026, 10, 1, 10, 30),
            pain_before=7,
            pain_after=4,
            chief_complaint="Neck pain after a rear-end collision",
            subjective="Neck pain 7/10 on waking.",
            objective="Hypertonic left upper trapezius.",
            assessment="Responded well to treatment.",
            plan="Weekly for four weeks.",
        )
        session.flush()
        sign_visit(first, rivera.id, dt.datetime(2026, 10, 1, 10, 50))
        second = create_visit(
            session,
            zoe.id,
            provider_id=lee.id,
            start=dt.datetime(2026, 10, 8, 14, 0),
            chief_complaint="Follow-up: upper back",
            pain_before=5,
        )
        return SmallPractice(
            rivera_id=rivera.id,
            lee_id=lee.id,
            zoe_id=zoe.id,
            lukasz_id=lukasz.id,
            dmitry_id=dmitry.id,
            sarah_id=sarah.id,
            zoe_first_visit_id=first.id,
            zoe_second_visit_id=second.id,
        )


def new_draft(db: Database, practice: SmallPractice, start: dt.datetime, **fields: object) -> str:
    """A new draft visit of Zoë's with Sam Lee, opened as New visit opens one; its id."""
    with db.write() as session:
        visit = create_visit(
            session, practice.zoe_id, provider_id=practice.lee_id, start=start, **fields
        )
        return visit.id


@pytest.fixture
def window(qtbot: QtBot, db: Database, practice: SmallPractice) -> Iterator[MainWindow]:
    """The main window on the small practice, shown at laptop size, with a fixed clock."""
    main_window = MainWindow(db, today=lambda: TODAY, now=lambda: NOW)
    qtbot.addWidget(main_window)
    main_window.resize(1366, 728)
    main_window.show()
    qtbot.waitExposed(main_window)
    yield main_window
    main_window.document.undo_stack.clear()
