"""Marks of a visit's body chart: add, edit, move and delete, one short session per user action.

Every function takes the Session of one user action (``with database.write() as session``) and
works on ``MarkData``: a plain, immutable snapshot of a mark row that the chart window keeps in
memory. Region and client's side are always computed by ``domain.placement.locate``, never typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from massage_chart.domain.atlas import Atlas
from massage_chart.domain.atlas_moves import move_to_atlas
from massage_chart.domain.findings import MarkFinding
from massage_chart.domain.marks import MARK_FIELDS, Geometry, MarkData, MarkKind, Point, Side
from massage_chart.domain.placement import Placement, locate
from massage_chart.storage import audit
from massage_chart.storage.database import ChangedElsewhereError, Database
from massage_chart.storage.models import Mark, Visit, new_id, utc_now
from massage_chart.storage.repositories import NotFoundError, check_row

_SIDES = frozenset(side.value for side in Side)

#: The fields a therapist edits on a placed mark (everything but where it lies).
EDITABLE_FIELDS = frozenset(
    {"intensity", "deep_muscle", "technique", "minutes", "pressure", "note", "confirmed"}
)

T = TypeVar("T")
P = ParamSpec("P")


class MarkError(ValueError):
    """A mark change that does not fit the mark (a field it does not take, a value out of range)."""


def _points(raw: Iterable[Sequence[float]]) -> tuple[Point, ...]:
    return tuple((float(p[0]), float(p[1])) for p in raw)


def _text(value: str | None) -> str:
    return value or ""


def _same(value: Any) -> Any:
    return value


#: How a mark row's column becomes its field, where it is not taken as it is.
_READ_AS: dict[str, Callable[[Any], Any]] = {
    "kind": MarkKind,
    "points": _points,
    "whole_region": bool,
    "confirmed": bool,
    "deep_muscle": _text,
    "technique": _text,
    "note": _text,
}


def mark_data(mark: Mark) -> MarkData:
    """The snapshot of a stored mark, field by declared field.

    Raises:
        ValueError: the row's kind is not one this version knows.
    """
    values = {name: getattr(mark, name) for name in MARK_FIELDS}
    return MarkData(**{name: _READ_AS.get(name, _same)(value) for name, value in values.items()})


def as_finding(mark: MarkData, placement: Placement | None = None) -> MarkFinding:
    """A mark as the domain rules read it (the comparison with the previous visit, the note,
    the alerts): named after the regions holding a tenth of it or more, and checked by the alerts
    on every region it touches (``domain.placement.placement_of``)."""
    touched = [region for region, _ in placement.covered] if placement is not None else []
    return MarkFinding(
        kind=mark.kind,
        region_id=mark.region_id or "",
        region_label=placement.label if placement is not None else "",
        side=Side(mark.side) if mark.side in _SIDES else Side.MIDLINE,
        intensity=mark.intensity,
        deep_muscle=mark.deep_muscle,
        technique=mark.technique,
        minutes=mark.minutes,
        pressure=mark.pressure,
        note=mark.note,
        mark_id=mark.id,
        carried_from_id=mark.carried_from_id,
        other_regions=tuple(
            (region.id, Side(region.side)) for region in touched if region.id != mark.region_id
        ),
    )


def place_mark(
    atlas: Atlas,
    visit_id: str,
    kind: MarkKind,
    view: str,
    points: Sequence[Sequence[float]],
    *,
    whole_region: bool = False,
    mark_id: str | None = None,
    **fields: Any,
) -> MarkData:
    """A new mark (not yet stored) with its region and side computed from the atlas.

    Raises:
        PlacementError: the points do not fit the kind or lie outside the frame.
        MarkError: a field does not fit the kind.
    """
    whole = whole_region and kind.geometry is Geometry.AREA
    pts = _points(points[:1] if whole else points)
    placement = locate(atlas, view, kind, pts, whole_region=whole)
    data = MarkData(
        id=mark_id or new_id(),
        visit_id=visit_id,
        kind=kind,
        view=view,
        points=pts,
        region_id=placement.region_id,
        side=placement.side,
        whole_region=whole,
        created_at=utc_now(),
        atlas_version=atlas.version,
    )
    if fields:
        data = data.replace(**_checked(data, fields))
    return data


def _checked(data: MarkData, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Validate edits of a mark's fields; returns them normalised."""
    out: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in EDITABLE_FIELDS:
            raise MarkError(f"A mark has no editable field {name!r}.")
        if name == "intensity" and value is not None:
            if not data.kind.legend.has_intensity:
                raise MarkError(f"A {data.kind.legend.name.lower()} mark takes no intensity.")
            if not 0 <= int(value) <= 10:
                raise MarkError("Intensity is 0 to 10.")
            value = int(value)
        if name == "pressure" and value is not None and not 0 <= int(value) <= 5:
            raise MarkError("Pressure is 0 to 5 on the Walton scale.")
        if name == "minutes" and value is not None and int(value) < 0:
            raise MarkError("Minutes cannot be negative.")
        if name in ("deep_muscle", "technique", "note"):
            value = str(value or "")
        if name == "confirmed":
            value = bool(value)
        out[name] = value
    return out


