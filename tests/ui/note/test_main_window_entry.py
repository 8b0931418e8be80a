"""The main window opens the record, the visit window (double-click on a draft) and progress."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from massage_chart.ui.client_detail import VisitColumn
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.progress.progress_dialog import ProgressDialog
from massage_chart.ui.record.record_dialog import ClientRecordDialog
from massage_chart.ui.visit_window import VisitWindow
from tests.ui.conftest import SmallPractice

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_double_clicking_a_draft_visit_opens_its_chart_and_note(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice
) -> None:
    window.select_client(practice.zoe_id)
    view = window.detail_panel.visit_view
    rect = view.visualRect(window.detail_panel.visit_model.index(0, VisitColumn.DATE))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    visits = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, VisitWindow) and w.isVisible()
    ]
    assert [v.visit_id for v in visits] == [practice.zoe_second_visit_id]
    assert visits[0].chart.isVisible() and visits[0].note.isVisible()
    assert visits[0].note.chief_complaint.text() == "Follow-up: upper back"
    visits[0].close()


def test_menu_actions_open_record_editor_and_progress(
    qtbot: QtBot, window: MainWindow, practice: SmallPractice
) -> None:
    window.select_client(practice.zoe_id)
    window.client_record_action.trigger()
    records = [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, ClientRecordDialog) and w.isVisible()
    ]
    assert records and records[0].client_id == practice.zoe_id
    assert window.client_record_action.shortcut().toString() == "Ctrl+I"
    records[0].close()
    window.detail_panel.select_visit(practice.zoe_second_visit_id)
    window.edit_note_action.trigger()
    visits = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, VisitWindow) and w.isVisible()
    ]
    assert visits and visits[0].visit_id == practice.zoe_second_visit_id
    assert visits[0].note.isAncestorOf(visits[0].focusWidget()), "the keyboard is in the note"
    visits[0].close()
    window.progress_action.trigger()
    progress = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, ProgressDialog) and w.isVisible()
    ]
    assert progress and progress[0].client_id == practice.zoe_id
    progress[0].close()
