"""The one vocabulary for dates, times, pain and pressure, on screen and on paper."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from massage_chart.domain import presentation
from massage_chart.domain.presentation import (
    Clock,
    clock_in_use,
    clock_of_locale,
    clock_set_to,
    format_date,
    format_date_time,
    format_pain,
    format_pain_score,
    format_pressure,
    format_pressure_level,
    format_pressure_short,
    format_recorded_time,
    format_time,
    format_time_span,
    listed_name,
    person_name,
    use_clock,
    view_label,
)
from massage_chart.storage.database import user_data_dir
from massage_chart.storage.settings import default_settings_path

MORNING = dt.datetime(2026, 12, 3, 9, 5)
AFTERNOON = dt.datetime(2026, 12, 3, 14, 30)


def test_dates_are_unambiguous_in_every_country() -> None:
    assert format_date(dt.date(2026, 12, 3)) == "3 Dec 2026"
    assert format_date(dt.date(2027, 1, 12)) == "12 Jan 2027"
    assert format_date(None) == ""


@pytest.mark.parametrize(
    ("clock", "morning", "afternoon", "midnight", "noon"),
    [
        (Clock.TWELVE_HOUR, "9:05 AM", "2:30 PM", "12:00 AM", "12:00 PM"),
        (Clock.TWENTY_FOUR_HOUR, "09:05", "14:30", "00:00", "12:00"),
    ],
)
def test_times_follow_the_chosen_clock(
    clock: Clock, morning: str, afternoon: str, midnight: str, noon: str
) -> None:
    assert format_time(MORNING, clock) == morning
    assert format_time(AFTERNOON, clock) == afternoon
    assert format_time(dt.time(0, 0), clock) == midnight
    assert format_time(dt.time(12, 0), clock) == noon


def test_a_time_span_keeps_am_and_pm_with_their_times() -> None:
    assert format_time_span(MORNING, AFTERNOON, Clock.TWELVE_HOUR) == "9:05 AM – 2:30 PM"
    assert format_time_span(MORNING, AFTERNOON, Clock.TWENTY_FOUR_HOUR) == "09:05–14:30"
    assert format_time_span(MORNING, None, Clock.TWENTY_FOUR_HOUR) == "09:05–"


@pytest.mark.parametrize(
    ("locale_name", "clock"),
    [
        ("en_US.UTF-8", Clock.TWELVE_HOUR),
        ("en_CA.UTF-8", Clock.TWELVE_HOUR),
        ("fr_CA.UTF-8", Clock.TWENTY_FOUR_HOUR),
        ("en_AU", Clock.TWELVE_HOUR),
        ("en_GB.UTF-8", Clock.TWENTY_FOUR_HOUR),
        ("de_DE.UTF-8@euro", Clock.TWENTY_FOUR_HOUR),
        ("he_IL.UTF-8", Clock.TWENTY_FOUR_HOUR),
        ("ar_EG.UTF-8", Clock.TWELVE_HOUR),
        ("C.UTF-8", Clock.TWENTY_FOUR_HOUR),
        ("POSIX", Clock.TWENTY_FOUR_HOUR),
        ("", Clock.TWENTY_FOUR_HOUR),
    ],
)
def test_auto_follows_the_locale(locale_name: str, clock: Clock) -> None:
    assert clock_of_locale(locale_name) is clock


def test_the_environment_decides_auto_until_the_window_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    use_clock(Clock.AUTO)
    assert clock_in_use() is Clock.TWELVE_HOUR
    monkeypatch.setenv("LC_TIME", "de_DE.UTF-8")
    assert clock_in_use() is Clock.TWENTY_FOUR_HOUR, "LC_TIME wins over LANG"
    use_clock(Clock.AUTO, auto_means=Clock.TWELVE_HOUR)
    assert format_time(AFTERNOON) == "2:30 PM"
    use_clock(Clock.TWENTY_FOUR_HOUR, auto_means=Clock.TWELVE_HOUR)
    assert format_time(AFTERNOON) == "14:30", "a chosen clock beats the locale"
    with clock_set_to(Clock.TWELVE_HOUR):
        assert format_date_time(AFTERNOON) == "3 Dec 2026, 2:30 PM"
    assert format_date_time(AFTERNOON) == "3 Dec 2026, 14:30"


def test_scales_are_written_one_way() -> None:
    assert format_pain(7, 3) == "7 → 3"
    assert format_pain(None, 3) == "– → 3"
    assert format_pain(None, None) == ""
    assert format_pain_score(0) == "0/10"
    assert format_pressure(3) == "Walton 3/5 (medium pressure)"
    assert format_pressure(0) == "Walton 0/5 (stationary weightless hold)"
    assert format_pressure_level(5) == "Walton 5/5"
    assert format_pressure_short(2) == "W2"
    assert format_pressure(None) == format_pressure_level(None) == ""


def test_every_atlas_view_has_a_label() -> None:
    from massage_chart.atlas import load_atlas

    for view in load_atlas().views:
        assert view_label(view.id) in {*presentation.VIEW_LABELS.values(), view.name}
        assert view.id in presentation.VIEW_LABELS or view.name


def test_user_folders_are_isolated_on_every_platform(isolated_user_folders: Path) -> None:
    """Tests never read or write the real user's data or settings (Linux, macOS, Windows)."""
    assert user_data_dir().is_relative_to(isolated_user_folders)
    assert default_settings_path().is_relative_to(isolated_user_folders)


