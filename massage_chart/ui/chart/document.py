"""The chart of one visit as the window edits it: its marks, the undo stack, past-tense signals."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.exc import SQLAlchemyError

from massage_chart.atlas import Atlas, Region, load_atlas
from massage_chart.domain.comparison import FindingChange, compare_findings
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.placement import locate
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.marks import MarkData
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.chart.commands import (
    CHART_ERRORS,
    AddMarkCommand,
    EditMarkCommand,
    MoveMarkCommand,
    RemoveMarkCommand,
)

log = logging.getLogger(__name__)

Points = Sequence[Sequence[float]]


def describe_error(exc: Exception) -> str:
    """A sentence for the user about a chart change that could not be saved."""
    if isinstance(exc, SQLAlchemyError):
        detail = getattr(exc, "orig", None) or exc
        if "signed" in str(detail).lower():
            return "This visit is signed: its chart cannot be changed. Add an addendum instead."
        return f"The chart could not be saved: {detail}. Nothing was changed."
    return str(exc)


class ChartDocument(QObject):
    """One visit's body chart: the marks in memory mirror the database after every action.

    Every change is written in its own short transaction and committed before the method
    returns; memory changes only after the commit, so a failed write leaves no phantom mark.

    Args:
        database: the open database.
        visit_id: the visit charted.
        atlas: the body atlas (the application's by default).

    Attributes:
        undo_stack: every chart edit as a QUndoCommand (see ``commands``).
        marks: this visit's marks by id, in charting order.
        previous: the previous visit's marks (drawn as ghosts, copied forward).
        standing_avoid: the client's areas to avoid from earlier visits that still stand.
        read_only: the visit is signed; nothing can change.

    Signals:
        mark_added(mark_id): a mark was charted (or re-charted by redo/undo).
        mark_removed(mark_id): a mark was removed.
        mark_changed(mark_id): a mark's fields (intensity, note, ...) changed.
        mark_moved(mark_id): a mark's points, region and side changed.
        read_only_changed(bool): the visit turned out signed.
        problem_reported(message): a change could not be saved; the message is for the user.
    """

    mark_added = Signal(str)
    mark_removed = Signal(str)
    mark_changed = Signal(str)
    mark_moved = Signal(str)
    read_only_changed = Signal(bool)
    problem_reported = Signal(str)

    def __init__(
        self,
        database: Database,
        visit_id: str,
        atlas: Atlas | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.visit_id = visit_id
        self.atlas = atlas if atlas is not None else load_atlas()
        self.undo_stack = QUndoStack(self)
        self.marks: dict[str, MarkData] = {}
        self.previous: list[MarkData] = []
        self.previous_start: dt.datetime | None = None
        self.standing_avoid: list[MarkData] = []
        self.read_only = False
        self.client_id = ""
        self.client_name = ""
        self.visit_start: dt.datetime | None = None
        self.signed_at: dt.datetime | None = None
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the visit, its marks, the previous visit's marks and the standing avoid areas."""
        with self.database.read() as session:
            visit = get_visit(session, self.visit_id)
            self.client_id = visit.client_id
            self.client_name = visit.client.full_name
            self.visit_start = visit.start
            self.signed_at = visit.signed_at
            self.read_only = visit.is_signed
            self.marks = {m.id: m for m in store.list_marks(session, self.visit_id)}
            previous = store.previous_visit(session, self.visit_id)
            self.previous_start = previous.start if previous is not None else None
            self.previous = [] if previous is None else store.list_marks(session, previous.id)
            self.standing_avoid = store.standing_avoid_areas(session, self.visit_id)

    def mark(self, mark_id: str) -> MarkData:
        """One mark of this visit."""
        return self.marks[mark_id]

    def region_of(self, mark: MarkData) -> Region | None:
        """The atlas region a mark names."""
        if mark.region_id is None:
            return None
        return self.atlas.view(mark.view).region(mark.region_id)

    def changes(self) -> list[FindingChange]:
        """What changed since the previous visit: the comparison the note and its PDF use."""

        def finding(mark: MarkData) -> MarkFinding:
            region = self.region_of(mark)
            return store.as_finding(mark, region.label if region is not None else "")

        return compare_findings(
            [finding(m) for m in self.previous], [finding(m) for m in self.marks.values()]
        )

    def carried_ids(self) -> set[str]:
        """The previous marks this visit already carries."""
        return {m.carried_from_id for m in self.marks.values() if m.carried_from_id is not None}

    # ------------------------------------------------------------------ primitive steps
    # Used by the undo commands; each writes one transaction, then updates memory and signals.

    def insert_mark(self, data: MarkData) -> None:
        """Store a mark (with its own id) and show it."""
        with self.database.write() as session:
            store.add_mark(session, data)
        self.marks[data.id] = data
        self.mark_added.emit(data.id)

    def delete_mark(self, mark_id: str) -> None:
        """Remove a mark from the database and from the chart."""
        with self.database.write() as session:
            store.delete_mark(session, mark_id)
        del self.marks[mark_id]
        self.mark_removed.emit(mark_id)

    def update_mark(self, mark_id: str, changes: Mapping[str, Any]) -> None:
        """Change fields of a mark."""
        with self.database.write() as session:
            data = store.update_mark(session, mark_id, **changes)
        self.marks[mark_id] = data
        self.mark_changed.emit(mark_id)

    def set_points(self, mark_id: str, points: Points) -> None:
        """Move a mark; its region and side are recomputed from the atlas."""
        with self.database.write() as session:
            data = store.move_mark(session, self.atlas, mark_id, points)
        self.marks[mark_id] = data
        self.mark_moved.emit(mark_id)

    def report(self, exc: Exception) -> None:
        """Tell the user a change could not be saved; a signed visit turns the chart read-only."""
        log.info("chart change refused: %s", exc)
        signed = isinstance(exc, SignedVisitError) or "signed" in str(exc).lower()
        if signed and not self.read_only:
            self.read_only = True
            self.read_only_changed.emit(True)
        self.problem_reported.emit(describe_error(exc))

    # ------------------------------------------------------------------ user intents

    def _refuse_if_read_only(self) -> bool:
        if self.read_only:
            self.problem_reported.emit(
                "This visit is signed: its chart cannot be changed. Add an addendum instead."
            )
            return True
        return False

    def add_mark(
        self,
        kind: MarkKind,
        view: str,
        points: Points,
        *,
        whole_region: bool = False,
        **fields: Any,
    ) -> str | None:
        """Chart a new mark (one undo step); returns its id, or None if it could not be saved."""
        if self._refuse_if_read_only():
            return None
        try:
            data = store.place_mark(
                self.atlas, self.visit_id, kind, view, points, whole_region=whole_region, **fields
            )
        except CHART_ERRORS as exc:
            self.report(exc)
            return None
        if data.region_id is None:
            self.problem_reported.emit("Chart on the body: that is outside the body outline.")
            return None
        command = AddMarkCommand(self, data)
        self.undo_stack.push(command)
        return data.id if command.done else None

    def move_marks(self, moves: Mapping[str, Points]) -> None:
        """Move marks to new points (one undo step for the whole drag)."""
        if self._refuse_if_read_only() or not moves:
            return
        commands = []
        for mark_id, points in moves.items():
            mark = self.marks.get(mark_id)
            if mark is None:
                continue
            try:
                on_body = (
                    locate(
                        self.atlas, mark.view, mark.kind, points, whole_region=mark.whole_region
                    ).region
                    is not None
                )
            except CHART_ERRORS as exc:
                self.report(exc)
                continue
            if not on_body:
                self.problem_reported.emit("A mark cannot be moved off the body.")
                continue
            commands.append(MoveMarkCommand(self, mark_id, mark.points, points))
        self._push_all(commands, f"Move {len(commands)} marks")

    def edit_marks(self, mark_ids: Iterable[str], **changes: Any) -> None:
        """Change fields of one or more marks (one undo step)."""
        if self._refuse_if_read_only():
            return
        commands = []
        for mark_id in mark_ids:
            mark = self.marks.get(mark_id)
            if mark is None:
                continue
            wanted = dict(changes)
            if "intensity" in wanted and not mark.kind.legend.has_intensity:
                del wanted["intensity"]
            after = {k: v for k, v in wanted.items() if getattr(mark, k) != v}
            if after:
                before = {k: getattr(mark, k) for k in after}
                commands.append(EditMarkCommand(self, mark_id, before, after))
        names = ", ".join(sorted(changes)).replace("_", " ")
        self._push_all(commands, f"Change {names} of {len(commands)} marks")

    def delete_marks(self, mark_ids: Iterable[str]) -> None:
        """Remove marks (one undo step)."""
        if self._refuse_if_read_only():
            return
        commands = [RemoveMarkCommand(self, self.marks[i]) for i in mark_ids if i in self.marks]
        self._push_all(commands, f"Remove {len(commands)} marks")

    def confirm_marks(self, mark_ids: Iterable[str]) -> None:
        """Confirm marks copied forward."""
        self.edit_marks(mark_ids, confirmed=True)

    def copy_forward(self) -> int:
        """Bring the previous visit's marks (not yet carried) in as unconfirmed marks; returns
        how many (one undo step)."""
        if self._refuse_if_read_only():
            return 0
        carried = self.carried_ids()
        copies = store.carry_forward(
            (m for m in self.previous if m.id not in carried), self.visit_id
        )
        commands = [AddMarkCommand(self, data) for data in copies]
        self._push_all(commands, f"Copy forward {len(commands)} marks")
        return sum(1 for c in commands if c.done)

    def _push_all(self, commands: Sequence[Any], text: str) -> None:
        if not commands:
            return
        if len(commands) == 1:
            self.undo_stack.push(commands[0])
            return
        self.undo_stack.beginMacro(text)
        try:
            for command in commands:
                self.undo_stack.push(command)
        finally:
            self.undo_stack.endMacro()
