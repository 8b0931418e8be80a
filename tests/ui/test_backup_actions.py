"""Back up now, Check database and Restore from backup, clicked in the window."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select, text

from massage_chart.storage.backup import backup_name, list_backups
from massage_chart.storage.database import Database, StorageError
from massage_chart.storage.models import AuditEvent, Client
from massage_chart.storage.repositories import add_client
from massage_chart.storage.safekeeping import restore_and_reopen
from massage_chart.ui.main_window import MainWindow
from tests.ui.conftest import NOW, TODAY, SmallPractice

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def window(qtbot: QtBot, db: Database, practice: SmallPractice) -> MainWindow:
    main_window = MainWindow(db, today=lambda: TODAY, now=lambda: NOW, backup_on_close=False)
    qtbot.addWidget(main_window)
    main_window.show()
    return main_window


def _actions(window: MainWindow) -> dict[str, object]:
    file_menu = window.menuBar().actions()[0].menu()
    return {a.text().replace("&", ""): a for a in file_menu.actions() if a.text()}


def _audit(db: Database, action: str) -> list[str]:
    with db.read() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        return [row.detail for row in rows]


def test_back_up_now_takes_a_verified_backup_and_says_so(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    action = _actions(window)["Back up now"]
    action.trigger()  # type: ignore[attr-defined]

    qtbot.waitUntil(lambda: "Backup taken and verified" in window.statusBar().currentMessage())
    assert db.file is not None and db.backup_dir is not None
    backups = list_backups(db.backup_dir, db.file)
    assert len(backups) == 1
    assert _audit(db, "backup") == [str(backups[0].path)]


def test_check_database_reports_a_healthy_file(qtbot: QtBot, window: MainWindow) -> None:
    window.backup_actions.check()

    qtbot.waitUntil(lambda: window.backup_actions.report_box is not None)
    box = window.backup_actions.report_box
    assert box is not None
    assert box.windowTitle() == "No problems found"
    assert "audit log hash chain" in box.text()
    box.close()


def test_check_database_finds_a_signed_note_changed_behind_the_apps_back(
    qtbot: QtBot, window: MainWindow, db: Database, practice: SmallPractice
) -> None:
    with db.engine.begin() as connection:  # what a hand with a SQLite shell could do
        connection.execute(text("DROP TRIGGER trg_visits_signed_update"))
        connection.execute(
            text("UPDATE visits SET objective = 'rewritten' WHERE id = :id"),
            {"id": practice.zoe_first_visit_id},
        )

    window.backup_actions.check()

    qtbot.waitUntil(lambda: window.backup_actions.report_box is not None)
    box = window.backup_actions.report_box
    assert box is not None
    assert box.windowTitle() == "The check found problems"
    assert "no longer matches its signature" in box.text()
    box.close()


def test_restore_goes_back_to_the_chosen_backup_and_keeps_the_current_file(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    window.backup_actions.back_up()
    qtbot.waitUntil(lambda: not window.backup_actions.busy)
    with db.write() as session:
        add_client(session, first_name="Late", last_name="Arrival")

    dialog = window.backup_actions.choose_backup()
    assert dialog is not None
    assert dialog.list.count() == 1
    dialog.restore_button.click()
    box = window.backup_actions.confirm_box
    assert box is not None and "kept beside it" in box.text()
    with qtbot.waitSignal(window.backup_actions.restore_requested):
        box.button(QMessageBox.StandardButton.Ok).click()

    assert not window.isVisible()
    assert window.pending_restore is not None
    restored = restore_and_reopen(db, window.pending_restore)
    try:
        with restored.read() as session:
            names = set(session.scalars(select(Client.last_name)))
        assert "Arrival" not in names
        assert "Nguyễn" in names
        assert restored.file is not None
        aside = [p for p in restored.file.parent.iterdir() if "replaced" in p.name]
        assert aside, "the database as it was must be kept"
        assert any("from" in detail for detail in _audit(restored, "restore"))
    finally:
        restored.dispose()


def test_a_damaged_backup_is_refused_in_the_list_with_the_reason(
    qtbot: QtBot, window: MainWindow, db: Database
) -> None:
    assert db.file is not None and db.backup_dir is not None
    db.backup_dir.mkdir(parents=True, exist_ok=True)
    fake = db.backup_dir / backup_name(db.file, "manual", dt.datetime(2026, 11, 20, 9, 0))
    fake.write_bytes(b"%PDF-1.7 not a database at all" * 100)

    dialog = window.backup_actions.choose_backup()
    assert dialog is not None
    dialog.restore_button.click()

    assert dialog.isVisible()
    assert "cannot be used" in dialog.problem.text()
    assert window.backup_actions.confirm_box is None


def test_with_no_backup_yet_restore_says_how_to_take_one(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.backup_actions.problem_reported) as signal:
        assert window.backup_actions.choose_backup() is None
    assert "Back up now" in signal.args[0]


def test_restoring_a_server_database_is_refused(db: Database, tmp_path: Path) -> None:
    class Server:
        file = None

    with pytest.raises(StorageError, match="Only SQLite"):
        restore_and_reopen(Server(), tmp_path / "x.db")  # type: ignore[arg-type]


def test_a_backup_of_another_practice_with_the_same_file_name_is_refused(
    qtbot: QtBot, window: MainWindow, db: Database, tmp_path: Path
) -> None:
    from massage_chart.storage.database import open_database
    from massage_chart.storage.models import Practice
    from massage_chart.storage.safekeeping import backup_now

    assert db.file is not None and db.backup_dir is not None
    other = open_database(str(tmp_path / "elsewhere" / db.file.name))
    with other.write() as session:
        session.add(Practice(name="Another Clinic"))
    stray = db.backup_dir / backup_name(db.file, "manual", dt.datetime(2026, 11, 22, 8, 0))
    backup_now(other, target=stray)
    other.dispose()

    dialog = window.backup_actions.choose_backup()
    assert dialog is not None
    assert str(db.backup_dir) in dialog.folder_label.text()
    dialog.restore_button.click()

    assert dialog.isVisible()
    assert "another practice's database (“Another Clinic”)" in dialog.problem.text()
    assert window.backup_actions.confirm_box is None
