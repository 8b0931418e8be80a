"""The daily maintenance run keeps going, and keeps its backup, when the window that started it
is closed and deleted before it ends: no exception escapes the worker thread."""

from __future__ import annotations

import shiboken6

from massage_chart.storage.backup import list_backups
from massage_chart.storage.database import Database
from massage_chart.ui.background_checks import MaintenanceRunner


def test_a_run_whose_window_is_gone_keeps_its_backup_and_raises_nothing(db: Database) -> None:
    assert db.file is not None and db.backup_dir is not None
    runner = MaintenanceRunner(db)
    run = runner._run  # the worker's own function, as the thread holds it
    shiboken6.delete(runner)  # the window closed and its objects deleted meanwhile
    run()  # each result's emit meets a deleted object: said in the log, never raised
    assert len(list_backups(db.backup_dir, db.file)) == 1
