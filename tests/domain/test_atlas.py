"""Tests of the body-chart atlas: partition, laterality, mirroring and the public API."""

from __future__ import annotations

import bisect
import random
from collections import Counter
from pathlib import Path

import pytest

from massage_chart.atlas import (
    CORE_VIEW_IDS,
    Atlas,
    AtlasError,
    AtlasView,
    Region,
    load_atlas,
    load_atlas_from,
)

FRONT_BACK = ("anterior", "posterior")
LATERALS = ("left_lateral", "right_lateral")
MINIMUM_REGIONS = {"anterior": 60, "posterior": 60, "left_lateral": 30, "right_lateral": 30}
#: Every view of the current atlas: the core views and the detail views.
ALL_VIEW_IDS = load_atlas().view_ids
# Frame coordinates of landmarks (see scripts/build_atlas.py: vertex at y=0.03, soles at 0.97,
# one stature unit H is 1.88 frame widths).
SHOULDER_Y = 0.03 + 0.94 * (1 - 0.80)
THIGH_Y = 0.03 + 0.94 * (1 - 0.40)


@pytest.fixture(scope="module")
def atlas() -> Atlas:
    return load_atlas()


def _crossings(view: AtlasView, y: float) -> list[float]:
    """Sorted x where the silhouette's rings cross the horizontal line at height y."""
    xs = []
    for polygon in view.silhouette:
        for ring in polygon:
            x1, y1 = ring[-1]
            for x2, y2 in ring:
                if (y1 > y) != (y2 > y):
                    xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
                x1, y1 = x2, y2
    return sorted(xs)


def test_views_are_the_four_core_views_first(atlas: Atlas) -> None:
    assert atlas.view_ids[:4] == CORE_VIEW_IDS
    for view_id in atlas.view_ids:
        view = atlas.view(view_id)
        if view_id in CORE_VIEW_IDS:
            assert view.aspect == pytest.approx(0.5)
        else:  # a detail view has its own frame, its own name and R/L letters
            assert 0.5 <= view.aspect <= 1.2
            assert view.name
            assert set(view.letters) in ({"R", "L"}, {"Front", "Back"})
        assert view.caption
        assert view.silhouette


def test_load_atlas_is_cached(atlas: Atlas) -> None:
    assert load_atlas() is atlas


@pytest.mark.parametrize("view_id", CORE_VIEW_IDS)
def test_region_counts_meet_the_minimums(atlas: Atlas, view_id: str) -> None:
    assert len(atlas.regions(view_id)) >= MINIMUM_REGIONS[view_id]


@pytest.mark.parametrize("view_id", ALL_VIEW_IDS)
def test_every_inner_point_maps_back_to_its_region(atlas: Atlas, view_id: str) -> None:
    for region in atlas.regions(view_id):
        x, y = region.inner_point
        assert atlas.region_at(view_id, x, y) == region, region.id


@pytest.mark.parametrize("view_id", ALL_VIEW_IDS)
def test_regions_tile_the_silhouette_without_overlaps(atlas: Atlas, view_id: str) -> None:
    view = atlas.view(view_id)
    columns, rows = 160, 320
    hits: dict[tuple[int, int], list[str]] = {}
    for region in view.regions:  # visit only the samples inside each region's box
        x0, y0, x1, y1 = region.bbox
        for j in range(max(0, int(y0 * rows) - 1), min(rows, int(y1 * rows) + 2)):
            for i in range(max(0, int(x0 * columns) - 1), min(columns, int(x1 * columns) + 2)):
                x, y = (i + 0.5137) / columns, (j + 0.4791) / rows
                if region.contains(x, y):
                    hits.setdefault((i, j), []).append(region.id)
    overlaps = {key: ids for key, ids in hits.items() if len(ids) > 1}
    assert not overlaps
    body = covered = 0
    for j in range(rows):
        y = (j + 0.4791) / rows
        crossings = _crossings(view, y)
        for i in range(columns):
            x = (i + 0.5137) / columns
            inside = bisect.bisect_right(crossings, x) % 2 == 1  # even-odd rule
            assert inside or (i, j) not in hits, f"region outside the body at ({x}, {y})"
            body += inside
            covered += inside and (i, j) in hits
    assert body > 2000
    assert covered / body >= 0.98


