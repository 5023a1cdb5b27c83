"""Alembic environment: runs the migrations on the connection geoshare hands over."""

from alembic import context

from geoshare.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - `alembic` command line use
    from sqlalchemy import create_engine

    connection = create_engine(context.config.get_main_option("sqlalchemy.url") or "").connect()

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
