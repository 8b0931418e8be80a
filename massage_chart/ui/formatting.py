"""Dates of birth and searches as typed in the window; the written forms come from the domain's
presentation vocabulary, shared with the PDFs (pure Python, no Qt)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from massage_chart.domain.presentation import (
    ARROW,
    DASH,
    MONTHS,
    format_date,
    format_date_time,
    format_pain,
    format_pressure,
    format_recorded_time,
    format_time,
    format_time_span,
)

__all__ = [
    "ARROW",
    "DASH",
    "MONTHS",
    "DateOfBirthEntry",
    "age_on",
    "format_date",
    "format_date_of_birth",
    "format_date_time",
    "format_pain",
    "format_pressure",
    "format_recorded_time",
    "format_time",
    "format_time_span",
    "parse_date_of_birth",
    "search_query",
]

EARLIEST_BIRTH_YEAR = 1900

# Year first (as typed from an intake form or picked from the calendar): 1980-05-12, 1980/5/12,
# 1980.05.12 or 19800512. Year last ("03/15/1979" on a US form, "15/03/1979" elsewhere) is read
# only when it can mean one day: "05/12/1980" is 12 May in one country and 5 December in
# another, and a wrong date of birth follows a client onto every claim, so it is refused with
# both readings named.
_ISO_LIKE = re.compile(r"^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")
_YEAR_LAST = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_WRITTEN = re.compile(r"^\s*(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})\s*$")


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
    readings = _year_last_readings(text)
    if born is None and len(readings) == 2:
        first, second = readings
        return DateOfBirthEntry(
            None,
            f"“{text.strip()}” could be {format_date(first)} or {format_date(second)}. Type it "
            f"year first, like {first.isoformat()}, or with the month in words, like "
            f"{format_date(first)}.",
        )
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


def _year_last_readings(text: str) -> list[dt.date]:
    """The real dates a year-last date may be: month first (US) and day first, each once."""
    match = _YEAR_LAST.match(text)
    if match is None:
        return []
    first, second, year = (int(part) for part in match.groups())
    readings: list[dt.date] = []
    for month, day in ((first, second), (second, first)):
        try:
            reading = dt.date(year, month, day)
        except ValueError:
            continue
        if reading not in readings:
            readings.append(reading)
    return readings


def _parse_date(text: str) -> dt.date | None:
    readings = _year_last_readings(text)
    if readings:
        return readings[0] if len(readings) == 1 else None
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
