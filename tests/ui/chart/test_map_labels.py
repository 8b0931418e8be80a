"""The labels drawn on the body map follow the marks: an intensity set in the inspector is the
one the map shows at once, after reopening the chart, and in the signed read-only chart."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from massage_chart.domain.marks import MarkKind
from massage_chart.storage.database import Database
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.signing import sign_visit
from massage_chart.ui.chart import VisitChartWindow
from tests.ui.chart.conftest import Course, inner, open_chart

# The offscreen platform cannot resize a dock's window to its size hint; real screens can.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def open_posterior(qtbot: QtBot, db: Database, visit_id: str) -> VisitChartWindow:
    """The chart of a visit at laptop size, posterior view, as the therapist opens it."""
    window = open_chart(qtbot, db, visit_id)
    window.show_view("posterior")
    return window


def drawn_label(window: VisitChartWindow, mark_id: str) -> QImage:
    """The pixels of a mark's label as the map shows them on screen now."""
    badge = window.scene.items_by_id[mark_id].badge
    assert badge is not None
    on_screen = badge.deviceTransform(window.view.viewportTransform())
    rect = on_screen.mapRect(badge.boundingRect()).toAlignedRect()
    return window.view.viewport().grab(rect).toImage()


def test_whole_region_label_shows_the_intensity_set_in_the_inspector(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    chart = open_posterior(qtbot, db, course.today_visit_id)
    mark_id = chart.document.add_mark(
        MarkKind.HYPERTONICITY,
        "posterior",
        [inner("posterior", "lower_trapezius.l")],
        whole_region=True,
        intensity=5,
    )
    assert mark_id is not None
    chart.scene.select_marks([mark_id])
    drawn = {5: drawn_label(chart, mark_id)}
    for value in (6, 8):
        chart.inspector.intensity.setValue(value)
        assert chart.document.mark(mark_id).intensity == value
        assert chart.scene.items_by_id[mark_id].badge.text == f"HT {value}"  # type: ignore[union-attr]
        drawn[value] = drawn_label(chart, mark_id)
    assert drawn[5] != drawn[6]
    assert drawn[6] != drawn[8]

    # A chart opened afresh draws its labels from nothing: the open one must look the same.
    reopened = open_posterior(qtbot, db, course.today_visit_id)
    reopened.scene.select_marks([mark_id])
    assert reopened.scene.items_by_id[mark_id].badge.text == "HT 8"  # type: ignore[union-attr]
    assert drawn_label(reopened, mark_id) == drawn[8]
    reopened.close()

    # Signed while open: the chart turns read-only and its label still says 8.
    with db.write() as session:
        sign_visit(
            get_visit(session, course.today_visit_id), course.provider_id, dt.datetime(2026, 11, 23)
        )
    chart.document.note_was_signed()
    assert chart.document.read_only
    assert chart.scene.items_by_id[mark_id].badge.text == "HT 8"  # type: ignore[union-attr]


def test_undo_redraws_the_label_it_restores(qtbot: QtBot, db: Database, course: Course) -> None:
    chart = open_posterior(qtbot, db, course.today_visit_id)
    mark_id = chart.document.add_mark(
        MarkKind.SPASM,
        "posterior",
        [inner("posterior", "lower_trapezius.l")],
        whole_region=True,
        intensity=4,
    )
    assert mark_id is not None
    chart.scene.select_marks([mark_id])
    at_four = drawn_label(chart, mark_id)
    chart.inspector.intensity.setValue(9)
    at_nine = drawn_label(chart, mark_id)
    assert at_nine != at_four
    chart.document.undo_stack.undo()
    assert chart.document.mark(mark_id).intensity == 4
    assert drawn_label(chart, mark_id) == at_four
    chart.document.undo_stack.clear()


def label_boxes(window: VisitChartWindow) -> dict[str, QRectF]:
    """Where each mark's label is on the screen now."""
    boxes = {}
    for mark_id, item in window.scene.items_by_id.items():
        badge = item.badge
        if badge is not None and badge.isVisible() and item.isVisible():
            on_screen = badge.deviceTransform(window.view.viewportTransform())
            boxes[mark_id] = on_screen.mapRect(badge.boundingRect())
    return boxes


@pytest.mark.parametrize("zoom", [1.0, 1.6])
def test_labels_of_neighbouring_regions_never_cover_each_other(
    qtbot: QtBot, db: Database, course: Course, zoom: float
) -> None:
    window = open_posterior(qtbot, db, course.today_visit_id)
    regions = (
        "upper_trapezius.r", "infraspinatus.r", "suboccipital.r", "lower_trapezius.r",
        "middle_trapezius.r", "posterior_cervical.r", "upper_trapezius.l",
    )  # fmt: skip
    for number, region in enumerate(regions):
        kind = (MarkKind.HYPERTONICITY, MarkKind.SPASM, MarkKind.ADHESION)[number % 3]
        mark = window.document.add_mark(
            kind, "posterior", [inner("posterior", region)], whole_region=True, intensity=5
        )
        assert mark is not None
    window.view.zoom_by(zoom)
    boxes = label_boxes(window)
    assert len(boxes) == len(regions)
    crowded = [
        (a, b)
        for a, box in boxes.items()
        for b, other in boxes.items()
        if a < b and box.intersects(other)
    ]
    assert crowded == []
    # Each label still reads on its own side of the body: right-side labels stay right.
    middle = window.view.mapFromScene(
        window.scene.figures["posterior"].mapToScene(
            window.scene.figures["posterior"].to_local(0.5, 0.5)
        )
    ).x()
    for mark_id, box in boxes.items():
        side = window.document.marks[mark_id].region_id or ""
        # Posterior: the client's right is on the viewer's right.
        assert (box.center().x() > middle) == side.endswith(".r"), side
    window.document.undo_stack.clear()


def test_a_label_is_drawn_above_every_area_and_goes_with_its_mark(
    qtbot: QtBot, db: Database, course: Course
) -> None:
    window = open_posterior(qtbot, db, course.today_visit_id)
    first = window.document.add_mark(
        MarkKind.HYPERTONICITY,
        "posterior",
        [inner("posterior", "lower_trapezius.r")],
        whole_region=True,
    )
    later = window.document.add_mark(
        MarkKind.ADHESION, "posterior", [inner("posterior", "middle_trapezius.r")], intensity=4,
        whole_region=True,
    )  # fmt: skip
    assert first is not None and later is not None
    scene = window.scene
    badge = scene.items_by_id[first].badge
    later_badge = scene.items_by_id[later].badge
    assert badge is not None and later_badge is not None and badge.isVisible()
    # A later area (drawn after, over the first) never hides the first one's label.
    assert all(badge.zValue() > item.zValue() for item in scene.items_by_id.values())
    window.document.undo_stack.undo()  # the adhesion goes, and its label with it
    assert later not in scene.items_by_id
    assert later_badge.scene() is None and badge.scene() is scene
    window.document.undo_stack.clear()
