"""Pain extent from the therapist's marks: regions with pain over the front and back surface."""

from __future__ import annotations

import pytest

from massage_chart.atlas import load_atlas
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.pain_extent import (
    body_area,
    clinician_pain_extent,
    extent_text,
    pain_regions,
    region_area,
)
from massage_chart.storage.marks import place_mark


def _mark(kind: MarkKind, view: str, region_id: str, *, whole: bool = False):
    atlas = load_atlas()
    point = atlas.region(view, region_id).inner_point
    return place_mark(atlas, "v", kind, view, [point], whole_region=whole)


def test_the_counted_surface_is_the_front_and_back_regions() -> None:
    atlas = load_atlas()
    regions = [r for view in ("anterior", "posterior") for r in atlas.regions(view)]
    assert body_area(atlas) == pytest.approx(sum(region_area(atlas, r) for r in regions))
    assert all(region_area(atlas, r) > 0 for r in regions)


def test_pain_marks_count_their_regions_once_and_other_findings_do_not() -> None:
    atlas = load_atlas()
    pain = _mark(MarkKind.PAIN, "posterior", "upper_trapezius.r")
    again = _mark(MarkKind.PAIN, "posterior", "upper_trapezius.r")
    referred = _mark(MarkKind.REFERRED_PAIN, "anterior", "temporalis.r", whole=True)
    trigger = _mark(MarkKind.TRIGGER_POINT_ACTIVE, "posterior", "lower_trapezius.l")
    side = _mark(MarkKind.PAIN, "right_lateral", list_region(atlas, "right_lateral"))
    share = clinician_pain_extent(atlas, [pain, again, referred, trigger, side])
    expected = (
        region_area(atlas, atlas.region("posterior", "upper_trapezius.r"))
        + region_area(atlas, atlas.region("anterior", "temporalis.r"))
    ) / body_area(atlas)
    assert share == pytest.approx(expected)
    assert {r.id for r in pain_regions(atlas, [pain, referred, trigger])} == {
        "upper_trapezius.r", "temporalis.r",
    }  # fmt: skip
    assert clinician_pain_extent(atlas, []) == 0.0
    assert extent_text(0.125) == "12.5% of the body surface"


def list_region(atlas, view: str) -> str:
    return atlas.regions(view)[0].id


def test_the_regions_tile_the_silhouette_so_the_share_is_of_the_body_surface() -> None:
    from massage_chart.domain.pain_extent import _polygon_area

    atlas = load_atlas()
    for view_id in ("anterior", "posterior"):
        view = atlas.view(view_id)
        outline = sum(_polygon_area(polygon, view.aspect) for polygon in view.silhouette)
        regions = sum(region_area(atlas, region) for region in atlas.regions(view_id))
        assert regions == pytest.approx(outline, rel=1e-6), view_id


def test_pain_on_a_deep_muscle_counts_the_skin_over_it() -> None:
    """The rhomboids are charted on the deep layer from atlas version 3: pain there is pain of
    the back, counted on the back view where it lies, as it was when they were charted there."""
    atlas = load_atlas()
    point = _mark(MarkKind.PAIN, "posterior_deep", "rhomboid.r")
    whole = _mark(MarkKind.REFERRED_PAIN, "posterior_deep", "deep_quadratus_lumborum.l", whole=True)
    (under,) = pain_regions(atlas, [point])
    assert under.view_id == "posterior" and under.side == "right"
    assert under is atlas.region_at("posterior", *point.points[0])
    covered = pain_regions(atlas, [whole])
    assert covered and all(r.view_id == "posterior" for r in covered)
    assert clinician_pain_extent(atlas, [point]) > 0
