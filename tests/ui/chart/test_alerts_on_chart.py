"""Safety alerts on the body chart: the client on warfarin, pregnant, with a DVT, charted as a
therapist would: the alerts over the map, warnings as marks are made, the stop/refer hold until
an override reason is recorded, and the regions the alerts name hatched and proposed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from massage_chart.domain.alerts import AlertTier
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.marks import MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.client_records import override_reasons, record_override
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import (
    add_health_history_version,
    get_visit,
)
from massage_chart.ui.chart import VisitChartWindow
from tests.ui.chart.conftest import Course, inner, open_chart

# The offscreen platform cannot resize a dock's window to its size hint; real screens can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def give_history(db: Database, course: Course, dvt: str) -> None:
    """Zoë's health history: on warfarin, 24 weeks pregnant, a DVT, a knee operated 3 weeks ago."""
    with db.write() as session:
        add_health_history_version(
            session,
            course.client_id,
            conditions=[dvt],
            medications=[MedicationInfo("Warfarin 5 mg")],
            surgeries="right knee arthroscopy 2026-11-02",
            pregnant=True,
            pregnancy_weeks=24,
        )


def click_region(qtbot: QtBot, window: VisitChartWindow, view: str, region_id: str) -> None:
    """Click the middle of a region with the current tool."""
    window.show_view(view)
    figure = window.scene.figures[view]
    point = window.view.mapFromScene(figure.mapToScene(figure.to_local(*inner(view, region_id))))
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def stored_kinds(db: Database, visit_id: str) -> list[tuple[MarkKind, str | None]]:
    with db.read() as session:
        return [(m.kind, m.region_id) for m in store.list_marks(session, visit_id)]


@pytest.fixture
def history_of_dvt(qtbot: QtBot, db: Database, course: Course) -> Iterator[VisitChartWindow]:
    """A DVT in the past (a deep-tissue caution, not a stop): today's chart opened."""
    give_history(db, course, "history of DVT left calf 2019")
    window = open_chart(qtbot, db, course.today_visit_id)
    yield window
    window.document.undo_stack.clear()


def test_the_alerts_show_over_the_map_by_tier(history_of_dvt: VisitChartWindow) -> None:
    panel = history_of_dvt.alerts_panel
    assert panel.isVisible()
    tiers = panel.banner.shown_tiers()
    assert tiers == sorted(tiers, key=lambda t: t.rank)
    assert AlertTier.DEEP_TISSUE_CAUTION in tiers
    assert AlertTier.LOCAL_AVOID in tiers
    cautions = " ".join(panel.banner.tier_texts()[AlertTier.DEEP_TISSUE_CAUTION])
    assert "Warfarin" in cautions
    assert "DVT" in cautions
    assert not panel.stop_notice.isVisible()
    assert history_of_dvt.tool_actions[MarkKind.TRIGGER_POINT_ACTIVE.value].isEnabled()


def test_trigger_point_and_deep_pressure_are_warned_as_they_are_charted(
    qtbot: QtBot, db: Database, course: Course, history_of_dvt: VisitChartWindow
) -> None:
    chart = history_of_dvt
    panel = chart.alerts_panel
    assert not panel.mark_notes.isVisible()
    chart.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    click_region(qtbot, chart, "posterior", "upper_trapezius.r")
    # Charted at once, not blocked: the warning is beside the map and in the inspector.
    assert (MarkKind.TRIGGER_POINT_ACTIVE, "upper_trapezius.r") in stored_kinds(
        db, course.today_visit_id
    )
    assert panel.mark_notes.isVisible()
    assert "trigger-point work" in panel.mark_notes.text()
    assert chart.inspector.alert_warnings.isVisible()
    assert "Blood thinner (anticoagulant)" in chart.inspector.alert_warnings.text()
    assert "trigger-point work" in chart.inspector.alert_warnings.toolTip()

    chart.set_tool(MarkKind.TREATED)
    click_region(qtbot, chart, "posterior", "lower_trapezius.l")
    chart.set_tool(None)
    treated = [i for i, m in chart.document.marks.items() if m.kind is MarkKind.TREATED]
    chart.scene.select_marks(treated)
    assert "pressure" not in chart.inspector.alert_warnings.toolTip()
    chart.inspector.pressure.setCurrentIndex(chart.inspector.pressure.findData(5))
    chart.inspector.pressure.activated.emit(chart.inspector.pressure.currentIndex())
    assert chart.document.mark(treated[0]).pressure == 5
    assert "pressure 5" in chart.inspector.alert_warnings.toolTip()
    assert "Recommended maximum: Walton 2" in chart.inspector.alert_warnings.toolTip()
    assert "pressure 5" in panel.mark_notes.text()


def test_work_on_a_region_an_alert_names_is_warned(
    qtbot: QtBot, history_of_dvt: VisitChartWindow
) -> None:
    chart = history_of_dvt
    chart.set_tool(MarkKind.TREATED)
    click_region(qtbot, chart, "anterior", "anterior_knee.r")
    assert "area to avoid (right knee)" in chart.alerts_panel.mark_notes.text()


