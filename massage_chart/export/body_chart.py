"""The body chart as vectors: one atlas view with its marks, R/L letters and numbered markers.

It draws the same atlas geometry the screen paints, and each mark kind with its own glyph or
pattern as well as colour (DOMAIN.md §3.3), so a chart reads in greyscale as on screen.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable, Paragraph

from massage_chart.atlas import AtlasError, AtlasView, Polygon, load_atlas
from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.export import fonts
from massage_chart.export.snapshot import MarkInfo
from massage_chart.export.styles import stylesheet

BODY_FILL = colors.HexColor("#fbf8f4")
REGION_LINE = colors.HexColor("#d9d2c9")
DETAIL_LINE = colors.HexColor("#8a8178")
OUTLINE = colors.HexColor("#3b3633")
LETTERS = colors.HexColor("#5a524c")
WHITE = colors.white

LETTER_BAND = 13.0  # points above the figure for the R/L letters
CAPTION_BAND = 22.0  # points below the figure for the caption
SIDE_PAD = 6.0

#: Base fill opacity per area kind: solid referred pain, shaded inflammation, light treated area,
#: a faint wash under the pattern of the others (as on screen, ui/chart/glyphs.py).
FILL_ALPHA: dict[MarkKind, float] = {
    MarkKind.REFERRED_PAIN: 0.55,
    MarkKind.INFLAMMATION: 0.38,
    MarkKind.TREATED: 0.30,
    MarkKind.AVOID: 0.12,
}
WASH_ALPHA = 0.10


def kind_colour(kind: MarkKind) -> Color:
    """The legend colour of a kind."""
    return colors.HexColor(kind.legend.colour)


def side_letters(view_id: str) -> tuple[str, str]:
    """The client's side at the viewer's left and right of a figure (DOMAIN.md §3.6)."""
    return {
        "anterior": ("R", "L"),
        "posterior": ("L", "R"),
        "left_lateral": ("Front", "Back"),
        "right_lateral": ("Back", "Front"),
    }.get(view_id, ("", ""))


@dataclass(frozen=True)
class _Frame:
    """Maps frame fractions (origin top-left, y down) to canvas points."""

    x: float
    y: float
    width: float
    height: float

    def at(self, fx: float, fy: float) -> tuple[float, float]:
        return self.x + fx * self.width, self.y + (1.0 - fy) * self.height


def _polygon_path(
    canvas: Canvas | None, frame: _Frame, polygons: Sequence[Polygon]
) -> PDFPathObject:
    path = PDFPathObject()
    for polygon in polygons:
        for ring in polygon:
            first = True
            for fx, fy in ring:
                x, y = frame.at(fx, fy)
                if first:
                    path.moveTo(x, y)
                    first = False
                else:
                    path.lineTo(x, y)
            path.close()
    return path


@cache
def _view_code(view_id: str, width: float, height: float, part: str) -> str:
    """The PDF path operators of a view's silhouette, region lines, detail lines or one region,
    built once per figure size (a note draws thousands of atlas points)."""
    view = load_atlas().view(view_id)
    frame = _Frame(SIDE_PAD, CAPTION_BAND, width, height)
    if part == "silhouette":
        return _polygon_path(None, frame, view.silhouette).getCode()
    if part == "regions":
        polygons = [p for region in view.regions for p in region.polygons]
        return _polygon_path(None, frame, polygons).getCode()
    if part == "details":
        path = PDFPathObject()
        for line in view.detail_lines:
            path.moveTo(*frame.at(*line[0]))
            for point in line[1:]:
                path.lineTo(*frame.at(*point))
        return str(path.getCode())
    region = view.region(part.removeprefix("region:"))
    return _polygon_path(None, frame, region.polygons).getCode()


def _cached_path(view_id: str, width: float, height: float, part: str) -> PDFPathObject:
    return PDFPathObject(code=[_view_code(view_id, width, height, part)])


def _points_path(canvas: Canvas, points: Sequence[tuple[float, float]]) -> PDFPathObject:
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    return path


# --------------------------------------------------------------------------- patterns


def _pattern(
    canvas: Canvas, kind: MarkKind, box: tuple[float, float, float, float], tile: float
) -> None:
    """Tile the kind's pattern over ``box`` (x0, y0, x1, y1); the caller has set the clip."""
    x0, y0, x1, y1 = box
    colour = kind_colour(kind)
    canvas.setStrokeColor(colour)
    canvas.setFillColor(colour)
    canvas.setLineWidth(0.55)
    canvas.setLineCap(0)
    t = tile
    cols = range(math.floor(x0 / t) - 1, math.ceil(x1 / t) + 1)
    rows = range(math.floor(y0 / t) - 1, math.ceil(y1 / t) + 1)
    if kind is MarkKind.HYPERTONICITY:  # ≈ wavy hatch
        for r in rows:
            for offset in (0.25, 0.75):
                y = r * t + offset * t
                path = canvas.beginPath()
                path.moveTo(cols[0] * t, y)
                for c in cols:
                    x = c * t
                    path.curveTo(x + t / 4, y + t / 4, x + t / 4, y + t / 4, x + t / 2, y)
                    path.curveTo(x + 3 * t / 4, y - t / 4, x + 3 * t / 4, y - t / 4, x + t, y)
                canvas.drawPath(path, stroke=1, fill=0)
    elif kind is MarkKind.SPASM:  # zig-zag
        for r in rows:
            y = r * t + t / 2
            path = canvas.beginPath()
            path.moveTo(cols[0] * t, y - t / 4)
            for c in cols:
                x = c * t
                path.lineTo(x + t / 4, y + t / 4)
                path.lineTo(x + t / 2, y - t / 4)
                path.lineTo(x + 3 * t / 4, y + t / 4)
                path.lineTo(x + t, y - t / 4)
            canvas.drawPath(path, stroke=1, fill=0)
    elif kind is MarkKind.ADHESION:  # # cross-hatch
        for c in cols:
            for f in (0.25, 0.75):
                canvas.line(c * t + f * t, y0 - t, c * t + f * t, y1 + t)
        for r in rows:
            for f in (0.25, 0.75):
                canvas.line(x0 - t, r * t + f * t, x1 + t, r * t + f * t)
    elif kind is MarkKind.NUMBNESS:  # === hatch
        for r in rows:
            for f in (1 / 6, 1 / 2, 5 / 6):
                canvas.line(x0 - t, r * t + f * t, x1 + t, r * t + f * t)
    elif kind is MarkKind.PARESTHESIA:  # ooo
        for r in rows:
            for c in cols:
                canvas.circle(c * t + t / 2, r * t + t / 2, t / 4, stroke=1, fill=0)
    elif kind is MarkKind.BURNING:  # xxx
        for r in rows:
            for c in cols:
                cx, cy, h = c * t + t / 2, r * t + t / 2, t / 4
                canvas.line(cx - h, cy - h, cx + h, cy + h)
                canvas.line(cx - h, cy + h, cx + h, cy - h)
    elif kind is MarkKind.ACHING:  # ^^^ (a darker yellow, to read on white)
        canvas.setStrokeColor(colors.HexColor("#a88a00"))
        canvas.setLineWidth(0.7)
        for r in rows:
            for c in cols:
                cx, cy = c * t + t / 2, r * t + t / 2
                path = canvas.beginPath()
                path.moveTo(cx - t * 0.4, cy - t * 0.2)
                path.lineTo(cx, cy + t * 0.25)
                path.lineTo(cx + t * 0.4, cy - t * 0.2)
                canvas.drawPath(path, stroke=1, fill=0)
    elif kind in (MarkKind.STABBING, MarkKind.AVOID):  # /// and, for avoid, \\\ heavier
        forward = kind is MarkKind.STABBING
        canvas.setLineWidth(0.55 if forward else 0.8)
        span = (x1 - x0) + (y1 - y0)
        start = math.floor((x0 - (y1 - y0)) / t) * t
        steps = int(span / t) + 3
        for i in range(steps):
            x = start + i * t
            if forward:
                canvas.line(x, y0, x + (y1 - y0), y1)
            else:
                canvas.line(x, y1, x + (y1 - y0), y0)
    elif kind is MarkKind.BRUISE:  # dotted fill
        for r in rows:
            for c in cols:
                dx = t / 2 if r % 2 else 0.0
                canvas.circle(c * t + t / 4 + dx, r * t + t / 2, t * 0.12, stroke=0, fill=1)


