"""The atlas is versioned: a released version never changes, a signed chart keeps its geometry,
and a chart moved to a newer atlas keeps every mark on the same named region and side."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from massage_chart.atlas import (
    CORE_VIEW_IDS,
    Atlas,
    AtlasError,
    atlas_versions,
    closer_view,
    current_atlas_version,
    load_atlas,
    load_atlas_from,
)
from massage_chart.domain.atlas_moves import chart_atlas, move_to_atlas, region_in_version
from massage_chart.domain.marks import Geometry, MarkData, MarkKind
from massage_chart.domain.placement import PlacementError, locate
from massage_chart.resources import resource_path

#: The bytes of every released view file. Charts were signed on these: they never change (a new
#: drawing is a new version). A view file added by a new version is pinned here when released.
RELEASED = {
    "v1/anterior.json": "7dcc0c656f5c1dca846cac11ec3c71875641264948a02f34af0e2ede44388f13",
    "v1/posterior.json": "539c19d2a149bed5abd20d2611d56b5954cc2fb8a56a71dc5573444f3459655e",
    "v1/left_lateral.json": "7db148099990bcece4a77f737a94f8c67eafa1efc0809c0a3b29a5a27efca7f2",
    "v1/right_lateral.json": "bd9fbe221da17c6ce2039bcdd98310fbd89780e0bd08d2c280c5b6e0e66cf557",
    "v2/anterior_deep.json": "67e24233488fb340eacd0c6cf377adb19dcef4d40af740e5f88538984dbe3a3d",
    "v2/posterior_deep.json": "240ccf20c9b149513825aa7804675fe6f000d433cf0e8ce84616df15c216f5cb",
    "v2/face.json": "7640381f0cad502bb1d6e64c5c80e39b0512890dbb8bfc373ce8755fbfcab63a",
    "v2/head_left_lateral.json": "ff4e9d6d2c1f34fb42885bcae63146649d8a0d7f647154bc9b15a30193b1b5eb",
    "v2/head_right_lateral.json": "733d1d3407d4477fb4af6ba5332f138151a4a8869cdbd28b1e777baae2fb8502",
    "v2/hands_palmar.json": "286871f887f2bfc71d3e826f96c6274ef5b56563477a78bc8809bf4b4dffa66f",
    "v2/hands_dorsal.json": "f2a514da05035677c5d2136f3e28aa89884820f4966618bedb14b122b5f88334",
    "v2/feet_dorsal.json": "b2e5daace7e1ad12a6b6c5cccddc94296a02d4e9aa82e0804fc4425231477633",
    "v2/feet_plantar.json": "35e0f83b535cafac95666a582bbf3b6d6a664e52a3f0a5236c5080102643bb68",
    "v3/anterior.json": "00e0ad00fa6e0a469ddeabd12036736d7fe973112fdaafbd36e114c234862cf7",
    "v3/posterior.json": "ad352c7f08ccb3f925b7b830fa794109ce4b1468fe42e99e188cfc4bfbdc8214",
    "v3/left_lateral.json": "e5fea4d9548ff7dc4b5dcb1321218178da269802518aa6729394e3a79986cdca",
    "v3/right_lateral.json": "b7bf956e5b70e1280e5883e71be702cf80d4958af54546a0a0f762ccc2a5fb4a",
    "v3/anterior_deep.json": "abe5cb4773fd114743948de1b900d6de082b197629248432fb2bb9d08b2afaca",
    "v3/posterior_deep.json": "ca0eb428bb2a623e3d50c55ad02828d948187245204f12f8d6c56d5f1cd7c685",
}
DETAIL_VIEWS = (
    "anterior_deep",
    "posterior_deep",
    "face",
    "head_left_lateral",
    "head_right_lateral",
    "hands_palmar",
    "hands_dorsal",
    "feet_dorsal",
    "feet_plantar",
)


def _folder() -> Path:
    return resource_path("atlas", "index.json").parent


def _mark(
    view: str,
    kind: MarkKind,
    points: tuple[tuple[float, float], ...],
    version: int,
    *,
    whole: bool = False,
    region: str | None = None,
    side: str = "midline",
) -> MarkData:
    return MarkData(
        id=f"m-{view}-{region}", visit_id="v", kind=kind, view=view, points=points,
        region_id=region, side=side, whole_region=whole,
        created_at=dt.datetime(2026, 12, 4, 9), atlas_version=version,
    )  # fmt: skip


def test_released_view_files_never_change() -> None:
    index = json.loads((_folder() / "index.json").read_text(encoding="utf-8"))
    for name, digest in RELEASED.items():
        assert hashlib.sha256((_folder() / name).read_bytes()).hexdigest() == digest, name
        assert index["files"][name] == digest, name
    for name, digest in index["files"].items():  # the index's own record holds too
        assert hashlib.sha256((_folder() / name).read_bytes()).hexdigest() == digest, name
    listed = {n for entry in index["versions"].values() for n in entry["views"].values()}
    assert listed == set(index["files"])


def test_every_version_loads_and_the_current_is_the_newest() -> None:
    versions = atlas_versions()
    assert versions[0] == 1
    assert current_atlas_version() == max(versions) >= 2
    assert load_atlas() is load_atlas(current_atlas_version())
    for version in versions:
        atlas = load_atlas(version)
        assert atlas.version == version
        assert atlas.view_ids[:4] == CORE_VIEW_IDS
        assert all(view.atlas_version == version for view in atlas.views)
    assert load_atlas(1).view_ids == CORE_VIEW_IDS
    assert set(DETAIL_VIEWS) <= set(load_atlas().view_ids)


def test_a_chart_from_a_newer_app_says_so() -> None:
    with pytest.raises(AtlasError, match="newer than this copy of Massage Chart"):
        load_atlas(current_atlas_version() + 1)


def test_every_region_of_an_older_version_keeps_its_meaning_in_the_newest() -> None:
    newest = load_atlas()
    for version in atlas_versions()[:-1]:
        old = load_atlas(version)
        for view in old.views:
            for region in view.regions:
                now = newest.region(*region_in_version(view.id, region.id, version, newest))
                assert (now.stem, now.side) == (region.stem, region.side), region.id


def test_the_muscles_under_the_trapezius_move_to_the_deep_layer() -> None:
    """Version 3 draws the trapezius as one kite; the levator scapulae, rhomboids and
    supraspinatus it covers are charted on the posterior deep layer from then on."""
    v2, v3 = load_atlas(2), load_atlas(3)
    for stem in ("levator_scapulae", "rhomboid", "supraspinatus"):
        for side in ("l", "r"):
            region_id = f"{stem}.{side}"
            v2.region("posterior", region_id)
            assert region_in_version("posterior", region_id, 2, v3) == (
                "posterior_deep",
                region_id,
            )
            assert region_id not in {r.id for r in v3.regions("posterior")}
            assert (
                v3.region("posterior_deep", region_id).side
                == v2.region("posterior", region_id).side
            )
    assert region_in_version("posterior", "upper_trapezius.r", 1, v3) == (
        "posterior",
        "upper_trapezius.r",
    )


@pytest.mark.parametrize("version", atlas_versions()[:-1])
def test_every_mark_of_an_older_version_moves_onto_its_own_region(version: int) -> None:
    """A point at each region's inner point, the region covered whole, and a small area inside
    it: each lands on the same named region and side of the current atlas."""
    old, new = load_atlas(version), load_atlas()
    for view in old.views:
        for region in view.regions:
            x, y = region.inner_point
            d = 0.002
            for kind, points, whole in (
                (MarkKind.TRIGGER_POINT_ACTIVE, ((x, y),), False),
                (MarkKind.TREATED, ((x, y),), True),
                (MarkKind.HYPERTONICITY, ((x - d, y - d), (x + d, y - d), (x, y + d)), False),
            ):
                placed = locate(old, view.id, kind, points, whole_region=whole)
                mark = _mark(view.id, kind, points, version, whole=whole,
                             region=placed.region_id, side=placed.side)  # fmt: skip
                moved = move_to_atlas(mark, new)
                assert moved.atlas_version == new.version
                assert (moved.region_id, moved.side) == (region.id, region.side), region.id
                assert moved.view == region_in_version(view.id, region.id, version, new)[0]
                if kind.geometry is Geometry.POINT or whole:
                    assert new.region_at(moved.view, *moved.points[0]).id == region.id


def _changed_atlas(tmp_path: Path) -> tuple[Atlas, Atlas]:
    """Version 1 and a made-up version 2 in which the posterior view's right upper trapezius
    is drawn smaller and lower, and the rhomboid is renamed: what a redrawing does."""
    folder = tmp_path / "atlas"
    (folder / "v1").mkdir(parents=True)
    (folder / "v2").mkdir()
    views = {}
    for view_id in CORE_VIEW_IDS:
        shutil.copy(_folder() / "v1" / f"{view_id}.json", folder / "v1" / f"{view_id}.json")
        views[view_id] = f"v1/{view_id}.json"
    posterior = json.loads((_folder() / "v1" / "posterior.json").read_text(encoding="utf-8"))
    for region in posterior["regions"]:
        if region["id"] == "upper_trapezius.r":  # shrunk toward its inner point
            cx, cy = region["inner_point"]
            region["polygons"] = [
                [[[cx + (px - cx) * 0.6, cy + (py - cy) * 0.6 + 0.004] for px, py in ring]
                 for ring in polygon]
                for polygon in region["polygons"]
            ]  # fmt: skip
            region["inner_point"] = [cx, cy + 0.004]
        if region["id"].startswith("rhomboid."):
            region["id"] = region["id"].replace("rhomboid", "rhomboid_major_minor")
    (folder / "v2" / "posterior.json").write_text(json.dumps(posterior), encoding="utf-8")
    index = {
        "current": 2,
        "versions": {
            "1": {"views": views},
            "2": {
                "views": views | {"posterior": "v2/posterior.json"},
                "renamed": {"posterior": {"rhomboid.r": "rhomboid_major_minor.r",
                                          "rhomboid.l": "rhomboid_major_minor.l"}},
            },
        },
    }  # fmt: skip
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return load_atlas_from(folder, 1), load_atlas_from(folder, 2)


def test_a_redrawn_region_carries_its_marks_and_a_renamed_one_its_name(tmp_path: Path) -> None:
    old, new = _changed_atlas(tmp_path)
    trapezius = old.region("posterior", "upper_trapezius.r")
    # A point near the edge of the old outline, now outside the smaller one: still trapezius.
    x0, y0, x1, y1 = trapezius.bbox
    edge = next(
        (x, y)
        for x in (x0 + (x1 - x0) * t for t in (0.1, 0.15, 0.2, 0.8, 0.85, 0.9))
        for y in (y0 + (y1 - y0) * t for t in (0.2, 0.5, 0.8))
        if old.region_at("posterior", x, y) == trapezius
        and new.region_at("posterior", x, y) != new.region("posterior", "upper_trapezius.r")
    )
    mark = _mark("posterior", MarkKind.TRIGGER_POINT_ACTIVE, (edge,), 1,
                 region="upper_trapezius.r", side="right")  # fmt: skip
    moved = move_to_atlas(mark, new, source=old)
    assert (moved.region_id, moved.side, moved.atlas_version) == ("upper_trapezius.r", "right", 2)
    assert new.region_at("posterior", *moved.points[0]).id == "upper_trapezius.r"
    rhomboid = old.region("posterior", "rhomboid.l")
    mark = _mark("posterior", MarkKind.TENDER_POINT, (rhomboid.inner_point,), 1,
                 region="rhomboid.l", side="left")  # fmt: skip
    moved = move_to_atlas(mark, new, source=old)
    assert (moved.region_id, moved.side) == ("rhomboid_major_minor.l", "left")
    assert moved.points == mark.points  # its outline did not change: nor do its points


def test_a_mark_is_never_moved_back_to_an_older_atlas() -> None:
    mark = _mark("face", MarkKind.TENDER_POINT, ((0.5, 0.5),), current_atlas_version())
    with pytest.raises(AtlasError, match="cannot be moved back"):
        move_to_atlas(mark, load_atlas(1))


def test_a_chart_is_drawn_on_the_version_of_its_marks() -> None:
    old = _mark("anterior", MarkKind.TENDER_POINT, ((0.5, 0.5),), 1)
    assert chart_atlas([old]).version == 1
    assert chart_atlas([]).version == current_atlas_version()
    assert chart_atlas([old, dataclasses.replace(old, atlas_version=2)]).version == 2


@pytest.mark.parametrize("view_id", DETAIL_VIEWS)
def test_detail_views_say_the_client_s_side_and_pairs_mirror(view_id: str) -> None:
    view = load_atlas().view(view_id)
    sides = {region.side for region in view.regions}
    if "lateral" in view_id:
        side = "left" if "left" in view_id else "right"
        assert sides <= {side, "midline"}
        other_side = "right" if side == "left" else "left"
        mirrored = load_atlas().view(view_id.replace(side, other_side))
        for region in view.regions:
            other_id = region.id if region.side == "midline" else f"{region.stem}.{other_side[0]}"
            other = mirrored.region(other_id)
            assert other.bbox[0] == pytest.approx(1 - region.bbox[2], abs=1e-4), region.id
            assert other.bbox[1] == pytest.approx(region.bbox[1], abs=1e-4), region.id
        face = view.region("face_profile").inner_point[0]
        back = view.region(f"occipital.{side[0]}").inner_point[0]
        assert (face < back) == (side == "left"), "a left side view faces the viewer's left"
        return
    assert {"right", "left"} <= sides
    right_at_viewer_left = view.side_letters[0] == "R"
    for region in view.regions:
        x = region.inner_point[0]
        if region.side == "midline":
            assert region.contains(1 - x, region.inner_point[1])
            continue
        assert (x < 0.5) == ((region.side == "right") == right_at_viewer_left), region.id
        twin = view.region(f"{region.stem}.{'l' if region.side == 'right' else 'r'}")
        assert twin.bbox[0] == pytest.approx(1 - region.bbox[2], abs=1e-4), region.id
        assert twin.bbox[1] == pytest.approx(region.bbox[1], abs=1e-4), region.id


@pytest.mark.parametrize(
    ("view_id", "stem"),
    [
        ("face", "tmj"),
        ("head_left_lateral", "tmj"),
        ("head_left_lateral", "suboccipital"),
        ("face", "scalenes"),
        ("hands_palmar", "thumb"),
        ("hands_dorsal", "anatomical_snuffbox"),
        ("feet_plantar", "plantar_fascia"),
        ("feet_dorsal", "big_toe"),
    ],
)
def test_what_a_detail_view_is_for_can_be_charted(view_id: str, stem: str) -> None:
    """A TMJ, a thumb or a plantar fascia point: clicked at its region, named with the side."""
    atlas = load_atlas()
    for region in atlas.regions(view_id):
        if region.stem == stem:
            placed = locate(atlas, view_id, MarkKind.TRIGGER_POINT_ACTIVE, (region.inner_point,))
            assert placed.region == region
            assert placed.label.startswith(("R ", "L "))


def test_each_head_hand_and_foot_region_has_its_close_up() -> None:
    atlas = load_atlas()
    closer_of: dict[tuple[str, str], str] = {}
    for view_id in CORE_VIEW_IDS:
        for region in atlas.regions(view_id):
            closer = closer_view(view_id, region)
            if closer:
                assert closer in atlas.view_ids, (view_id, region.id)
                closer_of[(view_id, region.id)] = closer
    assert closer_of[("anterior", "masseter_tmj.r")] == "face"
    assert closer_of[("left_lateral", "masseter_tmj.l")] == "head_left_lateral"
    assert closer_of[("right_lateral", "face_profile")] == "head_right_lateral"
    assert closer_of[("posterior", "suboccipital.r")] == "head_right_lateral"
    assert closer_of[("anterior", "palm.l")] == "hands_palmar"
    assert closer_of[("posterior", "dorsal_hand.r")] == "hands_dorsal"
    assert closer_of[("posterior", "plantar_foot.l")] == "feet_plantar"
    assert closer_of[("anterior", "dorsal_foot.r")] == "feet_dorsal"
    assert ("anterior", "biceps.r") not in closer_of


@pytest.mark.parametrize("version", atlas_versions()[:-1])
def test_a_moved_mark_is_filed_where_its_points_place_it(version: int) -> None:
    """Every road locates a mark from its points again (a chart file import does): a moved area
    or stroke is filed under the region its points now lie in first, so a note signed after the
    move reads the same after an export and an import."""
    old, new = load_atlas(version), load_atlas()
    for view_id in ("anterior", "posterior", "left_lateral"):
        for region in old.regions(view_id):
            x, y = region.inner_point
            for kind, points in (
                (MarkKind.TREATED, ((x - 0.012, y - 0.01), (x + 0.012, y - 0.01), (x, y + 0.012))),
                (MarkKind.REFERRED_PAIN, ((x - 0.01, y), (x + 0.01, y + 0.005))),
            ):
                try:
                    placed = locate(old, view_id, kind, points)
                except PlacementError:
                    continue  # off the body at this size
                mark = _mark(view_id, kind, points, version,
                             region=placed.region_id, side=placed.side)  # fmt: skip
                moved = move_to_atlas(mark, new)
                again = locate(new, moved.view, kind, moved.points)
                assert (again.region_id, again.side) == (moved.region_id, moved.side), region.id


def test_a_version_that_moves_a_region_to_a_view_without_it_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "atlas"
    shutil.copytree(_folder(), folder)
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    index["versions"]["3"]["moved"]["posterior"]["rhomboid.r"] = "face"
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    with pytest.raises(AtlasError, match="does not hold it"):
        load_atlas_from(folder, 3)
