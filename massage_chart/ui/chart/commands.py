"""Undoable chart edits: add, remove, edit and move a mark; each commits before it returns.

A step that cannot be saved (the visit was signed meanwhile, the database is locked) is reported
and the command marks itself obsolete so the undo stack drops it; a command that was never done
is never undone, so the chart and the database stay the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand
from sqlalchemy.exc import SQLAlchemyError

from massage_chart.domain.placement import PlacementError
from massage_chart.storage.database import StorageError
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.marks import MarkData, MarkError
from massage_chart.storage.repositories import NotFoundError

if TYPE_CHECKING:
    from massage_chart.ui.chart.document import ChartDocument

#: What a chart write may raise; the database is left as it was and the user is told.
CHART_ERRORS: tuple[type[Exception], ...] = (
    SQLAlchemyError,
    StorageError,
    SignedVisitError,
    NotFoundError,
    MarkError,
    PlacementError,
)

Point = tuple[float, float]


def _describe(document: ChartDocument, mark: MarkData) -> str:
    region = document.region_of(mark)
    where = region.label if region is not None else "off the body"
    return f"{mark.kind.legend.code} {where}"


class _ChartCommand(QUndoCommand):
    """A chart edit that knows whether it is done, so a failed step is never undone."""

    def __init__(self, document: ChartDocument, text: str) -> None:
        super().__init__(text)
        self._document = document
        self.done = False

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        """Do the step in one transaction; report and drop it if it cannot be saved."""
        if self.done:
            return
        try:
            self._do()
        except CHART_ERRORS as exc:
            self.setObsolete(True)
            self._document.report(exc)
            return
        self.done = True

    def undo(self) -> None:
        """Take the step back in one transaction; report and drop it if that cannot be saved."""
        if not self.done:
            return
        try:
            self._undo()
        except CHART_ERRORS as exc:
            self.setObsolete(True)
            self._document.report(exc)
            return
        self.done = False


class AddMarkCommand(_ChartCommand):
    """Chart a mark; undo removes it; redo re-creates the same row (same id)."""

    def __init__(self, document: ChartDocument, data: MarkData) -> None:
        super().__init__(document, f"Add {_describe(document, data)}")
        self.data = data

    def _do(self) -> None:
        self._document.insert_mark(self.data)

    def _undo(self) -> None:
        self._document.delete_mark(self.data.id)


class RemoveMarkCommand(_ChartCommand):
    """Remove a mark; undo puts the same row back."""

    def __init__(self, document: ChartDocument, data: MarkData) -> None:
        super().__init__(document, f"Remove {_describe(document, data)}")
        self.data = data

    def _do(self) -> None:
        self._document.delete_mark(self.data.id)

    def _undo(self) -> None:
        self._document.insert_mark(self.data)


class EditMarkCommand(_ChartCommand):
    """Change fields of a mark (intensity, note, pressure, ...)."""

    def __init__(
        self,
        document: ChartDocument,
        mark_id: str,
        before: Mapping[str, Any],
        after: Mapping[str, Any],
    ) -> None:
        names = ", ".join(sorted(after)).replace("_", " ")
        super().__init__(
            document, f"Change {names} of {_describe(document, document.mark(mark_id))}"
        )
        self.mark_id = mark_id
        self.before = dict(before)
        self.after = dict(after)

    def _do(self) -> None:
        self._document.update_mark(self.mark_id, self.after)

    def _undo(self) -> None:
        self._document.update_mark(self.mark_id, self.before)


class MoveMarkCommand(_ChartCommand):
    """Move a mark (a whole drag is one command, pushed at mouse release)."""

    def __init__(
        self,
        document: ChartDocument,
        mark_id: str,
        before: Sequence[Point],
        after: Sequence[Sequence[float]],
    ) -> None:
        super().__init__(document, f"Move {_describe(document, document.mark(mark_id))}")
        self.mark_id = mark_id
        self.before = tuple((float(x), float(y)) for x, y in before)
        self.after = tuple((float(p[0]), float(p[1])) for p in after)

    def _do(self) -> None:
        self._document.set_points(self.mark_id, self.after)

    def _undo(self) -> None:
        self._document.set_points(self.mark_id, self.before)