def _has_pattern(kind: MarkKind) -> bool:
    return kind not in (MarkKind.REFERRED_PAIN, MarkKind.INFLAMMATION, MarkKind.TREATED)


def paint_area(
    canvas: Canvas,
    path: PDFPathObject,
    box: tuple[float, float, float, float],
    kind: MarkKind,
    *,
    tile: float = 4.2,
    friendly: bool = False,
) -> None:
    """Fill an area with its kind's fill and pattern and stroke its outline."""
    colour = kind_colour(kind)
    canvas.saveState()
    canvas.setFillColor(colour)
    alpha = FILL_ALPHA.get(kind, WASH_ALPHA)
    if friendly:
        canvas.setFillColor(colors.HexColor("#3fa36b"))
        alpha = 0.35
    canvas.setFillAlpha(alpha)
    canvas.drawPath(path, stroke=0, fill=1, fillMode=1)
    canvas.restoreState()
    if _has_pattern(kind) and not friendly:
        canvas.saveState()
        canvas.clipPath(path, stroke=0, fill=0, fillMode=1)
        _pattern(canvas, kind, box, tile)
        canvas.restoreState()
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#2b7a4b") if friendly else colour)
    canvas.setLineJoin(1)
    canvas.setLineWidth(1.5 if kind is MarkKind.AVOID else 0.7)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


