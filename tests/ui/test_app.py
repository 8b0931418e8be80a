"""Starting the app: a database it cannot open gives plain words and exit code 1, not a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from massage_chart.storage.database import open_database
from massage_chart.ui import opening
from massage_chart.ui.app import run_app


class MessageRecorder:
    """Stands in for QMessageBox.critical, whose modal loop would block a test."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, _parent: QWidget | None, title: str, text: str, *_args: object) -> object:
        self.calls.append((title, text))
        return QMessageBox.StandardButton.Ok


@pytest.fixture
def critical(monkeypatch: pytest.MonkeyPatch) -> MessageRecorder:
    recorder = MessageRecorder()
    monkeypatch.setattr(QMessageBox, "critical", recorder)
    return recorder


def test_a_database_from_a_newer_version_gives_a_message_and_exit_code_1(
    db_path: Path, critical: MessageRecorder
) -> None:
    open_database(str(db_path)).dispose()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'f00dfacecafe'")
    connection.close()

    code = run_app(str(db_path), [])

    assert code == 1
    assert len(critical.calls) == 1
    title, text = critical.calls[0]
    assert title == "Massage Chart cannot open the database"
    assert "newer version of Massage Chart" in text
    assert "Nothing was changed" in text
    assert "Traceback" not in text


def test_a_file_that_is_not_a_database_gives_a_message_and_exit_code_1(
    tmp_path: Path, critical: MessageRecorder
) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_bytes(b"These are my notes, not a database. " * 200)

    assert run_app(str(not_a_database), []) == 1
    assert "damaged or is not a Massage Chart database" in critical.calls[0][1]


def test_the_window_opens_on_a_good_database_and_quitting_returns_0(
    db_path: Path, critical: MessageRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    # Windows an earlier test in this process left open are not this run's to judge.
    earlier = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}

    def ours() -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in earlier]

    def look_instead_of_looping(_app: QApplication) -> int:
        # The real exec() would end pytest-qt's application for every later test.
        QApplication.processEvents()  # what the loop does first: the welcome is queued
        shown.extend(w.windowTitle() for w in ours())
        return 0

    monkeypatch.setattr(QApplication, "exec", look_instead_of_looping)

    assert run_app(str(db_path), []) == 0
    # A brand-new database: the window, and the welcome over it.
    assert sorted(shown) == ["Massage Chart", "Welcome to Massage Chart"]
    assert critical.calls == []
    assert QApplication.applicationName() == "Massage Chart"
    assert not ours()


def test_an_unforeseen_failure_to_open_still_gives_a_sentence(
    db_path: Path, critical: MessageRecorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(_url: str | None, **_options: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(opening, "open_database", disk_full)

    assert run_app(str(db_path), []) == 1
    assert "No space left on device" in critical.calls[0][1]
    assert "Nothing was changed" in critical.calls[0][1]
