"""A note's draft as data: kept, compared with the note as saved, and read back."""

from __future__ import annotations

import json

from massage_chart.storage.client_records import BillingLineData
from massage_chart.storage.note_drafts import (
    draft_billing_lines,
    note_draft_changes,
    note_draft_fields,
)

SAVED = {"subjective": "Neck stiff", "objective": "", "techniques": ["Swedish"], "pain_before": 6}
LINES = [BillingLineData("97140", minutes=23, units=2, modifiers=("GP",), diagnosis_pointers=(1,))]


def test_a_draft_survives_json_and_gives_back_its_billing_lines() -> None:
    fields = json.loads(json.dumps(note_draft_fields(SAVED, LINES)))  # as the store keeps it

    assert fields["values"] == SAVED
    assert draft_billing_lines(fields) == LINES
    assert note_draft_changes(fields, SAVED, LINES) == []


def test_the_changes_name_each_section_typed_and_the_billing() -> None:
    typed = SAVED | {"subjective": "Neck stiff, worse after driving", "techniques": ["MFR", "TrP"]}
    fields = note_draft_fields(typed, [*LINES, BillingLineData("97124", minutes=15, units=1)])

    assert note_draft_changes(fields, SAVED, LINES) == [
        "Subjective: Neck stiff, worse after driving",
        "Techniques: MFR, TrP",
        "Billing lines changed",
    ]


def test_a_section_the_draft_left_empty_is_no_change() -> None:
    fields = note_draft_fields(SAVED | {"subjective": ""}, LINES)
    assert note_draft_changes(fields, SAVED, LINES) == []


def test_an_old_draft_without_billing_reads_as_none() -> None:
    assert draft_billing_lines({"values": SAVED}) == []
    assert note_draft_changes({"values": SAVED}, SAVED, LINES) == []
