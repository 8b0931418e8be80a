"""Safety alerts on the body: which regions an alert names, what a mark charted goes against,
and which areas to avoid to propose. The chart window draws and says these; they are rules,
kept here beside the alerts themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from massage_chart.domain.alerts import Alert, AlertTier, WarningLevel, check_treatment
from massage_chart.domain.atlas import Atlas
from massage_chart.domain.marks import MarkData, MarkKind, Side
from massage_chart.domain.placement import placement_of

#: Tiers whose body part is drawn on the map and proposed as areas to avoid.
AREA_TIERS = frozenset({AlertTier.STOP_REFER, AlertTier.LOCAL_AVOID})
#: Where an alert's region is proposed when it shows on several views.
VIEW_ORDER = ("anterior", "posterior", "left_lateral", "right_lateral")


def mark_warnings(
    alerts: Sequence[Alert],
    overrides: Mapping[str, str],
    *,
    kind: MarkKind,
    region_id: str | None,
    side: str | None,
    technique: str = "",
    pressure: int | None = None,
) -> list[tuple[str, str]]:
    """What a mark goes against: pressure over a cap, deep or trigger-point work where an alert
    cautions against it, work on an area an alert names (a recent surgery site, a DVT calf).

    Returns (alert title, message) pairs, each once.
    """
    placed_side = Side(side) if side in {s.value for s in Side} else None
    region_id = region_id or ""
    found = [
        (warning.alert.title, warning.message)
        for warning in check_treatment(
            alerts,
            kind=kind,
            technique=technique,
            pressure=pressure,
            region_id=region_id,
            side=placed_side,
            overrides=overrides,
        )
        if warning.level is not WarningLevel.BLOCK
    ]
    if region_id and kind is not MarkKind.AVOID:
        # A stop/refer alert's body part stays one to keep off once charting may go on.
        for alert in alerts:
            if alert.needs_override and alert.stems and alert.covers(region_id, placed_side):
                found.append(
                    (alert.title, f"{alert.title}: this is the {alert.body_part}; keep off it.")
                )
    return list(dict.fromkeys(found))


def placed_mark_warnings(
    alerts: Sequence[Alert], overrides: Mapping[str, str], atlas: Atlas, mark: MarkData
) -> list[tuple[str, str]]:
    """What a charted mark goes against on every region it touches, however little (an area on
    the thigh that reaches the calf is checked against a DVT calf), each once."""
    placement = placement_of(atlas, mark)
    touched = [placement.region] if placement.region is not None else []
    touched += [region for region, _ in placement.covered if region not in touched]
    spots: list[tuple[str | None, str | None]] = [(r.id, r.side) for r in touched]
    found: list[tuple[str, str]] = []
    for region_id, side in spots or [(mark.region_id, mark.side)]:
        found += mark_warnings(
            alerts,
            overrides,
            kind=mark.kind,
            region_id=region_id,
            side=side,
            technique=mark.technique,
            pressure=mark.pressure,
        )
    return list(dict.fromkeys(found))


def alert_regions(alerts: Iterable[Alert], atlas: Atlas) -> dict[str, list[str]]:
    """Per view, the regions named by stop/refer and area-to-avoid alerts, and by deep-tissue
    cautions about one side's body part (a DVT history in the left calf; not "legs")."""
    linked = [
        a
        for a in alerts
        if a.stems
        and (
            a.tier in AREA_TIERS or (a.tier is AlertTier.DEEP_TISSUE_CAUTION and a.side is not None)
        )
    ]
    found: dict[str, list[str]] = {}
    for view in atlas.views:
        ids = {rid for alert in linked for rid in alert.region_ids(r.id for r in view.regions)}
        if ids:
            found[view.id] = sorted(ids)
    return found


def proposed_avoid_areas(
    alerts: Iterable[Alert], atlas: Atlas, avoided: Iterable[str]
) -> list[tuple[str, str, Alert]]:
    """(view, region, alert) for each region an alert names and no area to avoid covers yet.

    A region shown on several views is proposed once, on the first of ``VIEW_ORDER``.
    """
    taken = set(avoided)
    proposals: list[tuple[str, str, Alert]] = []
    views = sorted(atlas.views, key=lambda v: VIEW_ORDER.index(v.id) if v.id in VIEW_ORDER else 9)
    for alert in alerts:
        if alert.tier not in AREA_TIERS or not alert.stems:
            continue
        for view in views:
            for region_id in alert.region_ids(r.id for r in view.regions):
                if region_id not in taken:
                    taken.add(region_id)
                    proposals.append((view.id, region_id, alert))
    return proposals
