"""Safety alerts on the body, without a window: the regions an alert names, the warnings a mark
charted there raises, the areas to avoid proposed."""

from __future__ import annotations

from massage_chart.atlas import load_atlas
from massage_chart.domain.alert_areas import alert_regions, mark_warnings, proposed_avoid_areas
from massage_chart.domain.alerts import HealthSnapshot, assess_health
from massage_chart.domain.marks import MarkKind

ATLAS = load_atlas()


def test_a_dvt_calf_is_named_on_the_body_and_kept_off() -> None:
    alerts = assess_health(HealthSnapshot(conditions=("DVT left calf",)))
    regions = alert_regions(alerts, ATLAS)
    assert regions, "the calf is drawn on some view"
    view_id, region_ids = next(iter(regions.items()))
    region = ATLAS.region(view_id, region_ids[0])
    assert region.side == "left"
    warnings = mark_warnings(
        alerts, {}, kind=MarkKind.TREATED, region_id=region.id, side=region.side
    )
    assert any("keep off it" in message for _title, message in warnings)
    # An area to avoid there is what the alert asks for: no warning.
    assert mark_warnings(alerts, {}, kind=MarkKind.AVOID, region_id=region.id, side="left") == []
    # The other calf is not named.
    other = region.id[:-1] + "r" if region.id.endswith(".l") else region.id
    if other != region.id:
        assert not any(
            "keep off it" in m
            for _t, m in mark_warnings(
                alerts, {}, kind=MarkKind.TREATED, region_id=other, side="right"
            )
        )
    proposals = proposed_avoid_areas(alerts, ATLAS, avoided=[])
    assert {rid for _v, rid, _a in proposals} >= {region.id}
    assert proposed_avoid_areas(alerts, ATLAS, avoided=[r for _v, r, _a in proposals]) == []
