"""The safety-alerts banner: alerts by tier in plain words, with overrides and clearances."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain import limits
from massage_chart.domain.alerts import Alert, AlertTier, TreatmentWarning, WarningLevel


@dataclass(frozen=True)
class TierLook:
    """How one tier is drawn: a symbol, a background and an accent colour.

    Attributes:
        plain: what stands for ``symbol`` where the screen's fonts have no glyph for it (a
            missing symbol draws as an empty box).
    """

    symbol: str
    background: str
    accent: str
    plain: str = "!"

    def symbol_in(self, font: QFont) -> str:
        """The symbol if ``font`` has a glyph for it, else ``plain`` (a fallback font might
        draw it, but an empty box in a stop/refer banner is not worth the risk)."""
        metrics = QFontMetrics(font)
        return self.symbol if metrics.inFontUcs4(ord(self.symbol)) else self.plain


TIER_LOOKS: dict[AlertTier, TierLook] = {
    AlertTier.STOP_REFER: TierLook("⛔", "#fde7e9", "#b3261e", "STOP"),
    AlertTier.CLEARANCE: TierLook("⚕", "#fff1e0", "#a35200", "+"),
    AlertTier.DEEP_TISSUE_CAUTION: TierLook("⚠", "#fff8d6", "#7a5d00", "!"),
    AlertTier.LOCAL_AVOID: TierLook("⊘", "#eef1fb", "#34449c", "Ø"),
    AlertTier.POSITIONING: TierLook("↻", "#e6f4f1", "#00695c", "~"),
    AlertTier.PRODUCTS: TierLook("✱", "#f2f2f2", "#4a4a4a", "*"),
}
MAX_BANNER_HEIGHT = 190
"""Past this the banner scrolls, so the form under it keeps room on a 768-pixel screen."""
WARNING_LOOK = TierLook("⚠", "#fff8d6", "#7a5d00")


def alert_line(alert: Alert) -> str:
    """One alert as the banner words it: title, what it means, and what raised it."""
    return f"{alert.title}: {alert.message} (from {alert.source})"


def visible_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    """The alerts the banner shows: clearance alerts drop out once a clearance is on file."""
    return [a for a in alerts if not (a.tier is AlertTier.CLEARANCE and a.clearance_on_file)]


class AlertsBanner(QWidget):
    """Alerts grouped by tier, most severe first, each tier in its own colour.

    Stop/refer alerts take a typed override reason (when ``can_override``); clearance alerts
    offer "Clearance on file" (when ``can_record_clearance``).

    Signals:
        override_requested(code, reason): the therapist recorded an override reason.
        clearance_requested(code): the therapist says a physician clearance is on file.
    """

    override_requested = Signal(str, str)
    clearance_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsBanner")
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self._inner)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)
        self._frames: dict[AlertTier | None, QFrame] = {}
        self._texts: dict[AlertTier | None, list[str]] = {}
        self.override_fields: dict[str, QLineEdit] = {}
        self.override_buttons: dict[str, QPushButton] = {}
        self.clearance_buttons: dict[str, QPushButton] = {}
        self.max_banner_height = MAX_BANNER_HEIGHT
        self.hide()

    # ------------------------------------------------------------------ public

    def show_alerts(
        self,
        alerts: Sequence[Alert],
        *,
        overrides: Mapping[str, str] | None = None,
        warnings: Sequence[TreatmentWarning] = (),
        can_override: bool = False,
        can_record_clearance: bool = False,
    ) -> None:
        """Show these alerts (and warnings about the note being charted), replacing the last."""
        overrides = overrides or {}
        self._clear()
        shown = visible_alerts(alerts)
        notes = [w for w in warnings if w.level is not WarningLevel.BLOCK]
        for tier in AlertTier:
            in_tier = [a for a in shown if a.tier is tier]
            if in_tier:
                self._add_tier(tier, in_tier, overrides, can_override, can_record_clearance)
            if tier is AlertTier.STOP_REFER and notes:
                # What is charted right now against an alert comes before the standing alerts.
                _frame, body = self._frame(None, "On this note", WARNING_LOOK)
                for warning in notes:
                    self._line(body, warning.message, None)
        self.setVisible(bool(self._frames))
        self._fit_height()
        # Once laid out at its real width, the wrapped lines know their height.
        QTimer.singleShot(0, self, self._fit_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Keep the banner as tall as its alerts need, up to ``max_banner_height``."""
        super().resizeEvent(event)
        self._fit_height()

    def _fit_height(self) -> None:
        layout = self._layout
        layout.activate()
        width = max(self.scroll_area.viewport().width(), self.width() - 20, 200)
        needed = (
            layout.totalHeightForWidth(width)
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        self._inner.setMinimumHeight(needed)
        height = min(needed + 2, self.max_banner_height)
        if self.scroll_area.height() != height:
            self.scroll_area.setFixedHeight(height)

    def tier_texts(self) -> dict[AlertTier | None, list[str]]:
        """What is shown, per tier (None: warnings about this note), as plain text."""
        return {tier: list(lines) for tier, lines in self._texts.items()}

    def shown_tiers(self) -> list[AlertTier]:
        """The tiers shown, most severe first."""
        return [tier for tier in self._frames if tier is not None]

    # ------------------------------------------------------------------ building

    def _clear(self) -> None:
        for frame in self._frames.values():
            self._layout.removeWidget(frame)
            frame.hide()
            frame.deleteLater()
        self._frames.clear()
        self._texts.clear()
        self.override_fields.clear()
        self.override_buttons.clear()
        self.clearance_buttons.clear()

    def _frame(
        self, tier: AlertTier | None, title: str, look: TierLook
    ) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        name = f"alertTier_{tier.value if tier else 'note'}"
        frame.setObjectName(name)
        frame.setStyleSheet(
            f"#{name} {{ background: {look.background}; border-left: 4px solid {look.accent};"
            " border-radius: 3px; }"
            f" #{name} QLabel {{ color: #1f1f1f; background: transparent; }}"
        )
        body = QVBoxLayout(frame)
        body.setContentsMargins(10, 4, 8, 4)
        body.setSpacing(2)
        header = QLabel(title)
        header.setText(f"{look.symbol_in(header.font())}  {title}")
        header.setStyleSheet(f"color: {look.accent}; font-weight: 600;")
        header.setTextFormat(Qt.TextFormat.PlainText)
        body.addWidget(header)
        self._layout.addWidget(frame)
        frame.show()  # counted in the height at once, not after the next event-loop turn
        self._frames[tier] = frame
        self._texts[tier] = []
        return frame, body

    def _line(self, body: QVBoxLayout | None, text: str, tier: AlertTier | None) -> QLabel:
        label = QLabel(f"•  {text}")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if body is not None:
            body.addWidget(label)
        self._texts[tier].append(text)
        return label

    def _add_tier(
        self,
        tier: AlertTier,
        alerts: Sequence[Alert],
        overrides: Mapping[str, str],
        can_override: bool,
        can_record_clearance: bool,
    ) -> None:
        look = TIER_LOOKS[tier]
        title = tier.label
        if tier is AlertTier.STOP_REFER:
            title += " — record an override reason or physician clearance before charting"
        _frame, body = self._frame(tier, title, look)
        for alert in alerts:
            if tier is AlertTier.CLEARANCE and can_record_clearance:
                row = QHBoxLayout()
                row.setContentsMargins(0, 0, 0, 0)
                body.addLayout(row)
                row.addWidget(self._line(None, alert_line(alert), tier), 1)
                button = QPushButton("Clearance on file")
                button.setToolTip(
                    "Record that a physician's clearance for this is on file (dated today)"
                )
                button.setProperty("alert_code", alert.code)
                button.clicked.connect(self._on_clearance_button_clicked)
                row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
                self.clearance_buttons[alert.code] = button
                continue
            self._line(body, alert_line(alert), tier)
            if tier is AlertTier.STOP_REFER:
                reason = overrides.get(alert.code, "").strip()
                if reason:
                    done = QLabel(f"    Override recorded: {reason}")
                    done.setTextFormat(Qt.TextFormat.PlainText)
                    done.setWordWrap(True)
                    done.setStyleSheet("color: #4a4a4a; font-style: italic;")
                    body.addWidget(done)
                    self._texts[tier].append(f"Override recorded: {reason}")
                elif can_override:
                    body.addLayout(self._override_row(alert))

    def _override_row(self, alert: Alert) -> QHBoxLayout:
        field = QLineEdit()
        field.setMaxLength(limits.OVERRIDE_REASON.most)
        field.setPlaceholderText("Reason for going ahead, or the physician clearance obtained")
        field.setAccessibleName(f"Override reason for {alert.title}")
        field.setClearButtonEnabled(True)
        button = QPushButton("Record override")
        button.setEnabled(False)
        button.setProperty("alert_code", alert.code)
        field.textChanged.connect(lambda text, b=button: b.setEnabled(bool(text.strip())))
        field.returnPressed.connect(button.click)
        button.clicked.connect(self._on_override_button_clicked)
        row = QHBoxLayout()
        row.setContentsMargins(16, 2, 0, 2)
        row.addWidget(field, 1)
        row.addWidget(button)
        self.override_fields[alert.code] = field
        self.override_buttons[alert.code] = button
        return row

    # ------------------------------------------------------------------ handlers

    @Slot()
    def _on_override_button_clicked(self) -> None:
        button = self.sender()
        code = str(button.property("alert_code")) if button is not None else ""
        field = self.override_fields.get(code)
        if field is not None and field.text().strip():
            self.override_requested.emit(code, field.text().strip())

    @Slot()
    def _on_clearance_button_clicked(self) -> None:
        button = self.sender()
        if button is not None:
            self.clearance_requested.emit(str(button.property("alert_code")))
