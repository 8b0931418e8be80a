"""Provenance of signed notes imported from a chart file.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

A note signed in another system and imported keeps its signature, but says so: where it came
from, when and by whom it was imported, and whether its seal came with it. Existing rows are
notes signed here (NULL). The columns are outside the content hash: they record how the seal
arrived, not what the note says, and adding them changes no stored row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("imported_from", sa.String(length=300)),
    ("imported_at", sa.DateTime()),
    ("imported_by", sa.String(length=100)),
    ("imported_seal", sa.String(length=16)),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("visits", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        for name, _kind in reversed(COLUMNS):
            batch.drop_column(name)
