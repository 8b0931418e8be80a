"""Outcome measures in the window: the client's large-type form, paper entry, and Progress."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from massage_chart.domain.outcomes import measure
from massage_chart.storage.database import Database
from massage_chart.storage.outcomes import list_outcomes, record_outcome
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.outcomes.form import OutcomeForm
from massage_chart.ui.progress.progress_dialog import ProgressDialog
from tests.ui.conftest import TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _form(qtbot: QtBot, db: Database, code: str, client_id: str) -> OutcomeForm:
    form = OutcomeForm(db, measure(code), client_id, taken_on=TODAY, today=lambda: TODAY)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def _click(qtbot: QtBot, form: OutcomeForm, row: int, value: int) -> None:
    button = form.rows[row].group.button(value)
    form.scroll_area.ensureWidgetVisible(button)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_client_answers_every_lefs_item_and_the_score_is_filed(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    form = _form(qtbot, db, "lefs", practice.zoe_id)
    assert len(form.rows) == 20
    for row in range(18):
        _click(qtbot, form, row, 3)
    qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    assert form.isVisible()
    assert form.problem_label.text() == "2 questions are not answered yet: 19, 20."
    _click(qtbot, form, 18, 4)
    _click(qtbot, form, 19, 2)
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        (entry,) = list_outcomes(session, practice.zoe_id)
    assert entry.score == 18 * 3 + 4 + 2
    assert entry.source == "client" and entry.taken_on == TODAY


def test_psfs_from_paper_keeps_the_client_s_activities_for_next_time(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    form = _form(qtbot, db, "psfs", practice.zoe_id)
    assert len(form.rows) == 3  # three to start, up to five
    names = ("Lift my daughter", "Drive 30 min", "Garden")
    for edit, text in zip(form.activity_edits, names, strict=True):
        edit.setFocus()
        type_text(edit, text)
    for row, value in enumerate((2, 4, 5)):
        _click(qtbot, form, row, value)
    form.source_box.setCurrentIndex(form.source_box.findData("paper"))
    qtbot.mouseClick(form.add_activity_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.add_activity_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(form.add_activity_button, Qt.MouseButton.LeftButton)  # no sixth
    assert len(form.rows) == 5 and not form.add_activity_button.isEnabled()
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)  # two empty rows ignored
    with db.read() as session:
        (entry,) = list_outcomes(session, practice.zoe_id)
    assert entry.activities == ("Lift my daughter", "Drive 30 min", "Garden")
    assert entry.score == 3.7 and entry.source == "paper"

    again = _form(qtbot, db, "psfs", practice.zoe_id)
    assert [e.text() for e in again.activity_edits] == [
        "Lift my daughter",
        "Drive 30 min",
        "Garden",
    ]


def test_a_rating_without_its_activity_is_refused(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    form = _form(qtbot, db, "psfs", practice.zoe_id)
    for row in range(3):
        _click(qtbot, form, row, 5)
    form.activity_edits[0].setText("Run")
    qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    assert form.problem_label.text() == "PSFS: name each activity you rate."
    with db.read() as session:
        assert list_outcomes(session, practice.zoe_id) == []


def test_progress_shows_each_measure_against_its_mcid(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    with db.write() as session:
        for days, answers in ((0, [2] * 20), (14, [2] * 10 + [3] * 10), (28, [3] * 20)):
            record_outcome(
                session, practice.zoe_id, "lefs", answers,
                taken_on=dt.date(2026, 10, 1) + dt.timedelta(days=days), source="client",
            )  # fmt: skip
    dialog = ProgressDialog(db, practice.zoe_id, today=lambda: TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentWidget(dialog.outcomes)
    sentence = dialog.outcomes.sentences["lefs"].text()
    assert sentence.startswith("LEFS 40/80 → 60/80 (+20): improved, beyond the MCID of 9")
    chart = dialog.outcomes.charts["lefs"]
    assert chart.band_range() == (31, 49)
    assert chart.scores.count() == 3


def test_the_client_menu_opens_a_measure_for_the_selected_visit(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice, db: Database
) -> None:
    window.select_client(practice.zoe_id)
    window.detail_panel.select_visit(practice.zoe_first_visit_id)
    pain = next(a for a in window.outcome_actions if a.text().startswith("Numeric Pain"))
    pain.trigger()
    form = next(w for w in QApplication.topLevelWidgets() if isinstance(w, OutcomeForm))
    assert form.visit_id == practice.zoe_first_visit_id
    assert form.day_edit.date().toPython() == dt.date(2026, 10, 1)  # the visit's day
    _click(qtbot, form, 0, 6)
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        (entry,) = list_outcomes(session, practice.zoe_id)
    assert (entry.score, entry.visit_id) == (6, practice.zoe_first_visit_id)
