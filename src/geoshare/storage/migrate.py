"""Bring a database to the newest schema with Alembic (called at every start; idempotent)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


# Tables the migrations create outside storage/tables.py: PostgreSQL's search posting lists (0008),
# SQLite's word pairs, word list and word cutter (0014).
DATABASE_ONLY_TABLES = ("item_postings", "search_scopes", "item_pairs", "item_terms", "item_words_at", "item_words")


def drop_schema(conn: Connection) -> None:
    """Drop every table the migrations made (the ones of storage/tables.py, the database-only
    ones and Alembic's version table) and, on PostgreSQL, their `geoshare_` functions, so that
    `upgrade` builds the schema again from nothing."""
    from geoshare.storage.tables import metadata

    metadata.drop_all(conn)
    for name in (*DATABASE_ONLY_TABLES, "alembic_version"):
        conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    if conn.dialect.name == "postgresql":  # and the functions (their triggers went with the tables)
        found = conn.execute(text("SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                                  "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() "
                                  "AND p.proname LIKE 'geoshare\\_%'")).scalars().all()
        for signature in found:
            conn.execute(text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
