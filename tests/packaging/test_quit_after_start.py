"""``massage-chart --quit-after-start``: the window opens on the database, paints, and exits 0."""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Sequence
from pathlib import Path

from tests.helpers.fresh_process import run_app, run_python


def run_start(
    database: Path, *options: str, before: str = "", after: str = ""
) -> subprocess.CompletedProcess[str]:
    """The app's ``main`` on ``database`` with ``options``, in a fresh process: the script lines
    ``before`` run ahead of it (the app not yet imported) and ``after`` once it has returned (its
    exit code in ``code``); the process then exits with that code."""
    arguments = ["--db", str(database), *options]
    script = (
        f"import sys\n{before}"
        "from massage_chart.cli import main\n"
        f"code = main({arguments!r})\n"
        f"{after}"
        "sys.exit(code)\n"
    )
    return run_python(script)


def print_loaded(modules: Sequence[str]) -> str:
    """A script line printing which of these modules are loaded ("loaded: [...]")."""
    return f"print('loaded:', [m for m in {tuple(modules)!r} if m in sys.modules])\n"


def test_the_window_opens_on_the_chosen_database_and_the_app_exits_0(tmp_path: Path) -> None:
    database = tmp_path / "practice.db"
    result = run_app("--db", str(database), "--quit-after-start")

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    connection = sqlite3.connect(database)
    try:  # the window's database was created and brought up to date
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        connection.close()


def test_the_options_are_listed_in_the_help() -> None:
    from massage_chart.cli import build_parser

    help_text = build_parser().format_help()
    assert "--quit-after-start" in help_text
    assert "--quit-after-first-paint" in help_text


def test_the_first_window_is_drawn_before_any_of_the_storage_layer_loads(tmp_path: Path) -> None:
    """A window is on screen about as soon as a bare Qt window: SQLAlchemy, the models and the
    main window's modules load after the start window's first paint, and the database is not
    touched before it."""
    database = tmp_path / "practice.db"
    early = (
        "sqlalchemy",
        "massage_chart.storage.database",
        "massage_chart.storage.models",
        "massage_chart.domain.visit_record",
        "massage_chart.ui.main_window",
        "massage_chart.ui.opening",
    )
    result = run_start(database, "--quit-after-first-paint", after=print_loaded(early))

    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stdout
    assert not database.exists()


def test_opening_the_window_leaves_the_heavy_checkers_unloaded(tmp_path: Path) -> None:
    """The shipped rules and measures are checked by the suite, not at every start; the
    ICD-10-CM library loads only when a code is looked up; the PDF library, the plots, the
    dialogs (the welcome and the settings too), the note editor, the documents, printing and
    the pain maps load when first used (the progress dialog alone brings QtCharts
    and reportlab)."""
    database = tmp_path / "practice.db"
    # Clients with health histories: the list reads their alerts.
    seeded = run_app("demo", "--db", str(database), "--clients", "3")
    assert seeded.returncode == 0, seeded.stderr
    heavy = (
        "jsonschema",
        "simple_icd_10_cm",
        "reportlab",
        "PySide6.QtCharts",
        "massage_chart.ui.progress.progress_dialog",
        "massage_chart.ui.record.record_dialog",
        "massage_chart.ui.people_dialog",
        "massage_chart.ui.help",
        "massage_chart.ui.note.editor",
        "massage_chart.export.service",
        "massage_chart.export.snapshot",
        "massage_chart.export.batch",
        "massage_chart.ui.print_preview",
        "PySide6.QtPdf",
        "PySide6.QtPrintSupport",
        "massage_chart.ui.welcome",
        "massage_chart.ui.settings.dialog",
        "massage_chart.storage.pain_maps",
    )
    result = run_start(database, "--quit-after-start", after=print_loaded(heavy))
    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stdout


def test_the_collector_runs_again_once_the_window_is_drawn(tmp_path: Path) -> None:
    """Start-up pauses the cycle collector; the window's first paint ends the pause (a whole
    working day without collection would let memory grow), not only the app's exit."""
    watch = (
        "from massage_chart import collector\n"
        "real = collector.end_start\n"
        "callers = []\n"
        "def watched():\n"
        "    callers.append(sys._getframe(1).f_code.co_name)\n"
        "    real()\n"
        "collector.end_start = watched\n"
    )
    result = run_start(
        tmp_path / "practice.db",
        "--quit-after-start",
        before=watch,
        after="print('ended from:', callers)\n",
    )
    assert result.returncode == 0, result.stderr
    ended_from = result.stdout.split("ended from:")[1]
    assert "_end_start" in ended_from  # at the window's first paint, before the app quit


def test_what_start_up_built_is_kept_out_of_later_collections(tmp_path: Path) -> None:
    """Once the window is drawn, the objects start-up made (modules, mappers, atlas, window) are
    set aside: a full collection while the therapist works scans only what came after."""
    result = run_start(
        tmp_path / "practice.db",
        "--quit-after-start",
        before="import gc\nfrozen_before = gc.get_freeze_count()\n",
        after="print('set aside:', gc.get_freeze_count() - frozen_before,"
        " 'collecting:', gc.isenabled())\n",
    )
    assert result.returncode == 0, result.stderr
    words = result.stdout.split("set aside:")[1].split()
    assert int(words[0]) > 50_000
    assert words[1:] == ["collecting:", "True"]


def test_the_collector_comes_back_while_a_sign_in_is_waited_for(tmp_path: Path) -> None:
    """A passphrase or a clinic's sign-in may be waited for long before the window paints: the
    start-up pause of the collector ends after a bound even so."""
    waiting = (
        "import gc\n"
        "from PySide6.QtCore import QEventLoop, QTimer\n"
        "from massage_chart.ui import opening\n"
        "opening.COLLECTOR_PAUSE_MOST_MS = 100\n"
        "def waited_for(url, user=None, start=None):\n"
        "    print('paused at first:', not gc.isenabled())\n"
        "    loop = QEventLoop()\n"
        "    QTimer.singleShot(600, loop.quit)\n"
        "    loop.exec()  # as a dialog waits\n"
        "    print('collecting after the wait:', gc.isenabled())\n"
        "    return None  # then the user quit\n"
        "opening._open_at_start = waited_for\n"
    )
    result = run_start(tmp_path / "practice.db", before=waiting)

    assert result.returncode == 0, result.stderr
    assert "paused at first: True" in result.stdout
    assert "collecting after the wait: True" in result.stdout


def test_the_keyring_library_is_loaded_ahead_off_the_window_thread(tmp_path: Path) -> None:
    """Signed notes are checked with this computer's seal keys, which may be kept in the
    keyring; loading the keyring library takes a few hundred milliseconds the first time: a
    worker does it once the window is drawn (reading no key), so opening the first signed note
    does not wait for it."""
    database = tmp_path / "practice.db"
    seeded = run_app("demo", "--db", str(database), "--clients", "1")  # sealed when created
    assert seeded.returncode == 0, seeded.stderr
    watch = (
        "import threading\n"
        "import importlib.abc\n"
        "imported_on = []\n"
        "class Watch(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'keyring':\n"
        "            imported_on.append(threading.current_thread().name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Watch())\n"
    )
    wait = (
        "for thread in threading.enumerate():\n"
        "    if thread.name == 'seal-keys':\n"
        "        thread.join(60)\n"
        "print('keyring imported on:', imported_on)\n"
    )
    result = run_start(database, "--quit-after-start", before=watch, after=wait)
    assert result.returncode == 0, result.stderr
    assert "keyring imported on: ['seal-keys']" in result.stdout
