"""Contraindication alerts in tiers from the health history, and treatment checks (DOMAIN.md §4)."""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from massage_chart.domain.findings import BodyPart, MarkFinding, find_body_part, region_stem
from massage_chart.domain.marks import MarkKind, Side
from massage_chart.domain.medications import classify_medication
from massage_chart.domain.presentation import medication_class_words
from massage_chart.domain.record_kinds import MedicationClass
from massage_chart.domain.text import fold
from massage_chart.resources import resource_path

PAST_AFTER_DAYS = 42
"""Typed text dated further back than this ("8 weeks ago") reads as past history."""

DEEP_PRESSURE_LEVEL = 4
"""Walton 4 (medium-deep) and 5 (deep) count as deep pressure."""


class AlertTier(enum.Enum):
    """How strongly an alert holds the session back, most severe first (DOMAIN.md §4.3)."""

    STOP_REFER = "stop_refer"
    CLEARANCE = "clearance"
    DEEP_TISSUE_CAUTION = "deep_tissue_caution"
    LOCAL_AVOID = "local_avoid"
    POSITIONING = "positioning"
    PRODUCTS = "products"

    @property
    def rank(self) -> int:
        """0 for the most severe tier."""
        return list(AlertTier).index(self)

    @property
    def label(self) -> str:
        """The tier as the window names it."""
        return _TIER_LABELS[self]


_TIER_LABELS = {
    AlertTier.STOP_REFER: "Stop / refer",
    AlertTier.CLEARANCE: "Clearance recommended",
    AlertTier.DEEP_TISSUE_CAUTION: "Deep-tissue caution",
    AlertTier.LOCAL_AVOID: "Area to avoid",
    AlertTier.POSITIONING: "Positioning",
    AlertTier.PRODUCTS: "Products",
}


class AlertAction(enum.Enum):
    """What the app does about an alert."""

    REQUIRE_OVERRIDE = "require_override"
    """Block charting until an override reason (or physician clearance) is recorded."""
    REQUIRE_CLEARANCE = "require_clearance"
    """Show a banner until a clearance is on file (date and document)."""
    CAP_PRESSURE = "cap_pressure"
    """Cap the default pressure; warn on trigger points, deep techniques or deep pressure."""
    MARK_AREA_TO_AVOID = "mark_area_to_avoid"
    """Draw an area to avoid on the chart, carried forward until cleared."""
    POSITION_REMINDER = "position_reminder"
    """Show a positioning reminder on the session screen and in the note."""
    CHECK_PRODUCTS = "check_products"
    """Remind the therapist to check lotions, oils and materials."""

    @property
    def text(self) -> str:
        """What the app does, in a sentence."""
        return _ACTION_TEXT[self]


_ACTION_TEXT = {
    AlertAction.REQUIRE_OVERRIDE: (
        "Charting is blocked until an override reason or physician clearance is recorded."
    ),
    AlertAction.REQUIRE_CLEARANCE: "Shown as a banner until a clearance is on file.",
    AlertAction.CAP_PRESSURE: (
        "Pressure is capped by default; trigger points, deep techniques and deep pressure are "
        "warned about."
    ),
    AlertAction.MARK_AREA_TO_AVOID: (
        "Marked as an area to avoid on the chart and carried forward until cleared."
    ),
    AlertAction.POSITION_REMINDER: "Shown as a positioning reminder and noted in the chart.",
    AlertAction.CHECK_PRODUCTS: "Check lotions, oils, linens and gloves before the session.",
}

_TIER_ACTION = {
    AlertTier.STOP_REFER: AlertAction.REQUIRE_OVERRIDE,
    AlertTier.CLEARANCE: AlertAction.REQUIRE_CLEARANCE,
    AlertTier.DEEP_TISSUE_CAUTION: AlertAction.CAP_PRESSURE,
    AlertTier.LOCAL_AVOID: AlertAction.MARK_AREA_TO_AVOID,
    AlertTier.POSITIONING: AlertAction.POSITION_REMINDER,
    AlertTier.PRODUCTS: AlertAction.CHECK_PRODUCTS,
}


class HealthFlag(enum.Enum):
    """Intake or session-update checkboxes that raise an alert without any typed text."""

    DVT_SIGNS = "dvt_signs"
    """Unilateral leg swelling with heat, redness or pain."""
    FEVER = "fever"
    ACUTE_INFECTION = "acute_infection"
    PREGNANCY_RED_FLAGS = "pregnancy_red_flags"
    HIGH_RISK_PREGNANCY = "high_risk_pregnancy"
    PAIN_MEDICATION_TODAY = "pain_medication_today"
    LYMPH_NODES_REMOVED = "lymph_nodes_removed"
    FRAGILE_SKIN = "fragile_skin"


@dataclass(frozen=True)
class Medication:
    """A medication as recorded: its name and the class chosen by hand, if any.

    Attributes:
        name: as typed ("Eliquis 5 mg").
        med_class: the class recorded with it; None to look the name up.
    """

    name: str
    med_class: MedicationClass | None = None


