"""The live document of one open visit: its marks, the undo stack, past-tense signals."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QUndoStack

from massage_chart.atlas import Atlas, AtlasError, Region, load_atlas
from massage_chart.domain.atlas_moves import move_to_atlas
from massage_chart.domain.comparison import FindingChange, compare_findings
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.marks import MarkData, MarkKind
from massage_chart.domain.placement import locate, placement_of
from massage_chart.storage import marks as store
from massage_chart.storage.database import Database, driver_words
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.repositories import get_visit_row
from massage_chart.ui.chart.mark_commands import (
    CHART_ERRORS,
    AddMarkCommand,
    EditMarkCommand,
    MoveMarkCommand,
    RemoveMarkCommand,
)

log = logging.getLogger(__name__)

Points = Sequence[Sequence[float]]
T = TypeVar("T")
P = ParamSpec("P")

#: The fields that say where a mark lies; a change to them is a move, to the others an edit.
PLACE_FIELDS = ("view", "points", "region_id", "side", "whole_region")


def describe_error(exc: Exception) -> str:
    """A sentence for the user about a chart change that could not be saved."""
    detail = driver_words(exc)
    if detail is None:
        return str(exc)
    if "signed" in detail.lower():
        return "This visit is signed: its chart cannot be changed. Add an addendum instead."
    return f"The chart could not be saved: {detail}. Nothing was changed."


class ChartDocument(QObject):
    """One open visit: the marks in memory mirror the database after every action.

    The chart window, the note editor and the read-only note of a visit share one document
    (``ui.visit_documents``), so they show the same marks and one undo stack changes them.

    Every change is written in its own short transaction and committed before the method
    returns; memory changes only after the commit, so a failed write leaves no phantom mark.
    Before each write the document checks the visit's ``row_version`` (raised by every change to
    its marks): if the marks changed elsewhere since they were read, nothing is written, the
    marks are read again and ``conflict_detected`` says so.

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
        held_by: why charting is stopped for now (a stop/refer alert), or "".
        version: the visit's ``row_version`` when its marks were last read or written here.
        generation: how many times the marks were read again after a change elsewhere; an undo
            step made before the latest of those is not undone (it could restore stale data).

    Signals:
        mark_added(mark_id): a mark was charted (or re-charted by redo/undo).
        mark_removed(mark_id): a mark was removed.
        mark_changed(mark_id): a mark's fields (intensity, note, ...) changed.
        mark_moved(mark_id): a mark's points, region and side changed.
        read_only_changed(bool): the visit turned out signed.
        problem_reported(message): a change could not be saved; the message is for the user.
        conflict_detected(message): the marks had changed elsewhere: they were read again and
            the change was not made; the message is for the user.
        chart_changed(): the marks changed (once per undo step, undo, redo or reading again).
        note_saved(visit_id): the visit's note was saved (by its editor).
        note_signed(visit_id): the visit's note was signed; the document is read-only now.
        changed_elsewhere(): the visit was changed by another window, program or computer (its
            note, its marks or both); views show what they are not changing themselves.
        earlier_changed(): the previous visit's marks or the standing areas to avoid are not
            what they were (an earlier visit was changed, added or removed): read again.
    """

    mark_added = Signal(str)
    mark_removed = Signal(str)
    mark_changed = Signal(str)
    mark_moved = Signal(str)
    read_only_changed = Signal(bool)
    problem_reported = Signal(str)
    conflict_detected = Signal(str)
    chart_changed = Signal()
    note_saved = Signal(str)
    note_signed = Signal(str)
    changed_elsewhere = Signal()
    earlier_changed = Signal()

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
        # A signed chart has nothing to undo: its steps are dropped (after the step that found
        # it signed has finished, never from inside it).
        self.read_only_changed.connect(self._on_read_only_changed)
        self.marks: dict[str, MarkData] = {}
        self.previous: list[MarkData] = []
        #: The previous visit's marks as they were charted (on their own atlas version).
        self.previous_as_charted: list[MarkData] = []
        self.previous_start: dt.datetime | None = None
        self.standing_avoid: list[MarkData] = []
        self.read_only = False
        self.held_by = ""
        self.client_id = ""
        self.client_name = ""
        self.visit_start: dt.datetime | None = None
        self.signed_at: dt.datetime | None = None
        self.version = 0
        self.generation = 0
        self.undo_stack.indexChanged.connect(self._on_undo_stack_index_changed)
        self.reload()
        self._settle_atlas()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        """Read the visit, its marks, the previous visit's marks and the standing avoid areas."""
        with self.database.read() as session:
            visit = get_visit_row(session, self.visit_id)  # the marks are read just below
            self.client_id = visit.client_id
            self.client_name = visit.client.full_name
            self.visit_start = visit.start
            self.signed_at = visit.signed_at
            self.read_only = visit.is_signed
            self.version = visit.row_version
            self.marks = {m.id: m for m in store.list_marks(session, self.visit_id)}
            self._take_earlier(store.earlier_marks(session, self.visit_id))

    def _take_earlier(self, earlier: store.EarlierMarks) -> None:
        """The previous visit's marks and the client's standing areas to avoid, as read."""
        self.previous_start = earlier.previous_start
        self.previous_as_charted = earlier.previous
        self.previous = self._on_this_atlas(earlier.previous)
        self.standing_avoid = self._on_this_atlas(earlier.standing_avoid)

    def read_earlier_again(self) -> bool:
        """Read the previous visit's marks and the standing areas to avoid again (another visit
        of the client changed elsewhere); whether they changed, said with ``earlier_changed``
        and ``chart_changed`` (the note's comparison with the last visit follows).

        Raises:
            NotFoundError, StorageError or a database library error: it could not be read.
        """
        before = self._earlier()
        with self.database.read() as session:
            earlier = store.earlier_marks(session, self.visit_id)
        self._take_earlier(earlier)
        if self._earlier() == before:
            return False
        self.earlier_changed.emit()
        self.chart_changed.emit()
        return True

    def _earlier(self) -> tuple[object, ...]:
        return (self.previous_start, self.previous_as_charted, self.standing_avoid)

    def _settle_atlas(self) -> None:
        """Chart on the atlas the visit needs: a signed chart (or one held elsewhere) is shown on
        the version its marks were charted on; an editable chart charted on an older version is
        moved to the current one first, each mark on the same named region and side."""
        versions = {mark.atlas_version for mark in self.marks.values()}
        if self.read_only:
            if versions and max(versions) != self.atlas.version:
                self.atlas = load_atlas(max(versions))
                self.reload()
        elif versions - {self.atlas.version}:
            try:
                with self.database.write() as session:
                    store.move_marks_to_atlas(session, self.atlas, self.visit_id)
            except SignedVisitError:
                pass  # signed meanwhile: the reload shows it as it is
            except AtlasError:
                # A mark that cannot be placed on the current atlas (stored malformed): the
                # chart stays, whole, on the atlas it was charted on.
                self.atlas = load_atlas(max(versions))
            self.reload()
            if self.read_only:
                self._settle_atlas()

    def _on_this_atlas(self, marks: list[MarkData]) -> list[MarkData]:
        """Earlier visits' marks as they lie on this chart's atlas (shown, never stored)."""
        shown: list[MarkData] = []
        for mark in marks:
            try:
                shown.append(move_to_atlas(mark, self.atlas))
            except AtlasError:
                shown.append(mark)  # charted on a newer atlas than this signed chart's
        return shown

    def mark(self, mark_id: str) -> MarkData:
        """One mark of this visit."""
        return self.marks[mark_id]

    def region_of(self, mark: MarkData) -> Region | None:
        """The atlas region a mark names."""
        if mark.region_id is None:
            return None
        return self.atlas.view(mark.view).region(mark.region_id)

    def where(self, mark: MarkData) -> str:
        """The regions a mark lies on as the chart, the note and the PDF name them ("R upper
        trapezius and R rhomboid"); "" off the body."""
        return placement_of(self.atlas, mark).label

    def changes(self) -> list[FindingChange]:
        """What changed since the previous visit: the comparison the note and its PDF use."""

        def finding(mark: MarkData) -> MarkFinding:
            return store.as_finding(mark, placement_of(self.atlas, mark))

        return compare_findings(
            [finding(m) for m in self.previous], [finding(m) for m in self.marks.values()]
        )

    def findings(self) -> list[MarkFinding]:
        """This visit's marks as findings, in the order charted: what the note drafts from and
        the alerts check (as ``storage.client_records.visit_findings`` reads them)."""
        return self._findings(self.marks.values())

    def previous_findings(self) -> list[MarkFinding] | None:
        """The previous visit's marks as findings, as charted; None when this is the first visit
        (as ``storage.client_records.previous_visit_findings`` reads them)."""
        if self.previous_start is None:
            return None
        return self._findings(self.previous_as_charted)

    @staticmethod
    def _findings(marks: Iterable[MarkData]) -> list[MarkFinding]:
        charted = sorted(marks, key=lambda mark: (mark.created_at, mark.id))
        return [store.as_finding(mark, placement_of(load_atlas(), mark)) for mark in charted]

    def carried_ids(self) -> set[str]:
        """The previous marks this visit already carries."""
        return {m.carried_from_id for m in self.marks.values() if m.carried_from_id is not None}

    def read_again(self) -> None:
        """Read the visit again and say what changed, mark by mark, as if it had been charted."""
        before = self.marks
        earlier = self._earlier()
        was_read_only = self.read_only
        self.reload()
        if self._earlier() != earlier:
            self.earlier_changed.emit()
        for mark_id in before.keys() - self.marks.keys():
            self.mark_removed.emit(mark_id)
        for mark_id, mark in self.marks.items():
            old = before.get(mark_id)
            if old is None:
                self.mark_added.emit(mark_id)
                continue
            if any(getattr(old, f) != getattr(mark, f) for f in PLACE_FIELDS):
                self.mark_moved.emit(mark_id)
            if old.replace(**{f: getattr(mark, f) for f in PLACE_FIELDS}) != mark:
                self.mark_changed.emit(mark_id)
        if self.read_only != was_read_only:
            self.read_only_changed.emit(self.read_only)
        self.chart_changed.emit()

    # ------------------------------------------------------------------ primitive steps
    # Used by the undo commands; each writes one transaction, then updates memory and signals.
    # Each returns the mark as the database held it just before the step, so that undo puts
    # back what was there, never an older copy.

    def _write(
        self, step: Callable[Concatenate[Any, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run one chart write in its own transaction, if the marks did not change elsewhere.

        ``step`` is one of ``storage.marks``' changes, called with the session and ``args``.

        Raises:
            ChartChangedElsewhereError: the marks in the database are not the ones in memory.
        """
        result, self.version = store.write_unless_changed(
            self.database, self.visit_id, (self.version, self.marks), step, *args, **kwargs
        )
        return result

    def insert_mark(self, data: MarkData) -> None:
        """Store a mark (with its own id) and show it."""
        self._write(store.add_mark, data)
        self.marks[data.id] = data
        self.mark_added.emit(data.id)

    def delete_mark(self, mark_id: str) -> MarkData:
        """Remove a mark from the database and from the chart; returns it as it was stored."""
        removed = self._write(store.delete_mark, mark_id)
        del self.marks[mark_id]
        self.mark_removed.emit(mark_id)
        return removed

    def update_mark(self, mark_id: str, changes: Mapping[str, Any]) -> MarkData:
        """Change fields of a mark; returns the mark as it was stored before."""
        before = self.marks[mark_id]
        data = self._write(store.update_mark, mark_id, **changes)
        self.marks[mark_id] = data
        self.mark_changed.emit(mark_id)
        return before

    def set_points(self, mark_id: str, points: Points) -> MarkData:
        """Move a mark (region and side recomputed from the atlas); returns it as it was."""
        before = self.marks[mark_id]
        data = self._write(store.move_mark, self.atlas, mark_id, points)
        self.marks[mark_id] = data
        self.mark_moved.emit(mark_id)
        return before

    def report(self, exc: Exception) -> None:
        """Tell the user a change could not be saved; a signed visit turns the chart read-only,
        and marks changed elsewhere are read again (later undo steps then stand aside)."""
        log.info("chart change refused: %s", exc)
        if isinstance(exc, store.ChartChangedElsewhereError):
            self.generation += 1
            try:
                self.read_again()
            except CHART_ERRORS as again:
                self.problem_reported.emit(describe_error(again))
            self.conflict_detected.emit(str(exc))
            return
        signed = isinstance(exc, SignedVisitError) or "signed" in str(exc).lower()
        if signed and not self.read_only:
            self.read_only = True
            self.read_only_changed.emit(True)
        self.problem_reported.emit(describe_error(exc))

    @Slot(bool)
    def _on_read_only_changed(self, read_only: bool) -> None:
        if read_only:
            QTimer.singleShot(0, self.undo_stack, self.undo_stack.clear)

    # ------------------------------------------------------------------ user intents

    def _refuse_if_read_only(self) -> bool:
        if self.read_only:
            self.problem_reported.emit(
                "This visit is signed: its chart cannot be changed. Add an addendum instead."
            )
            return True
        if self.held_by:
            self.problem_reported.emit(self.held_by)
            return True
        return False

    def hold_charting(self, reason: str) -> None:
        """Stop every change to the marks while ``reason`` stands ("" lets charting go on).

        Set while a stop/refer alert has no override reason or clearance recorded; every change
        is then refused with the reason as its message.
        """
        self.held_by = reason

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
        self._push_all([command], command.text())
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
        names = ", ".join(sorted(changes)).replace("_", " ")
        self.edit_each(dict.fromkeys(mark_ids, changes), f"Change {names} of")

    def edit_each(self, changes: Mapping[str, Mapping[str, Any]], text: str) -> None:
        """Change fields of several marks, each its own way (one undo step named ``text``)."""
        if self._refuse_if_read_only():
            return
        commands = []
        for mark_id, fields in changes.items():
            mark = self.marks.get(mark_id)
            if mark is None:
                continue
            wanted = dict(fields)
            if "intensity" in wanted and not mark.kind.legend.has_intensity:
                del wanted["intensity"]
            after = {k: v for k, v in wanted.items() if getattr(mark, k) != v}
            if after:
                before = {k: getattr(mark, k) for k in after}
                commands.append(EditMarkCommand(self, mark_id, before, after))
        self._push_all(commands, f"{text} {len(commands)} marks")

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

    @Slot()
    def note_was_saved(self) -> None:
        """Tell every view of the visit that its note was saved (the note editor calls this)."""
        self.note_saved.emit(self.visit_id)

    @Slot()
    def note_was_signed(self) -> None:
        """Read the now signed visit again (the chart turns read-only) and tell every view."""
        try:
            self.read_again()
        except CHART_ERRORS as exc:
            self.problem_reported.emit(describe_error(exc))
        self.note_signed.emit(self.visit_id)

    @Slot(int)
    def _on_undo_stack_index_changed(self, _index: int) -> None:
        self.chart_changed.emit()

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
