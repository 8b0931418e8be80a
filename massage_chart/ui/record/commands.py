"""Undoable saves of the client record: the details form, as one step per save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand


class SaveDetailsCommand(QUndoCommand):
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
        super().__init__("Save details (" + ", ".join(n.replace("_", " ") for n in after) + ")")
        self._before = before
        self._after = after
        self._write = write
        self._first = True

    def redo(self) -> None:
        """Write the saved values again (nothing on the first push)."""
        if self._first:
            self._first = False
            return
        if self._write(self._after):
            self.setObsolete(True)

    def undo(self) -> None:
        """Write back the values from before the save."""
        if self._write(self._before):
            self.setObsolete(True)
