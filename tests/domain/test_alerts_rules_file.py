"""The alert rules file: valid against its schema, broken files refused by rule, every rule raised."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from massage_chart.domain.alerts import (
    AlertRule,
    AlertRulesError,
    AlertTier,
    HealthFlag,
    HealthSnapshot,
    Medication,
    Surgery,
    alert_rules,
    alert_rules_schema,
    assess_health,
    check_treatment,
    load_alert_rules,
    parse_alert_rules,
)
from massage_chart.domain.record_kinds import MedicationClass
from massage_chart.resources import resource_path

TODAY = dt.date(2026, 11, 23)
RULES_FILE = resource_path("alerts", "rules.json")


def _shipped() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return data


def _codes(snapshot: HealthSnapshot) -> set[str]:
    return {alert.code for alert in assess_health(snapshot, today=TODAY)}


# The file against its schema ----------------------------------------------------------------


def test_the_shipped_rules_follow_the_schema() -> None:
    Draft202012Validator.check_schema(alert_rules_schema())
    validator = Draft202012Validator(
        alert_rules_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(_shipped())] == []
    assert [rule.code for rule in alert_rules()] == [rule["code"] for rule in _shipped()["rules"]]


def test_the_schema_lists_the_tiers_classes_and_flags_the_code_knows() -> None:
    defs = alert_rules_schema()["$defs"]
    assert defs["rule"]["properties"]["tier"]["enum"] == [tier.value for tier in AlertTier]
    when = defs["when"]["properties"]
    classes = when["medication_classes"]["items"]["enum"]
    assert classes == [member.value for member in MedicationClass]
    assert when["flags"]["items"]["enum"] == [flag.value for flag in HealthFlag]


def test_every_rule_is_cited_and_reviewed() -> None:
    for rule in alert_rules():
        assert rule.citation.strip(), rule.code
        assert rule.reviewed.by.strip(), rule.code
        assert rule.reviewed.date <= dt.date.today(), rule.code


def test_rules_keep_their_tier_order() -> None:
    ranks = [rule.tier.rank for rule in alert_rules()]
    assert ranks == sorted(ranks)


# Broken files --------------------------------------------------------------------------------


def _rule(data: dict[str, Any], code: str) -> dict[str, Any]:
    [rule] = [rule for rule in data["rules"] if rule["code"] == code]
    return rule


def _bad_tier(data: dict[str, Any]) -> None:
    _rule(data, "fever")["tier"] = "urgent"


def _unknown_condition(data: dict[str, Any]) -> None:
    _rule(data, "osteoporosis")["when"]["bone_scan_score"] = -2.5


def _missing_code(data: dict[str, Any]) -> None:
    del data["rules"][3]["code"]


def _duplicate_code(data: dict[str, Any]) -> None:
    _rule(data, "hernia")["code"] = "fracture"


def _unknown_medication_class(data: dict[str, Any]) -> None:
    _rule(data, "anticoagulant")["when"]["medication_classes"] = ["blood_thinner"]


def _bad_pattern(data: dict[str, Any]) -> None:
    _rule(data, "reflux")["when"]["typed"]["patterns"].append("heartburn (")


def _empty_pattern(data: dict[str, Any]) -> None:
    _rule(data, "hernia")["when"]["typed"]["patterns"].append("(?:hernias?)?")


def _unknown_past_rule(data: dict[str, Any]) -> None:
    _rule(data, "dvt")["when"]["typed"]["in_the_past"] = {"raise": "old_clot"}


def _pressure_out_of_scale(data: dict[str, Any]) -> None:
    _rule(data, "fragile_skin")["treatment"]["max_pressure"] = 7


def _no_review_date(data: dict[str, Any]) -> None:
    del _rule(data, "allergy")["reviewed"]["date"]


def _not_a_date(data: dict[str, Any]) -> None:
    _rule(data, "allergy")["reviewed"]["date"] = "2026-02-30"


def _nothing_raises_it(data: dict[str, Any]) -> None:
    _rule(data, "breathing")["when"] = {}


def _raised_with_itself(data: dict[str, Any]) -> None:
    _rule(data, "surgery_site")["when"]["raised_with"] = ["surgery_site"]


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [
        (_bad_tier, r'rule \d+ \("fever"\), tier: .urgent. is not one of'),
        (
            _unknown_condition,
            r'rule \d+ \("osteoporosis"\), when: .*\'bone_scan_score\' was unexpected',
        ),
        (_missing_code, r"rule 4 \(no code\): 'code' is a required property"),
        (_duplicate_code, r'rule \d+ \("fracture"\): the code is already used by rule \d+'),
        (
            _unknown_medication_class,
            r'rule \d+ \("anticoagulant"\), when\.medication_classes\.0: .blood_thinner.',
        ),
        (_bad_pattern, r'rule \d+ \("reflux"\): typed\.patterns: .heartburn \(. is not a valid'),
        (_empty_pattern, r'rule \d+ \("hernia"\): typed\.patterns: .* matches empty text'),
        (_unknown_past_rule, r'rule \d+ \("dvt"\): .*in_the_past.* \'old_clot\', which no rule'),
        (_pressure_out_of_scale, r'rule \d+ \("fragile_skin"\), treatment\.max_pressure: 7'),
        (_no_review_date, r'rule \d+ \("allergy"\), reviewed: .date. is a required property'),
        (_not_a_date, r'rule \d+ \("allergy"\), reviewed\.date: .2026-02-30. is not a .date.'),
        (_nothing_raises_it, r'rule \d+ \("breathing"\): nothing raises it'),
        (_raised_with_itself, r'rule \d+ \("surgery_site"\): when\.raised_with names the rule'),
    ],
)
def test_a_broken_rules_file_is_refused_naming_the_rule(
    breaks: Any, expected: str, tmp_path: Path
) -> None:
    data = copy.deepcopy(_shipped())
    breaks(data)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AlertRulesError, match=expected) as raised:
        load_alert_rules(path)
    assert str(raised.value).startswith("rules.json: ")


def test_a_rules_file_of_another_format_or_broken_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AlertRulesError, match="format: 'massage-chart-alert-rules/1' was expected"):
        parse_alert_rules({**_shipped(), "format": "massage-chart-alert-rules/2"})
    with pytest.raises(AlertRulesError, match="'rules' is a required property"):
        parse_alert_rules({"format": "massage-chart-alert-rules/1"})
    path = tmp_path / "rules.json"
    path.write_text('{"format": "massage-chart-alert-rules/1", "rules": [', encoding="utf-8")
    with pytest.raises(AlertRulesError, match=r"rules\.json: not valid JSON"):
        load_alert_rules(path)


def test_an_edited_rule_changes_what_is_raised() -> None:
    data = copy.deepcopy(_shipped())
    _rule(data, "older_client")["when"]["age_at_least"] = 75
    _rule(data, "older_client")["treatment"]["max_pressure"] = 2
    [older] = [rule for rule in parse_alert_rules(data) if rule.code == "older_client"]
    assert (older.age_at_least, older.max_pressure) == (75, 2)


# Every rule raised, generated from the data ----------------------------------------------------


def _example(pattern: str) -> str:
    """The shortest text a pattern matches: first branch, fewest repeats, a letter for \\w."""
    return _spell(sre_parse.parse(pattern))


def _spell(parsed: Any) -> str:
    text = ""
    for op, value in parsed:
        if op is sre_constants.LITERAL:
            text += chr(value)
        elif op is sre_constants.IN:
            text += _spell_set(value)
        elif op is sre_constants.BRANCH:
            text += _spell(value[1][0])
        elif op is sre_constants.SUBPATTERN:
            text += _spell(value[3])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            text += _spell(value[2]) * max(value[0], 0)
        elif op in (sre_constants.AT, sre_constants.ASSERT_NOT):
            continue
        else:
            raise AssertionError(f"no example for {op} in a rule pattern")
    return text


def _spell_set(items: Any) -> str:
    op, value = items[0]
    if op is sre_constants.LITERAL:
        return chr(value)
    if op is sre_constants.RANGE:
        return chr(value[0])
    if op is sre_constants.CATEGORY and value is sre_constants.CATEGORY_WORD:
        return "x"
    if op is sre_constants.CATEGORY and value is sre_constants.CATEGORY_DIGIT:
        return "1"
    raise AssertionError(f"no example for {items} in a rule pattern")


def _patterns(pattern: re.Pattern[str] | None) -> list[str]:
    """The single patterns a compiled rule pattern was built from."""
    if pattern is None:
        return []
    body = pattern.pattern.removeprefix(r"\b(?:").removesuffix(r")\b")
    return [part.removeprefix("(?:").removesuffix(")") for part in _split_top(body)]


def _split_top(body: str) -> list[str]:
    parts, depth, start, escaped = [], 0, 0, False
    for index, char in enumerate(body):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    return [*parts, body[start:]]


PREGNANT: dict[str, Any] = {"pregnant": True, "pregnancy_weeks": 12, "age": 30}
PREGNANCY = HealthSnapshot(**PREGNANT)


def _raising(rule: AlertRule, rules: tuple[AlertRule, ...]) -> list[tuple[str, HealthSnapshot]]:
    """Snapshots that should raise the rule, one per trigger, built from the rule's data."""
    cases: list[tuple[str, HealthSnapshot]] = []
    for pattern in _patterns(rule.patterns):
        text = _example(pattern)
        cases.append((f"typed {text!r}", HealthSnapshot(conditions=(text,))))
    for pattern in _patterns(rule.pregnancy_patterns):
        text = _example(pattern)
        cases.append((f"pregnant, typed {text!r}", HealthSnapshot(conditions=(text,), **PREGNANT)))
    for other in rules:
        if other.in_the_past == rule.code:
            for pattern in _patterns(other.patterns):
                text = f"history of {_example(pattern)}"
                cases.append((f"typed {text!r}", HealthSnapshot(conditions=(text,))))
        if other.code in rule.raised_with:
            cases += _raising(other, rules)
    for med_class in sorted(rule.med_classes, key=lambda member: member.value):
        medication = Medication("a medication", med_class)
        cases.append((med_class.value, HealthSnapshot(medications=(medication,))))
    for flag in sorted(rule.flags, key=lambda member: member.value):
        cases.append((f"checked {flag.value}", HealthSnapshot(flags=frozenset({flag}))))
    if rule.temperature_at_least is not None:
        cases.append(("temperature", HealthSnapshot(temperature_c=rule.temperature_at_least)))
    if rule.blood_pressure_at_least is not None:
        systolic, diastolic = rule.blood_pressure_at_least
        cases.append(("systolic", HealthSnapshot(blood_pressure=(systolic, 60))))
        cases.append(("diastolic", HealthSnapshot(blood_pressure=(110, diastolic))))
    if rule.age_at_least is not None:
        cases.append(("age", HealthSnapshot(age=rule.age_at_least)))
    if rule.any_allergy:
        cases.append(("allergy", HealthSnapshot(allergies=("latex",))))
    if rule.pregnant:
        weeks = (rule.pregnant_weeks_over or 0) + 1
        cases.append(("pregnant", HealthSnapshot(pregnant=True, pregnancy_weeks=weeks, age=30)))
    if rule.pregnancy_risk is not None:
        risk = rule.pregnancy_risk
        for pattern in _patterns(risk.conditions):
            text = _example(pattern)
            cases.append(
                (f"pregnant with {text!r}", HealthSnapshot(conditions=(text,), **PREGNANT))
            )
        for code in sorted(risk.alerts):
            [other] = [other for other in rules if other.code == code]
            for label, snapshot in _raising(other, rules)[:1]:
                with_pregnancy = replace(snapshot, **PREGNANT)
                cases.append((f"pregnant with {label}", with_pregnancy))
        if risk.age_outside is not None:
            youngest, oldest = risk.age_outside
            for age in (youngest - 1, oldest + 1):
                cases.append((f"pregnant at {age}", replace(PREGNANCY, age=age)))
    if rule.surgery_within_days is not None:
        days = rule.surgery_within_days
        surgery = Surgery("knee arthroscopy", TODAY - dt.timedelta(days=days))
        cases.append(("dated surgery", HealthSnapshot(surgeries=(surgery,))))
        for pattern in _patterns(rule.surgery_words):
            text = f"{_example(pattern)} {days} days ago"
            cases.append((f"typed {text!r}", HealthSnapshot(conditions=(text,))))
    return cases