@dataclass(frozen=True)
class Surgery:
    """A past surgery: what it was (with the body part, ideally) and when."""

    description: str
    date: dt.date | None = None


@dataclass(frozen=True)
class HealthSnapshot:
    """The health history and today's update, as the alert rules read it.

    Attributes:
        conditions: conditions as typed ("DVT left calf", "osteopenia", "on chemo").
        medications: current medications.
        allergies: allergies and sensitivities (oils, lotions, latex...).
        surgeries: past surgeries, dated where known.
        injuries: injuries as typed ("sprained R ankle 2 days ago").
        pregnant: whether the client is pregnant.
        pregnancy_weeks: weeks of pregnancy, if known.
        age: the client's age in years, if known.
        temperature_c: a temperature taken today, if any.
        blood_pressure: (systolic, diastolic) taken today, if any.
        health_update: today's free-text update ("any change since last visit?").
        flags: checkboxes ticked at intake or today.
        clearances_on_file: alert codes for which a clearance is on file.
    """

    conditions: tuple[str, ...] = ()
    medications: tuple[Medication, ...] = ()
    allergies: tuple[str, ...] = ()
    surgeries: tuple[Surgery, ...] = ()
    injuries: tuple[str, ...] = ()
    pregnant: bool = False
    pregnancy_weeks: int | None = None
    age: int | None = None
    temperature_c: float | None = None
    blood_pressure: tuple[int, int] | None = None
    health_update: str = ""
    flags: frozenset[HealthFlag] = frozenset()
    clearances_on_file: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Alert:
    """One contraindication or precaution found in the health history.

    Attributes:
        tier: how strongly it holds the session back.
        code: stable rule code ("dvt", "anticoagulant").
        title: short title ("Suspected or known blood clot (DVT)").
        message: what it means for the session, in plain words.
        source: what triggered it ('condition "DVT L calf"', 'medication "Eliquis 5 mg"').
        action: what the app does about it.
        max_pressure: the highest Walton pressure recommended, for deep-tissue cautions.
        body_part: the body part in words ("left shin") when one is known.
        side: the client's side of that body part, if one was given.
        stems: atlas region stems that the body part covers (areas to avoid, limb cautions).
        clearance_on_file: a clearance is recorded for this alert's code.
    """

    tier: AlertTier
    code: str
    title: str
    message: str
    source: str
    action: AlertAction
    max_pressure: int | None = None
    body_part: str | None = None
    side: Side | None = None
    stems: tuple[str, ...] = ()
    clearance_on_file: bool = False

    @property
    def needs_override(self) -> bool:
        """Whether charting waits for a recorded override reason."""
        return self.tier is AlertTier.STOP_REFER

    @property
    def needs_clearance(self) -> bool:
        """Whether a clearance banner is still due."""
        return self.tier is AlertTier.CLEARANCE and not self.clearance_on_file

    def covers(self, region_id: str, side: Side | None = None) -> bool:
        """Whether a region lies in this alert's body part, on its side.

        The side is taken from ``side`` or, if not given, from the id's suffix (".r", ".l").
        """
        if not self.stems or region_stem(region_id) not in self.stems:
            return False
        side = side or _SIDE_SUFFIXES.get(region_id.rpartition(".")[2] if "." in region_id else "")
        return self.side is None or side is None or side is Side.MIDLINE or side is self.side

    def region_ids(self, region_ids: Iterable[str]) -> list[str]:
        """The regions (of those given) that this alert covers: where to draw areas to avoid."""
        return [region_id for region_id in region_ids if self.covers(region_id)]


_SIDE_SUFFIXES = {"r": Side.RIGHT, "l": Side.LEFT}


# The rule table: resources/alerts/rules.json, read and checked once -------------------------


class AlertRulesError(ValueError):
    """The alert rules file is malformed; the message names the rule at fault."""


@dataclass(frozen=True)
class Review:
    """Who reviewed a rule clinically, and when."""

    by: str
    date: dt.date
    note: str = ""


@dataclass(frozen=True)
class PregnancyRisk:
    """Risk factors that, with a pregnancy, raise a rule: one source per factor found.

    Attributes:
        conditions: matched against each typed condition.
        alerts: codes of other rules whose alert counts as a risk factor.
        age_outside: (youngest, oldest) age without risk; an age outside it is a factor.
    """

    conditions: re.Pattern[str] | None = None
    alerts: frozenset[str] = frozenset()
    age_outside: tuple[int, int] | None = None


@dataclass(frozen=True)
class PositionWarning:
    """Positions to warn about, and the advice given ("{position}" names the charted one)."""

    positions: re.Pattern[str]
    advice: str


