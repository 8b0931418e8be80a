"""Outcome measures on file: recorded as answer sheets, corrected by replacement, read as scores.

Every road records through ``record_outcome`` (the client's form in the window, paper typed in,
the command line), which checks the answers against the measure and writes an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from massage_chart.domain import limits
from massage_chart.domain.outcomes import Measure, OutcomeChange, OutcomeError, measure
from massage_chart.storage import audit
from massage_chart.storage.models import OutcomeRecord, PainMapRecord
from massage_chart.storage.repositories import NotFoundError, get_client, get_visit

SOURCES = {
    "client": "completed by the client on this computer",
    "paper": "typed in from the client's paper form",
}
"""How an answer sheet reached the record, and how to say it."""


@dataclass(frozen=True)
class OutcomeEntry:
    """One answer sheet on file, with its score computed from the answers.

    Attributes:
        replaces_id: the earlier sheet this one corrects, if any.
    """

    id: str
    client_id: str
    visit_id: str | None
    measure: Measure
    answers: tuple[int, ...]
    activities: tuple[str, ...]
    source: str
    taken_on: dt.date
    recorded_at: dt.datetime
    replaces_id: str | None
    reason: str

    @property
    def score(self) -> float:
        """The score by the measure's published rule."""
        return self.measure.score(self.answers)


def _entry(row: OutcomeRecord) -> OutcomeEntry:
    return OutcomeEntry(
        id=row.id,
        client_id=row.client_id,
        visit_id=row.visit_id,
        measure=measure(row.measure),
        answers=tuple(int(a) for a in row.answers),
        activities=tuple(str(a) for a in row.activities or ()),
        source=row.source,
        taken_on=row.taken_on,
        recorded_at=row.recorded_at,
        replaces_id=row.replaces_id,
        reason=row.reason,
    )


def sheet_problem(
    chosen: Measure,
    answers: Sequence[int],
    activities: Sequence[str],
    source: str,
    reason: str = "",
) -> str:
    """What is wrong with an answer sheet of ``chosen`` in words, or "" when it can be filed.

    The one check of every road in: the window's form, paper typed in, a chart file.
    """
    problem = chosen.answer_problem(list(answers), list(activities))
    if problem:
        return problem
    if source not in SOURCES:
        return f"Say how the answers were given ({', '.join(SOURCES)})."
    for name in activities:
        text_problem = limits.fields_problem(limits.OUTCOME, {"activity": name.strip()})
        if text_problem:
            return text_problem
    return limits.fields_problem(limits.OUTCOME, {"reason": reason.strip()}) or ""


def replacement_problem(
    session: Session,
    model: type[OutcomeRecord] | type[PainMapRecord],
    client_id: str,
    replaces_id: str | None,
    reason: str,
) -> str:
    """What is wrong with a correction of a record filed once (an answer sheet, a pain map),
    in words; "" when it may be filed (or it corrects nothing).

    Raises:
        NotFoundError: no record of the client has that id.
    """
    if replaces_id is None:
        return ""
    owner = session.scalar(select(model.client_id).where(model.id == replaces_id))
    if owner != client_id:
        raise NotFoundError(f"No record {replaces_id} of this client.")
    if session.scalar(select(model.id).where(model.replaces_id == replaces_id)):
        return "That record was corrected already; correct the newer one."
    if not reason.strip():
        return "Say why it is corrected."
    return ""


