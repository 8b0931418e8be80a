"""The client's own pain map: the atlas regions they marked, with the symptom scale when asked.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Scored by the ACR 2016 Widespread Pain Index and Symptom Severity Scale
(massage_chart/domain/pain_map.py); the scores are computed from the marked regions and answers,
never stored. Rows are only ever added: a correction is a new row naming the one it replaces,
with a reason. On a clinic's PostgreSQL the groups that record outcome measures record these
(massage_chart/storage/clinic.py grants them when the clinic is set up or set up again).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pain_maps",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("visit_id", sa.String(length=64), nullable=True),
        sa.Column("instrument", sa.String(length=32), nullable=False),
        sa.Column("instrument_version", sa.Integer(), nullable=False),
        sa.Column("map_version", sa.Integer(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("symptoms", sa.JSON(), nullable=True),
        sa.Column("three_months", sa.Boolean(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=64), nullable=True),
        sa.Column("replaces_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"],
            name=op.f("fk_pain_maps_client_id_clients"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"],
            name=op.f("fk_pain_maps_visit_id_visits"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["providers.id"],
            name=op.f("fk_pain_maps_recorded_by_id_providers"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["pain_maps.id"],
            name=op.f("fk_pain_maps_replaces_id_pain_maps"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pain_maps")),
    )  # fmt: skip
    op.create_index("ix_pain_maps_client_taken", "pain_maps", ["client_id", "taken_on"])


def downgrade() -> None:
    raise NotImplementedError(
        "Schema 0013 has no downgrade; restore the backup taken before the upgrade instead."
    )
