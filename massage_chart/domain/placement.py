"""Where a mark lies: its region and the client's side, computed from the atlas, never typed."""

from __future__ import annotations

import contextlib
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from massage_chart.domain.atlas import Atlas, AtlasError, Region, Side, load_atlas
from massage_chart.domain.marks import Geometry, MarkData, MarkKind

Point = tuple[float, float]
_LATERAL_SIDES: dict[str, Side] = {"left_lateral": "left", "right_lateral": "right"}
_SAMPLES_PER_AXIS = 9
#: A region holding at least this share of a stroke or an area is named with it.
MIN_SHARE = 0.1


class PlacementError(ValueError):
    """The mark's points do not fit its kind or lie outside the view's frame."""


@dataclass(frozen=True)
class Placement:
    """Where a mark lies.

    Attributes:
        region: the region it is filed under, the one holding most of it (None off the body).
        side: the client's side.
        covered: every region a stroke or an area lies on, with the share of it each holds,
            largest first (the one region of a point or a region covered whole).
    """

    region: Region | None
    side: Side
    covered: tuple[tuple[Region, float], ...] = ()

    @property
    def region_id(self) -> str | None:
        """The region's id, or None."""
        return self.region.id if self.region is not None else None

    @property
    def regions(self) -> tuple[Region, ...]:
        """The regions the mark is named after: its own, then any other holding ``MIN_SHARE``
        of it (an area painted across trapezius and rhomboid names both)."""
        if self.region is None:
            return ()
        others = tuple(r for r, share in self.covered if r != self.region and share >= MIN_SHARE)
        return (self.region, *others)

    @property
    def label(self) -> str:
        """The regions as a chart names them ("R upper trapezius and R rhomboid"); "" off the
        body."""
        return join_names([region.label for region in self.regions])


def join_names(names: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


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
            f"An area ({kind.legend.name.lower()}) needs at least 3 points, or a point in the "
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

    A point names the region under it; a stroke or an area is filed under the region that holds
    most of it (sampled along the stroke or across the area) and also names every other region
    holding a tenth of it or more (``Placement.regions``). A region covered whole is the region
    under its first point.

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
        ranked = sorted(votes.items(), key=lambda item: (-item[1], item[0]))
        covered = tuple((regions[rid], count / len(samples)) for rid, count in ranked)
        best = covered[0][0]
        return Placement(best, best.side, covered)
    cx = sum(p[0] for p in samples) / len(samples)
    return Placement(None, side_from_position(view_id, cx))


def placement_of(atlas: Atlas, mark: MarkData) -> Placement:
    """Where a charted mark lies: the region it is filed under (stored when it was charted) and,
    for a stroke or an area, every other region it lies on, worked out again from its points
    (half a millisecond). Every screen, note and document names a mark by this, so an area
    across several muscles is named after all of them everywhere.

    A mark is placed on the atlas version it was charted on (``atlas`` when it is that one). A
    mark the atlas can no longer place (its view or points unknown to this atlas) is named by its
    stored region alone, or lies off the body.
    """
    if mark.atlas_version != atlas.version:
        with contextlib.suppress(AtlasError):
            atlas = load_atlas(mark.atlas_version)
    stored: Region | None = None
    if mark.region_id:
        with contextlib.suppress(AtlasError):
            stored = atlas.region(mark.view, mark.region_id)
    spread = mark.kind.geometry is not Geometry.POINT and not mark.whole_region
    covered: tuple[tuple[Region, float], ...] = ()
    if spread:
        with contextlib.suppress(PlacementError, AtlasError):
            covered = _covered(atlas, mark)
    if stored is not None:
        return Placement(stored, stored.side, covered)
    if covered and not mark.region_id:
        return Placement(covered[0][0], covered[0][0].side, covered)
    return Placement(None, _stored_side(mark.side), ())


def _covered(atlas: Atlas, mark: MarkData) -> tuple[tuple[Region, float], ...]:
    """The regions a stroke or an area lies on, worked out once per view and points.

    Raises:
        PlacementError, AtlasError: as ``locate``.
    """
    try:
        points = tuple((float(x), float(y)) for x, y in mark.points)
    except (TypeError, ValueError):  # not pairs of numbers: locate says what is wrong
        return locate(atlas, mark.view, mark.kind, mark.points).covered
    return atlas.view(mark.view).remembered(
        ("covered", mark.kind, points),
        lambda: locate(atlas, mark.view, mark.kind, points).covered,
    )


def _stored_side(side: str) -> Side:
    return "left" if side == "left" else "right" if side == "right" else "midline"
