"""The demo practice is realistic: valid codes and identifiers, scripts, signed and draft notes."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import simple_icd_10_cm as icd
from sqlalchemy import func, select

from massage_chart.demo import (
    LONG_STANDING_VISITS,
    DemoNotEmptyError,
    DemoSummary,
    client_name,
    clients_for_scale,
    demo_practice,
    seed_demo,
)
from massage_chart.domain.billing import compute_units
from massage_chart.domain.identifiers import npi_problem
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.database import Database
from massage_chart.storage.models import Client, Provider, Referral, Visit
from massage_chart.storage.signing import verify_visit_hash
from tests.helpers.postgres import analysed_tables

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def demo(db: Database) -> Database:
    seed_demo(db, today=TODAY)
    return db


def test_demo_practice_has_therapists_clients_and_visits(demo: Database) -> None:
    with demo.read() as session:
        providers = session.scalars(select(Provider)).all()
        assert 2 <= len(providers) <= 3
        assert all(npi_problem(p.npi) is None and p.license_number for p in providers)
        assert session.scalar(select(func.count(Client.id))) == 30
        per_client = session.execute(
            select(Visit.client_id, func.count(Visit.id)).group_by(Visit.client_id)
        ).all()
        assert len(per_client) == 30
        assert all(5 <= count <= 15 for _, count in per_client)


def test_demo_names_come_in_several_scripts(demo: Database) -> None:
    with demo.read() as session:
        names = " ".join(f"{c.first_name} {c.last_name}" for c in session.scalars(select(Client)))
    for sample in ("Zoë", "Łukasz", "Дмитрий", "王", "فاطمة", "שרה", "Νίκος"):
        assert sample in names


def test_demo_visits_are_plausible(demo: Database) -> None:
    with demo.read() as session:
        visits = session.scalars(select(Visit)).all()
        for visit in visits:
            assert visit.start.date() < TODAY
            assert visit.end is not None and visit.end > visit.start
            assert visit.subjective and visit.objective and visit.assessment and visit.plan
            assert visit.pain_before is not None and visit.pain_after is not None
            assert visit.pain_after <= visit.pain_before
            if visit.claim is not None and visit.billing_lines:
                minutes = {line.cpt: line.minutes for line in visit.billing_lines}
                expected = compute_units(visit.claim.unit_rule, minutes)
                assert {line.cpt: line.units for line in visit.billing_lines} == expected
                timed = sum(minutes.values())
                assert visit.duration_minutes is not None and timed <= visit.duration_minutes
        signed = [v for v in visits if v.status is VisitStatus.SIGNED]
        drafts = [v for v in visits if v.status is VisitStatus.DRAFT]
        assert signed and drafts
        assert all(verify_visit_hash(v) for v in signed)


def test_demo_diagnosis_codes_are_billable_icd10cm_codes(demo: Database) -> None:
    with demo.read() as session:
        codes = {code for r in session.scalars(select(Referral)) for code in r.icd10_codes}
    assert codes
    for code in codes:
        assert icd.is_valid_item(code), code
        assert icd.is_leaf(code), f"{code} is a category, not a billable code"


def test_demo_is_only_seeded_into_an_empty_database(demo: Database) -> None:
    with pytest.raises(DemoNotEmptyError, match="already holds clients"):
        seed_demo(demo)


@pytest.mark.parametrize(
    ("scale", "clients"),
    [("clinic", 20_000), ("Clinic/10", 2_000), ("clinic/100", 200), ("1", 30), (" 4 ", 120)],
)
def test_a_scale_names_how_many_clients(scale: str, clients: int) -> None:
    assert clients_for_scale(scale) == clients


@pytest.mark.parametrize("scale", ["0", "-2", "x", "clinic/", "clinic/0", "clinic/-5", "3/4"])
def test_a_scale_that_is_not_one_says_what_is(scale: str) -> None:
    with pytest.raises(ValueError, match="clinic/K"):
        clients_for_scale(scale)


def test_a_large_practice_pairs_names_anew_before_numbering_them() -> None:
    demo = demo_practice()
    people = len(demo.clients)
    names = [client_name(demo, index)[:2] for index in range(people * people)]
    assert len(set(names)) == people * people  # every first name with every last name
    assert names[:people] == [(first, last) for first, last, _ in demo.clients]
    assert client_name(demo, people * people)[0].endswith(" 2")


def test_a_practice_with_years_of_history_is_built_through_the_app_s_storage(
    any_db: Database,
) -> None:
    """Each client's course ends somewhere in the ten years before today, and every signed
    note is checked, hashed and sealed like the app's own; a second build is refused."""
    ticks: list[DemoSummary] = []
    summary = seed_demo(
        any_db, clients=6, today=TODAY, years=10, tick=lambda s: ticks.append(copy.copy(s))
    )
    assert [s.clients for s in ticks] == [1, 2, 3, 4, 5, 6] and summary.clients == 6
    with any_db.read() as session:
        starts = session.scalars(select(Visit.start)).all()
        assert min(starts).date() < TODAY - dt.timedelta(days=365)  # years back
        assert max(starts).date() <= TODAY
        signed = session.scalars(select(Visit).where(Visit.status == VisitStatus.SIGNED)).all()
        assert len(signed) == summary.signed_visits and all(map(verify_visit_hash, signed))
        drafts = session.scalars(select(Visit.start).where(Visit.status != VisitStatus.SIGNED))
        assert all((TODAY - start.date()).days <= 10 for start in drafts)  # only this week's
        per_client = dict(
            session.execute(select(Visit.client_id, func.count()).group_by(Visit.client_id)).all()
        )
    # The first client is a long-standing one (the budget's client with 300 visits).
    assert per_client.pop(summary.client_ids[0]) == LONG_STANDING_VISITS
    assert all(5 <= count <= 15 for count in per_client.values())
    if not any_db.is_sqlite:  # the server plans the practice it was given (statistics gathered)
        with any_db.read() as session:
            analysed = analysed_tables(session, ("marks", "visits", "clients"))
            assert analysed == ["clients", "marks", "visits"]
    with pytest.raises(DemoNotEmptyError):
        seed_demo(any_db, clients=1, years=10)
