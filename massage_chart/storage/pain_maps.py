"""The client's own pain maps on file: recorded as marked, corrected by replacement, read as scores.

Every road records through ``record_pain_map`` (the client's screen in the window, a paper map
typed in, a chart file), which checks the marks and answers by one rule (``pain_map_problem``)
and writes an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from massage_chart.atlas import load_atlas
from massage_chart.domain import limits
from massage_chart.domain.atlas import Region
from massage_chart.domain.atlas_moves import chart_atlas
from massage_chart.domain.pain_extent import clinician_pain_extent
from massage_chart.domain.pain_map import (
    Area,
    PainMapError,
    PainMapScore,
    Symptoms,
    clinician_wpi_areas,
    instrument,
    parse_region_keys,
    score_pain_map,
    symptoms_problem,
)
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage import audit
from massage_chart.storage.marks import mark_data
from massage_chart.storage.models import PainMapRecord, Visit
from massage_chart.storage.outcomes import SOURCES, as_on_file, replacement_problem
from massage_chart.storage.repositories import get_client, get_visit


@dataclass(frozen=True)
class PainMapEntry:
    """One pain map on file, scored from what was marked and answered.

    Attributes:
        regions: the atlas regions the client marked, front and back views.
        replaces_id: the earlier map this one corrects, if any.
    """

    id: str
    client_id: str
    visit_id: str | None
    regions: tuple[Region, ...]
    symptoms: Symptoms | None
    three_months: bool | None
    source: str
    taken_on: dt.date
    recorded_at: dt.datetime
    map_version: int
    replaces_id: str | None
    reason: str
    unreadable: tuple[str, ...] = ()
    """What on file could not be read (a place this atlas does not have, a symptom answer out
    of range): changed outside the app. Scored without it, and said wherever it is shown."""

    @cached_property
    def score(self) -> PainMapScore:
        """The WPI (and SSS, criteria) by the ACR 2016 rules, and the client's pain extent
        (computed once per entry: the table, the chart and the PDFs each read it)."""
        return score_pain_map(load_atlas(), self.regions, self.symptoms, self.three_months)


def pain_map_entry(row: PainMapRecord) -> PainMapEntry:
    """A row as the app reads it; what cannot be read is kept aside, never raised, so one map
    changed outside the app does not stop the client's record from opening."""
    atlas = load_atlas()
    regions: list[Region] = []
    unreadable: list[str] = []
    for key in row.regions if isinstance(row.regions, list) else [row.regions]:
        try:
            regions.extend(parse_region_keys(atlas, [key]))
        except PainMapError:
            unreadable.append(f"place {key!r}")
    symptoms = None
    if row.symptoms is not None:
        try:
            symptoms = Symptoms.from_json(row.symptoms)
        except PainMapError as exc:
            unreadable.append(f"symptoms ({exc})")
    return PainMapEntry(
        id=row.id,
        client_id=row.client_id,
        visit_id=row.visit_id,
        regions=tuple(dict.fromkeys(regions)),
        symptoms=symptoms,
        three_months=row.three_months if isinstance(row.three_months, bool) else None,
        source=row.source,
        taken_on=row.taken_on,
        recorded_at=row.recorded_at,
        map_version=row.map_version,
        replaces_id=row.replaces_id,
        reason=row.reason,
        unreadable=tuple(unreadable),
    )


def pain_map_problem(
    regions: Sequence[str],
    symptoms: Mapping[str, Any] | None,
    three_months: bool | None,
    source: str,
    reason: str = "",
) -> str:
    """What is wrong with a pain map in words, or "" when it can be filed.

    The one check of every road in: the client's screen, paper typed in, a chart file. A map
    with no place marked is a valid answer (no pain in the past week).
    """
    if isinstance(regions, str) or not isinstance(regions, Sequence):
        return "The marked places are not a list."
    try:
        parse_region_keys(load_atlas(), regions)
    except PainMapError as exc:
        return str(exc)
    if symptoms is not None:
        problem = symptoms_problem(symptoms)
        if problem:
            return problem
    if three_months is not None and not isinstance(three_months, bool):
        return "Whether the symptoms have lasted 3 months is yes or no."
    if source not in SOURCES:
        return f"Say how the pain map was given ({', '.join(SOURCES)})."
    return limits.fields_problem(limits.OUTCOME, {"reason": reason.strip()}) or ""


