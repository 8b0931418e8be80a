"""How dates, times, ages and pain scores are written in the window (pure Python, no Qt)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EARLIEST_BIRTH_YEAR = 1900
DASH = "–"
ARROW = "→"

# Year first (as typed from an intake form or picked from the calendar): 1980-05-12, 1980/5/12,
# 1980.05.12 or 19800512. Day-month orders are refused: "05/12/1980" means different days in
# different countries, and a wrong date of birth follows a client onto every claim.
_ISO_LIKE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_WRITTEN = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\s*$")


def format_date(value: dt.date | None) -> str:
    """A date as "12 May 1980": unambiguous in every country (never 05/12/1980)."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_time(value: dt.datetime | dt.time | None) -> str:
    """Wall-clock time on the 24-hour clock ("09:30")."""
    if value is None:
        return ""
    return f"{value.hour:02d}:{value.minute:02d}"


def format_time_span(start: dt.datetime, end: dt.datetime | None) -> str:
    """Time in and out ("09:30–10:30"); an open visit shows its start only ("09:30–")."""
    return f"{format_time(start)}{DASH}{format_time(end)}"


def age_on(born: dt.date, today: dt.date) -> int:
    """Age in whole years on ``today`` (a 29 February birthday counts from 1 March)."""
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


def format_date_of_birth(born: dt.date | None, today: dt.date) -> str:
    """A date of birth with the age, "12 May 1980 (age 46)"; "" when it is not recorded."""
    if born is None:
        return ""
    return f"{format_date(born)} (age {age_on(born, today)})"


def format_pain(before: int | None, after: int | None) -> str:
    """Pain before and after on the 0–10 scale ("7 → 3"); "" when neither was recorded."""
    if before is None and after is None:
        return ""
    left = DASH if before is None else str(before)
    right = DASH if after is None else str(after)
    return f"{left} {ARROW} {right}"


@dataclass(frozen=True)
class DateOfBirthEntry:
    """What a typed date of birth means.

    Attributes:
        date: the date, or None when the field is empty (unknown) or not a valid date.
        error: a sentence for the user when the text cannot be accepted, else "".
    """

    date: dt.date | None
    error: str = ""

    @property
    def is_valid(self) -> bool:
        """Whether the entry may be saved (a date, or an empty field meaning unknown)."""
        return not self.error


def parse_date_of_birth(text: str, today: dt.date) -> DateOfBirthEntry:
    """Read a typed date of birth: empty means unknown; the future and nonsense are refused."""
    if not text.strip():
        return DateOfBirthEntry(None)
    born = _parse_date(text)
    if born is None:
        return DateOfBirthEntry(
            None,
            f"“{text.strip()}” is not a date. Type it year first, like 1980-05-12, "
            "or leave the field empty if the date of birth is unknown.",
        )
    if born > today:
        return DateOfBirthEntry(
            None,
            f"The date of birth {format_date(born)} is in the future. Check the year, "
            "or leave the field empty if it is unknown.",
        )
    if born.year < EARLIEST_BIRTH_YEAR:
        return DateOfBirthEntry(
            None,
            f"The date of birth {format_date(born)} is before {EARLIEST_BIRTH_YEAR}. "
            "Check the year.",
        )
    return DateOfBirthEntry(born)


def search_query(typed: str) -> str:
    """What to search for: a typed date ("14 Mar 1986", "1986/3/14") becomes its ISO form.

    Clients are found by date of birth as stored (ISO, "1986-03-14"), while the window writes
    dates as "14 Mar 1986"; this lets either be typed into the search field.
    """
    written = _parse_date(typed)
    return written.isoformat() if written is not None else typed


def _parse_date(text: str) -> dt.date | None:
    match = _ISO_LIKE.match(text) or _COMPACT.match(text)
    try:
        if match:
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        written = _WRITTEN.match(text)
        if written:
            day_text, month_text, year_text = written.groups()
            month_names = [m.casefold() for m in MONTHS]
            if month_text.casefold() not in month_names:
                return None
            month = month_names.index(month_text.casefold()) + 1
            return dt.date(int(year_text), month, int(day_text))
    except ValueError:
        return None
    return None
