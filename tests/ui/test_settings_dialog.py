"""The Settings window with real typing and clicks; assertions on the database and the file."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.domain.identifiers import npi_with_check_digit
from massage_chart.domain.record_kinds import UnitRule
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent, Provider
from massage_chart.storage.practice import (
    add_provider,
    list_provider_details,
    read_practice,
    update_practice,
)
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.storage.settings import Settings
from massage_chart.ui.settings import SettingsDialog
from tests.ui.conftest import type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

GOOD_NPI = npi_with_check_digit("123456789")


class Chooser:
    """Stands in for the file and folder dialogs: answers with the next path given."""

    def __init__(self) -> None:
        self.answers: list[Path | None] = []
        self.titles: list[str] = []

    def image(self, _parent: QWidget, title: str) -> Path | None:
        self.titles.append(title)
        return self.answers.pop(0)

    def folder(self, _parent: QWidget, title: str, _start: str) -> Path | None:
        self.titles.append(title)
        return self.answers.pop(0)


@pytest.fixture
def chooser() -> Chooser:
    return Chooser()


@pytest.fixture
def settings(db: Database, tmp_path: Path) -> Settings:
    return Settings.load(tmp_path / "config" / "settings.json", database=db)


@pytest.fixture
def seeded(db: Database) -> dict[str, str]:
    with db.write() as session:
        update_practice(session, {"name": "Harbor Street Massage"})
        rivera = add_provider(
            session, {"first_name": "Alexandra", "last_name": "Rivera", "credentials": "LMT"}
        )
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        create_visit(session, client.id, provider_id=rivera.id, start=dt.datetime(2026, 10, 1, 9))
    return {"rivera": rivera.id}


@pytest.fixture
def make_dialog(
    qtbot: QtBot, db: Database, settings: Settings, chooser: Chooser
) -> Callable[..., SettingsDialog]:
    def make(confirm: Callable[[QWidget], bool] = lambda _w: True) -> SettingsDialog:
        dialog = SettingsDialog(
            db,
            settings,
            choose_image=chooser.image,
            choose_folder=chooser.folder,
            confirm_discard=confirm,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def open_page(qtbot: QtBot, dialog: SettingsDialog, name: str) -> None:
    row = dialog.PAGES.index(name)
    rect = dialog.page_list.visualItemRect(dialog.page_list.item(row))
    qtbot.mouseClick(dialog.page_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.pages.currentIndex() == row


def click_provider(qtbot: QtBot, dialog: SettingsDialog, row: int | str) -> None:
    if isinstance(row, str):
        (item,) = dialog.providers_page.provider_list.findItems(row, Qt.MatchFlag.MatchStartsWith)
        row = dialog.providers_page.provider_list.row(item)
    rect = dialog.providers_page.provider_list.visualItemRect(
        dialog.providers_page.provider_list.item(row)
    )
    qtbot.mouseClick(
        dialog.providers_page.provider_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )


def retype(qtbot: QtBot, editor: QWidget, text: str) -> None:
    """Go to the field, select what is in it and type over it, as a user does."""
    editor.window().activateWindow()
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor, Qt.Key.Key_Delete)
    type_text(editor, text)


def click_save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)


def image_file(path: Path, fmt: str = "PNG", size: tuple[int, int] = (300, 100)) -> Path:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format=fmt)
    path.write_bytes(out.getvalue())
    return path


# --------------------------------------------------------------------------- settings


def test_auto_lock_of_5_minutes_is_saved_and_announced(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], settings: Settings
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Security")
    spin = dialog.security_page.auto_lock_spin
    assert spin.text() == "10 minutes"
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "5")
    heard: list[str] = []
    dialog.settings_changed.connect(heard.append)
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        click_save(qtbot, dialog)
    assert changed.args == ["auto_lock_minutes"]
    assert heard == ["auto_lock_minutes"]
    assert not dialog.isVisible()
    assert settings.auto_lock_minutes == 5
    assert Settings.load(settings.path).auto_lock_minutes == 5  # on disk, not just in memory


def test_never_is_0_minutes(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], settings: Settings
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Security")
    spin = dialog.security_page.auto_lock_spin
    spin.setFocus()
    qtbot.keyClick(spin, Qt.Key.Key_PageDown)  # ten minutes down
    assert spin.value() == 0 and spin.text() == "Never"
    click_save(qtbot, dialog)
    assert settings.auto_lock_minutes == 0


def test_the_security_page_leaves_room_for_encryption_buttons(
    make_dialog: Callable[..., SettingsDialog],
) -> None:
    dialog = make_dialog()
    assert isinstance(dialog.security_page.extra_layout, QVBoxLayout)
    assert dialog.security_page.extra_layout.count() == 0


def test_saving_nothing_changed_announces_nothing(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], settings: Settings
) -> None:
    dialog = make_dialog()
    with (
        qtbot.assertNotEmitted(dialog.settings_changed),
        qtbot.assertNotEmitted(dialog.practice_changed),
    ):
        click_save(qtbot, dialog)
    assert not settings.path.exists()


def test_the_unit_rule_is_saved_on_the_practice(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database, settings: Settings
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Billing")
    ama = dialog.billing_page.unit_rule_buttons[UnitRule.AMA]
    qtbot.mouseClick(ama, Qt.MouseButton.LeftButton, pos=QPoint(8, ama.height() // 2))
    assert ama.isChecked()
    with qtbot.waitSignal(dialog.settings_changed) as changed:
        click_save(qtbot, dialog)
    assert changed.args == ["default_unit_rule"]
    with db.read() as session:
        assert read_practice(session).default_unit_rule is UnitRule.AMA


def test_backup_folder_chosen_and_counts_saved(
    qtbot: QtBot,
    make_dialog: Callable[..., SettingsDialog],
    settings: Settings,
    chooser: Chooser,
    tmp_path: Path,
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Backups")
    assert str(tmp_path / "backups") in dialog.backups_page.backup_folder_field.hint_label.text()
    chooser.answers.append(tmp_path / "USB stick")
    qtbot.mouseClick(
        dialog.backups_page.backup_folder_picker.choose_button, Qt.MouseButton.LeftButton
    )
    assert dialog.backups_page.backup_folder_picker.text() == str(tmp_path / "USB stick")
    assert "USB stick" in dialog.backups_page.backup_folder_field.hint_label.text()
    retype(qtbot, dialog.backups_page.backups_to_keep_spin.lineEdit(), "25")
    click_save(qtbot, dialog)
    assert not dialog.isVisible()
    assert settings.backup_folder(tmp_path / "practice.db") == tmp_path / "USB stick"
    assert settings.backups_to_keep == 25
    assert (tmp_path / "USB stick").is_dir()  # tried for real when saved


def test_a_backup_folder_that_cannot_be_written_is_refused_next_to_it(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], settings: Settings, tmp_path: Path
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder", encoding="utf-8")
    dialog = make_dialog()
    open_page(qtbot, dialog, "Backups")
    retype(qtbot, dialog.backups_page.backup_folder_picker.line_edit, str(blocker / "backups"))
    open_page(qtbot, dialog, "Security")
    click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.pages.currentIndex() == dialog.PAGES.index("Backups")
    assert "cannot be written" in dialog.backups_page.backup_folder_field.problem
    assert dialog.backups_page.backup_folder_picker.text() == str(blocker / "backups")
    assert settings.get("backup_folder") == ""
    retype(qtbot, dialog.backups_page.backup_folder_picker.line_edit, "relative/folder")
    assert dialog.backups_page.backup_folder_field.problem == ""  # cleared as the user types
    click_save(qtbot, dialog)
    assert "must be a full path" in dialog.backups_page.backup_folder_field.problem


# --------------------------------------------------------------------------- practice


def test_practice_details_and_logo_saved(
    qtbot: QtBot,
    make_dialog: Callable[..., SettingsDialog],
    db: Database,
    chooser: Chooser,
    tmp_path: Path,
    seeded: dict[str, str],
) -> None:
    dialog = make_dialog()
    name = dialog.practice_page.practice_fields["name"].editor
    assert isinstance(name, QLineEdit) and name.text() == "Harbor Street Massage"
    retype(qtbot, name, "عيادة 和平 Massage 💆")
    address = dialog.practice_page.practice_fields["address"].editor
    address.setFocus()
    type_text(address, "12 Harbor St")
    qtbot.keyClick(address, Qt.Key.Key_Return)
    type_text(address, "Salem, MA")
    chooser.answers.append(image_file(tmp_path / "logo.jpg", "JPEG"))
    qtbot.mouseClick(dialog.practice_page.logo_picker.choose_button, Qt.MouseButton.LeftButton)
    assert dialog.practice_page.logo_picker.preview.pixmap() is not None
    assert not dialog.practice_page.logo_picker.preview.pixmap().isNull()
    with qtbot.waitSignal(dialog.practice_changed):
        click_save(qtbot, dialog)
    with db.read() as session:
        practice = read_practice(session)
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert practice.name == "عيادة 和平 Massage 💆"
    assert practice.address == "12 Harbor St\nSalem, MA"
    assert practice.logo_png is not None and practice.logo_png.startswith(b"\x89PNG")
    assert events[-1].detail == f"practice {practice.id}: name, address, logo_png"


def test_a_pdf_renamed_as_a_logo_is_refused_and_the_old_logo_kept(
    qtbot: QtBot,
    make_dialog: Callable[..., SettingsDialog],
    db: Database,
    chooser: Chooser,
    tmp_path: Path,
) -> None:
    dialog = make_dialog()
    chooser.answers.append(image_file(tmp_path / "logo.png"))
    qtbot.mouseClick(dialog.practice_page.logo_picker.choose_button, Qt.MouseButton.LeftButton)
    first = dialog.practice_page.logo_picker.image()
    fake = tmp_path / "letterhead.png"
    fake.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    chooser.answers.append(fake)
    qtbot.mouseClick(dialog.practice_page.logo_picker.choose_button, Qt.MouseButton.LeftButton)
    assert "is a PDF, not an image" in dialog.practice_page.logo_picker.field.problem
    assert dialog.practice_page.logo_picker.image() == first
    click_save(qtbot, dialog)
    with db.read() as session:
        assert read_practice(session).logo_png == first


def test_removing_the_logo(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database, tmp_path: Path
) -> None:
    with db.write() as session:
        png = io.BytesIO()
        Image.new("RGB", (40, 20), "red").save(png, format="PNG")
        update_practice(session, {"name": "Calm", "logo_png": png.getvalue()})
    dialog = make_dialog()
    assert dialog.practice_page.logo_picker.remove_button.isEnabled()
    qtbot.mouseClick(dialog.practice_page.logo_picker.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.practice_page.logo_picker.preview.text() == "No logo"
    click_save(qtbot, dialog)
    with db.read() as session:
        assert read_practice(session).logo_png is None


def test_a_100000_character_name_is_refused_and_kept_as_pasted(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database
) -> None:
    dialog = make_dialog()
    name = dialog.practice_page.practice_fields["name"].editor
    assert isinstance(name, QLineEdit)
    name.setFocus()
    QApplication.clipboard().setText("N" * 100_000)
    qtbot.keyClick(name, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(name.text()) == 100_000  # not cut silently at Qt's 32,767
    click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert (
        "100,000 characters; the most is 200"
        in dialog.practice_page.practice_fields["name"].problem
    )
    assert len(name.text()) == 100_000
    with db.read() as session:
        assert read_practice(session).id == ""
    # Fixing it clears the message as the user types.
    retype(qtbot, name, "Calm Hands")
    assert dialog.practice_page.practice_fields["name"].problem == ""


def test_a_nul_character_is_named(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database
) -> None:
    dialog = make_dialog()
    address = dialog.practice_page.practice_fields["address"].editor
    assert isinstance(address, QPlainTextEdit)
    address.setFocus()
    QApplication.clipboard().setText("12 Harbor\x00 St")  # typing cannot make a NUL; a paste can
    qtbot.keyClick(address, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert "NUL character" in dialog.practice_page.practice_fields["address"].problem
    assert address.toPlainText() == "12 Harbor\x00 St"


# --------------------------------------------------------------------------- providers


def test_a_bad_npi_shows_the_message_and_keeps_the_text(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database, seeded: dict[str, str]
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Providers")
    click_provider(qtbot, dialog, 0)
    npi = dialog.providers_page.provider_fields["npi"].editor
    retype(qtbot, npi, "1234567890")
    qtbot.keyClick(npi, Qt.Key.Key_Tab)  # leaving the field checks it
    assert "check digit is wrong" in dialog.providers_page.provider_fields["npi"].problem
    open_page(qtbot, dialog, "Practice")
    with qtbot.assertNotEmitted(dialog.providers_changed):
        click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.pages.currentIndex() == dialog.PAGES.index("Providers")
    assert "check digit is wrong" in dialog.providers_page.provider_fields["npi"].problem
    assert isinstance(npi, QLineEdit) and npi.text() == "1234567890"
    with db.read() as session:
        assert session.get(Provider, seeded["rivera"]).npi == ""  # type: ignore[union-attr]
    # Correcting the last digit clears the message while typing; then it saves.
    qtbot.keyClick(npi, Qt.Key.Key_Backspace)
    type_text(npi, "3")
    assert dialog.providers_page.provider_fields["npi"].problem == ""
    with qtbot.waitSignal(dialog.providers_changed):
        click_save(qtbot, dialog)
    with db.read() as session:
        assert session.get(Provider, seeded["rivera"]).npi == GOOD_NPI  # type: ignore[union-attr]


def test_add_a_provider_with_a_signature(
    qtbot: QtBot,
    make_dialog: Callable[..., SettingsDialog],
    db: Database,
    chooser: Chooser,
    tmp_path: Path,
    seeded: dict[str, str],
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Providers")
    qtbot.mouseClick(dialog.providers_page.add_provider_button, Qt.MouseButton.LeftButton)
    assert dialog.providers_page.provider_list.count() == 2
    assert dialog.providers_page.provider_list.currentItem().text() == "New provider"
    type_text(dialog.providers_page.provider_fields["first_name"].editor, "小明")
    retype(qtbot, dialog.providers_page.provider_fields["last_name"].editor, "王")
    retype(qtbot, dialog.providers_page.provider_fields["credentials"].editor, "LMT")
    retype(qtbot, dialog.providers_page.provider_fields["license_number"].editor, "MA.60012345")
    retype(qtbot, dialog.providers_page.provider_fields["npi"].editor, GOOD_NPI)
    assert (
        dialog.providers_page.provider_list.currentItem().text() == "王小明, LMT"
    )  # family name first
    chooser.answers.append(image_file(tmp_path / "signature.png", size=(400, 120)))
    qtbot.mouseClick(
        dialog.providers_page.signature_picker.choose_button, Qt.MouseButton.LeftButton
    )
    # Looking at the other provider and back keeps what was typed.
    click_provider(qtbot, dialog, 0)
    click_provider(qtbot, dialog, 1)
    name = dialog.providers_page.provider_fields["first_name"].editor
    assert isinstance(name, QLineEdit) and name.text() == "小明"
    with qtbot.waitSignal(dialog.providers_changed):
        click_save(qtbot, dialog)
    with db.read() as session:
        providers = {p.first_name: p for p in list_provider_details(session)}
        events = [e.detail for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    added = providers["小明"]
    assert (added.last_name, added.credentials, added.npi) == ("王", "LMT", GOOD_NPI)
    assert added.license_number == "MA.60012345"
    assert added.signature_png is not None and added.signature_png.startswith(b"\x89PNG")
    assert events[-1].startswith(f"provider {added.id}: added (")


def test_a_new_provider_needs_a_name(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Providers")
    assert (
        dialog.providers_page.provider_stack.currentWidget()
        is dialog.providers_page.no_provider_label
    )
    qtbot.mouseClick(dialog.providers_page.add_provider_button, Qt.MouseButton.LeftButton)
    retype(qtbot, dialog.providers_page.provider_fields["credentials"].editor, "LMT")
    click_save(qtbot, dialog)
    assert "first or last name" in dialog.providers_page.provider_fields["first_name"].problem
    with db.read() as session:
        assert list_provider_details(session) == []
    # An unsaved provider can be removed again.
    qtbot.mouseClick(dialog.providers_page.deactivate_button, Qt.MouseButton.LeftButton)
    assert dialog.providers_page.provider_list.count() == 0


def test_a_provider_who_has_visits_is_deactivated(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database, seeded: dict[str, str]
) -> None:
    dialog = make_dialog()
    open_page(qtbot, dialog, "Providers")
    click_provider(qtbot, dialog, 0)
    assert dialog.providers_page.deactivate_button.text() == "Deactivate"
    qtbot.mouseClick(dialog.providers_page.deactivate_button, Qt.MouseButton.LeftButton)
    assert dialog.providers_page.provider_list.item(0).text() == "Alexandra Rivera, LMT (inactive)"
    assert dialog.providers_page.deactivate_button.text() == "Reactivate"
    click_save(qtbot, dialog)
    with db.read() as session:
        (rivera,) = list_provider_details(session)
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert not rivera.active and rivera.visit_count == 1
    assert last is not None and last.detail == f"provider {rivera.id}: deactivated"


def test_two_providers_with_one_npi_are_refused_by_the_database_check(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database, seeded: dict[str, str]
) -> None:
    with db.write() as session:
        add_provider(session, {"first_name": "Sam", "last_name": "Lee", "npi": GOOD_NPI})
    dialog = make_dialog()
    open_page(qtbot, dialog, "Providers")
    click_provider(qtbot, dialog, "Alexandra Rivera")
    retype(qtbot, dialog.providers_page.provider_fields["npi"].editor, GOOD_NPI)
    retype(qtbot, dialog.providers_page.provider_fields["credentials"].editor, "LMT, CMLDT")
    click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert "Sam Lee already has the NPI" in dialog.providers_page.provider_fields["npi"].problem
    with db.read() as session:
        stored = session.get(Provider, seeded["rivera"])
        assert stored is not None and stored.credentials == "LMT"  # nothing half-saved


# --------------------------------------------------------------------------- cancel


def test_cancel_asks_before_discarding_and_saves_nothing(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], db: Database, settings: Settings
) -> None:
    answers = [False, True]
    asked: list[bool] = []

    def confirm(_parent: QWidget) -> bool:
        asked.append(True)
        return answers.pop(0)

    dialog = make_dialog(confirm)
    retype(qtbot, dialog.practice_page.practice_fields["name"].editor, "Calm Hands")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and len(asked) == 1
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and len(asked) == 2
    with db.read() as session:
        assert read_practice(session).name == ""
    assert not settings.path.exists()


def test_cancel_without_changes_does_not_ask(
    qtbot: QtBot, make_dialog: Callable[..., SettingsDialog], seeded: dict[str, str]
) -> None:
    def confirm(_parent: QWidget) -> bool:
        raise AssertionError("nothing changed: no question expected")

    dialog = make_dialog(confirm)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_a_settings_file_that_cannot_be_written_keeps_the_window_open(
    qtbot: QtBot, qapp: QApplication, db: Database, tmp_path: Path, chooser: Chooser
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    settings = Settings.load(blocker / "settings.json", database=db)
    dialog = SettingsDialog(db, settings, choose_image=chooser.image, choose_folder=chooser.folder)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    retype(qtbot, dialog.practice_page.practice_fields["name"].editor, "Calm Hands")
    dialog.security_page.auto_lock_spin.setValue(3)
    click_save(qtbot, dialog)
    assert dialog.isVisible()
    assert "could not be saved" in dialog.problem_label.text()
    with db.read() as session:  # the practice went in; Save again does not write it twice
        assert read_practice(session).name == "Calm Hands"
        count = len(list(session.scalars(select(AuditEvent))))
    click_save(qtbot, dialog)
    with db.read() as session:
        assert len(list(session.scalars(select(AuditEvent)))) == count
