"""Migration 0005 on a real database at 0004: text-form overrides, clearances, sub-fields move out."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from massage_chart.storage import audit
from massage_chart.storage.client_records import (
    clearances_on_file,
    override_reasons,
    record_override,
)
from massage_chart.storage.database import (
    Database,
    create_db_engine,
    normalise_url,
    open_database,
    schema_status,
    upgrade_schema,
)
from massage_chart.storage.guards import SignedVisitError
from massage_chart.storage.models import Client, Consent, Provider, Visit
from massage_chart.storage.repositories import get_visit
from massage_chart.storage.safekeeping import check_database
from massage_chart.storage.signing import verify_visit_hash
from tests.helpers.postgres import fresh_postgres_url

SIGNED_AT = dt.datetime(2026, 11, 20, 11, 5)

SIGNED_TEXT = {
    "health_update": (
        "Calf swollen since Monday\n"
        "Stop/refer override [dvt]: Cleared by Dr Raman by phone\n"
        "Stop/refer override [fever]: Temperature rechecked 36.8"
    ),
    "subjective": (
        "Pain best: 2/10\nPain worst: 7/10\nFunctional limits: cannot check blind spot\n\n"
        "Neck stiff on waking; worse after desk work."
    ),
    "assessment": "Response: tissue softened\nProgress toward goals: STG 1 met\n\nGood session.",
    "plan": (
        "Frequency: weekly x4\nHome care: heat 15 min; chin tucks 3 x 10\nReferrals: physio\n"
        "Next visit: 10 Dec\n\nContinue plan."
    ),
}
# Hand-typed lines that only look like the old form: rebuilding them would not give the same text
# (no blank line, a bare score, a trailing newline), so this signed visit keeps its text whole.
ODD_SIGNED_TEXT = {
    "health_update": "Feeling better.\n",
    "subjective": "Pain best: 3\nSlept well.",
    "assessment": "Response: good\nProgress toward goals: on track\n",
    "plan": "Same again.",
}
DRAFT_TEXT = {
    "health_update": "Stop/refer override [dvt]: Ultrasound clear 1 Dec\nStarted new job.",
    "subjective": "Pain best: 4/10\nPain worst: moderate\n\nLow back ache.",
    "assessment": "",
    "plan": "Next visit: 2 weeks",
}

_visits = sa.table(
    "visits",
    *(
        sa.column(name, sa.String)
        for name in ("id", "client_id", "provider_id", "status", "content_hash", "signed_by_id")
    ),
    *(
        sa.column(name, sa.Text)
        for name in (
            "chief_complaint",
            "health_update",
            "subjective",
            "objective",
            "assessment",
            "plan",
            "positioning",
        )
    ),
    *(sa.column(name, sa.DateTime) for name in ("start", "end", "signed_at")),
    *(sa.column(name, sa.DateTime) for name in ("created_at", "updated_at")),
    *(sa.column(name, sa.Integer) for name in ("pain_before", "pain_after", "pressure")),
    sa.column("row_version", sa.Integer),
    sa.column("techniques", sa.JSON),
    sa.column("icd10_codes", sa.JSON),
)
_billing = sa.table(
    "billing_lines",
    *(sa.column(name, sa.String) for name in ("id", "visit_id", "cpt")),
    *(sa.column(name, sa.Integer) for name in ("position", "minutes", "units")),
    sa.column("modifiers", sa.JSON),
    sa.column("diagnosis_pointers", sa.JSON),
)
_consents = sa.table(
    "consents",
    *(sa.column(name, sa.String) for name in ("id", "client_id", "kind", "notes")),
    sa.column("signed_on", sa.Date),
    sa.column("expires_on", sa.Date),
)


def _old_hash(row: dict[str, Any], billing: list[dict[str, Any]]) -> str:
    """The content hash as Massage Chart computed it before 0005 (text form, no version)."""
    content = {
        "id": row["id"],
        "client_id": row["client_id"],
        "provider_id": row["provider_id"],
        "start": row["start"].isoformat(),
        "end": row["end"].isoformat(),
        "chief_complaint": row["chief_complaint"],
        "health_update": row["health_update"],
        "subjective": row["subjective"],
        "objective": row["objective"],
        "assessment": row["assessment"],
        "plan": row["plan"],
        "pain_before": row["pain_before"],
        "pain_after": row["pain_after"],
        "techniques": row["techniques"],
        "pressure": row["pressure"],
        "positioning": row["positioning"],
        "icd10_codes": row["icd10_codes"],
        "signed_by_id": row["signed_by_id"],
        "signed_at": row["signed_at"].isoformat(),
        "marks": [],
        "billing": [
            {k: line[k] for k in ("cpt", "minutes", "units", "modifiers", "diagnosis_pointers")}
            for line in billing
        ],
    }
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _visit_row(visit_id: str, client_id: str, provider_id: str, texts: dict[str, str],
               day: int) -> dict[str, Any]:  # fmt: skip
    start = dt.datetime(2026, 11, day, 10, 0)
    return {
        "id": visit_id,
        "client_id": client_id,
        "provider_id": provider_id,
        "status": "draft",
        "content_hash": None,
        "signed_by_id": None,
        "chief_complaint": "Neck pain",
        "objective": "Hypertonic R upper trapezius.",
        "positioning": "prone",
        "start": start,
        "end": start + dt.timedelta(minutes=60),
        "signed_at": None,
        "created_at": start,
        "updated_at": start,
        "pain_before": 6,
        "pain_after": 3,
        "pressure": 3,
        "row_version": 1,
        "techniques": ["Swedish", "trigger point"],
        "icd10_codes": ["M54.2"],
        **texts,
    }


def _sign(connection: sa.Connection, row: dict[str, Any], billing: list[dict[str, Any]]) -> None:
    row.update(status="signed", signed_by_id=row["provider_id"], signed_at=SIGNED_AT)
    row["content_hash"] = _old_hash(row, billing)
    connection.execute(
        sa.update(_visits)
        .where(_visits.c.id == row["id"])
        .values(
            status="signed",
            signed_by_id=row["signed_by_id"],
            signed_at=SIGNED_AT,
            content_hash=row["content_hash"],
        )
    )


def _fill_at_0004(url: str) -> dict[str, Any]:
    """Clients, consents and visits written the way the app wrote them at schema 0004."""
    engine = create_db_engine(url)
    upgrade_schema(engine, "0004")
    with Session(engine) as session, session.begin():
        client = Client(first_name="Zoë", last_name="Nguyễn", date_of_birth=dt.date(1980, 2, 3))
        client.refresh_search_key()
        provider = Provider(first_name="Sam", last_name="Lee", credentials="LMT")
        session.add_all([client, provider])
        session.flush()
        ids = {"client": client.id, "provider": provider.id}
        connection = session.connection()
        rows = {
            "signed": _visit_row("v-signed", client.id, provider.id, SIGNED_TEXT, 20),
            "odd": _visit_row("v-odd", client.id, provider.id, ODD_SIGNED_TEXT, 21),
            "draft": _visit_row("v-draft", client.id, provider.id, DRAFT_TEXT, 22),
        }
        connection.execute(sa.insert(_visits), list(rows.values()))
        billing = [
            {
                "id": "b-1",
                "visit_id": "v-signed",
                "cpt": "97140",
                "position": 0,
                "minutes": 30,
                "units": 2,
                "modifiers": ["GP"],
                "diagnosis_pointers": [1],
            }
        ]
        connection.execute(sa.insert(_billing), billing)
        _sign(connection, rows["signed"], billing)
        _sign(connection, rows["odd"], [])
        connection.execute(
            sa.insert(_consents),
            [
                {
                    "id": "c-clear",
                    "client_id": client.id,
                    "kind": "treatment",
                    "notes": "Clearance for: dvt, heart_disease\nFax from Dr Raman on file",
                    "signed_on": dt.date(2026, 11, 1),
                    "expires_on": None,
                },
                {
                    "id": "c-plain",
                    "client_id": client.id,
                    "kind": "treatment",
                    "notes": "Signed at intake",
                    "signed_on": dt.date(2026, 10, 1),
                    "expires_on": None,
                },
            ],
        )
        audit.record(
            session,
            audit.AuditAction.CHANGE,
            actor="sam@front-desk",
            client_id=client.id,
            visit_id="v-signed",
            detail="stop/refer override dvt: Cleared by Dr Raman by phone",
        )
    engine.dispose()
    return ids


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0004(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database address on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield normalise_url(str(tmp_path / "practice.db"))
        return
    with fresh_postgres_url() as url:
        yield url


def _sub_fields(visit: Visit) -> dict[str, Any]:
    names = ("pain_best", "pain_worst", "functional_limits", "response", "progress_toward_goals")
    names += ("frequency", "home_care", "referrals_out", "next_visit")
    return {name: getattr(visit, name) for name in names if getattr(visit, name) not in ("", None)}


def test_every_value_moves_to_its_column_and_every_signature_still_verifies(
    url_at_0004: str,
) -> None:
    ids = _fill_at_0004(url_at_0004)
    database = open_database(url_at_0004)
    try:
        with database.read() as session:
            signed = get_visit(session, "v-signed")
            assert signed.hash_version == 1
            assert signed.health_update == "Calf swollen since Monday"
            assert override_reasons(signed) == {
                "dvt": "Cleared by Dr Raman by phone",
                "fever": "Temperature rechecked 36.8",
            }
            dvt, fever = signed.overrides
            assert (dvt.recorded_by, fever.recorded_by) == ("sam@front-desk", "")
            assert fever.recorded_at == SIGNED_AT
            assert signed.subjective == "Neck stiff on waking; worse after desk work."
            assert signed.assessment == "Good session."
            assert signed.plan == "Continue plan."
            assert _sub_fields(signed) == {
                "pain_best": 2,
                "pain_worst": 7,
                "functional_limits": "cannot check blind spot",
                "response": "tissue softened",
                "progress_toward_goals": "STG 1 met",
                "frequency": "weekly x4",
                "home_care": "heat 15 min; chin tucks 3 x 10",
                "referrals_out": "physio",
                "next_visit": "10 Dec",
            }

            odd = get_visit(session, "v-odd")
            assert odd.hash_version == 1
            assert {name: getattr(odd, name) for name in ODD_SIGNED_TEXT} == ODD_SIGNED_TEXT
            assert _sub_fields(odd) == {} and odd.overrides == []

            draft = get_visit(session, "v-draft")
            assert draft.hash_version == 2
            assert draft.health_update == "Started new job."
            assert override_reasons(draft) == {"dvt": "Ultrasound clear 1 Dec"}
            assert draft.subjective == "Pain worst: moderate\nLow back ache."
            assert draft.plan == ""
            assert _sub_fields(draft) == {"pain_best": 4, "next_visit": "2 weeks"}

            assert all(verify_visit_hash(v) for v in (signed, odd))
            consents = {c.id: c for c in session.query(Consent)}
            assert consents["c-clear"].clearance_codes == ["dvt", "heart_disease"]
            assert consents["c-clear"].notes == "Fax from Dr Raman on file"
            assert consents["c-plain"].clearance_codes == []
            assert consents["c-plain"].notes == "Signed at intake"
            assert clearances_on_file(consents.values(), dt.date(2026, 12, 1)) == {
                "dvt",
                "heart_disease",
            }
            assert session.get(Client, ids["client"]) is not None
        assert check_database(database).problems == []
    finally:
        database.dispose()


def test_the_signed_visit_guards_are_back_after_the_upgrade(url_at_0004: str) -> None:
    _fill_at_0004(url_at_0004)
    database = open_database(url_at_0004)
    try:
        with pytest.raises(DBAPIError, match="signed"), database.engine.begin() as connection:
            connection.execute(sa.text("UPDATE visits SET plan = 'x' WHERE id = 'v-signed'"))
        with pytest.raises(DBAPIError, match="signed"), database.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO visit_overrides (id, visit_id, position, code, reason, "
                    "recorded_at, recorded_by) VALUES ('o-x', 'v-odd', 0, 'fever', 'none', "
                    "'2026-12-01 10:00:00', '')"
                )
            )
        with pytest.raises(DBAPIError, match="signed"), database.engine.begin() as connection:
            connection.execute(sa.text("DELETE FROM visit_overrides WHERE visit_id = 'v-signed'"))
        with pytest.raises(SignedVisitError), database.write() as session:
            record_override(session, "v-signed", "dvt", "A later reason")
        with database.write() as session:
            record_override(session, "v-draft", "fever", "Afebrile today", actor="sam")
        with database.read() as session:
            assert override_reasons(get_visit(session, "v-draft")) == {
                "dvt": "Ultrasound clear 1 Dec",
                "fever": "Afebrile today",
            }
    finally:
        database.dispose()


def _refuse_consent_updates(connection: sa.Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'consents are read-only today'; END $$"
        )
        connection.exec_driver_sql(
            "CREATE TRIGGER trg_refuse BEFORE UPDATE ON consents "
            "FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    else:
        connection.exec_driver_sql(
            "CREATE TRIGGER trg_refuse BEFORE UPDATE ON consents "
            "BEGIN SELECT RAISE(ABORT, 'consents are read-only today'); END"
        )


def test_a_failure_late_in_the_upgrade_rolls_all_of_it_back(url_at_0004: str) -> None:
    _fill_at_0004(url_at_0004)
    engine = create_db_engine(url_at_0004)
    try:
        with engine.begin() as connection:
            _refuse_consent_updates(connection)
        with pytest.raises(DBAPIError, match="read-only today"):
            upgrade_schema(engine)
        assert schema_status(engine).current == "0004"
        inspector = sa.inspect(engine)
        assert "visit_overrides" not in inspector.get_table_names()
        assert "hash_version" not in {c["name"] for c in inspector.get_columns("visits")}
        with engine.connect() as connection:
            texts = connection.execute(
                sa.select(_visits.c.health_update, _visits.c.subjective).where(
                    _visits.c.id == "v-signed"
                )
            ).one()
        assert tuple(texts) == (SIGNED_TEXT["health_update"], SIGNED_TEXT["subjective"])
        with pytest.raises(DBAPIError, match="signed"), engine.begin() as connection:
            connection.execute(sa.text("UPDATE visits SET plan = 'x' WHERE id = 'v-signed'"))
    finally:
        engine.dispose()


def test_a_current_database_upgraded_from_0004_matches_the_models(url_at_0004: str) -> None:
    _fill_at_0004(url_at_0004)
    database: Database = open_database(url_at_0004)
    try:
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        from massage_chart.storage.models import Base, include_in_schema_comparison

        with database.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": include_in_schema_comparison}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        database.dispose()
