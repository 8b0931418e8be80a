"""The content hash that seals a signed visit: a SHA-256 digest of its canonical JSON.

The canonical content has versions (``Visit.hash_version``). Version 1, for visits signed before
schema 0005, holds the overrides and SOAP sub-fields as the lines of text they were then, rebuilt
from the columns; version 2 holds them as fields of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from massage_chart.domain.marks import SEALED_MARK_FIELDS, SEALED_UNLESS_MARK_FIELDS
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.domain.sign_rules import NoteToSign, SignProblem, describe_problems
from massage_chart.domain.visit_record import sealed_fields, sealed_when_filled
from massage_chart.storage.mapping import visit_record_of
from massage_chart.storage.models import CURRENT_HASH_VERSION, Visit
from massage_chart.storage.text_form import SECTION_FIELDS, SUB_FIELDS, join_overrides, section_text


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _sealed_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else _iso(value)


def visit_text_form(visit: Visit) -> dict[str, str]:
    """The health update and the three sections with overrides and sub-fields as lines of text.

    This is what hash version 1 covers, and how the note shows and prints them.
    """
    sub_fields = {name: getattr(visit, name) for name in SUB_FIELDS}
    overrides = [(o.code, o.reason) for o in sorted(visit.overrides, key=lambda o: o.position)]
    texts = {"health_update": join_overrides(visit.health_update, overrides)}
    for section in SECTION_FIELDS:
        texts[section] = section_text(section, getattr(visit, section), sub_fields)
    return texts


def visit_canonical_content(visit: Visit) -> dict[str, Any]:
    """Everything a signature covers: times, provider, note, scores, codes, marks and billing.

    Version 2 (``visit.hash_version``) adds the SOAP sub-fields, the stop/refer overrides and the
    version itself; version 1 folds the first two into the text, as they were stored then.
    """
    record = visit_record_of(visit)  # read once: ``check`` hashes every signed visit
    content = _common_content(visit, record)
    version = visit.hash_version or CURRENT_HASH_VERSION
    if version == 1:
        content.update(visit_text_form(visit))
        return content
    content["hash_version"] = version
    content.update(
        {
            name: _sealed_value(getattr(record, name))
            for name in sealed_fields(version)
            if name not in content
        }
    )
    for name in sealed_when_filled() & content.keys():
        stored = list(getattr(visit, name) or [])
        if stored:  # sealed as stored, entry by entry, whatever this version reads
            content[name] = stored
        else:  # as every note signed before the list existed was sealed
            del content[name]
    content["overrides"] = sorted(
        ({"code": o.code, "reason": o.reason} for o in visit.overrides),
        key=lambda override: override["code"],
    )
    return content


def _sealed_unless(mark: Any) -> dict[str, Any]:
    """A mark's fields sealed only when they do not hold their old value (its atlas version from
    version 2 on), so notes signed before the field existed keep their hash."""
    values = {name: getattr(mark, name) for name in SEALED_UNLESS_MARK_FIELDS}
    # A row not yet written holds None where the column's default (the old value) will go.
    return {
        name: value
        for name, value in values.items()
        if value is not None and value != SEALED_UNLESS_MARK_FIELDS[name]
    }


def _common_content(visit: Visit, record: Any) -> dict[str, Any]:
    content: dict[str, Any] = {
        name: _sealed_value(getattr(record, name)) for name in sealed_fields(1)
    }
    return content | {
        # The rows' own values (the kind's text, the points as stored), as every version sealed.
        "marks": sorted(
            (
                {name: getattr(m, name) for name in SEALED_MARK_FIELDS} | _sealed_unless(m)
                for m in visit.marks
            ),
            key=lambda mark: str(mark["id"]),
        ),
        "billing": [
            {
                "cpt": line.cpt,
                "minutes": line.minutes,
                "units": line.units,
                "modifiers": list(line.modifiers or []),
                "diagnosis_pointers": list(line.diagnosis_pointers or []),
            }
            for line in sorted(visit.billing_lines, key=lambda line: line.position)
        ],
    }


def visit_content_hash(visit: Visit) -> str:
    """The SHA-256 hex digest of the visit's canonical content."""
    payload = json.dumps(
        visit_canonical_content(visit), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


SIGNED_BATCH = 500
"""Signed visits read at a time by a walk over all of them: few queries, memory that stays flat."""


def signed_visits(session: Session) -> Iterator[Visit]:
    """Every signed visit, oldest first, with what its hash covers (marks, billing, overrides),
    read a batch at a time: three queries a batch rather than three a visit. Each batch is
    let go of (expunged) once walked, so keep nothing of it but values."""
    ids = list(
        session.scalars(
            select(Visit.id)
            .where(Visit.status == VisitStatus.SIGNED)
            .order_by(Visit.start, Visit.id)
        )
    )
    for first in range(0, len(ids), SIGNED_BATCH):
        yield from session.scalars(
            select(Visit)
            .where(Visit.id.in_(ids[first : first + SIGNED_BATCH]))
            .options(
                selectinload(Visit.marks),
                selectinload(Visit.billing_lines),
                selectinload(Visit.overrides),
            )
            .order_by(Visit.start, Visit.id)
        ).all()
        session.expunge_all()


def verify_visit_hash(visit: Visit) -> bool:
    """Whether a signed visit still matches the hash sealed at signing."""
    return visit.content_hash is not None and visit.content_hash == visit_content_hash(visit)


class SignRefusedError(ValueError):
    """The signing rules refused a note; ``problems`` lists why (blocking ones first).

    Attributes:
        visit_id: the visit that was not signed.
        problems: every problem found, blocking and warnings.
    """

    def __init__(self, visit_id: str, problems: Sequence[SignProblem]) -> None:
        self.visit_id = visit_id
        self.problems = tuple(problems)
        shown = self.blocking or self.problems
        what = "cannot be signed" if self.blocking else "is likely to be denied"
        super().__init__(f"The note {what}:\n{describe_problems(shown)}")

    @property
    def blocking(self) -> tuple[SignProblem, ...]:
        """The problems that no "sign anyway" passes."""
        return tuple(problem for problem in self.problems if problem.blocking)

    @property
    def warnings(self) -> tuple[SignProblem, ...]:
        """The problems that "sign anyway" accepts."""
        return tuple(problem for problem in self.problems if not problem.blocking)


def note_to_sign(
    visit: Visit,
    signer_id: str | None,
    *,
    billing_errors: Sequence[str] = (),
    unresolved_alerts: Sequence[str] = (),
    billed_to_insurer: bool = False,
    authorisation_problems: Sequence[str] = (),
    written_by_student: bool = False,
) -> NoteToSign:
    """The visit as the signing rules read it; what the visit row cannot tell is passed in.

    A section counts with its sub-fields ("Response: ..." fills the Assessment).
    """
    sub_fields = {name: getattr(visit, name) for name in SUB_FIELDS}
    return NoteToSign(
        signer_id=signer_id,
        start=visit.start,
        end=visit.end,
        subjective=section_text("subjective", visit.subjective or "", sub_fields),
        objective=visit.objective or "",
        assessment=section_text("assessment", visit.assessment or "", sub_fields),
        plan=section_text("plan", visit.plan or "", sub_fields),
        pain_before=visit.pain_before,
        pain_after=visit.pain_after,
        icd10_codes=tuple(str(code) for code in visit.icd10_codes or ()),
        cpt_codes=tuple(line.cpt for line in visit.billing_lines),
        billing_errors=tuple(billing_errors),
        marks_confirmed=tuple(mark.confirmed is not False for mark in visit.marks),
        unresolved_alerts=tuple(unresolved_alerts),
        billed_to_insurer=billed_to_insurer,
        authorisation_problems=tuple(authorisation_problems),
        written_by_student=written_by_student,
        supervisor_id=visit.supervisor_id,
    )


def sign_visit(visit: Visit, signer_id: str, signed_at: dt.datetime) -> None:
    """Seal a draft visit with the signer, the time and the content hash, in one flush.

    This only seals: the signing rules are run by ``records.sign_and_record``, the one way the
    window, the command line and the demo sign a note.

    Raises:
        ValueError: the visit is already signed.
    """
    if visit.status is VisitStatus.SIGNED:
        raise ValueError("This visit is already signed.")
    visit.signed_by_id = signer_id
    visit.signed_at = signed_at
    digest = visit_content_hash(visit)  # may autoflush: the visit is still a draft here
    visit.content_hash = digest
    visit.status = VisitStatus.SIGNED
