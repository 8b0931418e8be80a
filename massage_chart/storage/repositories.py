"""Repository functions: each takes the Session of one user action and does one thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from massage_chart.domain.text import search_terms
from massage_chart.storage import audit
from massage_chart.storage.models import (
    Allergy,
    Client,
    Condition,
    HealthHistory,
    Mark,
    Medication,
    MedicationClass,
    Practice,
    Provider,
    Visit,
    VisitStatus,
)

SEARCH_LIMIT = 500


class NotFoundError(LookupError):
    """The record asked for does not exist (it may have been removed on another computer)."""


# --------------------------------------------------------------------------- practice, providers


def get_practice(session: Session) -> Practice | None:
    """The practice of this database (there is one)."""
    return session.scalar(select(Practice).order_by(Practice.created_at).limit(1))


def list_providers(session: Session, *, active_only: bool = True) -> list[Provider]:
    """Therapists, by name."""
    query = select(Provider).order_by(Provider.last_name, Provider.first_name)
    if active_only:
        query = query.where(Provider.active.is_(True))
    return list(session.scalars(query))


# --------------------------------------------------------------------------- clients


@dataclass(frozen=True)
class ClientSummary:
    """One row of the client list.

    Attributes:
        id: the client's id.
        list_name: "Last, First".
        date_of_birth: or None when not recorded.
        phone: main phone number.
        visit_count: number of visits on record.
        last_visit: start of the newest visit, if any.
    """

    id: str
    list_name: str
    date_of_birth: dt.date | None
    phone: str
    visit_count: int
    last_visit: dt.datetime | None


def search_clients(
    session: Session,
    query: str = "",
    *,
    limit: int = SEARCH_LIMIT,
    include_archived: bool = False,
) -> list[ClientSummary]:
    """Clients whose name, phone, email or date of birth contain every typed term.

    Matching ignores case and accents ("zoe" finds "Zoë"); ``%`` and ``_`` are literal.
    """
    # Correlated subqueries: evaluated only for the (at most ``limit``) rows returned, through the
    # (client_id, start) index, so typing stays fast however many visits the practice holds.
    visit_count = select(func.count(Visit.id)).where(Visit.client_id == Client.id).scalar_subquery()
    last_visit = select(func.max(Visit.start)).where(Visit.client_id == Client.id).scalar_subquery()
    statement = (
        select(
            Client.id,
            Client.first_name,
            Client.last_name,
            Client.date_of_birth,
            Client.phone,
            visit_count,
            last_visit,
        )
        .order_by(Client.sort_key, Client.id)
        .limit(limit)
    )
    conditions = [Client.search_key.contains(term, autoescape=True) for term in search_terms(query)]
    if not include_archived:
        conditions.append(Client.archived.is_(False))
    if conditions:
        statement = statement.where(and_(*conditions))
    summaries: list[ClientSummary] = []
    for cid, first, last, dob, phone, count, newest in session.execute(statement):
        name = f"{last}, {first}" if last else first
        summaries.append(ClientSummary(cid, name, dob, phone, int(count or 0), newest))
    return summaries


def count_clients(session: Session, *, include_archived: bool = False) -> int:
    """How many clients are on record."""
    statement = select(func.count(Client.id))
    if not include_archived:
        statement = statement.where(Client.archived.is_(False))
    return int(session.scalar(statement) or 0)


def get_client(session: Session, client_id: str) -> Client:
    """One client, with claims, referrals and consents loaded.

    Raises:
        NotFoundError: no client has that id.
    """
    client = session.get(
        Client,
        client_id,
        options=[
            selectinload(Client.claims),
            selectinload(Client.referrals),
            selectinload(Client.consents),
        ],
    )
    if client is None:
        raise NotFoundError(f"No client with id {client_id!r}.")
    return client


def add_client(session: Session, *, first_name: str, last_name: str, **fields: Any) -> Client:
    """Create a client and record it in the audit log."""
    client = Client(first_name=first_name.strip(), last_name=last_name.strip(), **fields)
    client.refresh_search_key()
    session.add(client)
    session.flush()
    audit.record(session, audit.AuditAction.CREATE, client_id=client.id, detail="client")
    return client


# --------------------------------------------------------------------------- health history


@dataclass(frozen=True)
class MedicationEntry:
    """A medication as typed on the intake form."""

    name: str
    dose: str = ""
    purpose: str = ""
    med_class: MedicationClass | None = None


def _histories_newest_first(client_id: str) -> Select[HealthHistory]:
    """A client's health-history versions, newest first, with their lists loaded."""
    return (
        select(HealthHistory)
        .where(HealthHistory.client_id == client_id)
        .order_by(HealthHistory.version.desc())
        .options(
            selectinload(HealthHistory.conditions),
            selectinload(HealthHistory.medications),
            selectinload(HealthHistory.allergies),
        )
    )


