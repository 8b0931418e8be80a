"""The Help menu: the user guide with its screenshots, a shortcut sheet read off the actions, About."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap, QTextDocument
from PySide6.QtWidgets import QLabel, QMenu
from pytestqt.qtbot import QtBot

import massage_chart
from massage_chart.domain.marks import MarkKind
from massage_chart.resources import guide_path
from massage_chart.ui import help as help_module
from massage_chart.ui.chart.tools import TOOL_KEYS
from massage_chart.ui.help import AboutDialog, GuideWindow, ShortcutSheet
from massage_chart.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _sheet_rows(sheet: ShortcutSheet) -> list[tuple[str, str]]:
    table = sheet.table
    rows = []
    for line in range(table.rowCount()):
        keys, what = table.item(line, 0), table.item(line, 1)
        if keys is not None and what is not None:
            rows.append((keys.text(), what.text()))
    return rows


def test_the_shortcut_sheet_lists_every_key_of_the_menus_and_the_chart(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    sheet = window.help_window
    assert isinstance(sheet, ShortcutSheet) and sheet.isVisible()
    listed = _sheet_rows(sheet)
    with_keys = [
        action
        for top in window.menuBar().actions()
        if isinstance(top.menu(), QMenu)
        for action in top.menu().actions()  # type: ignore[union-attr]
        if isinstance(action, QAction) and not action.shortcut().isEmpty()
    ]
    assert len(with_keys) >= 8
    for action in with_keys:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert any(row_keys.startswith(keys) for row_keys, _ in listed), action.text()
    for kind in MarkKind:
        assert any(keys == TOOL_KEYS[kind] and kind.legend.name in what for keys, what in listed)
    assert ("Ctrl+B", "Body chart") in listed


def test_the_guide_opens_with_its_screenshots(qtbot: QtBot, window: MainWindow) -> None:
    path = guide_path()
    assert path is not None and path.name == "USER_GUIDE.md"
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.help_window
    assert isinstance(guide, GuideWindow) and guide.isVisible()
    text = guide.browser.toPlainText()
    assert "Massage Chart user guide" in text
    for section in ("Charting a visit", "Signing", "Backups"):
        assert section in text
    images = _image_names(path.read_text(encoding="utf-8"))
    assert len(images) >= 5
    document = guide.browser.document()
    for name in images:
        assert (path.parent / name).is_file(), name
        url = guide.browser.source().resolved(QUrl(name))
        image = document.resource(QTextDocument.ResourceType.ImageResource, url)
        assert isinstance(image, QImage | QPixmap) and not image.isNull(), name


def _image_names(markdown: str) -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", markdown)


def test_a_missing_guide_says_so_and_the_records_are_safe(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(help_module, "guide_path", lambda: None)
    guide = GuideWindow()
    qtbot.addWidget(guide)
    assert "missing from this installation" in guide.browser.toPlainText()


def test_about_names_the_version_database_and_licences(qtbot: QtBot, window: MainWindow) -> None:
    window.about_action.trigger()
    about = window.help_window
    assert isinstance(about, AboutDialog) and about.isVisible()
    words = " ".join(label.text() for label in about.findChildren(QLabel))
    assert massage_chart.__version__ in words
    assert window.database.display_name in words
    libraries = {
        about.libraries.item(row, 0).text(): about.libraries.item(row, 2).text()  # type: ignore[union-attr]
        for row in range(about.libraries.rowCount())
    }
    assert libraries["SQLAlchemy"] == "MIT"
    assert "LGPL" in libraries["PySide6"]
    fonts = about.fonts.toPlainText()
    assert "SIL OFL" in fonts and "Apache 2.0" in fonts
