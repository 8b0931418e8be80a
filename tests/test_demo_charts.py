"""The demo practice's body charts: every mark kind in use, findings that evolve, treated areas."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from sqlalchemy import select

from massage_chart.atlas import load_atlas
from massage_chart.demo import demo_practice, seed_demo
from massage_chart.domain.comparison import ChangeKind, compare_findings
from massage_chart.domain.marks import MarkKind
from massage_chart.domain.placement import locate
from massage_chart.storage import marks as store
from massage_chart.storage.client_records import visit_findings
from massage_chart.storage.database import Database
from massage_chart.storage.models import Client, Mark, Visit
from massage_chart.storage.repositories import create_visit
from massage_chart.storage.signing import verify_visit_hash

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Database:
    from massage_chart.storage.database import open_database

    database = open_database(str(tmp_path_factory.mktemp("demo") / "demo.db"))
    seed_demo(database, today=TODAY)
    return database


def _visits(demo: Database, first_name: str) -> list[Visit]:
    with demo.read() as session:
        client = session.scalars(select(Client).where(Client.first_name == first_name)).one()
        return list(
            session.scalars(select(Visit).where(Visit.client_id == client.id).order_by(Visit.start))
        )


def test_every_mark_kind_is_charted_somewhere(demo: Database) -> None:
    with demo.read() as session:
        kinds = set(session.scalars(select(Mark.kind).distinct()))
    assert kinds == {kind.value for kind in MarkKind}


def test_regions_and_sides_are_those_the_atlas_gives(demo: Database) -> None:
    atlas = load_atlas()
    with demo.read() as session:
        marks = session.scalars(select(Mark)).all()
        assert len(marks) > 1000
        for mark in marks[::7]:
            placement = locate(
                atlas, mark.view, MarkKind(mark.kind), mark.points, whole_region=mark.whole_region
            )
            assert (mark.region_id, mark.side) == (placement.region_id, placement.side)
            assert mark.region_id is not None


def test_a_headache_trigger_point_eases_from_7_to_3_over_five_visits(demo: Database) -> None:
    assert "headaches" in demo_practice().scenarios[0].complaint
    visits = _visits(demo, "Zoë")
    with demo.read() as session:
        course = [
            next(
                m
                for m in store.list_marks(session, visit.id)
                if m.kind is MarkKind.TRIGGER_POINT_ACTIVE and m.region_id == "upper_trapezius.r"
            )
            for visit in visits[:5]
        ]
    assert [m.intensity for m in course] == [7, 6, 5, 4, 3]
    assert all(b.carried_from_id == a.id for a, b in itertools.pairwise(course))
    assert course[0].side == "right" and course[0].view == "posterior"


def test_treated_areas_have_minutes_pressure_and_technique(demo: Database) -> None:
    with demo.read() as session:
        visits = session.scalars(select(Visit)).all()
        for visit in visits[::5]:
            treated = [m for m in visit.marks if m.kind == MarkKind.TREATED.value]
            assert treated
            assert all(m.minutes and m.pressure is not None and m.technique for m in treated)
            assert visit.duration_minutes is not None
            assert sum(m.minutes or 0 for m in treated) <= visit.duration_minutes


def test_signed_charts_still_verify_and_findings_change_between_visits(demo: Database) -> None:
    visits = _visits(demo, "Zoë")
    with demo.read() as session:
        for visit in visits:
            full = session.get(Visit, visit.id)
            assert full is not None
            if full.is_signed:
                assert verify_visit_hash(full)
        changes = compare_findings(
            visit_findings(session, visits[0].id), visit_findings(session, visits[-1].id)
        )
    whats = {c.change for c in changes}
    assert ChangeKind.BETTER in whats and ChangeKind.RESOLVED in whats


def test_areas_to_avoid_stand_at_the_next_visit(demo: Database) -> None:
    # Łukasz follows the whiplash scenario: the anterior neck is an area to avoid.
    visits = _visits(demo, "Łukasz")
    last = visits[-1]
    with demo.write() as session:
        upcoming = create_visit(
            session,
            last.client_id,
            provider_id=last.provider_id,
            start=dt.datetime.combine(TODAY, dt.time(9)),
        )
        upcoming_id = upcoming.id
    with demo.read() as session:
        standing = store.standing_avoid_areas(session, upcoming_id)
        last_avoid = [m for m in store.list_marks(session, last.id) if m.kind is MarkKind.AVOID]
    assert [m.region_id for m in standing] == ["anterior_neck"]
    assert [m.id for m in standing] == [m.id for m in last_avoid]
    assert last_avoid[0].carried_from_id is not None
