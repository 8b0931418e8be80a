"""Outcome measures on file, on SQLite and PostgreSQL: recorded, scored, corrected, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from massage_chart.domain.outcomes import OutcomeError
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent, OutcomeRecord
from massage_chart.storage.outcomes import list_outcomes, record_outcome
from massage_chart.storage.repositories import NotFoundError, add_client, create_visit

DAY = dt.date(2026, 11, 2)


def _client(database: Database) -> tuple[str, str]:
    with database.write() as session:
        client = add_client(session, first_name="Aiko", last_name="Tanaka")
        visit = create_visit(
            session, client.id, provider_id=None, start=dt.datetime(2026, 11, 2, 9, 0)
        )
        return client.id, visit.id


def test_answer_sheets_are_filed_with_their_score_and_audited(any_db: Database) -> None:
    client_id, visit_id = _client(any_db)
    with any_db.write() as session:
        first = record_outcome(
            session, client_id, "lefs", [2] * 20, taken_on=DAY, source="client", visit_id=visit_id
        )
        record_outcome(
            session, client_id, "psfs", [3, 4, 6], activities=["Climb stairs", "Kneel", "Run"],
            taken_on=DAY, source="paper",
        )  # fmt: skip
        record_outcome(
            session, client_id, "lefs", [3] * 20, taken_on=DAY + dt.timedelta(days=21),
            source="client",
        )  # fmt: skip
    assert first.score == 40
    with any_db.read() as session:
        lefs = list_outcomes(session, client_id, code="lefs")
        every = list_outcomes(session, client_id)
        details = list(session.scalars(select(AuditEvent.detail).order_by(AuditEvent.seq)))
    assert [e.score for e in lefs] == [40, 60]
    assert (
        lefs[0]
        .measure.change(lefs[0].score, lefs[-1].score)
        .words()
        .endswith("improved, beyond the MCID of 9")
    )
    psfs = next(e for e in every if e.measure.code == "psfs")
    assert psfs.activities == ("Climb stairs", "Kneel", "Run")
    assert psfs.score == 4.3
    assert "outcome lefs v1 recorded: 40/80 (completed by the client on this computer)" in details
    assert "outcome psfs v1 recorded: 4.3/10 (typed in from the client's paper form)" in details


def test_a_correction_replaces_the_sheet_and_keeps_it(any_db: Database) -> None:
    client_id, _visit_id = _client(any_db)
    with any_db.write() as session:
        wrong = record_outcome(session, client_id, "nprs", [8], taken_on=DAY, source="paper")
    with any_db.write() as session, pytest.raises(OutcomeError, match="why"):
        record_outcome(
            session, client_id, "nprs", [3], taken_on=DAY, source="paper", replaces_id=wrong.id
        )
    with any_db.write() as session:
        right = record_outcome(
            session, client_id, "nprs", [3], taken_on=DAY, source="paper", replaces_id=wrong.id,
            reason="Typed 8 for the 3 on the paper form",
        )  # fmt: skip
    with any_db.write() as session, pytest.raises(OutcomeError, match="corrected already"):
        record_outcome(
            session, client_id, "nprs", [4], taken_on=DAY, source="paper", replaces_id=wrong.id,
            reason="again",
        )  # fmt: skip
    with any_db.read() as session:
        assert [e.id for e in list_outcomes(session, client_id)] == [right.id]
        kept = list_outcomes(session, client_id, include_replaced=True)
        assert [e.score for e in kept] == [8, 3]
        assert (
            session.scalar(select(OutcomeRecord.replaces_id).where(OutcomeRecord.id == right.id))
            == wrong.id
        )


@pytest.mark.parametrize(
    ("code", "answers", "extra", "words"),
    [
        ("lefs", [4] * 19, {}, "1 of the 20 items are not answered"),
        ("psfs", [3, 4, 5], {"activities": ["Run", "", "Kneel"]}, "name each activity"),
        ("psfs", [3, 4, 5], {"activities": ["x" * 201, "Run", "Kneel"]}, "Activity"),
        ("odi", [1], {}, "no outcome measure 'odi'"),
        ("nprs", [5], {"source": "telepathy"}, "how the answers were given"),
    ],
)
def test_bad_answer_sheets_are_refused_and_nothing_is_filed(
    db: Database, code: str, answers: list[int], extra: dict, words: str
) -> None:
    client_id, _visit_id = _client(db)
    options = {"taken_on": DAY, "source": "client", **extra}
    with db.write() as session, pytest.raises(OutcomeError, match=words):
        record_outcome(session, client_id, code, answers, **options)
    with db.read() as session:
        assert list_outcomes(session, client_id, include_replaced=True) == []


def test_a_sheet_for_someone_else_s_visit_or_nobody_is_refused(db: Database) -> None:
    client_id, _visit_id = _client(db)
    _other_client, other_visit = _client(db)
    with db.write() as session, pytest.raises(OutcomeError, match="another client's"):
        record_outcome(
            session, client_id, "nprs", [5], taken_on=DAY, source="client", visit_id=other_visit
        )
    with db.write() as session, pytest.raises(NotFoundError):
        record_outcome(session, "no-such-client", "nprs", [5], taken_on=DAY, source="client")
