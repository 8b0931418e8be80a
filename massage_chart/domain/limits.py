"""How long each typed field may be and which numbers are in range, with plain-word refusals.

One place for every limit: the storage layer refuses a write that breaks one (so SQLite, which
stores anything, and PostgreSQL, which raises on an over-long ``VARCHAR`` or a NUL, behave the
same), the forms cap their line edits with the same numbers, and the chart-file import checks them
too. Each limit is at most the width of its database column, so a value that passes here always
fits; a test holds the two together.

Text is refused, never silently changed: a NUL character (PostgreSQL cannot store it) or half of
a UTF-16 surrogate pair (no database can encode it) is named with its position so the user can
delete it, and an over-long value says how long it is and what the most is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

# --------------------------------------------------------------------------- kinds of field

NAME = 200
"""A person's, payer's or practice's name; also occupation, adjuster, a mark's technique."""
SHORT_LABEL = 60
"""Gender, pronouns, a relationship, credentials, a licence number or its jurisdiction."""
PHONE = 40
"""A phone number as typed, with spaces, brackets and an extension."""
EMAIL = 200
"""An e-mail address (the column is 200 wide; real addresses are far shorter)."""
IDENTIFIER = 80
"""A claim or policy number."""
NPI = 10
"""A National Provider Identifier: exactly ten digits."""
TAX_ID = 40
"""A practice's tax or business number."""
ENTRY = 300
"""One entry of a health-history list: a condition, a medication, an allergy, a reaction."""
DOSE = 120
"""A medication dose, a referral's frequency, a deep muscle."""
SHORT_TEXT = 1_000
"""One line of prose: a chief complaint."""
LONG_TEXT = 100_000
"""Free text: notes, SOAP sections, an address, goals, instructions, an addendum (50,000+)."""

LIST_ITEMS = 500
"""Most entries in one list (conditions, medications, allergies, techniques, ICD-10 codes)."""


# --------------------------------------------------------------------------- number ranges


@dataclass(frozen=True)
class NumberRange:
    """The whole numbers a field accepts, inclusive.

    Attributes:
        label: the field as the user knows it ("Pain before").
        low: the least accepted value.
        high: the most accepted value.
    """

    label: str
    low: int
    high: int

    def problem(self, value: object) -> str | None:
        """What is wrong with a value, in plain words, or None when it is in range (or None)."""
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{self.label} must be a whole number from {self.low} to {self.high}."
        if not self.low <= value <= self.high:
            return (
                f"{self.label} must be from {self.low} to {self.high}; "
                f"{_number(value)} is out of range."
            )
        return None


PAIN = NumberRange("Pain", 0, 10)
INTENSITY = NumberRange("Intensity", 0, 10)
PRESSURE = NumberRange("Pressure", 0, 5)
MINUTES = NumberRange("Minutes", 0, 1440)
UNITS = NumberRange("Units", 0, 99)
VISIT_COUNT = NumberRange("Authorised visits", 0, 9999)
PREGNANCY_WEEKS = NumberRange("Weeks of pregnancy", 0, 45)
DIAGNOSIS_POINTER = NumberRange("Diagnosis pointer", 1, 12)
OLDEST_BIRTH_YEAR = 1900
"""Dates of birth before this are a typo (as the date-of-birth field says too)."""


def _number(value: int) -> str:
    return f"{value:,}" if abs(value) < 10**15 else "a number that large"


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class TextLimit:
    """How long a text field may be.

    Attributes:
        label: the field as the user knows it ("First name").
        most: the most characters it holds.
    """

    label: str
    most: int

    def problem(self, value: object) -> str | None:
        """What is wrong with a value, in plain words, or None when it may be stored.

        None passes: it stands for "not set yet" (the column's default fills it in).
        """
        return None if value is None else text_problem(self.label, value, self.most)


class InputRefusedError(ValueError):
    """A typed value was refused before anything was written; the message names the field."""


