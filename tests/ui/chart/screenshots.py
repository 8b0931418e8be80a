"""Screenshots of a richly charted visit for docs/charting.md (offscreen, 1366x768).

    python -m tests.ui.chart.screenshots docs/screenshots
    QT_SCALE_FACTOR=2 python -m tests.ui.chart.screenshots /tmp/hidpi   # HiDPI look

Seeds the demo practice in a temporary database, opens a new visit for the headache client,
copies the last visit forward, confirms and eases the findings, adds one mark of most other
kinds with real clicks and drags, and saves the window, the map in greyscale and the legend.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from massage_chart.atlas import load_atlas
from massage_chart.demo import seed_demo
from massage_chart.domain.marks import MarkKind
from massage_chart.storage.database import open_database
from massage_chart.storage.models import Client, Visit
from massage_chart.storage.repositories import create_visit
from massage_chart.ui.chart import VisitChartWindow

ATLAS = load_atlas()


def click(window: VisitChartWindow, view: str, region: str, kind: MarkKind, level: int = 5) -> None:
    """Pick a tool and click a region's inner point."""
    window.show_view(view)
    window.set_tool(kind)
    window.intensity_spin.setValue(level)
    figure = window.scene.figures[view]
    local = figure.to_local(*ATLAS.region(view, region).inner_point)
    point = window.view.mapFromScene(figure.mapToScene(local))
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def drag(
    window: VisitChartWindow, view: str, points: list[tuple[float, float]], kind: MarkKind
) -> None:
    """Pick a tool and drag through frame points."""
    window.show_view(view)
    window.set_tool(kind)
    figure = window.scene.figures[view]
    screen = [window.view.mapFromScene(figure.mapToScene(figure.to_local(x, y))) for x, y in points]
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=screen[0])
    for point in screen[1:]:
        move = QMouseEvent(
            QMouseEvent.Type.MouseMove,
            QPointF(point),
            QPointF(viewport.mapToGlobal(point)),
            Qt.MouseButton.NoButton,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(viewport, move)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=screen[-1])


def main(out: Path) -> None:
    """Write the chart_*.png screenshots into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    del app
    with tempfile.TemporaryDirectory() as folder:
        database = open_database(str(Path(folder) / "demo.db"))
        seed_demo(database, today=dt.date(2026, 11, 23))
        with database.read() as session:
            zoe = session.scalars(select(Client).where(Client.first_name == "Zoë")).one()
            visits = list(
                session.scalars(
                    select(Visit).where(Visit.client_id == zoe.id).order_by(Visit.start)
                )
            )
        with database.write() as session:
            today = create_visit(
                session,
                zoe.id,
                provider_id=visits[-1].provider_id,
                start=dt.datetime(2026, 11, 23, 9, 0),
            ).id
        window = VisitChartWindow(database, today)
        window.resize(1366, 768)
        window.show()
        QTest.qWait(50)
        window.copy_forward_action.trigger()
        document = window.document
        window.scene.select_marks(
            [m.id for m in document.marks.values() if m.kind is not MarkKind.TRIGGER_POINT_LATENT]
        )
        window.confirm_action.trigger()
        for mark in list(document.marks.values()):
            if mark.kind is MarkKind.TRIGGER_POINT_ACTIVE and mark.intensity:
                document.edit_marks([mark.id], intensity=mark.intensity - 1)
        click(window, "posterior", "lower_trapezius.r", MarkKind.SPASM, 4)
        click(window, "posterior", "thoracic_erector.l", MarkKind.ACHING, 3)
        click(window, "posterior", "middle_trapezius.l", MarkKind.TENDER_POINT, 5)
        click(window, "posterior", "middle_trapezius.l", MarkKind.ADHESION, 4)
        click(window, "anterior", "pec_major_clavicular.r", MarkKind.PAIN, 4)
        click(window, "anterior", "forearm_flexors.l", MarkKind.PARESTHESIA, 3)
        click(window, "anterior", "palm.l", MarkKind.NUMBNESS)
        click(window, "anterior", "biceps.l", MarkKind.BURNING, 2)
        click(window, "anterior", "tibialis_anterior.r", MarkKind.BRUISE)
        click(window, "anterior", "medial_knee.l", MarkKind.INFLAMMATION, 3)
        click(window, "anterior", "sternocleidomastoid.l", MarkKind.STABBING, 5)
        click(window, "anterior", "anterior_neck", MarkKind.AVOID)
        x, y = ATLAS.region("anterior", "external_oblique.r").inner_point
        drag(window, "anterior", [(x - 0.01, y - 0.03 + 0.01 * i) for i in range(7)], MarkKind.SCAR)
        click(window, "anterior", "upper_trapezius.l", MarkKind.HYPERTONICITY, 5)
        window.set_tool(None)
        window.show_view("posterior")
        window.scene.select_marks(
            [
                m.id
                for m in document.marks.values()
                if m.kind is MarkKind.TRIGGER_POINT_ACTIVE and m.region_id == "upper_trapezius.r"
            ]
        )
        QTest.qWait(200)
        window.grab().save(str(out / "chart_visit.png"))
        window.tabs.setCurrentIndex(1)
        window.show_view("anterior")
        QTest.qWait(50)
        window.grab().save(str(out / "chart_changes.png"))
        grey = window.view.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        grey.save(str(out / "chart_greyscale.png"))
        window.legend.grab().save(str(out / "chart_legend.png"))
        window.show_view("posterior")
        window.tabs.setCurrentIndex(0)
        figure = window.scene.figures["posterior"]
        window.view.fit()
        window.view.zoom_by(2.6)
        window.view.centerOn(figure.mapToScene(figure.to_local(0.5, 0.22)))
        window.view.settle(at_once=True)  # as once the zoom steps stop: glyphs sized, sharp
        QTest.qWait(50)
        window.grab().save(str(out / "chart_zoomed.png"))
        signed = VisitChartWindow(database, visits[3].id)
        signed.resize(1366, 768)
        signed.show()
        signed.show_view("posterior")
        QTest.qWait(50)
        signed.grab().save(str(out / "chart_signed.png"))
        for shown in (window, signed):
            shown.document.undo_stack.clear()
            shown.close()
        database.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