@dataclass(frozen=True)
class AlertRule:
    """One rule of the table: what raises its alert, and what the alert means for treatment.

    Attributes:
        code: stable code, also used for clearances and overrides.
        tier: the alert tier.
        title: short title.
        message: what it means, in plain words.
        citation: where the rule comes from.
        reviewed: the clinical review of the rule.
        patterns: typed text (folded) that raises it, matched as whole words.
        pregnancy_patterns: typed text that raises it only when the client is pregnant.
        in_the_past: what a past-tense mention ("history of DVT") does: "same" raises this
            alert, "ignore" raises nothing, any other value is the code of the rule to raise.
        med_classes: medication classes that raise it.
        flags: intake or session-update checkboxes that raise it.
        temperature_at_least: a temperature today (°C) at or above this raises it.
        blood_pressure_at_least: (systolic, diastolic): either at or above raises it.
        age_at_least: an age at or above this raises it.
        any_allergy: each recorded allergy raises it.
        pregnant: a pregnancy raises it.
        pregnant_weeks_over: only past this week of pregnancy (unknown weeks count).
        pregnancy_risk: risk factors that, with a pregnancy, raise it.
        surgery_within_days: a surgery dated (or typed as) this many days ago or fewer raises it.
        surgery_words: words that make typed text "... weeks ago" speak of a surgery.
        raised_with: codes of rules whose alert also raises this one, from the same source.
        max_pressure: highest recommended Walton pressure (deep-tissue cautions).
        locate: find the body part in the text (areas to avoid, limb-specific cautions).
        default_part: body part text used when none is named ("injection sites").
        position_warning: positions to warn about when charted.
    """

    code: str
    tier: AlertTier
    title: str
    message: str
    citation: str
    reviewed: Review
    patterns: re.Pattern[str] | None = None
    pregnancy_patterns: re.Pattern[str] | None = None
    in_the_past: str = "same"
    med_classes: frozenset[MedicationClass] = frozenset()
    flags: frozenset[HealthFlag] = frozenset()
    temperature_at_least: float | None = None
    blood_pressure_at_least: tuple[int, int] | None = None
    age_at_least: int | None = None
    any_allergy: bool = False
    pregnant: bool = False
    pregnant_weeks_over: int | None = None
    pregnancy_risk: PregnancyRisk | None = None
    surgery_within_days: int | None = None
    surgery_words: re.Pattern[str] | None = None
    raised_with: tuple[str, ...] = ()
    max_pressure: int | None = None
    locate: bool = False
    default_part: str | None = None
    position_warning: PositionWarning | None = None

    def matches(self, text: str, *, pregnant: bool) -> bool:
        """Whether normalised typed text raises this rule."""
        if self.patterns is not None and self.patterns.search(text):
            return True
        return (
            pregnant
            and self.pregnancy_patterns is not None
            and bool(self.pregnancy_patterns.search(text))
        )


