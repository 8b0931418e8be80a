"""Offers to restore a backup: never the default answer, and they say what would be lost."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database, open_database
from massage_chart.storage.repositories import add_client
from massage_chart.storage.safekeeping import backup_now
from massage_chart.ui import opening
from massage_chart.ui.app import run_app
from massage_chart.ui.main_window import MainWindow
from tests.ui.conftest import NOW, TODAY, SmallPractice

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


class EnterPressed:
    """Stands in for QMessageBox.question: records the question and answers with its default
    button, as pressing Enter would."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.defaults: list[object] = []

    def __call__(
        self,
        _parent: QWidget | None,
        _title: str,
        text: str,
        _buttons: object,
        default: object,
    ) -> object:
        self.texts.append(text)
        self.defaults.append(default)
        return default


def _with_later_clients(db_path: Path, later: int) -> Path:
    database = open_database(str(db_path))
    try:
        with database.write() as session:
            add_client(session, first_name="Ada", last_name="Early")
        backup = backup_now(database)
        with database.write() as session:
            for n in range(later):
                add_client(session, first_name=f"Late {n}", last_name="Saved")
    finally:
        database.dispose()
    return backup


def test_enter_at_the_restore_question_keeps_the_database_as_it_is(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_later_clients(db_path, 4)
    before = db_path.read_bytes()
    enter = EnterPressed()
    monkeypatch.setattr(QMessageBox, "question", enter)

    restored = opening._offer_restore(str(db_path), f"The file {db_path} is damaged (test).")

    assert restored is None
    assert enter.defaults == [QMessageBox.StandardButton.No]
    assert "4 clients" in enter.texts[0] and "would not be in the records" in enter.texts[0]
    assert db_path.read_bytes() == before
    assert not list(db_path.parent.glob("practice.db.damaged-*"))


def test_a_file_cut_short_at_start_is_not_replaced_by_pressing_enter(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_later_clients(db_path, 60)
    whole = db_path.read_bytes()
    db_path.write_bytes(whole[: len(whole) // 2])
    enter = EnterPressed()
    monkeypatch.setattr(QMessageBox, "question", enter)
    monkeypatch.setattr(QMessageBox, "critical", lambda *_a: None)

    assert run_app(str(db_path), []) == 1

    assert enter.defaults == [QMessageBox.StandardButton.No]
    assert db_path.read_bytes() == whole[: len(whole) // 2]


def test_the_restore_confirmation_counts_what_would_be_lost(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    window = MainWindow(db, today=lambda: TODAY, now=lambda: NOW, backup_on_close=False)
    qtbot.addWidget(window)
    window.show()
    backup_now(db)
    with db.write() as session:
        for n in range(2):
            add_client(session, first_name=f"Late {n}", last_name="Arrival")

    dialog = window.backup_actions.choose_backup()
    assert dialog is not None
    dialog.restore_button.click()
    box = window.backup_actions.confirm_box

    assert box is not None
    assert "2 clients" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