def _row(session: Session, mark_id: str) -> Mark:
    mark = session.get(Mark, mark_id)
    if mark is None:
        raise NotFoundError(f"No mark with id {mark_id!r}; it may have been removed elsewhere.")
    return mark


def _audit(session: Session, visit_id: str, detail: str) -> None:
    visit = session.get(Visit, visit_id)
    audit.record(
        session,
        audit.AuditAction.CHANGE,
        client_id=visit.client_id if visit is not None else None,
        visit_id=visit_id,
        detail=detail,
    )


def _count_change(session: Session, visit_id: str) -> None:
    """Raise the visit's ``row_version`` for a change to its marks, in the same transaction.

    The ORM's version counter does it: the UPDATE names the version this session read, so a
    session that read an older one fails with StaleDataError instead of writing over a change.
    A chart open elsewhere sees the new version and reads the marks again before it writes.
    """
    visit = session.get(Visit, visit_id)
    if visit is not None:
        visit.updated_at = utc_now()
        session.flush()


def add_mark(session: Session, data: MarkData) -> MarkData:
    """Store a mark with its own id (so undo and redo re-create the same row).

    Raises:
        SignedVisitError: the visit is signed.
    """
    mark = Mark(
        id=data.id,
        visit_id=data.visit_id,
        kind=data.kind.value,
        view=data.view,
        points=[list(p) for p in data.points],
        region_id=data.region_id,
        side=data.side,
        whole_region=data.whole_region,
        intensity=data.intensity,
        deep_muscle=data.deep_muscle,
        technique=data.technique,
        minutes=data.minutes,
        pressure=data.pressure,
        note=data.note,
        confirmed=data.confirmed,
        carried_from_id=data.carried_from_id,
        created_at=data.created_at,
        atlas_version=data.atlas_version,
    )
    check_row(mark)
    session.add(mark)
    session.flush()
    _audit(session, data.visit_id, f"mark added: {data.kind.value} {data.region_id or ''}")
    _count_change(session, data.visit_id)
    return data


def update_mark(session: Session, mark_id: str, **changes: Any) -> MarkData:
    """Change editable fields of a mark (intensity, deep muscle, technique, minutes, pressure,
    note, confirmed); returns the mark as stored.

    Raises:
        MarkError: a field does not fit the mark.
        FieldRefusedError: a text is too long or holds a NUL character.
        NotFoundError: no such mark.
        SignedVisitError: the visit is signed.
    """
    mark = _row(session, mark_id)
    checked = _checked(mark_data(mark), changes)
    for name, value in checked.items():
        setattr(mark, name, value)
    check_row(mark, checked)
    session.flush()
    _audit(session, mark.visit_id, f"mark changed: {', '.join(sorted(checked))}")
    _count_change(session, mark.visit_id)
    return mark_data(mark)


def move_mark(
    session: Session, atlas: Atlas, mark_id: str, points: Sequence[Sequence[float]]
) -> MarkData:
    """Put a mark at new points, its region and side recomputed from the atlas.

    Raises:
        PlacementError: the points do not fit the kind.
        NotFoundError: no such mark.
        SignedVisitError: the visit is signed.
    """
    mark = _row(session, mark_id)
    kind = MarkKind(mark.kind)
    pts = _points(points)
    placement = locate(atlas, mark.view, kind, pts, whole_region=bool(mark.whole_region))
    mark.points = [list(p) for p in pts]
    mark.region_id = placement.region_id
    mark.side = placement.side
    mark.atlas_version = atlas.version  # the points are now of that atlas
    session.flush()
    _audit(session, mark.visit_id, f"mark moved: {kind.value} {placement.region_id or ''}")
    _count_change(session, mark.visit_id)
    return mark_data(mark)


