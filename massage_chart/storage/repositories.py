"""Repository functions: each takes the Session of one user action and does one thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, selectinload

from massage_chart.domain import limits
from massage_chart.domain.client_file import MedicationInfo
from massage_chart.domain.limits import InputRefusedError, NumberRange, TextLimit
from massage_chart.domain.measures import (
    STRUCTURED_FIELDS,
    MeasureError,
    carried_goals,
    entries_json,
)
from massage_chart.domain.presentation import listed_name
from massage_chart.domain.text import search_terms
from massage_chart.storage import audit
from massage_chart.storage.database import WriteError
from massage_chart.storage.mapping import readable_entries
from massage_chart.storage.models import (
    Addendum,
    Allergy,
    BillingLine,
    Claim,
    Client,
    Condition,
    Consent,
    HealthHistory,
    Mark,
    Medication,
    Practice,
    Provider,
    Referral,
    Visit,
    VisitStatus,
)

SEARCH_LIMIT = 500
SEARCH_MAX_TERMS = 12
"""Words of a search beyond this are ignored (a pasted paragraph must not build a huge query)."""
SEARCH_MAX_CHARS = limits.NAME
"""Characters of a search beyond this are ignored."""


class NotFoundError(LookupError):
    """The record asked for does not exist (it may have been removed on another computer)."""


class FieldRefusedError(WriteError, InputRefusedError):
    """A value was refused before anything was written: too long, a NUL or broken character,
    a number out of range or dates in an impossible order. The message names the field.

    It is a ``WriteError`` (so every window that reports failed saves reports it) and a
    ``ValueError`` (so scripts can treat it as bad input).
    """


# --------------------------------------------------------------------------- input checks

TEXT_LIMITS: dict[type[Any], Mapping[str, TextLimit]] = {
    Client: limits.CLIENT,
    Claim: limits.CLAIM,
    Referral: limits.REFERRAL,
    Consent: limits.CONSENT,
    HealthHistory: limits.HEALTH_HISTORY,
    Condition: {
        "name": limits.CONDITION,
        "since": TextLimit("Since", limits.SHORT_LABEL),
        "notes": TextLimit("Condition notes", limits.LONG_TEXT),
    },
    Medication: limits.MEDICATION,
    Allergy: {"substance": limits.ALLERGY, "reaction": TextLimit("Reaction", limits.ENTRY)},
    Visit: limits.VISIT_NOTE,
    Addendum: limits.ADDENDUM,
    Mark: limits.MARK,
    BillingLine: {"cpt": limits.CPT_CODE},
    Provider: limits.PROVIDER,
    Practice: limits.PRACTICE,
}
"""The text limit of every user-typed column, per model."""

NUMBER_RANGES: dict[type[Any], Mapping[str, NumberRange]] = {
    Visit: {
        "pain_before": replace(limits.PAIN, label="Pain before"),
        "pain_after": replace(limits.PAIN, label="Pain after"),
        "pain_best": replace(limits.PAIN, label="Pain best"),
        "pain_worst": replace(limits.PAIN, label="Pain worst"),
        "pressure": limits.PRESSURE,
    },
    Mark: {
        "intensity": limits.INTENSITY,
        "minutes": limits.MINUTES,
        "pressure": limits.PRESSURE,
    },
    BillingLine: {"minutes": limits.MINUTES, "units": limits.UNITS},
    Claim: {"authorised_visits": limits.VISIT_COUNT},
    Referral: {"visits_authorised": limits.VISIT_COUNT},
    HealthHistory: {"pregnancy_weeks": limits.PREGNANCY_WEEKS},
}
"""The accepted range of every user-entered whole number, per model."""

LIST_LIMITS: dict[type[Any], Mapping[str, TextLimit]] = {
    Visit: {
        "techniques": TextLimit("Techniques", limits.NAME),
        "icd10_codes": TextLimit("ICD-10 codes", limits.ICD10_CODE.most),
    },
    Referral: {"icd10_codes": TextLimit("ICD-10 codes", limits.ICD10_CODE.most)},
    Consent: {"clearance_codes": TextLimit("Cleared alerts", limits.SHORT_LABEL)},
    BillingLine: {"modifiers": TextLimit("Modifiers", limits.MODIFIER.most)},
}
"""Columns holding a list of short texts, with the limit of each entry."""


def _date_problem(row: object, names: set[str] | None) -> str | None:
    def wanted(*fields: str) -> bool:
        return names is None or any(name in names for name in fields)

    if isinstance(row, Client) and wanted("date_of_birth"):
        return limits.birth_date_problem(row.date_of_birth, dt.date.today())
    if isinstance(row, Consent) and wanted("signed_on", "expires_on"):
        return limits.date_order_problem(
            row.signed_on, row.expires_on, "The consent expires before it was signed."
        )
    if isinstance(row, Referral) and wanted("referral_date", "expires_on"):
        return limits.date_order_problem(
            row.referral_date, row.expires_on, "The referral expires before it was written."
        )
    if isinstance(row, Visit) and wanted("start", "end"):
        start = row.start.date() if row.start is not None else None
        if row.start is not None and row.end is not None and row.end < row.start:
            return f"The visit ends ({row.end:%Y-%m-%d %H:%M}) before it starts ({start})."
    return None


def row_problem(row: object, names: Iterable[str] | None = None) -> str | None:
    """What is wrong with a row about to be written, in plain words, or None.

    Args:
        row: a model instance (a client, claim, visit, mark...).
        names: check only these columns (the ones being changed); all when None, so values
            stored before a limit existed are never refused while the user edits something else.
    """
    wanted = set(names) if names is not None else None
    model = type(row)
    for name, limit in TEXT_LIMITS.get(model, {}).items():
        if wanted is None or name in wanted:
            problem = limit.problem(getattr(row, name))
            if problem:
                return problem
    for name, number_range in NUMBER_RANGES.get(model, {}).items():
        if wanted is None or name in wanted:
            problem = number_range.problem(getattr(row, name))
            if problem:
                return problem
    for name, limit in LIST_LIMITS.get(model, {}).items():
        if wanted is None or name in wanted:
            problem = limits.list_problem(limit.label, getattr(row, name) or [], limit.most)
            if problem:
                return problem
    if isinstance(row, Visit):
        for name in STRUCTURED_FIELDS:
            if wanted is None or name in wanted:
                try:
                    entries_json(name, getattr(row, name))
                except MeasureError as exc:
                    return str(exc)
    if isinstance(row, BillingLine) and (wanted is None or "diagnosis_pointers" in wanted):
        pointers = row.diagnosis_pointers or []
        if not isinstance(pointers, list | tuple) or len(pointers) > 12:
            return "A billing line points at no more than 12 diagnoses."
        for pointer in pointers:
            problem = limits.DIAGNOSIS_POINTER.problem(pointer)
            if problem:
                return problem
    return _date_problem(row, wanted)


def check_row(row: object, names: Iterable[str] | None = None) -> None:
    """Refuse a row about to be written when ``row_problem`` finds something wrong.

    Raises:
        FieldRefusedError: with the plain reason.
    """
    problem = row_problem(row, names)
    if problem:
        raise FieldRefusedError(problem)


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
    terms = search_terms(query[:SEARCH_MAX_CHARS])[:SEARCH_MAX_TERMS]
    if any(limits.text_problem("", term, SEARCH_MAX_CHARS) for term in terms):
        return []  # a NUL or broken character is in no stored text (and PostgreSQL refuses it)
    conditions = [Client.search_key.contains(term, autoescape=True) for term in terms]
    if not include_archived:
        conditions.append(Client.archived.is_(False))
    if conditions:
        statement = statement.where(and_(*conditions))
    summaries: list[ClientSummary] = []
    for cid, first, last, dob, phone, count, newest in session.execute(statement):
        name = listed_name(first, last)
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
    """Create a client and record it in the audit log.

    Raises:
        FieldRefusedError: a field is too long, holds a NUL, or the date of birth is impossible.
    """
    client = Client(first_name=first_name.strip(), last_name=last_name.strip(), **fields)
    check_row(client, ["first_name", "last_name", "date_of_birth", *fields])
    client.refresh_search_key()
    session.add(client)
    session.flush()
    audit.record(session, audit.AuditAction.CREATE, client_id=client.id, detail="client")
    return client


# --------------------------------------------------------------------------- health history


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
    medications: Sequence[MedicationInfo] = (),
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
    """Write a new, complete version of the client's health history; older versions are kept.

    Raises:
        FieldRefusedError: an entry is too long or holds a NUL, or the weeks are out of range.
    """
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
    for label, items in (("Conditions", conditions), ("Medications", medications),
                         ("Allergies", allergies)):  # fmt: skip
        if len(items) > limits.LIST_ITEMS:
            raise FieldRefusedError(
                f"{label} has {len(items):,} entries; the most is {limits.LIST_ITEMS:,}."
            )
    for row in (history, *history.conditions, *history.medications, *history.allergies):
        check_row(row)
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


def get_visit_row(session: Session, visit_id: str) -> Visit:
    """One visit's own row: its marks, billing lines and addenda are read only if asked for
    (``get_visit`` reads them with it).

    Raises:
        NotFoundError: no visit has that id.
    """
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFoundError(f"No visit with id {visit_id!r}.")
    return visit


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


def _goals_to_carry(
    session: Session, client_id: str, claim_id: str | None, start: dt.datetime
) -> list[dict[str, Any]]:
    """The goals a new visit starts with: those of the latest earlier visit of the same claim
    (of the client, with no claim) that has any, less those met or discontinued there."""
    query = select(Visit.goals).where(Visit.client_id == client_id, Visit.start < start)
    if claim_id is not None:
        query = query.where(Visit.claim_id == claim_id)
    for stored in session.scalars(query.order_by(Visit.start.desc()).limit(50)):
        if stored:
            goals = carried_goals(readable_entries("goals", stored))
            return [goal.to_json() for goal in goals]
    return []


def create_visit(
    session: Session,
    client_id: str,
    *,
    provider_id: str | None,
    start: dt.datetime,
    carry_forward: bool = True,
    **fields: Any,
) -> Visit:
    """Open a new draft visit for a client, linked to the newest active claim that covers the
    visit's day (none for an injury after it) and to the newest referral still in force on the
    visit's day. The visit's ICD-10 codes are the referral's; with
    no referral codes, those of the latest earlier visit of the same claim (the episode's
    diagnoses carry from visit to visit). Goals carry from the last visit of the claim, less
    those met or discontinued. With ``carry_forward`` False (a visit booked by the front desk,
    whom a clinic's server refuses clinical fields) the visit starts with neither, and the
    therapist adds them in the note.

    Raises:
        NotFoundError: no client has that id.
        FieldRefusedError: a note field is too long or out of range.
    """
    client = get_client(session, client_id)
    day = start.date()
    # The claim that covers the day: active, and not for an injury after it.
    claim = next(
        (
            c
            for c in reversed(client.claims)
            if c.active and (c.date_of_injury is None or c.date_of_injury <= day)
        ),
        None,
    )
    referral = next(
        (
            r
            for r in reversed(client.referrals)
            if (r.expires_on is None or r.expires_on >= day)
            and (r.referral_date is None or r.referral_date <= day)
        ),
        None,
    )
    codes = list(referral.icd10_codes or []) if referral and carry_forward else []
    if not codes and claim is not None and carry_forward:
        earlier = session.scalars(
            select(Visit.icd10_codes)
            .where(Visit.claim_id == claim.id, Visit.start < start)
            .order_by(Visit.start.desc())
        )
        codes = list(next((c for c in earlier if c), []))
    if "goals" not in fields and carry_forward:
        fields["goals"] = _goals_to_carry(session, client_id, claim.id if claim else None, start)
    visit = Visit(
        client_id=client_id,
        provider_id=provider_id,
        start=start,
        claim_id=claim.id if claim else None,
        referral_id=referral.id if referral else None,
        icd10_codes=codes,
        **fields,
    )
    check_row(visit, ["start", *fields])
    session.add(visit)
    session.flush()
    audit.record(session, audit.AuditAction.CREATE, client_id=client_id, visit_id=visit.id)
    return visit
