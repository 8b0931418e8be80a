"""The practice as the window edits it: one database, one undo stack, past-tense change signals."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from massage_chart.domain.presentation import person_name
from massage_chart.storage import audit
from massage_chart.storage.database import DATABASE_ERRORS, Database, driver_words
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.repositories import NotFoundError, add_client, create_visit
from massage_chart.storage.undo_support import (
    UndoRefusedError,
    remove_new_client,
    remove_new_visit,
)

log = logging.getLogger(__name__)

# What a read may raise: the server went away, the file was moved or damaged under us.
READ_ERRORS: tuple[type[Exception], ...] = DATABASE_ERRORS

# What a write may raise that the user must be told about (and that leaves the database as it was).
WRITE_ERRORS: tuple[type[Exception], ...] = (
    *DATABASE_ERRORS,
    SignedVisitError,
    NotFoundError,
    UndoRefusedError,
)


def describe_error(exc: Exception) -> str:
    """A sentence for the user about a failed read or write."""
    detail = driver_words(exc)
    if detail is None:
        return str(exc)
    return f"The database could not be used: {detail}. Nothing was changed."


@dataclass(frozen=True)
class ClientDetails:
    """What the New client dialog collects."""

    first_name: str
    last_name: str
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""

    @property
    def full_name(self) -> str:
        """First and last name, as said aloud."""
        return person_name(self.first_name, self.last_name)


@dataclass(frozen=True)
class VisitDetails:
    """What the New visit dialog collects."""

    client_id: str
    provider_id: str | None
    start: dt.datetime


class PracticeDocument(QObject):
    """The open practice: writes one short session per user action and says what changed.

    Args:
        database: the open database.

    Attributes:
        undo_stack: every user intent that changes the record, as a QUndoCommand.

    Signals:
        client_added(client_id): a client was created or re-created (redo).
        client_removed(client_id): a just-created client was taken back (undo).
        visit_added(client_id, visit_id): a visit was opened or re-opened (redo).
        visit_removed(client_id, visit_id): a just-opened visit was taken back (undo).
        problem_reported(message): an action could not be done; the message is for the user.
    """

    client_added = Signal(str)
    client_removed = Signal(str)
    visit_added = Signal(str, str)
    visit_removed = Signal(str, str)
    problem_reported = Signal(str)

    def __init__(self, database: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.undo_stack = QUndoStack(self)

    def add_client(self, details: ClientDetails, client_id: str | None = None) -> str:
        """Create the client (with ``client_id`` when re-creating it) and return its id."""
        fields: dict[str, Any] = {
            "date_of_birth": details.date_of_birth,
            "phone": details.phone.strip(),
            "email": details.email.strip(),
        }
        if client_id is not None:
            fields["id"] = client_id
        with self.database.write() as session:
            client = add_client(
                session, first_name=details.first_name, last_name=details.last_name, **fields
            )
            new_id = client.id
        self.client_added.emit(new_id)
        return new_id

    def remove_client(self, client_id: str) -> None:
        """Take back a just-created client that nothing refers to yet."""
        with self.database.write() as session:
            remove_new_client(session, client_id)
        self.client_removed.emit(client_id)

    def add_visit(self, details: VisitDetails, visit_id: str | None = None) -> str:
        """Open a draft visit (with ``visit_id`` when re-opening it) and return its id."""
        fields: dict[str, Any] = {} if visit_id is None else {"id": visit_id}
        with self.database.write() as session:
            visit = create_visit(
                session,
                details.client_id,
                provider_id=details.provider_id,
                start=details.start,
                # The front desk books (the server refuses it clinical fields): no codes or goals.
                carry_forward=self.database.charts,
                **fields,
            )
            new_id = visit.id
        self.visit_added.emit(details.client_id, new_id)
        return new_id

    def remove_visit(self, client_id: str, visit_id: str) -> None:
        """Take back a just-opened draft visit that nothing was charted on."""
        with self.database.write() as session:
            remove_new_visit(session, visit_id)
        self.visit_removed.emit(client_id, visit_id)

    def record_view(self, client_id: str, visit_id: str | None = None, detail: str = "") -> bool:
        """Put an access to a client's record in the audit log; returns whether it was written.

        A failure is logged, not shown: the therapist may go on reading, and the next access
        is logged again.
        """
        try:
            with self.database.write() as session:
                audit.record(
                    session,
                    audit.AuditAction.VIEW,
                    client_id=client_id,
                    visit_id=visit_id,
                    detail=detail,
                )
        except WRITE_ERRORS as exc:
            log.warning("could not log viewing client %s: %s", client_id, exc)
            return False
        return True

    def report(self, exc: Exception) -> None:
        """Tell the user that an action could not be done."""
        self.problem_reported.emit(describe_error(exc))
