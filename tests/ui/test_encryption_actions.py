"""Encrypt database… and Change passphrase… in the window: real dialogs, a real file re-keyed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database, WrongPassphraseError, open_database
from massage_chart.storage.encryption import FileKind, file_kind
from massage_chart.storage.repositories import add_client, search_clients
from massage_chart.ui.encryption_actions import EncryptionActions
from tests.ui.conftest import type_text

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

FIRST = 'first passphrase "é"'
SECOND = "second passphrase ';'"


def test_encrypt_then_change_the_passphrase_from_the_window(
    qtbot: QtBot, db: Database, db_path: Path
) -> None:
    with db.write() as session:
        add_client(session, first_name="Ida", last_name="Rolf")
    window = QWidget()
    qtbot.addWidget(window)
    actions = EncryptionActions(db, window)
    encrypt, change = actions.actions()
    assert encrypt.isEnabled() and not change.isEnabled()

    encrypt.trigger()
    dialog = actions.dialog
    assert dialog is not None and dialog.current is None
    type_text(dialog.new, FIRST)
    type_text(dialog.repeat, FIRST)
    with qtbot.waitSignal(actions.database_reopened) as reopened:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    encrypted: Database = reopened.args[0]
    assert encrypted.is_encrypted and actions.database is encrypted
    assert file_kind(db_path) is FileKind.ENCRYPTED_OR_DAMAGED
    assert actions.report_box is not None and "encrypted" in actions.report_box.text()
    assert change.isEnabled() and not encrypt.isEnabled()

    change.trigger()
    dialog = actions.dialog
    assert dialog is not None and dialog.current is not None
    type_text(dialog.current, FIRST)
    type_text(dialog.new, SECOND)
    type_text(dialog.repeat, SECOND)
    with qtbot.waitSignal(actions.database_reopened) as reopened:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    rekeyed: Database = reopened.args[0]
    with rekeyed.read() as session:
        assert [c.list_name for c in search_clients(session)] == ["Rolf, Ida"]
    rekeyed.dispose()
    with pytest.raises(WrongPassphraseError):
        open_database(str(db_path), passphrase=FIRST)


def test_a_wrong_current_passphrase_changes_nothing(qtbot: QtBot, db_path: Path) -> None:
    database = open_database(str(db_path), passphrase=FIRST)
    window = QWidget()
    qtbot.addWidget(window)
    actions = EncryptionActions(database, window)
    with qtbot.waitSignal(actions.problem_reported) as problem:
        assert actions.change("not the passphrase", SECOND) is None
    assert "Incorrect passphrase" in problem.args[0]
    assert actions.database is database
    with database.read() as session:
        assert search_clients(session) == []
    database.dispose()
    open_database(str(db_path), passphrase=FIRST).dispose()  # the old passphrase still opens it
