"""A plain snapshot of one visit for the documents, read in one short session (no ORM after)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage_chart.atlas import load_atlas
from massage_chart.domain.authorisation import Authorisation
from massage_chart.domain.client_file import ClaimInfo, ClientInfo, ReferralInfo
from massage_chart.domain.cpt import BillingEntry, compute_totals
from massage_chart.domain.marks import MARK_FIELDS, MarkData
from massage_chart.domain.measures import Goal, RangeOfMotion, Tolerance
from massage_chart.domain.outcomes import OutcomeChange
from massage_chart.domain.placement import placement_of
from massage_chart.domain.practice import PracticeInfo, ProviderInfo
from massage_chart.domain.record_kinds import UnitRule, VisitStatus
from massage_chart.storage.audit_checkpoints import printed_checkpoint
from massage_chart.storage.claim_counts import visit_authorisation
from massage_chart.storage.mapping import (
    claim_info_of,
    client_info_of,
    practice_info_of,
    provider_info_of,
    readable_entries,
    referral_info_of,
    visit_record_of,
)
from massage_chart.storage.marks import mark_data
from massage_chart.storage.models import Visit, utc_now
from massage_chart.storage.outcomes import outcome_changes
from massage_chart.storage.pain_maps import PainMapEntry, pain_maps_on_file
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.seals import visit_integrity
from massage_chart.storage.signing import visit_text_form


@dataclass(frozen=True)
class DiagnosisInfo:
    """One ICD-10-CM code with its official description (None when the code is unknown)."""

    code: str
    description: str | None


@dataclass(frozen=True)
class BillingInfo:
    """One CPT line."""

    cpt: str
    minutes: int
    units: int
    modifiers: tuple[str, ...]
    pointers: tuple[int, ...]


@dataclass(frozen=True)
class MarkInfo(MarkData):
    """One charted mark as the documents print it: the mark, numbered and located.

    Attributes:
        number: 1-based, in atlas view order, then charting order.
        location: the regions it lies on ("R upper trapezius and R rhomboid"), or where it lies
            off the body.
    """

    number: int = 0
    location: str = ""


@dataclass(frozen=True)
class AddendumInfo:
    """A dated correction after signing."""

    created_at: dt.datetime
    author: str
    reason: str
    text: str
    content_hash: str | None
    intact: bool = True  # still as written: its hash and its seal hold


@dataclass(frozen=True)
class ImportedInfo:
    """Where a note signed in another system came from, and how its seal arrived."""

    source: str
    imported_at: dt.datetime | None
    imported_by: str
    seal: str | None  # "carried", "mismatch" or "added" (see the Visit model)


@dataclass(frozen=True)
class VisitSnapshot:
    """Everything the SOAP note and the client summary print about one visit.

    Attributes:
        integrity_ok: for a signed visit, whether it still matches its content hash and that hash
            its keyed seal (``seals.visit_integrity``); None for a draft.
        integrity_problems: what is wrong with the note or its addenda, in words.
        seal_note: said when a seal was made with a key this computer does not hold.
        health_update, subjective, assessment, plan: as printed: the stop/refer overrides as
            lines after the health update, each section's sub-fields as "Label: value" lines
            before its free text.
        next_visit: the client's next booked visit after this one (and after now), if any.
        authorisation: the visit's number on its claim, the visits authorised, the referral's
            expiry and the progress-report cycle (None off any claim or referral).
        range_of_motion, tolerances, goals: as recorded at this visit.
        earlier_rom, earlier_tolerances: those of the client's latest earlier signed visit that
            recorded any (signed, so a printed note never changes with a draft), and its day.
        outcomes: each outcome measure's first score and its latest by the visit's day (for a
            signed note, as on file when it was signed); ``outcomes_corrected_since`` says a
            score counted has been corrected since.
        pain_maps: the client's own first pain map and the latest by the visit's day (one when
            they are the same), as on file when a signed note was signed;
            ``pain_maps_corrected_since`` says one of them has been corrected since.
        audit_checkpoint: the audit log's head when the snapshot was read ("1234:3f9a2c1e5b7d"),
            printed so a page can later be held against the log.
        cosigned_student: the student who wrote a note its supervising therapist co-signed
            (the note's provider; the signer is the supervisor).
        timed_minutes, treatment_minutes: from the billing lines (DOMAIN.md §1.1); treatment
            minutes fall back to time in to time out when no line records minutes.
    """

    id: str
    practice: PracticeInfo
    client: ClientInfo
    provider: ProviderInfo | None
    signer: ProviderInfo | None
    claim: ClaimInfo | None
    referral: ReferralInfo | None
    start: dt.datetime
    end: dt.datetime | None
    signed: bool
    signed_at: dt.datetime | None
    content_hash: str | None
    current_hash: str | None
    integrity_ok: bool | None
    chief_complaint: str
    health_update: str
    subjective: str
    objective: str
    assessment: str
    plan: str
    pain_before: int | None
    pain_after: int | None
    techniques: tuple[str, ...]
    pressure: int | None
    positioning: str
    diagnoses: tuple[DiagnosisInfo, ...]
    billing: tuple[BillingInfo, ...]
    timed_minutes: int
    treatment_minutes: int | None
    marks: tuple[MarkInfo, ...] = ()
    addenda: tuple[AddendumInfo, ...] = ()
    next_visit: dt.datetime | None = None
    imported: ImportedInfo | None = None
    authorisation: Authorisation | None = None
    range_of_motion: tuple[RangeOfMotion, ...] = ()
    tolerances: tuple[Tolerance, ...] = ()
    goals: tuple[Goal, ...] = ()
    earlier_rom: tuple[RangeOfMotion, ...] = ()
    earlier_rom_day: dt.date | None = None
    earlier_tolerances: tuple[Tolerance, ...] = ()
    earlier_tolerances_day: dt.date | None = None
    outcomes: tuple[OutcomeChange, ...] = ()
    outcomes_corrected_since: bool = False
    pain_maps: tuple[PainMapEntry, ...] = ()
    pain_maps_corrected_since: bool = False
    cosigned_student: ProviderInfo | None = None
    audit_checkpoint: str | None = None
    integrity_problems: tuple[str, ...] = ()
    seal_note: str = ""

    @property
    def integrity_failed(self) -> bool:
        """A signed note that, or one of whose addenda, can no longer be relied on."""
        return self.signed and (self.integrity_ok is False or bool(self.integrity_problems))

    unit_rule: UnitRule = UnitRule.CMS

    @property
    def duration_minutes(self) -> int | None:
        """Minutes from time in to time out."""
        if self.end is None:
            return None
        return int((self.end - self.start).total_seconds() // 60)


def _describe(code: str) -> str | None:
    from massage_chart.domain.icd10 import describe

    try:
        return describe(code)
    except Exception:  # a code-set problem must not stop a note printing; it says "not found"
        return None


def _marks(visit: Visit) -> tuple[MarkInfo, ...]:
    atlas = load_atlas()
    order = {view_id: index for index, view_id in enumerate(atlas.view_ids)}
    rows = sorted(visit.marks, key=lambda m: (order.get(m.view, 99), m.created_at, m.id))
    marks: list[MarkInfo] = []
    for number, row in enumerate(rows, start=1):
        try:
            mark = mark_data(row)
        except ValueError:  # a kind a newer version charted: not printed, numbers kept
            continue
        location = placement_of(atlas, mark).label or mark.region_id or "outside the body outline"
        fields = {name: getattr(mark, name) for name in MARK_FIELDS}
        marks.append(MarkInfo(**fields, number=number, location=location))
    return tuple(marks)


def load_visit_snapshot(session: Session, visit_id: str) -> VisitSnapshot:
    """Read one visit and everything its documents print.

    Raises:
        NotFoundError: no visit has that id.
    """
    from massage_chart.storage.repositories import get_practice

    visit = get_visit(session, visit_id)
    client = visit.client
    practice = get_practice(session)
    claim = visit.claim
    referral = visit.referral
    lines = sorted(visit.billing_lines, key=lambda line: line.position)
    unit_rule = claim.unit_rule if claim else (practice.default_unit_rule if practice else None)
    totals = compute_totals(
        [BillingEntry(cpt=line.cpt, minutes=line.minutes) for line in lines],
        unit_rule or UnitRule.CMS,
    )
    treatment: int | None = totals.treatment_minutes or visit.duration_minutes
    signed = visit.status is VisitStatus.SIGNED
    printed = visit_text_form(visit)
    now = utc_now()
    after = max(visit.end or visit.start, now)
    next_visit = session.scalar(
        select(Visit.start)
        .where(Visit.client_id == client.id, Visit.start > after, Visit.id != visit.id)
        .order_by(Visit.start)
        .limit(1)
    )
    record = visit_record_of(visit)
    integrity = visit_integrity(session, visit)
    outcomes, corrected = outcome_changes(
        session, visit.client_id, visit.start.date(), visit.signed_at if signed else None
    )
    pain_maps, maps_corrected = pain_maps_on_file(
        session, visit.client_id, visit.start.date(), visit.signed_at if signed else None
    )
    earlier_rom, rom_day = _earlier_measures(session, visit, "range_of_motion")
    earlier_tolerances, tolerance_day = _earlier_measures(session, visit, "tolerances")
    return VisitSnapshot(
        id=visit.id,
        practice=practice_info_of(practice) if practice else PracticeInfo(),
        client=client_info_of(client),
        provider=provider_info_of(visit.provider) if visit.provider else None,
        signer=provider_info_of(visit.signed_by) if visit.signed_by else None,
        claim=claim_info_of(claim) if claim else None,
        referral=referral_info_of(referral) if referral else None,
        start=visit.start,
        end=visit.end,
        signed=signed,
        signed_at=visit.signed_at,
        content_hash=visit.content_hash,
        current_hash=integrity.current_hash if integrity else None,
        integrity_ok=integrity.note_ok if integrity else None,
        integrity_problems=tuple(integrity.problems()) if integrity else (),
        seal_note=integrity.uncheckable_words() if integrity else "",
        chief_complaint=visit.chief_complaint,
        health_update=printed["health_update"],
        subjective=printed["subjective"],
        objective=visit.objective,
        assessment=printed["assessment"],
        plan=printed["plan"],
        pain_before=visit.pain_before,
        pain_after=visit.pain_after,
        techniques=tuple(str(t) for t in visit.techniques or ()),
        pressure=visit.pressure,
        positioning=visit.positioning,
        diagnoses=tuple(
            DiagnosisInfo(str(code), _describe(str(code))) for code in visit.icd10_codes or ()
        ),
        billing=tuple(
            BillingInfo(
                cpt=line.cpt,
                minutes=line.minutes,
                units=line.units,
                modifiers=tuple(str(m) for m in line.modifiers or ()),
                pointers=tuple(int(p) for p in line.diagnosis_pointers or ()),
            )
            for line in lines
        ),
        timed_minutes=totals.timed_minutes,
        treatment_minutes=treatment,
        marks=_marks(visit),
        addenda=tuple(
            AddendumInfo(
                created_at=a.created_at,
                author=a.author.display_name if a.author else "",
                reason=a.reason,
                text=a.text,
                content_hash=a.content_hash,
                intact=integrity is None or a.created_at not in integrity.broken_addenda,
            )
            for a in sorted(visit.addenda, key=lambda a: a.created_at)
        ),
        next_visit=next_visit,
        imported=ImportedInfo(
            source=visit.imported_from,
            imported_at=visit.imported_at,
            imported_by=visit.imported_by or "",
            seal=visit.imported_seal,
        )
        if visit.imported_from
        else None,
        authorisation=visit_authorisation(session, visit),
        range_of_motion=record.range_of_motion,
        tolerances=record.tolerances,
        goals=record.goals,
        earlier_rom=earlier_rom,
        earlier_rom_day=rom_day,
        earlier_tolerances=earlier_tolerances,
        earlier_tolerances_day=tolerance_day,
        outcomes=tuple(outcomes),
        outcomes_corrected_since=corrected,
        pain_maps=pain_maps,
        pain_maps_corrected_since=maps_corrected,
        audit_checkpoint=printed_checkpoint(session),
        cosigned_student=(
            provider_info_of(visit.provider)
            if signed
            and visit.provider is not None
            and visit.supervisor_id is not None
            and visit.signed_by_id == visit.supervisor_id != visit.provider_id
            else None
        ),
        unit_rule=unit_rule or UnitRule.CMS,
    )


def _earlier_measures(
    session: Session, visit: Visit, name: str
) -> tuple[tuple[Any, ...], dt.date | None]:
    """A structured list of the client's latest earlier signed visit that holds entries."""
    rows = session.execute(
        select(getattr(Visit, name), Visit.start)
        .where(
            Visit.client_id == visit.client_id,
            Visit.start < visit.start,
            Visit.status == VisitStatus.SIGNED,
        )
        .order_by(Visit.start.desc())
        .limit(60)
    )
    for stored, start in rows:
        entries = readable_entries(name, stored)
        if entries:
            return entries, start.date()
    return (), None
