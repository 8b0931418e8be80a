"""Where a mark lies: its region and the client's side, computed from the atlas, never typed."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from massage_chart.domain.atlas import Atlas, Region, Side
from massage_chart.domain.marks import Geometry, MarkKind

Point = tuple[float, float]
_LATERAL_SIDES: dict[str, Side] = {"left_lateral": "left", "right_lateral": "right"}
_SAMPLES_PER_AXIS = 9


class PlacementError(ValueError):
    """The mark's points do not fit its kind or lie outside the view's frame."""


@dataclass(frozen=True)
class Placement:
    """The region a mark names (None when it lies off the body) and the client's side."""

    region: Region | None
    side: Side

    @property
    def region_id(self) -> str | None:
        """The region's id, or None."""
        return self.region.id if self.region is not None else None


def check_points(kind: MarkKind, points: Sequence[Sequence[float]], *, whole_region: bool) -> None:
    """Refuse points that do not fit the kind: one for a point, two or more for a stroke, three or
    more for an area (or one when the whole region is marked), all inside the frame.

    Raises:
        PlacementError: with a plain description of what is wrong.
    """
    geometry = kind.geometry
    count = len(points)
    if geometry is Geometry.POINT and count != 1:
        raise PlacementError(f"A {kind.legend.name.lower()} mark is one point, not {count}.")
    if geometry is Geometry.STROKE and count < 2:
        raise PlacementError(f"A {kind.legend.name.lower()} mark needs at least 2 points.")
    if geometry is Geometry.AREA and count < 3 and not (whole_region and count >= 1):
        raise PlacementError(
            f"A {kind.legend.name.lower()} area needs at least 3 points, or a point in the "
            "region it covers whole."
        )
    for point in points:
        if len(point) != 2:
            raise PlacementError("Each point is a pair [x, y].")
        x, y = point
        if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
            raise PlacementError(f"The point [{x}, {y}] lies outside the view (0 to 1).")


def side_from_position(view_id: str, x: float) -> Side:
    """The client's side of a frame position when no region says so.

    Anterior: the client's right is on the viewer's left. Posterior: the client's right is on the
    viewer's right. A lateral view shows one side only.
    """
    if view_id in _LATERAL_SIDES:
        return _LATERAL_SIDES[view_id]
    if abs(x - 0.5) < 0.005:
        return "midline"
    viewer_left = x < 0.5
    if view_id == "anterior":
        return "right" if viewer_left else "left"
    return "left" if viewer_left else "right"


def _samples(points: Sequence[Sequence[float]], geometry: Geometry) -> list[Point]:
    """Points that stand for the mark: the point itself, a stroke's vertices and midpoints, or an
    area's vertices plus a grid inside its outline."""
    pts = [(float(p[0]), float(p[1])) for p in points]
    if geometry is Geometry.POINT or len(pts) < 3:
        out = list(pts)
        out += [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in itertools.pairwise(pts)]
        return out
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    inside: list[Point] = []
    for i in range(_SAMPLES_PER_AXIS):
        for j in range(_SAMPLES_PER_AXIS):
            x = x0 + (x1 - x0) * (i + 0.5) / _SAMPLES_PER_AXIS
            y = y0 + (y1 - y0) * (j + 0.5) / _SAMPLES_PER_AXIS
            if _inside(pts, x, y):
                inside.append((x, y))
    return inside or pts


def _inside(ring: Sequence[Point], x: float, y: float) -> bool:
    result = False
    x1, y1 = ring[-1]
    for x2, y2 in ring:
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            result = not result
        x1, y1 = x2, y2
    return result


def locate(
    atlas: Atlas,
    view_id: str,
    kind: MarkKind,
    points: Sequence[Sequence[float]],
    *,
    whole_region: bool = False,
) -> Placement:
    """The region a mark names and the client's side.

    A point names the region under it; a stroke or an area names the region that holds most of
    it (sampled along the stroke or across the area). A region covered whole is the region under
    its first point.

    Raises:
        PlacementError: the points do not fit the kind (see ``check_points``).
        AtlasError: the view id is unknown.
    """
    check_points(kind, points, whole_region=whole_region)
    view = atlas.view(view_id)
    geometry = Geometry.POINT if whole_region else kind.geometry
    samples = _samples(points[:1] if whole_region else points, geometry)
    votes: Counter[str] = Counter()
    regions: dict[str, Region] = {}
    for x, y in samples:
        region = view.region_at(x, y)
        if region is not None:
            votes[region.id] += 1
            regions[region.id] = region
    if votes:
        best = regions[votes.most_common(1)[0][0]]
        return Placement(best, best.side)
    cx = sum(p[0] for p in samples) / len(samples)
    return Placement(None, side_from_position(view_id, cx))
