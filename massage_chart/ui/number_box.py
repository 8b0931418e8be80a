"""A number box that may hold "none" ("—") and takes what is typed over it: pain and intensity
scores, minutes."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFocusEvent, QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

NONE_TEXT = "—"
"""What the box shows when no score was recorded."""


NONE = -1
"""The value of a box that holds no number."""


class OptionalNumberBox(QSpinBox):
    """A whole number from 0 to ``maximum``, or none (shown as "—").

    Clicking or tabbing into the box selects its text, so typing replaces "—" or the old number;
    a "—" left in front of typed digits is ignored rather than making the entry invalid (a plain
    spin box silently dropped "6" typed after its "—").
    """

    def __init__(
        self, name: str, maximum: int, suffix: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setRange(NONE, maximum)
        self.setSpecialValueText(NONE_TEXT)
        self.setValue(NONE)
        self.setSuffix(suffix)
        self.setAccessibleName(name)

    def number(self) -> int | None:
        """The number, or None when there is none."""
        return None if self.value() < 0 else self.value()

    def set_number(self, number: int | None) -> None:
        """Show ``number`` (None: "—")."""
        self.setValue(NONE if number is None else number)

    def _digits(self, text: str) -> str:
        return text.replace(NONE_TEXT, "").removesuffix(self.suffix()).strip()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept "—", a number, or digits typed over or after "—" (the dash is dropped)."""
        digits = self._digits(text)
        if digits == "" or text.strip() == NONE_TEXT:
            return QValidator.State.Intermediate, text, pos
        if not digits.isdigit():
            return QValidator.State.Invalid, text, pos
        value = int(digits)
        if value > self.maximum():
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos

    def valueFromText(self, text: str) -> int:
        """The number in ``text``; none when it holds no digits."""
        digits = self._digits(text)
        return int(digits) if digits.isdigit() else -1

    def fixup(self, text: str) -> str:
        """An entry left unfinished keeps the box's value rather than being dropped."""
        digits = self._digits(text)
        return f"{digits}{self.suffix()}" if digits.isdigit() else text

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Select the text on entering, so what is typed replaces it."""
        super().focusInEvent(event)
        QTimer.singleShot(0, self, self.selectAll)
