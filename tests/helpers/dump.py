"""A full dump of every table, to show that a refused change left the database exactly as it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from massage_chart.storage.database import Database
from massage_chart.storage.models import Base


def dump(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order (rows sorted by their text)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with database.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = [tuple(row) for row in connection.execute(select(table))]
            tables[table.name] = sorted(rows, key=repr)
        connection.rollback()
    return tables