def delete_mark(session: Session, mark_id: str) -> MarkData:
    """Remove a mark; returns what it was.

    Raises:
        NotFoundError: no such mark.
        SignedVisitError: the visit is signed.
    """
    mark = _row(session, mark_id)
    data = mark_data(mark)
    session.delete(mark)
    session.flush()
    _audit(session, data.visit_id, f"mark removed: {data.kind.value} {data.region_id or ''}")
    _count_change(session, data.visit_id)
    return data


def move_marks_to_atlas(session: Session, atlas: Atlas, visit_id: str) -> int:
    """Move an unsigned visit's marks charted on an older atlas onto ``atlas``, each on the same
    named region and side (``domain.atlas_moves``); returns how many moved.

    All or nothing: every mark is placed on ``atlas`` before any is changed.

    Raises:
        AtlasError: a mark is on a version this app does not ship, or cannot be placed on
            ``atlas`` (a mark stored malformed); nothing was changed.
        SignedVisitError: the visit is signed (a signed chart stays on its own atlas).
    """
    rows = list(
        session.scalars(
            select(Mark)
            .where(Mark.visit_id == visit_id, Mark.atlas_version != atlas.version)
            .order_by(Mark.created_at, Mark.id)
        )
    )
    placed = [move_to_atlas(mark_data(row), atlas) for row in rows]
    for row, moved in zip(rows, placed, strict=True):
        row.view = moved.view
        row.points = [list(p) for p in moved.points]
        row.region_id = moved.region_id
        row.side = moved.side
        row.atlas_version = moved.atlas_version
    if rows:
        session.flush()
        _audit(session, visit_id, f"{len(rows)} marks moved to body-chart version {atlas.version}")
        _count_change(session, visit_id)
    return len(rows)


CHANGED_ELSEWHERE = (
    "This chart was changed elsewhere (another window, program or computer) since it was read. "
    "It now shows what is saved; your last change was not made: make it again if it is still "
    "needed."
)


class ChartChangedElsewhereError(ChangedElsewhereError):
    """The visit's marks were changed elsewhere (another window, program or computer) since the
    chart last read them; nothing was written."""


