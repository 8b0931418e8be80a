"""Shared fixtures: headless Qt, an isolated user folder, and real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never reach the desktop's keyring: seal keys go to the key file in the test's own
# settings folder (tests/storage/test_seals.py gives the keyring tests a keyring of their own).
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
# Fixtures wider than one test (a module's shared database) run before each test's own folders
# are set up: they too keep to a temporary settings and data folder, never the user's.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="mc-tests-config-")
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="mc-tests-data-")

from collections.abc import Callable, Iterator
from pathlib import Path

import platformdirs
import pytest

from massage_chart.domain.icd10_table import INDEX_DIR_VARIABLE
from massage_chart.domain.presentation import Clock, use_clock
from massage_chart.storage.database import Database, open_database
from tests.helpers.postgres import fresh_postgres_url

for _variable in ("XDG_CONFIG_HOME", "XDG_DATA_HOME"):
    atexit.register(shutil.rmtree, os.environ[_variable], True)


@pytest.fixture(scope="session")
def shared_icd10_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the built ICD-10-CM index per test process, so it is built once, not per test."""
    return tmp_path_factory.mktemp("icd10-index")


@pytest.fixture(autouse=True)
def isolated_user_folders(
    shared_icd10_index_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """Point the user data and config folders at a temporary place; ignore MASSAGE_CHART_DB.

    On every platform: the XDG variables (Linux), HOME (macOS keeps its folders under
    ~/Library), APPDATA and LOCALAPPDATA (Windows) for child processes, and platformdirs'
    own answers in this process (on Windows it asks the shell, not the environment). The
    ICD-10-CM index is kept in one folder shared by the tests of this process and their
    child processes.
    """
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv(INDEX_DIR_VARIABLE, str(shared_icd10_index_dir))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("APPDATA", str(home / "config"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "data"))
    monkeypatch.delenv("MASSAGE_CHART_DB", raising=False)
    monkeypatch.delenv("MASSAGE_CHART_CONFIG", raising=False)
    for name, folder in (
        ("user_data_dir", "data"),
        ("user_config_dir", "config"),
        ("user_cache_dir", "cache"),
    ):
        monkeypatch.setattr(platformdirs, name, _folder_under(home / folder))
    return home


def _folder_under(base: Path) -> Callable[..., str]:
    def folder(appname: str | None = None, *_args: object, **_kwargs: object) -> str:
        return str(base / appname) if appname else str(base)

    return folder


@pytest.fixture(autouse=True)
def clock_of_the_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with times written on the environment's clock (24-hour under C), in UTC
    (whatever zone the computer running the tests is in; a test may move to another)."""
    if hasattr(time, "tzset"):  # not on Windows
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
    use_clock(Clock.AUTO)
    yield
    use_clock(Clock.AUTO)


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
