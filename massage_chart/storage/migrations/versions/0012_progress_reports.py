"""Signed progress reports: which signed notes a report covers, who signed it, its seal.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

A progress report is drawn from the signed notes of a span of days; signing it stores the span,
the notes covered, the signer and the time, and a SHA-256 seal over the notes' own seals. The
row is never changed or removed (triggers on SQLite and PostgreSQL, as for addenda). On a clinic's
PostgreSQL the server refuses a report signed in the name of anyone but the person signed in.
The claim's progress-report count starts again after the last signed report. A report imported
from a chart file names the system it was signed in (``imported_from``, ``imported_at``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORT = "A signed progress report cannot be changed or removed."
NOT_THE_SIGNER = "A progress report is signed in the name of the person signed in."

SQLITE_TRIGGERS = (
    *(
        f"""CREATE TRIGGER trg_progress_reports_{event.lower()} BEFORE {event} ON progress_reports
    BEGIN SELECT RAISE(ABORT, '{REPORT}'); END"""
        for event in ("UPDATE", "DELETE")
    ),
    f"""CREATE TRIGGER trg_progress_reports_replace BEFORE INSERT ON progress_reports
    WHEN EXISTS (SELECT 1 FROM progress_reports WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, '{REPORT}'); END""",
)

POSTGRES_STATEMENTS = (
    f"""CREATE FUNCTION mc_guard_progress_report() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{REPORT}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    """CREATE TRIGGER trg_progress_reports_immutable BEFORE UPDATE OR DELETE ON progress_reports
    FOR EACH ROW EXECUTE FUNCTION mc_guard_progress_report()""",
    f"""CREATE FUNCTION mc_clinic_report_signer() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM clinic_people) AND NEW.signed_by_id IS DISTINCT FROM (
            SELECT provider_id FROM clinic_people
            WHERE role_name = session_user AND active AND grp IN ('owner', 'therapist')
        ) THEN
            RAISE EXCEPTION '{NOT_THE_SIGNER}' USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_progress_reports_clinic_signer BEFORE INSERT ON progress_reports
    FOR EACH ROW EXECUTE FUNCTION mc_clinic_report_signer()""",
)


def upgrade() -> None:
    op.create_table(
        "progress_reports",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("claim_id", sa.String(length=64), nullable=True),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("visit_ids", sa.JSON(), nullable=False),
        sa.Column("signed_by_id", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("imported_from", sa.String(length=300), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"],
            name=op.f("fk_progress_reports_client_id_clients"), ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"],
            name=op.f("fk_progress_reports_claim_id_claims"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"], ["providers.id"],
            name=op.f("fk_progress_reports_signed_by_id_providers"), ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
    )  # fmt: skip
    op.create_index(
        "ix_progress_reports_client", "progress_reports", ["client_id", "period_to"]
    )
    statements = (
        POSTGRES_STATEMENTS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0012 has no downgrade; restore the backup taken before the upgrade instead."
    )
