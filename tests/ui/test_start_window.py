"""The start window: drawn before the records open, then replaced by the main window in its place,
with what was typed into its search field meanwhile; closing it while the records open quits."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSize, Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from massage_chart.storage.database import Database, open_database
from massage_chart.storage.repositories import add_client
from massage_chart.ui import app as app_module
from massage_chart.ui import opening
from massage_chart.ui.app import run_app
from massage_chart.ui.main_window import MainWindow
from massage_chart.ui.start_window import SEARCH_PLACEHOLDER, StartWindow, window_size
from tests.ui.conftest import type_text


def _visible_start_window() -> StartWindow:
    (start,) = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, StartWindow) and w.isVisible()
    ]
    return start


def _while_opening(
    monkeypatch: pytest.MonkeyPatch, act: Callable[[StartWindow], None]
) -> list[StartWindow]:
    """Do ``act`` to the start window while the records open (the start window is up then)."""
    seen: list[StartWindow] = []
    real_open = opening._open_at_start

    def open_and_act(
        url: str | None, user: str | None = None, start: StartWindow | None = None
    ) -> Database | None:
        assert start is _visible_start_window()
        assert start.painted  # drawn before anything of the records is opened
        seen.append(start)
        act(start)
        return real_open(url, user, start)

    monkeypatch.setattr(opening, "_open_at_start", open_and_act)
    return seen


def _seed(db_path: Path) -> None:
    database = open_database(str(db_path))
    with database.write() as session:
        add_client(session, first_name="Maria", last_name="Okafor")
        add_client(session, first_name="Dana", last_name="Whitfield")
    database.dispose()


def test_it_looks_like_the_main_window_frame(qtbot: QtBot) -> None:
    start = StartWindow()
    qtbot.addWidget(start)
    start.show_and_wait_for_paint()

    assert start.painted
    assert start.windowTitle() == "Massage Chart"
    assert start.search_field.placeholderText() == SEARCH_PLACEHOLDER
    assert start.status.text() == "Opening the records…"
    assert start.size() == window_size(start.screen().availableGeometry().size())


def test_what_is_typed_while_the_records_open_is_searched_in_the_main_window(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    _seed(db_path)

    def type_and_move(start: StartWindow) -> None:
        start.resize(QSize(1000, 640))
        start.move(QPoint(40, 30))
        type_text(start.search_field, "okaf")

    started = _while_opening(monkeypatch, type_and_move)
    found: list[tuple[str, list[str], QSize, QPoint]] = []

    def look_instead_of_looping(_app: QApplication) -> int:
        (window,) = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        panel = window.client_panel
        qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
        names = [
            panel.model.index(row, 0).data(Qt.ItemDataRole.DisplayRole)
            for row in range(panel.model.rowCount())
        ]
        found.append((panel.search_field.text(), names, window.size(), window.pos()))
        return 0

    monkeypatch.setattr(QApplication, "exec", look_instead_of_looping)

    assert run_app(str(db_path), []) == 0

    assert len(started) == 1
    ((typed, names, size, position),) = found
    assert typed == "okaf"
    assert names == ["Okafor, Maria"]
    assert size == QSize(1000, 640)  # in the start window's place
    assert position == QPoint(40, 30)


def test_closing_the_start_window_while_the_records_open_quits_without_the_main_window(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(db_path)
    _while_opening(monkeypatch, lambda start: start.close())
    looped: list[bool] = []

    def loop(_app: QApplication) -> int:
        looped.append(True)
        return 0

    monkeypatch.setattr(QApplication, "exec", loop)

    assert run_app(str(db_path), []) == 0

    assert looped == []
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    # The file was let go of: a restore from the command line may take it.
    database = open_database(str(db_path))
    database.dispose()


def test_a_database_that_cannot_be_opened_leaves_no_start_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_bytes(b"These are my notes, not a database. " * 200)
    told: list[str] = []
    monkeypatch.setattr(opening, "_tell_cannot_open", told.append)

    assert run_app(str(not_a_database), []) == 1

    assert told and "not a Massage Chart database" in told[0]
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_the_start_window_takes_typing_while_the_records_layer_loads(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The records layer loads on a worker thread: the window's events go on meanwhile."""
    (tmp_path / "slow_records_layer.py").write_text(
        "import time\ntime.sleep(0.5)\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(app_module, "RECORDS_LAYER", ("slow_records_layer",))
    start = StartWindow()
    qtbot.addWidget(start)
    start.show_and_wait_for_paint()
    typed_while_loading: list[bool] = []

    def type_now() -> None:
        type_text(start.search_field, "dana")
        typed_while_loading.append(
            any(t.name == "load the records layer" for t in threading.enumerate())
        )

    QTimer.singleShot(50, type_now)
    app_module._load_records_layer(start)

    assert typed_while_loading == [True]
    assert start.search_field.text() == "dana"
    assert "slow_records_layer" in sys.modules
    assert not any(t.name == "load the records layer" for t in threading.enumerate())


def test_a_module_that_fails_to_load_ahead_is_left_for_the_window_to_meet(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_records_layer.py").write_text(
        "raise OSError(28, 'No space left on device')\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(app_module, "RECORDS_LAYER", ("broken_records_layer",))

    start = StartWindow()
    qtbot.addWidget(start)

    app_module._load_records_layer(start)  # no exception here: the opening meets it and words it

    assert "broken_records_layer" not in sys.modules


def test_work_beside_the_start_window_leaves_it_responsive_and_says_how_far_it_is(
    qtbot: QtBot,
) -> None:
    """The work runs on a worker: it waits here for a timer of the window's own event loop,
    which could not fire if the window's thread were the one working."""
    start = StartWindow()
    qtbot.addWidget(start)
    start.show_and_wait_for_paint()
    loop_ran = threading.Event()
    shown: list[str] = []
    QTimer.singleShot(30, loop_ran.set)

    def work() -> None:
        assert loop_ran.wait(5)

    def progress() -> str:
        shown.append(start.status.text())
        return "Half way"

    assert start.run_beside(work, name="beside", progress=progress)
    assert start.status.text() == "Half way"
    assert shown[0] == "Opening the records…"


def test_what_the_work_beside_the_start_window_raised_is_raised_on_its_thread(
    qtbot: QtBot,
) -> None:
    start = StartWindow()
    qtbot.addWidget(start)

    def work() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        start.run_beside(work, name="beside")


def test_notes_signed_before_seals_are_sealed_beside_the_start_window(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first start of this version on an older file seals its signed notes on a worker
    (minutes on a ten-year practice), the start window counting them, before the main window."""
    from massage_chart.storage.database import needs_first_sealing
    from tests.export.conftest import make_visit
    from tests.helpers.schema import back_to_0016, charting_as_0016

    database = open_database(str(db_path))
    with charting_as_0016():
        make_visit(database)
    with database.engine.begin() as connection:
        back_to_0016(connection)
    database.dispose()
    said: list[str] = []
    real_run_beside = StartWindow.run_beside

    def run_beside_noting(self: StartWindow, work: Callable[[], object], **kwargs: Any) -> bool:
        progress = kwargs.pop("progress", None)

        def noting() -> str:
            text = progress() if progress is not None else ""
            said.append(text)
            return text

        return real_run_beside(self, work, progress=noting, **kwargs)

    monkeypatch.setattr(StartWindow, "run_beside", run_beside_noting)
    windows: list[bool] = []

    def look_instead_of_looping(_app: QApplication) -> int:
        windows.append(any(isinstance(w, MainWindow) for w in QApplication.topLevelWidgets()))
        return 0

    monkeypatch.setattr(QApplication, "exec", look_instead_of_looping)

    assert run_app(str(db_path), []) == 0

    assert said and said[-1] == "Sealing the notes signed before this update (once): 1 of 1…"
    assert windows == [True]
    reopened = open_database(str(db_path), seal=False)
    try:
        assert not needs_first_sealing(reopened)
    finally:
        reopened.dispose()


def test_the_database_opens_beside_the_start_window(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade backs the file up first, a server may be slow to answer: the opening runs on a
    worker, the start window responsive meanwhile."""
    _seed(db_path)
    opened_on: list[str] = []
    real_open_database = opening.open_database

    def open_noting_the_thread(url: str | None, **options: Any) -> Database:
        opened_on.append(threading.current_thread().name)
        return real_open_database(url, **options)

    monkeypatch.setattr(opening, "open_database", open_noting_the_thread)
    monkeypatch.setattr(QApplication, "exec", lambda _app: 0)

    assert run_app(str(db_path), []) == 0

    assert opened_on == ["open the records"]


def test_closing_the_start_window_ends_the_wait_and_the_work_is_told(qtbot: QtBot) -> None:
    """Work beside the window looks at ``abandoned`` and stops; the window waits for it that
    long at most, and starts nothing more once closed."""
    start = StartWindow()
    qtbot.addWidget(start)
    start.show_and_wait_for_paint()
    stopped = threading.Event()

    def work() -> None:
        while not start.abandoned:
            threading.Event().wait(0.01)
        stopped.set()

    QTimer.singleShot(50, start.close)

    assert not start.run_beside(work, name="beside", after_close=5.0)
    assert stopped.is_set()  # waited for, not left running
    assert not start.run_beside(lambda: None, name="after")  # nothing more once closed


def test_closing_the_start_window_while_notes_are_sealed_rolls_the_sealing_back(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quit during the first sealing: it stops at its next batch, nothing of it is kept, no
    main window shows, and the next start seals again."""
    from massage_chart.storage import signing
    from massage_chart.storage.database import needs_first_sealing
    from massage_chart.storage.models import Seal
    from tests.export.conftest import VisitSpec, make_visit
    from tests.helpers.schema import back_to_0016, charting_as_0016

    monkeypatch.setattr(signing, "SIGNED_BATCH", 1)
    database = open_database(str(db_path))
    with charting_as_0016():
        for name in ("Ana", "Bo", "Cy"):
            make_visit(database, VisitSpec(first_name=name))
    with database.engine.begin() as connection:
        back_to_0016(connection)
    database.dispose()
    real_run_beside = StartWindow.run_beside

    def close_while_sealing(self: StartWindow, work: Callable[[], object], **kwargs: Any) -> bool:
        if kwargs.get("name") != "first sealing":
            return real_run_beside(self, work, **kwargs)
        closed = threading.Event()

        def after_the_close() -> None:
            closed.wait(5)
            work()

        def close() -> None:
            self.close()
            closed.set()

        QTimer.singleShot(0, close)
        return real_run_beside(self, after_the_close, **kwargs)

    monkeypatch.setattr(StartWindow, "run_beside", close_while_sealing)
    looped: list[bool] = []
    monkeypatch.setattr(QApplication, "exec", lambda _app: looped.append(True) or 0)

    assert run_app(str(db_path), []) == 0

    assert looped == []
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    reopened = open_database(str(db_path), seal=False)
    try:
        assert needs_first_sealing(reopened)
        with reopened.read() as session:
            assert session.query(Seal).count() == 0
    finally:
        reopened.dispose()