def _not_raising(rule: AlertRule) -> list[tuple[str, HealthSnapshot]]:
    """Snapshots just short of the rule's limits, built from the rule's data."""
    cases: list[tuple[str, HealthSnapshot]] = []
    if rule.temperature_at_least is not None:
        below = round(rule.temperature_at_least - 0.1, 1)
        cases.append(("temperature", HealthSnapshot(temperature_c=below)))
    if rule.blood_pressure_at_least is not None:
        systolic, diastolic = rule.blood_pressure_at_least
        cases.append(("pressure", HealthSnapshot(blood_pressure=(systolic - 1, diastolic - 1))))
    if rule.age_at_least is not None:
        cases.append(("age", HealthSnapshot(age=rule.age_at_least - 1)))
    if rule.pregnant_weeks_over is not None:
        weeks = rule.pregnant_weeks_over
        cases.append(("weeks", HealthSnapshot(pregnant=True, pregnancy_weeks=weeks, age=30)))
    if rule.pregnancy_risk is not None and rule.pregnancy_risk.age_outside is not None:
        for age in rule.pregnancy_risk.age_outside:
            cases.append((f"pregnant at {age}", replace(PREGNANCY, age=age)))
        for pattern in _patterns(rule.pregnancy_risk.conditions):
            text = _example(pattern)
            cases.append((f"not pregnant, {text!r}", HealthSnapshot(conditions=(text,))))
    if rule.surgery_within_days is not None:
        days = rule.surgery_within_days + 1
        surgery = Surgery("knee arthroscopy", TODAY - dt.timedelta(days=days))
        cases.append(("dated surgery", HealthSnapshot(surgeries=(surgery,))))
        cases.append(
            ("typed surgery", HealthSnapshot(conditions=(f"knee surgery {days} days ago",)))
        )
    for pattern in _patterns(rule.pregnancy_patterns):
        text = _example(pattern)
        cases.append((f"not pregnant, {text!r}", HealthSnapshot(conditions=(text,))))
    return cases