def test_regions_the_alerts_name_are_hatched_and_proposed_as_areas_to_avoid(
    qtbot: QtBot, db: Database, course: Course, history_of_dvt: VisitChartWindow
) -> None:
    chart = history_of_dvt
    panel = chart.alerts_panel
    anterior = chart.scene.figures["anterior"].alert_region_ids
    posterior = chart.scene.figures["posterior"].alert_region_ids
    assert "anterior_knee.r" in anterior
    assert "anterior_knee.l" not in anterior
    assert "gastrocnemius_medial.l" in posterior  # the DVT calf
    assert "gastrocnemius_medial.r" not in posterior
    assert not chart.scene.figures["anterior"].alert_areas.path().isEmpty()
    assert chart.legend.alert_key.isVisible()
    assert "Hatched on the map" in panel.areas_note.text()
    assert panel.propose_button.isVisible()
    assert "R patella & patellar tendon" in panel.areas_note.text()

    qtbot.mouseClick(panel.propose_button, Qt.MouseButton.LeftButton)
    avoided = {r for k, r in stored_kinds(db, course.today_visit_id) if k is MarkKind.AVOID}
    assert {"anterior_knee.r", "medial_knee.r", "lateral_knee.r", "popliteal.r"} <= avoided
    assert not panel.propose_button.isVisible()  # nothing left to propose
    assert all(
        m.note.startswith("Recent surgery site")
        for m in chart.document.marks.values()
        if m.kind is MarkKind.AVOID
    )
    chart.document.undo_stack.undo()  # one step takes them all back
    assert stored_kinds(db, course.today_visit_id) == []
    assert panel.propose_button.isVisible()


@pytest.fixture
def acute_dvt(qtbot: QtBot, db: Database, course: Course) -> Iterator[VisitChartWindow]:
    """A DVT now (stop/refer): today's chart opened."""
    give_history(db, course, "DVT left calf")
    window = open_chart(qtbot, db, course.today_visit_id)
    yield window
    window.document.undo_stack.clear()


def test_stop_refer_holds_charting_until_an_override_reason_is_recorded(
    qtbot: QtBot, db: Database, course: Course, acute_dvt: VisitChartWindow
) -> None:
    chart = acute_dvt
    panel = chart.alerts_panel
    assert panel.stop_notice.isVisible()
    assert "Charting is stopped" in panel.stop_notice.text()
    assert "Suspected or known blood clot (DVT)" in panel.stop_notice.text()
    assert not chart.tool_actions[MarkKind.TREATED.value].isEnabled()
    assert not chart.copy_forward_action.isEnabled()

    # The key and a click on the calf chart nothing, and the window says why.
    chart.set_tool(MarkKind.TREATED)
    assert chart.scene.tool is None
    assert "Suspected or known blood clot" in chart.problem.text()
    click_region(qtbot, chart, "posterior", "gastrocnemius_medial.l")
    assert stored_kinds(db, course.today_visit_id) == []
    assert (
        chart.document.add_mark(
            MarkKind.TREATED, "posterior", [inner("posterior", "gastrocnemius_medial.l")]
        )
        is None
    )
    assert chart.document.copy_forward() == 0
    assert stored_kinds(db, course.today_visit_id) == []

    field = panel.banner.override_fields["dvt"]
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(field, "Cleared by Dr Osei 2026-11-20; upper body only")
    qtbot.mouseClick(panel.banner.override_buttons["dvt"], Qt.MouseButton.LeftButton)
    with db.read() as session:
        assert override_reasons(get_visit(session, course.today_visit_id)) == {
            "dvt": "Cleared by Dr Osei 2026-11-20; upper body only"
        }
    assert not panel.stop_notice.isVisible()
    assert chart.tool_actions[MarkKind.TREATED.value].isEnabled()
    assert "Override recorded" in " ".join(panel.banner.tier_texts()[AlertTier.STOP_REFER])

    # Charting goes on; the DVT calf stays one to keep off.
    chart.set_tool(MarkKind.TREATED)
    click_region(qtbot, chart, "posterior", "gastrocnemius_medial.l")
    assert stored_kinds(db, course.today_visit_id) == [(MarkKind.TREATED, "gastrocnemius_medial.l")]
    assert "keep off it" in panel.mark_notes.text()


def test_a_signed_chart_shows_the_alerts_without_holding_or_asking(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    give_history(db, course, "DVT left calf")
    chart = open_chart(qtbot, db, course.last_visit_id)
    panel = chart.alerts_panel
    assert chart.document.read_only
    assert AlertTier.STOP_REFER in panel.banner.shown_tiers()
    assert not panel.stop_notice.isVisible()
    assert panel.banner.override_fields == {}
    assert not panel.propose_button.isVisible()


def test_an_override_recorded_in_the_note_lifts_the_hold_on_the_chart(
    qtbot: QtBot, db: Database, course: Course, acute_dvt: VisitChartWindow
) -> None:
    chart = acute_dvt
    assert chart.document.held_by
    with db.write() as session:
        record_override(session, course.today_visit_id, "dvt", "Physician clearance by phone")
    chart.document.note_was_saved()  # what the note editor says after saving
    assert not chart.document.held_by
    assert not chart.alerts_panel.stop_notice.isVisible()
    assert chart.tool_actions[MarkKind.SPASM.value].isEnabled()
    chart.close()
    assert not chart.document.held_by
