"""Undo support: take back a just-created client or visit unless something now refers to it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage import audit
from massage_chart.storage.models import (
    Addendum,
    BillingLine,
    Claim,
    Client,
    Consent,
    HealthHistory,
    Mark,
    OutcomeRecord,
    PainMapRecord,
    Referral,
    Visit,
    VisitOverride,
)
from massage_chart.storage.repositories import NotFoundError
from massage_chart.storage.text_form import SUB_FIELDS

# (foreign-key column, singular, plural) of the records that make a new client worth keeping.
_CLIENT_REFERENCES: tuple[tuple[InstrumentedAttribute[Any], str, str], ...] = (
    (Visit.client_id, "visit", "visits"),
    (Claim.client_id, "claim", "claims"),
    (Referral.client_id, "referral", "referrals"),
    (Consent.client_id, "consent", "consents"),
    (HealthHistory.client_id, "health history", "health histories"),
    (OutcomeRecord.client_id, "outcome measure", "outcome measures"),
    (PainMapRecord.client_id, "pain map", "pain maps"),
)
# What the client reported themselves: never deleted with the client, whatever the road.
_OWN_REPORTS = _CLIENT_REFERENCES[-2:]

_VISIT_REFERENCES: tuple[tuple[InstrumentedAttribute[Any], str, str], ...] = (
    (Mark.visit_id, "body-map mark", "body-map marks"),
    (BillingLine.visit_id, "billing line", "billing lines"),
    (Addendum.visit_id, "addendum", "addenda"),
    (HealthHistory.visit_id, "health-history update", "health-history updates"),
    (VisitOverride.visit_id, "stop/refer override", "stop/refer overrides"),
)


class UndoRefusedError(Exception):
    """Something recorded later refers to the record, so taking it back would lose data."""


def _references(
    session: Session,
    checks: tuple[tuple[InstrumentedAttribute[Any], str, str], ...],
    record_id: str,
) -> list[str]:
    found: list[str] = []
    for column, singular, plural in checks:
        n = int(session.scalar(select(func.count()).where(column == record_id)) or 0)
        if n:
            found.append(f"{n} {singular if n == 1 else plural}")
    return found


def client_references(session: Session, client_id: str) -> list[str]:
    """What refers to a client, in words ("2 visits"); empty when it can be taken back."""
    return _references(session, _CLIENT_REFERENCES, client_id)


def client_own_reports(session: Session, client_id: str) -> list[str]:
    """The client's own answer sheets and pain maps on file, in words ("2 pain maps")."""
    return _references(session, _OWN_REPORTS, client_id)


def visit_references(session: Session, visit_id: str) -> list[str]:
    """What was charted on a visit, in words ("3 body-map marks"); empty if it can be taken back."""
    found = _references(session, _VISIT_REFERENCES, visit_id)
    visit = session.get(Visit, visit_id)
    if visit is not None and any(
        (
            visit.chief_complaint,
            visit.subjective,
            visit.objective,
            visit.assessment,
            visit.plan,
            visit.health_update,
            *(getattr(visit, name) not in ("", None) for name in SUB_FIELDS),
        )
    ):
        found.append("notes")
    return found


def remove_new_client(session: Session, client_id: str) -> None:
    """Delete a client that nothing refers to yet, and record the removal in the audit log.

    Raises:
        NotFoundError: the client is already gone.
        UndoRefusedError: visits or other records refer to the client.
    """
    client = session.get(Client, client_id)
    if client is None:
        raise NotFoundError(f"No client with id {client_id!r}.")
    references = client_references(session, client_id)
    if references:
        raise UndoRefusedError(
            f"{client.full_name} now has {', '.join(references)} on record, so adding the "
            "client cannot be undone."
        )
    session.delete(client)
    session.flush()
    audit.record(session, audit.AuditAction.DELETE, client_id=client_id, detail="client (undo)")


def remove_new_visit(session: Session, visit_id: str) -> None:
    """Delete a draft visit that nothing was charted on, and record the removal in the audit log.

    Raises:
        NotFoundError: the visit is already gone.
        UndoRefusedError: the visit is signed, or marks, billing or notes belong to it.
    """
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFoundError(f"No visit with id {visit_id!r}.")
    if visit.status is VisitStatus.SIGNED:
        raise UndoRefusedError("The visit has been signed, so opening it cannot be undone.")
    references = visit_references(session, visit_id)
    if references:
        raise UndoRefusedError(
            f"The visit now has {', '.join(references)}, so opening it cannot be undone."
        )
    client_id = visit.client_id
    session.delete(visit)
    session.flush()
    audit.record(
        session,
        audit.AuditAction.DELETE,
        client_id=client_id,
        visit_id=visit_id,
        detail="visit (undo)",
    )
