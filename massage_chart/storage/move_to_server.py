"""Moving a practice up: a whole SQLite database copied into an empty PostgreSQL one.

Every row is copied as it is (ids, times, the audit log's sequence and hashes, signatures and
content hashes), so the copy verifies exactly as the original did. Signed visits are written as
drafts first and signed once their marks, billing lines and overrides are in, because the
server's triggers refuse a child row under a signed visit; addenda follow the signatures. The
copy is one transaction, checked before it is committed (the same number of rows in every
table, every signed visit matching its content hash, the audit chain whole): a failure leaves
the target empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, func, select, text
from sqlalchemy.orm import Session, selectinload

from massage_chart.domain.record_kinds import VisitStatus
from massage_chart.storage import audit, seals
from massage_chart.storage.database import Database, StorageError, is_server_url, open_database
from massage_chart.storage.models import Base, Visit
from massage_chart.storage.signing import verify_visit_hash

BATCH = 2_000
SIGNATURE_COLUMNS = ("status", "signed_at", "signed_by_id", "content_hash")
"""What a visit is copied without, and given once its child rows are in."""
AFTER_SIGNING = ("addenda",)
"""Tables copied once the visits are signed."""


class MoveError(StorageError):
    """The practice cannot be copied there, or the copy does not match; in plain words."""


@dataclass
class MoveReport:
    """What was copied and checked."""

    rows: dict[str, int] = field(default_factory=dict)
    signed_visits: int = 0
    audit_events: int = 0

    @property
    def total(self) -> int:
        """Rows copied in all."""
        return sum(self.rows.values())


def _tables() -> list[Table]:
    # Not the seals: they are made with this computer's key; the server seals every signed
    # record it receives with its own (migration 0017), and the copy is checked against those.
    return [table for table in Base.metadata.sorted_tables if table.name != "seals"]


def _rows(connection: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    order = list(table.primary_key.columns)
    if _self_references(table):
        yield from _parents_first(connection, table)
        return
    result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for partition in result.mappings().partitions(BATCH):
        yield [dict(row) for row in partition]


def _self_references(table: Table) -> list[str]:
    """The columns of a table that name another row of the same table (a correction names the
    record it replaces)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _parents_first(connection: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    """The rows of a self-referencing table, each after the row it names (the server checks
    every reference as the row goes in), in batches. These tables are small (answer sheets,
    pain maps), so they are ordered in memory."""
    columns = _self_references(table)
    key = next(iter(table.primary_key.columns)).name
    pending = [dict(row) for row in connection.execute(select(table)).mappings()]
    present = {row[key] for row in pending}
    placed: set[Any] = set()
    ordered: list[dict[str, Any]] = []
    while pending:
        ready = [
            row
            for row in pending
            if all(row[c] is None or row[c] in placed or row[c] not in present for c in columns)
        ]
        if not ready:  # a cycle cannot be put in order; the server says which row
            ready = pending[:1]
        ready.sort(key=lambda row: str(row[key]))
        ordered += ready
        placed.update(row[key] for row in ready)
        chosen = {id(row) for row in ready}
        pending = [row for row in pending if id(row) not in chosen]
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def _refuse_a_used_target(connection: Connection) -> None:
    for table in _tables():
        if connection.execute(select(func.count()).select_from(table)).scalar_one():
            raise MoveError(
                f"The target database already holds records ({table.name}). Moving a practice "
                "needs an empty database: create a new one on the server and try again. "
                "Nothing was copied."
            )


def move_to_server(
    source: Database, target_url: str, *, progress: Callable[[str], None] | None = None
) -> MoveReport:
    """Copy the whole practice of ``source`` into the empty server database ``target_url``.

    Args:
        source: the practice's open SQLite database (plain or encrypted).
        target_url: an empty PostgreSQL database, as a user who may create its tables.
        progress: told each table as it is copied.

    Raises:
        MoveError: the target is not PostgreSQL or not empty, or the copy does not verify
            (then nothing of it is kept).
    """
    if not is_server_url(target_url):
        raise MoveError("The practice moves to a PostgreSQL server (postgresql://...).")
    if not source.is_sqlite:
        raise MoveError("Only a practice kept in a SQLite file on this computer can be moved.")
    target = open_database(target_url)  # creates the schema
    report = MoveReport()
    try:
        with source.engine.connect() as reader, target.engine.begin() as writer:
            _refuse_a_used_target(writer)
            signatures: list[dict[str, Any]] = []
            for table in _tables():
                if table.name in AFTER_SIGNING:
                    continue
                _copy(reader, writer, table, report, signatures, progress)
            visits = Base.metadata.tables["visits"]
            for values in signatures:
                writer.execute(
                    visits.update()
                    .where(visits.c.id == values["id"])
                    .values({name: values[name] for name in SIGNATURE_COLUMNS})
                )
            for name in AFTER_SIGNING:
                _copy(reader, writer, Base.metadata.tables[name], report, signatures, progress)
            _advance_sequences(writer)
            _check(reader, writer, report)  # a refusal rolls the whole copy back
        target.refresh_statistics()  # the server plans the moved practice from its first query
    finally:
        target.dispose()
    return report


def _copy(
    reader: Connection,
    writer: Connection,
    table: Table,
    report: MoveReport,
    signatures: list[dict[str, Any]],
    progress: Callable[[str], None] | None,
) -> None:
    if progress is not None:
        progress(table.name)
    count = 0
    for batch in _rows(reader, table):
        if table.name == "visits":
            for row in batch:
                if row["status"] is not VisitStatus.DRAFT:
                    signatures.append({"id": row["id"], **{c: row[c] for c in SIGNATURE_COLUMNS}})
                    row.update(
                        status=VisitStatus.DRAFT,
                        signed_at=None,
                        signed_by_id=None,
                        content_hash=None,
                    )
        writer.execute(table.insert(), batch)
        count += len(batch)
    report.rows[table.name] = count


def _advance_sequences(writer: Connection) -> None:
    """Numbered keys (the audit log's) go on from the copied ones."""
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                writer.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"GREATEST((SELECT max({column.name}) FROM {table.name}), 1))"
                    ),
                    {"t": table.name, "c": column.name},
                )


