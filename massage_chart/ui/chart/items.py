"""Graphics items of the body map: a figure per atlas view and the marks drawn on it.

Items only display: they paint what the chart document holds and never change it. Geometry is
built once per view (QPainterPaths cached per region) and marks are cheap to paint.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from massage_chart.atlas import AtlasView, Polygon, Region, load_atlas
from massage_chart.domain.marks import Geometry, MarkData, MarkKind
from massage_chart.ui.chart import glyphs

FIGURE_HEIGHT = 1000.0
CAPTION_HEIGHT = 70.0


_RECT_MARGIN = 12.0
"""Room around an area's or a stroke's outline in its bounds, for the selection halo."""

_CLIP_MARGIN = 20.0
"""Figure units kept between a mark's outline and the body's before its clip is left off: more
than the widest pen's overhang (the 5 px selection halo) at the smallest zoom (0.15)."""


def figure_size(view: AtlasView) -> tuple[float, float]:
    """The figure's frame in scene units (width, height)."""
    return view.aspect * FIGURE_HEIGHT, FIGURE_HEIGHT


def _polygon_path(polygons: tuple[Polygon, ...], w: float, h: float) -> QPainterPath:
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for polygon in polygons:
        for ring in polygon:
            path.addPolygon(QPolygonF([QPointF(x * w, y * h) for x, y in ring]))
            path.closeSubpath()
    return path


@cache
def _view_paths(
    version: int, view_id: str
) -> tuple[QPainterPath, QPainterPath, QPainterPath, QPainterPath]:
    """Silhouette, region outlines, detail lines and fibre lines of a view of one atlas
    version, built once."""
    view = load_atlas(version).view(view_id)
    w, h = figure_size(view)
    silhouette = _polygon_path(view.silhouette, w, h)
    outlines = QPainterPath()
    for region in view.regions:
        outlines.addPath(region_path(version, view_id, region.id))
    details = QPainterPath()
    for line in view.detail_lines:
        details.addPolygon(QPolygonF([QPointF(x * w, y * h) for x, y in line]))
    fibres = QPainterPath()
    for line in view.fibre_lines:
        fibres.addPolygon(QPolygonF([QPointF(x * w, y * h) for x, y in line]))
    return silhouette, outlines, details, fibres


@cache
def region_path(version: int, view_id: str, region_id: str) -> QPainterPath:
    """A region's outline in figure units, on that atlas version (cached)."""
    view = load_atlas(version).view(view_id)
    w, h = figure_size(view)
    return _polygon_path(view.region(region_id).polygons, w, h)