@pytest.mark.parametrize("view_id", ALL_VIEW_IDS)
def test_ids_names_and_labels(atlas: Atlas, view_id: str) -> None:
    regions = atlas.regions(view_id)
    ids = Counter(region.id for region in regions)
    assert max(ids.values()) == 1
    names = Counter((region.name, region.side) for region in regions)
    assert max(names.values()) == 1, [key for key, n in names.items() if n > 1]
    for region in regions:
        assert region.deep_muscles, region.id
        if region.side == "midline":
            assert "." not in region.id
            assert region.label == region.name
        else:
            suffix = ".r" if region.side == "right" else ".l"
            assert region.id.endswith(suffix)
            assert region.label.startswith("R " if region.side == "right" else "L ")


def test_a_stem_has_one_name_in_every_view(atlas: Atlas) -> None:
    # The lateral "cheek" also holds the eye, which the front view charts apart as "orbit".
    names: dict[str, set[str]] = {}
    for view in atlas:
        for region in view.regions:
            names.setdefault(region.stem, set()).add(region.name)
    assert {stem: n for stem, n in names.items() if len(n) > 1 and stem != "cheek"} == {}


def test_geometry_stays_in_the_frame_and_flags_are_known(atlas: Atlas) -> None:
    for view in atlas:
        points = [p for polygon in view.silhouette for ring in polygon for p in ring]
        points += [p for line in view.detail_lines for p in line]
        assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in points), view.id
        for region in view.regions:
            assert set(region.flags) <= {"caution", "sensitive"}, region.id
            assert region.view_id == view.id


def test_label_examples(atlas: Atlas) -> None:
    trapezius = atlas.region("posterior", "upper_trapezius.r")
    assert (trapezius.name, trapezius.side) == ("Upper trapezius", "right")
    assert trapezius.label == "R upper trapezius"
    assert atlas.region("anterior", "sternocleidomastoid.l").label.startswith("L sternocleido")
    assert atlas.region("posterior", "achilles.l").label == "L Achilles tendon"
    assert atlas.region("anterior", "sternum").label == "Sternum"


@pytest.mark.parametrize(
    ("view_id", "stem", "deep"),
    [
        ("posterior", "quadratus_lumborum", "quadratus lumborum"),
        ("anterior", "iliac_fossa", "psoas major"),
        ("posterior", "piriformis_area", "piriformis"),
        ("anterior", "axilla", "subscapularis (via the axilla)"),
        ("posterior", "lumbar_erector", "lumbar multifidi"),
        ("anterior", "scalenes", "anterior scalene"),
    ],
)
def test_deep_muscles_are_offered(atlas: Atlas, view_id: str, stem: str, deep: str) -> None:
    for suffix in (".r", ".l"):
        assert deep in atlas.region(view_id, stem + suffix).deep_muscles


def _mirrored_agreement(a: Region, b: Region, samples: int = 400) -> float:
    """Share of sample points of a's box where a and b's mirror image agree."""
    x0, y0, x1, y1 = a.bbox
    assert b.bbox == pytest.approx((1 - x1, y0, 1 - x0, y1), abs=2e-4)
    rng = random.Random(a.id)
    agree = 0
    for _ in range(samples):
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        agree += a.contains(x, y) == b.contains(1 - x, y)
    return agree / samples


