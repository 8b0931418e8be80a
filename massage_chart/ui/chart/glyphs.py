"""How each mark kind is drawn (DOMAIN.md §3.3): glyphs, fill patterns, badges and legend icons.

Every kind has a shape or pattern of its own as well as a colour, so a chart stays readable in
greyscale and for colour-blind eyes. Patterns are tiled in screen pixels, whatever the zoom.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QIcon,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPixmap,
    QPolygonF,
    QTransform,
)

from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.domain.presentation import format_pressure_short

#: Short names for lists and labels ("Active TrP · R upper trapezius · 7/10").
SHORT_NAMES: dict[MarkKind, str] = {
    MarkKind.TRIGGER_POINT_ACTIVE: "Active TrP",
    MarkKind.TRIGGER_POINT_LATENT: "Latent TrP",
    MarkKind.TENDER_POINT: "Tender point",
    MarkKind.PAIN: "Pain",
    MarkKind.REFERRED_PAIN: "Referred pain",
    MarkKind.HYPERTONICITY: "Hypertonicity",
    MarkKind.SPASM: "Spasm",
    MarkKind.SCAR: "Scar",
    MarkKind.TREATED: "Treated",
    MarkKind.ADHESION: "Adhesion",
    MarkKind.INFLAMMATION: "Inflammation",
    MarkKind.NUMBNESS: "Numbness",
    MarkKind.PARESTHESIA: "Paresthesia",
    MarkKind.BURNING: "Burning",
    MarkKind.ACHING: "Aching",
    MarkKind.STABBING: "Stabbing",
    MarkKind.BRUISE: "Bruise",
    MarkKind.AVOID: "Avoid",
}

TILE = 12  # pattern tile, screen pixels
POINT_GLYPH_SIZE = 20.0  # point glyphs, screen pixels
WHITE = QColor("#ffffff")


def colour(kind: MarkKind) -> QColor:
    """The legend colour of a kind."""
    return QColor(kind.legend.colour)


def _tinted(kind: MarkKind, alpha: int) -> QColor:
    c = colour(kind)
    c.setAlpha(alpha)
    return c


@cache
def _tile(kind: MarkKind) -> QPixmap | None:
    """The pattern tile of an area kind (None for plain fills)."""
    if kind in _PLAIN:
        return None
    pixmap = QPixmap(TILE, TILE)
    pixmap.fill(_tinted(kind, _FILL_ALPHA.get(kind, 28)))  # the wash under the pattern
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(colour(kind), 1.6)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    p.setPen(pen)
    t = float(TILE)
    if kind is MarkKind.HYPERTONICITY:  # ≈ wavy hatch
        for y0 in (3.0, 9.0):
            path = QPainterPath(QPointF(0, y0))
            path.cubicTo(3, y0 - 3, 3, y0 - 3, 6, y0)
            path.cubicTo(9, y0 + 3, 9, y0 + 3, 12, y0)
            p.drawPath(path)
    elif kind is MarkKind.SPASM:  # zig-zag
        p.drawPolyline(
            QPolygonF([QPointF(0, 9), QPointF(3, 3), QPointF(6, 9), QPointF(9, 3), QPointF(12, 9)])
        )
    elif kind is MarkKind.ADHESION:  # # cross-hatch
        for x in (3.0, 9.0):
            p.drawLine(QPointF(x, 0), QPointF(x, t))
            p.drawLine(QPointF(0, x), QPointF(t, x))
    elif kind is MarkKind.NUMBNESS:  # === hatch
        for y in (2.0, 6.0, 10.0):
            p.drawLine(QPointF(0, y), QPointF(t, y))
    elif kind is MarkKind.PARESTHESIA:  # ooo
        p.drawEllipse(QPointF(6, 6), 3.0, 3.0)
    elif kind is MarkKind.BURNING:  # xxx
        p.drawLine(QPointF(3, 3), QPointF(9, 9))
        p.drawLine(QPointF(9, 3), QPointF(3, 9))
    elif kind is MarkKind.ACHING:  # ^^^
        pen.setWidthF(1.8)
        p.setPen(QPen(colour(kind).darker(130), 1.8))
        p.drawPolyline(QPolygonF([QPointF(1, 9), QPointF(6, 3), QPointF(11, 9)]))
    elif kind is MarkKind.STABBING:  # ///
        p.drawLine(QPointF(0, t), QPointF(t, 0))
        p.drawLine(QPointF(-6, 6), QPointF(6, -6))
        p.drawLine(QPointF(6, 18), QPointF(18, 6))
    elif kind is MarkKind.BRUISE:  # dotted fill
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour(kind))
        p.drawEllipse(QPointF(3, 3), 1.4, 1.4)
        p.drawEllipse(QPointF(9, 9), 1.4, 1.4)
    elif kind is MarkKind.AVOID:  # \\\ diagonal hatch (the other way from stabbing)
        pen.setWidthF(2.0)
        p.setPen(pen)
        p.drawLine(QPointF(0, 0), QPointF(t, t))
        p.drawLine(QPointF(-6, 6), QPointF(6, 18))
        p.drawLine(QPointF(6, -6), QPointF(18, 6))
    else:
        p.end()
        return None
    p.end()
    return pixmap


#: Base fill alpha per area kind: solid for referred pain, shaded for inflammation, light for
#: treated; a faint wash under the pattern of the others.
_FILL_ALPHA: dict[MarkKind, int] = {
    MarkKind.REFERRED_PAIN: 150,
    MarkKind.INFLAMMATION: 105,
    MarkKind.TREATED: 80,
    MarkKind.AVOID: 35,
}


_PLAIN = frozenset({MarkKind.REFERRED_PAIN, MarkKind.INFLAMMATION, MarkKind.TREATED})


def area_brush(kind: MarkKind, scale: float) -> QBrush:
    """The fill of an area kind: a plain tint, or its pattern on a faint wash tiled in screen
    pixels at a view ``scale`` (device pixels per item unit)."""
    tile = _tile(kind)
    if tile is None:
        return QBrush(_tinted(kind, _FILL_ALPHA.get(kind, 28)))
    pattern = QBrush(tile)
    if scale > 0:
        pattern.setTransform(QTransform.fromScale(1 / scale, 1 / scale))
    return pattern


def outline_pen(kind: MarkKind, *, selected: bool = False, unconfirmed: bool = False) -> QPen:
    """The outline of an area or the line of a stroke (cosmetic: same width at every zoom)."""
    # 1 px antialiased cosmetic lines are drawn by a fast path (see paint_area for heavier ones).
    width = 2.2 if kind is MarkKind.AVOID or selected else 1.0
    pen = QPen(colour(kind), width)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    if unconfirmed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def paint_area(
    painter: QPainter,
    path: QPainterPath,
    kind: MarkKind,
    *,
    selected: bool = False,
    unconfirmed: bool = False,
) -> None:
    """Fill an area with its kind's fill and pattern and draw its outline."""
    scale = painter.worldTransform().m11() or 1.0
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(area_brush(kind, scale))
    # The fill needs no antialiasing (the antialiased outline covers its edge) and costs half.
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.drawPath(path)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if selected:
        halo = QPen(QColor("#1d6fe0"), 5.0)
        halo.setCosmetic(True)
        painter.setPen(halo)
        painter.drawPath(path)
    pen = outline_pen(kind, selected=selected, unconfirmed=unconfirmed)
    painter.setPen(pen)
    painter.drawPath(path)
    if pen.widthF() <= 1.0:  # a second hairline half a pixel off reads as a firmer edge
        shift = 0.5 / scale
        painter.translate(shift, shift)
        painter.drawPath(path)
        painter.translate(-shift, -shift)


