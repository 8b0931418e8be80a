"""Measurable findings a claims reviewer looks for besides pain (DOMAIN.md §1.4, §1.5, §3.5):
range of motion in degrees, sitting and standing tolerance, and functional goals with a
timeframe and a status.

Each is a plain value with a JSON form (how the visit row and the chart file keep it) and a
check that refuses what cannot be right, with a message naming the entry. The visit's lists are
sealed by its signature like the rest of the note.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from massage_chart.domain import limits
from massage_chart.domain.presentation import format_date, format_minutes
from massage_chart.resources import resource_path


class MeasureError(ValueError):
    """A measurement or goal that cannot be stored; the message names the entry and the fix."""


# --------------------------------------------------------------------------- range of motion


@dataclass(frozen=True)
class Motion:
    """A joint motion with its reference (normal) range in degrees, from the reviewed table."""

    id: str
    joint: str
    motion: str
    sided: bool
    normal: int
    words: str

    @property
    def name(self) -> str:
        """ "Shoulder flexion", "Neck rotation"."""
        return f"{self.joint} {self.motion}".capitalize()


@functools.cache
def motions() -> dict[str, Motion]:
    """The motions that can be measured, by id, in the table's order."""
    data = json.loads(resource_path("measures", "range_of_motion.json").read_text("utf-8"))
    return {item["id"]: Motion(**item) for item in data["motions"]}


SIDES = {"right": "R", "left": "L", "": ""}
"""The client's side of a sided motion ("" for the spine), and its abbreviation."""

TIMINGS = {"before": "before treatment", "after": "after treatment"}

METHODS = {"goniometer": "goniometer", "visual": "visual estimate"}

MOST_DEGREES = 360


@dataclass(frozen=True)
class RangeOfMotion:
    """One range-of-motion measurement.

    Attributes:
        motion: a ``motions()`` id ("shoulder.flexion").
        side: "right" or "left" for a sided motion, "" for the spine.
        degrees: the range measured, or None when recorded as within normal limits.
        within_normal: recorded as "WNL" instead of degrees.
        passive: passive range (PROM); active (AROM) when False.
        painful: pain at end range.
        method: "goniometer" or "visual" (estimate).
        timing: "before" or "after" treatment.
    """

    motion: str
    side: str = ""
    degrees: int | None = None
    within_normal: bool = False
    passive: bool = False
    painful: bool = False
    method: str = "goniometer"
    timing: str = "before"

    @property
    def reference(self) -> Motion:
        """The motion measured, with its normal range."""
        return motions()[self.motion]

    @property
    def label(self) -> str:
        """ "R shoulder flexion", "Neck flexion"."""
        motion = self.reference
        side = SIDES.get(self.side, "")
        return f"{side} {motion.joint} {motion.motion}" if side else motion.name

    @property
    def kind(self) -> str:
        """ "AROM" or "PROM"."""
        return "PROM" if self.passive else "AROM"

    @property
    def key(self) -> tuple[str, str, bool]:
        """What makes two measurements comparable: the same motion, side and kind."""
        return (self.motion, self.side, self.passive)

    def value_text(self) -> str:
        """ "120°", "WNL", "95° (visual), pain at end range"."""
        text = "WNL" if self.within_normal else f"{self.degrees}°"
        if self.method == "visual" and not self.within_normal:
            text += " (visual)"
        return text + (", pain at end range" if self.painful else "")

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "motion": self.motion,
            "side": self.side,
            "degrees": self.degrees,
            "within_normal": self.within_normal,
            "passive": self.passive,
            "painful": self.painful,
            "method": self.method,
            "timing": self.timing,
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "Range of motion") -> RangeOfMotion:
        """A measurement from its stored form, checked.

        Raises:
            MeasureError: an unknown motion, a side that does not fit it, degrees out of range
                or missing, an unknown method or timing.
        """
        if not isinstance(data, dict):
            raise MeasureError(f"{where} must be an object, not {type(data).__name__}.")
        motion = data.get("motion")
        if motion not in motions():
            raise MeasureError(f"{where}: unknown motion {motion!r}.")
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        value = cls(**known)
        reference = motions()[motion]
        label = f"{where} ({reference.name})"
        if reference.sided and value.side not in ("right", "left"):
            raise MeasureError(f"{label}: choose the right or left side.")
        if not reference.sided and value.side:
            raise MeasureError(f"{label} has no side; leave the side empty.")
        if value.within_normal:
            if value.degrees is not None:
                raise MeasureError(f"{label}: give degrees or within normal limits, not both.")
        elif (
            not isinstance(value.degrees, int)
            or isinstance(value.degrees, bool)
            or not 0 <= value.degrees <= MOST_DEGREES
        ):
            raise MeasureError(
                f"{label}: enter the degrees measured (0 to {MOST_DEGREES}), or mark it "
                "within normal limits."
            )
        if value.method not in METHODS:
            raise MeasureError(f"{label}: unknown method {value.method!r}.")
        if value.timing not in TIMINGS:
            raise MeasureError(f"{label}: measured before or after treatment?")
        for flag in ("within_normal", "passive", "painful"):
            if not isinstance(getattr(value, flag), bool):
                raise MeasureError(f"{label}: {flag} must be true or false.")
        return value