HEALTHY = HealthSnapshot(
    conditions=("healthy", "no known conditions"),
    medications=(Medication("multivitamin", MedicationClass.OTHER),),
    allergies=("NKDA",),
    injuries=("none",),
    age=40,
    temperature_c=36.8,
    blood_pressure=(118, 76),
    health_update="Feeling well, nothing new.",
)
RULE_CODES = [rule.code for rule in alert_rules()]


@pytest.mark.parametrize("code", RULE_CODES)
def test_every_rule_is_raised_by_each_of_its_triggers(code: str) -> None:
    rules = alert_rules()
    [rule] = [rule for rule in rules if rule.code == code]
    cases = _raising(rule, rules)
    assert cases, f"{code}: nothing in the data raises it"
    missed = [label for label, snapshot in cases if code not in _codes(snapshot)]
    assert missed == []


@pytest.mark.parametrize("code", RULE_CODES)
def test_no_rule_is_raised_for_a_healthy_client_or_short_of_its_limits(code: str) -> None:
    [rule] = [rule for rule in alert_rules() if rule.code == code]
    assert code not in _codes(HEALTHY)
    raised = [label for label, snapshot in _not_raising(rule) if code in _codes(snapshot)]
    assert raised == []


def test_a_healthy_client_raises_nothing_at_all() -> None:
    assert assess_health(HEALTHY, today=TODAY) == []


def test_position_warnings_come_from_the_rule_data() -> None:
    for rule in alert_rules():
        if rule.position_warning is None:
            continue
        [alert] = [
            a
            for a in assess_health(_raising(rule, alert_rules())[0][1], today=TODAY)
            if a.code == rule.code
        ]
        position = _example(_patterns(rule.position_warning.positions)[0])
        [warning] = check_treatment([alert], position=position)
        advice = rule.position_warning.advice.replace("{position}", position)
        assert warning.message == f"{rule.title}: {advice}"
        assert not check_treatment([alert], position="seated")


def test_read_without_the_checks_a_broken_pattern_is_still_refused_by_name(tmp_path: Path) -> None:
    """The app reads its shipped file without the schema and per-pattern checks; an expression
    that does not compile still stops it, named like the full check names it."""
    data = copy.deepcopy(_shipped())
    _bad_pattern(data)
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        AlertRulesError, match=r'rule \d+ \("reflux"\): typed\.patterns: .heartburn'
    ):
        load_alert_rules(path, check=False)


def test_the_shipped_rules_read_the_same_with_and_without_the_checks() -> None:
    assert parse_alert_rules(_shipped(), check=False) == parse_alert_rules(_shipped())
