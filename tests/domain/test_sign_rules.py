"""The signing rules: each blocking problem and each warning, found and named by its code."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from massage_chart.domain.sign_rules import (
    BilledLine,
    NoteToSign,
    SignSeverity,
    blocking_problems,
    describe_problems,
    describe_signature,
    sign_problems,
    warning_problems,
)

START = dt.datetime(2026, 11, 20, 7, 14)

COMPLETE = NoteToSign(
    signer_id="provider-1",
    start=START,
    end=START + dt.timedelta(minutes=60),
    subjective="Neck pain 6/10 after a rear-end collision; worse turning left.",
    objective="Hypertonic right upper trapezius; active trigger point reproduces the headache.",
    assessment="Pain 6/10 before, 3/10 after; rotation improved.",
    plan="Weekly for four weeks; chin tucks twice daily.",
    pain_before=6,
    pain_after=3,
    icd10_codes=("M54.2",),
    cpt_codes=("97140",),
    marks_confirmed=(True, True),
    billed_to_insurer=True,
)


def _codes(note: NoteToSign) -> dict[str, SignSeverity]:
    return {problem.code: problem.severity for problem in sign_problems(note)}


def test_a_complete_note_has_no_problems() -> None:
    assert sign_problems(COMPLETE) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"signer_id": None}, "no_signer"),
        ({"signer_id": "  "}, "no_signer"),
        ({"end": None}, "no_end_time"),
        ({"end": START - dt.timedelta(minutes=5)}, "end_not_after_start"),
        ({"end": START}, "end_not_after_start"),
        ({"subjective": " ", "objective": "\n"}, "no_subjective_or_objective"),
        ({"unresolved_alerts": ("Suspected or known blood clot (DVT)",)}, "stop_refer_alert"),
        ({"marks_confirmed": (True, False, False)}, "unconfirmed_marks"),
    ],
)
def test_each_blocking_rule(change: dict[str, object], code: str) -> None:
    note = dataclasses.replace(COMPLETE, **change)  # type: ignore[arg-type]
    problems = blocking_problems(note)
    assert [p.code for p in problems] == [code]
    assert problems[0].severity is SignSeverity.BLOCKING and problems[0].blocking
    assert _codes(note)[code] is SignSeverity.BLOCKING


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"objective": ""}, "no_objective"),
        ({"assessment": "  "}, "no_assessment"),
        ({"pain_before": None}, "no_pain_before"),
        ({"pain_after": None}, "no_pain_after"),
        ({"icd10_codes": ()}, "no_diagnosis_code"),
        ({"icd10_codes": (" ",)}, "no_diagnosis_code"),
        ({"cpt_codes": ()}, "no_billing_line"),
        ({"billing_errors": ("M54.5 is a category, not a billable code.",)}, "billing_error"),
    ],
)
def test_each_warning(change: dict[str, object], code: str) -> None:
    note = dataclasses.replace(COMPLETE, **change)  # type: ignore[arg-type]
    assert blocking_problems(note) == []
    problems = warning_problems(note)
    assert [p.code for p in problems] == [code]
    assert problems[0].severity is SignSeverity.WARNING and not problems[0].blocking


def test_a_pain_score_of_zero_is_a_score() -> None:
    assert sign_problems(dataclasses.replace(COMPLETE, pain_before=0, pain_after=0)) == []


def test_self_pay_visits_need_no_diagnosis_code_or_cpt_line() -> None:
    note = dataclasses.replace(COMPLETE, billed_to_insurer=False, icd10_codes=(), cpt_codes=())
    assert sign_problems(note) == []


def test_a_note_with_only_a_subjective_is_signable_with_warnings() -> None:
    note = dataclasses.replace(COMPLETE, objective="")
    assert blocking_problems(note) == []
    assert [p.code for p in warning_problems(note)] == ["no_objective"]


def test_issue_12_the_note_signed_with_nothing_but_a_subjective() -> None:
    """Empty O and A, no ICD-10, no CPT, an unconfirmed copied mark and no end time."""
    note = dataclasses.replace(
        COMPLETE,
        end=None,
        objective="",
        assessment="",
        icd10_codes=(),
        cpt_codes=(),
        marks_confirmed=(False,),
    )
    assert _codes(note) == {
        "no_end_time": SignSeverity.BLOCKING,
        "unconfirmed_marks": SignSeverity.BLOCKING,
        "no_objective": SignSeverity.WARNING,
        "no_assessment": SignSeverity.WARNING,
        "no_diagnosis_code": SignSeverity.WARNING,
        "no_billing_line": SignSeverity.WARNING,
    }
    problems = sign_problems(note)
    assert [p.blocking for p in problems] == [True, True, False, False, False, False]


def test_every_billing_error_is_its_own_warning_with_its_message() -> None:
    errors = ("Line 1: 97140 is a timed code; record its minutes.", "M54.5 is not billable.")
    problems = warning_problems(dataclasses.replace(COMPLETE, billing_errors=errors))
    assert [p.message for p in problems] == list(errors)


def test_messages_name_what_is_missing() -> None:
    note = dataclasses.replace(
        COMPLETE,
        signer_id=None,
        unresolved_alerts=("Fever", "Suspected or known blood clot (DVT)"),
        marks_confirmed=(False, False),
    )
    text = describe_problems(blocking_problems(note))
    assert text.splitlines() == [
        "• Choose the provider who signs the note.",
        "• Record an override reason or physician clearance for: Fever; Suspected or known "
        "blood clot (DVT).",
        "• 2 marks copied forward from the last visit not confirmed yet; confirm or remove them "
        "on the body chart.",
    ]
    late = dataclasses.replace(COMPLETE, end=START - dt.timedelta(minutes=1))
    assert "(07:13) is not after the time in (07:14)" in blocking_problems(late)[0].message


def test_the_signing_summary_says_what_is_signed_and_what_is_missing() -> None:
    text = describe_signature(
        client_name="王小明",
        signer_name="Sam Lee, LMT",
        start=START,
        end=START + dt.timedelta(minutes=53),
        pain_before=6,
        pain_after=None,
        icd10_codes=("M54.2", " "),
        lines=[BilledLine("97140", 3, 38), BilledLine("97124", 1, 0), BilledLine(" ", 0, 0)],
        mark_count=1,
    )
    assert text.splitlines() == [
        "Client: 王小明",
        "Visit: 20 Nov 2026, 07:14–08:07 (53 min)",
        "Signed by: Sam Lee, LMT",
        "Pain: 6/10 before, not scored after",
        "Diagnoses: M54.2",
        "Billed: 97140 × 3 units (38 min); 97124 × 1 unit",
        "Body chart: 1 mark",
    ]
    bare = describe_signature(
        client_name="Zoë",
        signer_name="Sam Lee, LMT",
        start=START,
        end=None,
        pain_before=None,
        pain_after=None,
        icd10_codes=(),
        lines=(),
        mark_count=0,
    )
    assert "Visit: 20 Nov 2026, 07:14–" in bare and "(" not in bare.splitlines()[1]
    assert "Diagnoses: none" in bare and "Billed: nothing" in bare and "no marks" in bare
