"""The first run: a brand-new database is welcomed, set up in four steps, and never asked again."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from massage_chart.domain.identifiers import npi_with_check_digit
from massage_chart.storage.database import Database
from massage_chart.storage.practice import list_provider_details, read_practice
from massage_chart.storage.settings import Settings
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.opening import needs_welcome
from massage_chart.ui.unlock_password_dialog import UnlockPasswordDialog
from massage_chart.ui.welcome import WelcomeWizard, demo_command, open_demo_practice
from tests.ui.conftest import SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

GOOD_NPI = npi_with_check_digit("123456789")


def _press(qtbot: QtBot, wizard: QWizard, button: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(button), Qt.MouseButton.LeftButton)


def _type(widget: QLineEdit | QPlainTextEdit, text: str) -> None:
    widget.setFocus()
    type_text(widget, text)


def test_a_brand_new_database_is_welcomed(db: Database) -> None:
    assert needs_welcome(db)


def test_the_small_practice_is_not_welcomed(db: Database, practice: SmallPractice) -> None:
    assert not needs_welcome(db)


def test_a_new_practice_is_set_up_in_four_steps_and_the_window_follows(
    qtbot: QtBot, db: Database
) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    wizard = window.open_welcome()
    qtbot.waitExposed(wizard)
    assert db.file is not None and str(db.file) in wizard.intro.text.text()
    assert str(db.file.parent / "backups") in wizard.intro.text.text()

    _press(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.practice_step
    _press(qtbot, wizard, QWizard.WizardButton.NextButton)  # no name yet: refused, said why
    assert wizard.currentPage() is wizard.practice_step
    name = wizard.practice_page.practice_fields["name"]
    assert "practice's name" in name.problem
    _type(name.editor, "Cedar & Sage Clinical Massage")  # type: ignore[arg-type]
    _type(wizard.practice_page.practice_fields["phone"].editor, "(206) 555-0100")  # type: ignore[arg-type]
    _press(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentPage() is wizard.provider_step
    fields = wizard.providers_page.provider_fields
    assert len(wizard.providers_page.drafts) == 1  # one provider to fill in, already added
    _type(fields["first_name"].editor, "Zoë")  # type: ignore[arg-type]
    _type(fields["last_name"].editor, "Nguyễn")  # type: ignore[arg-type]
    _type(fields["credentials"].editor, "LMT")  # type: ignore[arg-type]
    _type(fields["npi"].editor, "1234567890")  # type: ignore[arg-type]
    _press(qtbot, wizard, QWizard.WizardButton.NextButton)  # a wrong check digit: refused
    assert wizard.currentPage() is wizard.provider_step
    assert fields["npi"].problem
    npi = fields["npi"].editor
    assert isinstance(npi, QLineEdit)
    npi.clear()
    _type(npi, GOOD_NPI)
    _press(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentPage() is wizard.safety_step
    wizard.safety_step.password_box.setChecked(False)
    _press(qtbot, wizard, QWizard.WizardButton.FinishButton)

    assert not wizard.isVisible()
    with db.read() as session:
        assert read_practice(session).name == "Cedar & Sage Clinical Massage"
        (provider,) = list_provider_details(session)
        assert (provider.first_name, provider.last_name, provider.npi) == (
            "Zoë",
            "Nguyễn",
            GOOD_NPI,
        )
    assert "Cedar & Sage Clinical Massage" in window.windowTitle()
    assert not needs_welcome(db)
    window.close()


def test_asking_for_an_unlock_password_opens_its_dialog_after_the_welcome(
    qtbot: QtBot, db: Database
) -> None:
    window = MainWindow(db)
    qtbot.addWidget(window)
    window.show()
    wizard = window.open_welcome()
    wizard.practice_page.practice_fields["name"].editor.setFocus()
    _type(wizard.practice_page.practice_fields["name"].editor, "Solo Practice")  # type: ignore[arg-type]
    wizard.providers_page.add_provider_button.click()
    _type(wizard.providers_page.provider_fields["last_name"].editor, "Rivera")  # type: ignore[arg-type]
    assert wizard.wants_password
    wizard.accept()
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, UnlockPasswordDialog) and w.isVisible()
            for w in QApplication.topLevelWidgets()
        )
    )
    window.close()


def test_a_refused_save_keeps_the_wizard_open_with_the_reason(qtbot: QtBot, db: Database) -> None:
    wizard = WelcomeWizard(db, Settings.load(database=db))
    qtbot.addWidget(wizard)
    wizard.show()
    _type(wizard.practice_page.practice_fields["name"].editor, "Cedar")  # type: ignore[arg-type]

    @event.listens_for(db.engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")  # as on a read-only drive

    db.engine.dispose()
    wizard.accept()
    assert wizard.isVisible()
    assert wizard.safety_step.problem.text().startswith("Not saved:")
    event.remove(db.engine, "connect", _read_only)
    db.engine.dispose()
    with db.read() as session:
        assert read_practice(session).name == ""


def test_the_demo_practice_opens_in_its_own_database(tmp_path: Path) -> None:
    started: list[list[str]] = []
    path = open_demo_practice(tmp_path, start=lambda command: started.append(command) or True)
    assert path == tmp_path / "demo.db"
    assert started == [demo_command(path)]
    assert started[0][-2:] == ["--db", str(path)]
    connection = sqlite3.connect(path)
    try:
        clients = connection.execute("SELECT count(*) FROM clients").fetchone()[0]
        assert clients > 0
    finally:
        connection.close()
    open_demo_practice(tmp_path, start=lambda command: True)  # opened again: not seeded twice
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("SELECT count(*) FROM clients").fetchone()[0] == clients
    finally:
        connection.close()


def test_the_welcome_says_where_the_demo_opened_or_why_not(qtbot: QtBot, db: Database) -> None:
    from massage_chart.storage.database import StorageError

    opened = WelcomeWizard(db, Settings.load(database=db), demo=lambda: Path("/somewhere/demo.db"))
    qtbot.addWidget(opened)
    opened.show()
    qtbot.mouseClick(opened.intro.demo_button, Qt.MouseButton.LeftButton)
    assert "/somewhere/demo.db" in opened.intro.demo_note.text()

    def broken() -> Path:
        raise StorageError("The disk is full.")

    failed = WelcomeWizard(db, Settings.load(database=db), demo=broken)
    qtbot.addWidget(failed)
    failed.show()
    qtbot.mouseClick(failed.intro.demo_button, Qt.MouseButton.LeftButton)
    assert "disk is full" in failed.intro.demo_problem.text()
    assert failed.intro.demo_problem.isVisible()
