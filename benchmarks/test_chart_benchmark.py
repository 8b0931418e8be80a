"""pytest-benchmark entry for the body-map timings (``make benchmark``); figures in
``python -m benchmarks.chart``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytest_benchmark.fixture import BenchmarkFixture

from benchmarks.chart import chart_database, open_window
from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.ui.chart import VisitChartWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def chart_with_500_marks(qapp: QApplication) -> Iterator[VisitChartWindow]:
    with tempfile.TemporaryDirectory() as folder:
        database, visit_id = chart_database(Path(folder), 500)
        window = open_window(database, visit_id)
        yield window
        window.document.undo_stack.clear()
        window.close()
        database.dispose()


def test_click_to_mark_painted_and_committed(
    benchmark: BenchmarkFixture, chart_with_500_marks: VisitChartWindow
) -> None:
    window = chart_with_500_marks
    window.show_view("posterior")
    window.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    figure = window.scene.figures["posterior"]
    region = load_atlas().region("posterior", "upper_trapezius.r")
    point = window.view.mapFromScene(figure.mapToScene(figure.to_local(*region.inner_point)))
    viewport = window.view.viewport()

    def click() -> None:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
        viewport.repaint()

    benchmark.pedantic(click, rounds=100, iterations=1, warmup_rounds=3)


def test_zoom_step_with_500_marks(
    benchmark: BenchmarkFixture, chart_with_500_marks: VisitChartWindow
) -> None:
    view = chart_with_500_marks.view
    steps = iter(range(10**6))

    def zoom() -> None:
        (view.zoom_in if (next(steps) // 8) % 2 == 0 else view.zoom_out)()
        view.viewport().repaint()

    benchmark.pedantic(zoom, rounds=96, iterations=1)


def test_pan_step_with_500_marks(
    benchmark: BenchmarkFixture, chart_with_500_marks: VisitChartWindow
) -> None:
    view = chart_with_500_marks.view
    view.zoom_by(2.5)
    bar = view.horizontalScrollBar()
    steps = iter(range(10**6))

    def pan() -> None:
        bar.setValue(bar.value() + (24 if (next(steps) // 10) % 2 == 0 else -24))
        view.viewport().repaint()

    benchmark.pedantic(pan, rounds=100, iterations=1)
