"""The Alembic migrations build exactly the tables declared in storage/tables.py."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from geoshare.storage import migrate
from geoshare.storage.tables import metadata


def test_migrations_match_tables(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate.upgrade(engine)
    migrate.upgrade(engine)  # idempotent: a second start changes nothing
    found = inspect(engine)
    assert set(found.get_table_names()) - {"alembic_version"} == set(metadata.tables)
    for table in metadata.sorted_tables:
        assert {c["name"] for c in found.get_columns(table.name)} == {c.name for c in table.columns}, table.name
    engine.dispose()
