"""The legend reads on a light and a dark theme: hint and alert key in colours with contrast, the
swatches on the chart's own paper."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from massage_chart.domain.marks import MarkKind
from massage_chart.ui.chart.glyphs import kind_icon
from massage_chart.ui.chart.legend import LegendPanel
from tests.helpers.contrast import contrast

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _dark_palette() -> QPalette:
    palette = QPalette(QApplication.palette())
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
        (QPalette.ColorRole.PlaceholderText, "#a0a0a0"),
        (QPalette.ColorRole.Mid, "#3a3a3a"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.mark.parametrize("dark", [False, True])
def test_the_hint_and_the_alert_key_havecontrast(qtbot: QtBot, dark: bool) -> None:
    original = QApplication.palette()
    if dark:
        QApplication.setPalette(_dark_palette())
    try:
        legend = LegendPanel()
        qtbot.addWidget(legend)
        background = legend.palette().color(QPalette.ColorRole.Window)
        labels = [legend.alert_key, *legend.findChildren(type(legend.alert_key))]
        for label in labels:
            if not label.text() or label.text().startswith("<"):
                continue
            # A colour fixed in a style sheet ignores the theme (it was dark grey on dark grey).
            assert "color" not in label.styleSheet(), label.text()
            text = label.palette().color(QPalette.ColorRole.WindowText)
            assert contrast(text, background) >= 3.0, (label.text(), text.name())
    finally:
        QApplication.setPalette(original)


def test_a_swatch_sits_on_paper_so_dark_strokes_show_on_a_dark_theme() -> None:
    image = kind_icon(MarkKind.TRIGGER_POINT_ACTIVE).pixmap(22, 22).toImage()
    corner_inside = image.pixelColor(image.width() // 2, 2)
    assert corner_inside.alpha() == 255 and corner_inside.lightness() > 200