def record_outcome(
    session: Session,
    client_id: str,
    code: str,
    answers: Sequence[int],
    *,
    taken_on: dt.date,
    source: str,
    activities: Sequence[str] = (),
    visit_id: str | None = None,
    recorded_by_id: str | None = None,
    replaces_id: str | None = None,
    reason: str = "",
) -> OutcomeEntry:
    """Check and file one answer sheet, and audit it, in the caller's write session.

    Raises:
        OutcomeError: an unknown measure, answers that cannot be scored, unnamed activities,
            an unknown source, a correction without its reason or of a sheet already corrected.
        NotFoundError: no client, visit or replaced sheet has that id.
    """
    chosen = measure(code)
    problem = sheet_problem(chosen, answers, activities, source, reason)
    if problem:
        raise OutcomeError(problem)
    names = [a.strip() for a in activities]
    client = get_client(session, client_id)
    if visit_id is not None and get_visit(session, visit_id).client_id != client_id:
        raise OutcomeError("That visit is another client's.")
    problem = replacement_problem(session, OutcomeRecord, client_id, replaces_id, reason)
    if problem:
        raise OutcomeError(problem.replace("record", "answer sheet"))
    row = OutcomeRecord(
        client_id=client.id,
        visit_id=visit_id,
        measure=chosen.code,
        measure_version=chosen.version,
        answers=[int(a) for a in answers],
        activities=names,
        source=source,
        taken_on=taken_on,
        recorded_by_id=recorded_by_id,
        replaces_id=replaces_id,
        reason=reason.strip(),
    )
    session.add(row)
    session.flush()
    entry = _entry(row)
    what = "corrected" if replaces_id else "recorded"
    audit.record(
        session,
        audit.AuditAction.CREATE,
        actor=recorded_by_id,
        client_id=client.id,
        visit_id=visit_id,
        detail=(
            f"outcome {chosen.code} v{chosen.version} {what}: "
            f"{chosen.format_score(entry.score)} ({SOURCES[source]})"
        ),
    )
    return entry


def list_outcomes(
    session: Session, client_id: str, *, code: str | None = None, include_replaced: bool = False
) -> list[OutcomeEntry]:
    """A client's answer sheets, oldest first (by the day taken, then when recorded).

    Sheets that a correction replaced are left out unless ``include_replaced``.
    """
    query = select(OutcomeRecord).where(OutcomeRecord.client_id == client_id)
    if code is not None:
        query = query.where(OutcomeRecord.measure == code)
    rows = list(session.scalars(query.order_by(OutcomeRecord.taken_on, OutcomeRecord.recorded_at)))
    if not include_replaced:
        replaced = {row.replaces_id for row in rows if row.replaces_id}
        rows = [row for row in rows if row.id not in replaced]
    return [_entry(row) for row in rows]


class _Filed(Protocol):
    """A record filed once and corrected by replacement (an answer sheet, a pain map)."""

    @property
    def id(self) -> str: ...
    @property
    def taken_on(self) -> dt.date: ...
    @property
    def recorded_at(self) -> dt.datetime: ...
    @property
    def replaces_id(self) -> str | None: ...


F = TypeVar("F", bound=_Filed)


def as_on_file(
    entries: Sequence[F], day: dt.date, signed_at: dt.datetime | None
) -> tuple[list[F], bool]:
    """The records taken by ``day`` as they stood when a note was signed (``signed_at``; now
    when None), corrections applied; and whether one counted has been corrected since.

    A signed note prints what was on file when it was signed, so its printout never changes.
    """
    rows = [entry for entry in entries if entry.taken_on <= day]
    counted = [r for r in rows if signed_at is None or r.recorded_at <= signed_at]
    replaced = {r.replaces_id for r in counted if r.replaces_id}
    counted = [r for r in counted if r.id not in replaced]
    later = {r.replaces_id for r in rows if r not in counted and r.replaces_id}
    return counted, any(r.id in later for r in counted)


def outcome_changes(
    session: Session, client_id: str, day: dt.date, signed_at: dt.datetime | None
) -> tuple[list[OutcomeChange], bool]:
    """Each measure's first score and its latest taken by ``day``, as the note prints them.

    For a signed note (``signed_at``), only the sheets on file when it was signed count, so
    the printed note never changes; the second value says whether a sheet it counts has been
    corrected since (a reviewer is told to look at the outcome record).
    """
    counted, corrected_since = as_on_file(
        list_outcomes(session, client_id, include_replaced=True), day, signed_at
    )
    by_measure: dict[str, list[OutcomeEntry]] = {}
    for entry in counted:
        by_measure.setdefault(entry.measure.code, []).append(entry)
    changes = []
    for entries in by_measure.values():
        entries.sort(key=lambda e: (e.taken_on, e.recorded_at))
        first, latest = entries[0], entries[-1]
        changes.append(
            OutcomeChange(first.measure, first.score, first.taken_on, latest.score, latest.taken_on)
        )
    return changes, corrected_since
