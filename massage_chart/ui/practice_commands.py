"""Undoable user intents of the window: New client and New visit."""

from __future__ import annotations

from massage_chart.storage.repositories import NotFoundError
from massage_chart.ui.practice_document import (
    WRITE_ERRORS,
    ClientDetails,
    PracticeDocument,
    VisitDetails,
)
from massage_chart.ui.undo import StepDroppedError, UndoStep


class _NewRecordCommand(UndoStep):
    """A record just saved, as a step of the undo stack.

    The record is saved before the command is pushed (so that a failed save keeps the dialog open
    with what was typed); the first redo() therefore does nothing. Undo takes the record back
    while nothing refers to it; redo re-creates it with the same id. A step that cannot be done
    (the database is busy, or the record is in use by now) is reported, and the command marks
    itself obsolete so that the undo stack drops it; a record already gone is dropped without a
    word. Subclasses say how to create and remove.
    """

    errors = WRITE_ERRORS

    def __init__(self, text: str, document: PracticeDocument) -> None:
        super().__init__(text, done=True)
        self._document = document

    def _create(self) -> None:
        raise NotImplementedError

    def _remove(self) -> None:
        raise NotImplementedError

    def _do(self) -> None:
        self._create()

    def _undo(self) -> None:
        try:
            self._remove()
        except NotFoundError as exc:
            raise StepDroppedError from exc

    def _report(self, exc: Exception) -> None:
        self._document.report(exc)


class NewClientCommand(_NewRecordCommand):
    """A client just saved; undo works while nothing refers to the client.

    Args:
        document: the practice.
        details: what was saved.
        client_id: the id the client was saved with.
    """

    def __init__(self, document: PracticeDocument, details: ClientDetails, client_id: str) -> None:
        super().__init__(f"New client {details.full_name}", document)
        self._details = details
        self.client_id = client_id

    def _create(self) -> None:
        self._document.add_client(self._details, self.client_id)

    def _remove(self) -> None:
        self._document.remove_client(self.client_id)


class NewVisitCommand(_NewRecordCommand):
    """A draft visit just opened; undo works while nothing is charted.

    Args:
        document: the practice.
        details: what was saved.
        visit_id: the id the visit was saved with.
        client_name: for the Undo menu ("Undo New visit for Zoë Nguyễn").
    """

    def __init__(
        self, document: PracticeDocument, details: VisitDetails, visit_id: str, client_name: str
    ) -> None:
        super().__init__(f"New visit for {client_name}", document)
        self._details = details
        self.visit_id = visit_id

    def _create(self) -> None:
        self._document.add_visit(self._details, self.visit_id)

    def _remove(self) -> None:
        self._document.remove_visit(self._details.client_id, self.visit_id)
