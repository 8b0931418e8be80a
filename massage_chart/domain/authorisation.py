"""Where a visit stands against what pays for it: its number on the claim, the visits
authorised, the referral's expiry, and when a progress report is due (DOMAIN.md §1.4, §3.6).

Everything here is derived from the claim's visits and the referral on file, never stored, so the
window, the printed note and the signing rules always agree.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from massage_chart.domain.presentation import format_date
from massage_chart.domain.record_kinds import PayerType

REPORT_EVERY_VISITS = 6
"""Washington L&I (WAC 296-23-250): a progress report to the attending doctor after 6 visits or
one month, whichever comes first. Applied to workers' compensation claims."""

REPORT_RULE = "workers' comp: after 6 visits or 1 month, whichever comes first"


def one_month_after(day: dt.date) -> dt.date:
    """The same day of the next month (the month's last day when it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ReportDue:
    """Where this visit stands in the progress-report cycle.

    Attributes:
        period_start: the first visit of the period the next report covers.
        visits_in_period: this visit's number in that period.
        due_now: a report is due with this visit (its 6th visit of the period, or the first
            visit after a month had passed).
        month_passed: the report is due because a month passed (not because of the count).
        next_after_visit: the claim visit number after which the next report is due.
        next_by: the day by which the next report is due, if the visits do not come first.
        report_from: when ``due_now``, the first day the report due covers.
        covered_through: the last day of the signed progress report that covers this visit, if
            one does (then nothing is due with it).
    """

    period_start: dt.date
    visits_in_period: int
    due_now: bool
    month_passed: bool
    next_after_visit: int
    next_by: dt.date
    report_from: dt.date
    covered_through: dt.date | None = None


@dataclass(frozen=True)
class Authorisation:
    """A visit's place on its claim or referral.

    Attributes:
        number: this visit's number among the claim's visits (by date and time), 1 for the first.
        authorised: the visits authorised (the claim's count, else the referral's), if recorded.
        authorised_by: "claim" or "referral" (which record gave ``authorised``), or "".
        referral_expires: the referral's expiry, if recorded.
        visit_day: the day of this visit.
        report: the progress-report cycle, for payers that require one (else None).
    """

    number: int
    authorised: int | None
    authorised_by: str
    referral_expires: dt.date | None
    visit_day: dt.date
    report: ReportDue | None

    @property
    def over_authorised(self) -> bool:
        """This visit is past the visits authorised."""
        return self.authorised is not None and self.number > self.authorised

    @property
    def referral_expired(self) -> bool:
        """The referral had expired before the day of this visit."""
        return self.referral_expires is not None and self.visit_day > self.referral_expires


def _report_cycle(
    days: Sequence[dt.date], index: int, reported_through: dt.date | None = None
) -> ReportDue:
    """The report cycle at visit ``index`` of the claim's visit days (in order); the count
    starts again after the last day a signed report covers."""
    if reported_through is not None:
        covered = sum(1 for day in days if day <= reported_through)
        if index < covered:
            return ReportDue(
                period_start=days[0],
                visits_in_period=index + 1,
                due_now=False,
                month_passed=False,
                next_after_visit=covered + REPORT_EVERY_VISITS,
                next_by=one_month_after(reported_through),
                report_from=days[0],
                covered_through=reported_through,
            )
        cycle = _report_cycle(days[covered:], index - covered)
        return replace(cycle, next_after_visit=cycle.next_after_visit + covered)
    start_index = 0
    start = previous_start = days[0]
    month_passed = False
    for position in range(1, index + 1):
        count = position - start_index  # visits already in the period before this one
        if count >= REPORT_EVERY_VISITS or days[position] >= one_month_after(start):
            month_passed = count < REPORT_EVERY_VISITS
            previous_start = start
            start_index, start = position, days[position]
        else:
            month_passed = False
    in_period = index - start_index + 1
    opened_by_month = index == start_index and index > 0 and month_passed
    return ReportDue(
        period_start=start,
        visits_in_period=in_period,
        due_now=in_period == REPORT_EVERY_VISITS or opened_by_month,
        month_passed=opened_by_month,
        next_after_visit=start_index + REPORT_EVERY_VISITS,
        next_by=one_month_after(start),
        report_from=previous_start if opened_by_month else start,
    )


def authorisation_of(
    *,
    visit_id: str,
    claim_visits: Sequence[tuple[str, dt.datetime]],
    visit_start: dt.datetime,
    payer_type: PayerType | None,
    claim_authorised: int | None,
    referral_authorised: int | None,
    referral_expires: dt.date | None,
    reported_through: dt.date | None = None,
) -> Authorisation:
    """Where a visit stands on its claim.

    Args:
        visit_id: the visit.
        claim_visits: (id, start) of every visit on the same claim (or, with no claim, the same
            referral), this one included or not; their order does not matter.
        visit_start: the visit's time in.
        payer_type: who pays; workers' compensation adds the progress-report cycle.
        claim_authorised: the visits the claim authorises, if recorded.
        referral_authorised: the visits the referral authorises, if recorded.
        referral_expires: the referral's expiry, if recorded.
        reported_through: the last day the claim's last signed progress report covers.
    """
    visits = dict(claim_visits)
    visits[visit_id] = visit_start
    ordered = sorted(visits.items(), key=lambda item: (item[1], item[0]))
    index = next(i for i, (key, _start) in enumerate(ordered) if key == visit_id)
    authorised, by = (
        (claim_authorised, "claim")
        if claim_authorised
        else (referral_authorised, "referral")
        if referral_authorised
        else (None, "")
    )
    report = None
    if payer_type is PayerType.WORKERS_COMP:
        report = _report_cycle([start.date() for _key, start in ordered], index, reported_through)
    return Authorisation(
        number=index + 1,
        authorised=authorised,
        authorised_by=by,
        referral_expires=referral_expires,
        visit_day=visit_start.date(),
        report=report,
    )


def visit_count_text(auth: Authorisation) -> str:
    """ "Visit 7 of 12 authorised", "Visit 13 (12 authorised: over by 1)" or "Visit 3"."""
    if auth.authorised is None:
        return f"Visit {auth.number} (no authorised count on file)"
    if auth.over_authorised:
        over = auth.number - auth.authorised
        return f"Visit {auth.number}: {over} past the {auth.authorised} authorised"
    return f"Visit {auth.number} of {auth.authorised} authorised"


def referral_text(auth: Authorisation) -> str:
    """ "Referral expires 1 Mar 2027", "Referral expired 1 Mar 2027" or "" when none is recorded."""
    if auth.referral_expires is None:
        return ""
    if auth.referral_expired:
        return f"Referral expired {format_date(auth.referral_expires)}, before this visit"
    return f"Referral expires {format_date(auth.referral_expires)}"


def report_text(auth: Authorisation) -> str:
    """When the next progress report is due, or that one is due with this visit; "" when the
    payer requires none."""
    report = auth.report
    if report is None:
        return ""
    since = format_date(report.report_from)
    if report.covered_through is not None:
        return f"Covered by the progress report through {format_date(report.covered_through)}"
    if report.due_now and report.month_passed:
        return f"Progress report due: a month has passed since {since}"
    if report.due_now:
        return f"Progress report due: {REPORT_EVERY_VISITS} visits since {since}"
    return (
        f"Next progress report after visit {report.next_after_visit} or by "
        f"{format_date(report.next_by)}, whichever comes first"
    )


def authorisation_lines(auth: Authorisation) -> list[str]:
    """Every line a claims reviewer looks for: the count, the referral, the report."""
    return [
        text for text in (visit_count_text(auth), referral_text(auth), report_text(auth)) if text
    ]


def authorisation_warnings(auth: Authorisation) -> list[str]:
    """What would likely get this visit denied: past the visits authorised, an expired
    referral."""
    problems: list[str] = []
    if auth.over_authorised:
        assert auth.authorised is not None
        problems.append(
            f"This is visit {auth.number} and the {auth.authorised_by} authorises "
            f"{auth.authorised}: ask the payer for more visits before billing it."
        )
    if auth.referral_expired:
        assert auth.referral_expires is not None
        problems.append(
            f"The referral expired on {format_date(auth.referral_expires)}, before this visit: "
            "ask the prescriber to renew it."
        )
    return problems
