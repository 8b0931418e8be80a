"""Shared fixtures: headless Qt, an isolated user folder, and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from massage_chart.storage.database import Database, open_database
from tests.helpers.postgres import fresh_postgres_url


@pytest.fixture(autouse=True)
def isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point the user data and config folders at a temporary place; ignore MASSAGE_CHART_DB."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("MASSAGE_CHART_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's SQLite database file lives."""
    return tmp_path / "practice.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database in a temporary file."""
    database = open_database(str(db_path))
    yield database
    database.dispose()


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database (skipped when no server is reachable)."""
    with fresh_postgres_url() as url:
        database = open_database(url)
        try:
            yield database
        finally:
            database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest) -> Database:
    """The same test on SQLite and on PostgreSQL."""
    fixture = "db" if request.param == "sqlite" else "pg_db"
    return request.getfixturevalue(fixture)  # type: ignore[no-any-return]
