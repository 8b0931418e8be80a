"""The hash-chained audit log: every access and change, who, when and to which record."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from massage_chart.storage.audit_actions import AuditAction
from massage_chart.storage.models import AuditEvent, utc_now

GENESIS_HASH = "0" * 64


def current_actor() -> str:
    """The operating-system account running the app, when no provider is named."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _digest(prev_hash: str, event: AuditEvent) -> str:
    payload = json.dumps(
        [
            prev_hash,
            event.occurred_at.isoformat(timespec="microseconds"),
            event.actor,
            event.action,
            event.client_id,
            event.visit_id,
            event.detail,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: AuditAction,
    *,
    actor: str | None = None,
    client_id: str | None = None,
    visit_id: str | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event to the audit log, chained to the previous one, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two clinic laptops never fork the chain.
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    previous = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    prev_hash = previous or GENESIS_HASH
    event = AuditEvent(
        occurred_at=utc_now(),
        # Signed in to a clinic, the person is named whoever the change is for (the server checks
        # it, migration 0008); else the provider given, else the computer's account.
        actor=session.info.get("actor") or actor or current_actor(),
        action=action.value,
        client_id=client_id,
        visit_id=visit_id,
        detail=detail,
        prev_hash=prev_hash,
    )
    event.hash = _digest(prev_hash, event)
    session.add(event)
    session.flush()
    return event


def list_events(
    session: Session,
    *,
    client_id: str | None = None,
    action: AuditAction | None = None,
    since: dt.datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """The newest ``limit`` events that match, oldest first (the order they happened in)."""
    query = select(AuditEvent)
    if client_id is not None:
        query = query.where(AuditEvent.client_id == client_id)
    if action is not None:
        query = query.where(AuditEvent.action == action.value)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    newest = session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit)).all()
    return list(reversed(newest))


def count_events(session: Session) -> int:
    """How many events the audit log holds."""
    return int(session.scalar(select(func.count(AuditEvent.seq))) or 0)


@dataclass(frozen=True)
class ChainProblem:
    """A place where the audit chain does not verify."""

    seq: int
    reason: str


def verify_chain(session: Session) -> list[ChainProblem]:
    """Walk the audit log and report every altered, inserted or missing event."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS_HASH
    events = session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2_000)
    )
    for event in events:  # streamed: memory stays flat however long the log
        if event.prev_hash != prev_hash:
            problems.append(
                ChainProblem(event.seq, "an event before this one is missing or altered")
            )
        if _digest(event.prev_hash, event) != event.hash:
            problems.append(ChainProblem(event.seq, "this event was altered"))
        prev_hash = event.hash
    return problems
