"""A visit note completed as a therapist would before signing: S, O, A, P, pain, time out, billing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.orm import Session

from massage_chart.domain.record_kinds import PayerType
from massage_chart.storage.client_records import (
    BillingLineData,
    replace_billing_lines,
    update_visit_note,
    visit_unit_rule,
)
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.note.editor import VisitNoteEditor

COMPLETE_NOTE: dict[str, Any] = {
    "subjective": "Neck pain 6/10 on waking; stiff turning left.",
    "objective": "Hypertonic right upper trapezius; trigger point reproduces the headache.",
    "assessment": "Tolerated treatment well; rotation improved, pain 3/10 after.",
    "plan": "Weekly for four weeks; chin tucks twice daily.",
    "pain_before": 6,
    "pain_after": 3,
}
"""Note fields that pass every signing rule."""


def complete_the_note(session: Session, visit_id: str, *, minutes: int = 60) -> None:
    """Fill what the signing rules ask for; a visit billed to a payer also gets M54.2 and a
    97140 line (fields already written are kept)."""
    visit = get_visit(session, visit_id)
    fields: dict[str, Any] = {
        name: value for name, value in COMPLETE_NOTE.items() if getattr(visit, name) in ("", None)
    }
    if visit.end is None:
        fields["end"] = visit.start + dt.timedelta(minutes=minutes)
    _rule, payer = visit_unit_rule(session, visit)
    if payer is not PayerType.SELF_PAY and not visit.icd10_codes:
        fields["icd10_codes"] = ["M54.2"]
    update_visit_note(session, visit_id, **fields)
    if payer is not PayerType.SELF_PAY and not visit.billing_lines:
        timed = minutes - 7
        units = (timed - 8) // 15 + 1
        replace_billing_lines(
            session,
            visit_id,
            [BillingLineData("97140", minutes=timed, units=units, diagnosis_pointers=(1,))],
        )


def sign_by_button(qtbot: QtBot, editor: VisitNoteEditor, *, confirm: bool = True) -> str | None:
    """Press Sign note as a therapist does: when the rules let it through, the "Sign this
    note?" summary opens, and is confirmed (or cancelled); when they do not, the refusal is on
    the note. Returns the summary's text, or None when signing was refused before it."""
    editor.sign_problem.hide()
    qtbot.mouseClick(editor.sign_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.sign_box is not None or not editor.sign_problem.isHidden())
    box = editor.sign_box
    if box is None:
        return None
    text = box.text() + "\n" + box.informativeText()
    button = editor.confirm_sign_button if confirm else box.button(box.StandardButton.Cancel)
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.sign_box is None)
    return text
