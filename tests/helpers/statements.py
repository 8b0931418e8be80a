"""The SQL statements a piece of work runs: what a test of reading "only what it shows" counts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from massage_chart.storage.database import Database


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The SQL statements run inside the block, as sent."""
    statements: list[str] = []

    def note(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