@pytest.mark.parametrize("view_id", FRONT_BACK)
def test_paired_regions_mirror_about_the_midline(atlas: Atlas, view_id: str) -> None:
    regions = {region.id: region for region in atlas.regions(view_id)}
    for region in regions.values():
        if region.side != "right":
            continue
        twin = regions[region.stem + ".l"]
        assert twin.name == region.name
        assert _mirrored_agreement(region, twin) >= 0.99, region.id
    for region in regions.values():
        if region.side == "midline":
            assert _mirrored_agreement(region, region) >= 0.99, region.id


def test_lateral_views_mirror_each_other_with_sides_swapped(atlas: Atlas) -> None:
    left = {region.stem: region for region in atlas.regions("left_lateral")}
    right = {region.stem: region for region in atlas.regions("right_lateral")}
    assert left.keys() == right.keys()
    for stem, region in left.items():
        twin = right[stem]
        if region.side == "midline":
            assert twin.side == "midline"
            assert twin.id == region.id
        else:
            assert (region.side, twin.side) == ("left", "right")
            assert (region.id, twin.id) == (stem + ".l", stem + ".r")
        assert twin.name == region.name
        assert _mirrored_agreement(region, twin) >= 0.99, stem


def test_anterior_laterality(atlas: Atlas) -> None:
    # Client faces the viewer: the client's right is on the viewer's left.
    viewer_left = atlas.region_at("anterior", 0.5 - 1.88 * 0.09, SHOULDER_Y)
    viewer_right = atlas.region_at("anterior", 0.5 + 1.88 * 0.09, SHOULDER_Y)
    assert viewer_left is not None and viewer_left.side == "right"
    assert viewer_right is not None and viewer_right.side == "left"
    thigh = atlas.region_at("anterior", 0.5 - 1.88 * 0.06, THIGH_Y)
    assert thigh is not None and thigh.side == "right"
    for region in atlas.regions("anterior"):
        if region.side != "midline":
            assert (region.inner_point[0] < 0.5) == (region.side == "right"), region.id


def test_posterior_laterality(atlas: Atlas) -> None:
    # Viewer looks at the client's back: the client's right is on the viewer's right.
    viewer_left = atlas.region_at("posterior", 0.5 - 1.88 * 0.09, SHOULDER_Y)
    viewer_right = atlas.region_at("posterior", 0.5 + 1.88 * 0.09, SHOULDER_Y)
    assert viewer_left is not None and viewer_left.side == "left"
    assert viewer_right is not None and viewer_right.side == "right"
    for region in atlas.regions("posterior"):
        if region.side != "midline":
            assert (region.inner_point[0] > 0.5) == (region.side == "right"), region.id


@pytest.mark.parametrize(
    ("view_id", "side"), [("left_lateral", "left"), ("right_lateral", "right")]
)
def test_lateral_views_show_one_side_facing_outward(atlas: Atlas, view_id: str, side: str) -> None:
    regions = atlas.regions(view_id)
    assert {region.side for region in regions} == {side, "midline"}
    suffix = ".l" if side == "left" else ".r"
    face = atlas.region(view_id, "face_profile").inner_point[0]
    occiput = atlas.region(view_id, "occipital" + suffix).inner_point[0]
    toes = atlas.region(view_id, "lateral_foot" + suffix).inner_point[0]
    heel = atlas.region(view_id, "heel" + suffix).inner_point[0]
    if side == "left":  # the client's left side: the figure faces the viewer's left
        assert face < occiput and toes < heel
    else:
        assert face > occiput and toes > heel


@pytest.mark.parametrize("view_id", ALL_VIEW_IDS)
def test_points_outside_the_body_return_none(atlas: Atlas, view_id: str) -> None:
    for x, y in [(0.01, 0.01), (0.99, 0.5), (0.5, 0.005), (0.02, 0.99), (-0.2, 0.5), (0.5, 1.3)]:
        assert atlas.region_at(view_id, x, y) is None


