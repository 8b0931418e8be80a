"""A 0-10 pain score box that takes what is typed, whether it shows a score or "—" (none)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from massage_chart.ui.number_box import OptionalNumberBox


class PainBox(OptionalNumberBox):
    """A pain score 0-10 on the numeric rating scale, or none ("—")."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(name, 10, "/10", parent)
        self.setMaximumWidth(90)

    def score(self) -> int | None:
        """The score, or None when none is recorded."""
        return self.number()

    def set_score(self, score: int | None) -> None:
        """Show ``score`` (None: "—")."""
        self.set_number(score)
