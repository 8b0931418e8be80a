"""The client visit summary: plain words, no codes, home care from the plan, the next visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from massage_chart.domain.presentation import format_date, format_time
from massage_chart.export.service import DocumentKind, read_snapshot, render
from massage_chart.export.summary_pdf import home_care_items
from massage_chart.storage.database import Database
from massage_chart.storage.models import Visit
from tests.export.conftest import MadeVisit
from tests.export.pdftext import all_text, flat

Factory = Callable[..., MadeVisit]


def summary(db: Database, made: MadeVisit) -> str:
    return all_text(render(DocumentKind.SUMMARY, read_snapshot(db, made.visit_id)))


def test_summary_is_plain_language_without_codes(db: Database, visit_factory: Factory) -> None:
    body = summary(db, visit_factory())
    for code in ("S13.4XXD", "M54.2", "97140", "97124", "ICD", "CPT", "NPI"):
        assert code not in body, code
    assert "Hi Zoë," in body
    assert "What we worked on" in body
    # The treated area and the techniques in the client's words, not anatomy.
    assert flat("Right side of the mid back, next to the spine") in flat(body)
    assert "erector" not in body and "thoracic" not in body
    assert flat("Steady pressure on tight, sore knots") in flat(body)
    assert "trigger point therapy" not in body


def test_summary_shows_pain_before_and_after(db: Database, visit_factory: Factory) -> None:
    body = summary(db, visit_factory())
    assert "7 / 10" in body and "3 / 10" in body
    assert "That is a real improvement." in body


def test_home_care_comes_from_the_plan_with_holds_and_reps(
    db: Database, visit_factory: Factory
) -> None:
    body = summary(db, visit_factory())
    assert "Upper trapezius stretch 3 x 30 s each side" in body
    assert "(hold 30 seconds, 3 times)" in body
    assert "(10 repetitions, every hour)" in body
    assert "Heat 15 minutes in the evening" in body


def test_what_to_expect_and_when_to_seek_care(db: Database, visit_factory: Factory) -> None:
    body = summary(db, visit_factory())
    assert "24 to 48 hours" in body
    assert "Get medical care right away" in body
    assert "call 911" in body


def test_next_appointment_is_the_booked_future_visit(db: Database, visit_factory: Factory) -> None:
    made = visit_factory()
    future = dt.datetime.now().replace(microsecond=0, second=0, minute=30) + dt.timedelta(days=9)
    with db.write() as session:
        session.add(Visit(client_id=made.client_id, provider_id=made.provider_id, start=future))
    body = summary(db, made)
    assert f"{format_date(future.date())} at {format_time(future)}" in body
    assert future.strftime("%A") in body


def test_next_appointment_falls_back_to_the_plan_frequency(
    db: Database, visit_factory: Factory
) -> None:
    body = summary(db, visit_factory())
    assert "We recommend your next visit in about a week." in body


def test_therapist_name_credentials_and_contact(db: Database, visit_factory: Factory) -> None:
    body = summary(db, visit_factory())
    assert "Your therapist: Sam Lee, LMT" in body
    assert "Licence MA.60012345 (WA)" in body
    assert "(206) 555-0199" in body and "sam@harbourview.example" in body
    assert "(206) 555-0142" in body  # the practice


def test_user_text_is_escaped_in_the_summary(db: Database, visit_factory: Factory) -> None:
    plan = "Home care: <b>stretch</b> & <script>x</script> 10 reps."
    body = summary(db, visit_factory(plan=plan, chief_complaint="Pain <i>here</i> & there"))
    assert "Pain <i>here</i> & there" in body
    assert flat("<b>stretch</b> & <script>x</script> 10 reps") in flat(body)


def test_without_treated_marks_the_charted_regions_are_shown(
    db: Database, visit_factory: Factory
) -> None:
    from tests.export.conftest import STANDARD_MARKS

    marks = [m for m in STANDARD_MARKS if m[0].value != "treated"]
    body = summary(db, visit_factory(marks=marks))
    assert flat("Top of the right shoulder, up to the neck") in flat(body)
    assert "groin" not in body and "hip crease" not in body  # an area to avoid is not "worked on"


def test_home_care_items_parse_holds_reps_heat_and_ice() -> None:
    items = home_care_items(
        "Continue weekly. Home care: Calf stretch against a wall 3 x 30 s; roll the arch on a "
        "frozen bottle 5 minutes; chin tucks 10 x 5; hold 20 s twice. Return as needed."
    )
    assert [(i.kind, i.dose) for i in items] == [
        ("stretch", "hold 30 seconds, 3 times"),
        ("ice", ""),
        ("stretch", "10 sets of 5"),
        ("stretch", "hold 20 seconds"),
    ]


def test_plan_without_home_care_gives_no_items() -> None:
    assert home_care_items("Continue weekly for 4 weeks, then reassess.") == []


def test_home_care_doses_say_how_often_not_a_wrong_count() -> None:
    items = home_care_items("Home care: pendulum swings 2 minutes, 3 times daily.")
    assert [i.dose for i in items] == ["2 minutes, 3 times a day"]  # was "3 repetitions"
