"""Body-map timings (PRODUCT.md §7): click to mark painted and committed, and pan/zoom frames with
500 marks on the chart.

    python -m benchmarks.chart                # prints p50/p95 beside the budget
    python -m benchmarks.chart --clicks 300

Each click is a real mouse click on the view's viewport; the time runs from the press until the
mark is committed to SQLite (synchronous=FULL, WAL) and the viewport has been repainted. A pan
or zoom frame is one scroll or zoom step followed by a full repaint of the viewport; the frame
once zoom steps stop draws the chart afresh at the zoom reached.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import Provider
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.ui.chart import VisitChartWindow

CLICK_BUDGET_MS = 16.0


@dataclass(frozen=True)
class Figures:
    """p50 and p95 of one timing, in milliseconds."""

    name: str
    p50: float
    p95: float
    count: int

    def line(self, budget: float | None = None) -> str:
        """One printed line."""
        verdict = ""
        if budget is not None:
            verdict = f"  budget p95 < {budget:.0f} ms: {'OK' if self.p95 < budget else 'OVER'}"
        return f"{self.name:<44} p50 {self.p50:6.2f} ms   p95 {self.p95:6.2f} ms   n={self.count}{verdict}"


def figures(name: str, samples: list[float]) -> Figures:
    """Percentiles of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Figures(name, statistics.median(ordered) * 1000, p95 * 1000, len(ordered))


def chart_database(folder: Path, marks: int, seed: int = 7) -> tuple[Database, str]:
    """A database with one client and a draft visit holding ``marks`` marks on all four views."""
    database = open_database(str(folder / "bench.db"))
    atlas = load_atlas()
    rng = random.Random(seed)
    with database.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        session.flush()
        client = add_client(session, first_name="Zoë", last_name="Nguyễn")
        visit = create_visit(
            session, client.id, provider_id=provider.id, start=dt.datetime(2026, 11, 23, 10)
        )
        visit_id = visit.id
        kinds = list(MarkKind)
        for number in range(marks):
            view = atlas.view_ids[number % 4]
            region = rng.choice(atlas.regions(view))
            kind = kinds[number % len(kinds)]
            x, y = region.inner_point
            if kind.geometry is Geometry.POINT:
                points, whole = [(x, y)], False
            elif kind.geometry is Geometry.STROKE:
                points, whole = [(x - 0.01, y - 0.01), (x + 0.01, y + 0.01)], False
            elif number % 2:
                points, whole = [(x, y)], True
            else:
                d = 0.01
                points, whole = (
                    [(x - d, y - d), (x + d, y - d), (x + d, y + d), (x - d, y + d)],
                    False,
                )
            data = store.place_mark(
                atlas,
                visit_id,
                kind,
                view,
                points,
                whole_region=whole,
                intensity=rng.randint(0, 10) if kind.legend.has_intensity else None,
            )
            store.add_mark(session, data)
    return database, visit_id


def open_window(database: Database, visit_id: str) -> VisitChartWindow:
    """The chart at laptop size, shown and painted once."""
    window = VisitChartWindow(database, visit_id)
    window.resize(1366, 740)
    window.show()
    QApplication.processEvents()
    window.view.viewport().repaint()
    return window


def time_clicks(window: VisitChartWindow, clicks: int) -> list[float]:
    """Click-to-mark-painted-and-committed, one sample per click, across four point tools."""
    atlas = load_atlas()
    samples: list[float] = []
    viewport = window.view.viewport()
    tools = [
        MarkKind.TRIGGER_POINT_ACTIVE,
        MarkKind.PAIN,
        MarkKind.TENDER_POINT,
        MarkKind.TRIGGER_POINT_LATENT,
    ]
    for view_id in ("anterior", "posterior"):
        window.show_view(view_id)
    window.show_view("posterior")
    figure = window.scene.figures["posterior"]
    regions = [r for r in atlas.regions("posterior") if r.side != "midline"]
    points: list[QPoint] = [
        window.view.mapFromScene(figure.mapToScene(figure.to_local(*r.inner_point)))
        for r in regions
    ]
    for number in range(clicks):
        window.set_tool(tools[number % len(tools)])
        point = points[number % len(points)]
        before = len(window.document.marks)
        start = time.perf_counter()
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=point)
        viewport.repaint()
        samples.append(time.perf_counter() - start)
        if len(window.document.marks) != before + 1:
            raise RuntimeError("a click did not make a mark")
        QApplication.processEvents()  # deferred work (the changes list) runs between clicks
    return samples


