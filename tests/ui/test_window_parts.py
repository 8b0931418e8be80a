"""The main window's parts on their own: the idle lock, the kept-drafts offer, the damage box."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox, QStackedWidget, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.domain.secrets import hash_password, verify_password
from massage_chart.storage.database import Database
from massage_chart.storage.drafts import Draft, DraftStore, draft_key
from massage_chart.storage.models import AuditEvent
from massage_chart.storage.settings import Settings
from massage_chart.ui.damage_report import show_damage
from massage_chart.ui.drafts_recovery import DraftsRecovery
from massage_chart.ui.idle_lock import LockScreen
from massage_chart.ui.note.editor import VisitNoteEditor
from massage_chart.ui.window_lock import WindowLock

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

STORED = hash_password("lavender-42")


def _locking(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> tuple[QMainWindow, QStackedWidget, LockScreen, WindowLock]:
    window = QMainWindow()
    qtbot.addWidget(window)
    pages = QStackedWidget()
    pages.addWidget(QLabel("Zoë Nguyễn"))
    lock_screen = LockScreen()
    pages.addWidget(lock_screen)
    window.setCentralWidget(pages)
    quit_action = QAction("Quit", window)
    settings = Settings.load(tmp_path / "settings.json", database=db)
    window_lock = WindowLock(
        window,
        pages,
        lock_screen,
        db,
        settings,
        quit_action,
        unlock_check=lambda secret: verify_password(secret, STORED),
    )
    window.show()
    qtbot.waitExposed(window)
    return window, pages, lock_screen, window_lock


def test_the_lock_hides_other_windows_and_actions_and_only_the_right_secret_undoes_it(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    window, pages, lock_screen, window_lock = _locking(qtbot, db, tmp_path)
    quit_action = next(a for a in window.findChildren(QAction) if a.text() == "Quit")
    find_action = QAction("Find client", window)
    other = QWidget()
    qtbot.addWidget(other)
    other.show()

    window_lock.lock()

    assert window_lock.locked and pages.currentWidget() is lock_screen
    assert not other.isVisible() and window_lock.hidden_windows == [other]
    assert not find_action.isEnabled() and quit_action.isEnabled()
    assert window.windowTitle() == "Massage Chart — locked"

    assert not window_lock.unlock("rosemary")
    assert window_lock.locked and window_lock.failed_unlocks == 1
    with db.read() as session:
        details = session.scalars(select(AuditEvent.detail)).all()
    assert "idle lock: wrong secret, try 1 in a row" in details

    with qtbot.waitSignal(window_lock.unlocked):
        assert window_lock.unlock("lavender-42")
    assert not window_lock.locked and pages.currentIndex() == 0
    assert other.isVisible() and find_action.isEnabled()
    assert window_lock.failed_unlocks == 0 and window_lock.hidden_windows == []


def test_kept_drafts_are_offered_once_the_records_are_unlocked_and_opened_on_request(
    qtbot: QtBot, tmp_path: Path
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    store = DraftStore(tmp_path / "drafts")
    store.save(Draft(draft_key("note", "visit-1"), "SOAP note — Zoë Nguyễn", {}))
    store.save(Draft(draft_key("note", "visit-2"), "SOAP note — Marcus Chen", {}))
    locked = True
    asked: list[str] = []

    def open_note_editor(visit_id: str) -> VisitNoteEditor | None:
        asked.append(visit_id)
        return None  # as when the visit cannot be read: nothing opens, nothing is lost

    recovery = DraftsRecovery(store, parent, lambda: locked, open_note_editor)

    assert recovery.offer() is None and recovery.box is None
    locked = False
    recovery.offer_if_held()
    qtbot.waitUntil(lambda: recovery.box is not None)
    box = recovery.box
    assert box is not None
    assert "SOAP note — Zoë Nguyễn" in box.text() and "SOAP note — Marcus Chen" in box.text()
    assert box.button(QMessageBox.StandardButton.Close).text() == "Later"

    box.done(QMessageBox.StandardButton.Open.value)

    assert recovery.box is None
    assert sorted(asked) == ["visit-1", "visit-2"]
    assert len(store.all()) == 2  # opening never throws the kept text away


def test_no_kept_drafts_means_no_offer(qtbot: QtBot, tmp_path: Path) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    recovery = DraftsRecovery(DraftStore(tmp_path / "drafts"), parent, lambda: False, print)

    assert recovery.offer() is None
    assert recovery.open_all() == []


def test_damage_without_a_verified_backup_says_to_stop_using_the_copy(
    qtbot: QtBot, db: Database
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    chosen: list[bool] = []

    box = show_damage(db, ["page 4 is corrupt", "a", "b", "d"], lambda: chosen.append(True), parent)

    assert "found damage (page 4 is corrupt; a; b)" in box.text()
    assert "No verified backup was found beside it" in box.text()
    assert [button.text() for button in box.buttons()] == ["Close"]
    box.close()
    assert chosen == []
