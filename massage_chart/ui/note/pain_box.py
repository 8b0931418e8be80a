"""A 0-10 pain score box that takes what is typed, whether it shows a score or "—" (none)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFocusEvent, QValidator
from PySide6.QtWidgets import QSpinBox, QWidget

NONE_TEXT = "—"
"""What the box shows when no score was recorded."""


class PainBox(QSpinBox):
    """A pain score 0-10, or none (-1, shown as "—").

    Clicking or tabbing into the box selects its text, so typing a digit replaces "—" or the old
    score; a "—" left in front of typed digits is ignored rather than making the entry invalid
    (a plain spin box silently dropped "6" typed after its "—").
    """

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRange(-1, 10)
        self.setSpecialValueText(NONE_TEXT)
        self.setValue(-1)
        self.setSuffix("/10")
        self.setAccessibleName(name)
        self.setMaximumWidth(90)

    def score(self) -> int | None:
        """The score, or None when none is recorded."""
        return None if self.value() < 0 else self.value()

    def set_score(self, score: int | None) -> None:
        """Show ``score`` (None: "—")."""
        self.setValue(-1 if score is None else score)

    def _digits(self, text: str) -> str:
        return text.replace(NONE_TEXT, "").removesuffix(self.suffix()).strip()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept "—", a score, or digits typed over or after "—" (the dash is dropped)."""
        digits = self._digits(text)
        if digits == "" or text.strip() == NONE_TEXT:
            return QValidator.State.Intermediate, text, pos
        if not digits.isdigit():
            return QValidator.State.Invalid, text, pos
        value = int(digits)
        if value > 10:
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos

    def valueFromText(self, text: str) -> int:
        """The score in ``text``; none (-1) when it holds no digits."""
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
