"""The chart window driven as a therapist would: tools by key, clicks and drags on the body map,
undo and redo, the list and inspector, ghosts and copy forward, a signed chart."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsItem, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkData, MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.chart import VisitChartWindow
from tests.ui.chart.conftest import Course

ATLAS = load_atlas()
# The offscreen platform cannot resize a dock's window to its size hint; real screens can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def chart(qtbot: QtBot, db: Database, course: Course) -> Iterator[VisitChartWindow]:
    """Today's draft chart at laptop size."""
    window = VisitChartWindow(db, course.today_visit_id)
    qtbot.addWidget(window)
    window.resize(1366, 740)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.document.undo_stack.clear()


def stored(db: Database, visit_id: str) -> dict[str, MarkData]:
    with db.read() as session:
        return {m.id: m for m in store.list_marks(session, visit_id)}


def screen_point(window: VisitChartWindow, view: str, x: float, y: float) -> QPoint:
    """Where a frame point of a view is on the viewport."""
    figure = window.scene.figures[view]
    return window.view.mapFromScene(figure.mapToScene(figure.to_local(x, y)))


def press_key(qtbot: QtBot, window: VisitChartWindow, key: str) -> None:
    """Type a shortcut as the therapist would, with the body map focused."""
    window.view.setFocus()
    modifiers = Qt.KeyboardModifier.NoModifier
    if key.startswith("Shift+"):
        modifiers = Qt.KeyboardModifier.ShiftModifier
        key = key.removeprefix("Shift+")
    qtkey = getattr(Qt.Key, f"Key_{key}")
    qtbot.keyClick(window.view.viewport(), qtkey, modifiers)


def click_region(qtbot: QtBot, window: VisitChartWindow, view: str, region_id: str) -> None:
    """Click the middle of a region with the left button (the tool in hand charts there)."""
    point = ATLAS.region(view, region_id).inner_point
    qtbot.mouseClick(
        window.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(window, view, *point),
    )


def drag(qtbot: QtBot, window: VisitChartWindow, points: list[QPoint]) -> None:
    """Press, move through the points and release with the left button."""
    viewport = window.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=points[0])
    for point in points[1:]:
        event = QMouseEvent(
            QMouseEvent.Type.MouseMove,
            QPointF(point),
            QPointF(viewport.mapToGlobal(point)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, event)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=points[-1])


