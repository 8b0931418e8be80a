"""What changed in the records since a point in the audit log: how one window learns of changes
made by another window, another program or another laptop.

Every change writes an audit event in the same transaction, so the log's head is a cheap,
exact "something changed" for SQLite files shared by several windows and for a clinic's server
alike; the events since then say which clients and visits changed and which visits were signed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from massage_chart.storage import audit
from massage_chart.storage.audit import AuditEvent
from massage_chart.storage.audit_actions import LOOKING_ACTIONS

LOOKING = LOOKING_ACTIONS | {audit.AuditAction.FAILED_UNLOCK.value}
"""Events that change no record a window shows."""


@dataclass(frozen=True)
class Changes:
    """What changed after one audit event, up to ``head``.

    Attributes:
        head: the newest event read (the next call starts after it).
        clients: clients whose record, visits or list entry changed.
        visits: visits that changed (their note, marks, signature or addenda).
        signed: visits signed, with who signed them (as the log names them).
    """

    head: int
    clients: frozenset[str] = frozenset()
    visits: frozenset[str] = frozenset()
    signed: dict[str, str] = field(default_factory=dict)

    @property
    def any(self) -> bool:
        """Whether anything a window shows changed."""
        return bool(self.clients or self.visits)


def audit_head(session: Session) -> int:
    """The newest audit event's number (0 for an empty log): one indexed read."""
    return int(session.scalar(select(func.max(AuditEvent.seq))) or 0)


def changes_since(session: Session, seq: int, *, limit: int = 5_000) -> Changes:
    """The changes recorded after event ``seq`` (at most ``limit`` events; the head says how far
    it read, so a long gap is caught up over a few calls)."""
    rows = session.execute(
        select(
            AuditEvent.seq,
            AuditEvent.action,
            AuditEvent.client_id,
            AuditEvent.visit_id,
            AuditEvent.actor,
        )
        .where(AuditEvent.seq > seq)
        .order_by(AuditEvent.seq)
        .limit(limit)
    ).all()
    if not rows:
        return Changes(head=seq)
    clients: set[str] = set()
    visits: set[str] = set()
    signed: dict[str, str] = {}
    for _seq, action, client_id, visit_id, actor in rows:
        if action in LOOKING:
            continue
        if client_id:
            clients.add(client_id)
        if visit_id:
            visits.add(visit_id)
            if action == audit.AuditAction.SIGN.value:
                signed[visit_id] = actor
    return Changes(int(rows[-1][0]), frozenset(clients), frozenset(visits), signed)


CHANNEL = "mc_audit"
"""What the server announces each audit event that changes a record on (migration 0014)."""


class ChangeListener:
    """A connection of its own to the clinic's server that listens for changes announced there,
    so a window can wake the moment another laptop commits one. No thread: the caller watches
    ``fileno()`` for input (Qt does, with a socket notifier) and calls ``drain()``.

    Args:
        url: the server database, with the sign-in of the person (as the app opened it).
    """

    def __init__(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg.connect(conninfo, autocommit=True, connect_timeout=3)
        try:
            self.connection.execute(f"LISTEN {CHANNEL}")
        except Exception:
            self.connection.close()
            raise

    def fileno(self) -> int:
        """The socket to watch for input."""
        return int(self.connection.fileno())

    def drain(self) -> int:
        """Read what arrived without waiting; the number of changes announced.

        Raises:
            ListenerLostError: the connection dropped (open a new listener later).
        """
        import psycopg

        pgconn = self.connection.pgconn
        try:
            # A server that ended the connection sends its farewell, then closes: the first
            # read may take the farewell and only the second find the socket closed.
            pgconn.consume_input()
            pgconn.consume_input()
        except psycopg.OperationalError as exc:
            raise ListenerLostError(str(exc)) from exc
        if pgconn.status != psycopg.pq.ConnStatus.OK:
            raise ListenerLostError("the connection to the server was lost")
        count = 0
        while pgconn.notifies() is not None:
            count += 1
        return count

    def close(self) -> None:
        """Stop listening."""
        self.connection.close()


class ListenerLostError(Exception):
    """The listening connection dropped; changes are still found by reading the log's head."""
