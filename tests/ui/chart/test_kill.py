"""Kill -9 right after marks are acknowledged: every acknowledged mark is there on restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from massage_chart.storage import marks as store
from massage_chart.storage.database import open_database
from tests.ui.chart.conftest import Course

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("wanted", [1, 7])
def test_a_killed_chart_keeps_every_acknowledged_mark(
    db_path: Path, course: Course, wanted: int
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.chart.kill_child", str(db_path), course.today_visit_id],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": "offscreen"},
    )
    assert child.stdout is not None
    acknowledged: list[str] = []
    try:
        while len(acknowledged) < wanted:
            line = child.stdout.readline()
            if not line:
                _, err = child.communicate(timeout=10)
                pytest.fail(f"the chart stopped on its own: {err}")
            acknowledged.append(line.strip())
        child.send_signal(signal.SIGKILL)
        rest, _ = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    acknowledged += rest.split()
    database = open_database(str(db_path))
    try:
        with database.read() as session:
            saved = {m.id for m in store.list_marks(session, course.today_visit_id)}
    finally:
        database.dispose()
    assert set(acknowledged) <= saved
