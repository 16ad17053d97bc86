"""The database, reached from async code through units of work.

A unit of work is a plain function over a SQLAlchemy `Connection`, run in a transaction:

    replies = await database.run(lambda connection: ...)

On PostgreSQL it runs over asyncpg (`AsyncConnection.run_sync`). On SQLite it runs right on
the event loop over one connection kept open: SQLite has one writer, a unit of work is a few
hundred microseconds of Python holding the GIL either way, and WAL commits with synchronous=NORMAL
do not wait for the disk. Measured on 2 cores (scripts/bench_engine.py), handing each unit to a
writer thread cost more than the unit itself (thread handoff and GIL contention), and aiosqlite's
handoff per statement cost several times more again.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

T = TypeVar("T")
log = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite URL, or None for in-memory and other databases."""
    if not is_sqlite(url):
        return None
    database = sa.make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def make_sqlite_engine(url: str) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Only the service's user may read the file (its -wal and -shm files follow its mode).
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = sa.create_engine(
        sa.make_url(url).set(drivername="sqlite"), connect_args={"timeout": 30}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so the driver must not; this also makes
        # SAVEPOINT work with the sqlite3 module.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL: readers never block the writer. NORMAL sync is durable across a crash of the
        # process (every acknowledged message survives a restart); only a power loss may lose
        # the last transactions.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # Take the write lock at the start, so a second process (a CLI command beside the
        # server) queues instead of failing with "database is locked" half-way.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = "sqlite" if is_sqlite(url) else "postgresql"
        self._sqlite: Engine | None = None
        self._connection: Connection | None = None  # SQLite's one connection
        self._async: AsyncEngine | None = None
        if is_sqlite(url):
            self._sqlite = make_sqlite_engine(url)
        else:
            self._async = create_async_engine(url, pool_pre_ping=True)

    async def run(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in a transaction: committed if it returns, rolled back if it raises."""
        if self._sqlite is not None:
            return self._run_sqlite(work)
        assert self._async is not None
        async with self._async.begin() as connection:
            return await connection.run_sync(work)

    def _run_sqlite(self, work: Callable[[Connection], T]) -> T:
        # Units of work never await, so they cannot interleave: each runs whole, in order.
        if self._connection is None or self._connection.closed:
            assert self._sqlite is not None
            self._connection = self._sqlite.connect()
        try:
            with self._connection.begin():
                return work(self._connection)
        except sa.exc.DBAPIError as exc:
            if exc.connection_invalidated:
                self._connection = None
            raise

    async def ping(self) -> bool:
        try:
            await self.run(lambda connection: connection.execute(sa.text("SELECT 1")))
        except Exception:  # noqa: BLE001 - health check reports, never raises
            return False
        return True

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._sqlite is not None:
            self._sqlite.dispose()
        if self._async is not None:
            await self._async.dispose()