def record_pain_map(
    session: Session,
    client_id: str,
    regions: Sequence[str],
    *,
    taken_on: dt.date,
    source: str,
    symptoms: Mapping[str, Any] | None = None,
    three_months: bool | None = None,
    visit_id: str | None = None,
    recorded_by_id: str | None = None,
    replaces_id: str | None = None,
    reason: str = "",
    recorded_at: dt.datetime | None = None,
) -> PainMapEntry:
    """Check and file one pain map, and audit it, in the caller's write session.

    Args:
        regions: the marked places as "view:region" keys of the front and back views.
        symptoms: the symptom scale's six answers, or None when it was not asked.
        recorded_at: when it was filed (UTC; now when None), for a map taken down earlier.

    Raises:
        PainMapError: a place that is not on the front or back view, a symptom answer missing or
            out of range, an unknown source, a correction without its reason or of a map
            already corrected, a visit of another client.
        NotFoundError: no client, visit or replaced map has that id.
    """
    problem = pain_map_problem(regions, symptoms, three_months, source, reason)
    if problem:
        raise PainMapError(problem)
    client = get_client(session, client_id)
    if visit_id is not None and get_visit(session, visit_id).client_id != client_id:
        raise PainMapError("That visit is another client's.")
    problem = replacement_problem(session, PainMapRecord, client_id, replaces_id, reason)
    if problem:
        raise PainMapError(problem.replace("record", "pain map"))
    chosen = instrument()
    row = PainMapRecord(
        client_id=client.id,
        visit_id=visit_id,
        instrument=chosen.code,
        instrument_version=chosen.version,
        map_version=chosen.map_version,
        regions=list(regions),
        symptoms=dict(symptoms) if symptoms is not None else None,
        three_months=three_months,
        source=source,
        taken_on=taken_on,
        recorded_by_id=recorded_by_id,
        replaces_id=replaces_id,
        reason=reason.strip(),
    )
    if recorded_at is not None:
        row.recorded_at = recorded_at
    session.add(row)
    session.flush()
    entry = pain_map_entry(row)
    what = "corrected" if replaces_id else "recorded"
    audit.record(
        session,
        audit.AuditAction.CREATE,
        actor=recorded_by_id,
        client_id=client.id,
        visit_id=visit_id,
        detail=(
            f"pain map {chosen.code} v{chosen.version} (table v{chosen.map_version}) {what}: "
            f"{entry.score.summary()} ({SOURCES[source]})"
        ),
    )
    return entry


def list_pain_maps(
    session: Session, client_id: str, *, include_replaced: bool = False
) -> list[PainMapEntry]:
    """A client's pain maps, oldest first (by the day taken, then when recorded).

    Maps that a correction replaced are left out unless ``include_replaced``.
    """
    query = (
        select(PainMapRecord)
        .where(PainMapRecord.client_id == client_id)
        .order_by(PainMapRecord.taken_on, PainMapRecord.recorded_at)
    )
    rows = list(session.scalars(query))
    if not include_replaced:
        replaced = {row.replaces_id for row in rows if row.replaces_id}
        rows = [row for row in rows if row.id not in replaced]
    return [pain_map_entry(row) for row in rows]


@dataclass(frozen=True)
class ClinicianExtent:
    """The therapist's pain findings of one visit, as pain extent and WPI areas: a clinician
    finding from palpation, shown apart from the client's self-report and never as its score."""

    visit_id: str
    start: dt.datetime
    signed: bool
    extent: float
    areas: tuple[Area, ...]


def clinician_extents(
    session: Session, client_id: str, *, signed_only: bool = True
) -> list[ClinicianExtent]:
    """Per visit, oldest first: the share of the front and back the therapist found painful and
    the WPI areas holding those findings (signed visits only unless asked)."""
    query = (
        select(Visit)
        .where(Visit.client_id == client_id)
        .order_by(Visit.start, Visit.id)
        .options(selectinload(Visit.marks))
    )
    if signed_only:
        query = query.where(Visit.status == VisitStatus.SIGNED)
    points = []
    for visit in session.scalars(query):
        marks = [mark_data(mark) for mark in visit.marks]
        atlas = chart_atlas(marks)  # measured on the geometry it was charted on
        points.append(
            ClinicianExtent(
                visit.id,
                visit.start,
                visit.status is VisitStatus.SIGNED,
                clinician_pain_extent(atlas, marks),
                clinician_wpi_areas(atlas, marks),
            )
        )
    return points


def pain_maps_on_file(
    session: Session, client_id: str, day: dt.date, signed_at: dt.datetime | None
) -> tuple[tuple[PainMapEntry, ...], bool]:
    """The client's first pain map and the latest taken by ``day`` (one when they are the same),
    as on file when a note was signed (``signed_at``; now when None), so a printed note never
    changes; and whether a map it counts has been corrected since."""
    counted, corrected = as_on_file(
        list_pain_maps(session, client_id, include_replaced=True), day, signed_at
    )
    if not counted:
        return (), corrected
    first, latest = counted[0], counted[-1]
    return ((first,) if first is latest else (first, latest)), corrected
