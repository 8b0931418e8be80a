"""Moving a practice from its SQLite file to PostgreSQL: everything copied, everything verifying."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from massage_chart.demo import seed_demo
from massage_chart.storage import audit
from massage_chart.storage.chart_file import dumps_chart, export_chart
from massage_chart.storage.client_records import add_addendum
from massage_chart.storage.database import Database, open_database
from massage_chart.storage.models import AuditEvent, Client, PainMapRecord, Visit
from massage_chart.storage.move_to_server import MoveError, move_to_server
from massage_chart.storage.outcomes import record_outcome
from massage_chart.storage.signing import verify_visit_hash
from tests.helpers.postgres import analysed_tables, fresh_postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def practice_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo practice with signed notes, addenda and an outcome measure."""
    path = tmp_path_factory.mktemp("move") / "practice.db"
    database = open_database(str(path))
    try:
        seed_demo(database, clients=4, seed=7)
        with database.write() as session:
            client_id = session.scalars(select(Client.id).order_by(Client.id)).first()
            assert client_id is not None
            signed = session.scalars(
                select(Visit).where(Visit.signed_at.is_not(None)).order_by(Visit.id)
            ).first()
            assert signed is not None
            add_addendum(
                session,
                signed.id,
                author_id=signed.provider_id,
                reason="Late entry",
                text="Called the next day: 2/10, sleeping through.",
            )
            record_outcome(
                session, client_id, "nprs", [4], taken_on=dt.date(2026, 11, 30), source="client"
            )
            # A pain map and its correction, the correction's id sorting first: the copy must
            # still put the map it replaces in before it.
            for ident, regions, replaces in (
                ("zz-first", ["posterior:sacrum"], None),
                ("aa-correction", ["posterior:sacrum", "posterior:coccyx"], "zz-first"),
            ):
                session.add(
                    PainMapRecord(
                        id=ident, client_id=client_id, instrument="acr2016",
                        instrument_version=1, map_version=1, regions=regions, source="paper",
                        taken_on=dt.date(2026, 11, 30), replaces_id=replaces,
                        reason="The tailbone was shaded too" if replaces else "",
                    )
                )  # fmt: skip
                session.flush()
    finally:
        database.dispose()
    return path


def _document(database: Database) -> str:
    with database.write() as session:
        document = export_chart(session)
    document.pop("generator", None)
    return dumps_chart(document)


def test_the_whole_practice_arrives_and_verifies(practice_file: Path) -> None:
    source = open_database(str(practice_file))
    try:
        before = _document(source)
        with source.read() as session:
            events = session.scalar(select(func.count()).select_from(AuditEvent))
        with fresh_postgres_url() as url:
            report = move_to_server(source, url)
            target = open_database(url)
            try:
                assert report.signed_visits > 0 and report.rows["marks"] > 0
                assert report.rows["outcome_records"] == report.rows["addenda"] == 1
                assert report.rows["pain_maps"] > 2
                with target.read() as session:
                    signed = session.scalars(select(Visit).where(Visit.signed_at.is_not(None)))
                    assert all(verify_visit_hash(v) for v in signed)
                    assert audit.verify_chain(session) == []
                    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
                    # Its planner has statistics from the first query (ANALYZE after the copy).
                    analysed = analysed_tables(session, ("marks", "visits"))
                    assert analysed == ["marks", "visits"]
                # The chart of every client reads the same on the server.
                assert json.loads(_document(target))["clients"] == json.loads(before)["clients"]
                # New events go on from the copied ones, and the chain still verifies.
                with target.write() as session:
                    audit.record(session, audit.AuditAction.VIEW, detail="after the move")
                with target.read() as session:
                    assert audit.verify_chain(session) == []
                with pytest.raises(MoveError, match="already holds records"):
                    move_to_server(source, url)
            finally:
                target.dispose()
    finally:
        source.dispose()


def test_only_to_a_server_and_the_command_line_says_what_it_did(
    practice_file: Path, tmp_path: Path
) -> None:
    source = open_database(str(practice_file))
    try:
        with pytest.raises(MoveError, match="PostgreSQL"):
            move_to_server(source, f"sqlite:///{tmp_path / 'other.db'}")
    finally:
        source.dispose()
    with fresh_postgres_url() as url:
        result = subprocess.run(
            [sys.executable, "-m", "massage_chart", "migrate-db", "--db", str(practice_file),
             "--to", url],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "each matching its signature there" in result.stdout
        assert "is unchanged" in result.stdout
        check = subprocess.run(
            [sys.executable, "-m", "massage_chart", "check", "--db", url],
            capture_output=True, text=True, timeout=300, check=False,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )  # fmt: skip
        assert check.returncode == 0, check.stdout + check.stderr
