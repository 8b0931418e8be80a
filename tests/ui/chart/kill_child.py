"""A chart window in a child process: clicks marks on the body map, printing each one's id once
the click has returned (the mark painted and committed), until it is killed.

Usage: python -m tests.ui.chart.kill_child DB_PATH VISIT_ID
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.storage.database import open_database
from massage_chart.ui.chart import VisitChartWindow


def main(path: str, visit_id: str) -> None:
    """Chart on and on; one line per acknowledged mark."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    database = open_database(path)
    window = VisitChartWindow(database, visit_id)
    window.resize(1366, 740)
    window.show()
    app.processEvents()
    window.show_view("posterior")
    window.set_tool(MarkKind.TRIGGER_POINT_ACTIVE)
    figure = window.scene.figures["posterior"]
    regions = [r for r in load_atlas().regions("posterior") if r.side != "midline"]
    count = 0
    while True:
        region = regions[count % len(regions)]
        point = window.view.mapFromScene(figure.mapToScene(figure.to_local(*region.inner_point)))
        QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=point)
        window.view.viewport().repaint()
        (mark_id,) = window.scene.selected_mark_ids()
        print(mark_id, flush=True)
        count += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
