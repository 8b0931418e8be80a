"""The one place database rows become domain values."""

from __future__ import annotations

import dataclasses
from typing import Any

from massage_chart.domain.visit_record import VisitRecord
from massage_chart.storage.models import Visit

_SEQUENCES = frozenset({"techniques", "icd10_codes"})


def visit_record_of(visit: Visit) -> VisitRecord:
    """The visit row's own fields as a ``VisitRecord``, field by declared field."""
    values: dict[str, Any] = {}
    for field in dataclasses.fields(VisitRecord):
        value = getattr(visit, field.name)
        values[field.name] = tuple(value or ()) if field.name in _SEQUENCES else value
    return VisitRecord(**values)
