"""Alembic environment: async engines, the URL from the caller, batch mode on SQLite.

The URL comes from config.attributes["url"] (storage.migrate), else `-x url=...` or the
sqlalchemy.url option (the alembic command line). storage.migrate hands over an open
connection in config.attributes["connection"]; then no engine and no event loop is made here.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage.tables import built_on, metadata

config = context.config


def _url() -> str:
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise RuntimeError("no database URL: set sqlalchemy.url or pass it to storage.migrate")
    return str(url)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Render storage.types columns as `st.X()` with a matching import."""
    if type_ == "type" and type(obj).__module__ == "storage.types":
        autogen_context.imports.add("from storage import types as st")
        return f"st.{type(obj).__name__}()"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=metadata,
        compare_type=True,
        render_item=render_item,
        **options,
    )


def run_migrations_offline() -> None:
    url = _url()
    _configure(
        url=url,
        include_object=built_on(make_url(url).get_backend_name()),
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    _configure(
        connection=connection,
        include_object=built_on(connection.dialect.name),
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    from storage.database import configure_sqlite, is_sqlite

    engine = create_async_engine(_url(), poolclass=NullPool)
    if is_sqlite(engine.url):
        # Transactional DDL on SQLite; foreign keys stay off, as batch mode needs.
        configure_sqlite(engine, pragmas=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