def paint_scar(canvas: Canvas, points: Sequence[tuple[float, float]]) -> None:
    """A purple line with cross-ticks."""
    if len(points) < 2:
        return
    canvas.saveState()
    canvas.setStrokeColor(kind_colour(MarkKind.SCAR))
    canvas.setLineWidth(1.1)
    canvas.setLineJoin(1)
    canvas.setLineCap(1)
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.setLineWidth(0.8)
    spacing, half = 3.6, 2.0
    carry = spacing / 2
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        if length == 0:
            continue
        ux, uy = dx / length, dy / length
        d = carry
        while d < length:
            cx, cy = ax + ux * d, ay + uy * d
            canvas.line(cx - uy * half, cy + ux * half, cx + uy * half, cy - ux * half)
            d += spacing
        carry = d - length
    canvas.restoreState()


def _x(canvas: Canvas, x: float, y: float, half: float) -> None:
    canvas.line(x - half, y - half, x + half, y + half)
    canvas.line(x - half, y + half, x + half, y - half)


def paint_point(
    canvas: Canvas, kind: MarkKind, x: float, y: float, intensity: int | None, size: float = 7.0
) -> None:
    """A point glyph centred on (x, y), ``size`` points across."""
    colour = kind_colour(kind)
    h = size / 2
    canvas.saveState()
    canvas.setLineCap(1)
    if kind is MarkKind.TRIGGER_POINT_ACTIVE:  # bold filled X on a white halo
        canvas.setStrokeColor(WHITE)
        canvas.setLineWidth(size * 0.36)
        _x(canvas, x, y, h * 0.8)
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(size * 0.22)
        _x(canvas, x, y, h * 0.8)
    elif kind is MarkKind.TRIGGER_POINT_LATENT:  # outlined x: grey edge, white core
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(size * 0.26)
        _x(canvas, x, y, h * 0.8)
        canvas.setStrokeColor(WHITE)
        canvas.setLineWidth(size * 0.11)
        _x(canvas, x, y, h * 0.8)
    elif kind is MarkKind.TENDER_POINT:  # open circle
        canvas.setStrokeColor(WHITE)
        canvas.setLineWidth(2.2)
        canvas.circle(x, y, h * 0.72, stroke=1, fill=0)
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(1.1)
        canvas.circle(x, y, h * 0.72, stroke=1, fill=0)
    else:  # pain: a red dot with the number in it
        canvas.setStrokeColor(WHITE)
        canvas.setFillColor(colour)
        canvas.setLineWidth(0.7)
        radius = h * 1.05
        canvas.circle(x, y, radius, stroke=1, fill=1)
        if intensity is not None:
            canvas.setFillColor(WHITE)
            font_size = radius * 1.25
            canvas.setFont(fonts.SANS_BOLD, font_size)
            canvas.drawCentredString(x, y - font_size * 0.36, str(intensity))
    canvas.restoreState()


def paint_warning(canvas: Canvas, x: float, y: float, size: float = 7.0) -> None:
    """A red warning triangle with "!" (the ⚠ of an area to avoid), drawn as vectors."""
    h = size * 0.9
    canvas.saveState()
    path = canvas.beginPath()
    path.moveTo(x, y + h * 0.58)
    path.lineTo(x + size / 2, y - h * 0.42)
    path.lineTo(x - size / 2, y - h * 0.42)
    path.close()
    canvas.setFillColor(colors.HexColor("#ffd43b"))
    canvas.setStrokeColor(kind_colour(MarkKind.AVOID))
    canvas.setLineWidth(0.8)
    canvas.setLineJoin(1)
    canvas.drawPath(path, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.SANS_BOLD, size * 0.72)
    canvas.drawCentredString(x, y - h * 0.32, "!")
    canvas.restoreState()


