"""Patient-reported outcome measures: their official wording, scoring, and what a change means.

The measures are data (``resources/outcomes/measures.json``, checked against its JSON Schema):
adding one is a reviewed edit of that file and of docs/outcomes.md, never code. Scores are
computed here from the answers, so a stored answer sheet and its score can never disagree.

Pure Python: no Qt, no database.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from massage_chart.resources import resource_path


class Kind(enum.Enum):
    """How a measure is answered."""

    SINGLE = "single"
    """One rating (the 0-10 pain scale)."""
    ITEMS = "items"
    """A fixed list of items, each rated (LEFS)."""
    ACTIVITIES = "activities"
    """The client names their own activities and rates each (PSFS)."""


class Better(enum.Enum):
    """Which way a score improves."""

    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Measure:
    """One outcome measure as published.

    Attributes:
        code: stable id stored with every score ("lefs").
        version: bumped when wording, items or scoring change; stored with every score.
        items: the fixed items (``Kind.ITEMS``), in order.
        activities: how many activities the client names, (min, max) (``Kind.ACTIVITIES``).
        mcid: the minimal clinically important difference, in score points.
    """

    code: str
    version: int
    name: str
    short_name: str
    kind: Kind
    question: str
    client_words: str
    scale_min: int
    scale_max: int
    anchors: Mapping[int, str]
    items: tuple[str, ...]
    activities: tuple[int, int] | None
    rule: str
    score_min: float
    score_max: float
    decimals: int
    better: Better
    mcid: float
    mcid_note: str
    citations: tuple[str, ...]
    licence: str

    def score(self, answers: Sequence[int]) -> float:
        """The score of a complete answer sheet (see ``answer_problem`` for what is complete).

        Raises:
            OutcomeError: the answers do not fit the measure.
        """
        problem = self.answer_problem(answers)
        if problem:
            raise OutcomeError(problem)
        if self.rule == "mean":
            value = sum(answers) / len(answers)
        elif self.rule == "sum":
            value = float(sum(answers))
        else:
            value = float(answers[0])
        return round(value, self.decimals)

    def answer_problem(self, answers: Sequence[int], activities: Sequence[str] = ()) -> str:
        """Why an answer sheet cannot be scored, in plain words; "" when it can."""
        for answer in answers:
            if isinstance(answer, bool) or not isinstance(answer, int):
                return f"{self.short_name}: every answer is a whole number."
            if not self.scale_min <= answer <= self.scale_max:
                return (
                    f"{self.short_name}: answers go from {self.scale_min} to {self.scale_max}, "
                    f"not {answer}."
                )
        if self.kind is Kind.SINGLE and len(answers) != 1:
            return f"{self.short_name}: give one rating."
        if self.kind is Kind.ITEMS and len(answers) != len(self.items):
            missing = len(self.items) - len(answers)
            if missing > 0:
                return (
                    f"{self.short_name}: {missing} of the {len(self.items)} items are not "
                    "answered; every item is needed for a valid score."
                )
            return f"{self.short_name} has {len(self.items)} items, not {len(answers)}."
        if self.kind is Kind.ACTIVITIES:
            assert self.activities is not None
            low, high = self.activities
            if not low <= len(answers) <= high:
                return f"{self.short_name}: rate {low} to {high} activities, not {len(answers)}."
            if activities and (
                len(activities) != len(answers) or any(not a.strip() for a in activities)
            ):
                return f"{self.short_name}: name each activity you rate."
        return ""

    def change(self, first: float, latest: float) -> Change:
        """What the change from ``first`` to ``latest`` means, against the MCID."""
        gain = latest - first if self.better is Better.HIGHER else first - latest
        if gain >= self.mcid:
            verdict = Verdict.IMPROVED
        elif -gain >= self.mcid:
            verdict = Verdict.WORSE
        else:
            verdict = Verdict.NO_IMPORTANT_CHANGE
        return Change(self, first, latest, round(latest - first, self.decimals), verdict)

    def format_score(self, value: float) -> str:
        """A score as printed: "42/80", "6.3/10"."""
        shown = f"{value:.{self.decimals}f}"
        top = f"{self.score_max:.0f}"
        return f"{shown}/{top}"


class Verdict(enum.Enum):
    """A change judged against the measure's MCID."""

    IMPROVED = "improved"
    NO_IMPORTANT_CHANGE = "no important change"
    WORSE = "worse"