def _compile(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b")


@cache
def alert_rules_schema() -> dict[str, Any]:
    """The JSON Schema of the rules file (``resources/alerts/rules.schema.json``)."""
    schema: dict[str, Any] = json.loads(
        resource_path("alerts", "rules.schema.json").read_text(encoding="utf-8")
    )
    return schema


def _rule_name(data: Any, index: int) -> str:
    rules = data.get("rules") if isinstance(data, dict) else None
    rule = rules[index] if isinstance(rules, list) and index < len(rules) else None
    code = rule.get("code") if isinstance(rule, dict) else None
    return (
        f'rule {index + 1} ("{code}")' if isinstance(code, str) else f"rule {index + 1} (no code)"
    )


def _check_schema(data: Any, source: str) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(
        alert_rules_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    error = best_match(validator.iter_errors(data))
    if error is None:
        return
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        where = ".".join(str(part) for part in path[2:])
        place = f"{_rule_name(data, path[1])}{f', {where}' if where else ''}"
        raise AlertRulesError(f"{source}: {place}: {error.message}")
    where = ".".join(str(part) for part in path)
    raise AlertRulesError(f"{source}: {where + ': ' if where else ''}{error.message}")


def _pattern(patterns: list[str], name: str, where: str, *, check: bool) -> re.Pattern[str]:
    """The patterns as one expression of whole words. Each is checked on its own (a valid
    expression that does not match empty text) when ``check`` is set, or when the whole does
    not compile, so that the message names the one at fault."""
    if not check:
        try:
            return _compile(patterns)
        except re.error:
            pass
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise AlertRulesError(
                f"{where}: {name}: {pattern!r} is not a valid pattern ({error})"
            ) from error
        if re.fullmatch(pattern, ""):
            raise AlertRulesError(f"{where}: {name}: {pattern!r} matches empty text")
    return _compile(patterns)


def _rule(entry: dict[str, Any], where: str, *, check: bool) -> AlertRule:
    when: dict[str, Any] = entry["when"]
    treatment: dict[str, Any] = entry.get("treatment", {})
    typed: dict[str, Any] = when.get("typed", {})
    past = typed.get("in_the_past", "same")
    risk: dict[str, Any] | None = when.get("pregnant_with")
    age_outside = risk.get("age_outside") if risk is not None else None
    if age_outside is not None and age_outside["from"] > age_outside["to"]:
        raise AlertRulesError(f"{where}: pregnant_with.age_outside: 'from' is after 'to'")
    pressure: dict[str, int] | None = when.get("blood_pressure_at_least")
    surgery: dict[str, Any] | None = when.get("surgery_within")
    body_part: dict[str, Any] = treatment.get("body_part", {})
    position: dict[str, Any] | None = treatment.get("position_warning")
    reviewed: dict[str, str] = entry["reviewed"]

    def patterns(values: list[str] | None, name: str) -> re.Pattern[str] | None:
        return _pattern(values, name, where, check=check) if values else None

    return AlertRule(
        code=entry["code"],
        tier=AlertTier(entry["tier"]),
        title=entry["title"],
        message=entry["message"],
        citation=entry["citation"],
        reviewed=Review(
            reviewed["by"], dt.date.fromisoformat(reviewed["date"]), reviewed.get("note", "")
        ),
        patterns=patterns(typed.get("patterns"), "typed.patterns"),
        pregnancy_patterns=patterns(
            typed.get("patterns_when_pregnant"), "typed.patterns_when_pregnant"
        ),
        in_the_past=past if isinstance(past, str) else past["raise"],
        med_classes=frozenset(MedicationClass(v) for v in when.get("medication_classes", ())),
        flags=frozenset(HealthFlag(value) for value in when.get("flags", ())),
        temperature_at_least=when.get("temperature_c_at_least"),
        blood_pressure_at_least=(
            (pressure["systolic"], pressure["diastolic"]) if pressure is not None else None
        ),
        age_at_least=when.get("age_at_least"),
        any_allergy=when.get("any_allergy", False),
        pregnant="pregnant" in when,
        pregnant_weeks_over=when.get("pregnant", {}).get("weeks_over"),
        pregnancy_risk=(
            PregnancyRisk(
                conditions=patterns(risk.get("conditions"), "pregnant_with.conditions"),
                alerts=frozenset(risk.get("alerts", ())),
                age_outside=(
                    (age_outside["from"], age_outside["to"]) if age_outside is not None else None
                ),
            )
            if risk is not None
            else None
        ),
        surgery_within_days=surgery["days"] if surgery is not None else None,
        surgery_words=(
            _pattern(surgery["words"], "surgery_within.words", where, check=check)
            if surgery
            else None
        ),
        raised_with=tuple(when.get("raised_with", ())),
        max_pressure=treatment.get("max_pressure"),
        locate=body_part.get("from_text", False),
        default_part=body_part.get("otherwise"),
        position_warning=(
            PositionWarning(
                _pattern(position["positions"], "position_warning.positions", where, check=check),
                position["advice"],
            )
            if position is not None
            else None
        ),
    )


def parse_alert_rules(
    data: Any, *, source: str = "alert rules", check: bool = True
) -> tuple[AlertRule, ...]:
    """Validate the JSON document of an alert rules file and return its rules, in order.

    Args:
        data: the parsed JSON.
        source: what to call the file in messages.
        check: check it against the JSON Schema first, and each pattern on its own. The app
            reads its own shipped file without (the suite checks that file; loading jsonschema
            costs every start about 45 ms, and compiling each pattern twice about 15 ms);
            anything missing or of the wrong kind, or an expression that does not compile,
            still stops it.

    Raises:
        AlertRulesError: the document does not follow ``rules.schema.json``, a code is used twice,
            a rule refers to a code that no rule has, or a pattern is not a valid expression.
            The message names the rule at fault.
    """
    if check:
        _check_schema(data, source)
        return _parse_rules(data, source, check=True)
    try:
        return _parse_rules(data, source, check=False)
    except AlertRulesError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise AlertRulesError(f"{source}: cannot be read ({exc!r})") from exc


def _parse_rules(data: Any, source: str, *, check: bool) -> tuple[AlertRule, ...]:
    entries: list[dict[str, Any]] = data["rules"]
    first_index: dict[str, int] = {}
    for index, entry in enumerate(entries):
        code = entry["code"]
        if code in first_index:
            raise AlertRulesError(
                f"{source}: {_rule_name(data, index)}: the code is already used by "
                f"{_rule_name(data, first_index[code])}"
            )
        first_index[code] = index
    rules = tuple(
        _rule(entry, f"{source}: {_rule_name(data, index)}", check=check)
        for index, entry in enumerate(entries)
    )
    for index, rule in enumerate(rules):
        referred = {
            "when.typed.in_the_past.raise": {rule.in_the_past} - {"same", "ignore"},
            "when.raised_with": set(rule.raised_with),
            "when.pregnant_with.alerts": (
                set(rule.pregnancy_risk.alerts) if rule.pregnancy_risk else set()
            ),
        }
        for name, codes in referred.items():
            for code in sorted(codes):
                if code not in first_index:
                    raise AlertRulesError(
                        f"{source}: {_rule_name(data, index)}: {name} names {code!r}, "
                        "which no rule has"
                    )
                if code == rule.code:
                    raise AlertRulesError(
                        f"{source}: {_rule_name(data, index)}: {name} names the rule itself"
                    )
    past_targets = {rule.in_the_past for rule in rules}
    for index, entry in enumerate(entries):
        if not entry["when"] and entry["code"] not in past_targets:
            raise AlertRulesError(
                f"{source}: {_rule_name(data, index)}: nothing raises it; give it a 'when' or "
                "name it in another rule's in_the_past"
            )
    return rules


def load_alert_rules(path: Path, *, check: bool = True) -> tuple[AlertRule, ...]:
    """Read and validate an alert rules file (``check``: against its schema too)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise AlertRulesError(f"{path.name}: not valid JSON ({error})") from error
    return parse_alert_rules(data, source=path.name, check=check)


@cache
def alert_rules() -> tuple[AlertRule, ...]:
    """The rules shipped in ``resources/alerts/rules.json``, most severe first (read once)."""
    return load_alert_rules(resource_path("alerts", "rules.json"), check=False)


@cache
def rules_by_code() -> Mapping[str, AlertRule]:
    """The shipped rules by code."""
    return {rule.code: rule for rule in alert_rules()}


if TYPE_CHECKING:
    ALERT_RULES: tuple[AlertRule, ...]
    """The alert rules, most severe first. Codes are stable: clearances and overrides refer to them."""
    RULES_BY_CODE: Mapping[str, AlertRule]


def __getattr__(name: str) -> object:
    """``ALERT_RULES`` and ``RULES_BY_CODE``, read from the rules file on first use."""
    if name == "ALERT_RULES":
        return alert_rules()
    if name == "RULES_BY_CODE":
        return rules_by_code()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_NEGATION = re.compile(
    r"^(?:no|not|none|nil|nkda|nka|n a|denies|denied|negative for|ruled out|never had|"
    r"without any)\b"
)
_HISTORY = re.compile(
    r"\b(?:history of|hx of|hx|h o|pmh|in the past|past history|previous(?:ly)?|prior|old|resolved|"
    r"former(?:ly)?|"
    r"years ago|in remission|remission|cancer free|survivor|"
    r"last (?:year|winter|spring|summer|fall|autumn))\b"
)
_WEEKS_AGO = re.compile(
    r"\b(\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten) ?"
    r"(days?|d|weeks?|wks?|w|months?|mos?|years?|yrs?|y) ago\b"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_RECOVERED = re.compile(r"^(?:had|got over|recovered from|over)\b")
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8,
    "nine": 9, "ten": 10,
}  # fmt: skip
_DAYS_PER_UNIT = {"d": 1, "w": 7, "m": 30, "y": 365}


def normalise_condition(text: str) -> str:
    """Fold case and accents, and turn punctuation into single spaces: "Hx. of D.V.T." -> ..."""
    folded = fold(text).replace("'", "")
    folded = re.sub(r"(?<=\b[a-z])\.(?=[a-z]\b)", "", folded)  # d.v.t -> dvt
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def _days_ago(text: str) -> int | None:
    match = _WEEKS_AGO.search(text)
    if match is None:
        return None
    count = _NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
    return count * _DAYS_PER_UNIT[match.group(2)[0]]


@dataclass
class _Builder:
    """Collects alerts, merging the same rule raised for the same body part by several sources.

    A rule raised also raises the rules that name it in ``raised_with``, from the same source.
    """

    clearances: frozenset[str]
    rules: tuple[AlertRule, ...]
    alerts: dict[tuple[str, str | None], Alert] = field(default_factory=dict)

    def add(self, rule: AlertRule, source: str, part: BodyPart | None = None) -> None:
        """Raise ``rule``; ``part`` is the body part named in the source text, if any."""
        located = part if rule.locate else None
        if located is None and rule.default_part is not None:
            found = find_body_part(rule.default_part)
            located = BodyPart(rule.default_part, None, found.stems if found else ())
        body_part = located.text if located is not None else None
        key = (rule.code, body_part)
        existing = self.alerts.get(key)
        if existing is not None:
            if source in existing.source.split("; "):
                return
            self.alerts[key] = replace(existing, source=f"{existing.source}; {source}")
        else:
            self.alerts[key] = Alert(
                tier=rule.tier,
                code=rule.code,
                title=rule.title,
                message=rule.message,
                source=source,
                action=_TIER_ACTION[rule.tier],
                max_pressure=rule.max_pressure,
                body_part=body_part,
                side=located.side if located is not None else None,
                stems=located.stems if located is not None else (),
                clearance_on_file=rule.code in self.clearances,
            )
        for companion in self.rules:
            if rule.code in companion.raised_with:
                self.add(companion, source, part)

    def codes(self) -> set[str]:
        return {code for code, _ in self.alerts}


def _is_past(norm: str, days: int | None, today: dt.date) -> bool:
    """Whether typed text speaks of the past: "history of", "had", "in 2019", "8 months ago"."""
    if _HISTORY.search(norm) or _RECOVERED.search(norm):
        return True
    if days is not None:
        return days > PAST_AFTER_DAYS
    return any(int(year) < today.year for year in _YEAR.findall(norm))


def _scan_text(
    builder: _Builder, text: str, source: str, *, pregnant: bool, today: dt.date
) -> None:
    """Raise every rule that a piece of typed health text matches."""
    norm = normalise_condition(text)
    if not norm or _NEGATION.search(norm):
        return
    days = _days_ago(norm)
    past = _is_past(norm, days, today)
    part = find_body_part(norm)
    by_code = {rule.code: rule for rule in builder.rules}
    for rule in builder.rules:
        if rule.matches(norm, pregnant=pregnant):
            if not past or rule.in_the_past == "same":
                builder.add(rule, source, part)
            elif rule.in_the_past != "ignore":
                builder.add(by_code[rule.in_the_past], source, part)
        if (
            days is not None
            and rule.surgery_within_days is not None
            and days <= rule.surgery_within_days
            and rule.surgery_words is not None
            and rule.surgery_words.search(norm)
        ):
            builder.add(rule, source, part)


def assess_health(
    snapshot: HealthSnapshot,
    *,
    today: dt.date | None = None,
    user_medications: Mapping[str, MedicationClass] | None = None,
) -> list[Alert]:
    """Every alert the health history and today's update raise, most severe tier first.

    Args:
        snapshot: the client's health history and today's update.
        today: the date of the session (recent surgery is counted back from it).
        user_medications: the practice's own medication table, passed to the medication lookup.
    """
    today = today or dt.date.today()
    rules = alert_rules()
    builder = _Builder(snapshot.clearances_on_file, rules)
    pregnant = snapshot.pregnant or (snapshot.pregnancy_weeks or 0) > 0
    texts = [(text, f'condition "{text}"') for text in snapshot.conditions]
    texts += [(text, f'injury "{text}"') for text in snapshot.injuries]
    if snapshot.health_update.strip():
        texts += [(snapshot.health_update, f'today\'s update "{snapshot.health_update}"')]
    for text, source in texts:
        _scan_text(builder, text, source, pregnant=pregnant, today=today)

    for surgery in snapshot.surgeries:
        source = f'surgery "{surgery.description}"'
        if surgery.date is None:
            _scan_text(builder, surgery.description, source, pregnant=pregnant, today=today)
            continue
        days = (today - surgery.date).days
        for rule in rules:
            if rule.surgery_within_days is not None and 0 <= days <= rule.surgery_within_days:
                builder.add(
                    rule,
                    f"{source} on {surgery.date.isoformat()}",
                    find_body_part(surgery.description),
                )

    for medication in snapshot.medications:
        med_class = medication.med_class or classify_medication(medication.name, user_medications)
        if med_class is None:
            continue
        for rule in rules:
            if med_class in rule.med_classes:
                words = medication_class_words(med_class)
                builder.add(rule, f'medication "{medication.name}" ({words})')

    for rule in rules:
        _vital_signs(builder, rule, snapshot)
    for flag in HealthFlag:
        if flag in snapshot.flags:
            for rule in rules:
                if flag in rule.flags:
                    builder.add(rule, f"checked: {flag.value.replace('_', ' ')}")
    if pregnant:
        weeks = snapshot.pregnancy_weeks
        source = f"pregnancy, {weeks} weeks" if weeks else "pregnancy"
        for rule in rules:
            over = rule.pregnant_weeks_over
            if rule.pregnant and (over is None or weeks is None or weeks > over):
                builder.add(rule, source)
    for rule in rules:
        if (
            rule.age_at_least is not None
            and snapshot.age is not None
            and snapshot.age >= rule.age_at_least
        ):
            builder.add(rule, f"age {snapshot.age}")
    for allergy in snapshot.allergies:
        if allergy.strip() and not _NEGATION.search(normalise_condition(allergy)):
            for rule in rules:
                if rule.any_allergy:
                    builder.add(rule, f'allergy "{allergy}"')
    if pregnant:
        for rule in rules:
            if rule.pregnancy_risk is not None:
                for reason in _pregnancy_risks(rule.pregnancy_risk, builder, snapshot):
                    builder.add(rule, f"pregnancy with {reason}")
    return sort_alerts(builder.alerts.values())


def _vital_signs(builder: _Builder, rule: AlertRule, snapshot: HealthSnapshot) -> None:
    temperature = snapshot.temperature_c
    if (
        rule.temperature_at_least is not None
        and temperature is not None
        and temperature >= rule.temperature_at_least
    ):
        builder.add(rule, f"temperature {temperature:.1f} °C")
    if rule.blood_pressure_at_least is not None and snapshot.blood_pressure is not None:
        systolic, diastolic = snapshot.blood_pressure
        at_least_systolic, at_least_diastolic = rule.blood_pressure_at_least
        if systolic >= at_least_systolic or diastolic >= at_least_diastolic:
            builder.add(rule, f"blood pressure {systolic}/{diastolic}")


def _pregnancy_risks(risk: PregnancyRisk, builder: _Builder, snapshot: HealthSnapshot) -> list[str]:
    """The risk factors found with a pregnancy, each in words ("age 38")."""
    found = []
    if risk.conditions is not None:
        for text in snapshot.conditions:
            norm = normalise_condition(text)
            # "no diabetes" is not a risk factor, as it raises no alert of its own either.
            if risk.conditions.search(norm) and not _NEGATION.search(norm):
                found.append(text)
    if builder.codes() & risk.alerts:
        found.append("a condition that needs clearance")
    if risk.age_outside is not None and snapshot.age is not None:
        youngest, oldest = risk.age_outside
        if not youngest <= snapshot.age <= oldest:
            found.append(f"age {snapshot.age}")
    return found


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    """Alerts most severe first, then in rule-table order, then by body part."""
    order = {rule.code: index for index, rule in enumerate(alert_rules())}
    return sorted(
        alerts,
        key=lambda a: (a.tier.rank, order.get(a.code, len(order)), a.body_part or ""),
    )


def blocking_alerts(alerts: Iterable[Alert], overrides: Mapping[str, str]) -> list[Alert]:
    """Stop/refer alerts still blocking charting and signing: those with neither a recorded
    override reason nor a physician clearance on file. The one rule the note, the chart and
    signing (whatever road it comes by) all follow.

    Args:
        alerts: the alerts of the session.
        overrides: alert code -> the override reason the therapist recorded (blank counts as none).
    """
    return [
        a
        for a in alerts
        if a.needs_override and not a.clearance_on_file and not overrides.get(a.code, "").strip()
    ]


def recommended_max_pressure(alerts: Iterable[Alert], region_id: str = "") -> int | None:
    """The lowest Walton cap of the deep-tissue cautions that apply (to a region, if given)."""
    caps = [
        a.max_pressure
        for a in alerts
        if a.tier is AlertTier.DEEP_TISSUE_CAUTION
        and a.max_pressure is not None
        and (not a.stems or not region_id or a.covers(region_id))
    ]
    return min(caps, default=None)


def areas_to_avoid(alerts: Iterable[Alert]) -> list[Alert]:
    """The local alerts, to draw as areas to avoid on the chart."""
    return [a for a in alerts if a.tier is AlertTier.LOCAL_AVOID]


# Treatment checks ---------------------------------------------------------------------------


class WarningLevel(enum.Enum):
    """How a treatment warning is shown."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


@dataclass(frozen=True)
class TreatmentWarning:
    """A proposed mark, technique or pressure that goes against an alert.

    Attributes:
        alert: the alert it goes against.
        level: block (stop/refer without override), warn, or info.
        message: what is wrong, in plain words.
    """

    alert: Alert
    level: WarningLevel
    message: str


DEEP_TECHNIQUE_PATTERNS: tuple[str, ...] = (
    r"deep", r"trigger points?", r"tp(?: therapy| release)?", r"isch(?:a)?emic compression",
    r"(?:cross )?fib(?:er|re) friction", r"friction", r"stripping", r"neuromuscular(?: therapy)?",
    r"nmt", r"iastm", r"graston", r"instrument\w*", r"cupping", r"percussion", r"massage gun",
    r"pin and stretch", r"active release(?: technique)?", r"art", r"sports massage",
    r"(?:joint )?mobili[sz]ation", r"manipulation", r"compression",
)  # fmt: skip
_DEEP_TECHNIQUE = _compile(DEEP_TECHNIQUE_PATTERNS)
_TRIGGER_POINT_KINDS = frozenset({MarkKind.TRIGGER_POINT_ACTIVE, MarkKind.TRIGGER_POINT_LATENT})


def is_deep_technique(technique: str) -> bool:
    """Whether a technique name means deep or sustained pressure ("deep tissue", "TP release")."""
    return bool(technique) and bool(_DEEP_TECHNIQUE.search(normalise_condition(technique)))


def check_treatment(
    alerts: Sequence[Alert],
    *,
    kind: MarkKind | None = None,
    technique: str = "",
    pressure: int | None = None,
    region_id: str = "",
    side: Side | None = None,
    position: str = "",
    overrides: Mapping[str, str] | None = None,
) -> list[TreatmentWarning]:
    """Warnings for a proposed mark, technique, pressure, region or position.

    Args:
        alerts: the session's alerts (from ``assess_health``).
        kind: the mark kind being charted, if any.
        technique: the technique being charted ("deep tissue", "Swedish").
        pressure: the Walton pressure being charted (0-5).
        region_id: the atlas region the mark or treatment is on.
        side: the client's side of that region.
        position: the client's position ("prone", "supine", "side-lying").
        overrides: stop/refer override reasons recorded so far (alert code -> reason).
    """
    overrides = overrides or {}
    warnings: list[TreatmentWarning] = []
    treating = kind is MarkKind.TREATED or bool(technique) or pressure is not None
    trigger_point = kind in _TRIGGER_POINT_KINDS
    deep_technique = is_deep_technique(technique)
    for alert in alerts:
        if alert.tier is AlertTier.STOP_REFER:
            if not overrides.get(alert.code, "").strip():
                warnings.append(
                    TreatmentWarning(
                        alert,
                        WarningLevel.BLOCK,
                        f"{alert.title}: record an override reason or physician clearance "
                        "before charting.",
                    )
                )
        elif alert.tier is AlertTier.CLEARANCE:
            if alert.needs_clearance and treating:
                warnings.append(
                    TreatmentWarning(
                        alert, WarningLevel.INFO, f"{alert.title}: no clearance is on file yet."
                    )
                )
        elif alert.tier is AlertTier.DEEP_TISSUE_CAUTION:
            message = _deep_warning(alert, trigger_point, deep_technique, pressure, region_id, side)
            if message:
                warnings.append(TreatmentWarning(alert, WarningLevel.WARN, message))
        elif alert.tier is AlertTier.LOCAL_AVOID:
            if region_id and kind is not MarkKind.AVOID and alert.covers(region_id, side):
                what = "Treating" if treating or kind is None else "Charting work on"
                warnings.append(
                    TreatmentWarning(
                        alert,
                        WarningLevel.WARN,
                        f"{what} an area to avoid ({alert.body_part}): {alert.title.lower()}.",
                    )
                )
        elif alert.tier is AlertTier.POSITIONING and position:
            message = _position_warning(alert, position)
            if message:
                warnings.append(TreatmentWarning(alert, WarningLevel.WARN, message))
    return warnings


def treatment_plan_warnings(
    alerts: Sequence[Alert],
    *,
    techniques: Sequence[str] = (),
    pressure: int | None = None,
    position: str = "",
    findings: Iterable[MarkFinding] = (),
    overrides: Mapping[str, str] | None = None,
) -> list[TreatmentWarning]:
    """What a visit's treatment goes against: its techniques, pressure and position as the note
    records them, and every finding charted; each warning once, in the order first met.

    Args:
        alerts: the visit's alerts (from ``assess_health``).
        techniques: the techniques of the note ("deep tissue", "Swedish").
        pressure: the note's Walton pressure (0-5), if chosen.
        position: the client's position ("prone", "side-lying").
        findings: the marks charted this visit.
        overrides: stop/refer override reasons recorded so far (alert code -> reason).
    """
    proposals: list[dict[str, Any]] = [
        {"technique": technique} for technique in (t.strip() for t in techniques) if technique
    ]
    if pressure is not None:
        proposals.append({"pressure": pressure})
    if position.strip():
        proposals.append({"position": position.strip()})
    proposals.extend(
        {
            "kind": finding.kind,
            "technique": finding.technique,
            "pressure": finding.pressure,
            "region_id": region_id,
            "side": side,
        }
        for finding in findings
        for region_id, side in ((finding.region_id, finding.side), *finding.other_regions)
    )
    found: dict[str, TreatmentWarning] = {}
    for proposal in proposals:
        for warning in check_treatment(alerts, overrides=overrides, **proposal):
            found.setdefault(warning.message, warning)
    return list(found.values())


def _deep_warning(
    alert: Alert,
    trigger_point: bool,
    deep_technique: bool,
    pressure: int | None,
    region_id: str,
    side: Side | None,
) -> str:
    if alert.stems and region_id and not alert.covers(region_id, side):
        return ""
    cap = alert.max_pressure
    over_cap = pressure is not None and cap is not None and pressure > cap
    deep_pressure = pressure is not None and pressure >= DEEP_PRESSURE_LEVEL
    if not (trigger_point or deep_technique or deep_pressure or over_cap):
        return ""
    what = (
        f"pressure {pressure}"
        if deep_pressure or over_cap
        else "trigger-point work"
        if trigger_point
        else "a deep technique"
    )
    where = f" on the {alert.body_part}" if alert.body_part else ""
    limit = f" Recommended maximum: Walton {cap}." if cap is not None else ""
    return f"{alert.title} ({alert.source}): caution with {what}{where}.{limit}"


def _position_warning(alert: Alert, position: str) -> str:
    rule = rules_by_code().get(alert.code)
    warning = rule.position_warning if rule is not None else None
    if warning is None or not warning.positions.search(normalise_condition(position)):
        return ""
    return f"{alert.title}: {warning.advice.replace('{position}', position)}"


def tier_counts(alerts: Iterable[Alert]) -> dict[AlertTier, int]:
    """How many alerts of each tier, for a badge."""
    counts = dict.fromkeys(AlertTier, 0)
    for alert in alerts:
        counts[alert.tier] += 1
    return counts
