"""Pain extent from the therapist's marks: the share of the body's surface, on the front and back
views, that the regions holding a pain finding cover (a clinician finding, comparable from visit
to visit; it is not the client's self-report, which validated body-map instruments measure).

The lateral views are left out so no surface counts twice. Areas are measured in the views' own
proportions (frame fractions scaled by each view's aspect).
"""

from __future__ import annotations

from collections.abc import Iterable

from massage_chart.domain.atlas import Atlas, Polygon, Region, Ring
from massage_chart.domain.atlas_moves import on_surface_view
from massage_chart.domain.marks import MarkData, MarkKind
from massage_chart.domain.placement import placement_of

EXTENT_VIEWS = ("anterior", "posterior")
"""The views whose surface is counted: front and back, each part of the body once."""

PAIN_KINDS = frozenset({MarkKind.PAIN, MarkKind.REFERRED_PAIN})
"""The findings that say where it hurts (trigger points and tension are findings of tissue)."""


def _ring_area(ring: Ring, aspect: float) -> float:
    """The shoelace area of a ring, x scaled by the view's aspect."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, (*ring[1:], ring[0]), strict=True):
        total += x1 * aspect * y2 - x2 * aspect * y1
    return abs(total) / 2


def _polygon_area(polygon: Polygon, aspect: float) -> float:
    outer, *holes = polygon
    return _ring_area(outer, aspect) - sum(_ring_area(hole, aspect) for hole in holes)


def region_area(atlas: Atlas, region: Region) -> float:
    """A region's area in its view's proportions (worked out once per view: every note and
    report measures pain extent against the whole body's)."""
    view = atlas.view(region.view_id)
    return view.remembered(
        ("area", region.id),
        lambda: sum(_polygon_area(polygon, view.aspect) for polygon in region.polygons),
    )


def body_area(atlas: Atlas) -> float:
    """The area of every region of the counted views."""
    return sum(
        region_area(atlas, region) for view in EXTENT_VIEWS for region in atlas.regions(view)
    )


def pain_regions(atlas: Atlas, marks: Iterable[MarkData]) -> set[Region]:
    """The regions of the counted views that hold a pain finding (each region an area covers
    a tenth or more of, or the region a point lies in)."""
    regions: set[Region] = set()
    for mark in marks:
        if mark.kind not in PAIN_KINDS:
            continue
        mark = on_surface_view(mark)  # a deep layer's: counted where it lies on its surface view
        if mark.view not in EXTENT_VIEWS:
            continue
        regions.update(placement_of(atlas, mark).regions)
    return regions


def regions_extent(atlas: Atlas, regions: Iterable[Region]) -> float:
    """The share (0 to 1) of the front and back surface these regions cover, each once: the
    one measure of pain extent, for the therapist's findings and the client's own map alike."""
    total = body_area(atlas)
    if total <= 0:
        return 0.0
    return min(1.0, sum(region_area(atlas, region) for region in set(regions)) / total)


def clinician_pain_extent(atlas: Atlas, marks: Iterable[MarkData]) -> float:
    """The share (0 to 1) of the front and back surface the therapist found painful."""
    return regions_extent(atlas, pain_regions(atlas, marks))


def extent_text(share: float) -> str:
    """ "12.5% of the body surface"."""
    return f"{share * 100:.1f}% of the body surface"