def write_unless_changed(
    database: Database,
    visit_id: str,
    read: tuple[int, Mapping[str, MarkData]],
    step: Callable[Concatenate[Session, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> tuple[T, int]:
    """Run one chart change in its own transaction, unless the marks changed since they were read.

    ``step`` is one of this module's changes (``add_mark``, ``update_mark``...), called with the
    session and ``args``. ``read`` is the marks' version and the marks as the chart holds them. When the version moved
    on but the marks are the ones held (the note was edited, say), the change goes ahead.
    Returns the step's result and the marks' version after it.

    Raises:
        ChartChangedElsewhereError: the marks in the database are not the ones held; nothing
            was written.
    """
    version, marks = read

    def change(session: Session) -> tuple[T, int]:
        # Held for the transaction: the session keeps only what is referenced, and the step's
        # guard, audit and version count each read the visit again (four more queries a click).
        # Its version after the step is the one the step's UPDATE wrote (the ORM's counter).
        held = session.get(Visit, visit_id)
        if marks_version(session, visit_id) != version:
            stored = {m.id: m for m in list_marks(session, visit_id)}
            if stored != marks:
                raise ChartChangedElsewhereError(CHANGED_ELSEWHERE)
        result = step(session, *args, **kwargs)
        return result, held.row_version if held is not None else marks_version(session, visit_id)

    try:
        return database.transact(change)
    except ChartChangedElsewhereError:
        raise
    except ChangedElsewhereError as exc:  # another session wrote between our read and our write
        raise ChartChangedElsewhereError(CHANGED_ELSEWHERE) from exc


def marks_version(session: Session, visit_id: str) -> int:
    """The visit's ``row_version``: it goes up with every change to the visit and to its marks.

    Raises:
        NotFoundError: no such visit.
    """
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFoundError(f"No visit with id {visit_id!r}; it may have been removed elsewhere.")
    return visit.row_version


def list_marks(session: Session, visit_id: str) -> list[MarkData]:
    """A visit's marks, in the order they were charted."""
    rows = session.scalars(
        select(Mark).where(Mark.visit_id == visit_id).order_by(Mark.created_at, Mark.id)
    )
    return [mark_data(mark) for mark in rows]


def previous_visit(session: Session, visit_id: str) -> Visit | None:
    """The client's visit just before this one (by start time), or None."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFoundError(f"No visit with id {visit_id!r}.")
    return session.scalar(
        select(Visit)
        .where(Visit.client_id == visit.client_id, Visit.start < visit.start)
        .order_by(Visit.start.desc(), Visit.id.desc())
        .limit(1)
    )


def previous_marks(session: Session, visit_id: str) -> list[MarkData]:
    """The marks of the client's previous visit (empty when this is the first)."""
    previous = previous_visit(session, visit_id)
    return [] if previous is None else list_marks(session, previous.id)


@dataclass(frozen=True)
class EarlierMarks:
    """What a visit's chart shows of the client's earlier visits.

    Attributes:
        previous_start: when the previous visit started (None: this is the first visit).
        previous: the previous visit's marks, as charted.
        standing_avoid: the areas to avoid that still stand (``standing_avoid_areas``).
    """

    previous_start: dt.datetime | None
    previous: list[MarkData]
    standing_avoid: list[MarkData]


def earlier_marks(session: Session, visit_id: str) -> EarlierMarks:
    """The previous visit's marks and the standing areas to avoid of a visit.

    Raises:
        NotFoundError: no such visit.
    """
    previous = previous_visit(session, visit_id)
    return EarlierMarks(
        previous_start=None if previous is None else previous.start,
        previous=[] if previous is None else list_marks(session, previous.id),
        standing_avoid=standing_avoid_areas(session, visit_id),
    )


def standing_avoid_areas(session: Session, visit_id: str) -> list[MarkData]:
    """The client's areas to avoid that still stand at this visit.

    An AVOID mark of an earlier visit stands unless a later visit (before this one) carried it
    forward (the copy stands for it) or was copied forward from its visit without it (the
    therapist resolved it). AVOID marks this visit already carries are left out: they are drawn
    as this visit's own marks.

    Only the earlier AVOID marks are read, and of the copies made since only those copied from
    their visits: a long history costs two indexed queries, not a read of every mark.
    """
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFoundError(f"No visit with id {visit_id!r}.")
    earlier_visit = and_(Visit.client_id == visit.client_id, Visit.start < visit.start)
    avoid = session.execute(
        select(Mark.id, Mark.visit_id)
        .join(Visit, Visit.id == Mark.visit_id)
        .where(earlier_visit, Mark.kind == MarkKind.AVOID.value)
        .order_by(Visit.start, Mark.created_at)
    ).all()
    if not avoid:
        return []
    # The copies made at an earlier visit or this one, from the visits those areas were marked at.
    # The copies are looked for among the marks of the client's visits (by their visit's index):
    # matched on the mark they were copied from, the whole table of marks was scanned (three
    # seconds a chart opening in a ten-year clinic).
    source = aliased(Mark)
    client_visits = select(Visit.id).where(
        Visit.client_id == visit.client_id, or_(Visit.start < visit.start, Visit.id == visit_id)
    )
    copied = session.execute(
        select(source.id, source.visit_id)
        .join(Mark, Mark.carried_from_id == source.id)
        .where(
            Mark.visit_id.in_(client_visits),
            source.visit_id.in_({mark_visit for _, mark_visit in avoid}),
        )
    ).all()
    carried = {source_id for source_id, _ in copied}
    copied_from = {source_visit for _, source_visit in copied}
    # Carried forward, the copy stands for it; its visit copied forward without it, resolved.
    standing_ids = [
        mark_id
        for mark_id, mark_visit in avoid
        if mark_id not in carried and mark_visit not in copied_from
    ]
    if not standing_ids:
        return []
    rows = {m.id: m for m in session.scalars(select(Mark).where(Mark.id.in_(standing_ids)))}
    return [mark_data(rows[mark_id]) for mark_id in standing_ids]


def carry_forward(marks: Iterable[MarkData], visit_id: str) -> list[MarkData]:
    """Copies of earlier marks for this visit: new ids, unconfirmed, each naming its source."""
    now = utc_now()
    return [
        mark.replace(
            id=new_id(),
            visit_id=visit_id,
            confirmed=False,
            carried_from_id=mark.id,
            created_at=now + dt.timedelta(microseconds=index),
        )
        for index, mark in enumerate(marks)
    ]