def paint_number(canvas: Canvas, kind: MarkKind, x: float, y: float, number: int) -> None:
    """The numbered marker of a mark: a white disc with the kind's border and the number."""
    text = str(number)
    size = 5.2
    width = max(7.4, canvas.stringWidth(text, fonts.SANS_BOLD, size) + 3.4)
    canvas.saveState()
    canvas.setFillColor(WHITE)
    canvas.setStrokeColor(kind_colour(kind))
    canvas.setLineWidth(0.8)
    canvas.roundRect(x - width / 2, y - 3.7, width, 7.4, 3.7, stroke=1, fill=1)
    canvas.setFillColor(colors.HexColor("#1a1a1a"))
    canvas.setFont(fonts.SANS_BOLD, size)
    canvas.drawCentredString(x, y - size * 0.36, text)
    canvas.restoreState()


# --------------------------------------------------------------------------- the figure


def _centroid_inside(view: AtlasView, mark: MarkInfo, frame: _Frame) -> tuple[float, float]:
    """Where an area's number goes: the region's inner point, else its outline's centroid."""
    if mark.whole_region and mark.region_id:
        try:
            return frame.at(*view.region(mark.region_id).inner_point)
        except AtlasError:  # an unknown region: fall back to the outline's centre
            pass
    xs = [p[0] for p in mark.points]
    ys = [p[1] for p in mark.points]
    return frame.at(sum(xs) / len(xs), sum(ys) / len(ys))


