"""A mark charted on one atlas version, moved onto another without changing what it means.

A signed chart stays on the version it was signed with. An unsigned chart (and a copy carried
forward from an older visit, and the earlier visits' marks shown beside a chart) is moved to the
current atlas: each mark keeps its named region and the client's side. Where a region's outline
changed between versions, its points move with the region (scaled from the old region's extent to
the new one's); a point that would then fall outside its region goes to the region's inner point.
A region a version charts on another view (version 3 put the muscles under the trapezius on the
deep layer) takes its marks there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from massage_chart.domain.atlas import SURFACE_OF, Atlas, AtlasError, Region, load_atlas
from massage_chart.domain.marks import Geometry, MarkData
from massage_chart.domain.placement import PlacementError, Point, locate


def chart_atlas(marks: Iterable[MarkData]) -> Atlas:
    """The atlas a chart is drawn and measured on: the version its marks were charted on (a
    signed chart keeps the geometry it was signed with), the current one for a chart without
    marks.

    Raises:
        AtlasError: the marks are of a version this copy of the app does not ship.
    """
    return load_atlas(max((mark.atlas_version for mark in marks), default=None))


def region_in_version(view_id: str, region_id: str, start: int, target: Atlas) -> tuple[str, str]:
    """The view and id on ``target`` of a region of version ``start``, following each
    version's renames and moves to another view in turn (the versions between are the app's
    own)."""
    for version in range(start + 1, target.version + 1):
        step = target if version == target.version else load_atlas(version)
        view_id, region_id = step.place_from_previous(view_id, region_id)
    return view_id, region_id


def _carried(points: Sequence[Point], old: Region, new: Region) -> tuple[Point, ...]:
    """Points scaled from the old region's box to the new one's."""
    ox0, oy0, ox1, oy1 = old.bbox
    nx0, ny0, nx1, ny1 = new.bbox
    sx = (nx1 - nx0) / (ox1 - ox0) if ox1 > ox0 else 1.0
    sy = (ny1 - ny0) / (oy1 - oy0) if oy1 > oy0 else 1.0
    return tuple(
        (min(1.0, max(0.0, nx0 + (x - ox0) * sx)), min(1.0, max(0.0, ny0 + (y - oy0) * sy)))
        for x, y in points
    )


def _centred(points: Sequence[Point], centre: Point) -> tuple[Point, ...]:
    """The points moved, unchanged in shape, so that their box is centred on ``centre``."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    dx = centre[0] - (min(xs) + max(xs)) / 2
    dy = centre[1] - (min(ys) + max(ys)) / 2
    return tuple((min(1.0, max(0.0, x + dx)), min(1.0, max(0.0, y + dy))) for x, y in points)


def move_to_atlas(mark: MarkData, target: Atlas, source: Atlas | None = None) -> MarkData:
    """The mark on ``target``: the same named region and side, its points where that region now
    lies. A mark already on ``target`` is returned as it is. ``source`` is the atlas of the
    mark's version (read from the app's atlases when not given).

    Raises:
        AtlasError: the mark's view is on neither version, or its version is unknown.
    """
    if mark.atlas_version == target.version:
        return mark
    if mark.atlas_version > target.version:
        raise AtlasError(
            f"A mark of body-chart version {mark.atlas_version} cannot be moved back to "
            f"version {target.version}"
        )
    if source is None:
        source = load_atlas(mark.atlas_version)
    view_id = mark.view
    points: tuple[Point, ...] = mark.points
    region: Region | None = None
    if mark.region_id:
        old = source.region(mark.view, mark.region_id)
        view_id, region_id = region_in_version(mark.view, mark.region_id, source.version, target)
        region = target.view(view_id).region(region_id)
        if old.polygons != region.polygons:
            points = _carried(points, old, region)
            if len(points) == 1 and not region.contains(*points[0]):
                points = (region.inner_point,)
    try:
        placement = locate(target, view_id, mark.kind, points, whole_region=mark.whole_region)
        if region is not None and placement.region is not region:
            # A stroke or an area whose carried points lie first on another region: centred on
            # its own region instead, so it keeps naming that region first.
            centred = _centred(points, region.inner_point)
            again = locate(target, view_id, mark.kind, centred, whole_region=mark.whole_region)
            if again.region is region:
                points, placement = centred, again
    except PlacementError as error:  # cannot happen for points that fit the kind before
        raise AtlasError(
            f"The mark {mark.id} cannot be moved to the new body chart: {error}"
        ) from error
    # Filed under the region its points place it in, as every road computes it again (a chart
    # file import locates each mark anew; a signed note must read the same after one).
    region = placement.region or region
    return mark.replace(
        view=view_id,
        points=points,
        region_id=region.id if region is not None else None,
        side=region.side if region is not None else placement.side,
        atlas_version=target.version,
    )


def on_surface_view(mark: MarkData) -> MarkData:
    """A mark of a deep layer as it lies on its surface view (the same frame): pain charted on
    the rhomboids or the psoas covers the skin over them, and an area to avoid over a deep muscle
    is an area of the skin too. A point is filed under the surface region it lies in; a stroke
    or an area (a whole deep muscle: its outline) under none, placed again from its points. A
    mark of a surface view is returned as it is."""
    if mark.view not in SURFACE_OF:
        return mark
    surface = SURFACE_OF[mark.view]
    try:
        atlas = load_atlas(mark.atlas_version)
        deep = atlas.region(mark.view, mark.region_id) if mark.region_id else None
    except AtlasError:
        return mark
    if mark.kind.geometry is Geometry.POINT or not mark.points:
        if deep is not None and mark.whole_region:
            point = deep.inner_point
        elif mark.points:
            point = mark.points[0]
        else:
            return mark
        region = atlas.region_at(surface, *point)
        return mark.replace(view=surface, region_id=region.id if region is not None else None)
    points = deep.polygons[0][0] if deep is not None and mark.whole_region else mark.points
    return mark.replace(view=surface, points=points, region_id=None, whole_region=False)