@dataclass(frozen=True)
class Change:
    """A change between two scores of one measure."""

    measure: Measure
    first: float
    latest: float
    difference: float
    verdict: Verdict

    def words(self) -> str:
        """ "LEFS 42/80 → 55/80 (+13): improved, beyond the MCID of 9"."""
        m = self.measure
        sign = "+" if self.difference > 0 else ""
        diff = f"{sign}{self.difference:.{m.decimals}f}"
        mcid = f"{m.mcid:g}"
        if self.verdict is Verdict.NO_IMPORTANT_CHANGE:
            judged = f"within the MCID of {mcid}: no clinically important change"
        else:
            judged = f"{self.verdict.value}, beyond the MCID of {mcid}"
        return (
            f"{m.short_name} {m.format_score(self.first)} → {m.format_score(self.latest)} "
            f"({diff}): {judged}"
        )


class OutcomeError(ValueError):
    """An answer sheet that cannot be scored, or a measure that is not known."""


def _measure(raw: Mapping[str, Any]) -> Measure:
    scale = raw["scale"]
    score = raw["score"]
    activities = raw.get("activities")
    return Measure(
        code=raw["code"],
        version=raw["version"],
        name=raw["name"],
        short_name=raw["short_name"],
        kind=Kind(raw["kind"]),
        question=raw["question"],
        client_words=raw["client_words"],
        scale_min=scale["min"],
        scale_max=scale["max"],
        anchors={int(k): v for k, v in scale["anchors"].items()},
        items=tuple(raw.get("items", ())),
        activities=(activities["min"], activities["max"]) if activities else None,
        rule=score["rule"],
        score_min=score["min"],
        score_max=score["max"],
        decimals=score["decimals"],
        better=Better(score["better"]),
        mcid=raw["mcid"],
        mcid_note=raw["mcid_note"],
        citations=tuple(raw["citations"]),
        licence=raw["licence"],
    )


def measures_schema() -> dict[str, Any]:
    """The JSON Schema of the measures file."""
    schema: dict[str, Any] = json.loads(
        resource_path("outcomes", "measures.schema.json").read_text(encoding="utf-8")
    )
    return schema


def check_measures_file(data: Any) -> None:
    """Check a measures file against its JSON Schema (the tests check the shipped file).

    Raises:
        OutcomeError: the data breaks the schema (the message says where).
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(measures_schema()).iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the top"
        raise OutcomeError(f"The outcome measures file is wrong at {where}: {error.message}")


def parse_measures(data: Any, *, check: bool = True) -> tuple[Measure, ...]:
    """Measures from the parsed file.

    Args:
        data: the parsed JSON.
        check: check it against the schema first. The app reads its own shipped file without
            (the suite checks that file; loading jsonschema would slow every start), and any
            field missing or of the wrong kind still stops it here.

    Raises:
        OutcomeError: the data breaks the schema, or cannot be read as measures.
    """
    if check:
        check_measures_file(data)
    try:
        measures = tuple(_measure(raw) for raw in data["measures"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise OutcomeError(f"The outcome measures file cannot be read: {exc!r}") from exc
    codes = [m.code for m in measures]
    if len(set(codes)) != len(codes):
        raise OutcomeError("The outcome measures file lists a measure twice.")
    return measures


@cache
def all_measures() -> tuple[Measure, ...]:
    """Every measure the app offers, in the file's order."""
    path = resource_path("outcomes", "measures.json")
    return parse_measures(json.loads(path.read_text(encoding="utf-8")), check=False)


def measure(code: str) -> Measure:
    """The measure with that code.

    Raises:
        OutcomeError: no measure has that code.
    """
    for candidate in all_measures():
        if candidate.code == code:
            return candidate
    known = ", ".join(m.code for m in all_measures())
    raise OutcomeError(f"There is no outcome measure {code!r} (known: {known}).")


@dataclass(frozen=True)
class OutcomeChange:
    """A measure's change from the first score on file to the latest, judged by its MCID.

    Attributes:
        first, latest: the scores, with the days they were taken.
        change: latest minus first, in score points (signed).
    """

    measure: Measure
    first: float
    first_day: dt.date
    latest: float
    latest_day: dt.date

    @property
    def change(self) -> float:
        """Latest minus first."""
        return round(self.latest - self.first, self.measure.decimals)

    @property
    def improved(self) -> bool:
        """The score moved the better way."""
        if self.measure.better is Better.HIGHER:
            return self.change > 0
        return self.change < 0

    @property
    def important(self) -> bool:
        """The change reaches the minimal clinically important difference."""
        return abs(self.change) >= self.measure.mcid

    def meaning(self) -> str:
        """ "Improved by 12 (at least the MCID of 9)", "No change", "Worse by 3 (less than the
        MCID of 9)"; "Baseline" for a single score."""
        if self.first_day == self.latest_day and self.first == self.latest:
            return "Baseline"
        if self.change == 0:
            return "No change"
        direction = "Improved" if self.improved else "Worse"
        amount = f"{abs(self.change):g}"
        mcid = f"{self.measure.mcid:g}"
        reach = (
            f"at least the MCID of {mcid}" if self.important else f"less than the MCID of {mcid}"
        )
        return f"{direction} by {amount} ({reach})"
