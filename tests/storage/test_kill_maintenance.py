"""Kill -9 during each maintenance command: the database opens whole afterwards, no client is
lost, nothing is left in the clear, and running the same command again finishes the job.

Each command runs as the user would run it (the command line, in its own process) on a small
practice, and is killed at a random moment within the time an uninterrupted run takes, again and
again, each time on a fresh copy: ``KILLS_PER_COMMAND`` kills per command. After each kill the
database must open with all its clients, in the state before or after the command (never
between), and the same command run again must finish with a clean `check`.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from massage_chart.demo import seed_demo
from massage_chart.storage.chart_file import dumps_chart, export_chart
from massage_chart.storage.database import Database, head_revision, open_database
from massage_chart.storage.encryption import FileKind, file_kind
from massage_chart.storage.models import Client
from massage_chart.storage.safekeeping import check_database
from tests.helpers.schema import back_to_0016, charting_as_0016

ROOT = Path(__file__).resolve().parents[2]
# Kills per command; MASSAGE_CHART_KILLS raises it for a longer run.
KILLS_PER_COMMAND = int(os.environ.get("MASSAGE_CHART_KILLS", "4"))
OLD = "correct horse battery staple"
NEW = "a new and longer passphrase"

pytestmark = pytest.mark.slow


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "massage_chart", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child = _start(args, env or {})
    out, err = child.communicate(timeout=300)
    return subprocess.CompletedProcess(args, child.returncode, out, err)


def _timed(args: list[str], env: dict[str, str]) -> float:
    began = time.perf_counter()
    result = _run(args, env)
    assert result.returncode == 0, result.stderr
    return time.perf_counter() - began


def _kill_within(args: list[str], env: dict[str, str], seconds: float, rng: random.Random) -> int:
    """Start the command, kill it at a random moment of its run; its exit code, or -9."""
    child = _start(args, env)
    try:
        child.wait(timeout=rng.uniform(0.15, 1.0) * seconds)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
    child.communicate(timeout=30)
    return child.returncode


def _clients(path: Path, passphrase: str | None = None) -> int:
    database = open_database(str(path), passphrase=passphrase, upgrade=False)
    try:
        with database.read() as session:
            return int(session.scalar(select(func.count(Client.id))) or 0)
    finally:
        database.dispose()


def _opens(path: Path) -> str | None:
    """The passphrase the file opens with now (None: plain)."""
    if file_kind(path) is FileKind.PLAIN:
        return None
    for passphrase in (OLD, NEW):
        try:
            open_database(str(path), passphrase=passphrase, upgrade=False).dispose()
        except Exception:
            continue
        return passphrase
    raise AssertionError(f"{path} opens with neither passphrase: the kill lost it")


def _check_ok(path: Path, passphrase: str | None) -> None:
    database = open_database(str(path), passphrase=passphrase)
    try:
        report = check_database(database)
    finally:
        database.dispose()
    assert report.ok, report.problems


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """A small practice (8 clients with their visits, signed notes and backups)."""
    path = tmp_path / "seed" / "practice.db"
    path.parent.mkdir()
    database = open_database(str(path))
    try:
        with charting_as_0016():  # one run steps the file back to schema 0016
            seed_demo(database, clients=8)
    finally:
        database.dispose()
    return path


def _folder_copy(source: Path, target: Path) -> Path:
    """A copy of a practice's folder (the database and its backups); the copied database."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source.parent, target)
    return target / source.name


@dataclass
class Command:
    """One maintenance command, how to set a practice up for it, and what a kill may leave."""

    args: Callable[[Path], list[str]]
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] = lambda _path: None
    # The states a killed run may leave (each asserting the file opens with every client);
    # returns the state seen, and the passphrase it opens with.
    state: Callable[[Path], tuple[str, str | None]] = lambda path: ("plain", _plain(path))
    finished: str = "plain"


def _plain(path: Path) -> None:
    assert _opens(path) is None
    assert _clients(path) in (8, 11)


def _keyed(path: Path) -> tuple[str, str | None]:
    passphrase = _opens(path)
    assert _clients(path, passphrase) == 8
    return {None: "plain", OLD: "old key", NEW: "new key"}[passphrase], passphrase


