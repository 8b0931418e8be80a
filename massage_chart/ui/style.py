"""Small helpers that keep the look consistent: quiet captions, error text, headings."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QWidget

ERROR_COLOUR = QColor("#b3261e")


def muted(label: QLabel) -> None:
    """Draw a caption or hint in the theme's quieter text colour (still readable, still enabled)."""
    palette = label.palette()
    palette.setColor(
        QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
    )
    label.setPalette(palette)


def small(label: QLabel) -> None:
    """A hint's smaller type (11 px), leaving its colour to the theme."""
    font = label.font()
    font.setPixelSize(11)
    label.setFont(font)


def is_dark(widget: QWidget) -> bool:
    """Whether the widget's theme draws light text on a dark window."""
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def alert_text(label: QLabel) -> None:
    """Draw a label in the alerts' red, lighter on a dark theme so that it stays readable."""
    palette = label.palette()
    palette.setColor(
        QPalette.ColorRole.WindowText, QColor("#ff8a80") if is_dark(label) else QColor("#8a1111")
    )
    label.setPalette(palette)


def error_text(label: QLabel) -> None:
    """Draw a label in the colour of a problem the user must fix."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOUR)
    label.setPalette(palette)


def heading(widget: QWidget, scale: float) -> None:
    """Make a widget's font larger by ``scale`` and semi-bold."""
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setWeight(QFont.Weight.DemiBold)
    widget.setFont(font)