@dataclass(frozen=True)
class RomRow:
    """One line of the range-of-motion table: a motion's values this visit and at the last one.

    Attributes:
        before, after: this visit's measurements before and after treatment, if taken.
        last: the same motion's newest measurement at the last visit that measured it.
        last_day: that visit's day.
    """

    label: str
    kind: str
    normal: int
    before: RangeOfMotion | None
    after: RangeOfMotion | None
    last: RangeOfMotion | None
    last_day: dt.date | None

    @property
    def newest(self) -> RangeOfMotion:
        """This visit's latest measurement (after treatment when taken)."""
        value = self.after or self.before
        assert value is not None
        return value


def rom_rows(
    current: Sequence[RangeOfMotion],
    previous: Sequence[RangeOfMotion] = (),
    previous_day: dt.date | None = None,
) -> list[RomRow]:
    """This visit's measurements paired before/after, each with the last visit's value, in the
    order they were first entered."""
    rows: dict[tuple[str, str, bool], dict[str, RangeOfMotion]] = {}
    for measure in current:
        rows.setdefault(measure.key, {})[measure.timing] = measure
    earlier: dict[tuple[str, str, bool], RangeOfMotion] = {}
    for measure in previous:  # after treatment wins over before: it is the newer value
        if measure.timing == "after" or measure.key not in earlier:
            earlier[measure.key] = measure
    result = []
    for key, pair in rows.items():
        first = pair.get("before") or pair["after"]
        last = earlier.get(key)
        result.append(
            RomRow(
                label=first.label,
                kind=first.kind,
                normal=first.reference.normal,
                before=pair.get("before"),
                after=pair.get("after"),
                last=last,
                last_day=previous_day if last is not None else None,
            )
        )
    return result


def _client_value(measure: RangeOfMotion) -> str:
    return "a normal range" if measure.within_normal else f"{measure.degrees}°"


def rom_change_words(row: RomRow) -> str:
    """A motion in the client's words: "Turning the head to the left: 55° before your session,
    70° after. It was sore at the end of the movement." (no abbreviations, no method)."""
    motion = row.newest.reference
    side = {"right": " to the right", "left": " to the left"}.get(row.newest.side, "")
    if motion.id.startswith(("shoulder", "elbow", "wrist", "hip", "knee", "ankle")):
        side = {"right": " (right side)", "left": " (left side)"}.get(row.newest.side, "")
    if row.before is not None and row.after is not None:
        value = f"{_client_value(row.before)} before your session, {_client_value(row.after)} after"
    else:
        value = _client_value(row.newest)
    text = f"{motion.words.capitalize()}{side}: {value}."
    if any(m is not None and m.painful for m in (row.before, row.after)):
        text += " It was sore at the end of the movement."
    return text


# --------------------------------------------------------------------------- tolerance

ACTIVITIES = {
    "sitting": "Sitting",
    "standing": "Standing",
    "walking": "Walking",
    "driving": "Driving",
    "lying": "Lying down",
    "sleeping": "Sleeping without waking",
    "computer": "Computer work",
    "lifting": "Lifting and carrying",
}
"""The activities whose tolerance is recorded in minutes (WAC 296-23-250 names sitting and
standing tolerance among the functional measures)."""