@pytest.mark.parametrize("view", ["anterior", "posterior", "left_lateral", "right_lateral"])
def test_a_click_at_a_regions_inner_point_marks_that_region_and_side(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow, view: str
) -> None:
    chart.show_view(view)
    regions = [r for r in ATLAS.regions(view) if r.side != "midline"][::9]
    press_key(qtbot, chart, "T")
    assert chart.scene.tool is MarkKind.TRIGGER_POINT_ACTIVE
    for region in regions:
        point = screen_point(chart, view, *region.inner_point)
        assert (
            ATLAS.region_at(
                view,
                *chart.scene.figures[view].to_fraction(
                    chart.scene.figures[view].mapFromScene(chart.view.mapToScene(point))
                ),
            )
            == region
        ), "the test point must land in the region on screen"
        qtbot.mouseClick(chart.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    marks = list(stored(db, course.today_visit_id).values())
    assert [(m.region_id, m.side, m.view) for m in marks] == [(r.id, r.side, view) for r in regions]
    assert [m.intensity for m in marks] == [5] * len(regions)
    labels = chart.mark_list.labels()
    for region in regions:
        assert f"Active TrP · {region.label} · 5/10" in labels


def test_keys_chart_a_visit_intensity_delete_undo_redo(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    trap = ATLAS.region("posterior", "upper_trapezius.r")
    press_key(qtbot, chart, "P")
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "posterior", *trap.inner_point),
    )
    (mark,) = stored(db, course.today_visit_id).values()
    assert mark.kind is MarkKind.PAIN and chart.scene.selected_mark_ids() == [mark.id]
    press_key(qtbot, chart, "7")
    assert stored(db, course.today_visit_id)[mark.id].intensity == 7
    assert chart.mark_list.labels() == ["Pain · R upper trapezius · 7/10"]
    assert chart.inspector.intensity.value() == 7
    press_key(qtbot, chart, "Delete")
    assert stored(db, course.today_visit_id) == {}
    assert chart.mark_list.labels() == []
    qtbot.keyClick(chart.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(db, course.today_visit_id)[mark.id].intensity == 7
    qtbot.keyClick(chart.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert stored(db, course.today_visit_id)[mark.id].intensity == 5
    qtbot.keyClick(
        chart.view.viewport(),
        Qt.Key.Key_Z,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert stored(db, course.today_visit_id)[mark.id].intensity == 7
    assert stored(db, course.today_visit_id) == chart.document.marks


def test_a_drag_moves_one_mark_in_one_undo_step(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    start = ATLAS.region("posterior", "upper_trapezius.r").inner_point
    end = ATLAS.region("posterior", "infraspinatus.r").inner_point
    press_key(qtbot, chart, "T")
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "posterior", *start),
    )
    press_key(qtbot, chart, "Escape")
    assert chart.scene.tool is None
    before = chart.document.undo_stack.count()
    a, b = screen_point(chart, "posterior", *start), screen_point(chart, "posterior", *end)
    steps = [a + (b - a) * (i / 8) for i in range(9)]
    drag(qtbot, chart, [QPoint(round(p.x()), round(p.y())) for p in steps])
    (mark,) = stored(db, course.today_visit_id).values()
    assert (mark.region_id, mark.side) == ("infraspinatus.r", "right")
    assert chart.document.undo_stack.count() == before + 1
    assert chart.mark_list.labels() == ["Active TrP · R infraspinatus · 5/10"]
    chart.undo_action.trigger()
    (mark,) = stored(db, course.today_visit_id).values()
    assert mark.region_id == "upper_trapezius.r"
    assert chart.mark_list.labels() == ["Active TrP · R upper trapezius · 5/10"]


def test_area_tools_paint_outline_and_whole_region_and_scar_strokes(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    glute = ATLAS.region("posterior", "gluteus_maximus.l")
    press_key(qtbot, chart, "X")
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "posterior", *glute.inner_point),
    )
    x, y = glute.inner_point
    brush = [screen_point(chart, "posterior", x - 0.02 + 0.005 * i, y) for i in range(9)]
    press_key(qtbot, chart, "H")
    drag(qtbot, chart, brush)
    press_key(qtbot, chart, "M")
    assert chart.area_mode_action.text() == "Outline"
    ring = [
        (x - 0.015, y - 0.015),
        (x + 0.015, y - 0.015),
        (x + 0.015, y + 0.015),
        (x - 0.015, y + 0.015),
        (x - 0.015, y - 0.012),
    ]
    press_key(qtbot, chart, "I")
    drag(qtbot, chart, [screen_point(chart, "posterior", *p) for p in ring])
    press_key(qtbot, chart, "C")
    drag(
        qtbot,
        chart,
        [screen_point(chart, "posterior", x - 0.02 + 0.01 * i, y) for i in range(5)],
    )
    marks = list(stored(db, course.today_visit_id).values())
    assert [m.kind for m in marks] == [
        MarkKind.TREATED,
        MarkKind.HYPERTONICITY,
        MarkKind.INFLAMMATION,
        MarkKind.SCAR,
    ]
    assert marks[0].whole_region and marks[0].region_id == "gluteus_maximus.l"
    assert [(m.region_id, m.side) for m in marks] == [("gluteus_maximus.l", "left")] * 4
    assert len(marks[1].points) >= 3 and len(marks[2].points) >= 3 and len(marks[3].points) >= 2


def test_inspector_edits_treatment_and_deep_muscle(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    ql = ATLAS.region("posterior", "quadratus_lumborum.r")
    press_key(qtbot, chart, "X")
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "posterior", *ql.inner_point),
    )
    inspector = chart.inspector
    inspector.minutes.setValue(12)
    inspector.pressure.setCurrentIndex(inspector.pressure.findData(3))
    inspector.pressure.activated.emit(inspector.pressure.currentIndex())
    inspector.technique.setEditText("myofascial release")
    inspector.technique.activated.emit(0)
    chart.activateWindow()
    inspector.note.setFocus()
    qtbot.waitUntil(inspector.note.hasFocus)
    qtbot.keyClicks(inspector.note, "client liked it")
    qtbot.keyClick(inspector.note, Qt.Key.Key_Return)
    (mark,) = stored(db, course.today_visit_id).values()
    assert (mark.minutes, mark.pressure, mark.technique, mark.note) == (
        12,
        3,
        "myofascial release",
        "client liked it",
    )
    press_key(qtbot, chart, "Escape")
    press_key(qtbot, chart, "D")
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "posterior", *ql.inner_point),
    )
    choices = [inspector.deep_muscle.itemText(i) for i in range(inspector.deep_muscle.count())]
    assert choices[1:] == list(ql.deep_muscles)
    inspector.deep_muscle.setCurrentIndex(1)
    inspector.deep_muscle.activated.emit(1)
    tender = next(
        m for m in stored(db, course.today_visit_id).values() if m.kind is MarkKind.TENDER_POINT
    )
    assert tender.deep_muscle == ql.deep_muscles[0]