def text_problem(label: str, value: object, most: int) -> str | None:
    """What is wrong with a text for a field, or None when it may be stored as it is.

    >>> text_problem("First name", "N" * 100_000, 200)
    'First name is too long and does not fit its field: 100,000 characters; the most is 200.'
    """
    if not isinstance(value, str):
        return f"{label} must be text, not {type(value).__name__}."
    if len(value) > most:
        return (
            f"{label} is too long and does not fit its field: {len(value):,} characters; "
            f"the most is {most:,}."
        )
    nul = value.find("\x00")
    if nul >= 0:
        return (
            f"{label} holds an invisible NUL character (at character {nul + 1:,}), usually "
            "from a paste; delete it and save again."
        )
    for index, char in enumerate(value):
        if "\ud800" <= char <= "\udfff":
            return (
                f"{label} holds a broken character (at character {index + 1:,}), usually from "
                "a damaged paste or file; delete it and save again."
            )
    return None


def list_problem(label: str, values: object, most_each: int) -> str | None:
    """What is wrong with a list of short texts (conditions, codes...), or None."""
    if not isinstance(values, list | tuple):
        return f"{label} must be a list, not {type(values).__name__}."
    if len(values) > LIST_ITEMS:
        return f"{label} has {len(values):,} entries; the most is {LIST_ITEMS:,}."
    for index, value in enumerate(values):
        problem = text_problem(f"{label} (entry {index + 1})", value, most_each)
        if problem:
            return problem
    return None


def fields_problem(limits: Mapping[str, TextLimit], values: Mapping[str, object]) -> str | None:
    """The first problem among the named text values that have a limit, or None."""
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None:
            problem = limit.problem(value)
            if problem:
                return problem
    return None


def check_fields(limits: Mapping[str, TextLimit], values: Mapping[str, object]) -> None:
    """Refuse the first text value that breaks its limit.

    Raises:
        InputRefusedError: a value is too long, holds a NUL or a broken character, or is no text.
    """
    problem = fields_problem(limits, values)
    if problem:
        raise InputRefusedError(problem)


def check_number(number_range: NumberRange, value: object, label: str | None = None) -> None:
    """Refuse a number outside its range (None passes: "not recorded").

    Raises:
        InputRefusedError: the value is not a whole number, or out of range.
    """
    checked = number_range if label is None else dataclasses.replace(number_range, label=label)
    problem = checked.problem(value)
    if problem:
        raise InputRefusedError(problem)


def date_order_problem(earlier: dt.date | None, later: dt.date | None, sentence: str) -> str | None:
    """``sentence`` when both dates are known and ``later`` is before ``earlier``, else None."""
    if earlier is not None and later is not None and later < earlier:
        return sentence
    return None


def birth_date_problem(born: dt.date | None, today: dt.date) -> str | None:
    """What is impossible about a date of birth, or None."""
    if born is None:
        return None
    if born > today:
        return f"The date of birth {born.isoformat()} is in the future."
    if born.year < OLDEST_BIRTH_YEAR:
        return (
            f"The date of birth {born.isoformat()} is before {OLDEST_BIRTH_YEAR}; check the year."
        )
    return None


# --------------------------------------------------------------------------- per record


def _limits(**fields: tuple[str, int]) -> dict[str, TextLimit]:
    return {name: TextLimit(label, most) for name, (label, most) in fields.items()}


CLIENT: dict[str, TextLimit] = _limits(
    first_name=("First name", NAME),
    last_name=("Last name", NAME),
    preferred_name=("Preferred name", NAME),
    gender=("Gender", SHORT_LABEL),
    pronouns=("Pronouns", SHORT_LABEL),
    phone=("Phone", PHONE),
    alternate_phone=("Other phone", PHONE),
    email=("Email", EMAIL),
    address=("Address", LONG_TEXT),
    occupation=("Occupation", NAME),
    emergency_contact_name=("Emergency contact name", NAME),
    emergency_contact_phone=("Emergency contact phone", PHONE),
    emergency_contact_relationship=("Emergency contact relationship", SHORT_LABEL),
    primary_care_provider=("Primary care provider", NAME),
    primary_care_phone=("Primary care phone", PHONE),
    referring_provider=("Referred by", NAME),
    goals=("Goals", LONG_TEXT),
    pressure_preference=("Pressure preference", NAME),
    notes=("Notes", LONG_TEXT),
)
"""Every text field of a client."""

