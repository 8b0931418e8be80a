"""A database file set back to an earlier schema, as an older version of the app left it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any
from unittest import mock

SINCE_0017 = (
    "trg_seals_update", "trg_seals_delete", "trg_seals_replace",  # 0017: seals
    *(f"trg_{table}_{event}" for table in ("outcome_records", "pain_maps")
      for event in ("update", "delete")),  # 0018: what clients reported, kept
)  # fmt: skip


def back_to_0016(connection: Any) -> None:
    """Undo schemas 0017 to 0020 of a SQLite file (their triggers, the seals table, the marks'
    atlas version, the indexes of a claim's and a referral's visits) and say 0016: the next
    open of the file upgrades it as it would an old laptop's."""
    newer = connection.exec_driver_sql(
        "SELECT count(*) FROM marks WHERE atlas_version != 1"
    ).scalar_one()
    assert newer == 0, "schema 0016 charted on atlas version 1: chart with charting_as_0016()"
    for trigger in SINCE_0017:
        connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    connection.exec_driver_sql("DROP TABLE seals")
    connection.exec_driver_sql("ALTER TABLE marks DROP COLUMN atlas_version")
    connection.exec_driver_sql("DROP INDEX ix_visits_claim_id")
    connection.exec_driver_sql("DROP INDEX ix_visits_referral_id")
    connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0016'")


def _demo_of_0016() -> Any:
    """The demo practice as the app of schema 0016 charted it: on the four views it had."""
    from massage_chart.atlas import CORE_VIEW_IDS, load_atlas
    from massage_chart.demo import read_demo_practice
    from massage_chart.resources import resource_path

    document = json.loads(resource_path("demo", "practice.json").read_text(encoding="utf-8"))
    old = load_atlas(1)
    for scenario in document["scenarios"]:
        for part in ("findings", "treated_areas"):
            kept = []
            for item in scenario.get(part, []):
                # The muscles a later atlas charts on the deep layer were surface regions then.
                surface = item["view"].removesuffix("_deep")
                if surface in CORE_VIEW_IDS and item["region"] in {
                    r.id for r in old.regions(surface)
                }:
                    kept.append(item | {"view": surface})
            scenario[part] = kept
    return read_demo_practice(document, old)


@contextlib.contextmanager
def charting_as_0016() -> Iterator[None]:
    """Chart as the app of schema 0016 did: on atlas version 1, the only one it had (its demo
    on the four views that atlas has)."""
    with (
        mock.patch("massage_chart.domain.atlas.current_atlas_version", return_value=1),
        mock.patch("massage_chart.demo.demo_practice", _demo_of_0016),
    ):
        yield
