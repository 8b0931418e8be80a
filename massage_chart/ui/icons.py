"""Small icons drawn with QPainter, so they are crisp at any scale and need no image files."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

_SIZES = (16, 24, 32, 48)


def _lock_pixmap(size: int, colour: QColor) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = size / 16.0
    # The shackle: an arch over the body.
    pen = QPen(colour, 1.8 * unit)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    shackle = QPainterPath(QPointF(5 * unit, 8 * unit))
    shackle.lineTo(5 * unit, 5.5 * unit)
    shackle.arcTo(QRectF(5 * unit, 2 * unit, 6 * unit, 6 * unit), 180, -180)
    shackle.lineTo(11 * unit, 8 * unit)
    painter.drawPath(shackle)
    # The body, with a keyhole left transparent.
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(QRectF(3 * unit, 7.5 * unit, 10 * unit, 7.5 * unit), unit, unit)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.drawEllipse(QPointF(8 * unit, 10.6 * unit), 1.2 * unit, 1.2 * unit)
    painter.drawRect(QRectF(7.5 * unit, 10.6 * unit, 1.0 * unit, 2.6 * unit))
    painter.end()
    return pixmap


@cache
def lock_icon() -> QIcon:
    """A closed padlock: the visit is signed and can no longer change."""
    icon = QIcon()
    for size in _SIZES:
        # A mid grey: at least 3.5:1 on a light list and on a dark one.
        icon.addPixmap(_lock_pixmap(size, QColor("#7a8599")), QIcon.Mode.Normal)
        # On a highlighted row the grey lock would vanish into the selection colour.
        icon.addPixmap(_lock_pixmap(size, QColor("#ffffff")), QIcon.Mode.Selected)
    return icon
