"""Charting tools: one per mark kind plus Select, their keys, and how area tools draw.

A point tool marks where it is clicked; the scar tool draws a stroke by dragging; an area tool
paints with a brush or draws an outline by dragging (see ``AreaMode``), and a plain click with
an area tool marks the whole region under the pointer.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPolygonF

from massage_chart.domain.marks import MarkKind


class AreaMode(enum.Enum):
    """How a drag with an area tool draws the area."""

    BRUSH = "brush"
    OUTLINE = "outline"


#: The key of every tool; Select is Esc or Q.
TOOL_KEYS: dict[MarkKind, str] = {
    MarkKind.TRIGGER_POINT_ACTIVE: "T",
    MarkKind.TRIGGER_POINT_LATENT: "Shift+T",
    MarkKind.TENDER_POINT: "D",
    MarkKind.PAIN: "P",
    MarkKind.REFERRED_PAIN: "R",
    MarkKind.HYPERTONICITY: "H",
    MarkKind.SPASM: "S",
    MarkKind.SCAR: "C",
    MarkKind.TREATED: "X",
    MarkKind.ADHESION: "A",
    MarkKind.INFLAMMATION: "I",
    MarkKind.NUMBNESS: "N",
    MarkKind.PARESTHESIA: "Shift+P",
    MarkKind.BURNING: "B",
    MarkKind.ACHING: "G",
    MarkKind.STABBING: "K",
    MarkKind.BRUISE: "U",
    MarkKind.AVOID: "V",
}

#: Every other shortcut of the chart window, for the Help list and tooltips.
OTHER_KEYS: tuple[tuple[str, str], ...] = (
    ("Esc or Q", "Select tool (Esc also cancels a drawing)"),
    ("M", "Area tools: switch between brush painting and drawing an outline"),
    ("Click with an area tool", "Mark the whole region under the pointer"),
    ("Ctrl+1 to Ctrl+4", "Anterior, posterior, left lateral, right lateral view"),
    ("0 to 9", "Intensity of the selected marks (new marks when none is selected)"),
    ("[ and ]", "Intensity down or up by one (up to 10)"),
    ("Delete or Backspace", "Remove the selected marks"),
    ("Enter", "Confirm the selected marks copied forward"),
    ("Ctrl+A", "Select every mark"),
    (". and ,", "Choose the next or previous region (charting without a mouse)"),
    ("Ctrl+Enter", "Chart the tool on the chosen region"),
    ("/", "Find a region by typing its name (Enter chooses it, Ctrl+Enter charts there)"),
    ("Ctrl+Z / Ctrl+Shift+Z or Ctrl+Y", "Undo / redo"),
    ("+ and -", "Zoom in and out (also the wheel, or a pinch)"),
    ("F or Ctrl+0", "Fit the figures to the window"),
    ("Arrow keys; middle-drag or Space+drag", "Pan"),
    ("Shift+G", "Show or hide the last visit's marks (ghosts)"),
    ("Ctrl+Shift+F", "Copy the last visit's marks forward"),
    ("F6", "Move the keyboard between the chart and the note"),
    ("F8 / Shift+F8", "Fold the note away (a larger chart) / fold the chart away"),
    ("Ctrl+W", "Close the visit (the note is saved first)"),
    ("F1", "This list"),
)

BRUSH_WIDTH = 0.035  # of the figure height
_MIN_STEP = 0.004  # frame fractions between recorded drag points


def keep_point(points: Sequence[tuple[float, float]], x: float, y: float) -> bool:
    """Whether a drag point is far enough from the last one to record."""
    if not points:
        return True
    px, py = points[-1]
    return math.hypot(x - px, y - py) >= _MIN_STEP


def path_length(points: Sequence[tuple[float, float]]) -> float:
    """The length of a polyline in frame fractions."""
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(points))


def simplify(
    points: Sequence[tuple[float, float]], tolerance: float = 0.002
) -> list[tuple[float, float]]:
    """Douglas-Peucker simplification: fewer points, same shape."""
    if len(points) < 3:
        return list(points)
    (ax, ay), (bx, by) = points[0], points[-1]
    dx, dy = bx - ax, by - ay
    norm = math.hypot(dx, dy)
    best, index = -1.0, 0
    for i in range(1, len(points) - 1):
        px, py = points[i]
        if norm == 0:
            d = math.hypot(px - ax, py - ay)
        else:
            d = abs(dy * px - dx * py + bx * ay - by * ax) / norm
        if d > best:
            best, index = d, i
    if best <= tolerance:
        return [points[0], points[-1]]
    left = simplify(points[: index + 1], tolerance)
    right = simplify(points[index:], tolerance)
    return left[:-1] + right


def clamp(x: float, y: float) -> tuple[float, float]:
    """A point kept inside the frame."""
    return min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)


def brush_outline(
    points: Sequence[tuple[float, float]], aspect: float, width: float = BRUSH_WIDTH
) -> list[tuple[float, float]]:
    """The outline of a brush stroke along ``points`` (frame fractions), as one polygon.

    Computed in square units (x scaled by the aspect) so the brush is round.
    """
    path = QPainterPath()
    path.moveTo(QPointF(points[0][0] * aspect, points[0][1]))
    if len(points) == 1:
        path.lineTo(QPointF(points[0][0] * aspect + 1e-4, points[0][1]))
    for x, y in points[1:]:
        path.lineTo(QPointF(x * aspect, y))
    stroker = QPainterPathStroker()
    stroker.setWidth(width)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    polygons = stroker.createStroke(path).simplified().toFillPolygons()
    biggest: QPolygonF = max(
        polygons, key=lambda p: p.boundingRect().width() * p.boundingRect().height()
    )
    outline = [clamp(biggest.at(i).x() / aspect, biggest.at(i).y()) for i in range(biggest.size())]
    if len(outline) > 1 and outline[0] == outline[-1]:
        outline.pop()
    return simplify(outline, 0.0015)
