"""Encryption as the window uses it: set up in Settings, the lock asks the passphrase, drafts sealed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.storage.database import Database, open_database
from massage_chart.storage.drafts import Draft, DraftStore, draft_key, drafts_folder_for
from massage_chart.storage.models import AuditEvent
from massage_chart.storage.repositories import add_client
from massage_chart.storage.settings import Settings
from massage_chart.ui.main_window import MainWindow
from tests.ui.conftest import NOW, TODAY

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)
PASSPHRASE = "correct horse 42 é\"'"


@pytest.fixture
def encrypted(tmp_path: Path) -> Iterator[Database]:
    database = open_database(str(tmp_path / "sealed.db"), passphrase=PASSPHRASE)
    with database.write() as session:
        add_client(session, first_name="Zoë", last_name="Nguyễn")
    yield database
    database.dispose()


def _window(qtbot: QtBot, database: Database, tmp_path: Path, **options: object) -> MainWindow:
    settings = Settings.load(tmp_path / "settings.json", database=database)
    window = MainWindow(
        database,
        today=lambda: TODAY,
        now=lambda: NOW,
        backup_on_close=False,
        settings=settings,
        **options,  # type: ignore[arg-type]
    )
    qtbot.addWidget(window)
    window.show()
    return window


def test_an_encrypted_database_is_unlocked_with_its_passphrase_only(
    qtbot: QtBot, encrypted: Database, tmp_path: Path
) -> None:
    window = _window(qtbot, encrypted, tmp_path)
    window.lock()
    assert window.lock_screen.secret_field.isVisible()
    assert "database passphrase" in window.lock_screen.explanation.text()

    assert not window.unlock("correct horse 41")
    assert window.unlock(PASSPHRASE)
    with encrypted.read() as session:
        failed = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "failed_unlock"))
        )
    assert len(failed) == 1


def test_drafts_of_an_encrypted_database_are_sealed(
    qtbot: QtBot, encrypted: Database, tmp_path: Path
) -> None:
    window = _window(qtbot, encrypted, tmp_path)
    assert window.drafts is not None and window.drafts.encrypted


def test_the_page_check_of_an_encrypted_file_finds_no_false_damage(
    qtbot: QtBot, encrypted: Database, tmp_path: Path
) -> None:
    window = _window(qtbot, encrypted, tmp_path)
    problems: list[list[str]] = []
    window.maintenance.check_failed.connect(problems.append)
    with qtbot.waitSignal(window.maintenance.finished, timeout=20_000):
        assert window.start_maintenance()
    assert problems == []


def test_encrypting_from_settings_reopens_and_seals_the_drafts_left_in_clear(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    with db.write() as session:
        add_client(session, first_name="Łukasz", last_name="Nowak")
    folder = drafts_folder_for(db.display_name)
    window = _window(qtbot, db, tmp_path)
    assert window.drafts is not None
    window.drafts.save(
        Draft(draft_key("note", "v-1"), "SOAP note — Łukasz Nowak", {"plan": "ibuprofen"})
    )
    dialog = window.open_settings()
    labels = [b.text() for b in dialog.findChildren(QPushButton)]
    assert "&Encrypt database…" in labels
    dialog.reject()

    reopened = window.encryption_actions.encrypt("lavender fields 7")
    assert reopened is not None
    box = window.encryption_actions.report_box
    assert box is not None
    box.accept()
    qtbot.waitUntil(lambda: not window.isVisible())

    assert window.reopen_with is reopened
    try:
        assert reopened.is_encrypted
        raw = b"".join(p.read_bytes() for p in folder.glob("*.draft"))
        assert b"ibuprofen" not in raw and "Łukasz".encode() not in raw
        sealed = DraftStore(folder, passphrase="lavender fields 7").all()
        assert [d.fields["plan"] for d in sealed] == ["ibuprofen"]
        assert db.file is not None
        assert "Łukasz".encode() not in db.file.read_bytes()
    finally:
        reopened.dispose()
