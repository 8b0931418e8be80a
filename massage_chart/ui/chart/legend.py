"""The legend, always visible, doubling as the tool palette: glyph, code, name and key per kind."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from massage_chart.domain.marks import Geometry, MarkKind
from massage_chart.ui.chart.glyphs import kind_icon
from massage_chart.ui.chart.tools import TOOL_KEYS
from massage_chart.ui.style import alert_text, muted, small

_HOW = {
    Geometry.POINT: "click",
    Geometry.STROKE: "drag",
    Geometry.AREA: "paint or outline by dragging; click for the whole region",
}


class LegendPanel(QScrollArea):
    """Every mark kind as a checkable tool button: swatch, code, name and key.

    Signals:
        tool_chosen(kind_value): a tool was picked ("" for Select).
    """

    tool_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(1)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        select = self._button("", "⬉", "Select", "Esc")
        select.setToolTip("Select, move and edit marks (Esc or Q)")
        layout.addWidget(select)
        for kind in MarkKind:
            legend = kind.legend
            button = self._button(kind.value, legend.code, legend.name, TOOL_KEYS[kind])
            button.setIcon(kind_icon(kind))
            button.setToolTip(
                f"{legend.name} ({legend.code}): {legend.glyph}, {_HOW[kind.geometry]}. "
                f"Key: {TOOL_KEYS[kind]}"
            )
            layout.addWidget(button)
        self.compact = False
        hint = QLabel("Every kind has its own shape or pattern, so charts print in greyscale.")
        self.hint = hint
        hint.setWordWrap(True)
        muted(hint)  # the theme's quieter text: readable on a light or a dark window
        small(hint)
        layout.addWidget(hint)
        self.alert_key = QLabel(
            "▨ Red hatch, dashed outline: a region the client's alerts name (health history)."
        )
        self.alert_key.setWordWrap(True)
        alert_text(self.alert_key)
        small(self.alert_key)
        self.alert_key.hide()
        layout.addWidget(self.alert_key)
        layout.addStretch(1)
        self.setWidget(body)
        self.group.buttonClicked.connect(self._on_group_button_clicked)
        self.buttons[""].setChecked(True)
        self.setMinimumWidth(body.sizeHint().width() + 12)

    def _button(self, key: str, code: str, name: str, shortcut: str) -> QToolButton:
        button = QToolButton()
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setIconSize(QSize(22, 22))
        button.setAutoRaise(True)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        shortcut_text = shortcut.replace("Shift+", "⇧")
        full = f"{code:<4} {name}  [{shortcut_text}]" if code != "⬉" else f"⬉  {name}  [Esc]"
        short = f"{code:<4} [{shortcut_text}]" if code != "⬉" else "⬉  [Esc]"
        button.setProperty("full_text", full)
        button.setProperty("short_text", short)
        button.setText(full)
        font = QFont(button.font())
        button.setFont(font)
        button.setAccessibleName(f"{name} tool")
        button.setProperty("kind", key)
        self.group.addButton(button)
        self.buttons[key] = button
        return button

    def set_compact(self, compact: bool) -> None:
        """Codes and keys only (the names in the tooltips), for a chart short of width; or the
        full names."""
        if compact == self.compact:
            return
        self.compact = compact
        for button in self.buttons.values():
            button.setText(button.property("short_text" if compact else "full_text"))
        widest = max(button.sizeHint().width() for button in self.buttons.values())
        self.setMinimumWidth(widest + 24)  # the notes under the tools wrap to the buttons' width

    def show_alert_key(self, shown: bool) -> None:
        """Explain the hatched regions while the map shows some."""
        self.alert_key.setVisible(shown)

    def set_tool(self, kind: MarkKind | None) -> None:
        """Show which tool is current."""
        self.buttons["" if kind is None else kind.value].setChecked(True)

    def set_enabled_tools(self, enabled: bool) -> None:
        """Disable the charting tools (the chart is read-only); the legend stays readable."""
        for key, button in self.buttons.items():
            if key:
                button.setCheckable(enabled)
                button.setEnabled(True)

    @Slot(QToolButton)
    def _on_group_button_clicked(self, button: QToolButton) -> None:
        self.tool_chosen.emit(str(button.property("kind")))
