"""A stroke or an area across several regions is named after all it covers, and the safety rules
check every region it touches, on every road (chart, note, documents)."""

from __future__ import annotations

import datetime as dt

from massage_chart.atlas import load_atlas
from massage_chart.domain.alert_areas import mark_warnings, placed_mark_warnings
from massage_chart.domain.alerts import HealthSnapshot, assess_health, treatment_plan_warnings
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.marks import MarkData, MarkKind, Side
from massage_chart.domain.placement import MIN_SHARE, join_names, locate, placement_of

ATLAS = load_atlas()
TODAY = dt.date(2026, 12, 3)
#: A treated area painted across the right shoulder blade: infraspinatus, the trapezius...
ACROSS_BACK = ((0.52, 0.17), (0.62, 0.17), (0.62, 0.25), (0.52, 0.25))
#: An area on the left hamstring whose lower edge reaches the calf.
THIGH_TO_CALF = ((0.40, 0.60), (0.46, 0.60), (0.46, 0.72), (0.40, 0.72))


def _mark(points: tuple[tuple[float, float], ...], **fields: object) -> MarkData:
    whole = bool(fields.get("whole_region"))
    placed = locate(ATLAS, "posterior", MarkKind.TREATED, points, whole_region=whole)
    return MarkData(
        id="m1",
        visit_id="v1",
        kind=MarkKind.TREATED,
        view="posterior",
        points=points,
        region_id=placed.region_id,
        side=placed.side,
        created_at=dt.datetime(2026, 12, 3, 10),
        **fields,  # type: ignore[arg-type]
    )


def test_an_area_across_muscles_is_named_after_each_it_covers() -> None:
    placed = locate(ATLAS, "posterior", MarkKind.TREATED, ACROSS_BACK)
    shares = [share for _, share in placed.covered]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0
    names = [region.label for region in placed.regions]
    assert len(names) >= 3 and names[0] == placed.region.label  # type: ignore[union-attr]
    assert "R lower trapezius" in names
    assert all(
        share >= MIN_SHARE for region, share in placed.covered if region in placed.regions[1:]
    )
    assert placed.label == join_names(names) and " and " in placed.label


def test_a_point_and_a_whole_region_name_one_region() -> None:
    point = locate(ATLAS, "posterior", MarkKind.PAIN, [ACROSS_BACK[0]])
    assert len(point.regions) == 1
    whole = _mark(ACROSS_BACK[:1], whole_region=True)
    assert placement_of(ATLAS, whole).label == ATLAS.region("posterior", whole.region_id).label  # type: ignore[arg-type]


def test_the_stored_region_comes_first_and_an_unknown_view_keeps_it() -> None:
    mark = _mark(ACROSS_BACK)
    assert placement_of(ATLAS, mark).regions[0].id == mark.region_id
    gone = mark.replace(view="dorsal", region_id="rhomboid.r")
    assert placement_of(ATLAS, gone).label == ""  # no such view: nothing to name it by
    off = mark.replace(region_id=None, points=((0.02, 0.02), (0.05, 0.02), (0.05, 0.05)))
    assert placement_of(ATLAS, off).label == ""


def test_the_alerts_check_every_region_an_area_touches() -> None:
    alerts = assess_health(HealthSnapshot(conditions=("history of DVT left calf",)), today=TODAY)
    mark = _mark(THIGH_TO_CALF, pressure=4)
    assert mark.region_id == "medial_hamstring.l"  # filed under the thigh
    filed_only = mark_warnings(
        alerts, {}, kind=mark.kind, region_id=mark.region_id, side=mark.side, pressure=4
    )
    assert filed_only == []
    (warning,) = placed_mark_warnings(alerts, {}, ATLAS, mark)
    assert "left calf" in warning[1]

    finding = MarkFinding(
        MarkKind.TREATED,
        "medial_hamstring.l",
        side=Side.LEFT,
        pressure=4,
        other_regions=(("gastrocnemius_medial.l", Side.LEFT),),
    )
    assert any(
        "left calf" in w.message for w in treatment_plan_warnings(alerts, findings=[finding])
    )


def test_where_a_mark_lies_is_worked_out_once_per_view_and_points(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import massage_chart.domain.placement as placement

    worked: list[tuple[object, ...]] = []
    real = placement.locate

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        worked.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(placement, "locate", counted)
    # Points of their own, so no earlier test has placed them on this (cached) atlas.
    points = ((0.5301, 0.171), (0.6201, 0.171), (0.6201, 0.2501), (0.5301, 0.2501))
    mark = _mark(points).replace(atlas_version=ATLAS.version)
    first = placement_of(ATLAS, mark)
    assert len(worked) == 1
    assert placement_of(ATLAS, mark.replace(id="m2", note="again")) == first
    assert len(worked) == 1  # the same area elsewhere: not worked out again
    assert first.covered == real(ATLAS, "posterior", MarkKind.TREATED, points).covered
    moved = mark.replace(points=(*points[:3], (0.5302, 0.2501)))
    assert placement_of(ATLAS, moved).region == first.region
    assert len(worked) == 2  # other points: worked out for them
    stroke = mark.replace(kind=MarkKind.SCAR, points=points[:2])
    placement_of(ATLAS, stroke)
    assert len(worked) == 3
    bent = mark.replace(points=((0.5, 0.2, 0.1),))  # type: ignore[arg-type]
    assert placement_of(ATLAS, bent).region == first.region  # named by its stored region
