"""The demo practice is realistic: valid codes and identifiers, scripts, signed and draft notes."""

from __future__ import annotations

import datetime as dt

import pytest
import simple_icd_10_cm as icd
from sqlalchemy import func, select

from massage_chart.demo import DemoNotEmptyError, seed_demo
from massage_chart.domain.billing import compute_units
from massage_chart.domain.identifiers import npi_problem
from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage.database import Database
from massage_chart.storage.models import Client, Provider, Referral, Visit
from massage_chart.storage.signing import verify_visit_hash

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
