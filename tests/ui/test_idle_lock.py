"""The idle lock: records hidden after idle minutes, drafts kept, wrong secrets audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from massage_chart.domain.secrets import hash_password, verify_password
from massage_chart.storage.database import Database
from massage_chart.storage.models import AuditEvent
from massage_chart.storage.repositories import get_visit
from massage_chart.ui.idle_lock import IdleWatcher, retry_delay
from massage_chart.ui.main_window import MainWindow
from tests.ui.conftest import NOW, TODAY, SmallPractice, type_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

STORED = hash_password("lavender-42")


class FakeClock:
    """Seconds that pass only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def locking_window(qtbot: QtBot, db: Database, practice: SmallPractice) -> Iterator[MainWindow]:
    window = MainWindow(
        db,
        today=lambda: TODAY,
        now=lambda: NOW,
        backup_on_close=False,
        lock_minutes=10,
        unlock_check=lambda secret: verify_password(secret, STORED),
    )
    qtbot.addWidget(window)
    window.resize(1366, 728)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window.document.undo_stack.clear()


def _text_on_screen(window: MainWindow) -> str:
    """Every label and cell a passer-by could read in the main window as it is shown."""
    texts = [
        label.text() for label in window.findChildren(QLabel) if label.isVisible() and label.text()
    ]
    for view in window.findChildren(QAbstractItemView):
        if not view.isVisible():
            continue
        model = view.model()
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                texts.append(str(model.index(row, column).data()))
    return "\n".join(texts) + window.windowTitle()


def test_the_watcher_fires_after_the_idle_minutes_and_input_restarts_the_wait(
    qtbot: QtBot,
) -> None:
    clock = FakeClock()
    watcher = IdleWatcher(10, clock=clock)
    fired: list[bool] = []
    watcher.idle.connect(lambda: fired.append(True))

    clock.now += 9 * 60
    assert not watcher.check()
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    qtbot.waitExposed(field)
    watcher.watch_windows()  # as the next check does, if the new window did not take the focus
    window = field.windowHandle()
    # A key pressed in any window counts as being there: the platform gives it to the window.
    QTest.keyClick(window, Qt.Key.Key_A)
    assert field.text() == "a"
    clock.now += 9 * 60
    assert not watcher.check()
    clock.now += 61
    assert watcher.check()
    assert fired == [True]

    watcher.set_minutes(0)  # never
    clock.now += 10_000
    assert not watcher.check()
    watcher.stop()


def test_input_in_a_window_opened_later_counts_and_other_events_do_not(qtbot: QtBot) -> None:
    clock = FakeClock()
    watcher = IdleWatcher(10, clock=clock)
    later = QLineEdit()  # a dialog or a visit window, opened after the watch began
    qtbot.addWidget(later)
    later.show()
    qtbot.waitExposed(later)
    watcher.watch_windows()  # as the next check does, if the new window did not take the focus
    clock.now += 9 * 60
    later.resize(300, 40)  # the window's own events are not a person
    later.repaint()
    QApplication.processEvents()
    assert watcher.idle_seconds() == 9 * 60

    QTest.mouseClick(later.windowHandle(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))

    assert watcher.idle_seconds() == 0
    watcher.stop()


def test_idle_time_locks_the_window_and_hides_every_client_name(
    qtbot: QtBot, locking_window: MainWindow
) -> None:
    window = locking_window
    assert "Nguyễn, Zoë" in _text_on_screen(window)
    window.idle_watcher.set_minutes(1)
    window.idle_watcher._last_input -= 61  # a minute and a second without input

    assert window.idle_watcher.check()

    assert window.locked
    shown = _text_on_screen(window)
    for name in ("Zoë", "Nguyễn", "Дмитрий", "Harbor Street"):
        assert name not in shown
    assert window.windowTitle() == "Massage Chart — locked"
    assert not window.menuBar().isVisible()
    assert not window.new_client_action.isEnabled()
    assert not window.chart_action.isEnabled()
    assert window.lock_screen.secret_field.isVisible()


def test_a_wrong_password_is_refused_and_audited_and_the_right_one_unlocks(
    qtbot: QtBot, locking_window: MainWindow, db: Database
) -> None:
    window = locking_window
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked

    type_text(window.lock_screen.secret_field, "lavender-41")
    qtbot.keyClick(window.lock_screen.secret_field, Qt.Key.Key_Return)

    assert window.locked
    assert "not the right" in window.lock_screen.message.text()
    assert window.lock_screen.secret_field.text() == ""
    with db.read() as session:
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "failed_unlock")
        ).all()
    assert len(failed) == 1
    assert "idle lock" in failed[0].detail

    type_text(window.lock_screen.secret_field, "lavender-42")
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton)

    assert not window.locked
    assert "Nguyễn, Zoë" in _text_on_screen(window)
    assert window.new_client_action.isEnabled()
    assert window.menuBar().isVisible()
    assert window.windowTitle().startswith("Harbor Street Massage")


def test_repeated_wrong_answers_make_the_next_try_wait() -> None:
    assert [retry_delay(n) for n in range(1, 10)] == [0, 0, 2, 4, 8, 16, 32, 60, 60]


def test_after_three_wrong_tries_the_unlock_button_waits(
    qtbot: QtBot, locking_window: MainWindow
) -> None:
    window = locking_window
    window.lock()
    for _ in range(3):
        window.unlock("wrong-wrong")
    assert not window.lock_screen.unlock_button.isEnabled()
    assert "wait 2 s" in window.lock_screen.message.text()
    window.lock_screen.secret_field.setText("lavender-42")
    window.lock_screen.secret_field.returnPressed.emit()  # Enter while waiting does nothing
    assert window.locked
    qtbot.waitUntil(window.lock_screen.unlock_button.isEnabled, timeout=4000)
    type_text(window.lock_screen.secret_field, "lavender-42")
    qtbot.keyClick(window.lock_screen.secret_field, Qt.Key.Key_Return)
    assert not window.locked


def test_a_note_being_typed_is_saved_hidden_and_back_after_unlocking(
    qtbot: QtBot, locking_window: MainWindow, db: Database, practice: SmallPractice
) -> None:
    window = locking_window
    editor = window.open_note_editor(practice.zoe_second_visit_id)
    assert editor is not None
    qtbot.waitExposed(editor)
    editor.plan.setFocus()
    type_text(editor.plan, "Heat 15 min twice daily")

    window.lock()

    assert not editor.isVisible()
    with db.read() as session:  # the lock saved what was typed
        assert "Heat 15 min twice daily" in get_visit(session, practice.zoe_second_visit_id).plan
    assert window.unlock("lavender-42")
    assert editor.isVisible()
    assert editor.plan.toPlainText().endswith("Heat 15 min twice daily")


def test_without_a_secret_the_lock_still_hides_records_and_says_how_to_guard_it(
    qtbot: QtBot, db: Database, practice: SmallPractice
) -> None:
    window = MainWindow(db, today=lambda: TODAY, now=lambda: NOW, backup_on_close=False)
    qtbot.addWidget(window)
    window.show()
    window.lock()
    assert not window.lock_screen.secret_field.isVisible()
    assert "Settings" in window.lock_screen.explanation.text()
    assert "Nguyễn" not in _text_on_screen(window)
    qtbot.mouseClick(window.lock_screen.unlock_button, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert not window.locked
