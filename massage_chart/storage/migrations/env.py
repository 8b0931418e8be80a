"""Alembic environment: migrations run on a connection handed over by the app, in one transaction."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from massage_chart.storage.models import Base, include_in_schema_comparison

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_in_schema_comparison,
        render_as_batch=True,
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run on the app's connection, or on ``sqlalchemy.url`` when Alembic is run by hand."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as own_connection:
        _run(own_connection)


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported.")
run_migrations_online()
