"""What a client reported is kept as given on every road: the database itself refuses to change
or remove an answer sheet or a pain map (migration 0018), on SQLite and PostgreSQL alike, while
the links it may lose (a removed draft visit, a removed provider) are still set to nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from massage_chart.storage.database import Database
from massage_chart.storage.models import OutcomeRecord, PainMapRecord, Visit
from massage_chart.storage.outcomes import record_outcome
from massage_chart.storage.pain_maps import record_pain_map
from massage_chart.storage.repositories import add_client, create_visit
from massage_chart.storage.safekeeping import check_database

DAY = dt.date(2026, 11, 20)


def _reports(database: Database) -> tuple[str, str]:
    with database.write() as session:
        client_id = add_client(session, first_name="Zoë", last_name="Nguyễn").id
        visit_id = create_visit(
            session, client_id, provider_id=None, start=dt.datetime(2026, 11, 20, 9)
        ).id
        record_pain_map(
            session, client_id, ["posterior:lumbar_spine"], taken_on=DAY, source="client",
            visit_id=visit_id,
        )  # fmt: skip
        record_outcome(
            session, client_id, "nprs", [6], taken_on=DAY, source="paper", visit_id=visit_id
        )
    return client_id, visit_id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE pain_maps SET regions = '[\"anterior:sternum\"]'",
        "UPDATE outcome_records SET answers = '[2]'",
        "UPDATE pain_maps SET taken_on = '2026-01-01'",
        "DELETE FROM outcome_records",
        "DELETE FROM pain_maps",
    ],
)
def test_the_database_refuses_to_change_or_remove_them(any_db: Database, statement: str) -> None:
    _reports(any_db)
    refused = pytest.raises(DBAPIError, match="never changed or removed")
    with refused, any_db.engine.begin() as connection:
        connection.exec_driver_sql(statement)
    assert check_database(any_db).problems == []


def test_a_client_with_them_cannot_be_deleted_behind_the_app(any_db: Database) -> None:
    """No visit holds the client back here: only the pain map, whose row the cascade would take."""
    with any_db.write() as session:
        client_id = add_client(session, first_name="Ana", last_name="Souza").id
        record_pain_map(session, client_id, ["anterior:sternum"], taken_on=DAY, source="paper")
    refused = pytest.raises(DBAPIError, match="never changed or removed")
    with refused, any_db.engine.begin() as connection:
        connection.execute(text("DELETE FROM clients WHERE id = :id"), {"id": client_id})


def test_removing_their_draft_visit_only_unlinks_them(any_db: Database) -> None:
    _client, visit_id = _reports(any_db)
    with any_db.write() as session:
        session.delete(session.get(Visit, visit_id))
    with any_db.read() as session:
        assert [m.visit_id for m in session.query(PainMapRecord)] == [None]
        assert [o.visit_id for o in session.query(OutcomeRecord)] == [None]
