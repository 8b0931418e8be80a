"""The window's exports obey the same output-path rule as the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from massage_chart.export.service import DocumentKind
from massage_chart.storage.database import Database
from massage_chart.storage.models import Client
from massage_chart.ui.main_window import MainWindow
from tests.ui.conftest import SmallPractice

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


def _export_to(
    qtbot: QtBot,
    window: MainWindow,
    practice: SmallPractice,
    monkeypatch: pytest.MonkeyPatch,
    chosen: Path,
) -> list[str]:
    def save_dialog(_parent: QWidget, _caption: str, _suggested: str) -> str:
        return str(chosen)

    monkeypatch.setattr(window.export_actions, "_save_path", save_dialog)
    problems: list[str] = []
    window.export_actions.problem_reported.connect(problems.append)
    window.select_client(practice.zoe_id)
    assert window.detail_panel.select_visit(practice.zoe_first_visit_id)
    assert window.export_actions.export(DocumentKind.SOAP) is None
    return problems


def test_a_save_over_the_database_through_a_link_is_refused(
    qtbot: QtBot,
    window: MainWindow,
    practice: SmallPractice,
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert db.file is not None
    link = tmp_path / "note.pdf"
    link.symlink_to(db.file)

    problems = _export_to(qtbot, window, practice, monkeypatch, link)

    assert problems and "is the database" in problems[0]
    assert db.file.read_bytes()[:16] == b"SQLite format 3\x00"
    with db.read() as session:
        assert session.get(Client, practice.zoe_id) is not None


def test_a_pdf_name_the_dialog_never_asked_about_is_not_replaced(
    qtbot: QtBot,
    window: MainWindow,
    practice: SmallPractice,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    existing = tmp_path / "letter.pdf"
    existing.write_bytes(b"my letter")

    problems = _export_to(qtbot, window, practice, monkeypatch, tmp_path / "letter")

    assert problems and "already exists" in problems[0]
    assert existing.read_bytes() == b"my letter"
