"""Starting the window on a database with a WAL of another database beside it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from massage_chart.storage.database import open_database
from massage_chart.storage.repositories import add_client, search_clients
from massage_chart.ui.app import run_app
from massage_chart.ui.main_window import MainWindow
from tests.storage.test_faults import foreign_wal_beside

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def test_the_window_says_a_foreign_wal_was_set_aside_and_shows_every_client(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(str(db_path))
    with database.write() as session:
        for n in range(5):
            add_client(session, first_name=f"Client {n}", last_name="Ours")
    database.dispose()
    foreign_wal_beside(db_path, tmp_path / "elsewhere.db")
    warnings: list[str] = []

    def warning(_parent: QWidget | None, _title: str, text: str, *_args: object) -> None:
        warnings.append(text)

    seen: list[int] = []

    def look_instead_of_looping(_app: QApplication) -> int:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                with widget.database.read() as session:
                    seen.append(len(search_clients(session)))
        return 0

    monkeypatch.setattr(QMessageBox, "warning", warning)
    monkeypatch.setattr(QApplication, "exec", look_instead_of_looping)

    assert run_app(str(db_path), []) == 0

    assert len(warnings) == 1 and "belonged to another database" in warnings[0]
    assert seen == [5]
