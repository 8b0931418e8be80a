"""Undo support: a just-created client or visit is taken back only while nothing refers to it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent, Client, Mark, Visit
from massage_chart.storage.repositories import NotFoundError, add_client, create_visit
from massage_chart.storage.undo_support import (
    UndoRefusedError,
    remove_new_client,
    remove_new_visit,
)

START = dt.datetime(2026, 11, 23, 9, 0)


def test_a_new_client_is_removed_and_the_removal_audited(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Zoë", last_name="Nguyễn").id
    with db.write() as session:
        remove_new_client(session, client_id)
    with db.read() as session:
        assert session.get(Client, client_id) is None
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert last is not None
        assert (last.action, last.client_id) == ("delete", client_id)


def test_a_client_re_created_with_the_same_id_is_found_by_search(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Zoë", last_name="Nguyễn").id
    with db.write() as session:
        remove_new_client(session, client_id)
    with db.write() as session:
        add_client(session, first_name="Zoë", last_name="Nguyễn", id=client_id)
    with db.read() as session:
        client = session.get(Client, client_id)
        assert client is not None and client.search_key.startswith("zoe")


def test_a_client_with_a_visit_is_not_removed(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Zoë", last_name="Nguyễn").id
        create_visit(session, client_id, provider_id=None, start=START)
    with pytest.raises(UndoRefusedError, match="1 visit on record"), db.write() as session:
        remove_new_client(session, client_id)
    with db.read() as session:
        assert session.get(Client, client_id) is not None


def test_a_client_who_reported_their_own_pain_or_answers_is_not_removed(db: Database) -> None:
    """Undo of adding a client never takes the client's own reports with it (they were lost to
    the cascade before: the check did not count them)."""
    from massage_chart.storage.outcomes import record_outcome
    from massage_chart.storage.pain_maps import record_pain_map

    with db.write() as session:
        mapped = add_client(session, first_name="Zoë", last_name="Nguyễn").id
        record_pain_map(
            session, mapped, ["posterior:lumbar_spine"], taken_on=START.date(), source="client"
        )
        answered = add_client(session, first_name="Ana", last_name="Souza").id
        record_outcome(session, answered, "nprs", [6], taken_on=START.date(), source="paper")
    for client_id, words in ((mapped, "1 pain map"), (answered, "1 outcome measure")):
        with pytest.raises(UndoRefusedError, match=words), db.write() as session:
            remove_new_client(session, client_id)
        with db.read() as session:
            assert session.get(Client, client_id) is not None


def test_an_empty_draft_visit_is_removed(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Ana", last_name="Souza").id
        visit_id = create_visit(session, client_id, provider_id=None, start=START).id
    with db.write() as session:
        remove_new_visit(session, visit_id)
    with db.read() as session:
        assert session.get(Visit, visit_id) is None


def test_a_visit_with_marks_is_not_removed(db: Database) -> None:
    with db.write() as session:
        client_id = add_client(session, first_name="Ana", last_name="Souza").id
        visit_id = create_visit(session, client_id, provider_id=None, start=START).id
        session.add(Mark(visit_id=visit_id, kind="tender", view="posterior", points=[[0.5, 0.5]]))
    with pytest.raises(UndoRefusedError, match="1 body-map mark"), db.write() as session:
        remove_new_visit(session, visit_id)
    with db.read() as session:
        assert session.get(Visit, visit_id) is not None


def test_removing_what_is_already_gone_says_so(db: Database) -> None:
    with pytest.raises(NotFoundError), db.write() as session:
        remove_new_visit(session, "no-such-visit")
    with pytest.raises(NotFoundError), db.write() as session:
        remove_new_client(session, "no-such-client")
