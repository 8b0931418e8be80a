"""The cycle collector waits while the app starts and while workers run, and always comes back."""

from __future__ import annotations

import gc
from pathlib import Path

from massage_chart import collector
from massage_chart.cli import main
from tests.helpers.fresh_process import run_python


def test_the_start_pause_ends_once_and_waits_for_a_running_worker() -> None:
    assert gc.isenabled()
    collector.pause_for_start()
    collector.pause_for_start()  # once only
    assert not gc.isenabled()
    with collector.collector_paused():  # a worker starts while the app is starting
        collector.end_start()
        assert not gc.isenabled()  # the worker still holds it
    assert gc.isenabled()
    collector.end_start()  # again: nothing more to end
    assert gc.isenabled()


def test_a_command_runs_with_the_collector_on_and_leaves_it_on(tmp_path: Path) -> None:
    """A command's own work (a batch export, a demo build) can make garbage: the start-up pause
    ends before it begins."""
    database = tmp_path / "practice.db"
    script = (
        "import gc, sys\n"
        "from massage_chart.cli import main, safekeeping\n"
        "real = safekeeping._run_check\n"
        "def watched(args):\n"
        "    print('during:', gc.isenabled())\n"
        "    return real(args)\n"
        "safekeeping._run_check = watched\n"
        "code = main(['--db', sys.argv[1], 'demo', '--clients', '1'])\n"
        "code = code or main(['--db', sys.argv[1], 'check'])\n"
        "print('after:', gc.isenabled())\n"
        "sys.exit(code)\n"
    )
    result = run_python(script, str(database))
    assert result.returncode == 0, result.stderr
    assert "during: True" in result.stdout and "after: True" in result.stdout


def test_a_failing_start_leaves_the_collector_on(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("not a database", encoding="utf-8")
    assert main(["--db", str(not_a_database), "check"]) != 0
    assert gc.isenabled()


def test_what_start_up_set_aside_is_taken_back_for_a_replaced_window() -> None:
    """Encrypting, re-keying or restoring replaces the window: what was set aside with the old
    one (its database and passphrase among it) must be collectable again."""
    collector.set_aside_start_up()
    assert gc.get_freeze_count() > 0
    collector.take_back_start_up()
    assert gc.get_freeze_count() == 0
    collector.take_back_start_up()  # again: nothing more to take back
    assert gc.get_freeze_count() == 0
