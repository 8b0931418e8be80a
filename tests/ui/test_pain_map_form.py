"""The client's pain map in the window: places touched on the front and back of the body, the
symptom questions, filed and scored; nothing lost when an answer is missing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database
from massage_chart.storage.pain_maps import list_pain_maps
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.outcomes.pain_map_form import PainMapForm
from tests.ui.conftest import TODAY, SmallPractice

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

WIDESPREAD = (
    "posterior:upper_trapezius.l", "posterior:upper_trapezius.r", "anterior:biceps.r",
    "anterior:forearm_flexors.l", "posterior:lumbar_spine", "posterior:cervical_spine",
    "posterior:gluteus_maximus.r", "posterior:medial_hamstring.l",
)  # fmt: skip


def _form(qtbot: QtBot, db: Database, client_id: str) -> PainMapForm:
    form = PainMapForm(db, client_id, taken_on=TODAY, today=lambda: TODAY)
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form)
    return form


def _touch(qtbot: QtBot, form: PainMapForm, key: str) -> None:
    point = form.picker.point_of(key).toPoint()
    qtbot.mouseClick(form.picker.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_the_client_touches_where_it_hurts_answers_the_symptoms_and_it_is_scored(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    form = _form(qtbot, db, practice.zoe_id)
    assert form.places_label.text().startswith("Nothing marked")
    # The client reads plain words under the figures, not the chart's clinical captions.
    assert [f.caption for f in form.picker.figures.values()] == [
        "The front of you", "The back of you",
    ]  # fmt: skip
    for key in WIDESPREAD:
        _touch(qtbot, form, key)
    _touch(qtbot, form, "anterior:palm.r")
    _touch(qtbot, form, "anterior:palm.r")  # a second touch takes it off
    assert form.picker.marked() == list(WIDESPREAD)
    assert form.places_label.text().startswith("You marked 8 places: ")
    assert "low back, on the spine; back of the neck; right buttock" in form.places_label.text()
    for key, value in (("fatigue", 2), ("unrefreshed", 2), ("cognitive", 1)):
        form.severity_rows[key].choose(value)
    form.bothered_rows["headaches"].choose(1)
    qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    assert form.isVisible(), "half the symptom questions answered: nothing filed yet"
    assert "2 not answered yet" in form.problem_label.text()
    assert form.picker.marked() == list(WIDESPREAD)  # nothing lost
    form.bothered_rows["abdomen"].choose(0)
    form.bothered_rows["depression"].choose(0)
    form.duration_row.choose(1)
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        (entry,) = list_pain_maps(session, practice.zoe_id)
    score = entry.score
    assert (score.wpi, score.sss, score.severity_score) == (8, 6, 14)
    assert score.criteria is not None and score.criteria.met is True
    assert entry.source == "client" and entry.taken_on == TODAY


def test_a_paper_map_without_the_symptom_questions(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    form = _form(qtbot, db, practice.zoe_id)
    _touch(qtbot, form, "posterior:sacrum")
    form.source_box.setCurrentIndex(form.source_box.findData("paper"))
    with qtbot.waitSignal(form.recorded):
        qtbot.mouseClick(form.done_button, Qt.MouseButton.LeftButton)
    with db.read() as session:
        (entry,) = list_pain_maps(session, practice.zoe_id)
    assert entry.score.wpi == 1 and entry.symptoms is None and entry.source == "paper"


def test_the_menu_opens_it_for_the_selected_client(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice
) -> None:
    window.select_client(practice.zoe_id)
    window.pain_map_action.trigger()
    form = window.findChild(PainMapForm)
    assert form is not None and form.client_id == practice.zoe_id
    form.reject()
