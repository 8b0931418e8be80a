"""How the app words dates, times, pain, pressure, payers and views: one vocabulary for screen and paper.

The window, the insurer SOAP note, the client's summary and the command line all say a thing the
same way, so a reviewer comparing a printout with the screen never meets two spellings of one fact.

- Dates are written day, month name, year ("3 Dec 2026"): unambiguous in every country, unlike
  03/12/2026, which is a different day in the United States and in Europe.
- Times follow the user's clock: 12-hour ("9:30 AM") or 24-hour ("09:30"). The choice is a machine
  setting (``Clock``), "auto" by default, which follows the computer's locale; the window asks Qt's
  locale, everything else reads the locale environment (``clock_of_locale``).
- Pain is on the 0-10 numeric rating scale ("7/10", "7 → 3"); pressure on the Walton scale 0-5
  ("Walton 3/5 (medium pressure)", or "W3" where a body-map label has no room and the legend says
  what W means).

Pure Python: no Qt, no database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import os
import unicodedata
from collections.abc import Iterator, Mapping

from massage_chart.domain.atlas import AtlasError, load_atlas
from massage_chart.domain.marks import WALTON_PRESSURE_LEVELS
from massage_chart.domain.record_kinds import MedicationClass, PayerType, UnitRule

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DASH = "–"
ARROW = "→"
NOT_RECORDED = "not recorded"


class Clock(enum.Enum):
    """How times of day are written."""

    AUTO = "auto"
    """Follow the computer's locale."""
    TWELVE_HOUR = "12-hour"
    """"9:30 AM", "2:05 PM"."""
    TWENTY_FOUR_HOUR = "24-hour"
    """"09:30", "14:05"."""


CLOCK_LABELS: Mapping[Clock, str] = {
    Clock.AUTO: "As this computer's language and region",
    Clock.TWELVE_HOUR: "12-hour (9:30 AM)",
    Clock.TWENTY_FOUR_HOUR: "24-hour (09:30)",
}

# Territories whose everyday written clock is 12-hour (CLDR's preferred hour cycle "h").
# Everywhere else, and for the C/POSIX locale, the 24-hour clock is used.
_TWELVE_HOUR_TERRITORIES = frozenset(
    {"US", "CA", "AU", "NZ", "IN", "PH", "PK", "BD", "EG", "SA", "JO", "SY", "IQ", "KW"}
    | {"OM", "QA", "AE", "YE", "LY", "SD", "MY", "CO", "SV", "HN", "NI", "PR", "GU"}
)
_LOCALE_VARIABLES = ("LC_ALL", "LC_TIME", "LANG")

_clock_in_use: Clock = Clock.AUTO
_auto_clock: Clock | None = None


def clock_of_locale(name: str) -> Clock:
    """The clock a locale name means ("en_US.UTF-8" -> 12-hour; "fr_CA", "de_DE", "C" -> 24-hour).

    French Canada writes the 24-hour clock although English Canada does not, so Canada counts as
    12-hour only in English.
    """
    base = name.split(".", 1)[0].split("@", 1)[0]
    language, _, territory = base.replace("-", "_").partition("_")
    territory = territory.upper()
    if territory == "CA" and language.lower() != "en":
        return Clock.TWENTY_FOUR_HOUR
    return Clock.TWELVE_HOUR if territory in _TWELVE_HOUR_TERRITORIES else Clock.TWENTY_FOUR_HOUR


def locale_clock() -> Clock:
    """The clock of the locale in the environment (LC_ALL, LC_TIME, LANG: the first one set)."""
    for variable in _LOCALE_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return clock_of_locale(value)
    return Clock.TWENTY_FOUR_HOUR


def use_clock(clock: Clock, *, auto_means: Clock | None = None) -> None:
    """Choose how times are written from now on, in this process.

    Args:
        clock: the user's setting.
        auto_means: what "auto" resolves to, when the caller knows better than the environment
            (the window passes the clock of Qt's system locale); None: the environment's.
    """
    global _clock_in_use, _auto_clock
    _clock_in_use = clock
    _auto_clock = None if auto_means is Clock.AUTO else auto_means


def clock_in_use() -> Clock:
    """The clock times are written in now: never AUTO."""
    if _clock_in_use is not Clock.AUTO:
        return _clock_in_use
    return _auto_clock if _auto_clock is not None else locale_clock()