@pytest.fixture
def in_seattle(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process's local time zone is the US Pacific one for the test."""
    if not hasattr(time, "tzset"):
        pytest.skip("the time zone of a running process is set with TZ only on Unix")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    yield
    monkeypatch.setenv("TZ", "UTC")  # as every test starts (tests/conftest.py)
    time.tzset()


@pytest.mark.usefixtures("in_seattle")
def test_a_signature_is_recorded_in_utc_and_read_back_in_local_time() -> None:
    # Signed at 11:51 in Seattle on a winter day: 19:51 UTC.
    recorded = presentation.recorded_moment(dt.datetime(2026, 12, 3, 11, 51))
    assert recorded == dt.datetime(2026, 12, 3, 19, 51)
    assert recorded.tzinfo is None
    with clock_set_to(Clock.TWELVE_HOUR):
        assert format_recorded_time(recorded) == "3 Dec 2026 at 11:51 AM PST"
    with clock_set_to(Clock.TWENTY_FOUR_HOUR):
        assert format_recorded_time(recorded) == "3 Dec 2026 at 11:51 PST"
    # Summer time is read for the day of the record, not for today.
    assert format_recorded_time(dt.datetime(2026, 7, 1, 18, 0), Clock.TWENTY_FOUR_HOUR) == (
        "1 Jul 2026 at 11:00 PDT"
    )
    # A moment that crosses midnight in UTC keeps its local date.
    assert format_recorded_time(dt.datetime(2026, 12, 4, 2, 30), Clock.TWENTY_FOUR_HOUR) == (
        "3 Dec 2026 at 18:30 PST"
    )


@pytest.mark.usefixtures("in_seattle")
def test_an_aware_moment_is_recorded_from_its_own_zone() -> None:
    tokyo = dt.timezone(dt.timedelta(hours=9))
    assert presentation.recorded_moment(dt.datetime(2026, 12, 4, 9, 0, tzinfo=tokyo)) == (
        dt.datetime(2026, 12, 4, 0, 0)
    )
    assert format_recorded_time(None) == ""


def test_a_zone_without_a_name_is_written_as_its_offset() -> None:
    kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
    assert presentation.zone_label(dt.datetime(2026, 1, 1, tzinfo=kolkata)) == "UTC+05:30"
    west = dt.timezone(-dt.timedelta(hours=3))
    assert presentation.zone_label(dt.datetime(2026, 1, 1, tzinfo=west)) == "UTC-03:00"
    assert presentation.zone_label(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "UTC"


@pytest.mark.parametrize(
    ("first", "last", "said", "listed"),
    [
        ("Zoë", "Nguyễn", "Zoë Nguyễn", "Nguyễn, Zoë"),
        ("Aiko", "Tanaka", "Aiko Tanaka", "Tanaka, Aiko"),  # a Japanese name in Latin letters
        ("小明", "王", "王小明", "王小明"),  # Chinese: family name first, written together
        ("みどり", "山田", "山田みどり", "山田みどり"),
        ("민준", "김", "김민준", "김민준"),
        ("فاطمة", "الزهراء", "فاطمة الزهراء", "الزهراء, فاطمة"),
        ("Ana", "", "Ana", "Ana"),
    ],
)
def test_names_are_said_and_listed_in_their_own_order(
    first: str, last: str, said: str, listed: str
) -> None:
    assert person_name(first, last) == said
    assert listed_name(first, last) == listed