def test_list_selection_and_picture_selection_follow_each_other(
    qtbot: QtBot, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("anterior")
    press_key(qtbot, chart, "D")
    for region_id in ("pec_major.r", "biceps.l"):
        point = ATLAS.region("anterior", region_id).inner_point
        qtbot.mouseClick(
            chart.view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=screen_point(chart, "anterior", *point),
        )
    first, second = chart.document.marks
    assert chart.mark_list.selected_ids() == [second]
    item = chart.mark_list.item_for(first)
    assert item is not None
    chart.mark_list.setCurrentIndex(item.index())
    assert chart.scene.selected_mark_ids() == [first]
    assert chart.inspector.mark_ids == [first]


def test_ghosts_copy_forward_and_changes_list(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    assert len(chart.scene.ghosts) == 3
    assert all(g.isVisible() for g in chart.scene.ghosts)
    assert [s.mark.region_id for s in chart.scene.standing] == ["popliteal.l"]
    qtbot.keyClick(chart.view.viewport(), Qt.Key.Key_G, Qt.KeyboardModifier.ShiftModifier)
    assert not any(g.isVisible() for g in chart.scene.ghosts)
    assert chart.copy_forward_action.text() == "Copy forward (3)"
    chart.copy_forward_action.trigger()
    marks = stored(db, course.today_visit_id)
    assert len(marks) == 3 and not any(m.confirmed for m in marks.values())
    assert chart.scene.ghosts == []
    assert all("unconfirmed" in label for label in chart.mark_list.labels())
    trp = next(m for m in marks.values() if m.kind is MarkKind.TRIGGER_POINT_ACTIVE)
    spasm = next(m for m in marks.values() if m.kind is MarkKind.SPASM)
    chart.scene.select_marks([trp.id])
    press_key(qtbot, chart, "4")
    press_key(qtbot, chart, "Return")
    chart.scene.select_marks([spasm.id])
    press_key(qtbot, chart, "Delete")
    marks = stored(db, course.today_visit_id)
    assert marks[trp.id].confirmed and marks[trp.id].intensity == 4

    def texts() -> list[str]:
        return [chart.changes_list.item(i).text() for i in range(chart.changes_list.count())]

    qtbot.waitUntil(lambda: any("▼" in text for text in texts()))
    assert texts()[1:] == [
        "▼ Better: active trigger point R upper trapezius 7/10 → 4/10",
        "✓ Resolved: spasm L lower trapezius (was 5/10)",
    ]
    better = chart.changes_list.item(1)
    chart.changes_list.itemClicked.emit(better)
    assert chart.scene.selected_mark_ids() == [trp.id]


def test_a_signed_chart_is_read_only(qtbot: QtBot, db: Database, course: Course) -> None:
    window = VisitChartWindow(db, course.last_visit_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.banner.isVisible() and "read-only" in window.banner.text()
    assert not window.tool_actions[MarkKind.PAIN.value].isEnabled()
    press_key(qtbot, window, "P")
    assert window.scene.tool is None
    point = screen_point(
        window, "posterior", *ATLAS.region("posterior", "lower_trapezius.r").inner_point
    )
    window.show_view("posterior")
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert len(stored(db, course.last_visit_id)) == 3
    window.scene.select_marks(list(window.scene.items_by_id))
    press_key(qtbot, window, "Delete")
    press_key(qtbot, window, "2")
    assert len(stored(db, course.last_visit_id)) == 3
    assert {m.intensity for m in stored(db, course.last_visit_id).values()} == {7, 5, None}
    assert not window.inspector.note.isEnabled()


def test_hover_names_the_region_under_the_pointer(qtbot: QtBot, chart: VisitChartWindow) -> None:
    chart.show_view("anterior")
    region = ATLAS.region("anterior", "biceps.l")
    qtbot.mouseMove(chart.view.viewport(), screen_point(chart, "anterior", *region.inner_point))
    qtbot.waitUntil(lambda: chart.hover_label.text() == "L biceps")
    figure = chart.scene.figures["anterior"]
    assert not figure.highlight.path().isEmpty()


def test_select_all_and_a_digit_edit_every_mark_in_one_undo_step(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    press_key(qtbot, chart, "T")
    for region_id in ("upper_trapezius.r", "upper_trapezius.l", "lower_trapezius.r"):
        point = ATLAS.region("posterior", region_id).inner_point
        qtbot.mouseClick(
            chart.view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=screen_point(chart, "posterior", *point),
        )
    press_key(qtbot, chart, "Escape")
    qtbot.keyClick(chart.view.viewport(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(chart.scene.selected_mark_ids()) == 3
    assert len(chart.mark_list.selected_ids()) == 3
    steps = chart.document.undo_stack.count()
    press_key(qtbot, chart, "9")
    press_key(qtbot, chart, "BracketRight")
    assert {m.intensity for m in stored(db, course.today_visit_id).values()} == {10}
    assert chart.document.undo_stack.count() == steps + 2
    press_key(qtbot, chart, "BracketRight")  # already 10: no empty undo step
    assert chart.document.undo_stack.count() == steps + 2
    chart.undo_action.trigger()
    chart.undo_action.trigger()
    assert {m.intensity for m in stored(db, course.today_visit_id).values()} == {5}


def test_digits_typed_in_the_inspector_go_to_the_field(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    press_key(qtbot, chart, "P")
    click_region(qtbot, chart, "posterior", "lower_trapezius.r")
    spin = chart.inspector.intensity
    chart.activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.selectAll()
    qtbot.keyClicks(spin, "10")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    (mark,) = stored(db, course.today_visit_id).values()
    assert mark.intensity == 10
    assert chart.scene.tool is MarkKind.PAIN


def test_minutes_typed_into_an_empty_inspector_box_are_taken(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    press_key(qtbot, chart, "X")  # treated: a click fills the region, which takes minutes
    click_region(qtbot, chart, "posterior", "lower_trapezius.r")
    minutes = chart.inspector.minutes
    assert minutes.isEnabled() and minutes.text() == "—"
    chart.activateWindow()
    qtbot.mouseClick(minutes.lineEdit(), Qt.MouseButton.LeftButton)  # no select-all by hand
    qtbot.waitUntil(minutes.hasFocus)
    qtbot.wait(10)
    qtbot.keyClicks(minutes, "12")
    qtbot.keyClick(minutes, Qt.Key.Key_Return)
    (mark,) = stored(db, course.today_visit_id).values()
    assert mark.minutes == 12


def test_zoom_keys_wheel_fit_and_view_keys(qtbot: QtBot, chart: VisitChartWindow) -> None:
    view = chart.view
    fitted = view.scale_factor()
    press_key(qtbot, chart, "Plus")
    assert view.scale_factor() > fitted and not view.fitted
    press_key(qtbot, chart, "Minus")
    press_key(qtbot, chart, "Minus")
    assert view.scale_factor() < fitted
    press_key(qtbot, chart, "F")
    assert view.fitted and abs(view.scale_factor() - fitted) < 1e-6
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(view.viewport().mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.scale_factor() == pytest.approx(fitted * 1.25**2)
    qtbot.keyClick(view.viewport(), Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert chart.current_view == "left_lateral"
    assert chart.scene.visible_views() == ["left_lateral", "right_lateral"]
    chart.resize(700, 740)  # too narrow for two figures
    qtbot.waitUntil(lambda: chart.scene.visible_views() == ["left_lateral"])


def test_the_shortcut_list_names_every_tool(qtbot: QtBot, chart: VisitChartWindow) -> None:
    chart.help_action.trigger()
    dialog = chart.shortcuts_dialog
    table = dialog.findChild(QTableWidget)
    assert table is not None
    cells = [table.item(r, c) for r in range(table.rowCount()) for c in (0, 1)]
    rows = [cell.text() for cell in cells if cell is not None]
    for kind in MarkKind:
        assert any(kind.legend.name in row for row in rows)
    assert chart.tool_actions[MarkKind.AVOID.value].toolTip() == "Area to avoid tool (V)"
    dialog.close()


def test_a_click_outside_the_body_charts_nothing(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("anterior")
    press_key(qtbot, chart, "T")
    with qtbot.waitSignal(chart.document.problem_reported):
        qtbot.mouseClick(
            chart.view.viewport(),
            Qt.MouseButton.LeftButton,
            pos=screen_point(chart, "anterior", 0.05, 0.5),
        )
    assert stored(db, course.today_visit_id) == {}
    assert "outside the body" in chart.problem.text()


def test_a_mark_dragged_off_the_body_goes_back(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("anterior")
    start = ATLAS.region("anterior", "biceps.r").inner_point
    press_key(qtbot, chart, "T")
    qtbot.mouseClick(
        chart.view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen_point(chart, "anterior", *start),
    )
    press_key(qtbot, chart, "Escape")
    steps = chart.document.undo_stack.count()
    a, b = screen_point(chart, "anterior", *start), screen_point(chart, "anterior", 0.02, 0.5)
    drag(qtbot, chart, [a + (b - a) * (i / 6) for i in range(7)])
    (mark,) = stored(db, course.today_visit_id).values()
    assert mark.region_id == "biceps.r" and chart.document.undo_stack.count() == steps
    item = chart.scene.items_by_id[mark.id]
    assert item.pos() == chart.scene.figures["anterior"].to_local(*mark.points[0])


def test_a_refused_write_is_shown_and_leaves_no_phantom_mark(
    qtbot: QtBot,
    db: Database,
    course: Course,
    chart: VisitChartWindow,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO marks", {}, Exception("database is locked"))

    monkeypatch.setattr(store, "add_mark", locked)
    chart.show_view("posterior")
    press_key(qtbot, chart, "T")
    click_region(qtbot, chart, "posterior", "lower_trapezius.r")
    assert chart.problem.isVisible()
    assert "not saved" in chart.problem.text()
    assert chart.document.marks == {} == stored(db, course.today_visit_id)
    assert chart.scene.items_by_id == {} and chart.mark_list.labels() == []
    assert chart.document.undo_stack.count() == 0


def test_a_visit_signed_elsewhere_turns_the_chart_read_only(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    with db.write() as session:
        sign_visit(
            get_visit(session, course.today_visit_id), course.provider_id, dt.datetime(2026, 11, 23)
        )
    chart.show_view("posterior")
    press_key(qtbot, chart, "P")
    click_region(qtbot, chart, "posterior", "lower_trapezius.r")
    assert stored(db, course.today_visit_id) == {} == chart.document.marks
    assert chart.banner.isVisible() and "read-only" in chart.banner.text()
    assert chart.scene.tool is None
    assert not chart.tool_actions[MarkKind.PAIN.value].isEnabled()


def key_on_map(
    qtbot: QtBot,
    window: VisitChartWindow,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), key, modifiers)


CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_keyboard_alone_charts_a_point_and_a_whole_region(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    # The regions in the order . walks them: view by view as shown, each in the atlas's order.
    chosen = [(v, r) for v in chart.scene.visible_views() for r in ATLAS.view(v).regions]
    named: list[str] = []
    chart.scene.hovered.connect(named.append)
    press_key(qtbot, chart, "T")  # active trigger point
    for _ in range(3):
        key_on_map(qtbot, chart, Qt.Key.Key_Period)
    key_on_map(qtbot, chart, Qt.Key.Key_Comma)  # back one: the second region
    assert named[-1] == chosen[1][1].label
    key_on_map(qtbot, chart, Qt.Key.Key_Return, CTRL)
    (point,) = stored(db, course.today_visit_id).values()
    assert (point.kind, point.view, point.region_id) == (
        MarkKind.TRIGGER_POINT_ACTIVE,
        chosen[1][0],
        chosen[1][1].id,
    )
    press_key(qtbot, chart, "X")  # treated: an area tool covers the whole region
    key_on_map(qtbot, chart, Qt.Key.Key_Period)
    key_on_map(qtbot, chart, Qt.Key.Key_Enter, CTRL)
    area = next(m for m in stored(db, course.today_visit_id).values() if m.id != point.id)
    assert (area.kind, area.region_id, area.whole_region) == (
        MarkKind.TREATED,
        chosen[2][1].id,
        True,
    )


def test_charting_the_chosen_region_says_what_is_missing(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    hints: list[str] = []
    chart.scene.tool_used.connect(hints.append)
    press_key(qtbot, chart, "T")
    key_on_map(qtbot, chart, Qt.Key.Key_Return, CTRL)
    assert "Choose a region first" in hints[-1]
    assert stored(db, course.today_visit_id) == {}


def test_once_signed_the_chart_has_nothing_to_undo(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("posterior")
    press_key(qtbot, chart, "P")
    click_region(qtbot, chart, "posterior", "lower_trapezius.r")
    assert chart.undo_action.isEnabled()
    with db.write() as session:  # signed in the note window, or on another computer
        sign_visit(
            get_visit(session, course.today_visit_id), course.provider_id, dt.datetime(2026, 11, 23)
        )
    chart.document.read_again()
    assert chart.document.read_only
    qtbot.waitUntil(lambda: not chart.undo_action.isEnabled(), timeout=2000)
    assert not chart.document.undo_stack.canUndo()
    assert len(stored(db, course.today_visit_id)) == 1  # the charted mark stays, signed


def test_the_toolbar_undo_keeps_its_label_and_names_the_step_in_its_tooltip(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    width = chart.undo_button.sizeHint().width()
    assert not chart.undo_button.isEnabled()
    chart.show_view("posterior")
    press_key(qtbot, chart, "P")
    click_region(qtbot, chart, "posterior", "lower_trapezius.r")
    assert chart.undo_button.isEnabled() and chart.undo_button.text() == "Undo"
    assert chart.undo_button.sizeHint().width() == width  # the toolbar does not jump
    assert (
        "lower trapezius" in chart.undo_button.toolTip() and "&" not in chart.undo_button.toolTip()
    )
    qtbot.mouseClick(chart.undo_button, Qt.MouseButton.LeftButton)
    assert stored(db, course.today_visit_id) == {}
    assert chart.redo_button.isEnabled()


@pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise",
    "This plugin does not support grabbing the keyboard",
)  # the offscreen platform, as the list of names pops up
def test_a_region_typed_by_name_is_chosen_and_charted_from_the_keyboard(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("anterior")
    press_key(qtbot, chart, "P")  # the pain tool
    key_on_map(qtbot, chart, Qt.Key.Key_Slash)  # / goes to the region field
    assert chart.region_field.hasFocus()
    qtbot.keyClicks(chart.region_field, "rhomb")  # letters are typed, not taken as tool keys
    assert chart.scene.tool is MarkKind.PAIN and chart.region_field.text() == "rhomb"
    qtbot.keyClick(chart.region_field, Qt.Key.Key_Return)
    assert chart.region_field.text() == "" and chart.view.hasFocus()
    # The rhomboids lie under the trapezius: the deep layer is shown to chart them.
    assert "posterior_deep" in chart.scene.visible_views()
    assert "rhomboids" in chart.statusBar().currentMessage().lower()
    key_on_map(qtbot, chart, Qt.Key.Key_Return, CTRL)
    (mark,) = stored(db, course.today_visit_id).values()
    assert (mark.kind, mark.view) == (MarkKind.PAIN, "posterior_deep")
    assert mark.region_id in {"rhomboid.l", "rhomboid.r"}


def test_a_name_that_finds_no_region_says_so(
    qtbot: QtBot, chart: VisitChartWindow, db: Database, course: Course
) -> None:
    assert chart.choose_region_named("elbow of the moon") == ""
    assert "No region is named" in chart.statusBar().currentMessage()
    assert chart.choose_region_named("R upper trapezius · posterior") == "R upper trapezius"


def test_copy_forward_says_which_views_hold_marks_not_shown(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("left_lateral")
    assert "posterior" not in chart.scene.visible_views()
    chart.copy_forward_action.trigger()
    message = chart.statusBar().currentMessage()
    assert message.startswith("3 marks copied from the last visit")
    assert "on the posterior view, not shown" in message
    assert len(chart.mark_list.labels()) == 3  # where they can be confirmed without the view


def test_an_area_painted_past_the_outline_is_drawn_on_the_body_only(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    chart.show_view("anterior")
    view = chart.document.atlas.view("anterior")
    x, y = view.region("biceps.l").inner_point
    edge = x
    while view.region_at(edge, y) is not None:  # walk out to the body's edge
        edge += 0.004 if x > 0.5 else -0.004
    outside = edge + (0.03 if x > 0.5 else -0.03)
    square = [(x, y - 0.03), (outside, y - 0.03), (outside, y + 0.03), (x, y + 0.03)]
    assert chart.document.add_mark(MarkKind.HYPERTONICITY, "anterior", square) is not None
    chart.scene.clearSelection()
    qtbot.wait(50)
    image = chart.view.viewport().grab().toImage()
    background = image.pixelColor(screen_point(chart, "anterior", 0.02, 0.98))
    past_edge = image.pixelColor(
        screen_point(chart, "anterior", (edge + outside) / 2 + (outside - edge) / 4, y)
    )
    on_body = image.pixelColor(screen_point(chart, "anterior", (x + edge) / 2, y))
    assert past_edge == background, "the area spilled off the body"
    assert on_body != background
    stored_marks = stored(db, course.today_visit_id)
    assert [m.region_id for m in stored_marks.values()] == ["biceps.l"]
    chart.document.undo_stack.clear()


def test_a_stroke_started_just_off_the_body_is_charted_where_it_lies(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    view = chart.document.atlas.view("anterior")
    x, y = view.region("external_oblique.r").inner_point
    edge = x
    while view.region_at(edge, y) is not None:
        edge += 0.004 if x > 0.5 else -0.004
    start = edge + (0.01 if x > 0.5 else -0.01)  # just off the body
    assert view.region_at(start, y) is None
    chart.show_view("anterior")
    chart.set_tool(MarkKind.SCAR)
    drag(qtbot, chart, [screen_point(chart, "anterior", start + (x - start) * i / 8, y)
                        for i in range(9)])  # fmt: skip
    marks = list(stored(db, course.today_visit_id).values())
    assert [(m.kind, m.region_id) for m in marks] == [(MarkKind.SCAR, "external_oblique.r")]
    chart.document.undo_stack.clear()


def test_the_wheel_zooms_around_the_point_under_the_pointer(chart: VisitChartWindow) -> None:
    chart.show_view("posterior")
    target = screen_point(chart, "posterior", 0.62, 0.25)  # the client's right shoulder
    before = chart.view.mapToScene(target)
    for _ in range(3):
        chart.view.zoom_by(1.25, QPointF(target))
        now = chart.view.mapFromScene(before)  # where that body point is on screen now
        assert abs(now.x() - target.x()) <= 2 and abs(now.y() - target.y()) <= 2, (now, target)


def test_a_chart_opens_on_the_view_that_holds_its_marks(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    """A new chart opens where the last visit charted (the course's client is treated on the
    back); once this visit has marks, where most of them are."""
    window = VisitChartWindow(db, course.today_visit_id)
    qtbot.addWidget(window)
    assert window.current_view == "posterior"
    window.document.add_mark(
        MarkKind.PAIN, "anterior", [ATLAS.region("anterior", "pec_major.l").inner_point]
    )
    window.document.add_mark(
        MarkKind.PAIN, "anterior", [ATLAS.region("anterior", "biceps.l").inner_point]
    )
    again = VisitChartWindow(db, course.today_visit_id)
    qtbot.addWidget(again)
    assert again.current_view == "anterior"


def test_an_area_moved_to_the_body_s_edge_is_drawn_on_the_body_only(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    """An area well inside the body is painted without the body's clip; dragged across the
    edge, it is clipped there like one charted across it."""
    chart.show_view("anterior")
    view = chart.document.atlas.view("anterior")
    x, y = view.region("biceps.l").inner_point
    out = 1 if x > 0.5 else -1
    edge = x
    while view.region_at(edge, y) is not None:
        edge += out * 0.004
    inside = [
        (x - 0.01, y - 0.01),
        (x + 0.01, y - 0.01),
        (x + 0.01, y + 0.01),
        (x - 0.01, y + 0.01),
    ]
    mark_id = chart.document.add_mark(MarkKind.HYPERTONICITY, "anterior", inside)
    assert mark_id is not None
    chart.scene.clearSelection()
    qtbot.wait(50)
    image = chart.view.viewport().grab().toImage()
    background = image.pixelColor(screen_point(chart, "anterior", 0.02, 0.98))
    assert image.pixelColor(screen_point(chart, "anterior", x, y)) != background
    near, far = edge - out * 0.04, edge + out * 0.03
    across = [(near, y - 0.01), (far, y - 0.01), (far, y + 0.01), (near, y + 0.01)]
    chart.document.move_marks({mark_id: across})
    assert stored(db, course.today_visit_id)[mark_id].points[1][0] == pytest.approx(far)
    chart.scene.clearSelection()
    qtbot.wait(50)
    image = chart.view.viewport().grab().toImage()
    past_edge = image.pixelColor(screen_point(chart, "anterior", edge + out * 0.02, y))
    assert past_edge == background, "the moved area spilled off the body"
    assert image.pixelColor(screen_point(chart, "anterior", edge - out * 0.02, y)) != background
    chart.document.undo_stack.clear()


def test_labels_of_a_view_hidden_while_zooming_are_kept_apart_once_it_is_shown(
    qtbot: QtBot, db: Database, course: Course, chart: VisitChartWindow
) -> None:
    """A zoom step keeps apart only the labels on screen; a view shown later has its labels
    kept apart at the zoom it is shown at."""
    chart.show_view("posterior")
    view = chart.document.atlas.view("posterior")
    regions = [r for r in view.regions if r.side == "right"]
    near = min(
        ((a, b) for i, a in enumerate(regions) for b in regions[i + 1 :]),
        key=lambda pair: (
            abs(pair[0].inner_point[0] - pair[1].inner_point[0])
            + abs(pair[0].inner_point[1] - pair[1].inner_point[1])
        ),
    )
    for region in near:
        x, y = region.inner_point
        assert (
            chart.document.add_mark(
                MarkKind.HYPERTONICITY, "posterior", [(x, y)], whole_region=True
            )
            is not None
        )
    chart.show_view("left_lateral")
    assert "posterior" not in chart.scene.visible_views()
    for _ in range(6):
        chart.view.zoom_out()
    chart.show_view("posterior")
    viewport = chart.view.viewportTransform()
    boxes = [
        item.badge.deviceTransform(viewport).mapRect(item.badge.boundingRect())
        for item in chart.scene.items_by_id.values()
        if item.badge is not None and item.badge.isVisible()
    ]
    assert len(boxes) == 2
    assert not boxes[0].intersects(boxes[1])
    chart.document.undo_stack.clear()


def test_point_glyphs_take_their_size_for_a_new_zoom_once_zooming_stops(
    qtbot: QtBot, chart: VisitChartWindow
) -> None:
    """Point glyphs are drawn smaller on small figures; while zoom steps come they keep their
    size (each would be drawn afresh at every step) and take the new one once zooming stops."""
    chart.show_view("anterior")
    x, y = chart.document.atlas.view("anterior").region("external_oblique.r").inner_point
    point = chart.document.add_mark(MarkKind.TRIGGER_POINT_ACTIVE, "anterior", [(x, y)])
    assert point is not None
    item = chart.scene.items_by_id[point]
    chart.view.fit()
    for _ in range(4):
        chart.view.zoom_in()
    qtbot.waitUntil(lambda: not chart.view.zooming)
    near = item.glyph_scale
    size_near = item.boundingRect().width()
    for _ in range(6):
        chart.view.zoom_out()
    assert chart.view.zooming
    assert item.glyph_scale == near and item.boundingRect().width() == size_near
    qtbot.waitUntil(lambda: not chart.view.zooming)
    assert item.glyph_scale < near
    assert item.boundingRect().width() < size_near
    chart.document.undo_stack.clear()


def test_while_zooming_the_chart_is_drawn_scaled_and_afresh_once_zooming_stops(
    qtbot: QtBot, chart: VisitChartWindow
) -> None:
    """A zoom step draws the figures and areas from their pictures, scaled; once no step has
    come for a moment they are drawn afresh at the new size, a mark removed meanwhile included."""
    chart.show_view("anterior")
    x, y = chart.document.atlas.view("anterior").region("external_oblique.r").inner_point
    area = chart.document.add_mark(MarkKind.HYPERTONICITY, "anterior", [(x, y)], whole_region=True)
    assert area is not None
    sharp = QGraphicsItem.CacheMode.DeviceCoordinateCache

    def modes() -> set[QGraphicsItem.CacheMode]:
        return {
            item.cacheMode()
            for item in chart.scene.items()
            if not item.flags() & QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
        }

    scaled = QGraphicsItem.CacheMode.ItemCoordinateCache
    assert sharp in modes() and scaled not in modes()
    chart.view.zoom_in()
    chart.view.zoom_in()

    assert chart.view.zooming
    assert scaled in modes() and sharp not in modes()  # nothing drawn afresh at each step
    chart.document.undo_stack.undo()  # the area goes while zooming
    qtbot.waitUntil(lambda: not chart.view.zooming)
    assert sharp in modes() and scaled not in modes()
    chart.document.undo_stack.clear()


def test_once_zooming_stops_the_pictures_are_drawn_afresh_over_frames_the_largest_first(
    qtbot: QtBot, chart: VisitChartWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing every figure and area afresh in one frame missed it with 500 marks: the glyphs
    take their size in the first frame, the pictures follow a few per frame, largest first."""
    import massage_chart.ui.chart.view as view_module

    monkeypatch.setattr(view_module, "SHARPEN_PER_FRAME", 2)
    chart.show_view("anterior")
    anterior = chart.document.atlas.view("anterior")
    for region_id in ("external_oblique.r", "pec_major.l", "rectus_abdominis_upper.r"):
        x, y = anterior.region(region_id).inner_point
        chart.document.add_mark(MarkKind.HYPERTONICITY, "anterior", [(x, y)], whole_region=True)
    scaled_mode = QGraphicsItem.CacheMode.ItemCoordinateCache

    def scaled() -> list[QGraphicsItem]:
        return [item for item in chart.scene.items() if item.cacheMode() is scaled_mode]

    def area(item: QGraphicsItem) -> float:
        return item.sceneBoundingRect().width() * item.sceneBoundingRect().height()

    view = chart.view
    view.fit()
    view.zoom_in()
    view.zoom_in()
    waiting = scaled()
    assert len(waiting) > 4
    view.settle()
    assert view.zooming and len(scaled()) == len(waiting)  # the glyphs' frame draws no picture
    view.sharpen_some()
    left = scaled()
    drawn = [item for item in waiting if item not in left]
    assert len(drawn) == 2 and min(map(area, drawn)) >= max(map(area, left))
    view.zoom_in()  # a step meanwhile: drawn scaled again, the rest waits for it to settle
    assert len(scaled()) >= len(waiting) and view.zooming
    qtbot.waitUntil(lambda: not view.zooming)
    assert not scaled()
    chart.document.undo_stack.clear()
