"""The migrations build exactly tables.py, from anywhere, and report their state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, MetaData, String
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from storage import migrate
from storage.tables import built_on, metadata


async def _diff(url: str, target: MetaData) -> list[Any]:
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync,
                        opts={"compare_type": True, "include_object": built_on(sync.dialect.name)},
                    ),
                    target,
                )
            )
    finally:
        await engine.dispose()


async def test_head_is_exactly_the_tables(database_url: str) -> None:
    assert await _diff(database_url, metadata) == []


async def test_the_comparison_would_see_a_difference(database_url: str) -> None:
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["customers"].append_column(Column("nickname", String(20)))
    diff = await _diff(database_url, changed)
    assert [entry[0] for entry in diff] == ["add_column"]


async def test_current_and_up_to_date(empty_database_url: str) -> None:
    head = migrate.head()
    assert head == "0013"
    assert await migrate.current(empty_database_url) is None
    assert not await migrate.is_up_to_date(empty_database_url)
    await migrate.upgrade(empty_database_url)
    assert await migrate.current(empty_database_url) == head
    assert await migrate.is_up_to_date(empty_database_url)


async def test_upgrade_twice_and_from_another_directory(
    empty_database_url: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    await migrate.upgrade(empty_database_url)
    await migrate.upgrade(empty_database_url)
    assert await migrate.is_up_to_date(empty_database_url)
    assert await _diff(empty_database_url, metadata) == []


async def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'a' / 'b' / 'bot.db'}"
    assert await migrate.current(url) is None
    assert not (tmp_path / "a").exists()
    await migrate.upgrade(url)
    assert (tmp_path / "a" / "b" / "bot.db").is_file()
    assert await migrate.is_up_to_date(url)


async def test_downgrade_to_base_and_back(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect

    def downgrade(connection: Any) -> list[str]:
        config = migrate.alembic_config(database_url)
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        return [name for name in inspect(connection).get_table_names() if name != "alembic_version"]

    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            assert await connection.run_sync(downgrade) == []
    finally:
        await engine.dispose()
    assert await migrate.current(database_url) is None
    await migrate.upgrade(database_url)
    assert await _diff(database_url, metadata) == []
