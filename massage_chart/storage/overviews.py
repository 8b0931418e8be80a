"""What the windows read about a client or a visit, each in one short session, as plain values
(no ORM object leaves this module; pure Python, no Qt)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from massage_chart.domain.alerts import HealthSnapshot
from massage_chart.domain.authorisation import Authorisation
from massage_chart.domain.client_file import ClaimInfo, ClientFile, ClientInfo, ReferralInfo
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.practice import ProviderInfo
from massage_chart.domain.presentation import format_date, format_time, format_time_span
from massage_chart.domain.record_kinds import PayerType, UnitRule, VisitStatus
from massage_chart.storage.claim_counts import visit_authorisation
from massage_chart.storage.client_records import (
    BillingLineData,
    billing_line_data,
    health_snapshot,
    is_student_provider,
    note_fields,
    previous_visit_findings,
    supervisors,
    visit_findings,
    visit_unit_rule,
)
from massage_chart.storage.database import Database
from massage_chart.storage.mapping import (
    claim_info_of,
    client_file_of,
    client_info_of,
    provider_info_of,
    referral_info_of,
)
from massage_chart.storage.repositories import (
    get_client,
    get_visit,
    get_visit_row,
    health_history_versions,
    list_providers,
)
from massage_chart.storage.seals import visit_integrity
from massage_chart.storage.signing import visit_text_form


@dataclass(frozen=True)
class ClientOverview:
    """The head of a client's page: who the client is, the open claim and the latest referral."""

    client: ClientInfo
    claim: ClaimInfo | None
    referral: ReferralInfo | None


def load_client_overview(session: Session, client_id: str) -> ClientOverview:
    """Read the head of one client's page.

    Raises:
        NotFoundError: the client does not exist (any more).
    """
    client = get_client(session, client_id)
    active = [c for c in client.claims if c.active]
    return ClientOverview(
        client=client_info_of(client),
        claim=claim_info_of(active[-1]) if active else None,
        referral=referral_info_of(client.referrals[-1]) if client.referrals else None,
    )


def load_client_file(session: Session, client_id: str) -> ClientFile:
    """Read a client's whole record: details, health history versions (newest first), claims,
    referrals and consents.

    Raises:
        NotFoundError: the client does not exist (any more).
    """
    client = get_client(session, client_id)
    return client_file_of(client, health_history_versions(session, client_id))


@dataclass(frozen=True)
class AddendumText:
    """A correction or late entry after signing."""

    written_at: dt.datetime
    author: str
    reason: str
    text: str


@dataclass(frozen=True)
class VisitNote:
    """Everything the read-only note shows, read in one session."""

    id: str
    client_id: str
    client_name: str
    start: dt.datetime
    end: dt.datetime | None
    provider_name: str
    status: VisitStatus
    signed_at: dt.datetime | None
    signed_by: str
    chief_complaint: str
    health_update: str
    subjective: str
    objective: str
    assessment: str
    plan: str
    pain_before: int | None
    pain_after: int | None
    techniques: tuple[str, ...]
    positioning: str
    icd10_codes: tuple[str, ...]
    mark_count: int
    addenda: tuple[AddendumText, ...]
    integrity_problems: tuple[str, ...] = ()
    """What is wrong with a signed note or its addenda (``seals.visit_integrity``), in words."""
    seal_note: str = ""
    """Said when a seal was made with a key this computer does not hold."""

    @property
    def title(self) -> str:
        """Who and when: "Zoë Nguyễn — 23 Nov 2026, 09:30–10:30"."""
        times = format_time_span(self.start, self.end) if self.end else format_time(self.start)
        return f"{self.client_name} — {format_date(self.start.date())}, {times}"


