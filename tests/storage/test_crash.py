"""Kill -9 during a stream of saves: every acknowledged save survives, nothing is half-saved."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import save_loop

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50


def _run_and_kill(db_path: Path, start: int, rng: random.Random) -> list[int]:
    """Start the writer, let it acknowledge a few saves, kill it at a random moment."""
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.helpers.save_loop", str(db_path), str(start)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert child.stdout is not None
    acknowledged: list[int] = []
    wanted = rng.randint(1, 12)
    try:
        while len(acknowledged) < wanted:
            line = child.stdout.readline()
            if not line:
                _, err = child.communicate(timeout=10)
                pytest.fail(f"the writer stopped on its own: {err}")
            acknowledged.append(int(line))
        time.sleep(rng.uniform(0, 0.03))  # land the kill anywhere inside the next transaction
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    # Lines written before the kill count too: each was printed only after its commit.
    acknowledged.extend(int(line) for line in rest.split())
    return acknowledged


@pytest.mark.slow
def test_kill_9_never_loses_an_acknowledged_save(tmp_path: Path) -> None:
    db_path = tmp_path / "crash.db"
    rng = random.Random(1109)
    acknowledged: list[int] = []
    next_number = 0
    for _ in range(KILLS):
        acknowledged += _run_and_kill(db_path, next_number, rng)
        next_number = (
            max(acknowledged, default=-1) + 1000
        )  # numbers of unacknowledged saves skipped

        connection = sqlite3.connect(db_path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            saved = {
                int(name.split()[1])
                for (name,) in connection.execute("SELECT first_name FROM clients")
            }
            # No half-saved transaction: every client has its visit and all of its marks.
            partial = connection.execute(
                "SELECT c.first_name, count(m.id) FROM clients c"
                " LEFT JOIN visits v ON v.client_id = c.id"
                " LEFT JOIN marks m ON m.visit_id = v.id"
                " GROUP BY c.id HAVING count(m.id) != ?",
                (save_loop.MARKS_PER_SAVE,),
            ).fetchall()
        finally:
            connection.close()
        assert partial == []
        missing = set(acknowledged) - saved
        assert not missing, f"acknowledged saves lost after kill -9: {sorted(missing)[:10]}"
    assert len(acknowledged) >= KILLS
