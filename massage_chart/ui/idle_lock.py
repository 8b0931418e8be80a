"""The idle lock: after minutes without input the window hides client data behind an unlock screen."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.ui.style import error_text

# Every kind of event that means a person is at the keyboard, mouse, pen or screen.
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.TabletMove,
        QEvent.Type.NativeGesture,
    }
)
CHECK_INTERVAL_MS = 5_000
# Wrong answers beyond this many make the next try wait, doubling up to the cap.
FREE_ATTEMPTS = 3
MAX_DELAY_S = 60


class IdleWatcher(QObject):
    """Notices input anywhere in the application and says when none came for ``minutes``.

    It watches the application's top-level windows, where the platform delivers every key,
    click and touch, rather than every object: an application-wide filter in Python is called
    for each of the thousands of events a window makes while it is built and painted, and took
    a third of the time of opening a visit. A new window is watched once any window takes the
    focus (it usually takes it as it opens), and at the latest at the next check, a few seconds
    on: input missed before then cannot make a lock of minutes come early.

    Args:
        minutes: idle time before ``idle`` is emitted; 0 turns the watch off.
        clock: seconds from any fixed point (a seam for tests).

    Signals:
        idle(): nothing was typed, clicked or touched for the set time.
    """

    idle = Signal()

    def __init__(
        self,
        minutes: int,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._last_input = clock()
        self.minutes = 0
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._watching = False
        self.watch_windows()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._on_focus_window_changed)
            self._watching = True
        self.set_minutes(minutes)

    def set_minutes(self, minutes: int) -> None:
        """Change the idle time (0 turns the lock off); the wait starts again from now."""
        self.minutes = max(0, int(minutes))
        self._last_input = self._clock()
        if self.minutes:
            self._timer.start()
        else:
            self._timer.stop()

    def idle_seconds(self) -> float:
        """Seconds since the last input."""
        return self._clock() - self._last_input

    def touch(self) -> None:
        """Count now as input (after unlocking, say)."""
        self._last_input = self._clock()

    def check(self) -> bool:
        """Emit ``idle`` if the set time has passed without input; True when it did."""
        if self.minutes and self.idle_seconds() >= self.minutes * 60:
            self.idle.emit()
            return True
        return False

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self._timer.stop()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication) and self._watching:
            app.focusWindowChanged.disconnect(self._on_focus_window_changed)
            self._watching = False
        for window in QGuiApplication.topLevelWindows():
            window.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self._last_input = self._clock()
        return False

    def watch_windows(self) -> None:
        """Watch every top-level window, those opened since included (again: no change)."""
        # Installing a filter again only moves it to the front: nothing is watched twice.
        for window in QGuiApplication.topLevelWindows():
            window.installEventFilter(self)

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.watch_windows()
        self.check()

    @Slot(QWindow)
    def _on_focus_window_changed(self, _window: QWindow | None) -> None:
        self.watch_windows()


def retry_delay(failures: int) -> int:
    """Seconds to wait before the next unlock try after ``failures`` wrong answers in a row."""
    if failures < FREE_ATTEMPTS:
        return 0
    return min(MAX_DELAY_S, 2 ** (failures - FREE_ATTEMPTS + 1))


class LockScreen(QWidget):
    """What the window shows while locked: no client data, a password field and Unlock.

    Args:
        needs_secret: whether unlocking asks for the passphrase or unlock password; without one
            the screen still hides the records, and says how to make it ask.
        secret_name: what to call the secret ("database passphrase", "unlock password").

    Signals:
        unlock_requested(str): the user asked to unlock with what they typed.
    """

    unlock_requested = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        needs_secret: bool = False,
        secret_name: str = "unlock password",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self._clock = clock
        self._wait_until = 0.0
        self.needs_secret = needs_secret

        card = QFrame()
        card.setObjectName("lockCard")
        card.setStyleSheet(
            "#lockCard { background: palette(base); border: 1px solid palette(mid);"
            " border-radius: 10px; }"
        )
        title = QLabel("Massage Chart is locked")
        title.setObjectName("lockTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.secret_field = QLineEdit()
        self.secret_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_field.setAccessibleName(secret_name.capitalize())
        self.secret_field.setPlaceholderText(secret_name.capitalize())
        self.secret_field.setMinimumWidth(280)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.setAutoDefault(True)
        self.message = QLabel()
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        error_text(self.message)
        self.message.setAccessibleName("Unlock problem")
        self.message.hide()

        row = QHBoxLayout()
        row.addWidget(self.secret_field, 1)
        row.addWidget(self.unlock_button)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(self.explanation)
        inner.addLayout(row)
        inner.addWidget(self.message)
        card.setMaximumWidth(520)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(card, 2)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)

        self._delay_timer = QTimer(self)
        self._delay_timer.setInterval(1000)
        self._delay_timer.timeout.connect(self._on_delay_timer_timeout)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.secret_field.returnPressed.connect(self._on_unlock_button_clicked)
        self.set_needs_secret(needs_secret, secret_name)

    def set_needs_secret(self, needs_secret: bool, secret_name: str = "unlock password") -> None:
        """Ask for a secret (or not) from the next lock on."""
        self.needs_secret = needs_secret
        self.secret_field.setVisible(needs_secret)
        self.secret_field.setPlaceholderText(secret_name.capitalize())
        self.secret_field.setAccessibleName(secret_name.capitalize())
        if needs_secret:
            self.explanation.setText(
                "Client records are hidden while you are away. Anything you were typing is kept "
                f"and comes back when you unlock.\n\nEnter the {secret_name} to unlock."
            )
        else:
            self.explanation.setText(
                "Client records are hidden while you are away. Anything you were typing is kept "
                "and comes back when you unlock.\n\nSet an unlock password in Settings › "
                "Security (or encrypt the database) so that only you can unlock."
            )

    def reset(self) -> None:
        """Clear what was typed and any message (each time the window locks)."""
        self.secret_field.clear()
        self.message.hide()
        self.message.clear()
        if self.needs_secret:
            self.secret_field.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.unlock_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def refuse(self, failures: int) -> None:
        """Say the secret was wrong, and make the next try wait after repeated failures."""
        self.secret_field.clear()
        self.secret_field.setFocus(Qt.FocusReason.OtherFocusReason)
        delay = retry_delay(failures)
        if delay:
            self._wait_until = self._clock() + delay
            self._delay_timer.start()
            self._on_delay_timer_timeout()
        else:
            self._show(f"That is not the right {self._secret_name()}. Try again.")

    def _secret_name(self) -> str:
        return self.secret_field.accessibleName().lower() or "unlock password"

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def waiting(self) -> bool:
        """Whether a wrong-answer delay is still running."""
        return self._clock() < self._wait_until

    @Slot()
    def _on_delay_timer_timeout(self) -> None:
        remaining = int(self._wait_until - self._clock() + 0.999)
        if remaining > 0:
            self.unlock_button.setEnabled(False)
            self.secret_field.setEnabled(False)
            self._show(
                f"That is not the right {self._secret_name()}. After several wrong tries, "
                f"wait {remaining} s before the next one. Each try is written in the audit log."
            )
            return
        self._delay_timer.stop()
        self.unlock_button.setEnabled(True)
        self.secret_field.setEnabled(True)
        self.secret_field.clear()
        self.secret_field.setFocus(Qt.FocusReason.OtherFocusReason)
        self._show(f"You can try the {self._secret_name()} again.")

    @Slot()
    def _on_unlock_button_clicked(self) -> None:
        if self.waiting():
            return
        self.unlock_requested.emit(self.secret_field.text())