def paint_scar(
    painter: QPainter, points: list[QPointF], *, selected: bool = False, unconfirmed: bool = False
) -> None:
    """A purple line with cross-ticks every few screen pixels."""
    if len(points) < 2:
        return
    scale = painter.worldTransform().m11() or 1.0
    if selected:
        halo = QPen(QColor("#1d6fe0"), 7.0)
        halo.setCosmetic(True)
        painter.setPen(halo)
        painter.drawPolyline(QPolygonF(points))
    pen = outline_pen(MarkKind.SCAR, unconfirmed=unconfirmed)
    pen.setWidthF(2.4)
    painter.setPen(pen)
    painter.drawPolyline(QPolygonF(points))
    spacing = 9.0 / scale
    half = 5.0 / scale
    carry = spacing / 2
    for a, b in itertools.pairwise(points):
        dx, dy = b.x() - a.x(), b.y() - a.y()
        length = math.hypot(dx, dy)
        if length == 0:
            continue
        ux, uy = dx / length, dy / length
        d = carry
        while d < length:
            cx, cy = a.x() + ux * d, a.y() + uy * d
            painter.drawLine(
                QPointF(cx - uy * half, cy + ux * half), QPointF(cx + uy * half, cy - ux * half)
            )
            d += spacing
        carry = d - length


def _x_path(size: float) -> QPainterPath:
    h = size / 2
    path = QPainterPath()
    path.moveTo(-h, -h)
    path.lineTo(h, h)
    path.moveTo(h, -h)
    path.lineTo(-h, h)
    return path