@contextlib.contextmanager
def clock_set_to(clock: Clock) -> Iterator[None]:
    """Write times on ``clock`` inside the block (documents rendered for a chosen reader, tests)."""
    global _clock_in_use
    before = _clock_in_use
    _clock_in_use = clock
    try:
        yield
    finally:
        _clock_in_use = before


# --------------------------------------------------------------------------- dates and times


def format_date(value: dt.date | None) -> str:
    """A date as "3 Dec 2026"; "" when it is not recorded."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_time(value: dt.datetime | dt.time | None, clock: Clock | None = None) -> str:
    """A time of day on the user's clock: "9:30 AM" or "09:30"; "" when not recorded."""
    if value is None:
        return ""
    chosen = clock if clock is not None and clock is not Clock.AUTO else clock_in_use()
    if chosen is Clock.TWELVE_HOUR:
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'AM' if value.hour < 12 else 'PM'}"
    return f"{value.hour:02d}:{value.minute:02d}"


def format_time_span(
    start: dt.datetime | dt.time, end: dt.datetime | dt.time | None, clock: Clock | None = None
) -> str:
    """Time in and out ("09:30–10:30", "9:30 AM – 10:30 AM"); an open visit shows "09:30–"."""
    first = format_time(start, clock)
    last = format_time(end, clock)
    # A space either side of the dash when the times hold spaces, so "AM" stays with its time.
    dash = f" {DASH} " if " " in first else DASH
    return f"{first}{dash}{last}" if last else f"{first}{DASH}"


def format_date_time(value: dt.datetime | None, clock: Clock | None = None) -> str:
    """A moment as "3 Dec 2026, 09:30"; "" when not recorded."""
    if value is None:
        return ""
    return f"{format_date(value.date())}, {format_time(value, clock)}"


def recorded_moment(wall_clock: dt.datetime) -> dt.datetime:
    """A moment read off a clock, as the records keep it: UTC without tzinfo.

    A naive value is this computer's local wall-clock time (what ``dt.datetime.now()`` gives);
    an aware one is converted from its own zone.
    """
    return wall_clock.astimezone(dt.UTC).replace(tzinfo=None)


def local_moment(recorded: dt.datetime) -> dt.datetime:
    """A recorded moment (UTC; naive or aware) in this computer's time zone, with that zone."""
    moment = recorded if recorded.tzinfo is not None else recorded.replace(tzinfo=dt.UTC)
    return moment.astimezone()


def zone_label(moment: dt.datetime) -> str:
    """The zone of an aware moment as people read it: "PST", "CET", else "UTC+05:30"."""
    name = moment.tzname() or ""
    if name and not name.startswith(("+", "-")):
        return name
    offset = moment.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return "UTC" if not offset else f"UTC{sign}{hours:02d}:{rest:02d}"


def format_recorded_time(recorded: dt.datetime | None, clock: Clock | None = None) -> str:
    """When a record was made (a signature, an addendum), in local time with its zone named.

    "3 Dec 2026 at 9:51 AM PST": the records keep UTC; people read their own clock, and the
    zone on the line says which clock that was.
    """
    if recorded is None:
        return ""
    moment = local_moment(recorded)
    return f"{format_date(moment.date())} at {format_time(moment, clock)} {zone_label(moment)}"


def format_minutes(minutes: int | None) -> str:
    """A duration in minutes ("52 min"); "" when not recorded."""
    return "" if minutes is None else f"{minutes} min"


# --------------------------------------------------------------------------- scales


def format_pain_score(score: int | None) -> str:
    """One rating on the 0-10 scale ("7/10"); "" when not recorded."""
    return "" if score is None else f"{score}/10"


def format_pain(before: int | None, after: int | None) -> str:
    """Pain before and after on the 0-10 scale ("7 → 3"); "" when neither was recorded."""
    if before is None and after is None:
        return ""
    left = DASH if before is None else str(before)
    right = DASH if after is None else str(after)
    return f"{left} {ARROW} {right}"


def pressure_name(level: int) -> str:
    """The Walton level's name in lower case ("medium pressure")."""
    return WALTON_PRESSURE_LEVELS[level].lower()


def format_pressure(level: int | None) -> str:
    """A Walton pressure in full: "Walton 3/5 (medium pressure)"; "" when not recorded."""
    if level is None:
        return ""
    return f"Walton {level}/5 ({pressure_name(level)})"


