"""Undoable chart edits: add, remove, edit and move a mark; each commits before it returns.

A step that cannot be saved (the visit was signed meanwhile, the database is locked) is reported
and the command marks itself obsolete so the undo stack drops it; a command that was never done
is never undone, so the chart and the database stay the same.

Undo never restores stale data: each step keeps what the database held just before it was done
(a removed mark as it was when removed, an edit's values as they were before that edit), and a
step made before the chart was read again after a change elsewhere stands aside.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from massage_chart.domain.marks import MarkData
from massage_chart.domain.placement import PlacementError
from massage_chart.storage.database import DATABASE_ERRORS
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.marks import ChartChangedElsewhereError, MarkError
from massage_chart.storage.repositories import NotFoundError
from massage_chart.ui.undo import UndoStep

if TYPE_CHECKING:
    from massage_chart.ui.chart.visit_document import ChartDocument

#: What a chart write may raise; the database is left as it was and the user is told.
CHART_ERRORS: tuple[type[Exception], ...] = (
    *DATABASE_ERRORS,
    SignedVisitError,
    NotFoundError,
    MarkError,
    PlacementError,
    ChartChangedElsewhereError,
)

STOOD_ASIDE = (
    "That step was made before the chart was read again after a change elsewhere, so it is not "
    "undone or redone: the chart shows what is saved."
)

Point = tuple[float, float]


def _describe(document: ChartDocument, mark: MarkData) -> str:
    return f"{mark.kind.legend.code} {document.where(mark) or 'off the body'}"


class _ChartCommand(UndoStep):
    """A chart edit that knows whether it is done, so a failed step is never undone."""

    errors = CHART_ERRORS

    def __init__(self, document: ChartDocument, text: str) -> None:
        super().__init__(text, done=False)
        self._document = document
        self._generation = document.generation
        self._tried = False

    def _report(self, exc: Exception) -> None:
        self._document.report(exc)

    def _may_step(self) -> bool:
        """Whether the chart is as it was read when this step was made (no reload since)."""
        if self._generation != self._document.generation:
            self.setObsolete(True)
            if self._tried:  # a later undo or redo; a step cut short by the change is already told
                self._document.problem_reported.emit(STOOD_ASIDE)
            return False
        self._tried = True
        return True


class AddMarkCommand(_ChartCommand):
    """Chart a mark; undo removes it; redo re-creates the same row (same id), as it was when
    undone."""

    def __init__(self, document: ChartDocument, data: MarkData) -> None:
        super().__init__(document, f"Add {_describe(document, data)}")
        self.data = data

    def _do(self) -> None:
        self._document.insert_mark(self.data)

    def _undo(self) -> None:
        self.data = self._document.delete_mark(self.data.id)


class RemoveMarkCommand(_ChartCommand):
    """Remove a mark; undo puts the same row back as the database held it when removed."""

    def __init__(self, document: ChartDocument, data: MarkData) -> None:
        super().__init__(document, f"Remove {_describe(document, data)}")
        self.data = data

    def _do(self) -> None:
        self.data = self._document.delete_mark(self.data.id)

    def _undo(self) -> None:
        self._document.insert_mark(self.data)


class EditMarkCommand(_ChartCommand):
    """Change fields of a mark (intensity, note, pressure, ...); undo puts back the values the
    database held just before the change."""

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
        stored = self._document.update_mark(self.mark_id, self.after)
        self.before = {name: getattr(stored, name) for name in self.after}

    def _undo(self) -> None:
        self._document.update_mark(self.mark_id, self.before)


class MoveMarkCommand(_ChartCommand):
    """Move a mark (a whole drag is one command, pushed at mouse release); undo puts it back
    where the database held it just before the move."""

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
        self.before = self._document.set_points(self.mark_id, self.after).points

    def _undo(self) -> None:
        self._document.set_points(self.mark_id, self.before)
