"""Field limits: the plain-word refusals, and properties of the validators for any input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from massage_chart.domain import limits
from massage_chart.domain.limits import (
    InputRefusedError,
    NumberRange,
    TextLimit,
    birth_date_problem,
    check_fields,
    check_number,
    list_problem,
    text_problem,
)


def test_the_message_gives_the_field_the_length_and_the_most() -> None:
    assert text_problem("First name", "N" * 100_000, 200) == (
        "First name is too long and does not fit its field: 100,000 characters; the most is 200."
    )


def test_long_text_takes_at_least_50000_characters() -> None:
    assert limits.LONG_TEXT >= 50_000
    for table in (limits.CLIENT, limits.VISIT_NOTE, limits.ADDENDUM, limits.HEALTH_HISTORY):
        for name, limit in table.items():
            if name in {"notes", "subjective", "objective", "assessment", "plan", "text"}:
                assert limit.problem("x" * 50_000) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Zo\x00ë", "invisible NUL character (at character 3)"),
        ("ab\ud83d", "broken character (at character 3)"),
        ("\udc00", "broken character (at character 1)"),
        (5, "must be text, not int"),
        (None, "must be text, not NoneType"),
    ],
)
def test_nul_broken_characters_and_non_text_are_named(value: object, words: str) -> None:
    problem = text_problem("Notes", value, 100)
    assert problem is not None
    assert problem.startswith("Notes ")
    assert words in problem


@pytest.mark.parametrize(
    "value", ["", "فاطمة", "שרה", "王小明", "🧘‍♀️", "'); DROP TABLE clients;--", "%_\\", "\u202e"]
)
def test_awkward_but_valid_text_passes(value: str) -> None:
    assert text_problem("Name", value, 200) is None


def test_a_text_limit_lets_none_through_as_not_set() -> None:
    assert TextLimit("Phone", 40).problem(None) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (-1, "from 0 to 10; -1 is out of range"),
        (11, "from 0 to 10; 11 is out of range"),
        (10**9, "1,000,000,000 is out of range"),
        (10**100, "a number that large is out of range"),
        (7.0, "must be a whole number"),
        (True, "must be a whole number"),
        ("7", "must be a whole number"),
    ],
)
def test_numbers_out_of_range_are_refused_in_words(value: object, words: str) -> None:
    problem = limits.PAIN.problem(value)
    assert problem is not None and words in problem


def test_check_helpers_raise_a_value_error_with_the_message() -> None:
    with pytest.raises(InputRefusedError, match="Pain after must be from 0 to 10"):
        check_number(limits.PAIN, 12, "Pain after")
    with pytest.raises(ValueError, match="Phone is too long"):
        check_fields(limits.CLIENT, {"phone": "5" * 41, "unknown_field": "x" * 10**6})
    check_fields(limits.CLIENT, {"first_name": "Zoë", "notes": "n" * limits.LONG_TEXT})


def test_lists_are_checked_by_count_and_entry() -> None:
    assert list_problem("Codes", ["M54.2"] * 501, 10) == "Codes has 501 entries; the most is 500."
    assert list_problem("Codes", ["M54.2", "x" * 11], 10) is not None
    assert "entry 2" in (list_problem("Codes", ["M54.2", "x" * 11], 10) or "")
    assert list_problem("Codes", "M54.2", 10) == "Codes must be a list, not str."


@pytest.mark.parametrize(
    ("born", "words"),
    [
        (dt.date(2026, 11, 24), "in the future"),
        (dt.date(9999, 12, 31), "in the future"),
        (dt.date(1, 1, 1), "before 1900"),
        (dt.date(1899, 12, 31), "before 1900"),
    ],
)
def test_impossible_birth_dates(born: dt.date, words: str) -> None:
    assert words in (birth_date_problem(born, dt.date(2026, 11, 23)) or "")


def test_possible_birth_dates() -> None:
    today = dt.date(2026, 11, 23)
    for born in (None, today, dt.date(1900, 1, 1), dt.date(1984, 2, 29)):
        assert birth_date_problem(born, today) is None


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=60), most=st.integers(min_value=0, max_value=80))
def test_text_problem_is_none_exactly_for_storable_text(value: str, most: int) -> None:
    problem = text_problem("Field", value, most)
    storable = len(value) <= most and "\x00" not in value
    assert (problem is None) == storable
    if problem is not None:
        assert problem.startswith("Field ") and problem.endswith(".")
        problem.encode("utf-8")  # the message itself can always be shown and stored


@settings(max_examples=100, deadline=None)
@given(
    value=st.text(
        alphabet=st.characters(min_codepoint=0, max_codepoint=0xFFFF, categories=["Cs", "Cc"]),
        max_size=10,
    )
)
def test_any_surrogate_or_control_character_is_handled_without_raising(value: str) -> None:
    problem = text_problem("Field", value, 100)
    has_broken = "\x00" in value or any("\ud800" <= c <= "\udfff" for c in value)
    assert (problem is not None) == has_broken


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(
        st.integers(), st.floats(allow_nan=True), st.booleans(), st.none(), st.text(max_size=3)
    ),
    low=st.integers(min_value=-5, max_value=5),
    span=st.integers(min_value=0, max_value=20),
)
def test_a_number_range_accepts_exactly_its_whole_numbers(
    value: object, low: int, span: int
) -> None:
    number_range = NumberRange("Score", low, low + span)
    problem = number_range.problem(value)
    accepted = value is None or (
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= low + span
    )
    assert (problem is None) == accepted
    if problem is not None:
        assert problem.startswith("Score must be")
