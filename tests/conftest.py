"""Shared fixtures: the shipped content, real databases (SQLite always, PostgreSQL when
HOTLINE_TEST_POSTGRES_URL is set), and a fully built hotline over them."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from bot.app import Hotline, build
from bot.content.loader import load_tree
from bot.content.model import ContentTree
from bot.engine.conversation import Conversation
from bot.language.catalogs import Catalogs
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.migrate import upgrade

CONTENT = PROJECT_ROOT / "content"
LOCALES = PROJECT_ROOT / "locales"
POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@pytest.fixture(scope="session")
def tree() -> ContentTree:
    return load_tree(CONTENT)


@pytest.fixture(scope="session")
def catalogs() -> Catalogs:
    return Catalogs(LOCALES)


@pytest.fixture(scope="session")
def conversation(tree: ContentTree, catalogs: Catalogs) -> Conversation:
    return Conversation(tree, catalogs)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating every time is slow)."""
    path = tmp_path_factory.mktemp("template") / "hotline.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def migrated_postgres() -> str | None:
    if not POSTGRES_URL:
        return None
    # The test database is ours: start from nothing, then migrate once.
    import asyncio

    async def reset() -> None:
        engine = create_async_engine(POSTGRES_URL)
        async with engine.begin() as connection:
            # Everything, tables that newer migrations dropped included (a machine keeps its
            # database between runs).
            await connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            await connection.execute(sa.text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture(params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    migrated_sqlite: Path,
    migrated_postgres: str | None,
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "hotline.db"
        shutil.copy(migrated_sqlite, path)
        yield f"sqlite:///{path}"
        return
    assert migrated_postgres is not None
    engine = create_async_engine(migrated_postgres)
    async with engine.begin() as connection:
        names = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        await connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    yield migrated_postgres


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        secret_key="test-secret-key",
        var_dir=tmp_path / "var",
        content_dir=CONTENT,
        locales_dir=LOCALES,
    )


@pytest.fixture
async def hotline(settings: Settings) -> AsyncIterator[Hotline]:
    built = build(settings)
    yield built
    await built.close()