def test_kill_during_each_maintenance_command_loses_nothing(practice: Path, tmp_path: Path) -> None:
    rng = random.Random(20261204)
    chart = _chart_of_three_others(tmp_path)
    commands = {
        "backup": Command(args=lambda p: ["backup", "--db", str(p)]),
        "encrypt": Command(
            args=lambda p: ["encrypt", "--db", str(p)],
            env={"MASSAGE_CHART_PASSPHRASE": OLD},
            state=_keyed,
            finished="old key",
        ),
        "change-passphrase": Command(
            args=lambda p: ["change-passphrase", "--db", str(p)],
            env={"MASSAGE_CHART_PASSPHRASE": OLD, "MASSAGE_CHART_NEW_PASSPHRASE": NEW},
            prepare=_encrypted,
            state=_keyed,
            finished="new key",
        ),
        "restore": Command(args=lambda p: ["restore", "--db", str(p), str(_a_backup(p))]),
        "import-json": Command(
            args=lambda p: ["import-json", "--db", str(p), str(chart)],
            state=lambda p: ({8: "before", 11: "after"}[_clients(p)], None),
            finished="after",
        ),
        "upgrade": Command(
            args=lambda p: ["backup", "--db", str(p)],
            prepare=_as_schema_0016,
            state=lambda p: (_schema(p), _plain(p)),
            finished=head_revision(),
        ),
    }
    figures: dict[str, dict[str, int]] = {}
    for name, command in commands.items():
        pristine = _folder_copy(practice, tmp_path / name / "pristine")
        _run(["backup", "--db", str(pristine)])  # backups to restore, encrypt and re-key
        command.prepare(pristine)
        trial = _folder_copy(pristine, tmp_path / name / "trial")
        seconds = _timed(command.args(trial), command.env)
        seen: dict[str, int] = {}
        for round_number in range(KILLS_PER_COMMAND):
            work = _folder_copy(pristine, tmp_path / name / f"round-{round_number}")
            code = _kill_within(command.args(work), command.env, seconds, rng)
            state, _passphrase = command.state(work)
            seen[state] = seen.get(state, 0) + 1
            seen["killed"] = seen.get("killed", 0) + (code == -9)
            # The same command again finishes what the kill cut short.
            again = _run(command.args(work), command.env)
            assert "Traceback" not in again.stderr, again.stderr
            state, passphrase = command.state(work)
            assert state == command.finished, (name, again.stderr)
            _check_ok(work, passphrase)
        figures[name] = seen
        assert seen.get("killed", 0) >= 1, f"no kill landed inside {name}: {seen}"
    print("kills per command, and the states they left:", figures)  # the figures, with -s


def _encrypted(path: Path) -> None:
    result = _run(["encrypt", "--db", str(path)], {"MASSAGE_CHART_PASSPHRASE": OLD})
    assert result.returncode == 0, result.stderr


def _a_backup(path: Path) -> Path:
    return sorted((path.parent / "backups").glob("*.db"))[0]


def _chart_of_three_others(tmp: Path) -> Path:
    elsewhere = open_database(str(tmp / "elsewhere" / "elsewhere.db"))
    try:
        seed_demo(elsewhere, clients=3, seed=7)
        with elsewhere.read() as session:
            ids = list(session.scalars(select(Client.id)))
            chart = tmp / "three.json"
            chart.write_text(dumps_chart(export_chart(session, ids)), encoding="utf-8")
    finally:
        elsewhere.dispose()
    return chart


def _as_schema_0016(path: Path) -> None:
    """The file as the previous schema left it (no seals yet): the next open upgrades it."""
    database = open_database(str(path))
    try:
        with database.engine.begin() as connection:
            back_to_0016(connection)
    finally:
        database.dispose()


def _schema(path: Path) -> str:
    database: Database = open_database(str(path), upgrade=False)
    try:
        with database.read() as session:
            return str(session.scalar(text("SELECT version_num FROM alembic_version")))
    finally:
        database.dispose()
