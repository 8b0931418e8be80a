"""On a clinic's PostgreSQL the server announces each change as it commits: a listening
connection learns of it at once, not at its next look at the audit log."""

from __future__ import annotations

import select as waiting

import pytest

from massage_chart.storage import audit
from massage_chart.storage.database import open_database
from massage_chart.storage.repositories import add_client
from massage_chart.storage.watch import ChangeListener, ListenerLostError
from tests.helpers.postgres import fresh_postgres_url

pytestmark = pytest.mark.postgres


def _wait(listener: ChangeListener, seconds: float) -> int:
    """Wait (at most ``seconds``) for input on the listener, then drain it."""
    waiting.select([listener.fileno()], [], [], seconds)
    return listener.drain()


def test_a_committed_change_is_announced_and_looking_or_a_rollback_is_not() -> None:
    with fresh_postgres_url() as url:
        database = open_database(url)
        listener = ChangeListener(url)
        try:
            assert listener.drain() == 0
            with database.write() as session:
                add_client(session, first_name="Ana", last_name="Silva")
            assert _wait(listener, 10) == 1  # one change, one announcement, at commit
            with database.write() as session:
                audit.record(session, audit.AuditAction.VIEW, detail="looked")
            with pytest.raises(RuntimeError), database.write() as session:
                add_client(session, first_name="Bo", last_name="Ek")
                raise RuntimeError("rolled back")
            assert _wait(listener, 0.5) == 0  # a view, a rollback: nothing to refresh
        finally:
            listener.close()
            database.dispose()


def test_a_dropped_listening_connection_says_so() -> None:
    with fresh_postgres_url() as url:
        listener = ChangeListener(url)
        database = open_database(url)
        try:
            with database.engine.begin() as connection:
                connection.exec_driver_sql(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE query LIKE 'LISTEN%%' AND pid <> pg_backend_pid()"
                )
            # The farewell and the close may arrive apart: the socket turns readable for each,
            # as a window's socket notifier sees it.
            with pytest.raises(ListenerLostError):
                for _ in range(20):
                    _wait(listener, 0.5)
        finally:
            listener.close()
            database.dispose()
