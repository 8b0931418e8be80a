"""What a visit note needs before it is signed: blocking problems and likely-denial warnings."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from massage_chart.domain.presentation import (
    format_date,
    format_minutes,
    format_pain_score,
    format_time,
    format_time_span,
)


class SignSeverity(enum.Enum):
    """How a problem holds the signature back."""

    BLOCKING = "blocking"
    """The note cannot be signed until it is fixed."""
    WARNING = "warning"
    """Likely to be denied; the note is signed only with an explicit "sign anyway"."""


@dataclass(frozen=True)
class SignProblem:
    """One reason a note is not ready to sign.

    Attributes:
        code: stable id of the rule ("no_end_time", "billing_error"...).
        message: what is missing, in the therapist's words, ending with what to do.
        severity: blocking or warning.
    """

    code: str
    message: str
    severity: SignSeverity

    @property
    def blocking(self) -> bool:
        """Whether this problem stops the signature."""
        return self.severity is SignSeverity.BLOCKING


@dataclass(frozen=True)
class NoteToSign:
    """A plain description of a visit note, as the signing rules read it.

    Attributes:
        signer_id: the provider who signs, or None when none is chosen.
        start: time in.
        end: time out, or None when it was not recorded.
        subjective, objective, assessment, plan: the four SOAP sections as stored.
        pain_before: the pain score (0-10) before treatment, or None.
        pain_after: the pain score after treatment, or None.
        icd10_codes: the visit's diagnosis codes (the prescriber's), primary first.
        cpt_codes: the code of each billing line, in order.
        billing_errors: the messages of the billing and diagnosis-code checks that would likely
            get the claim denied (errors only, not "check" notes).
        marks_confirmed: the ``confirmed`` flag of each body-chart mark; copied-forward marks are
            unconfirmed until the therapist confirms them.
        unresolved_alerts: titles of stop/refer alerts with neither an override reason nor a
            physician clearance on file.
        billed_to_insurer: the visit belongs to a claim with a payer (not self-pay).
        authorisation_problems: what the claim's count and the referral say against this visit
            (past the visits authorised, an expired referral).
        written_by_student: the note's provider is a student of the clinic, whose notes count
            as signed only once the supervising therapist named on them co-signs.
        supervisor_id: the supervising therapist named on the note, if any.
    """

    signer_id: str | None
    start: dt.datetime
    end: dt.datetime | None
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""
    pain_before: int | None = None
    pain_after: int | None = None
    icd10_codes: tuple[str, ...] = ()
    cpt_codes: tuple[str, ...] = ()
    billing_errors: tuple[str, ...] = ()
    marks_confirmed: tuple[bool, ...] = ()
    unresolved_alerts: tuple[str, ...] = ()
    billed_to_insurer: bool = False
    authorisation_problems: tuple[str, ...] = ()
    written_by_student: bool = False
    supervisor_id: str | None = None


def _blocking(code: str, message: str) -> SignProblem:
    return SignProblem(code, message, SignSeverity.BLOCKING)


def _warning(code: str, message: str) -> SignProblem:
    return SignProblem(code, message, SignSeverity.WARNING)


def blocking_problems(note: NoteToSign) -> list[SignProblem]:
    """What makes a note unsignable: no signer, no time out, no S or O, open alerts, unconfirmed
    copied-forward marks."""
    problems: list[SignProblem] = []
    if not (note.signer_id or "").strip():
        problems.append(_blocking("no_signer", "Choose the provider who signs the note."))
    elif note.written_by_student and not note.supervisor_id:
        problems.append(
            _blocking(
                "no_supervisor",
                "A student's note is co-signed by a supervising therapist: name the supervising "
                "therapist on the note.",
            )
        )
    elif note.written_by_student and note.signer_id != note.supervisor_id:
        problems.append(
            _blocking(
                "not_the_supervisor",
                "A student's note is signed only by the supervising therapist named on it, who "
                "co-signs it.",
            )
        )
    if note.end is None:
        problems.append(
            _blocking(
                "no_end_time",
                "The time out is not recorded; enter when the session ended (the note must "
                "show the treatment's duration).",
            )
        )
    elif note.end <= note.start:
        problems.append(
            _blocking(
                "end_not_after_start",
                f"The time out ({format_time(note.end)}) is not after the time in "
                f"({format_time(note.start)}); correct the visit times.",
            )
        )
    if not note.subjective.strip() and not note.objective.strip():
        problems.append(
            _blocking(
                "no_subjective_or_objective",
                "The note has no Subjective or Objective yet; write what the client reported or "
                "what you found and did.",
            )
        )
    if note.unresolved_alerts:
        problems.append(
            _blocking(
                "stop_refer_alert",
                "Record an override reason or physician clearance for: "
                + "; ".join(note.unresolved_alerts)
                + ".",
            )
        )
    unconfirmed = sum(1 for confirmed in note.marks_confirmed if not confirmed)
    if unconfirmed:
        marks = "mark copied" if unconfirmed == 1 else "marks copied"
        problems.append(
            _blocking(
                "unconfirmed_marks",
                f"{unconfirmed} {marks} forward from the last visit not confirmed yet; confirm "
                "or remove them on the body chart.",
            )
        )
    return problems


def warning_problems(note: NoteToSign) -> list[SignProblem]:
    """What would likely get the note or its claim denied; signing needs "sign anyway"."""
    problems: list[SignProblem] = []
    if not note.objective.strip():
        problems.append(
            _warning(
                "no_objective",
                "The Objective is empty: payers look for the findings and the treatment given.",
            )
        )
    if not note.assessment.strip():
        problems.append(
            _warning(
                "no_assessment",
                "The Assessment is empty: payers look for the client's response and progress "
                "toward goals.",
            )
        )
    if note.pain_before is None:
        problems.append(
            _warning(
                "no_pain_before",
                "No pain score before treatment: the note shows no measured change without it.",
            )
        )
    if note.pain_after is None:
        problems.append(
            _warning(
                "no_pain_after",
                "No pain score after treatment: the note shows no response to treatment "
                "without it.",
            )
        )
    if note.billed_to_insurer and not [code for code in note.icd10_codes if code.strip()]:
        problems.append(
            _warning(
                "no_diagnosis_code",
                "No ICD-10 code: the claim needs the prescriber's diagnosis code (copy it from "
                "the referral).",
            )
        )
    if note.billed_to_insurer and not [code for code in note.cpt_codes if code.strip()]:
        problems.append(
            _warning(
                "no_billing_line",
                "No CPT line: the claim needs at least one billed service with its minutes.",
            )
        )
    problems.extend(_warning("billing_error", message) for message in note.billing_errors)
    problems.extend(_warning("authorisation", message) for message in note.authorisation_problems)
    return problems


def sign_problems(note: NoteToSign) -> list[SignProblem]:
    """Every problem of a note: the blocking ones first, then the warnings."""
    return blocking_problems(note) + warning_problems(note)


def describe_problems(problems: Iterable[SignProblem]) -> str:
    """The problems as lines for a message or a terminal, one "• " line each."""
    return "\n".join(f"• {problem.message}" for problem in problems)


@dataclass(frozen=True)
class BilledLine:
    """One billed service as the signing summary shows it."""

    cpt: str
    units: int
    minutes: int


def describe_signature(
    *,
    client_name: str,
    signer_name: str,
    start: dt.datetime,
    end: dt.datetime | None,
    pain_before: int | None,
    pain_after: int | None,
    icd10_codes: Iterable[str],
    lines: Iterable[BilledLine],
    mark_count: int,
) -> str:
    """What is about to be signed, in lines a therapist reads before confirming: who and when,
    the pain before and after, the diagnoses, what is billed and what is charted."""
    minutes = int((end - start).total_seconds() // 60) if end is not None else None
    when = f"{format_date(start.date())}, {format_time_span(start, end)}"
    if minutes is not None:
        when += f" ({format_minutes(minutes)})"
    codes = [code for code in icd10_codes if code.strip()]
    billed = [
        f"{line.cpt} × {line.units} unit{'s' if line.units != 1 else ''}"
        + (f" ({format_minutes(line.minutes)})" if line.minutes else "")
        for line in lines
        if line.cpt.strip()
    ]
    marks = "no marks" if not mark_count else f"{mark_count} mark{'s' if mark_count != 1 else ''}"
    return "\n".join(
        [
            f"Client: {client_name}",
            f"Visit: {when}",
            f"Signed by: {signer_name}",
            f"Pain: {format_pain_score(pain_before) or 'not scored'} before, "
            f"{format_pain_score(pain_after) or 'not scored'} after",
            f"Diagnoses: {', '.join(codes) if codes else 'none'}",
            f"Billed: {'; '.join(billed) if billed else 'nothing'}",
            f"Body chart: {marks}",
        ]
    )