class FigureItem(QGraphicsItem):
    """One atlas view: silhouette, region lines, anatomy details, R/L letters and caption.

    Marks are its children, placed in figure units (frame fraction x width, y x height).
    """

    def __init__(self, view: AtlasView, caption: str | None = None) -> None:
        super().__init__()
        self.view = view
        # The words under the figure: the atlas's own, or plainer ones for a client's screen.
        self.caption = view.caption if caption is None else caption
        self.frame_width, self.frame_height = figure_size(view)
        self._silhouette, self._outlines, self._details, self._fibres = _view_paths(
            view.atlas_version, view.id
        )
        #: The body's outline, in the figure's coordinates (marks are drawn inside it).
        self.silhouette = self._silhouette
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(-10)
        self.highlight = QGraphicsPathItem(self)
        self.highlight.setBrush(QColor(29, 111, 224, 28))
        pen = QPen(QColor(29, 111, 224, 170), 1.4)
        pen.setCosmetic(True)
        self.highlight.setPen(pen)
        self.highlight.setZValue(-5)
        self.highlight.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.alert_areas = QGraphicsPathItem(self)
        hatch = QBrush(QColor(179, 38, 30, 70), Qt.BrushStyle.BDiagPattern)
        hatch.setTransform(QTransform.fromScale(3, 3))
        self.alert_areas.setBrush(hatch)
        alert_pen = QPen(QColor(179, 38, 30, 150), 1.2, Qt.PenStyle.DashLine)
        alert_pen.setCosmetic(True)
        self.alert_areas.setPen(alert_pen)
        self.alert_areas.setZValue(-6)
        self.alert_areas.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.alert_region_ids: list[str] = []

    def show_alert_regions(self, region_ids: list[str]) -> None:
        """Outline and hatch lightly the regions a health alert names (none: an empty list)."""
        if list(region_ids) == self.alert_region_ids:
            return  # unchanged (asked again after every mark)
        self.alert_region_ids = list(region_ids)
        path = QPainterPath()
        for region_id in region_ids:
            path.addPath(region_path(self.view.atlas_version, self.view.id, region_id))
        self.alert_areas.setPath(path)

    def boundingRect(self) -> QRectF:
        """The frame, with room for the caption below and the side letters above."""
        return QRectF(-40, -60, self.frame_width + 80, self.frame_height + CAPTION_HEIGHT + 60)

    def to_fraction(self, local: QPointF) -> tuple[float, float]:
        """Frame fractions of a point in figure units."""
        return local.x() / self.frame_width, local.y() / self.frame_height

    def to_local(self, x: float, y: float) -> QPointF:
        """Figure units of a frame point."""
        return QPointF(x * self.frame_width, y * self.frame_height)

    def region_at(self, local: QPointF) -> Region | None:
        """The region under a point in figure units."""
        x, y = self.to_fraction(local)
        return self.view.region_at(x, y)

    def show_region(self, region: Region | None) -> None:
        """Outline the region under the pointer (or none)."""
        path = (
            region_path(self.view.atlas_version, self.view.id, region.id)
            if region is not None
            else QPainterPath()
        )
        self.highlight.setPath(path)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Draw the body; the marks paint themselves on top."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#fbf8f4"))
        painter.drawPath(self._silhouette)
        if not self._fibres.isEmpty():
            fibre_pen = QPen(QColor("#e6d6ca"), 0.8)
            fibre_pen.setCosmetic(True)
            painter.setPen(fibre_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(self._fibres)
        region_pen = QPen(QColor("#cfc8bf"), 0.8)
        region_pen.setCosmetic(True)
        painter.setPen(region_pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._outlines)
        detail_pen = QPen(QColor("#8a8178"), 1.0)
        detail_pen.setCosmetic(True)
        painter.setPen(detail_pen)
        painter.drawPath(self._details)
        # Antialiased cosmetic lines of 1 px have a fast path; one wider is thirty times slower
        # on this outline, so the heavier contour is two hairlines half a pixel apart.
        outline = QPen(QColor("#2f2a27"), 1.0)
        outline.setCosmetic(True)
        painter.setPen(outline)
        painter.drawPath(self._silhouette)
        shift = 0.6 / (painter.worldTransform().m11() or 1.0)
        painter.translate(shift, shift)
        painter.drawPath(self._silhouette)
        painter.translate(-shift, -shift)
        left, right = self.view.side_letters
        font = QFont()
        font.setBold(True)
        font.setPixelSize(44 if len(left) == 1 else 26)
        painter.setFont(font)
        painter.setPen(QColor("#5a524c"))
        painter.drawText(
            QRectF(-30, -55, 120, 60),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            left,
        )
        painter.drawText(
            QRectF(self.frame_width - 90, -55, 120, 60),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            right,
        )
        caption = QFont()
        caption.setPixelSize(24)
        painter.setFont(caption)
        painter.setPen(QColor("#3b3633"))
        painter.drawText(
            QRectF(-40, self.frame_height + 8, self.frame_width + 80, CAPTION_HEIGHT - 10),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            self.caption,
        )


#: Stacking: treated areas under findings, areas to avoid over them, strokes and points on top.
_Z: dict[MarkKind, float] = {MarkKind.TREATED: 3, MarkKind.AVOID: 6, MarkKind.SCAR: 8}
#: Labels of areas and strokes: above every area's fill (another region's hatch never hides a
#: label), below the point glyphs.
BADGE_Z = 9


class MarkItem(QGraphicsItem):
    """One mark on a figure (a child of its FigureItem).

    Attributes:
        mark: the mark shown (the document's snapshot).
        role: "mark" (this visit's, selectable and movable), "ghost" (the previous visit's)
            or "standing" (an area to avoid from an earlier visit).
    """

    def __init__(self, figure: FigureItem, mark: MarkData, role: str = "mark") -> None:
        super().__init__(figure)
        self.figure = figure
        self.role = role
        self.mark = mark
        self._path = QPainterPath()
        self._points: list[QPointF] = []
        self._badge_at = QPointF()
        self._badge = ""
        self._rect = QRectF()
        # The body's outline cut to what the mark paints, while it could paint past the body;
        # None when the mark lies well inside it (no clip: a clip path costs more than the fill).
        self._clip: QPainterPath | None = None
        self._clip_known = False
        self.glyph_scale = 1.0
        self.badge: BadgeItem | None = None
        if role == "mark":
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
            self.setZValue(_Z.get(mark.kind, 5 if mark.kind.geometry is Geometry.AREA else 10))
        else:
            self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.setOpacity(0.3 if role == "ghost" else 0.85)
            self.setZValue(1 if role == "ghost" else 2)
        if mark.kind.geometry is not Geometry.POINT and role != "ghost":
            self.badge = BadgeItem(self)
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        if mark.kind.geometry is Geometry.POINT:
            self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        # Painted once per zoom level: panning and repaints blit the cached pixmap.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.set_mark(mark)

    @property
    def mark_id(self) -> str:
        """The id of the mark shown."""
        return self.mark.id

    def set_mark(self, mark: MarkData) -> None:
        """Show a new snapshot of the mark (after an edit or a move)."""
        self.prepareGeometryChange()
        self.update()  # the pixmap cached for the screen shows the old snapshot
        self.mark = mark
        self._clip_known = False
        f = self.figure
        kind = mark.kind
        self._badge = glyphs.badge_text(kind, mark.intensity, mark.minutes, mark.pressure)
        if kind.geometry is Geometry.POINT:
            self.setPos(f.to_local(*mark.points[0]))
            s = self._glyph_size() * 0.8 + 6
            self._rect = QRectF(-s, -s, 2 * s, 2 * s)
            return
        self.setPos(0, 0)
        if mark.whole_region and mark.region_id is not None:
            self._path = region_path(f.view.atlas_version, mark.view, mark.region_id)
        else:
            self._points = [f.to_local(x, y) for x, y in mark.points]
            self._path = QPainterPath()
            if kind.geometry is Geometry.AREA:
                self._path.addPolygon(QPolygonF(self._points))
                self._path.closeSubpath()
        if kind.geometry is Geometry.STROKE:
            middle = self._points[len(self._points) // 2]
            self._badge_at = middle + QPointF(0, -14)
            rect = QPolygonF(self._points).boundingRect()
        else:
            rect = self._path.boundingRect()
            self._badge_at = self._inside_point()
        self._rect = rect.adjusted(-_RECT_MARGIN, -_RECT_MARGIN, _RECT_MARGIN, _RECT_MARGIN)
        if self.badge is not None:
            unconfirmed = "" if mark.confirmed else " ?"
            self.badge.set_text(kind, self._badge + unconfirmed)
            self.badge.place(self.mapToParent(self._badge_at))

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        """The label (drawn on the figure, above every area) follows the mark as it is moved,
        shown, hidden and taken off the map."""
        kind = QGraphicsItem.GraphicsItemChange
        if change == kind.ItemPositionHasChanged:
            self._clip_known = False  # the clip was cut for the old place
        badge = self.badge
        if badge is not None:
            if change == kind.ItemPositionHasChanged:
                badge.place(self.mapToParent(self._badge_at))
            elif change == kind.ItemVisibleHasChanged:
                badge.follow_owner()
            elif change == kind.ItemSceneChange and value is None:
                scene = badge.scene()
                if scene is not None:
                    scene.removeItem(badge)
        return super().itemChange(change, value)

    def _inside_point(self) -> QPointF:
        """Where the badge goes: the region's inner point, or the outline's centroid."""
        mark = self.mark
        if mark.whole_region and mark.region_id is not None:
            x, y = self.figure.view.region(mark.region_id).inner_point
            return self.figure.to_local(x, y)
        pts = self._points
        cx = sum(p.x() for p in pts) / len(pts)
        cy = sum(p.y() for p in pts) / len(pts)
        centre = QPointF(cx, cy)
        if self._path.contains(centre):
            return centre
        return pts[0]

    def _body_clip(self) -> QPainterPath | None:
        """The clip that keeps an area's or a stroke's paint on the body, worked out once per
        place: none when its outline, with room for the pen, lies inside the body's; else the
        body's outline cut to what the mark paints (a few points instead of the whole body's
        two thousand: painting through it is then cheap)."""
        if not self._clip_known:
            # The outline's bounds (set_mark keeps them, with _RECT_MARGIN) and room for the pen.
            margin = _CLIP_MARGIN - _RECT_MARGIN
            inside = self._rect.adjusted(-margin, -margin, margin, margin)
            silhouette = self.figure.silhouette
            if silhouette.contains(self.mapRectToParent(inside)):
                self._clip = None
            else:
                painted = QPainterPath()
                painted.addRect(self._rect.adjusted(-2, -2, 2, 2))  # all it can paint, and more
                self._clip = self.mapFromParent(silhouette).intersected(painted)
            self._clip_known = True
        return self._clip

    def _glyph_size(self) -> float:
        if self.mark.kind is MarkKind.PAIN:
            return glyphs.POINT_GLYPH_SIZE  # the number in the dot stays readable
        base = glyphs.POINT_GLYPH_SIZE * self.glyph_scale
        intensity = self.mark.intensity
        if intensity is None:
            return base
        return base * (0.8 + 0.04 * intensity)

    def set_glyph_scale(self, scale: float) -> None:
        """Draw point glyphs smaller when the figures are small on screen."""
        if scale != self.glyph_scale and self.mark.kind.geometry is Geometry.POINT:
            self.glyph_scale = scale
            self.set_mark(self.mark)

    def badge_text(self) -> str:
        """The code label drawn beside the mark."""
        return self._badge

    def boundingRect(self) -> QRectF:
        """The mark's outline, with room for the selection halo."""
        return self._rect

    def shape(self) -> QPainterPath:
        """What a click hits: the glyph, the area, or a band along a stroke."""
        path = QPainterPath()
        if self.mark.kind.geometry is Geometry.POINT:
            path.addEllipse(self._rect.adjusted(4, 4, -4, -4))
            return path
        if self.mark.kind.geometry is Geometry.STROKE:
            band = QPainterPath()
            band.addPolygon(QPolygonF(self._points))
            stroker = QPainterPathStroker()
            stroker.setWidth(14)
            return stroker.createStroke(band)
        return self._path

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Draw the glyph, area or stroke, and its code badge in screen pixels."""
        mark = self.mark
        selected = self.isSelected()
        unconfirmed = not mark.confirmed
        if not painter.testRenderHint(QPainter.RenderHint.Antialiasing):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)  # a state change costs
        geometry = mark.kind.geometry
        if geometry is Geometry.POINT:
            glyphs.paint_point(
                painter,
                mark.kind,
                mark.intensity,
                size=self._glyph_size(),
                selected=selected,
                unconfirmed=unconfirmed,
            )
            if mark.intensity is not None and mark.kind is not MarkKind.PAIN:
                font = glyphs.badge_font()
                font.setPixelSize(10)
                painter.setFont(font)
                painter.setPen(QColor("#1a1a1a"))
                s = self._glyph_size() / 2
                painter.drawText(QPointF(s * 0.9, s * 1.3), str(mark.intensity))
            return
        # On the body only: a painted edge past the outline does not spill off it.
        clip = self._body_clip()
        if clip is not None:
            painter.setClipPath(clip)
        if geometry is Geometry.STROKE:
            glyphs.paint_scar(painter, self._points, selected=selected, unconfirmed=unconfirmed)
        else:
            glyphs.paint_area(
                painter, self._path, mark.kind, selected=selected, unconfirmed=unconfirmed
            )


class BadgeItem(QGraphicsItem):
    """The code label of an area or a stroke ("HT 6", "Tx 20′ W3"), the same size at every zoom."""

    def __init__(self, owner: MarkItem) -> None:
        # On the figure beside the marks (not inside its own mark), so it is drawn above
        # every area's fill.
        super().__init__(owner.figure)
        self.owner = owner
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(BADGE_Z if owner.role == "mark" else owner.zValue())
        self.setOpacity(owner.opacity())
        self.kind = owner.mark.kind
        self.text = ""
        self.ghost = owner.role != "mark"
        self.wanted = True  # shown when its mark is (treated areas' only when zoomed in)
        self._rect = QRectF()
        self._offset = QPointF(0, 0)
        self._anchor = QPointF(0, 0)
        self._nudge = QPointF(0, 0)
        self._pixels_per_unit = 1.0

    def set_text(self, kind: MarkKind, text: str) -> None:
        """Change the label, and drop the picture of the old one cached for the screen."""
        if kind is self.kind and text == self.text:
            return
        self.prepareGeometryChange()
        self.kind = kind
        self.text = text
        self._rect = glyphs.badge_rect(text).adjusted(-2, -2, 2, 2).translated(self._offset)
        # A new label of the same size would otherwise be drawn from the cached pixmap of the
        # old one ("HT 5" after the intensity became 6): update() invalidates that cache.
        self.update()

    def set_offset(self, offset: QPointF) -> None:
        """Shift the label by screen pixels (to keep labels of one region apart)."""
        if offset == self._offset:
            return
        self.prepareGeometryChange()
        self._rect = self._rect.translated(offset - self._offset)
        self._offset = offset
        self.update()

    def show_label(self, shown: bool) -> None:
        """Show or hide the label (it shows only while its mark does too)."""
        self.wanted = shown
        self.follow_owner()

    def follow_owner(self) -> None:
        """Be visible exactly when wanted and the mark is."""
        self.setVisible(self.wanted and self.owner.isVisible())

    def place(self, anchor: QPointF) -> None:
        """Put the label at its mark (a point of the figure), moved off others as it was."""
        self._anchor = anchor
        self._move()

    @property
    def anchor(self) -> QPointF:
        """Where the label belongs on the figure, before it was moved off other labels."""
        return self._anchor

    def set_nudge(self, nudge: QPointF, pixels_per_unit: float) -> None:
        """Move the label by screen pixels off a neighbouring region's label, at a zoom of
        ``pixels_per_unit`` screen pixels per figure unit.

        The label is moved, not drawn afresh: its picture cached for the screen is kept. A
        zoom step moves most labels, and drawing each one again was most of a zoomed-out
        step's painting.
        """
        if nudge == self._nudge and pixels_per_unit == self._pixels_per_unit:
            return
        self._nudge = nudge
        self._pixels_per_unit = pixels_per_unit
        self._move()

    def _move(self) -> None:
        self.setPos(self._anchor + self._nudge / self._pixels_per_unit)

    def width(self) -> float:
        """The label's width in pixels."""
        return self._rect.width()

    def boundingRect(self) -> QRectF:
        """The label's box in pixels from its place, among its region's labels (a move off
        other regions' labels moves the place: ``set_nudge``)."""
        return self._rect

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionGraphicsItem,
        widget: QWidget | None = None,
    ) -> None:
        """Draw the label."""
        painter.translate(self._offset)
        glyphs.paint_badge(painter, self.kind, self.text, ghost=self.ghost)
