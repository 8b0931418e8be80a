"""Real columns for stop/refer overrides, physician clearances and SOAP sub-fields.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Until now these lived as lines of free text (see ``storage/text_form.py``). This migration adds a
``visit_overrides`` table, a ``clearance_codes`` list on consents and one column per SOAP
sub-field on visits, parses the old text once, moves the values into the columns and removes the
parsed lines from the text, signed visits included. A signed visit's hash covered the text form,
so every signed visit gets ``hash_version`` 1: its canonical content is rebuilt from the columns
exactly as the old text was (a signed field whose rebuilt text would differ by even one character
is left whole, as free text). The signed-visit guard on ``visits`` is lifted for the move and put
back before the end; the whole upgrade is one transaction, so a failure anywhere leaves the
database at 0004 with its guards in place. There is no downgrade: the app never goes back a
schema version (a backup is taken before every upgrade).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from massage_chart.storage.text_form import SUB_FIELDS, parse_visit_text, split_clearance

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNED_VISIT = "This visit is signed and cannot be changed; add an addendum instead."
SIGNED_CHILD = "This visit is signed: its chart and billing cannot be changed."

SQLITE_VISIT_GUARD = f"""CREATE TRIGGER trg_visits_signed_update BEFORE UPDATE ON visits
    WHEN OLD.status = 'signed'
    BEGIN SELECT RAISE(ABORT, '{SIGNED_VISIT}'); END"""

SQLITE_OVERRIDE_GUARDS = tuple(
    f"""CREATE TRIGGER trg_visit_overrides_signed_{event.lower()} BEFORE {event} ON visit_overrides
    WHEN (SELECT status FROM visits WHERE id = {row}.visit_id) = 'signed'
    BEGIN SELECT RAISE(ABORT, '{SIGNED_CHILD}'); END"""
    for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
)

POSTGRES_OVERRIDE_GUARD = """CREATE TRIGGER trg_visit_overrides_signed
    BEFORE INSERT OR UPDATE OR DELETE ON visit_overrides
    FOR EACH ROW EXECUTE FUNCTION mc_guard_signed_child()"""

VISIT_COLUMNS = (
    "pain_best INTEGER CONSTRAINT ck_visits_pain_best "
    "CHECK (pain_best IS NULL OR pain_best BETWEEN 0 AND 10)",
    "pain_worst INTEGER CONSTRAINT ck_visits_pain_worst "
    "CHECK (pain_worst IS NULL OR pain_worst BETWEEN 0 AND 10)",
    *(
        f"{name} TEXT DEFAULT '' NOT NULL"
        for name in SUB_FIELDS
        if name not in ("pain_best", "pain_worst")
    ),
    "hash_version INTEGER DEFAULT 2 NOT NULL CONSTRAINT ck_visits_hash_version "
    "CHECK (hash_version IN (1, 2))",
)

_visits = sa.table(
    "visits",
    sa.column("id", sa.String),
    sa.column("status", sa.String),
    sa.column("health_update", sa.Text),
    sa.column("subjective", sa.Text),
    sa.column("assessment", sa.Text),
    sa.column("plan", sa.Text),
    sa.column("signed_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
    sa.column("hash_version", sa.Integer),
    *(sa.column(name, sa.Integer if name.startswith("pain_") else sa.Text) for name in SUB_FIELDS),
)
_overrides = sa.table(
    "visit_overrides",
    sa.column("id", sa.String),
    sa.column("visit_id", sa.String),
    sa.column("position", sa.Integer),
    sa.column("code", sa.String),
    sa.column("reason", sa.Text),
    sa.column("recorded_at", sa.DateTime),
    sa.column("recorded_by", sa.String),
)
_consents = sa.table(
    "consents",
    sa.column("id", sa.String),
    sa.column("notes", sa.Text),
    sa.column("clearance_codes", sa.JSON),
)
_audit = sa.table(
    "audit_events",
    sa.column("seq", sa.Integer),
    sa.column("occurred_at", sa.DateTime),
    sa.column("actor", sa.String),
    sa.column("visit_id", sa.String),
    sa.column("detail", sa.Text),
)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "visit_overrides",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("visit_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name="fk_visit_overrides_visit_id_visits",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_visit_overrides"),
        sa.UniqueConstraint("visit_id", "code", name="uq_visit_overrides_code"),
    )
    op.create_index("ix_visit_overrides_visit_id", "visit_overrides", ["visit_id"])
    for column in VISIT_COLUMNS:
        op.execute(f"ALTER TABLE visits ADD COLUMN {column}")
    op.execute("ALTER TABLE consents ADD COLUMN clearance_codes JSON DEFAULT '[]' NOT NULL")

    if postgres:
        op.execute("ALTER TABLE visits DISABLE TRIGGER trg_visits_signed")
    else:
        op.execute("DROP TRIGGER trg_visits_signed_update")
    _move_visit_text()
    _move_clearances()
    if postgres:
        op.execute("ALTER TABLE visits ENABLE TRIGGER trg_visits_signed")
        op.execute(POSTGRES_OVERRIDE_GUARD)
    else:
        op.execute(SQLITE_VISIT_GUARD)
        for statement in SQLITE_OVERRIDE_GUARDS:
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0005 has no downgrade; restore the backup taken before the upgrade instead."
    )


def _override_events(connection: sa.Connection, visit_id: str) -> dict[str, tuple[Any, str]]:
    """When and by whom each override of a visit was recorded, from the audit log (latest wins)."""
    found: dict[str, tuple[Any, str]] = {}
    rows = connection.execute(
        sa.select(_audit.c.occurred_at, _audit.c.actor, _audit.c.detail)
        .where(_audit.c.visit_id == visit_id)
        .order_by(_audit.c.seq)
    )
    for occurred_at, actor, detail in rows:
        head, sep, _reason = str(detail).partition(": ")
        if sep and head.startswith("stop/refer override "):
            found[head[len("stop/refer override ") :]] = (occurred_at, actor)
    return found


def _move_visit_text() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            _visits.c.id,
            _visits.c.status,
            _visits.c.health_update,
            _visits.c.subjective,
            _visits.c.assessment,
            _visits.c.plan,
            _visits.c.signed_at,
            _visits.c.updated_at,
        ).order_by(_visits.c.id)
    ).all()
    for visit_id, status, health_update, subjective, assessment, plan, signed_at, updated in rows:
        signed = status == "signed"
        texts = {
            "health_update": health_update or "",
            "subjective": subjective or "",
            "assessment": assessment or "",
            "plan": plan or "",
        }
        parsed = parse_visit_text(texts, exact=signed)
        changes: dict[str, Any] = {"hash_version": 1} if signed else {}
        if parsed.health_update != texts["health_update"]:
            changes["health_update"] = parsed.health_update
        for section, free in parsed.sections.items():
            if free != texts[section]:
                changes[section] = free
        changes.update(parsed.sub_fields)
        if changes:
            connection.execute(sa.update(_visits).where(_visits.c.id == visit_id).values(**changes))
        overrides = parsed.overrides
        if not overrides:
            continue
        events = _override_events(connection, visit_id)
        fallback = signed_at or updated or dt.datetime(1970, 1, 1)
        connection.execute(
            sa.insert(_overrides),
            [
                {
                    "id": str(uuid.uuid4()),
                    "visit_id": visit_id,
                    "position": position,
                    "code": code,
                    "reason": reason,
                    "recorded_at": events.get(code, (fallback, ""))[0],
                    "recorded_by": events.get(code, (fallback, ""))[1],
                }
                for position, (code, reason) in enumerate(overrides)
            ],
        )


def _move_clearances() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_consents.c.id, _consents.c.notes).order_by(_consents.c.id)
    ).all()
    for consent_id, notes in rows:
        codes, rest = split_clearance(notes or "")
        if codes:
            connection.execute(
                sa.update(_consents)
                .where(_consents.c.id == consent_id)
                .values(notes=rest, clearance_codes=codes)
            )