class BodyChart(Flowable):
    """One atlas view with marks, drawn from the atlas geometry.

    Args:
        view: the atlas view.
        marks: the marks on this view (already numbered).
        figure_height: height of the body frame in points (the width follows the view's aspect).
        numbered: draw each mark's number (the insurer note's numbered list refers to them).
        friendly: the client summary's look: treated areas in a soft green, no codes or numbers.
    """

    def __init__(
        self,
        view: AtlasView,
        marks: Sequence[MarkInfo],
        figure_height: float,
        *,
        numbered: bool = True,
        friendly: bool = False,
    ) -> None:
        super().__init__()
        self.view = view
        self.marks = list(marks)
        self.figure_height = figure_height
        self.figure_width = view.aspect * figure_height
        self.numbered = numbered
        self.friendly = friendly
        self.width = self.figure_width + 2 * SIDE_PAD
        self.height = LETTER_BAND + figure_height + CAPTION_BAND

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The fixed size of the chart."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the body, the marks, the letters and the caption."""
        canvas: Canvas = self.canv
        frame = _Frame(SIDE_PAD, CAPTION_BAND, self.figure_width, self.figure_height)
        view = self.view
        key = (view.id, self.figure_width, self.figure_height)
        silhouette = _cached_path(*key, "silhouette")
        canvas.saveState()
        canvas.setFillColor(BODY_FILL)
        canvas.drawPath(silhouette, stroke=0, fill=1, fillMode=1)
        canvas.setStrokeColor(REGION_LINE)
        canvas.setLineWidth(0.25)
        canvas.setLineJoin(1)
        canvas.drawPath(_cached_path(*key, "regions"), stroke=1, fill=0)
        canvas.setStrokeColor(DETAIL_LINE)
        canvas.setLineWidth(0.4)
        canvas.setLineCap(1)
        canvas.drawPath(_cached_path(*key, "details"), stroke=1, fill=0)
        canvas.restoreState()

        numbers: list[tuple[MarkKind, float, float, int]] = []
        warnings: list[tuple[float, float]] = []
        areas = [m for m in self.marks if m.kind.geometry is Geometry.AREA and m.points]
        # Large areas first, so a small area on top of a large one stays visible.
        for mark in sorted(areas, key=lambda m: (m.kind is not MarkKind.TREATED, m.number)):
            if mark.whole_region and mark.region_id:
                try:
                    polygons = view.region(mark.region_id).polygons
                    path = _cached_path(*key, f"region:{mark.region_id}")
                except AtlasError:  # an unknown region: draw the mark's own outline instead
                    polygons = ((tuple(mark.points),),)
                    path = _polygon_path(canvas, frame, polygons)
                pts = [frame.at(x, y) for poly in polygons for x, y in poly[0]]
            else:
                pts = [frame.at(x, y) for x, y in mark.points]
                path = _points_path(canvas, pts)
            box = (
                min(p[0] for p in pts),
                min(p[1] for p in pts),
                max(p[0] for p in pts),
                max(p[1] for p in pts),
            )
            paint_area(canvas, path, box, mark.kind, friendly=self.friendly)
            cx, cy = _centroid_inside(view, mark, frame)
            if mark.kind is MarkKind.AVOID:
                warnings.append((cx, cy))
                numbers.append((mark.kind, cx + 7.5, cy, mark.number))
            else:
                numbers.append((mark.kind, cx, cy, mark.number))
        if not self.friendly:
            for mark in self.marks:
                if mark.kind.geometry is Geometry.STROKE and len(mark.points) >= 2:
                    pts = [frame.at(x, y) for x, y in mark.points]
                    paint_scar(canvas, pts)
                    mx, my = pts[len(pts) // 2]
                    numbers.append((mark.kind, mx, my + 6.0, mark.number))
            for mark in self.marks:
                if mark.kind.geometry is Geometry.POINT and mark.points:
                    x, y = frame.at(*mark.points[0])
                    size = 7.0
                    if mark.intensity is not None and mark.kind is not MarkKind.PAIN:
                        size = 7.0 * (0.8 + 0.04 * mark.intensity)
                    paint_point(canvas, mark.kind, x, y, mark.intensity, size)
                    numbers.append((mark.kind, x + 6.2, y + 5.6, mark.number))
        for x, y in warnings:
            paint_warning(canvas, x, y)
        if self.numbered and not self.friendly:
            for kind, x, y, number in numbers:
                paint_number(canvas, kind, x, y, number)

        canvas.saveState()
        canvas.setStrokeColor(OUTLINE)
        canvas.setLineWidth(0.9)
        canvas.setLineJoin(1)
        canvas.drawPath(silhouette, stroke=1, fill=0)
        left, right = side_letters(view.id)
        canvas.setFillColor(LETTERS)
        size = 11.0 if len(left) == 1 else 7.5
        canvas.setFont(fonts.SANS_BOLD, size)
        top = CAPTION_BAND + self.figure_height + 2.5
        canvas.drawString(SIDE_PAD, top, left)
        canvas.drawRightString(SIDE_PAD + self.figure_width, top, right)
        canvas.restoreState()
        caption = self.caption_text()
        style = stylesheet().centre
        paragraph = Paragraph(fonts.markup(caption), style)
        _, height = paragraph.wrap(self.width + 16, CAPTION_BAND)
        paragraph.drawOn(canvas, -8, CAPTION_BAND - height - 1)

    def caption_text(self) -> str:
        """The caption: the atlas caption, in the client's words on the friendly chart."""
        if not self.friendly:
            return self.view.caption
        return {
            "anterior": "Front (your right on the left)",
            "posterior": "Back (your right on the right)",
            "left_lateral": "Your left side",
            "right_lateral": "Your right side",
        }.get(self.view.id, self.view.caption)


class LegendSwatch(Flowable):
    """The legend sample of one kind, as drawn on the chart."""

    def __init__(self, kind: MarkKind, width: float = 18.0, height: float = 11.0) -> None:
        super().__init__()
        self.kind = kind
        self.width = width
        self.height = height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The swatch's size."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the kind's glyph, stroke or area sample."""
        canvas: Canvas = self.canv
        kind = self.kind
        w, h = self.width, self.height
        if kind.geometry is Geometry.POINT:
            paint_point(canvas, kind, w / 2, h / 2, 7 if kind is MarkKind.PAIN else None, 8.0)
        elif kind.geometry is Geometry.STROKE:
            paint_scar(canvas, [(2, h / 2 - 2), (w / 2, h / 2 + 2), (w - 2, h / 2 - 1)])
        else:
            path = canvas.beginPath()
            path.roundRect(1, 1, w - 2, h - 2, 2)
            paint_area(canvas, path, (1, 1, w - 1, h - 1), kind, tile=3.6)
            if kind is MarkKind.AVOID:
                paint_warning(canvas, w / 2, h / 2, 6.5)


def views_with_marks(marks: Sequence[MarkInfo]) -> list[AtlasView]:
    """The atlas views that hold marks, in atlas order."""
    used = {m.view for m in marks}
    return [view for view in load_atlas().views if view.id in used]


def figure_height_for(count: int, frame_width: float, maximum: float = 250.0) -> float:
    """The figure height that fits ``count`` figures side by side in ``frame_width``."""
    if count <= 0:
        return maximum
    per = frame_width / count - 2 * SIDE_PAD - 8
    return min(maximum, per / 0.5)
