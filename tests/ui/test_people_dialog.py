"""People, in the window of a clinic's owner, on a real PostgreSQL: add, move, re-password and
disable a sign-in, each done at once on the server; anyone else is refused by the server."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from massage_chart.storage import clinic
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.people_dialog import NewPerson, PeopleDialog, PersonForm
from tests.storage.test_clinic import Clinic, clinic_db  # noqa: F401  (the fixture)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.mark.postgres
def test_the_owner_adds_moves_repasswords_and_disables_people(
    qtbot: QtBot,
    clinic_db: Clinic,  # noqa: F811
) -> None:
    c = clinic_db
    olive = clinic.sign_in(c.url, "olive", "pw-olive", practice=c.practice)
    asked: list[str] = []

    def new_person(_parent: object, providers: list[tuple[str, str]]) -> NewPerson:
        asked.append(", ".join(name for _ident, name in providers))
        return NewPerson("tess", "therapist", c.stu_provider, "pw-tess")

    try:
        dialog = PeopleDialog(
            olive.database,
            ask_person=new_person,
            ask_new_group=lambda _parent, person: "front_desk",
            ask_new_password=lambda _parent, person: "a new one",
            confirm=lambda _parent, person: True,
        )
        qtbot.addWidget(dialog)
        dialog.show()
        assert [row[0] for row in dialog.rows()] == ["fran", "lee", "olive", "sam", "stu"]
        assert dialog.rows()[3] == ["sam", "Therapist", "Sam Therapist", "yes"]
        assert not dialog.group_button.isEnabled()  # nobody chosen yet
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        assert asked == ["Lee Therapist, Sam Therapist, Stu Therapist"]
        assert ["tess", "Therapist", "Stu Therapist", "yes"] in dialog.rows()
        assert dialog.status.text() == "tess can now sign in as therapist."
        dialog.select("tess")
        qtbot.mouseClick(dialog.group_button, Qt.MouseButton.LeftButton)
        assert dialog.status.text() == "tess is now front desk."
        dialog.select("tess")
        qtbot.mouseClick(dialog.password_button, Qt.MouseButton.LeftButton)
        assert dialog.status.text().startswith("tess has a new password")
        dialog.select("tess")
        qtbot.mouseClick(dialog.disable_button, Qt.MouseButton.LeftButton)
        assert ["tess", "Front desk", "Stu Therapist", "no (disabled)"] in dialog.rows()
        # The last owner stays an owner who can sign in; the server's words, nothing changed.
        dialog.select("olive")
        qtbot.mouseClick(dialog.disable_button, Qt.MouseButton.LeftButton)
        assert dialog.status.text() == (
            "The practice needs an owner who can sign in; add another owner first. "
            "Nothing was changed."
        )
        assert ["olive", "Owner", "—", "yes"] in dialog.rows()
        window = MainWindow(olive.database)
        qtbot.addWidget(window)
        assert window.people_action.isVisible()
        window.close()
    finally:
        olive.database.dispose()


@pytest.mark.postgres
def test_a_therapist_sees_the_people_but_the_server_refuses_their_changes(
    qtbot: QtBot,
    clinic_db: Clinic,  # noqa: F811
) -> None:
    c = clinic_db
    sam = clinic.sign_in(c.url, "sam", "pw-sam", practice=c.practice)
    try:
        dialog = PeopleDialog(
            sam.database,
            ask_person=lambda _parent, _providers: NewPerson("mal", "owner", None, "pw"),
        )
        qtbot.addWidget(dialog)
        assert len(dialog.rows()) == 5
        assert not dialog.add()
        assert dialog.status.text() == (
            "Only an owner of the practice manages its people. Nothing was changed."
        )
        assert len(dialog.rows()) == 5
        window = MainWindow(sam.database)
        qtbot.addWidget(window)
        assert not window.people_action.isVisible()
        window.close()
    finally:
        sam.database.dispose()


def test_the_add_form_asks_for_a_name_and_the_same_password_twice(qtbot: QtBot) -> None:
    form = PersonForm([("p-1", "Sam Lee, LMT")])
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.username, "tess")
    form.provider.setCurrentIndex(form.provider.findData("p-1"))
    qtbot.keyClicks(form.password.first, "secret")
    qtbot.keyClicks(form.password.second, "secreT")
    form._on_ok()
    assert form.isVisible() and form.problem_label.text() == "The two passwords are not the same."
    form.password.second.clear()
    qtbot.keyClicks(form.password.second, "secret")
    form._on_ok()
    assert not form.isVisible()
    assert form.person() == NewPerson("tess", "therapist", "p-1", "secret")
