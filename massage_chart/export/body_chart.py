"""The body chart as vectors: one atlas view with its marks, numbers that never collide, close-ups.

It draws the same atlas geometry the screen paints. Each mark kind has its own glyph or pattern and
outline style as well as colour (DOMAIN.md §3.3), so a chart reads in greyscale and on a fax.
Numbers are placed by ``label_placement``; a crowded part of a view gets an enlarged close-up.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject
from reportlab.platypus import Flowable, Paragraph

from massage_chart.atlas import (
    WHOLE_BODY_VIEW_IDS,
    AtlasError,
    AtlasView,
    Polygon,
    load_atlas,
)
from massage_chart.domain.atlas_moves import chart_atlas
from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.export import fonts
from massage_chart.export.label_placement import (
    Box,
    Label,
    PlacedLabel,
    Placement,
    clusters,
    place_labels,
)
from massage_chart.export.snapshot import MarkInfo
from massage_chart.export.styles import stylesheet

BODY_FILL = colors.HexColor("#fbf8f4")
REGION_LINE = colors.HexColor("#d9d2c9")
DETAIL_LINE = colors.HexColor("#8a8178")
FIBRE_LINE = colors.HexColor("#e8dbd0")  # muscle fibres: fainter than the region lines
OUTLINE = colors.HexColor("#3b3633")
LETTERS = colors.HexColor("#5a524c")
LEADER = colors.HexColor("#333333")
INSET_FRAME = colors.HexColor("#6f6f6f")
WHITE = colors.white

LETTER_BAND = 13.0  # points above the figure for the R/L letters
CAPTION_BAND = 22.0  # points below the figure for the caption
SIDE_PAD = 6.0
TILE = 4.2  # the pattern tile, on the chart and in the legend alike

#: The numbers' type size. 7 pt bold digits are about 5 pt (1.8 mm) tall: 14 scan lines at a
#: fax's fine resolution and 7 at its standard one, with strokes of 2-3 dots, so they survive
#: a fax and a photocopy. Smaller numbers filled in and vanished; larger ones crowd the figure.
NUMBER_SIZE = 7.0
NUMBER_HEIGHT = 9.0

#: A close-up is drawn when CROWD_COUNT or more numbers have marks linked by steps of at most
#: CROWD_RADIUS points, or when a number would land more than FAR points from its mark.
CROWD_COUNT = 4
CROWD_RADIUS = 10.0
FAR = 16.0
INSET_MIN_SCALE = 2.0
INSET_MAX_SCALE = 3.0
INSET_MARGIN = 9.0
INSET_GAP = 8.0
INSET_CAPTION_GAP = 2.0

#: Fill opacity per area kind: every area gets a light wash of its colour, drawn before any
#: pattern, so no fill ever covers another kind's pattern; the pattern and the outline carry
#: the kind on a greyscale copy or a fax.
FILL_ALPHA: dict[MarkKind, float] = {
    MarkKind.REFERRED_PAIN: 0.30,
    MarkKind.INFLAMMATION: 0.22,
    MarkKind.TREATED: 0.16,
    MarkKind.AVOID: 0.12,
}
WASH_ALPHA = 0.10

#: Outline dash patterns (points on, off) of the kinds whose outline is not a solid line.
OUTLINE_DASH: dict[MarkKind, tuple[float, ...]] = {
    MarkKind.TREATED: (3.2, 1.6),
    MarkKind.BRUISE: (0.6, 1.4),
    MarkKind.INFLAMMATION: (3.0, 1.2, 0.6, 1.2),
}


def kind_colour(kind: MarkKind) -> Color:
    """The legend colour of a kind."""
    return colors.HexColor(kind.legend.colour)


def kind_ink(kind: MarkKind) -> Color:
    """The kind's colour darkened until it prints black on a 1-bit fax (luminance at most 0.36).

    Patterns, outlines and number borders use it: a light yellow or green line would drop out
    of a fax or a greyscale copy.
    """
    colour = kind_colour(kind)
    luminance = 0.299 * colour.red + 0.587 * colour.green + 0.114 * colour.blue
    if luminance <= 0.36:
        return colour
    factor = 0.36 / luminance
    return Color(colour.red * factor, colour.green * factor, colour.blue * factor)


@dataclass(frozen=True)
class _Frame:
    """Maps frame fractions (origin top-left, y down) to points (origin bottom-left, y up)."""

    x: float
    y: float
    width: float
    height: float

    def at(self, fx: float, fy: float) -> tuple[float, float]:
        return self.x + fx * self.width, self.y + (1.0 - fy) * self.height


def _polygon_path(frame: _Frame, polygons: Sequence[Polygon]) -> PDFPathObject:
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
def _view_code(version: int, view_id: str, width: float, height: float, part: str) -> str:
    """The PDF path operators of a view's silhouette, region lines, detail lines or one region
    (of that atlas version), with the figure's bottom-left corner at the origin, built once per
    figure size (a note draws thousands of atlas points)."""
    view = load_atlas(version).view(view_id)
    frame = _Frame(0.0, 0.0, width, height)
    if part == "silhouette":
        return _polygon_path(frame, view.silhouette).getCode()
    if part == "regions":
        polygons = [p for region in view.regions for p in region.polygons]
        return _polygon_path(frame, polygons).getCode()
    if part in ("details", "fibres"):
        path = PDFPathObject()
        for line in view.detail_lines if part == "details" else view.fibre_lines:
            path.moveTo(*frame.at(*line[0]))
            for point in line[1:]:
                path.lineTo(*frame.at(*point))
        return str(path.getCode())
    region = view.region(part.removeprefix("region:"))
    return _polygon_path(frame, region.polygons).getCode()


def _cached_path(
    version: int, view_id: str, width: float, height: float, part: str
) -> PDFPathObject:
    return PDFPathObject(code=[_view_code(version, view_id, width, height, part)])


def _points_path(points: Sequence[tuple[float, float]]) -> PDFPathObject:
    path = PDFPathObject()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    return path


# --------------------------------------------------------------------------- patterns


def _pattern(canvas: Canvas, kind: MarkKind, box: Box, tile: float = TILE) -> None:
    """Tile the kind's pattern over ``box`` (x0, y0, x1, y1); the caller has set the clip.

    The patterns differ in what they are made of (dots, rings, crosses, plus signs, waves,
    zig-zags, chevrons, lines) and, among lines, in angle, spacing and weight, so no two kinds
    look alike without colour. They are drawn in the kind's ink (``kind_ink``).
    """
    x0, y0, x1, y1 = box
    ink = kind_ink(kind)
    canvas.setStrokeColor(ink)
    canvas.setFillColor(ink)
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
        canvas.setLineWidth(0.65)
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
        canvas.setLineWidth(0.45)
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
    elif kind is MarkKind.INFLAMMATION:  # +++ on staggered rows
        canvas.setLineWidth(0.6)
        for r in rows:
            for c in cols:
                cx = c * t + (t / 2 if r % 2 else 0.0) + t / 4
                cy, h = r * t + t / 2, t * 0.26
                canvas.line(cx - h, cy, cx + h, cy)
                canvas.line(cx, cy - h, cx, cy + h)
    elif kind is MarkKind.ACHING:  # ^^^
        canvas.setLineWidth(0.7)
        for r in rows:
            for c in cols:
                cx, cy = c * t + t / 2, r * t + t / 2
                path = canvas.beginPath()
                path.moveTo(cx - t * 0.4, cy - t * 0.2)
                path.lineTo(cx, cy + t * 0.25)
                path.lineTo(cx + t * 0.4, cy - t * 0.2)
                canvas.drawPath(path, stroke=1, fill=0)
    elif kind is MarkKind.TREATED:  # ||| sparse, light
        canvas.setLineWidth(0.45)
        for c in range(math.floor(x0 / (1.5 * t)) - 1, math.ceil(x1 / (1.5 * t)) + 1):
            canvas.line(c * 1.5 * t, y0 - t, c * 1.5 * t, y1 + t)
    elif kind in (MarkKind.STABBING, MarkKind.AVOID):  # /// thin and, for avoid, \\\ heavier
        forward = kind is MarkKind.STABBING
        canvas.setLineWidth(0.55 if forward else 0.85)
        span = (x1 - x0) + (y1 - y0)
        start = math.floor((x0 - (y1 - y0)) / t) * t
        steps = int(span / t) + 3
        for i in range(steps):
            x = start + i * t
            if forward:
                canvas.line(x, y0, x + (y1 - y0), y1)
            else:
                canvas.line(x, y1, x + (y1 - y0), y0)
    elif kind is MarkKind.REFERRED_PAIN:  # fine dense stipple (DOMAIN.md: "stippled")
        half = t / 2
        for r in range(math.floor(y0 / half) - 1, math.ceil(y1 / half) + 1):
            for c in range(math.floor(x0 / half) - 1, math.ceil(x1 / half) + 1):
                dx = half / 2 if r % 2 else 0.0
                canvas.circle(c * half + dx, r * half, t * 0.1, stroke=0, fill=1)
    elif kind is MarkKind.BRUISE:  # coarse dots, staggered
        for r in rows:
            for c in cols:
                dx = t / 2 if r % 2 else 0.0
                canvas.circle(c * t + t / 4 + dx, r * t + t / 2, t * 0.19, stroke=0, fill=1)


def _fill_area(canvas: Canvas, path: PDFPathObject, kind: MarkKind, *, friendly: bool) -> None:
    canvas.saveState()
    if friendly:
        canvas.setFillColor(colors.HexColor("#3fa36b"))
        canvas.setFillAlpha(0.35)
    else:
        canvas.setFillColor(kind_colour(kind))
        canvas.setFillAlpha(FILL_ALPHA.get(kind, WASH_ALPHA))
    canvas.drawPath(path, stroke=0, fill=1, fillMode=1)
    canvas.restoreState()


def _pattern_area(
    canvas: Canvas, path: PDFPathObject, box: Box, kind: MarkKind, tile: float
) -> None:
    canvas.saveState()
    canvas.clipPath(path, stroke=0, fill=0, fillMode=1)
    _pattern(canvas, kind, box, tile)
    canvas.restoreState()


def _outline_area(canvas: Canvas, path: PDFPathObject, kind: MarkKind, *, friendly: bool) -> None:
    canvas.saveState()
    canvas.setLineJoin(1)
    if friendly:
        canvas.setStrokeColor(colors.HexColor("#2b7a4b"))
        canvas.setLineWidth(0.7)
    else:
        canvas.setStrokeColor(kind_ink(kind))
        canvas.setLineWidth(1.5 if kind is MarkKind.AVOID else 0.8)
        dash = OUTLINE_DASH.get(kind)
        if dash:
            canvas.setLineCap(1 if kind is MarkKind.BRUISE else 0)
            canvas.setDash(list(dash), 0)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


def paint_area(
    canvas: Canvas,
    path: PDFPathObject,
    box: Box,
    kind: MarkKind,
    *,
    tile: float = TILE,
    friendly: bool = False,
) -> None:
    """Paint one area alone: its wash, its pattern and its outline (the legend's swatch).

    On a chart, ``BodyChart`` paints the washes of all areas first, then the patterns, then the
    outlines, so that overlapping kinds all stay visible.
    """
    _fill_area(canvas, path, kind, friendly=friendly)
    if not friendly:
        _pattern_area(canvas, path, box, kind, tile)
    _outline_area(canvas, path, kind, friendly=friendly)


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


def number_width(number: int) -> float:
    """The width of a number's box."""
    fonts.register_fonts()
    return max(NUMBER_HEIGHT, stringWidth(str(number), fonts.SANS_BOLD, NUMBER_SIZE) + 3.6)


def paint_number(canvas: Canvas, kind: MarkKind, box: Box, number: int) -> None:
    """The numbered marker of a mark in ``box``: a white rounded box with the kind's border."""
    x0, y0, x1, y1 = box
    canvas.saveState()
    canvas.setFillColor(WHITE)
    canvas.setStrokeColor(kind_ink(kind))
    canvas.setLineWidth(0.8)
    canvas.roundRect(x0, y0, x1 - x0, y1 - y0, (y1 - y0) / 2, stroke=1, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont(fonts.SANS_BOLD, NUMBER_SIZE)
    canvas.drawCentredString((x0 + x1) / 2, (y0 + y1) / 2 - NUMBER_SIZE * 0.36, str(number))
    canvas.restoreState()


def paint_leader(canvas: Canvas, placed: PlacedLabel) -> None:
    """A thin line from a number that had to move to the edge of its mark."""
    (ax, ay), (bx, by) = placed.leader_line()
    canvas.saveState()
    canvas.setStrokeColor(LEADER)
    canvas.setLineWidth(0.5)
    canvas.setLineCap(1)
    canvas.line(ax, ay, bx, by)
    canvas.restoreState()


# --------------------------------------------------------------------------- close-ups

#: Body areas named in a close-up's caption, by words of the atlas region ids, first match wins.
_AREA_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Hand", ("hand", "finger", "palm", "thenar")),
    ("Foot", ("foot", "heel", "achilles")),
    ("Neck", ("cervical", "suboccipital", "levator", "scalene", "sternocleidomastoid",
              "anterior_neck", "upper_trapezius")),
    ("Head and jaw", ("masseter", "temporalis", "frontalis", "occipital", "orbit", "cheek",
                      "nose", "mouth", "face")),
    ("Upper back", ("thoracic", "middle_trapezius", "lower_trapezius", "latissimus")),
    ("Shoulder", ("deltoid", "supraspinatus", "infraspinatus", "teres", "rhomboid", "axilla")),
    ("Chest and abdomen", ("pec_major", "sternum", "serratus", "rectus_abdominis", "oblique",
                           "iliac_fossa", "suprapubic")),
    ("Elbow and forearm", ("elbow", "olecranon", "forearm", "cubital", "brachioradialis")),
    ("Arm", ("biceps", "triceps")),
    ("Knee", ("knee", "popliteal")),
    ("Low back and pelvis", ("lumbar", "quadratus", "sacr", "coccyx", "glut", "piriformis",
                             "ischial", "lateral_hip")),
    ("Thigh", ("hamstring", "vastus", "rectus_femoris", "adductor", "it_band", "tfl",
               "femoral")),
    ("Lower leg", ("gastrocnemius", "soleus", "tibialis", "fibularis", "shin")),
)  # fmt: skip

VIEW_WORDS = {
    "anterior": "anterior view",
    "posterior": "posterior view",
    "left_lateral": "left lateral view",
    "right_lateral": "right lateral view",
}


def area_name(region_ids: Sequence[str], sides: Sequence[str]) -> str:
    """The body area of a close-up in the therapist's words: "Neck", "Right hand"."""
    votes: dict[str, int] = {}
    order = [name for name, _ in _AREA_WORDS]
    for region_id in region_ids:
        for name, words in _AREA_WORDS:
            if any(word in region_id for word in words):
                votes[name] = votes.get(name, 0) + 1
                break
    if not votes:
        return "Detail"
    name = max(votes, key=lambda n: (votes[n], -order.index(n)))
    distinct = {side for side in sides if side in ("left", "right")}
    paired = ("Hand", "Foot", "Knee", "Elbow and forearm", "Shoulder", "Arm", "Thigh", "Lower leg")
    if name in paired and len(distinct) == 1:
        return f"{distinct.pop().capitalize()} {name.lower()}"
    return name


@dataclass(frozen=True)
class Inset:
    """An enlarged close-up of a crowded part of a view, with its own numbers.

    Attributes:
        letter: the letter that joins the close-up to its box on the figure ("A").
        source: the part of the figure it shows, in chart points.
        box: where it is drawn, in chart points.
        scale: how much it enlarges.
        caption_lines: the caption as printed under it ("A: Neck, posterior view, enlarged
            2.5×"), wrapped to its width.
        numbers: the numbers of the marks whose anchors lie in ``source``, inside ``box``.
        letter_box: where the letter is printed beside ``source`` on the figure.
    """

    letter: str
    source: Box
    box: Box
    scale: float
    caption_lines: tuple[str, ...]
    numbers: Placement
    letter_box: Box

    @property
    def caption(self) -> str:
        """The caption on one line."""
        return " ".join(self.caption_lines)

    def to_inset(self, point: tuple[float, float]) -> tuple[float, float]:
        """A chart point of the figure as drawn in the close-up."""
        return (
            self.box[0] + (point[0] - self.source[0]) * self.scale,
            self.box[1] + (point[1] - self.source[1]) * self.scale,
        )


@dataclass(frozen=True)
class ChartLayout:
    """Where everything of a chart goes, in the chart's own points (origin bottom-left).

    Attributes:
        figure: the box of the body figure; every number drawn on it lies inside.
        numbers: the numbers drawn on the figure.
        insets: the close-ups, each with the numbers of the marks it holds.
        width, height: the chart's size.
    """

    figure: Box
    numbers: Placement
    insets: tuple[Inset, ...]
    width: float
    height: float

    def placed(self) -> list[tuple[Box, PlacedLabel]]:
        """Every placed number with the box it must stay inside (the figure or its close-up)."""
        found = [(self.figure, p) for p in self.numbers.placed]
        for inset in self.insets:
            found += [(inset.box, p) for p in inset.numbers.placed]
        return found

    def unplaced(self) -> list[Label]:
        """Numbers that found no place (none, when the layout worked)."""
        missing = list(self.numbers.unplaced)
        for inset in self.insets:
            missing += inset.numbers.unplaced
        return missing


@dataclass(frozen=True)
class _Item:
    """A mark as the layout sees it, in figure points."""

    mark: MarkInfo
    anchor: tuple[float, float]
    clearance: float
    glyph: Box | None


def _point_size(mark: MarkInfo) -> float:
    if mark.intensity is not None and mark.kind is not MarkKind.PAIN:
        return 7.0 * (0.8 + 0.04 * mark.intensity)
    return 7.0


def _around(point: tuple[float, float], half: float) -> Box:
    return (point[0] - half, point[1] - half, point[0] + half, point[1] + half)


def _offset(box: Box, dx: float, dy: float) -> Box:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _holds(box: Box, point: tuple[float, float]) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def _shift(placement: Placement, dx: float, dy: float) -> Placement:
    def moved(label: Label) -> Label:
        return replace(label, anchor=(label.anchor[0] + dx, label.anchor[1] + dy))

    return Placement(
        tuple(PlacedLabel(moved(p.label), _offset(p.box, dx, dy)) for p in placement.placed),
        tuple(moved(label) for label in placement.unplaced),
    )


def _merge(boxes: Sequence[Box], bounds: Box, minimum: float = 34.0) -> list[Box]:
    """Boxes grown to ``minimum`` across, kept in ``bounds``, with touching boxes merged."""
    grown: list[Box] = []
    for x0, y0, x1, y1 in boxes:
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        hw, hh = max(x1 - x0, minimum) / 2, max(y1 - y0, minimum) / 2
        grown.append(
            (
                max(bounds[0], cx - hw),
                max(bounds[1], cy - hh),
                min(bounds[2], cx + hw),
                min(bounds[3], cy + hh),
            )
        )
    merged = True
    while merged:
        merged = False
        for i, j in itertools.combinations(range(len(grown)), 2):
            a, b = grown[i], grown[j]
            if a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]:
                grown[i] = (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
                del grown[j]
                merged = True
                break
    return sorted(grown, key=lambda b: (-b[3], b[0]))


def _inset_scale(fits: float) -> float:
    """The close-up's enlargement: 3× where it fits, else in half steps down to 2×, else what
    fits (a source wider than half the room)."""
    if fits >= INSET_MIN_SCALE:
        return min(INSET_MAX_SCALE, math.floor(fits * 2) / 2)
    return round(fits, 1)


def _wrap_phrases(phrases: Sequence[str], width: float, size: float) -> list[str]:
    """Phrases joined by spaces into lines no wider than ``width``; a phrase is never split."""
    fonts.register_fonts()
    lines: list[str] = []
    line = ""
    for phrase in phrases:
        trial = f"{line} {phrase}".strip()
        if line and stringWidth(trial, fonts.SANS, size) > width:
            lines.append(line)
            line = phrase
        else:
            line = trial
    return [*lines, line] if line else lines


INSET_TEXT = 6.5
INSET_LEADING = 8.0
INSET_MIN_WIDTH = 64.0


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

    No number covers another number or a glyph; a number that had to move is joined to its mark
    by a thin leader line. A crowded part of the view is repeated enlarged in a close-up with
    its own numbers, beside the figure when ``available_width`` leaves room, else below it, and
    a light lettered box on the figure shows where it comes from.

    Args:
        view: the atlas view.
        marks: the marks on this view (already numbered).
        figure_height: height of the body frame in points (the width follows the view's aspect).
        numbered: draw each mark's number (the insurer note's numbered list refers to them).
        friendly: the client summary's look: treated areas in a soft green, no codes or numbers.
        available_width: the width the chart may take.
        first_letter: the letter of the first close-up (the figures of one note letter their
            close-ups in one run: A, B, C...).
    """

    def __init__(
        self,
        view: AtlasView,
        marks: Sequence[MarkInfo],
        figure_height: float,
        *,
        numbered: bool = True,
        friendly: bool = False,
        available_width: float | None = None,
        first_letter: str = "A",
    ) -> None:
        super().__init__()
        self.first_letter = first_letter
        self.view = view
        self.marks = list(marks)
        self.figure_height = figure_height
        self.figure_width = view.aspect * figure_height
        self.numbered = numbered and not friendly
        self.friendly = friendly
        self._frame = _Frame(0.0, 0.0, self.figure_width, self.figure_height)
        self._kinds = {m.number: m.kind for m in self.marks}
        self._available = available_width
        self.layout = self._lay_out(available_width)
        self.width = self.layout.width
        self.height = self.layout.height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The fixed size of the chart."""
        return self.width, self.height

    # ----------------------------------------------------------------------- layout

    def _items(self) -> list[_Item]:
        frame = self._frame
        items: list[_Item] = []
        for mark in self.marks:
            geometry = mark.kind.geometry
            if geometry is Geometry.AREA and mark.points:
                anchor = _centroid_inside(self.view, mark, frame)
                if mark.kind is MarkKind.AVOID:
                    items.append(_Item(mark, anchor, 4.6, _around(anchor, 3.9)))
                else:
                    items.append(_Item(mark, anchor, 0.0, None))
            elif geometry is Geometry.STROKE and len(mark.points) >= 2:
                pts = [frame.at(x, y) for x, y in mark.points]
                items.append(_Item(mark, pts[len(pts) // 2], 2.5, None))
            elif geometry is Geometry.POINT and mark.points:
                x, y = frame.at(*mark.points[0])
                half = _point_size(mark) * 0.55 + 0.5
                items.append(_Item(mark, (x, y), half, _around((x, y), half)))
        return items

    def _crowded(self, labels: list[Label], glyphs: list[Box], bounds: Box) -> list[Box]:
        """The parts of the figure (figure points) that need a close-up."""
        first = place_labels(labels, bounds, obstacles=glyphs)
        where = {p.label.number: p for p in first.placed}
        found: list[Box] = []
        for group in clusters([lab.anchor for lab in labels], CROWD_RADIUS):
            members = [labels[k] for k in group]
            crowded = len(members) >= CROWD_COUNT or any(
                lab.number not in where or where[lab.number].distance > FAR for lab in members
            )
            if crowded:
                xs = [lab.anchor[0] for lab in members]
                ys = [lab.anchor[1] for lab in members]
                found.append(
                    (
                        min(xs) - INSET_MARGIN,
                        min(ys) - INSET_MARGIN,
                        max(xs) + INSET_MARGIN,
                        max(ys) + INSET_MARGIN,
                    )
                )
        return _merge(found, bounds) if found else []

    def _letter_box(self, source: Box) -> Box:
        """Where a close-up's letter goes beside its box on the figure (figure points)."""
        w, h = 8.0, NUMBER_HEIGHT
        y1 = min(source[3], self.figure_height)
        if source[0] - w - 1 >= 0:
            return (source[0] - w - 1, y1 - h, source[0] - 1, y1)
        if source[2] + w + 1 <= self.figure_width:
            return (source[2] + 1, y1 - h, source[2] + w + 1, y1)
        return (source[0] + 1, y1 - h - 1, source[0] + w + 1, y1 - 1)

    def _lay_out(self, available_width: float | None) -> ChartLayout:
        fw, fh = self.figure_width, self.figure_height
        own = fw + 2 * SIDE_PAD
        items = self._items() if self.numbered else []
        labels = [
            Label(i.mark.number, i.anchor, number_width(i.mark.number), NUMBER_HEIGHT, i.clearance)
            for i in items
        ]
        glyphs = [i.glyph for i in items if i.glyph is not None]
        bounds: Box = (0.0, 0.0, fw, fh)
        sources = self._crowded(labels, glyphs, bounds) if labels else []

        def split(sources: list[Box]) -> tuple[Placement, list[list[int]], list[Box]]:
            """The figure's numbers, given the close-ups that take the others."""
            groups = [[k for k, lab in enumerate(labels) if _holds(s, lab.anchor)] for s in sources]
            letters = [self._letter_box(s) for s in sources]
            held = {k for group in groups for k in group}
            rest = [lab for k, lab in enumerate(labels) if k not in held]
            return place_labels(rest, bounds, obstacles=glyphs, taken=letters), groups, letters

        main, groups, letters = split(sources)
        for _ in range(6):  # a number with no room on the figure takes its area to a close-up
            if not main.unplaced:
                break
            extra = [_around(lab.anchor, INSET_MARGIN) for lab in main.unplaced]
            sources = _merge([*sources, *extra], bounds)
            main, groups, letters = split(sources)
        beside = available_width is not None and available_width - own - INSET_GAP >= 90.0
        room = available_width - own - INSET_GAP if beside and available_width else own
        # The close-ups' sizes and captions.
        sized: list[tuple[float, float, float, list[str]]] = []
        for index, (source, group) in enumerate(zip(sources, groups, strict=True)):
            sw = source[2] - source[0]
            scale = _inset_scale(room / sw)
            width, height = sw * scale, (source[3] - source[1]) * scale
            members = [items[k].mark for k in group]
            area = area_name([m.region_id or "" for m in members], [m.side for m in members])
            where = VIEW_WORDS.get(self.view.id, f"{self.view.name or self.view.id} view".lower())
            letter = chr(ord(self.first_letter) + index)
            phrases = [f"{letter}: {area},", f"{where},", f"enlarged {scale:g}×"]
            lines = _wrap_phrases(phrases, max(width, INSET_MIN_WIDTH), INSET_TEXT)
            sized.append((scale, width, height, lines))
        column = sum(
            h + INSET_CAPTION_GAP + len(lines) * INSET_LEADING + INSET_GAP
            for _, _, h, lines in sized
        )
        figure_part = LETTER_BAND + fh + CAPTION_BAND
        widest = max((max(w, INSET_MIN_WIDTH) for _, w, _, _ in sized), default=0.0)
        if beside:
            total = max(figure_part, LETTER_BAND + column)
            width = own + (INSET_GAP + widest if sized else 0.0)
            figure_x = SIDE_PAD
            top = total - LETTER_BAND
        else:
            total = figure_part + column
            width = max(own, widest)
            figure_x = (width - fw) / 2
            top = column - INSET_GAP / 2
        figure_y = total - LETTER_BAND - fh
        insets: list[Inset] = []
        for index, ((scale, w, h, lines), source, group) in enumerate(
            zip(sized, sources, groups, strict=True)
        ):
            x0 = own + INSET_GAP if beside else (width - w) / 2
            inset = Inset(
                letter=chr(ord(self.first_letter) + index),
                source=_offset(source, figure_x, figure_y),
                box=(x0, top - h, x0 + w, top),
                scale=scale,
                caption_lines=tuple(lines),
                numbers=Placement((), ()),
                letter_box=_offset(letters[index], figure_x, figure_y),
            )
            top -= h + INSET_CAPTION_GAP + len(lines) * INSET_LEADING + INSET_GAP
            inset_labels = [
                replace(
                    labels[k],
                    anchor=inset.to_inset(_offset_point(labels[k].anchor, figure_x, figure_y)),
                    clearance=labels[k].clearance * scale,
                )
                for k in group
            ]
            inset_glyphs = [
                _scaled(inset, _offset(g, figure_x, figure_y))
                for g in glyphs
                if _touches(g, source)
            ]
            reach = max(inset.box[2] - inset.box[0], inset.box[3] - inset.box[1])
            numbers = place_labels(
                inset_labels, inset.box, obstacles=inset_glyphs, max_radius=reach
            )
            if numbers.unplaced:  # no room beside the glyphs: a number may then cover one
                numbers = place_labels(inset_labels, inset.box, max_radius=reach)
            insets.append(replace(inset, numbers=numbers))
        return ChartLayout(
            figure=(figure_x, figure_y, figure_x + fw, figure_y + fh),
            numbers=_shift(main, figure_x, figure_y),
            insets=tuple(insets),
            width=width,
            height=total,
        )

    # ----------------------------------------------------------------------- drawing

    def _paint_figure(self, canvas: Canvas) -> None:
        """The body and the marks, in figure points, without numbers."""
        frame = self._frame
        view = self.view
        key = (view.atlas_version, view.id, self.figure_width, self.figure_height)
        silhouette = _cached_path(*key, "silhouette")
        canvas.saveState()
        canvas.setFillColor(BODY_FILL)
        canvas.drawPath(silhouette, stroke=0, fill=1, fillMode=1)
        canvas.setLineJoin(1)
        if view.fibre_lines:
            canvas.setStrokeColor(FIBRE_LINE)
            canvas.setLineWidth(0.2)
            canvas.drawPath(_cached_path(*key, "fibres"), stroke=1, fill=0)
        canvas.setStrokeColor(REGION_LINE)
        canvas.setLineWidth(0.25)
        canvas.drawPath(_cached_path(*key, "regions"), stroke=1, fill=0)
        canvas.setStrokeColor(DETAIL_LINE)
        canvas.setLineWidth(0.4)
        canvas.setLineCap(1)
        canvas.drawPath(_cached_path(*key, "details"), stroke=1, fill=0)
        canvas.restoreState()

        areas: list[tuple[float, int, PDFPathObject, Box, MarkKind]] = []
        for mark in self.marks:
            if mark.kind.geometry is not Geometry.AREA or not mark.points:
                continue
            polygons: Sequence[Polygon]
            if mark.whole_region and mark.region_id:
                try:
                    polygons = view.region(mark.region_id).polygons
                    path = _cached_path(*key, f"region:{mark.region_id}")
                except AtlasError:  # an unknown region: draw the mark's own outline instead
                    polygons = ((tuple(mark.points),),)
                    path = _polygon_path(frame, polygons)
                pts = [frame.at(x, y) for poly in polygons for x, y in poly[0]]
            else:
                pts = [frame.at(x, y) for x, y in mark.points]
                path = _points_path(pts)
            box = (
                min(p[0] for p in pts),
                min(p[1] for p in pts),
                max(p[0] for p in pts),
                max(p[1] for p in pts),
            )
            size = (box[2] - box[0]) * (box[3] - box[1])
            areas.append((size, mark.number, path, box, mark.kind))
        # Larger areas first, so a smaller one lies on top; all washes, then all patterns, then
        # all outlines, so no wash ever covers another kind's pattern. Areas and strokes are
        # drawn on the body only: a painted edge past the outline does not spill off it.
        areas.sort(key=lambda a: (-a[0], a[1]))
        canvas.saveState()
        canvas.clipPath(silhouette, stroke=0, fill=0, fillMode=1)
        for _, _, path, _, kind in areas:
            _fill_area(canvas, path, kind, friendly=self.friendly)
        if not self.friendly:
            for _, _, path, box, kind in areas:
                _pattern_area(canvas, path, box, kind, TILE)
        for _, _, path, _, kind in areas:
            _outline_area(canvas, path, kind, friendly=self.friendly)
        if not self.friendly:
            for mark in self.marks:
                if mark.kind.geometry is Geometry.STROKE and len(mark.points) >= 2:
                    paint_scar(canvas, [frame.at(x, y) for x, y in mark.points])
        canvas.restoreState()
        if not self.friendly:
            for mark in self.marks:
                if mark.kind.geometry is Geometry.POINT and mark.points:
                    x, y = frame.at(*mark.points[0])
                    paint_point(canvas, mark.kind, x, y, mark.intensity, _point_size(mark))
            for mark in self.marks:
                if mark.kind is MarkKind.AVOID and mark.points:
                    paint_warning(canvas, *_centroid_inside(view, mark, frame))
        canvas.saveState()
        canvas.setStrokeColor(OUTLINE)
        canvas.setLineWidth(0.9)
        canvas.setLineJoin(1)
        canvas.drawPath(silhouette, stroke=1, fill=0)
        canvas.restoreState()

    def draw(self) -> None:
        """Draw the figure, its close-ups, the numbers, the letters and the captions."""
        fonts.register_fonts()
        canvas: Canvas = self.canv
        layout = self.layout
        fx, fy = layout.figure[0], layout.figure[1]
        canvas.saveState()
        canvas.translate(fx, fy)
        self._paint_figure(canvas)
        canvas.restoreState()
        for inset in layout.insets:
            self._draw_inset(canvas, inset, fx, fy)
        for _, placed in layout.placed():
            if placed.leader:
                paint_leader(canvas, placed)
        for _, placed in layout.placed():
            number = placed.label.number
            paint_number(canvas, self._kinds[number], placed.box, number)

        canvas.saveState()
        left, right = self.view.side_letters
        canvas.setFillColor(LETTERS)
        size = 11.0 if len(left) == 1 else 7.5
        canvas.setFont(fonts.SANS_BOLD, size)
        top = fy + self.figure_height + 2.5
        canvas.drawString(fx, top, left)
        canvas.drawRightString(fx + self.figure_width, top, right)
        canvas.restoreState()
        paragraph = Paragraph(fonts.markup(self.caption_text()), stylesheet().centre)
        # The caption may run 8 points past each side of the figure only where the page column
        # leaves that room; four figures side by side wrap their captions instead of meeting.
        own = self.figure_width + 2 * SIDE_PAD
        spare = None if self._available is None else self._available - self.width
        width = own + 16 if spare is None or spare >= 16 else own
        _, height = paragraph.wrap(width, CAPTION_BAND)
        paragraph.drawOn(canvas, fx + self.figure_width / 2 - width / 2, fy - height - 1)

    def _draw_inset(self, canvas: Canvas, inset: Inset, fx: float, fy: float) -> None:
        x0, y0, x1, y1 = inset.box
        sx0, sy0, sx1, sy1 = inset.source
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(x0, y0, x1 - x0, y1 - y0)
        canvas.clipPath(clip, stroke=0, fill=0)
        canvas.setFillColor(WHITE)
        canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=0, fill=1)
        canvas.translate(x0, y0)
        canvas.scale(inset.scale, inset.scale)
        canvas.translate(-(sx0 - fx), -(sy0 - fy))
        self._paint_figure(canvas)
        canvas.restoreState()
        canvas.saveState()
        canvas.setStrokeColor(INSET_FRAME)
        canvas.setLineWidth(0.7)
        canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=1, fill=0)
        canvas.setLineWidth(0.6)
        canvas.setDash([2.0, 1.5], 0)
        canvas.rect(sx0, sy0, sx1 - sx0, sy1 - sy0, stroke=1, fill=0)
        canvas.setDash([], 0)
        lx0, ly0, lx1, ly1 = inset.letter_box
        canvas.setFillColor(WHITE)
        canvas.rect(lx0, ly0, lx1 - lx0, ly1 - ly0, stroke=0, fill=1)
        canvas.setFillColor(INSET_FRAME)
        canvas.setFont(fonts.SANS_BOLD, NUMBER_SIZE)
        canvas.drawCentredString(
            (lx0 + lx1) / 2, (ly0 + ly1) / 2 - NUMBER_SIZE * 0.36, inset.letter
        )
        canvas.restoreState()
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#333333"))
        canvas.setFont(fonts.SANS, INSET_TEXT)
        for n, line in enumerate(inset.caption_lines):
            y = y0 - INSET_CAPTION_GAP - INSET_TEXT - n * INSET_LEADING
            canvas.drawString(x0, y, line)
        canvas.restoreState()

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


def _offset_point(point: tuple[float, float], dx: float, dy: float) -> tuple[float, float]:
    return point[0] + dx, point[1] + dy


def _touches(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _scaled(inset: Inset, box: Box) -> Box:
    x0, y0 = inset.to_inset((box[0], box[1]))
    x1, y1 = inset.to_inset((box[2], box[3]))
    return (x0, y0, x1, y1)


class LegendSwatch(Flowable):
    """The legend sample of one kind, drawn exactly as on the chart (same tile, ink, outline)."""

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
            paint_area(canvas, path, (1, 1, w - 1, h - 1), kind)
            if kind is MarkKind.AVOID:
                paint_warning(canvas, w / 2, h / 2, 6.5)


def views_with_marks(marks: Sequence[MarkInfo]) -> list[AtlasView]:
    """The atlas views that hold marks, in atlas order, of the chart's atlas version."""
    used = {m.view for m in marks}
    return [view for view in chart_atlas(marks).views if view.id in used]


def chart_rows(views: Sequence[AtlasView]) -> list[list[AtlasView]]:
    """The views laid out in rows: the whole-body views (and their deep layers) in one, the
    detail views (head, hands, feet) in another, so that neither shrinks the other."""
    core = [view for view in views if view.id in WHOLE_BODY_VIEW_IDS]
    detail = [view for view in views if view.id not in WHOLE_BODY_VIEW_IDS]
    return [row for row in (core, detail) if row]


def figure_height_for(
    aspects: Sequence[float], frame_width: float, maximum: float = 250.0
) -> float:
    """The figure height that fits figures of these aspects (width / height) side by side in
    ``frame_width``, each in an equal column."""
    if not aspects:
        return maximum
    per = frame_width / len(aspects) - 2 * SIDE_PAD - 8
    return min(maximum, per / max(aspects))
