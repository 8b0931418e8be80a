"""The passphrase at start: real dialogs, real keys typed, a real encrypted file (and a damaged one)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.storage import audit
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.encryption import FileKind, file_kind
from massage_chart.storage.repositories import add_client, search_clients
from massage_chart.storage.safekeeping import backup_now
from massage_chart.ui import opening
from massage_chart.ui.app import run_app
from massage_chart.ui.passphrase_dialog import NewPassphraseDialog, PassphraseDialog
from tests.ui.conftest import type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

PASSPHRASE = "sea-salt \"lavender\" 'oil'; é"

Step = Callable[[PassphraseDialog], None]


def _answer(steps: list[Step]) -> None:
    """Play ``steps`` one by one on the modal passphrase dialog each time it is shown."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, PassphraseDialog) and dialog.isVisible() and steps:
            steps.pop(0)(dialog)
            if steps:
                QTimer.singleShot(50, poll)
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def _type_and_open(qtbot: QtBot, text: str) -> Step:
    def step(dialog: PassphraseDialog) -> None:
        type_text(dialog.field, text)
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)

    return step


@pytest.fixture
def encrypted_path(db_path: Path) -> Path:
    database = open_database(str(db_path), passphrase=PASSPHRASE)
    with database.write() as session:
        add_client(session, first_name="Grace", last_name="Hopper")
    database.dispose()
    return db_path


def _failed_unlocks(database: Database) -> list[str]:
    with database.read() as session:
        return [
            e.detail
            for e in session.scalars(
                select(audit.AuditEvent).where(
                    audit.AuditEvent.action == audit.AuditAction.FAILED_UNLOCK.value
                )
            )
        ]


def test_typing_enables_open_and_a_problem_offers_the_restore(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PassphraseDialog(tmp_path / "clinic.db")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.open_button.isEnabled()
    assert dialog.field.echoMode() is dialog.field.EchoMode.Password
    qtbot.keyClicks(dialog.field, "secret")
    assert dialog.open_button.isEnabled()
    dialog.show_problem("Incorrect passphrase or damaged file.")
    assert dialog.problem.isVisible() and dialog.restore_button.isVisible()
    assert dialog.field.text() == ""


def test_a_wrong_then_the_right_passphrase_opens_and_the_wrong_one_is_audited(
    qtbot: QtBot, encrypted_path: Path
) -> None:
    seen: list[str] = []

    def wrong_then_check(dialog: PassphraseDialog) -> None:
        _type_and_open(qtbot, "not it")(dialog)

    def right(dialog: PassphraseDialog) -> None:
        seen.append(dialog.problem.text())
        _type_and_open(qtbot, PASSPHRASE)(dialog)

    _answer([wrong_then_check, right])
    database = opening.unlock_at_start(str(encrypted_path), encrypted_path)
    assert database is not None
    try:
        assert seen[0].startswith("Incorrect passphrase or damaged file")
        assert "delete" not in seen[0].lower()
        with database.read() as session:
            assert [c.list_name for c in search_clients(session)] == ["Hopper, Grace"]
            assert audit.verify_chain(session) == []
        [event] = _failed_unlocks(database)
        assert "start: incorrect passphrase or damaged file" in event
        assert database.check_passphrase(PASSPHRASE)
    finally:
        database.dispose()


def test_quit_at_the_passphrase_opens_nothing(qtbot: QtBot, encrypted_path: Path) -> None:
    def quit_(dialog: PassphraseDialog) -> None:
        dialog.reject()

    _answer([quit_])
    before = encrypted_path.read_bytes()
    assert opening.unlock_at_start(str(encrypted_path), encrypted_path) is None
    assert encrypted_path.read_bytes() == before


def test_run_app_quits_cleanly_when_the_passphrase_is_not_given(
    qtbot: QtBot, encrypted_path: Path
) -> None:
    def quit_(dialog: PassphraseDialog) -> None:
        qtbot.mouseClick(
            dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton
        )

    _answer([quit_])
    assert run_app(str(encrypted_path), []) == 0


def test_a_damaged_encrypted_file_is_restored_from_the_backup_that_opens_with_the_passphrase(
    qtbot: QtBot, encrypted_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(str(encrypted_path), passphrase=PASSPHRASE)
    backup_now(database)
    database.dispose()
    data = bytearray(encrypted_path.read_bytes())
    data[40:48] = bytes(8)  # page 1 damaged: looks exactly like a wrong passphrase
    encrypted_path.write_bytes(bytes(data))
    questions: list[str] = []

    def yes(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        questions.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)

    def restore(dialog: PassphraseDialog) -> None:
        assert dialog.restore_button.isVisible()
        type_text(dialog.field, PASSPHRASE)
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    _answer([_type_and_open(qtbot, PASSPHRASE), restore])
    restored = opening.unlock_at_start(str(encrypted_path), encrypted_path)
    assert restored is not None
    try:
        assert "Restore it now?" in questions[0]
        assert file_kind(encrypted_path) is FileKind.ENCRYPTED_OR_DAMAGED
        with restored.read() as session:
            assert [c.list_name for c in search_clients(session)] == ["Hopper, Grace"]
        assert len(_failed_unlocks(restored)) == 1
    finally:
        restored.dispose()
    assert list(encrypted_path.parent.glob("practice.db.damaged-*"))


def test_a_plain_file_with_a_ruined_first_page_is_restored_plain_never_keyed_by_a_guess(
    qtbot: QtBot, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(str(db_path))
    with database.write() as session:
        add_client(session, first_name="Grace", last_name="Hopper")
    backup_now(database)
    database.dispose()
    data = bytearray(db_path.read_bytes())
    data[:4096] = os.urandom(4096)  # random bytes: the file now looks encrypted
    db_path.write_bytes(bytes(data))
    assert file_kind(db_path) is FileKind.ENCRYPTED_OR_DAMAGED
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)

    def restore(dialog: PassphraseDialog) -> None:
        type_text(dialog.field, "anything123")
        qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)

    _answer([_type_and_open(qtbot, "anything123"), restore])
    restored = opening.unlock_at_start(str(db_path), db_path)
    assert restored is not None
    try:
        assert not restored.is_encrypted
        assert file_kind(db_path) is FileKind.PLAIN
        with restored.read() as session:
            assert [c.list_name for c in search_clients(session)] == ["Hopper, Grace"]
    finally:
        restored.dispose()


def test_the_new_passphrase_must_be_typed_twice_alike(qtbot: QtBot) -> None:
    dialog = NewPassphraseDialog("Encrypt database", "Encrypts it.")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.new, "long enough passphrase")
    qtbot.keyClicks(dialog.repeat, "long enough passphrasE")
    assert not dialog.ok_button.isEnabled()
    assert "differ" in dialog.problem.text()
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, "long enough passphrase")
    assert dialog.ok_button.isEnabled()
    assert "lost records AND lost backups" in " ".join(
        label.text() for label in dialog.findChildren(type(dialog.problem))
    )


def test_after_three_wrong_passphrases_the_next_try_waits(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = PassphraseDialog(tmp_path / "sealed.db")
    qtbot.addWidget(dialog)
    dialog.show_problem("Incorrect passphrase or damaged file (3 wrong tries).")
    dialog.hold(1)
    assert not dialog.field.isEnabled() and not dialog.open_button.isEnabled()
    assert "wait 1 s" in dialog.problem.text()
    qtbot.waitUntil(dialog.field.isEnabled, timeout=3000)
    type_text(dialog.field, "again")
    assert dialog.open_button.isEnabled()