MOST_MINUTES = 24 * 60

ACTIVITY_VERBS = {
    "sitting": "sit",
    "standing": "stand",
    "walking": "walk",
    "driving": "drive",
    "lying": "lie down",
    "sleeping": "sleep without waking",
    "computer": "work at a computer",
    "lifting": "lift and carry",
}
"""Each activity as the client summary says it: "You can sit for 30 minutes"."""

GOAL_STATUS_WORDS = {
    "set": "just set",
    "progressing": "on the way",
    "partly_met": "partly reached",
    "met": "reached",
    "not_met": "not reached yet",
    "discontinued": "no longer a goal",
}
"""Where a goal stands, in the client's words."""


@dataclass(frozen=True)
class Tolerance:
    """How long the client can keep up an activity before symptoms stop them.

    Attributes:
        activity: an ``ACTIVITIES`` key.
        minutes: how long, as the client reports or as observed.
    """

    activity: str
    minutes: int

    @property
    def label(self) -> str:
        """ "Sitting"."""
        return ACTIVITIES[self.activity]

    def value_text(self) -> str:
        """ "20 min"."""
        return format_minutes(self.minutes)

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {"activity": self.activity, "minutes": self.minutes}

    @classmethod
    def from_json(cls, data: Any, where: str = "Tolerance") -> Tolerance:
        """A tolerance from its stored form, checked.

        Raises:
            MeasureError: an unknown activity or minutes out of range.
        """
        if not isinstance(data, dict):
            raise MeasureError(f"{where} must be an object, not {type(data).__name__}.")
        activity = data.get("activity")
        if activity not in ACTIVITIES:
            raise MeasureError(f"{where}: unknown activity {activity!r}.")
        minutes = data.get("minutes")
        if (
            not isinstance(minutes, int)
            or isinstance(minutes, bool)
            or not 0 <= minutes <= MOST_MINUTES
        ):
            raise MeasureError(
                f"{where} ({ACTIVITIES[activity]}): enter the minutes (0 to {MOST_MINUTES:,})."
            )
        return cls(activity, minutes)


# --------------------------------------------------------------------------- goals


class GoalTerm(enum.Enum):
    """Short-term goals come first; long-term goals are what the course of care aims at."""

    SHORT = "short"
    LONG = "long"

    @property
    def label(self) -> str:
        """ "Short-term" or "Long-term"."""
        return "Short-term" if self is GoalTerm.SHORT else "Long-term"

    @property
    def abbreviation(self) -> str:
        """ "STG" or "LTG"."""
        return "STG" if self is GoalTerm.SHORT else "LTG"


class GoalStatus(enum.Enum):
    """Where a goal stands at this visit."""

    SET = "set"
    PROGRESSING = "progressing"
    PARTLY_MET = "partly_met"
    MET = "met"
    NOT_MET = "not_met"
    DISCONTINUED = "discontinued"

    @property
    def label(self) -> str:
        """ "Set", "Progressing", "Partly met", "Met", "Not met", "Discontinued"."""
        return self.value.replace("_", " ").capitalize()

    @property
    def closed(self) -> bool:
        """A goal met or discontinued is not carried to the next visit."""
        return self in (GoalStatus.MET, GoalStatus.DISCONTINUED)


