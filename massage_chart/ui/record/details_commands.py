"""Undoable saves of the client record: the details form, as one step per save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from massage_chart.ui.undo import StepDroppedError, UndoStep


class SaveDetailsCommand(UndoStep):
    """A save of the client's details, as a step of the record window's undo stack.

    The details are written before the command is pushed (so a failed save keeps the form as
    typed); the first redo() does nothing. Undo writes the values from before the save, redo
    the saved ones, each in one write session through ``write``. A step that cannot be written
    is reported by ``write`` and the command marks itself obsolete so the stack drops it.

    Args:
        before: the fields as stored before the save (only those that changed).
        after: the fields as saved.
        write: writes fields; returns why it failed, or "".
    """

    def __init__(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        write: Callable[[dict[str, Any]], str],
    ) -> None:
        super().__init__(
            "Save details (" + ", ".join(n.replace("_", " ") for n in after) + ")", done=True
        )
        self._before = before
        self._after = after
        self._write = write

    def _do(self) -> None:
        self._put(self._after)

    def _undo(self) -> None:
        self._put(self._before)

    def _put(self, fields: dict[str, Any]) -> None:
        reason = self._write(fields)
        if reason:
            raise StepDroppedError(reason)
