"""The open database kept safe: page check and daily backup off the UI thread, backup on close,
a warning for risky folders, and a restore offer when the file is damaged at start."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from massage_chart.storage import audit
from massage_chart.storage.backup import list_backups
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.repositories import add_client, search_clients
from massage_chart.storage.safekeeping import backup_now
from massage_chart.ui.app import run_app
from massage_chart.ui.main_window import MainWindow


def _window(qtbot: QtBot, db: Database) -> MainWindow:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _messages(window: QWidget) -> list[str]:
    return [box.text() for box in window.findChildren(QMessageBox)]


def test_the_daily_backup_is_taken_off_the_ui_thread_and_audited(
    qtbot: QtBot, db: Database
) -> None:
    with db.write() as session:
        add_client(session, first_name="Zoë", last_name="Nguyễn")
    window = _window(qtbot, db)
    with qtbot.waitSignal(window.maintenance.finished, timeout=10_000):
        assert window.start_maintenance()
    qtbot.waitUntil(lambda: "Daily backup" in window.statusBar().currentMessage())
    assert db.backup_dir is not None
    assert [b.reason for b in list_backups(db.backup_dir)] == ["auto"]
    with db.read() as session:
        actions = [e.action for e in session.scalars(audit.select(audit.AuditEvent))]
    assert "backup" in actions

    with qtbot.waitSignal(window.maintenance.finished, timeout=10_000):
        window.start_maintenance()  # the same day: no second backup
    assert len(list_backups(db.backup_dir)) == 1


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen only
def test_damage_found_while_open_is_reported_and_no_backup_replaces_good_ones(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    with db.write() as session:
        for n in range(300):
            add_client(session, first_name=f"Client {n}", last_name="Filler " * 20)
    backup_now(db)
    db.dispose()
    data = bytearray(db_path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 4 : page * 4 + 256] = b"\xba\xad" * 128
    db_path.write_bytes(bytes(data))

    damaged = open_database(str(db_path))  # the quick header check at start passes
    window = MainWindow(damaged, backup_on_close=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.maintenance.check_failed, timeout=10_000):
        window.start_maintenance()
    qtbot.waitUntil(lambda: bool(_messages(window)))
    (text,) = _messages(window)
    assert "found damage" in text
    assert "Restore from backup" in text
    box = window.damage_box
    assert box is not None
    restore = next(b for b in box.buttons() if b.text() == "Restore from backup…")
    restore.click()
    dialog = window.backup_actions.restore_dialog
    assert dialog is not None and dialog.list.count() == 1
    dialog.reject()
    assert damaged.backup_dir is not None
    assert [b.reason for b in list_backups(damaged.backup_dir)] == ["manual"]
    for box in window.findChildren(QMessageBox):
        box.close()
    window.close()
    assert [b.reason for b in list_backups(damaged.backup_dir)] == ["manual"]
    damaged.dispose()


def _change_something(db: Database, name: str = "Changed") -> None:
    with db.write() as session:
        add_client(session, first_name=name, last_name="During the session")


def test_closing_the_window_after_a_change_leaves_a_verified_backup(
    qtbot: QtBot, db: Database
) -> None:
    window = _window(qtbot, db)
    _change_something(db)
    window.close()
    assert db.backup_dir is not None
    assert [b.reason for b in list_backups(db.backup_dir)] == ["on-close"]


def test_closing_without_a_change_takes_no_backup(qtbot: QtBot, db: Database) -> None:
    _change_something(db, "Before")
    window = _window(qtbot, db)
    window.close()
    assert db.backup_dir is not None
    assert list_backups(db.backup_dir) == []


def test_closing_after_only_looking_takes_no_backup(qtbot: QtBot, db: Database) -> None:
    from massage_chart.storage import audit

    _change_something(db, "Before")
    window = _window(qtbot, db)
    with db.write() as session:  # what opening and printing a client's record writes
        for action in (audit.AuditAction.VIEW, audit.AuditAction.EXPORT, audit.AuditAction.PRINT):
            audit.record(session, action, detail="looked at, printed")
    window.close()
    assert db.backup_dir is not None
    assert list_backups(db.backup_dir) == []


def test_a_database_in_a_synced_folder_shows_a_warning(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "Dropbox" / "clinic"
    folder.mkdir(parents=True)
    database = open_database(str(folder / "records.db"))
    window = MainWindow(database, backup_on_close=False)
    qtbot.addWidget(window)
    window.show()
    banner = window.findChild(QLabel, "locationBanner")
    assert banner is not None
    assert banner.isVisible()
    assert "cloud-synced folder" in banner.text()
    window.close()
    database.dispose()


def test_a_local_database_shows_no_warning(qtbot: QtBot, db: Database) -> None:
    window = _window(qtbot, db)
    banner = window.findChild(QLabel, "locationBanner")
    assert banner is not None
    assert not banner.isVisible()


def test_a_database_damaged_at_start_is_restored_from_the_newest_backup_on_request(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.write() as session:
        add_client(session, first_name="Łukasz", last_name="Wróbel")
    backup_now(db)
    db.dispose()
    damaged_bytes = b"\x00" * 100 + db_path.read_bytes()[100:]
    db_path.write_bytes(damaged_bytes)
    asked: list[str] = []

    def answer_yes(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    seen: list[str] = []

    def look_instead_of_looping(_app: QApplication) -> int:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                with widget.database.read() as session:
                    seen.extend(row.list_name for row in search_clients(session))
        return 0

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    monkeypatch.setattr(QApplication, "exec", look_instead_of_looping)

    assert run_app(str(db_path), []) == 0
    assert "Restore it now?" in asked[0]
    assert seen == ["Wróbel, Łukasz"]
    (aside,) = db_path.parent.glob("practice.db.damaged-*")
    assert aside.read_bytes() == damaged_bytes
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()


def test_a_failed_backup_on_close_never_holds_up_closing_and_is_shown_next_time(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from massage_chart.storage import safekeeping

    def disk_full(_engine: object, _target: Path, **_keying: object) -> Path:
        raise safekeeping.BackupError("no space left on the backup drive")

    monkeypatch.setattr(safekeeping, "backup_sqlite", disk_full)
    window = _window(qtbot, db)
    _change_something(db, "First")
    window.close()
    assert not window.isVisible()
    monkeypatch.undo()

    again = _window(qtbot, db)
    banner = again.findChild(QLabel, "locationBanner")
    assert banner is not None
    assert banner.isVisible()
    assert "no space left on the backup drive" in banner.text()
    _change_something(db, "Second")
    again.close()  # this backup succeeds and clears the note
    third = _window(qtbot, db)
    banner = third.findChild(QLabel, "locationBanner")
    assert banner is not None
    assert not banner.isVisible()