@dataclass(frozen=True)
class Goal:
    """A functional goal (SMART, based on daily activities) as it stands at one visit.

    Attributes:
        term: short- or long-term.
        text: the goal in the therapist's words ("Turn the head 70° to check traffic").
        target: the day it should be met by (the timeframe), if set.
        status: where it stands at this visit.
    """

    term: GoalTerm
    text: str
    target: dt.date | None = None
    status: GoalStatus = GoalStatus.SET

    def timeframe_text(self, on: dt.date | None = None) -> str:
        """ "by 15 Jan 2027 (6 weeks)" or "no date set"."""
        if self.target is None:
            return "no date set"
        text = f"by {format_date(self.target)}"
        if on is not None and self.target >= on:
            weeks = (self.target - on).days // 7
            if weeks >= 1:
                text += f" ({weeks} week{'s' if weeks != 1 else ''})"
        elif on is not None:
            text += " (past)"
        return text

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "term": self.term.value,
            "text": self.text,
            "target": self.target.isoformat() if self.target else None,
            "status": self.status.value,
        }

    @classmethod
    def from_json(cls, data: Any, where: str = "Goal") -> Goal:
        """A goal from its stored form, checked.

        Raises:
            MeasureError: an unknown term or status, no text or too much, a wrong date.
        """
        if not isinstance(data, dict):
            raise MeasureError(f"{where} must be an object, not {type(data).__name__}.")
        try:
            term = GoalTerm(data.get("term"))
        except ValueError:
            raise MeasureError(
                f"{where}: the term is short or long, not {data.get('term')!r}."
            ) from None
        try:
            status = GoalStatus(data.get("status", "set"))
        except ValueError:
            raise MeasureError(f"{where}: unknown status {data.get('status')!r}.") from None
        text = data.get("text")
        problem = limits.text_problem(where, text, limits.SHORT_TEXT)
        if problem:
            raise MeasureError(problem)
        assert isinstance(text, str)
        if not text.strip():
            raise MeasureError(f"{where}: write the goal, or remove the empty line.")
        target = data.get("target")
        day = None
        if target not in (None, ""):
            try:
                day = dt.date.fromisoformat(str(target))
            except ValueError:
                raise MeasureError(
                    f"{where}: the target date {target!r} is not a date (YYYY-MM-DD)."
                ) from None
        return cls(term, text.strip(), day, status)


def carried_goals(goals: Iterable[Goal]) -> list[Goal]:
    """The goals a new visit starts with: the last visit's, without those met or
    discontinued."""
    return [goal for goal in goals if not goal.status.closed]


# --------------------------------------------------------------------------- the visit's lists

STRUCTURED_FIELDS: dict[str, Any] = {
    "range_of_motion": RangeOfMotion,
    "tolerances": Tolerance,
    "goals": Goal,
}
"""The visit's structured note fields and the value each entry holds."""

FIELD_LABELS = {
    "range_of_motion": "Range of motion",
    "tolerances": "Tolerance",
    "goals": "Goal",
}


def parse_entries(name: str, values: Any) -> tuple[Any, ...]:
    """A structured field's entries from their stored (JSON) form, each checked.

    Raises:
        MeasureError: not a list, too many entries, or an entry that cannot be right (the message
            names its number).
    """
    kind = STRUCTURED_FIELDS[name]
    label = FIELD_LABELS[name]
    if values is None:
        return ()
    if not isinstance(values, list | tuple):
        raise MeasureError(f"{label} must be a list, not {type(values).__name__}.")
    if len(values) > limits.LIST_ITEMS:
        raise MeasureError(
            f"{label} has {len(values):,} entries; the most is {limits.LIST_ITEMS:,}."
        )
    return tuple(
        value if isinstance(value, kind) else kind.from_json(value, f"{label} {index}")
        for index, value in enumerate(values, start=1)
    )


def entries_json(name: str, values: Any) -> list[dict[str, Any]]:
    """A structured field's entries in their stored (JSON) form, each checked.

    Raises:
        MeasureError: as ``parse_entries``.
    """
    return [entry.to_json() for entry in parse_entries(name, values)]


def describe_entry(entry: Any) -> str:
    """One entry in a line of words: "L neck rotation 55° before treatment", "Sitting 20 min",
    "STG: Turn the head (progressing)"."""
    if isinstance(entry, RangeOfMotion):
        return f"{entry.label} {entry.kind} {entry.value_text()} {TIMINGS[entry.timing]}"
    if isinstance(entry, Tolerance):
        return f"{entry.label} {entry.value_text()}"
    assert isinstance(entry, Goal)
    return f"{entry.term.abbreviation}: {entry.text} ({entry.status.label.lower()})"


def describe_entries(name: str, values: Any) -> str:
    """A structured field's entries in words, "; " between them (those that do not read, as
    "an entry this version cannot read")."""
    kind = STRUCTURED_FIELDS[name]
    parts = []
    for value in values or ():
        try:
            parts.append(
                describe_entry(value if isinstance(value, kind) else kind.from_json(value))
            )
        except MeasureError:
            parts.append("an entry this version cannot read")
    return "; ".join(parts)