def latest_health_history(session: Session, client_id: str) -> HealthHistory | None:
    """The newest version of a client's health history, with its lists loaded."""
    return session.scalar(_histories_newest_first(client_id).limit(1))


def health_history_versions(session: Session, client_id: str) -> list[HealthHistory]:
    """Every version of a client's health history, newest first, with its lists loaded."""
    return list(session.scalars(_histories_newest_first(client_id)))


def add_health_history_version(
    session: Session,
    client_id: str,
    *,
    conditions: Sequence[str] = (),
    medications: Sequence[MedicationEntry] = (),
    allergies: Sequence[str] = (),
    surgeries: str = "",
    injuries: str = "",
    pregnant: bool = False,
    pregnancy_weeks: int | None = None,
    notes: str = "",
    recorded_by_id: str | None = None,
    visit_id: str | None = None,
    recorded_at: dt.datetime | None = None,
) -> HealthHistory:
    """Write a new, complete version of the client's health history; older versions are kept."""
    current = session.scalar(
        select(func.max(HealthHistory.version)).where(HealthHistory.client_id == client_id)
    )
    history = HealthHistory(
        client_id=client_id,
        version=(current or 0) + 1,
        surgeries=surgeries,
        injuries=injuries,
        pregnant=pregnant,
        pregnancy_weeks=pregnancy_weeks,
        notes=notes,
        recorded_by_id=recorded_by_id,
        visit_id=visit_id,
    )
    if recorded_at is not None:
        history.recorded_at = recorded_at
    history.conditions = [Condition(position=i, name=n) for i, n in enumerate(conditions)]
    history.medications = [
        Medication(position=i, name=m.name, dose=m.dose, purpose=m.purpose, med_class=m.med_class)
        for i, m in enumerate(medications)
    ]
    history.allergies = [Allergy(position=i, substance=a) for i, a in enumerate(allergies)]
    session.add(history)
    session.flush()
    audit.record(
        session,
        audit.AuditAction.CHANGE,
        client_id=client_id,
        visit_id=visit_id,
        detail=f"health history v{history.version}",
    )
    return history


# --------------------------------------------------------------------------- visits


@dataclass(frozen=True)
class VisitSummary:
    """One row of a client's visit list."""

    id: str
    start: dt.datetime
    end: dt.datetime | None
    provider_id: str | None
    provider_name: str
    status: VisitStatus
    pain_before: int | None
    pain_after: int | None
    chief_complaint: str
    mark_count: int


def list_visits(session: Session, client_id: str) -> list[VisitSummary]:
    """A client's visits, newest first."""
    mark_count = select(func.count(Mark.id)).where(Mark.visit_id == Visit.id).scalar_subquery()
    rows = session.execute(
        select(Visit, Provider, mark_count)
        .outerjoin(Provider, Provider.id == Visit.provider_id)
        .where(Visit.client_id == client_id)
        .order_by(Visit.start.desc(), Visit.id)
    )
    return [
        VisitSummary(
            id=visit.id,
            start=visit.start,
            end=visit.end,
            provider_id=visit.provider_id,
            provider_name=provider.display_name if provider else "",
            status=visit.status,
            pain_before=visit.pain_before,
            pain_after=visit.pain_after,
            chief_complaint=visit.chief_complaint,
            mark_count=int(count),
        )
        for visit, provider, count in rows
    ]


def get_visit(session: Session, visit_id: str) -> Visit:
    """One visit with its marks, billing lines and addenda.

    Raises:
        NotFoundError: no visit has that id.
    """
    visit = session.get(
        Visit,
        visit_id,
        options=[
            selectinload(Visit.marks),
            selectinload(Visit.billing_lines),
            selectinload(Visit.addenda),
        ],
    )
    if visit is None:
        raise NotFoundError(f"No visit with id {visit_id!r}.")
    return visit


def create_visit(
    session: Session,
    client_id: str,
    *,
    provider_id: str | None,
    start: dt.datetime,
    **fields: Any,
) -> Visit:
    """Open a new draft visit for a client, linked to the client's active claim and to the newest
    referral still in force on the visit's day (its ICD-10 codes are copied to the visit)."""
    client = get_client(session, client_id)
    claim = next((c for c in reversed(client.claims) if c.active), None)
    day = start.date()
    referral = next(
        (
            r
            for r in reversed(client.referrals)
            if (r.expires_on is None or r.expires_on >= day)
            and (r.referral_date is None or r.referral_date <= day)
        ),
        None,
    )
    visit = Visit(
        client_id=client_id,
        provider_id=provider_id,
        start=start,
        claim_id=claim.id if claim else None,
        referral_id=referral.id if referral else None,
        icd10_codes=list(referral.icd10_codes) if referral else [],
        **fields,
    )
    session.add(visit)
    session.flush()
    audit.record(session, audit.AuditAction.CREATE, client_id=client_id, visit_id=visit.id)
    return visit
