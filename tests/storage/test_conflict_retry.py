"""Two computers saving the same records at the same moment on a clinic's PostgreSQL: the one the
server rolls back to break a deadlock runs again and saves; nothing is lost or half-written."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from massage_chart.storage.database import Database, WriteError, open_database
from massage_chart.storage.models import Client
from massage_chart.storage.repositories import add_client


def _clients(db: Database) -> tuple[str, str]:
    with db.write() as session:
        first = add_client(session, first_name="Ana", last_name="Souza")
        second = add_client(session, first_name="Ben", last_name="Okafor")
        return first.id, second.id


def test_the_loser_of_a_deadlock_runs_again_and_both_changes_are_saved(pg_db: Database) -> None:
    first, second = _clients(pg_db)
    other = open_database(pg_db.url)  # a second computer
    both_hold_their_first_row = threading.Barrier(2, timeout=10)
    runs: list[str] = []
    errors: list[BaseException] = []

    def crossing(name: str, order: tuple[str, str], phone: str) -> Callable[[Session], None]:
        def work(session: Session) -> None:
            runs.append(name)
            client = session.get(Client, order[0])
            assert client is not None
            client.phone = phone
            session.flush()  # holds the first row's lock
            if runs.count(name) == 1:
                both_hold_their_first_row.wait()  # then each reaches for the other's row
            client = session.get(Client, order[1])
            assert client is not None
            client.email = f"{name}@example.com"
            session.flush()

        return work

    def run(db: Database, work: Callable[[Session], None]) -> None:
        try:
            db.transact(work)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)

    threads = [
        threading.Thread(
            target=run, args=(pg_db, crossing("front-desk", (first, second), "555-0101"))
        ),
        threading.Thread(
            target=run, args=(other, crossing("therapist", (second, first), "555-0202"))
        ),
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        other.dispose()
    assert errors == []
    assert len(runs) == 3, runs  # one of the two was rolled back by the server and ran again
    with pg_db.read() as session:
        ana, ben = session.get(Client, first), session.get(Client, second)
        assert ana is not None and ben is not None
        # Each computer's whole change is there; the one that ran again wrote last.
        again = next(name for name in runs if runs.count(name) == 2)
        assert {ana.email, ben.email} <= {"front-desk@example.com", "therapist@example.com"}
        assert ana.email == f"{again}@example.com" or ben.email == f"{again}@example.com"
        assert {ana.phone, ben.phone} == {"555-0101", "555-0202"}


def test_a_change_that_keeps_losing_says_so_in_words(
    pg_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _second = _clients(pg_db)
    attempts: list[int] = []

    def always_loses(session: Session) -> None:
        attempts.append(1)
        client = session.get(Client, first)
        assert client is not None
        client.phone = "555-0303"
        session.flush()
        session.execute(  # what the server says to the loser of a serialization conflict
            text(
                "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40001', "
                "MESSAGE = 'could not serialize access due to concurrent update'; END $$"
            )
        )

    monkeypatch.setattr("massage_chart.storage.database.time.sleep", lambda _seconds: None)
    with pytest.raises(WriteError, match="another computer was saving the same records") as info:
        pg_db.transact(always_loses, attempts=3)
    assert info.value.retryable and len(attempts) == 3
    with pg_db.read() as session:
        client = session.get(Client, first)
        assert client is not None and client.phone != "555-0303", "nothing half-written"
