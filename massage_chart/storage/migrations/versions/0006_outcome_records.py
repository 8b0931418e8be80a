"""Outcome measures: one row per completed answer sheet (LEFS, PSFS, the 0-10 pain rating).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Rows are only ever added: a correction is a new row naming the one it replaces, with a reason.
The score is not stored; it is computed from the answers by the measure's published rule
(massage_chart/domain/outcomes.py), so it cannot disagree with them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_records",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("visit_id", sa.String(length=64), nullable=True),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("measure_version", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=64), nullable=True),
        sa.Column("replaces_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"],
            name=op.f("fk_outcome_records_client_id_clients"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"],
            name=op.f("fk_outcome_records_visit_id_visits"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["providers.id"],
            name=op.f("fk_outcome_records_recorded_by_id_providers"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["outcome_records.id"],
            name=op.f("fk_outcome_records_replaces_id_outcome_records"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_records")),
    )
    op.create_index(
        "ix_outcome_records_client_taken", "outcome_records", ["client_id", "taken_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_outcome_records_client_taken", table_name="outcome_records")
    op.drop_table("outcome_records")
