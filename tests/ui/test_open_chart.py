"""The body chart opens from the main window for the selected visit."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from massage_chart.ui.main_window import MainWindow
from tests.ui.conftest import SmallPractice


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen only
def test_body_chart_opens_for_the_selected_visit(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice
) -> None:
    window.select_client(practice.zoe_id)
    qtbot.waitUntil(lambda: window.detail_panel.visit_model.rowCount() == 2)
    window.detail_panel.visit_view.selectRow(0)
    assert window.detail_panel.chart_button.defaultAction() is window.chart_action
    window.chart_action.trigger()
    from massage_chart.ui.chart import VisitChartWindow

    charts = [w for w in window.findChildren(VisitChartWindow) if w.isVisible()]
    assert len(charts) == 1
    assert charts[0].document.visit_id == window.detail_panel.current_visit_id()
    charts[0].close()


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")  # offscreen only
def test_a_visit_that_is_gone_gives_a_message_not_a_window(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice
) -> None:
    assert window.open_chart("removed-on-another-computer") is None
    qtbot.waitUntil(lambda: bool(window.findChildren(QMessageBox)))
    assert "removed-on-another-computer" in window.findChildren(QMessageBox)[0].text()