def test_gaps_between_limbs_are_outside(atlas: Atlas) -> None:
    between_ankles = 0.03 + 0.94 * (1 - 0.10)
    for view_id in FRONT_BACK:
        assert atlas.region_at(view_id, 0.5, between_ankles) is None
        # between the hanging hand and the thigh
        assert atlas.region_at(view_id, 0.5 + 1.88 * 0.125, THIGH_Y) is None


@pytest.mark.parametrize("view_id", FRONT_BACK)
def test_paired_regions_stay_on_their_own_half(atlas: Atlas, view_id: str) -> None:
    # Only midline strips may cross the vertical midline of the front and back views.
    for region in atlas.regions(view_id):
        x0, _, x1, _ = region.bbox
        if region.side == "midline":
            assert x0 < 0.5 < x1, region.id
        elif (region.side == "right") == (view_id == "anterior"):
            assert x1 <= 0.5 + 1e-5, region.id
        else:
            assert x0 >= 0.5 - 1e-5, region.id


@pytest.mark.parametrize(
    ("view_id", "x", "y", "region_id"),
    [
        # A few landmarks, in frame fractions: are the regions where a therapist expects them?
        ("anterior", 0.5, 0.03 + 0.94 * (1 - 0.77), "sternum"),
        ("anterior", 0.5 - 1.88 * 0.02, 0.03 + 0.94 * (1 - 0.65), "rectus_abdominis_upper.r"),
        ("anterior", 0.5 + 1.88 * 0.06, 0.03 + 0.94 * (1 - 0.28), "anterior_knee.l"),
        ("posterior", 0.5, 0.03 + 0.94 * (1 - 0.75), "thoracic_spine"),
        ("posterior", 0.63, 0.19, "upper_trapezius.r"),  # the example in docs/atlas.md
        ("posterior", 0.5 + 1.88 * 0.07, 0.03 + 0.94 * (1 - 0.64), "quadratus_lumborum.r"),
        ("posterior", 0.5 - 1.88 * 0.06, 0.03 + 0.94 * (1 - 0.79), "infraspinatus.l"),
        ("posterior", 0.5 + 1.88 * 0.04, 0.03 + 0.94 * (1 - 0.50), "gluteus_maximus.r"),
        ("posterior", 0.5 - 1.88 * 0.085, 0.03 + 0.94 * (1 - 0.22), "gastrocnemius_lateral.l"),
        ("left_lateral", 0.64 + 1.88 * 0.07, 0.03 + 0.94 * (1 - 0.50), "gluteus_maximus.l"),
        ("right_lateral", 0.36 - 1.88 * 0.07, 0.03 + 0.94 * (1 - 0.50), "gluteus_maximus.r"),
        ("left_lateral", 0.64 - 1.88 * 0.065, 0.03 + 0.94 * (1 - 0.91), "face_profile"),
    ],
)
def test_landmarks_fall_in_the_expected_region(
    atlas: Atlas, view_id: str, x: float, y: float, region_id: str
) -> None:
    region = atlas.region_at(view_id, x, y)
    assert region is not None
    assert region.id == region_id


def test_every_region_is_one_piece_or_a_known_split(atlas: Atlas) -> None:
    # The posterior soleus shows on both sides of the Achilles tendon; the lesser toes are four;
    # on a deep layer a deep muscle may cut a surface region in two (the deep muscle is whole).
    for view in atlas:
        for region in view.regions:
            if view.id.endswith("_deep") and not region.stem.startswith("deep_"):
                continue
            if len(region.polygons) > 1:
                assert (view.id, region.stem) in {
                    ("posterior", "soleus"),
                    ("feet_dorsal", "lesser_toes"),
                    ("feet_plantar", "lesser_toes"),
                }, region.id


def test_missing_atlas_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(AtlasError, match="Cannot read the atlas"):
        load_atlas_from(tmp_path)


def test_unknown_view_raises(atlas: Atlas) -> None:
    with pytest.raises(ValueError, match="Unknown atlas view"):
        atlas.regions("plantar_upside_down")