def paint_point(
    painter: QPainter,
    kind: MarkKind,
    intensity: int | None,
    *,
    size: float = POINT_GLYPH_SIZE,
    selected: bool = False,
    unconfirmed: bool = False,
) -> None:
    """A point glyph centred on (0, 0), ``size`` pixels across (the painter is in pixels)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    if selected:
        painter.setPen(QPen(QColor("#1d6fe0"), 2.0))
        painter.setBrush(QColor(29, 111, 224, 40))
        painter.drawEllipse(QPointF(0, 0), size * 0.75, size * 0.75)
    c = colour(kind)
    h = size / 2
    if kind is MarkKind.TRIGGER_POINT_ACTIVE:  # bold filled X on a white halo
        painter.setPen(QPen(WHITE, size * 0.34, c=Qt.PenCapStyle.RoundCap))
        painter.drawPath(_x_path(size * 0.8))
        painter.setPen(QPen(c, size * 0.2, c=Qt.PenCapStyle.RoundCap))
        painter.drawPath(_x_path(size * 0.8))
    elif kind is MarkKind.TRIGGER_POINT_LATENT:  # outlined x
        stroker = QPainterPathStroker()
        stroker.setWidth(size * 0.2)
        stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
        outline = stroker.createStroke(_x_path(size * 0.8))
        painter.setPen(QPen(c, 1.6))
        painter.setBrush(WHITE)
        painter.drawPath(outline.simplified())
    elif kind is MarkKind.TENDER_POINT:  # open circle
        painter.setPen(QPen(WHITE, 5.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(0, 0), h * 0.75, h * 0.75)
        painter.setPen(QPen(c, 2.4))
        painter.drawEllipse(QPointF(0, 0), h * 0.75, h * 0.75)
    else:  # pain: a red dot with the number in it
        painter.setPen(QPen(WHITE, 1.5))
        painter.setBrush(c)
        painter.drawEllipse(QPointF(0, 0), h * 0.85, h * 0.85)
        if intensity is not None:
            painter.setPen(WHITE)
            font = QFont(painter.font())
            font.setBold(True)
            font.setPixelSize(max(8, round(size * 0.55)))
            painter.setFont(font)
            painter.drawText(
                QRectF(-h, -h, size, size), Qt.AlignmentFlag.AlignCenter, str(intensity)
            )
    if unconfirmed:
        pen = QPen(QColor("#444444"), 1.2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(QPointF(0, 0), h + 3, h + 3)


def badge_text(
    kind: MarkKind, intensity: int | None, minutes: int | None = None, pressure: int | None = None
) -> str:
    """The code shown beside a mark: "HT 6", "Tx 20′ W3", "AV ⚠"."""
    parts = [kind.legend.code]
    if kind is MarkKind.TREATED:
        return "Tx"  # minutes and pressure are in the list and the inspector
    if kind is MarkKind.AVOID:
        parts.append("⚠")
    if intensity is not None and kind.legend.has_intensity and kind is not MarkKind.PAIN:
        parts.append(str(intensity))
    if minutes is not None:
        parts.append(f"{minutes}′")
    if pressure is not None:
        parts.append(format_pressure_short(pressure))
    return " ".join(parts)


def badge_font() -> QFont:
    """The small bold font of badges."""
    font = QFont()
    font.setPixelSize(11)
    font.setBold(True)
    return font


def badge_rect(text: str) -> QRectF:
    """The rectangle of a badge centred on (0, 0), in pixels."""
    metrics = QFontMetricsF(badge_font())
    width = metrics.horizontalAdvance(text) + 8
    height = metrics.height() + 2
    return QRectF(-width / 2, -height / 2, width, height)


def paint_badge(painter: QPainter, kind: MarkKind, text: str, *, ghost: bool = False) -> None:
    """A white label with the kind's coloured border, centred on (0, 0), in pixels."""
    rect = badge_rect(text)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    border = colour(kind)
    painter.setPen(QPen(border, 2.0 if kind is MarkKind.AVOID else 1.3))
    painter.setBrush(QColor(255, 255, 255, 150 if ghost else 235))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setFont(badge_font())
    painter.setPen(QColor("#b00000") if kind is MarkKind.AVOID else QColor("#1a1a1a"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def paint_swatch(painter: QPainter, kind: MarkKind, rect: QRectF) -> None:
    """The legend sample of a kind inside ``rect`` (pixels)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    geometry = kind.geometry
    if geometry is Geometry.POINT:
        painter.save()
        painter.translate(rect.center())
        paint_point(
            painter,
            kind,
            7 if kind is MarkKind.PAIN else None,
            size=min(rect.width(), rect.height()) * 0.8,
        )
        painter.restore()
    elif geometry is Geometry.STROKE:
        y = rect.center().y()
        pts = [
            QPointF(rect.left() + 2, y + 3),
            QPointF(rect.center().x(), y - 2),
            QPointF(rect.right() - 2, y + 2),
        ]
        paint_scar(painter, pts)
    else:
        path = QPainterPath()
        path.addRoundedRect(rect.adjusted(1, 1, -1, -1), 3, 3)
        paint_area(painter, path, kind)
        if kind is MarkKind.AVOID:
            font = QFont(painter.font())
            font.setPixelSize(int(rect.height() * 0.55))
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor("#b00000"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "⚠")


@cache
def kind_icon(kind: MarkKind, size: int = 22) -> QIcon:
    """The legend swatch of a kind as an icon (drawn at 2x for HiDPI screens)."""
    pixmap = QPixmap(QSize(size * 2, size * 2))
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # On the chart's own paper colour, so that dark strokes and washes stay visible on a dark
    # theme (they vanished into a dark window).
    painter.setPen(QPen(QColor("#c8c8c8"), 0.5))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(QRectF(0.25, 0.25, size - 0.5, size - 0.5), 3, 3)
    paint_swatch(painter, kind, QRectF(0, 0, size, size))
    painter.end()
    return QIcon(pixmap)
