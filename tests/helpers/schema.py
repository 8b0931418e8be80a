"""A database file set back to an earlier schema, as an older version of the app left it."""

from __future__ import annotations

from typing import Any

SINCE_0017 = (
    "trg_seals_update", "trg_seals_delete", "trg_seals_replace",  # 0017: seals
    *(f"trg_{table}_{event}" for table in ("outcome_records", "pain_maps")
      for event in ("update", "delete")),  # 0018: what clients reported, kept
)  # fmt: skip


def back_to_0016(connection: Any) -> None:
    """Undo schemas 0017 and 0018 of a SQLite file (their triggers, the seals table) and say
    0016: the next open of the file upgrades it as it would an old laptop's."""
    for trigger in SINCE_0017:
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    connection.exec_driver_sql("DROP TABLE seals")
    connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0016'")