def time_frames(window: VisitChartWindow, steps: int, action: Callable[[int], None]) -> list[float]:
    """One sample per step: the action, then a full repaint of the viewport."""
    viewport = window.view.viewport()
    samples: list[float] = []
    for number in range(steps):
        start = time.perf_counter()
        action(number)
        viewport.repaint()
        samples.append(time.perf_counter() - start)
    return samples


def time_settles(window: VisitChartWindow, bursts: int = 12) -> list[float]:
    """The frames once zoom steps stop: after bursts of three steps in or out, the chart drawn
    afresh at the zoom reached, one sample per frame: ``ChartView.settle`` (which its timer
    calls) and a repaint, then each later frame's ``sharpen_some`` (its timer's) and a repaint
    until every picture is drawn afresh."""
    view = window.view
    viewport = view.viewport()
    view.fit()  # the whole body: every figure and area is drawn afresh
    samples: list[float] = []
    for number in range(bursts):
        for _step in range(3):
            view.zoom_in() if number % 2 == 0 else view.zoom_out()
        viewport.repaint()
        start = time.perf_counter()
        view.settle()
        viewport.repaint()
        samples.append(time.perf_counter() - start)
        while view.zooming:
            start = time.perf_counter()
            view.sharpen_some()
            viewport.repaint()
            samples.append(time.perf_counter() - start)
    return samples


def run(clicks: int = 200, frames: int = 200, marks: int = 500) -> list[Figures]:
    """All the chart timings."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    del app
    results: list[Figures] = []
    with tempfile.TemporaryDirectory() as folder:
        database, visit_id = chart_database(Path(folder), 0)
        window = open_window(database, visit_id)
        results.append(
            figures("click to mark painted+committed (empty chart)", time_clicks(window, clicks))
        )
        window.close()
        window.deleteLater()
        database.dispose()
    with tempfile.TemporaryDirectory() as folder:
        database, visit_id = chart_database(Path(folder), marks)
        window = open_window(database, visit_id)
        results.append(
            figures(f"click to mark painted+committed ({marks} marks)", time_clicks(window, clicks))
        )
        window.show_view("anterior")
        window.view.fit()
        view = window.view

        def zoom(number: int) -> None:
            if (number // 8) % 2 == 0:
                view.zoom_in()
            else:
                view.zoom_out()

        results.append(
            figures(f"zoom step + repaint ({marks} marks)", time_frames(window, frames, zoom))
        )
        results.append(figures(f"zoom settles + repaint ({marks} marks)", time_settles(window)))
        view.fit()
        view.zoom_by(2.5)
        while view.zooming:  # panning draws the pictures made at the settled zoom
            QApplication.processEvents()
            time.sleep(0.01)
        bar_x, bar_y = view.horizontalScrollBar(), view.verticalScrollBar()

        def pan(number: int) -> None:
            direction = 1 if (number // 10) % 2 == 0 else -1
            bar_x.setValue(bar_x.value() + 24 * direction)
            bar_y.setValue(bar_y.value() + 16 * direction)

        results.append(
            figures(f"pan step + repaint ({marks} marks, 2.5x)", time_frames(window, frames, pan))
        )
        view.fit()
        results.append(
            figures(
                f"full repaint, fitted ({marks} marks)",
                time_frames(window, frames, lambda _n: None),
            )
        )
        window.close()
        window.deleteLater()
        database.dispose()
    return results


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--marks", type=int, default=500)
    args = parser.parse_args()
    for result in run(args.clicks, args.frames, args.marks):
        print(result.line(CLICK_BUDGET_MS))


if __name__ == "__main__":
    main()