def format_pressure_level(level: int | None) -> str:
    """A Walton pressure in a list of a mark's details ("Walton 3/5"); "" when not recorded."""
    return "" if level is None else f"Walton {level}/5"


def format_pressure_short(level: int | None) -> str:
    """A Walton pressure where a label has no room ("W3"); the legend spells out W."""
    return "" if level is None else f"W{level}"


def format_pressure_choice(level: int) -> str:
    """A Walton level as a menu offers it: "Walton 3: Medium pressure"."""
    return f"Walton {level}: {WALTON_PRESSURE_LEVELS[level]}"


# --------------------------------------------------------------------------- names of people

_FAMILY_FIRST_SCRIPTS = ("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH", "HIRAGANA",
                         "KATAKANA", "HANGUL")  # fmt: skip


def _family_first(first: str, last: str) -> bool:
    """Whether a name is written in Chinese, Japanese or Korean script, where the family name
    comes first and the parts are written together ("王小明")."""
    letters = [c for c in first + last if not c.isspace()]
    return bool(first.strip() and last.strip()) and all(
        unicodedata.name(c, "").startswith(_FAMILY_FIRST_SCRIPTS) for c in letters
    )


def person_name(first: str, last: str) -> str:
    """A name as said aloud: "Zoë Nguyễn"; in Chinese, Japanese or Korean script family name
    first, written together: "王小明"."""
    first, last = first.strip(), last.strip()
    if _family_first(first, last):
        return f"{last}{first}"
    return f"{first} {last}".strip()


def listed_name(first: str, last: str) -> str:
    """A name as a list of clients shows it: "Nguyễn, Zoë"; "王小明" (already family name
    first)."""
    first, last = first.strip(), last.strip()
    if _family_first(first, last):
        return f"{last}{first}"
    return f"{last}, {first}" if last else first


# --------------------------------------------------------------------------- names of things

MEDICATION_CLASS_LABELS: Mapping[MedicationClass, str] = {
    MedicationClass.ANTICOAGULANT: "Anticoagulant",
    MedicationClass.ANTIPLATELET: "Antiplatelet",
    MedicationClass.CORTICOSTEROID: "Corticosteroid",
    MedicationClass.OPIOID: "Opioid",
    MedicationClass.MUSCLE_RELAXANT: "Muscle relaxant",
    MedicationClass.ANALGESIC: "Analgesic",
    MedicationClass.NSAID: "NSAID",
    MedicationClass.ANTIHYPERTENSIVE: "Antihypertensive",
    MedicationClass.INSULIN: "Insulin",
    MedicationClass.CHEMOTHERAPY: "Chemotherapy",
    MedicationClass.OTHER: "Other",
}
"""A medication class as the health history and the alerts name it."""


def medication_class_words(med_class: MedicationClass) -> str:
    """A medication class inside a sentence: "anticoagulant", "muscle relaxant", "NSAID"."""
    label = MEDICATION_CLASS_LABELS[med_class]
    return label if label.isupper() else label.lower()


PAYER_LABELS: Mapping[PayerType, str] = {
    PayerType.SELF_PAY: "Self-pay",
    PayerType.COMMERCIAL: "Commercial insurance",
    PayerType.PIP: "Auto insurance (PIP)",
    PayerType.WORKERS_COMP: "Workers' compensation",
    PayerType.OTHER: "Other payer",
}

UNIT_RULE_LABELS: Mapping[UnitRule, str] = {
    UnitRule.CMS: "Medicare (CMS): timed minutes pooled, 8-minute rule",
    UnitRule.AMA: "AMA/CPT: each code on its own (8 min or more per unit)",
}

VIEW_LABELS: Mapping[str, str] = {
    "anterior": "Anterior",
    "posterior": "Posterior",
    "left_lateral": "Left lateral",
    "right_lateral": "Right lateral",
}


def payer_label(payer: PayerType) -> str:
    """The payer type as the screen and the paper name it."""
    return PAYER_LABELS[payer]


def view_label(view: str) -> str:
    """A body-chart view's name ("Left lateral", "Hands, palms"); an unknown view is named by
    its key."""
    if view in VIEW_LABELS:
        return VIEW_LABELS[view]
    try:
        name = load_atlas().view(view).name
    except AtlasError:
        name = ""
    return name or view.replace("_", " ").capitalize()