CLAIM: dict[str, TextLimit] = _limits(
    payer_name=("Payer", NAME),
    claim_number=("Claim number", IDENTIFIER),
    policy_number=("Policy number", IDENTIFIER),
    adjuster=("Adjuster", NAME),
)

REFERRAL: dict[str, TextLimit] = _limits(
    prescriber=("Prescriber", NAME),
    prescriber_npi=("Prescriber NPI", NPI),
    prescriber_phone=("Prescriber phone", PHONE),
    frequency=("Frequency", DOSE),
    instructions=("Instructions", LONG_TEXT),
)

CONSENT: dict[str, TextLimit] = _limits(notes=("Consent notes", LONG_TEXT))

HEALTH_HISTORY: dict[str, TextLimit] = _limits(
    surgeries=("Surgeries", LONG_TEXT),
    injuries=("Injuries", LONG_TEXT),
    notes=("Health notes", LONG_TEXT),
)

MEDICATION: dict[str, TextLimit] = _limits(
    name=("Medication", ENTRY),
    dose=("Dose", DOSE),
    purpose=("Purpose", ENTRY),
)

CONDITION = TextLimit("Condition", ENTRY)
ALLERGY = TextLimit("Allergy", ENTRY)

VISIT_NOTE: dict[str, TextLimit] = _limits(
    chief_complaint=("Chief complaint", SHORT_TEXT),
    health_update=("Health update", LONG_TEXT),
    subjective=("Subjective", LONG_TEXT),
    objective=("Objective", LONG_TEXT),
    assessment=("Assessment", LONG_TEXT),
    plan=("Plan", LONG_TEXT),
    positioning=("Positioning", NAME),
    functional_limits=("Functional limits", SHORT_TEXT),
    response=("Response", SHORT_TEXT),
    progress_toward_goals=("Progress toward goals", SHORT_TEXT),
    frequency=("Frequency", SHORT_TEXT),
    home_care=("Home care", SHORT_TEXT),
    referrals_out=("Referrals", SHORT_TEXT),
    next_visit=("Next visit", SHORT_TEXT),
)
"""Text fields of the visit note (the note editor caps its widgets with these)."""

TECHNIQUE = TextLimit("Technique", NAME)
ICD10_CODE = TextLimit("ICD-10 code", 10)
CPT_CODE = TextLimit("CPT code", 10)
MODIFIER = TextLimit("Modifier", 2)

ADDENDUM: dict[str, TextLimit] = _limits(
    reason=("Addendum reason", NAME),
    text=("Addendum text", LONG_TEXT),
)

OVERRIDE_REASON = TextLimit("Override reason", SHORT_TEXT)

OUTCOME: dict[str, TextLimit] = _limits(
    activity=("Activity", NAME),
    reason=("Reason for the correction", NAME),
)
"""Text typed with an outcome measure: the client's own activities (PSFS), a correction's reason."""

MARK: dict[str, TextLimit] = _limits(
    deep_muscle=("Deep muscle", DOSE),
    technique=("Technique", NAME),
    note=("Mark note", LONG_TEXT),
)
"""Text fields of a chart mark (storage/marks.py and the mark inspector should use these)."""

PROVIDER: dict[str, TextLimit] = _limits(
    first_name=("First name", 100),
    last_name=("Last name", 100),
    credentials=("Credentials", SHORT_LABEL),
    license_number=("Licence number", SHORT_LABEL),
    license_jurisdiction=("Licence jurisdiction", SHORT_LABEL),
    npi=("NPI", NPI),
    email=("Email", EMAIL),
    phone=("Phone", PHONE),
)
"""Text fields of a therapist (the Settings form should use these)."""

PRACTICE: dict[str, TextLimit] = _limits(
    name=("Practice name", NAME),
    address=("Practice address", LONG_TEXT),
    phone=("Practice phone", PHONE),
    email=("Practice email", EMAIL),
    website=("Website", NAME),
    tax_id=("Tax id", TAX_ID),
)
"""Text fields of the practice (the Settings form should use these)."""