def _check(reader: Connection, writer: Connection, report: MoveReport) -> None:
    for table in _tables():
        count = select(func.count()).select_from(table)
        here, there = reader.execute(count).scalar_one(), writer.execute(count).scalar_one()
        if here != there:
            raise MoveError(
                f"The copy of {table.name} has {there} rows where the practice has {here}; "
                "nothing was kept on the server."
            )
    with Session(bind=writer) as session:
        signed = session.scalars(
            select(Visit)
            .where(Visit.status != VisitStatus.DRAFT)
            .options(
                selectinload(Visit.marks),
                selectinload(Visit.billing_lines),
                selectinload(Visit.overrides),
            )
        ).all()
        broken = [v.id for v in signed if not verify_visit_hash(v)]
        problems = audit.verify_chain(session)
        unsealed = seals.survey(session).broken
    report.signed_visits = len(signed)
    report.audit_events = report.rows.get("audit_events", 0)
    if broken:
        raise MoveError(
            f"{len(broken)} signed notes do not match their signature on the server (first: "
            f"{broken[0]}); nothing was kept there. Run massage-chart check on the practice."
        )
    if unsealed:
        raise MoveError(
            f"{len(unsealed)} signed records were not sealed by the server (first: "
            f"{unsealed[0][0]} {unsealed[0][1]}); nothing was kept there. Upgrade the server's "
            "database with massage-chart clinic init, then move the practice again."
        )
    if problems:
        raise MoveError(
            f"The audit log does not verify on the server (event {problems[0].seq}: "
            f"{problems[0].reason}); nothing was kept "
            "there. Run massage-chart check on the practice."
        )
