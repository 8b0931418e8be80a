"""The signed-visit guard holds for every database opened in a process, not only the first."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest
from sqlalchemy import text

from massage_chart.storage.database import Database, open_database
from massage_chart.storage.guards import GuardedSession, SignedVisitError
from massage_chart.storage.models import Mark, Provider
from massage_chart.storage.repositories import add_client, create_visit, get_visit
from massage_chart.storage.signing import sign_visit


def _signed_visit(db: Database) -> str:
    with db.write() as session:
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add(provider)
        client = add_client(session, first_name="Ana", last_name="Silva")
        session.flush()
        visit = create_visit(
            session, client.id, provider_id=provider.id, start=dt.datetime(2026, 11, 2, 9, 0)
        )
        visit.marks.append(Mark(kind="pain", view="anterior", points=[[0.5, 0.2]], intensity=6))
        session.flush()
        sign_visit(visit, provider.id, dt.datetime(2026, 11, 2, 10, 5))
        return visit.id


def test_the_guard_holds_on_every_database_opened_and_dropped_in_turn(tmp_path: Path) -> None:
    # Session factories die and new ones may reuse their addresses; a guard keyed by id() was
    # once skipped that way, leaving only the trigger to refuse the change.
    for n in range(40):
        db = open_database(str(tmp_path / f"db{n}.db"))
        visit_id = _signed_visit(db)
        with pytest.raises(SignedVisitError, match="addendum"), db.write() as session:
            get_visit(session, visit_id).subjective = "rewritten"
        with db.read() as session:
            assert isinstance(session, GuardedSession)
        db.dispose()
        del db
        gc.collect()


def test_a_trigger_refusal_reaches_the_caller_as_a_signed_visit_error(db: Database) -> None:
    visit_id = _signed_visit(db)
    with pytest.raises(SignedVisitError, match="signed"), db.write() as session:
        session.execute(
            text("UPDATE visits SET subjective = 'raw' WHERE id = :id"), {"id": visit_id}
        )
    with pytest.raises(SignedVisitError, match="chart and billing"), db.write() as session:
        session.execute(text("DELETE FROM marks WHERE visit_id = :id"), {"id": visit_id})
    with db.read() as session:
        visit = get_visit(session, visit_id)
        assert visit.subjective != "raw"
        assert len(visit.marks) == 1
