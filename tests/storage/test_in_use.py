"""A restore cannot pull the database from under a window that has it open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from massage_chart.storage.database import Database
from massage_chart.storage.in_use import DatabaseInUseError, InUse, alone
from massage_chart.storage.repositories import add_client
from massage_chart.storage.safekeeping import backup_now


def test_windows_share_a_database_and_a_restore_needs_it_alone(tmp_path: Path) -> None:
    file = tmp_path / "practice.db"
    first, second = InUse(file), InUse(file)
    first.share()
    second.share()  # two windows may have one file open
    with pytest.raises(DatabaseInUseError, match="open in a window"), alone(file):
        pass
    first.release()
    second.release()
    with alone(file), pytest.raises(DatabaseInUseError, match="being restored"):
        InUse(file).share()


def test_the_command_line_refuses_to_restore_while_a_window_has_the_file(
    db: Database, db_path: Path
) -> None:
    with db.write() as session:
        add_client(session, first_name="Ana", last_name="Silva")
    backup = backup_now(db)
    window = InUse(db_path)
    window.share()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "massage_chart", "restore", "--db", str(db_path), str(backup)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            check=False,
        )
    finally:
        window.release()
    assert result.returncode == 1
    assert "open in a window" in result.stderr
    assert not list(db_path.parent.glob("*.replaced-*"))
