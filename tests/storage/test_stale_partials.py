"""A killed backup's plaintext ``.partial`` file is removed at rotation; one being written is not."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from massage_chart.storage.backup import STALE_PARTIAL, new_backup_path, rotate_backups


def _partial(folder: Path, database_file: Path, when: dt.datetime) -> Path:
    path = new_backup_path(folder, database_file, "auto", when)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(b"SQLite format 3\x00plaintext client names")
    return partial


def test_rotation_removes_a_killed_backups_partial_and_keeps_one_being_written(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    database_file = tmp_path / "practice.db"
    killed = _partial(folder, database_file, dt.datetime(2026, 11, 1, 9, 0, 0))
    old = (dt.datetime.now() - STALE_PARTIAL - dt.timedelta(minutes=1)).timestamp()
    os.utime(killed, (old, old))
    writing = _partial(folder, database_file, dt.datetime(2026, 11, 2, 9, 0, 0))
    another_database = _partial(folder, tmp_path / "other.db", dt.datetime(2026, 11, 1, 9, 0, 0))
    os.utime(another_database, (old, old))
    users_file = folder / "notes.txt.partial"
    users_file.write_text("mine")
    os.utime(users_file, (old, old))

    removed = rotate_backups(folder, database_file)

    assert removed == [killed]
    assert not killed.exists()
    assert writing.exists()
    assert another_database.exists()
    assert users_file.exists()
