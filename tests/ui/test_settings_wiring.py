"""The Settings window reached from the main window: the idle lock follows it at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.domain.presentation import Clock
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent
from massage_chart.storage.settings import UNLOCK_PASSWORD_HASH, Settings
from massage_chart.ui.client_detail import VisitColumn
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.unlock_password_dialog import UnlockPasswordDialog
from tests.ui.conftest import NOW, TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings.load(tmp_path / "config" / "settings.json", database=db)


@pytest.fixture
def window(qtbot: QtBot, db: Database, practice: SmallPractice, settings: Settings) -> MainWindow:
    main_window = MainWindow(
        db, today=lambda: TODAY, now=lambda: NOW, backup_on_close=False, settings=settings
    )
    qtbot.addWidget(main_window)
    main_window.show()
    return main_window


def test_the_lock_starts_from_the_setting_and_follows_a_change(
    qtbot: QtBot, window: MainWindow, settings: Settings
) -> None:
    assert window.idle_watcher.minutes == settings.auto_lock_minutes == 10

    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.security_page.auto_lock_spin.setValue(5)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert window.idle_watcher.minutes == 5
    assert Settings.load(settings.path).auto_lock_minutes == 5


def test_an_unlock_password_set_in_settings_guards_the_lock_screen(
    qtbot: QtBot, window: MainWindow, db: Database, settings: Settings
) -> None:
    window.lock()
    assert not window.lock_screen.secret_field.isVisible()  # no password yet
    assert window.unlock()

    dialog = UnlockPasswordDialog(settings, window)
    qtbot.addWidget(dialog)
    type_text(dialog.new, "lavender-42")
    type_text(dialog.repeat, "lavender-24")
    dialog.accept()
    assert "not the same" in dialog.problem.text()
    dialog.repeat.clear()
    type_text(dialog.repeat, "lavender-42")
    dialog.accept()
    stored = settings.get(UNLOCK_PASSWORD_HASH)
    assert stored.startswith("scrypt$") and "lavender" not in stored

    window.lock()
    assert window.lock_screen.secret_field.isVisible()
    assert not window.unlock("lavender-41")
    assert window.unlock("lavender-42")
    with db.read() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.action == "failed_unlock"))
        assert len(list(failed)) == 1


def test_changing_the_unlock_password_needs_the_current_one(
    qtbot: QtBot, settings: Settings
) -> None:
    from massage_chart.domain.secrets import hash_password, verify_password

    settings.set(UNLOCK_PASSWORD_HASH, hash_password("first-pass"))
    dialog = UnlockPasswordDialog(settings)
    qtbot.addWidget(dialog)
    type_text(dialog.current, "not-it")
    type_text(dialog.new, "second-pass")
    type_text(dialog.repeat, "second-pass")
    dialog.accept()
    assert "current password is not right" in dialog.problem.text()
    assert verify_password("first-pass", settings.get(UNLOCK_PASSWORD_HASH))

    type_text(dialog.current, "first-pass")
    dialog.accept()
    assert verify_password("second-pass", settings.get(UNLOCK_PASSWORD_HASH))


def test_backups_go_to_the_folder_chosen_in_settings(
    qtbot: QtBot, db: Database, practice: SmallPractice, tmp_path: Path
) -> None:
    from massage_chart.storage.backup import list_backups
    from massage_chart.storage.settings import BACKUP_FOLDER, BACKUPS_TO_KEEP

    settings = Settings.load(tmp_path / "config" / "settings.json", database=db)
    chosen = tmp_path / "usb-stick" / "massage-backups"
    chosen.mkdir(parents=True)
    settings.update({BACKUP_FOLDER.key: str(chosen), BACKUPS_TO_KEEP.key: 3})
    window = MainWindow(
        db, today=lambda: TODAY, now=lambda: NOW, backup_on_close=False, settings=settings
    )
    qtbot.addWidget(window)

    window.backup_actions.back_up()
    qtbot.waitUntil(lambda: not window.backup_actions.busy)

    assert db.file is not None
    assert len(list_backups(chosen, db.file)) == 1
    assert not (db.file.parent / "backups").exists()
    assert db.keep_recent == 3


def test_with_an_unlock_password_the_window_starts_locked_and_offers_drafts_after(
    qtbot: QtBot, db: Database, practice: SmallPractice, settings: Settings, tmp_path: Path
) -> None:
    from massage_chart.domain.secrets import hash_password
    from massage_chart.storage.drafts import Draft, DraftStore, draft_key

    settings.set(UNLOCK_PASSWORD_HASH, hash_password("lavender-42"))
    store = DraftStore(tmp_path / "drafts")
    store.save(Draft(draft_key("note", practice.zoe_second_visit_id), "SOAP note — Zoë", {}))
    window = MainWindow(
        db,
        today=lambda: TODAY,
        now=lambda: NOW,
        backup_on_close=False,
        settings=settings,
        drafts=store,
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.wait(50)

    assert window.locked
    assert window.drafts_box is None  # the list names clients: not before unlocking
    assert window.unlock("lavender-42")
    qtbot.waitUntil(lambda: window.drafts_box is not None)
    assert window.drafts_box is not None
    window.drafts_box.close()


def test_the_clock_chosen_in_settings_is_the_one_the_window_writes(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice, settings: Settings
) -> None:
    window.select_client(practice.zoe_id)
    model = window.detail_panel.visit_model
    times = model.index(model.rowCount() - 1, VisitColumn.TIME)
    assert times.data().startswith("09:30"), "C locale: the 24-hour clock"

    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    dialog = window.settings_dialog
    assert dialog is not None
    dialog.page_list.setCurrentRow(dialog.PAGES.index("Display"))
    dialog.display_page.clock_combo.setCurrentIndex(
        dialog.display_page.clock_combo.findData(Clock.TWELVE_HOUR)
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert Settings.load(settings.path).clock is Clock.TWELVE_HOUR
    times = model.index(model.rowCount() - 1, VisitColumn.TIME)
    assert times.data().startswith("9:30 AM"), times.data()


def test_the_unlock_password_dialog_shows_its_whole_introduction(
    qtbot: QtBot, settings: Settings
) -> None:
    dialog = UnlockPasswordDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    intro = dialog.intro
    assert intro.height() >= intro.heightForWidth(intro.width()), "cut off at top and bottom"
    dialog.reject()
