"""A SOAP note's draft as data: what the editor keeps while typing, how a kept draft differs from
the note as saved, and its billing lines read back (pure Python, no Qt)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from massage_chart.domain.measures import STRUCTURED_FIELDS, describe_entries
from massage_chart.storage.client_records import BillingLineData


def note_draft_fields(
    values: Mapping[str, Any], lines: Sequence[BillingLineData]
) -> dict[str, Any]:
    """What a note's draft keeps: every field as on screen, and the billing lines."""
    return {"values": dict(values), "billing": [dataclasses.asdict(line) for line in lines]}


def note_draft_changes(
    fields: Mapping[str, Any],
    saved_values: Mapping[str, Any],
    saved_billing: Sequence[BillingLineData],
) -> list[str]:
    """Where a kept draft differs from the note as saved, as "Section: text" lines (a section
    the draft left empty is no change); "Billing lines changed" when its lines differ."""
    values = fields.get("values") or {}
    changes = []
    for key, value in values.items():
        if key in saved_values and saved_values[key] != value and value:
            name = key.replace("_", " ").capitalize()
            if key in STRUCTURED_FIELDS:
                text = describe_entries(key, value)
            else:
                text = ", ".join(map(str, value)) if isinstance(value, list) else value
            changes.append(f"{name}: {text}")
    # Read back as lines: the file keeps lists where the lines hold tuples.
    if fields.get("billing") is not None and draft_billing_lines(fields) != list(saved_billing):
        changes.append("Billing lines changed")
    return changes


def draft_billing_lines(fields: Mapping[str, Any]) -> list[BillingLineData]:
    """A kept draft's billing lines, as the editor holds them."""
    return [
        BillingLineData(
            cpt=str(line["cpt"]),
            minutes=int(line.get("minutes", 0)),
            units=int(line.get("units", 0)),
            modifiers=tuple(str(m) for m in line.get("modifiers", ())),
            diagnosis_pointers=tuple(int(p) for p in line.get("diagnosis_pointers", ())),
        )
        for line in fields.get("billing") or []
    ]
