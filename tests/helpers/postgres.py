"""A throwaway PostgreSQL database per test, or a clear skip when no server is reachable."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

ENV_PG = "MASSAGE_CHART_TEST_PG"
DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def admin_url() -> str:
    """The maintenance database used to create and drop test databases."""
    return os.environ.get(ENV_PG, DEFAULT_ADMIN_URL)


@contextlib.contextmanager
def fresh_postgres_url() -> Iterator[str]:
    """Create an empty database, yield its URL, and drop it afterwards."""
    admin = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    name = f"mc_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") and os.environ.get("MASSAGE_CHART_REQUIRE_PG"):
            raise
        pytest.skip(f"no PostgreSQL server reachable at {admin_url()} ({exc.orig})")
    try:
        yield make_url(admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analysed_tables(session: Session, tables: Sequence[str]) -> list[str]:
    """Which of these tables the server has gathered planner statistics for (ANALYZE), sorted."""
    return sorted(
        session.execute(
            text(
                "SELECT relname FROM pg_stat_user_tables"
                " WHERE last_analyze IS NOT NULL AND relname = ANY(:tables)"
            ),
            {"tables": list(tables)},
        ).scalars()
    )
