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


def error_colour(widget: QWidget) -> QColor:
    """The colour of a problem the user must fix, lighter on a dark theme (both at least 4.5:1
    against the theme's window)."""
    return QColor("#ff8a80") if is_dark(widget) else ERROR_COLOUR


def error_text(label: QLabel) -> None:
    """Draw a label in the colour of a problem the user must fix."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, error_colour(label))
    label.setPalette(palette)


def heading(widget: QWidget, scale: float) -> None:
    """Make a widget's font larger by ``scale`` and semi-bold."""
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setWeight(QFont.Weight.DemiBold)
    widget.setFont(font)


def dark_fusion_palette() -> QPalette:
    """The palette a system in dark mode (GNOME, KDE) hands Qt's Fusion style. The app takes
    the system's palette as it is; this one shows and tests the app as such a system shows it
    (``make screenshots``' dark pictures, the dark-theme tests)."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#323232"), (roles.WindowText, "#f0f0f0"), (roles.Base, "#1e1e1e"),
        (roles.AlternateBase, "#2a2a2a"), (roles.Text, "#f0f0f0"), (roles.Button, "#3a3a3a"),
        (roles.ButtonText, "#f0f0f0"), (roles.BrightText, "#ffffff"), (roles.Light, "#505050"),
        (roles.Midlight, "#444444"), (roles.Mid, "#2c2c2c"), (roles.Dark, "#1a1a1a"),
        (roles.Shadow, "#000000"), (roles.Highlight, "#3d6fb4"),
        (roles.HighlightedText, "#ffffff"), (roles.Link, "#8ab4f8"),
        (roles.PlaceholderText, "#a0a0a0"), (roles.ToolTipBase, "#3a3a3a"),
        (roles.ToolTipText, "#f0f0f0"),
    ):  # fmt: skip
        palette.setColor(role, QColor(colour))
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8a8a8a"))
    return palette
