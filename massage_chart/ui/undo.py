"""The undo base: a write done, undone and redone in short sessions, dropped when it fails."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand


class StepDroppedError(Exception):
    """A step cannot be done and needs no further word: the user was told, or nothing is left."""


class UndoStep(QUndoCommand):
    """One step of an undo stack that writes, each way in its own short write session.

    The step knows whether it is done: a step written before it was pushed starts done (its first
    redo does nothing), a step that was never done is never undone. A write that fails is not
    raised: the step is reported through ``_report`` and marks itself obsolete so the stack drops
    it. Subclasses say how to do and undo, which errors a write may raise (``errors``) and how a
    failure is told; ``StepDroppedError`` drops the step without a word.

    Args:
        text: the step's name in the Undo menu.
        done: whether the step is already written when pushed.
    """

    #: What a step's write may raise; the write is rolled back and the user is told.
    errors: tuple[type[Exception], ...] = ()

    def __init__(self, text: str, *, done: bool) -> None:
        super().__init__(text)
        self.done = done

    def _do(self) -> None:
        raise NotImplementedError

    def _undo(self) -> None:
        raise NotImplementedError

    def _report(self, exc: Exception) -> None:
        raise NotImplementedError

    def _may_step(self) -> bool:
        """Whether the step may be done or undone now (True unless a subclass says otherwise)."""
        return True

    def redo(self) -> None:
        """Do the step, unless it is done already; report and drop it if it cannot be written."""
        if not self.done and self._may_step() and self._written(self._do):
            self.done = True

    def undo(self) -> None:
        """Take the step back, if it is done; report and drop it if that cannot be written."""
        if self.done and self._may_step() and self._written(self._undo):
            self.done = False

    def _written(self, step: Callable[[], None]) -> bool:
        try:
            step()
        except StepDroppedError:
            self.setObsolete(True)
            return False
        except self.errors as exc:
            self.setObsolete(True)
            self._report(exc)
            return False
        return True