def load_visit_note(session: Session, visit_id: str) -> VisitNote:
    """Read one visit for the read-only view.

    Raises:
        NotFoundError: the visit does not exist (any more).
    """
    visit = get_visit(session, visit_id)
    printed = visit_text_form(visit)  # sub-fields and overrides as lines of their sections
    integrity = visit_integrity(session, visit)
    return VisitNote(
        id=visit.id,
        client_id=visit.client_id,
        client_name=visit.client.full_name,
        start=visit.start,
        end=visit.end,
        provider_name=visit.provider.display_name if visit.provider else "",
        status=visit.status,
        signed_at=visit.signed_at,
        signed_by=visit.signed_by.display_name if visit.signed_by else "",
        chief_complaint=visit.chief_complaint,
        health_update=printed["health_update"],
        subjective=printed["subjective"],
        objective=visit.objective,
        assessment=printed["assessment"],
        plan=printed["plan"],
        pain_before=visit.pain_before,
        pain_after=visit.pain_after,
        techniques=tuple(str(t) for t in visit.techniques or ()),
        positioning=visit.positioning,
        icd10_codes=tuple(str(c) for c in visit.icd10_codes or ()),
        mark_count=len(visit.marks),
        addenda=tuple(
            AddendumText(
                written_at=a.created_at,
                author=a.author.display_name if a.author else "",
                reason=a.reason,
                text=a.text,
            )
            for a in visit.addenda
        ),
        integrity_problems=tuple(integrity.problems()) if integrity else (),
        seal_note=integrity.uncheckable_words() if integrity else "",
    )


@dataclass
class NoteData:
    """Everything the editor reads about a visit, in one session."""

    visit_id: str
    client_id: str
    client_name: str
    start: dt.datetime
    end: dt.datetime | None
    status: VisitStatus
    provider_id: str | None
    signed_by: str
    signed_at: dt.datetime | None
    content_hash: str | None
    fields: dict[str, Any]
    billing: list[BillingLineData]
    unit_rule: UnitRule
    payer_type: PayerType
    providers: list[ProviderInfo]
    provider_names: dict[str, str]
    findings: list[MarkFinding]
    previous_findings: list[MarkFinding] | None
    snapshot: HealthSnapshot
    addenda: list[tuple[dt.datetime, str, str, str]] = field(default_factory=list)
    authorisation: Authorisation | None = None
    written_by_student: bool = False
    """The note's provider is a student of the clinic: the supervisor named on it co-signs."""
    supervisor_id: str | None = None
    supervisors: list[ProviderInfo] = field(default_factory=list)
    """Who may supervise (the clinic's therapists and owners who chart), when a student wrote it."""
    integrity_problems: tuple[str, ...] = ()
    """What is wrong with a signed note or its addenda (``seals.visit_integrity``), in words."""
    seal_note: str = ""


def load_note(
    database: Database, visit_id: str, today: dt.date, *, with_findings: bool = True
) -> NoteData:
    """Read a visit for the note editor: its note, billing, marks, the client's alert inputs
    and the therapists who may sign, in one read session.

    Args:
        with_findings: read the visit's and the previous visit's marks as findings; a note
            beside the visit's chart takes them from the chart's document instead (no findings
            and no previous visit are read then).

    Raises:
        NotFoundError: the visit does not exist (any more).
    """
    with database.read() as session:
        # Its billing lines and addenda are read as shown, its marks only to check a signed
        # note's seal (the findings are read on their own, or come from the chart).
        visit = get_visit_row(session, visit_id)
        client = get_client(session, visit.client_id)
        providers = list_providers(session, active_only=False)
        names = {p.id: p.display_name for p in providers}
        rule, payer = visit_unit_rule(session, visit)
        integrity = visit_integrity(session, visit)
        return NoteData(
            visit_id=visit.id,
            client_id=visit.client_id,
            client_name=client.full_name,
            start=visit.start,
            end=visit.end,
            status=visit.status,
            provider_id=visit.provider_id,
            signed_by=names.get(visit.signed_by_id or "", ""),
            signed_at=visit.signed_at,
            content_hash=visit.content_hash,
            fields=note_fields(visit),
            billing=billing_line_data(visit),
            unit_rule=rule,
            payer_type=payer,
            providers=[provider_info_of(p) for p in providers if p.active],
            provider_names=names,
            findings=visit_findings(session, visit_id) if with_findings else [],
            previous_findings=previous_visit_findings(session, visit_id) if with_findings else None,
            snapshot=health_snapshot(session, visit.client_id, today=today),
            addenda=[
                (a.created_at, names.get(a.author_id or "", "unknown author"), a.reason, a.text)
                for a in visit.addenda
            ],
            authorisation=visit_authorisation(session, visit),
            written_by_student=(by_student := is_student_provider(session, visit.provider_id)),
            supervisor_id=visit.supervisor_id,
            supervisors=[provider_info_of(p) for p in supervisors(session)] if by_student else [],
            integrity_problems=tuple(integrity.problems()) if integrity else (),
            seal_note=integrity.uncheckable_words() if integrity else "",
        )
