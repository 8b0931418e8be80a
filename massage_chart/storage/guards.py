"""Session-level guards: signed visits never change, and search keys stay current."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from massage_chart.storage.models import (
    BillingLine,
    Client,
    Mark,
    Visit,
    VisitOverride,
    VisitStatus,
)


class SignedVisitError(Exception):
    """An attempt to change or delete a signed visit; corrections must be addenda."""


def _was_signed(visit: Visit) -> bool:
    """Whether the visit was already signed in the database before this flush."""
    history = get_history(visit, "status")
    before = list(history.deleted or ()) or list(history.unchanged or ())
    return bool(before) and before[0] is VisitStatus.SIGNED


def _check_signed(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if (
            isinstance(obj, Visit)
            and session.is_modified(obj, include_collections=False)
            and _was_signed(obj)
        ):
            raise SignedVisitError(
                "This visit is signed and cannot be changed. Add an addendum instead."
            )
        if isinstance(obj, Visit) and obj in session.deleted and _was_signed(obj):
            raise SignedVisitError("A signed visit cannot be deleted.")
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        if isinstance(obj, Mark | BillingLine | VisitOverride):
            visit = obj.visit if obj.visit is not None else session.get(Visit, obj.visit_id)
            if visit is not None and (visit.is_signed and _was_signed(visit)):
                raise SignedVisitError(
                    "This visit is signed: its chart and billing cannot be changed."
                )
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Client):
            obj.refresh_search_key()


class GuardedSession(Session):
    """The session class of every database: signed visits are refused before SQL is sent.

    The listener is attached once, to this class, when the module is imported. (Attaching it per
    ``sessionmaker`` and testing with ``event.contains`` is unsafe: SQLAlchemy keys its registry by
    ``id()``, so a new factory that reuses a collected one's address looked guarded and was not.)
    """


event.listen(GuardedSession, "before_flush", _check_signed)

SIGNED_TRIGGER_MARKERS = ("This visit is signed", "An addendum cannot be changed")


def signed_error_from(exc: BaseException) -> SignedVisitError | None:
    """The ``SignedVisitError`` for a database trigger's refusal, or None for any other error.

    The triggers of migration 0002 are the last line of defence (raw SQL, another program); when
    one fires, the user sees the same plain message as when the session guard catches it first.
    """
    text = str(getattr(exc, "orig", exc))
    if any(marker in text for marker in SIGNED_TRIGGER_MARKERS):
        return SignedVisitError(text.splitlines()[0])
    return None
