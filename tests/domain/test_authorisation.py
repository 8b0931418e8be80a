"""A visit's number on its claim, the visits authorised, the referral and the report cycle."""

from __future__ import annotations

import datetime as dt

import pytest

from massage_chart.domain.authorisation import (
    authorisation_lines,
    authorisation_of,
    authorisation_warnings,
    one_month_after,
)
from massage_chart.domain.record_kinds import PayerType


def _visits(*days: str) -> list[tuple[str, dt.datetime]]:
    return [(f"v{i}", dt.datetime.fromisoformat(f"{day}T10:00")) for i, day in enumerate(days)]


def _at(visits: list[tuple[str, dt.datetime]], index: int, **kwargs: object):
    visit_id, start = visits[index]
    options: dict[str, object] = {
        "payer_type": PayerType.WORKERS_COMP,
        "claim_authorised": None,
        "referral_authorised": None,
        "referral_expires": None,
    }
    options.update(kwargs)
    return authorisation_of(
        visit_id=visit_id,
        claim_visits=visits,
        visit_start=start,
        **options,  # type: ignore[arg-type]
    )


def test_the_visit_is_numbered_by_date_whatever_order_the_rows_come_in() -> None:
    visits = _visits("2026-03-09", "2026-03-02", "2026-03-05")
    assert [_at(visits, i).number for i in range(3)] == [3, 1, 2]


def test_a_new_visit_not_yet_among_the_rows_is_counted() -> None:
    visits = _visits("2026-03-02", "2026-03-05")
    auth = authorisation_of(
        visit_id="new",
        claim_visits=visits,
        visit_start=dt.datetime(2026, 3, 4, 9),
        payer_type=PayerType.PIP,
        claim_authorised=12,
        referral_authorised=None,
        referral_expires=None,
    )
    assert auth.number == 2
    assert authorisation_lines(auth) == ["Visit 2 of 12 authorised"]
    assert auth.report is None


def test_the_claims_count_comes_before_the_referrals() -> None:
    visits = _visits("2026-03-02")
    assert _at(visits, 0, claim_authorised=12, referral_authorised=6).authorised == 12
    by_referral = _at(visits, 0, referral_authorised=6)
    assert (by_referral.authorised, by_referral.authorised_by) == (6, "referral")


def test_past_the_visits_authorised_is_said_and_warned() -> None:
    visits = _visits(*(f"2026-03-{day:02d}" for day in range(2, 9)))
    auth = _at(visits, 6, claim_authorised=6, payer_type=PayerType.COMMERCIAL)
    assert auth.over_authorised
    assert authorisation_lines(auth) == ["Visit 7: 1 past the 6 authorised"]
    (warning,) = authorisation_warnings(auth)
    assert "visit 7" in warning and "authorises 6" in warning
    assert authorisation_warnings(_at(visits, 5, claim_authorised=6)) == []


def test_an_expired_referral_is_said_and_warned_but_its_last_day_is_fine() -> None:
    visits = _visits("2026-03-02", "2026-03-31", "2026-04-01")
    on_last_day = _at(visits, 1, referral_expires=dt.date(2026, 3, 31))
    assert not on_last_day.referral_expired
    assert "Referral expires 31 Mar 2026" in authorisation_lines(on_last_day)
    after = _at(visits, 2, referral_expires=dt.date(2026, 3, 31))
    assert after.referral_expired
    assert "Referral expired 31 Mar 2026, before this visit" in authorisation_lines(after)
    assert any("expired on 31 Mar 2026" in w for w in authorisation_warnings(after))


def test_a_report_is_due_with_the_sixth_visit_then_the_count_starts_again() -> None:
    days = [dt.date(2026, 3, 2) + dt.timedelta(days=2 * i) for i in range(13)]
    visits = _visits(*(day.isoformat() for day in days))
    reports = [_at(visits, i).report for i in range(13)]
    assert [r.due_now for r in reports if r] == [
        False, False, False, False, False, True,
        False, False, False, False, False, True,
        False,
    ]  # fmt: skip
    first = reports[0]
    assert first is not None
    assert (first.next_after_visit, first.next_by) == (6, dt.date(2026, 4, 2))
    seventh = reports[6]
    assert seventh is not None and seventh.period_start == days[6]
    assert seventh.next_after_visit == 12
    assert _at(visits, 5).report is not None
    assert "Progress report due: 6 visits since 2 Mar 2026" in authorisation_lines(_at(visits, 5))
    assert (
        "Next progress report after visit 6 or by 2 Apr 2026, whichever comes first"
        in authorisation_lines(_at(visits, 0))
    )


def test_a_report_is_due_when_a_month_passes_before_the_sixth_visit() -> None:
    visits = _visits("2026-01-31", "2026-02-14", "2026-02-28", "2026-03-20", "2026-03-27")
    reports = [_at(visits, i).report for i in range(5)]
    assert one_month_after(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)
    assert [(r.due_now, r.month_passed) for r in reports if r] == [
        (False, False), (False, False), (True, True), (False, False), (False, False),
    ]  # fmt: skip
    third = reports[2]
    assert third is not None and third.period_start == dt.date(2026, 2, 28)
    assert third.next_after_visit == 8
    line = authorisation_lines(_at(visits, 2))[-1]
    assert line == "Progress report due: a month has passed since 31 Jan 2026"


@pytest.mark.parametrize("payer", [PayerType.PIP, PayerType.COMMERCIAL, PayerType.SELF_PAY, None])
def test_only_workers_comp_has_the_report_cycle(payer: PayerType | None) -> None:
    visits = _visits(*(f"2026-03-{day:02d}" for day in range(2, 9)))
    assert _at(visits, 5, payer_type=payer).report is None


def test_december_rolls_into_january() -> None:
    assert one_month_after(dt.date(2026, 12, 15)) == dt.date(2027, 1, 15)


def test_a_signed_progress_report_starts_the_count_again() -> None:
    days = [dt.date(2026, 3, 2) + dt.timedelta(days=3 * i) for i in range(10)]
    visits = _visits(*(day.isoformat() for day in days))
    through = days[4]  # a report signed for the first five visits
    covered = _at(visits, 3, reported_through=through)
    assert covered.report is not None and covered.report.covered_through == through
    assert not covered.report.due_now
    assert authorisation_lines(covered)[-1] == "Covered by the progress report through 14 Mar 2026"
    after = [_at(visits, i, reported_through=through).report for i in range(5, 10)]
    assert [r.due_now for r in after if r] == [False] * 5  # 5 visits since: not yet 6
    first_after = after[0]
    assert first_after is not None
    assert (first_after.period_start, first_after.next_after_visit) == (days[5], 11)
    # Without the report, the sixth visit made one due.
    assert _at(visits, 5).report is not None and _at(visits, 5).report.due_now
