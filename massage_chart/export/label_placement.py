"""Where the numbers of a body chart go: at each mark when free, else the nearest free spot around it."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

Box = tuple[float, float, float, float]
"""A rectangle as (x0, y0, x1, y1) with x0 <= x1 and y0 <= y1."""

#: Space kept between two numbers, and between a number and a glyph, in points.
GAP = 0.8
#: Distance between two rings of candidate positions, in points.
RING_STEP = 2.5
#: Candidate positions on the first ring; ring k has k times as many.
FIRST_RING = 8


@dataclass(frozen=True)
class Label:
    """A number to place.

    Attributes:
        number: the finding's number in the note's list.
        anchor: the point the number belongs to (a glyph's centre, an area's inner point).
        width, height: the size of the number's box.
        clearance: the radius of the mark's own glyph at the anchor (0 for an area): a number
            closer than this would hide the glyph, and a leader line stops at it.
    """

    number: int
    anchor: tuple[float, float]
    width: float
    height: float
    clearance: float = 0.0


@dataclass(frozen=True)
class PlacedLabel:
    """A number with the box it was given.

    Attributes:
        box: the number's box, inside the bounds and overlapping no other number or glyph.
        leader: whether a leader line is drawn from the box to the anchor (the number moved
            away from its mark).
    """

    label: Label
    box: Box

    @property
    def centre(self) -> tuple[float, float]:
        """The centre of the number's box."""
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2, (y0 + y1) / 2

    @property
    def distance(self) -> float:
        """How far the box lies from the anchor (0 when the box holds it)."""
        return distance_to_box(self.label.anchor, self.box)

    @property
    def leader(self) -> bool:
        """Whether the number sits apart from its mark, so a line must join them."""
        return self.distance > self.label.clearance + 1.5

    def leader_line(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """The leader line: from the edge of the box to the edge of the mark's glyph."""
        ax, ay = self.label.anchor
        x0, y0, x1, y1 = self.box
        bx, by = min(max(ax, x0), x1), min(max(ay, y0), y1)
        length = math.hypot(bx - ax, by - ay)
        if length == 0:
            return (bx, by), (ax, ay)
        stop = min(self.label.clearance, length)
        return (bx, by), (ax + (bx - ax) * stop / length, ay + (by - ay) * stop / length)


@dataclass(frozen=True)
class Placement:
    """The result of placing a set of numbers.

    Attributes:
        placed: the numbers that found a spot, in the order they were given.
        unplaced: the numbers that found none within the search radius (they go to a close-up).
    """

    placed: tuple[PlacedLabel, ...]
    unplaced: tuple[Label, ...]


def overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    """Whether two boxes overlap or come closer than ``gap``."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def inside(box: Box, bounds: Box) -> bool:
    """Whether ``box`` lies wholly within ``bounds``."""
    eps = 1e-9
    return (
        box[0] >= bounds[0] - eps
        and box[1] >= bounds[1] - eps
        and box[2] <= bounds[2] + eps
        and box[3] <= bounds[3] + eps
    )


def distance_to_box(point: tuple[float, float], box: Box) -> float:
    """The distance from a point to the nearest point of a box (0 inside it)."""
    x, y = point
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return math.hypot(dx, dy)


def _box_at(centre: tuple[float, float], label: Label) -> Box:
    cx, cy = centre
    w, h = label.width / 2, label.height / 2
    return (cx - w, cy - h, cx + w, cy + h)


def candidates(anchor: tuple[float, float], max_radius: float) -> list[tuple[float, float]]:
    """Candidate centres around an anchor, nearest first: the anchor, then rings of spots.

    Ring k lies at radius k * RING_STEP and holds k * FIRST_RING spots, starting up and to the
    right (y grows upwards) and going anticlockwise, so the order is the same on every run.
    """
    ax, ay = anchor
    return [(ax + dx, ay + dy) for dx, dy in _ring_offsets(max_radius)]


@cache
def _ring_offsets(max_radius: float) -> tuple[tuple[float, float], ...]:
    spots = [(0.0, 0.0)]
    for k in range(1, int(max_radius / RING_STEP) + 1):
        radius = k * RING_STEP
        count = k * FIRST_RING
        for i in range(count):
            angle = math.pi / 4 + 2 * math.pi * i / count
            spots.append((radius * math.cos(angle), radius * math.sin(angle)))
    return tuple(spots)


def place_labels(
    labels: Sequence[Label],
    bounds: Box,
    *,
    obstacles: Iterable[Box] = (),
    taken: Iterable[Box] = (),
    max_radius: float = 30.0,
) -> Placement:
    """Place numbers one by one, in the order given, without collisions.

    Each number goes at its anchor when that spot is free, otherwise at the nearest free
    candidate (see ``candidates``). A spot is free when the number's box lies inside ``bounds``,
    keeps ``GAP`` from every number already placed (and from the boxes in ``taken``), does not
    cover any glyph in ``obstacles`` and does not cover its own mark's glyph.

    Args:
        labels: the numbers to place, in the order they claim space.
        bounds: the box every number must stay inside (the figure, or a close-up).
        obstacles: boxes of glyphs a number must not hide.
        taken: boxes already used by other numbers.
        max_radius: how far from its anchor a number may go before it is left unplaced.
    """
    occupied = list(taken)
    blocked = list(obstacles)
    placed: list[PlacedLabel] = []
    unplaced: list[Label] = []
    for label in labels:
        spot = _first_free(label, bounds, occupied, blocked, max_radius)
        if spot is None:
            unplaced.append(label)
            continue
        placed.append(PlacedLabel(label, spot))
        occupied.append(spot)
    return Placement(tuple(placed), tuple(unplaced))


def _first_free(
    label: Label, bounds: Box, occupied: list[Box], blocked: list[Box], max_radius: float
) -> Box | None:
    ax, ay = label.anchor
    for dx, dy in _ring_offsets(max_radius):
        box = _box_at((ax + dx, ay + dy), label)
        if not inside(box, bounds):
            continue
        if label.clearance and distance_to_box(label.anchor, box) < label.clearance + GAP / 2:
            continue
        if any(overlaps(box, other, GAP) for other in occupied):
            continue
        if any(overlaps(box, glyph) for glyph in blocked):
            continue
        return box
    return None


def clusters(points: Sequence[tuple[float, float]], radius: float) -> list[list[int]]:
    """Groups of points linked by steps no longer than ``radius`` (indices, in input order)."""
    parent = list(range(len(points)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (xi, yi) in enumerate(points):
        for j in range(i + 1, len(points)):
            xj, yj = points[j]
            if math.hypot(xi - xj, yi - yj) <= radius:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(points)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])
