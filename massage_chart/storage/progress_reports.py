"""Signed progress reports: the signed notes of a span, sealed under one signature.

A report's document is drawn from the notes it covers (``export/progress_report.py``); what is
stored is which notes, over which days, who signed and when, and a seal over the notes' own
seals, so a report can be printed again, exactly, and checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from massage_chart.domain.presentation import format_date
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage import audit
from massage_chart.storage.models import ProgressReport, Provider, Visit
from massage_chart.storage.repositories import NotFoundError, get_client
from massage_chart.storage.signing import verify_visit_hash


class ProgressReportError(ValueError):
    """No report can be made or signed for that span; the message says why."""


def signed_visits_in(
    session: Session, client_id: str, start: dt.date, end: dt.date
) -> tuple[list[Visit], int]:
    """The client's signed visits whose day is in ``start``..``end`` (oldest first), and how
    many visits of the span are not signed yet.

    Raises:
        NotFoundError: no client has that id.
        ProgressReportError: the span is backwards, or holds no signed visit.
    """
    if end < start:
        raise ProgressReportError(f"The span ends ({end}) before it starts ({start}).")
    client = get_client(session, client_id)
    visits = list(
        session.scalars(
            select(Visit)
            .where(
                Visit.client_id == client_id,
                Visit.start >= dt.datetime.combine(start, dt.time.min),
                Visit.start < dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min),
            )
            .order_by(Visit.start, Visit.id)
        )
    )
    signed = [visit for visit in visits if visit.status is VisitStatus.SIGNED]
    if not signed:
        raise ProgressReportError(
            f"{client.full_name} has no signed visit from {format_date(start)} to "
            f"{format_date(end)}: a progress report is made from signed notes."
        )
    return signed, len(visits) - len(signed)


def report_seal(
    client_id: str,
    period: tuple[dt.date, dt.date],
    notes: Sequence[tuple[str, str | None]],
    signer_id: str,
    signed_at: dt.datetime,
) -> str:
    """The SHA-256 seal of a report: the client, the span, each note covered with its own seal,
    the signer and the time."""
    payload = json.dumps(
        {
            "client_id": client_id,
            "period": [period[0].isoformat(), period[1].isoformat()],
            "notes": [[visit_id, seal] for visit_id, seal in notes],
            "signed_by_id": signer_id,
            "signed_at": signed_at.isoformat(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sign_progress_report(
    session: Session,
    client_id: str,
    start: dt.date,
    end: dt.date,
    signer_id: str | None,
    signed_at: dt.datetime,
) -> ProgressReport:
    """Sign the progress report of a span, in the caller's write session, and audit it; with no
    ``signer_id``, as the therapist who signed the span's latest note.

    Raises:
        NotFoundError: no client, or no provider, has that id.
        ProgressReportError: the span holds no signed visit, or is backwards.
    """
    visits, _drafts = signed_visits_in(session, client_id, start, end)
    signer_id = signer_id or visits[-1].signed_by_id
    if signer_id is None:
        raise ProgressReportError("Name the therapist who signs the report.")
    if session.get(Provider, signer_id) is None:
        raise NotFoundError(f"No provider with id {signer_id!r}.")
    notes = [(visit.id, visit.content_hash) for visit in visits]
    report = ProgressReport(
        client_id=client_id,
        claim_id=visits[-1].claim_id,
        period_from=start,
        period_to=end,
        visit_ids=[visit.id for visit in visits],
        signed_by_id=signer_id,
        signed_at=signed_at,
        content_hash=report_seal(client_id, (start, end), notes, signer_id, signed_at),
    )
    session.add(report)
    session.flush()
    audit.record(
        session,
        audit.AuditAction.SIGN,
        client_id=client_id,
        detail=f"progress report {start.isoformat()} to {end.isoformat()}, "
        f"{len(visits)} notes, content hash {report.content_hash}",
    )
    return report


def signed_report(
    session: Session, client_id: str, start: dt.date, end: dt.date
) -> ProgressReport | None:
    """The latest report signed for exactly this span, if any."""
    return session.scalars(
        select(ProgressReport)
        .where(
            ProgressReport.client_id == client_id,
            ProgressReport.period_from == start,
            ProgressReport.period_to == end,
        )
        .order_by(ProgressReport.signed_at.desc())
        .limit(1)
    ).first()


def report_matches(session: Session, report: ProgressReport) -> bool:
    """Whether a signed report still matches its content hash over the notes it covers, and
    every note its own (the hashes alone; ``report_intact`` adds the keyed seals)."""
    return _covered_if_matching(session, report) is not None


def _covered_if_matching(session: Session, report: ProgressReport) -> list[Visit] | None:
    """The notes a report covers, read together with what their hashes cover, when the report
    and each of them still match their hashes; else None."""
    ids = list(report.visit_ids)
    found = {
        visit.id: visit
        for visit in session.scalars(
            select(Visit)
            .where(Visit.id.in_(ids))
            .options(
                selectinload(Visit.marks),
                selectinload(Visit.billing_lines),
                selectinload(Visit.overrides),
            )
        )
    }
    visits = [found.get(visit_id) for visit_id in ids]
    if any(visit is None or not verify_visit_hash(visit) for visit in visits):
        return None
    covered = [visit for visit in visits if visit is not None]
    seal = report_seal(
        report.client_id,
        (report.period_from, report.period_to),
        [(visit.id, visit.content_hash) for visit in covered],
        report.signed_by_id,
        report.signed_at,
    )
    return covered if seal == report.content_hash else None


def report_intact(session: Session, report: ProgressReport) -> bool:
    """Whether a signed report still matches its seal, and every note it covers its own (their
    content hashes, and those hashes their keyed seals): a few queries, however many notes."""
    from massage_chart.storage.seals import PROGRESS_REPORT, VISIT, SealState, seal_states

    covered = _covered_if_matching(session, report)
    if covered is None:
        return False
    sealed: list[tuple[str, str, str | None]] = [
        (VISIT, visit.id, visit.content_hash) for visit in covered
    ]
    sealed.append((PROGRESS_REPORT, report.id, report.content_hash))
    return SealState.BROKEN not in seal_states(session, sealed)


def reported_through(session: Session, claim_id: str) -> dt.date | None:
    """The last day a signed progress report of the claim covers (None before the first)."""
    return session.scalar(
        select(func.max(ProgressReport.period_to)).where(ProgressReport.claim_id == claim_id)
    )
