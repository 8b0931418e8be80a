"""Range of motion, tolerance and goals as domain values: checks, pairing, carrying, words."""

from __future__ import annotations

import datetime as dt

import pytest

from massage_chart.domain.measures import (
    Goal,
    GoalStatus,
    GoalTerm,
    MeasureError,
    RangeOfMotion,
    carried_goals,
    describe_entries,
    entries_json,
    motions,
    parse_entries,
    rom_rows,
)


def test_the_reference_table_names_each_motion_with_a_normal_range() -> None:
    table = motions()
    assert table["shoulder.flexion"].normal == 180
    assert table["cervical.rotation"].name == "Neck rotation"
    assert not table["thoracolumbar.flexion"].sided and table["hip.abduction"].sided
    assert all(0 < m.normal <= 180 and m.words for m in table.values())


def test_entries_are_stored_in_one_form_whichever_way_they_come() -> None:
    value = RangeOfMotion("knee.flexion", "left", 110, timing="after")
    stored = entries_json("range_of_motion", [value, value.to_json()])
    assert stored[0] == stored[1] == value.to_json()
    assert parse_entries("range_of_motion", stored) == (value, value)
    assert entries_json("goals", None) == []


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("range_of_motion", "shoulder", "must be a list"),
        ("range_of_motion", [{"motion": "knee.flexion", "side": "left", "degrees": True}],
         "enter the degrees"),
        ("range_of_motion", [{"motion": "knee.flexion", "side": "left", "degrees": 90,
                              "method": "app"}], "unknown method"),
        ("range_of_motion", [{"motion": "knee.flexion", "side": "left", "degrees": 90,
                              "timing": "during"}], "before or after"),
        ("tolerances", [{"activity": "swimming", "minutes": 5}], "unknown activity"),
        ("goals", [{"term": "short", "text": "a\x00b"}], "NUL"),
        ("goals", [{"term": "short", "text": "ok", "status": "done"}], "unknown status"),
        ("goals", [{"term": "short", "text": "ok"}] * 501, "the most is 500"),
    ],
)  # fmt: skip
def test_what_cannot_be_right_is_refused_naming_the_entry(
    name: str, values: object, message: str
) -> None:
    with pytest.raises(MeasureError, match=message):
        entries_json(name, values)


def test_rows_pair_before_and_after_and_take_the_last_visits_newest_value() -> None:
    before = RangeOfMotion("cervical.rotation", "left", 55)
    after = RangeOfMotion("cervical.rotation", "left", 70, timing="after")
    passive = RangeOfMotion("cervical.rotation", "left", 75, passive=True)
    earlier = [
        RangeOfMotion("cervical.rotation", "left", 40, timing="after"),
        RangeOfMotion("cervical.rotation", "left", 30),  # before treatment: older that day
    ]
    rows = rom_rows([before, passive, after], earlier, dt.date(2026, 11, 6))
    assert [(r.label, r.kind) for r in rows] == [
        ("L neck rotation", "AROM"),
        ("L neck rotation", "PROM"),
    ]
    first = rows[0]
    assert (first.before, first.after, first.normal) == (before, after, 80)
    assert first.last is not None and first.last.degrees == 40
    assert first.last_day == dt.date(2026, 11, 6)
    assert rows[1].last is None and rows[1].last_day is None


def test_met_and_discontinued_goals_are_not_carried() -> None:
    goals = [Goal(GoalTerm.SHORT, "Sleep", status=status) for status in GoalStatus]
    assert [g.status for g in carried_goals(goals)] == [
        GoalStatus.SET,
        GoalStatus.PROGRESSING,
        GoalStatus.PARTLY_MET,
        GoalStatus.NOT_MET,
    ]


def test_a_goal_says_its_timeframe() -> None:
    goal = Goal(GoalTerm.LONG, "Return to work", dt.date(2027, 1, 15))
    assert goal.timeframe_text(dt.date(2026, 12, 4)) == "by 15 Jan 2027 (6 weeks)"
    assert goal.timeframe_text(dt.date(2027, 1, 20)) == "by 15 Jan 2027 (past)"
    assert Goal(GoalTerm.SHORT, "x").timeframe_text() == "no date set"


def test_entries_are_described_in_words_for_a_draft() -> None:
    text = describe_entries(
        "range_of_motion",
        [{"motion": "shoulder.abduction", "side": "right", "within_normal": True},
         {"motion": "jaw.opening"}],
    )  # fmt: skip
    assert (
        text == "R shoulder abduction AROM WNL before treatment; an entry this version cannot read"
    )
