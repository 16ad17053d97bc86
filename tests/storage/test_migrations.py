"""Alembic migrations on a real database: up, current, down, and in step with the models."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.storage.database import Database, make_sqlite_engine
from bot.storage.migrate import alembic_config, is_current, upgrade_async


async def test_upgrade_creates_every_table_and_is_current(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path}/fresh.db")
    try:
        assert not await is_current(database)
        await upgrade_async(database.url)
        assert await is_current(database)
        await upgrade_async(database.url)  # running it again changes nothing
        names = await database.run(lambda c: set(sa.inspect(c).get_table_names()))
        assert {t.name for t in SQLModel.metadata.sorted_tables} <= names
    finally:
        await database.close()


async def test_migrations_match_the_models(database_url: str):
    database = Database(database_url)
    try:
        diff = await database.run(
            lambda c: compare_metadata(MigrationContext.configure(c), SQLModel.metadata)
        )
        assert diff == []
    finally:
        await database.close()


async def test_downgrade_to_nothing_and_back(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/cycle.db"
    await upgrade_async(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    database = Database(url)
    try:
        names = await database.run(lambda c: set(sa.inspect(c).get_table_names()))
        assert names <= {"alembic_version"}
        await upgrade_async(url)
        assert await is_current(database)
    finally:
        await database.close()


def test_the_database_file_is_private(tmp_path: Path):
    make_sqlite_engine(f"sqlite:///{tmp_path}/private/hotline.db").dispose()
    mode = stat.S_IMODE((tmp_path / "private" / "hotline.db").stat().st_mode)
    assert mode == 0o600


async def test_campaign_tables_go_down_to_0004_and_come_back(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/campaigns.db"
    await upgrade_async(url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0004")
    database = Database(url)
    try:
        inspect = await database.run(
            lambda c: (
                set(sa.inspect(c).get_table_names()),
                {col["name"] for col in sa.inspect(c).get_columns("contact")},
                {col["name"] for col in sa.inspect(c).get_columns("outbox")},
                {col["name"] for col in sa.inspect(c).get_columns("operator")},
            )
        )
        names, contact_columns, outbox_columns, operator_columns = inspect
        assert "campaigns" not in operator_columns
        assert not names & {"subscription", "reminder", "campaign_run", "campaign_delivery"}
        assert "discreet_at" not in contact_columns and "origin" not in outbox_columns
        await upgrade_async(url)
        assert await is_current(database)
        names = await database.run(lambda c: set(sa.inspect(c).get_table_names()))
        assert {"subscription", "reminder", "campaign_run", "campaign_delivery"} <= names
    finally:
        await database.close()
