"""Names in every script show in the window, with the fonts the program ships."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QApplication

from massage_chart.ui.fonts import install_script_fonts

#: A character no font draws (a private-use code point): what a missing glyph looks like.
NO_GLYPH = "\U000f0000"


def _drawn(text: str, font: QFont) -> QImage:
    image = QImage(120, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return image


def test_the_shipped_script_fonts_are_offered_once(qapp: QApplication) -> None:
    families = install_script_fonts()
    assert "Droid Sans Fallback" in families
    assert any("Arabic" in family for family in families)
    assert any("Hebrew" in family for family in families)
    assert install_script_fonts() == families  # a second call adds nothing


@pytest.mark.parametrize("name", ["王", "박", "ف", "ש"])
def test_a_letter_of_each_script_is_drawn_not_boxed(qapp: QApplication, name: str) -> None:
    install_script_fonts()
    font = qapp.font()
    assert _drawn(name, font) != _drawn(NO_GLYPH, font)
