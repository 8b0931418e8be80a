"""How the window writes dates, ages and pain, and reads a typed date of birth."""

from __future__ import annotations

import datetime as dt

import pytest

from massage_chart.ui.formatting import (
    age_on,
    format_date,
    format_date_of_birth,
    format_pain,
    format_time_span,
    parse_date_of_birth,
    search_query,
)

TODAY = dt.date(2026, 11, 23)


def test_dates_are_written_day_month_year_with_the_month_in_letters() -> None:
    assert format_date(dt.date(1980, 5, 12)) == "12 May 1980"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("born", "today", "age"),
    [
        (dt.date(1980, 11, 23), TODAY, 46),
        (dt.date(1980, 11, 24), TODAY, 45),
        (dt.date(2000, 2, 29), dt.date(2026, 2, 28), 25),
        (dt.date(2000, 2, 29), dt.date(2026, 3, 1), 26),
    ],
)
def test_age_counts_whole_years(born: dt.date, today: dt.date, age: int) -> None:
    assert age_on(born, today) == age


def test_date_of_birth_shows_the_age() -> None:
    assert format_date_of_birth(dt.date(1986, 3, 14), TODAY) == "14 Mar 1986 (age 40)"
    assert format_date_of_birth(None, TODAY) == ""


def test_pain_and_time_spans() -> None:
    assert format_pain(7, 3) == "7 → 3"
    assert format_pain(None, 2) == "– → 2"
    assert format_pain(None, None) == ""
    start = dt.datetime(2026, 1, 5, 9, 5)
    assert format_time_span(start, start + dt.timedelta(minutes=60)) == "09:05–10:05"
    assert format_time_span(start, None) == "09:05–"


@pytest.mark.parametrize(
    "text", ["1980-05-12", "1980/5/12", "1980.05.12", " 19800512 ", "12 May 1980", "12 may 1980"]
)
def test_a_date_of_birth_can_be_typed_year_first_or_written_out(text: str) -> None:
    assert parse_date_of_birth(text, TODAY).date == dt.date(1980, 5, 12)


@pytest.mark.parametrize("text", ["03/15/1979", "15/03/1979", "15.3.1979", "03-15-1979"])
def test_a_year_last_date_of_birth_is_read_when_it_can_mean_one_day(text: str) -> None:
    """A US intake form's 03/15/1979 and a European 15/03/1979 are both 15 March."""
    assert parse_date_of_birth(text, TODAY).date == dt.date(1979, 3, 15)
    assert parse_date_of_birth("04/04/1979", TODAY).date == dt.date(1979, 4, 4)


def test_an_empty_date_of_birth_means_unknown() -> None:
    entry = parse_date_of_birth("   ", TODAY)
    assert entry.is_valid and entry.date is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2031-04-05", "is in the future"),
        ("05/12/1980", "could be 12 May 1980 or 5 Dec 1980"),
        ("31/31/1980", "is not a date"),
        ("1980-02-30", "is not a date"),
        ("1850-01-01", "before 1900"),
        ("soon", "is not a date"),
    ],
)
def test_impossible_dates_of_birth_are_refused_with_a_reason(text: str, says: str) -> None:
    entry = parse_date_of_birth(text, TODAY)
    assert not entry.is_valid
    assert entry.date is None
    assert says in entry.error


@pytest.mark.parametrize(
    ("typed", "searched"),
    [
        ("14 Mar 1986", "1986-03-14"),
        ("1986/3/14", "1986-03-14"),
        ("03/14/1986", "1986-03-14"),
        ("03/04/1986", "03/04/1986"),  # either day: searched as typed
        ("zoe", "zoe"),
        ("555", "555"),
    ],
)
def test_a_date_typed_in_the_search_is_searched_as_stored(typed: str, searched: str) -> None:
    assert search_query(typed) == searched
