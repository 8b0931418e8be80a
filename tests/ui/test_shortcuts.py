"""Every keyboard shortcut of the main window does one thing (Qt ignores ambiguous ones)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtGui import QAction, QKeySequence

from massage_chart.ui.main_window import MainWindow


def test_no_two_actions_share_a_shortcut(window: MainWindow) -> None:
    keys = Counter(
        shortcut.toString(QKeySequence.SequenceFormat.PortableText)
        for action in window.findChildren(QAction)
        for shortcut in action.shortcuts()
        if not shortcut.isEmpty()
    )
    assert keys, "the window has shortcuts"
    assert [key for key, count in keys.items() if count > 1] == []
