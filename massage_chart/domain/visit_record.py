"""A visit's own fields as one plain value, each declared once with what seals it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from massage_chart.domain.measures import Goal, RangeOfMotion, Tolerance
from massage_chart.domain.record_kinds import VisitStatus

SEALED_SINCE = "sealed_since"
"""Field metadata: the content-hash version from which a signature covers the field as itself."""

SEALED_WHEN_FILLED = "sealed_when_filled"
"""Field metadata: a list added to a hash version after notes were signed with it, sealed only
when it holds entries. Every earlier signature (made when it did not exist, so empty) still
verifies, and an entry added to, or removed from, a signed note still breaks its seal: an empty
list and an absent one are the same content."""

NOTED = "noted"
"""Field metadata: the note editor writes the field (every other field is set by the program)."""


@dataclasses.dataclass(frozen=True)
class VisitRecord:
    """The visit's own fields: times, provider, the SOAP note and its sub-fields, scores, signature.

    A field sealed by the content hash declares the hash version it is sealed from
    (``sealed_since``). The field list of an existing version never changes, so signed visits
    keep verifying; a new sealed field is declared here with the next version, and that version
    becomes the current one. Marks, billing lines and overrides are sealed beside these fields.
    """

    id: str = dataclasses.field(metadata={SEALED_SINCE: 1})
    client_id: str = dataclasses.field(metadata={SEALED_SINCE: 1})
    provider_id: str | None = dataclasses.field(metadata={SEALED_SINCE: 1})
    start: dt.datetime = dataclasses.field(metadata={SEALED_SINCE: 1})
    end: dt.datetime | None = dataclasses.field(metadata={SEALED_SINCE: 1, NOTED: True})
    status: VisitStatus = VisitStatus.DRAFT
    chief_complaint: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    health_update: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    subjective: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    objective: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    assessment: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    plan: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    pain_best: int | None = dataclasses.field(default=None, metadata={SEALED_SINCE: 2, NOTED: True})
    pain_worst: int | None = dataclasses.field(
        default=None, metadata={SEALED_SINCE: 2, NOTED: True}
    )
    functional_limits: str = dataclasses.field(default="", metadata={SEALED_SINCE: 2, NOTED: True})
    response: str = dataclasses.field(default="", metadata={SEALED_SINCE: 2, NOTED: True})
    progress_toward_goals: str = dataclasses.field(
        default="", metadata={SEALED_SINCE: 2, NOTED: True}
    )
    frequency: str = dataclasses.field(default="", metadata={SEALED_SINCE: 2, NOTED: True})
    home_care: str = dataclasses.field(default="", metadata={SEALED_SINCE: 2, NOTED: True})
    referrals_out: str = dataclasses.field(default="", metadata={SEALED_SINCE: 2, NOTED: True})
    next_visit: str = dataclasses.field(default="", metadata={SEALED_SINCE: 2, NOTED: True})
    pain_before: int | None = dataclasses.field(
        default=None, metadata={SEALED_SINCE: 1, NOTED: True}
    )
    pain_after: int | None = dataclasses.field(
        default=None, metadata={SEALED_SINCE: 1, NOTED: True}
    )
    techniques: tuple[str, ...] = dataclasses.field(
        default=(), metadata={SEALED_SINCE: 1, NOTED: True}
    )
    pressure: int | None = dataclasses.field(default=None, metadata={SEALED_SINCE: 1, NOTED: True})
    positioning: str = dataclasses.field(default="", metadata={SEALED_SINCE: 1, NOTED: True})
    icd10_codes: tuple[str, ...] = dataclasses.field(
        default=(), metadata={SEALED_SINCE: 1, NOTED: True}
    )
    range_of_motion: tuple[RangeOfMotion, ...] = dataclasses.field(
        default=(), metadata={SEALED_SINCE: 2, SEALED_WHEN_FILLED: True, NOTED: True}
    )
    tolerances: tuple[Tolerance, ...] = dataclasses.field(
        default=(), metadata={SEALED_SINCE: 2, SEALED_WHEN_FILLED: True, NOTED: True}
    )
    goals: tuple[Goal, ...] = dataclasses.field(
        default=(), metadata={SEALED_SINCE: 2, SEALED_WHEN_FILLED: True, NOTED: True}
    )
    signed_by_id: str | None = dataclasses.field(default=None, metadata={SEALED_SINCE: 1})
    signed_at: dt.datetime | None = dataclasses.field(default=None, metadata={SEALED_SINCE: 1})
    hash_version: int | None = None
    content_hash: str | None = None


def sealed_when_filled() -> frozenset[str]:
    """The sealed lists that the content hash covers only when they hold entries."""
    return frozenset(
        field.name
        for field in dataclasses.fields(VisitRecord)
        if field.metadata.get(SEALED_WHEN_FILLED)
    )


def noted_fields() -> tuple[str, ...]:
    """The visit fields the note editor (and the command line's note commands) write."""
    return tuple(
        field.name for field in dataclasses.fields(VisitRecord) if field.metadata.get(NOTED)
    )


def sealed_fields(version: int) -> tuple[str, ...]:
    """The visit fields a signature of hash ``version`` covers as fields of their own."""
    return tuple(
        field.name
        for field in dataclasses.fields(VisitRecord)
        if SEALED_SINCE in field.metadata and field.metadata[SEALED_SINCE] <= version
    )


CURRENT_HASH_VERSION: int = max(
    field.metadata[SEALED_SINCE]
    for field in dataclasses.fields(VisitRecord)
    if SEALED_SINCE in field.metadata
)
"""The hash version new signatures use: the newest version any declared field is sealed from."""
