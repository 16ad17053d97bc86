"""The web chat channel: messages from the page go to the switchboard; replies come back
through the outbox and WebSender into web_message, where the page reads or waits for them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.channels.web import CHANNEL, store
from bot.channels.web.allowance import Allowance
from bot.channels.web.doorbell import Doorbell
from bot.channels.web.incoming import Said
from bot.channels.web.render import message
from bot.channels.web.sender import WebSender
from bot.engine.messages import Inbound, Reply
from bot.engine.switchboard import Switchboard
from bot.language.catalogs import Catalogs
from bot.outbox import Outbox
from bot.storage.crypto import Vault
from bot.storage.database import Database
from bot.storage.models import utcnow

log = logging.getLogger(__name__)
# How often a waiting page reads the table anyway: what another worker process delivered
# rings no bell here.
RECHECK = 2.0
# On PostgreSQL two workers' messages can commit out of id order; a waiting page reads the
# last few seconds again so one that commits late behind a newer id is not skipped.
LATE_COMMIT = timedelta(seconds=10)
# Open streams one person may have (tabs); more is a script, not a person.
MAX_STREAMS = 5


class WebChannel:
    def __init__(
        self,
        *,
        database: Database,
        vault: Vault,
        switchboard: Switchboard,
        outbox: Outbox,
        catalogs: Catalogs,
        max_text: int,
        default_language: str = "ru",
        secure_cookie: bool = False,
    ) -> None:
        self.database = database
        self.vault = vault
        self.switchboard = switchboard
        self.outbox = outbox
        self.catalogs = catalogs
        self.max_text = max_text
        self.default_language = default_language
        self.secure_cookie = secure_cookie
        self.doorbell = Doorbell()
        self.sender = WebSender(database=database, vault=vault, doorbell=self.doorbell)
        self.allowance = Allowance()
        self._task: asyncio.Task[None] | None = None

    def key(self, token: str) -> str:
        """The person's address hash: what their messages are found by."""
        return self.vault.lookup(token)

    # -- from the page ---------------------------------------------------------------------------

    async def receive(self, token: str, said: Said, *, language_hint: str | None) -> None:
        """Hand one message to the engine; returns once it and its replies are committed."""
        await self.switchboard.receive(
            Inbound(
                channel=CHANNEL,
                address=token,
                text=said.text,
                option=said.option,
                language_hint=language_hint,
                message_id=said.message_id,
                received_at=utcnow(),
            )
        )

    # -- to the page -----------------------------------------------------------------------------

    async def read(self, token: str, after: int | None) -> list[dict[str, Any]]:
        """What was sent to the person after message `after` (None: the recent conversation)."""
        return [self._shown(row) for row in await self._rows(self.key(token), after)]

    async def wait(self, token: str, after: int, timeout: float) -> list[dict[str, Any]]:  # noqa: ASYNC109
        """Long polling: what came after `after`, waiting up to `timeout` seconds for it."""
        key = self.key(token)
        deadline = asyncio.get_running_loop().time() + timeout
        with self.doorbell.listen(key) as listener:
            while True:
                rows = await self._rows(key, after)
                found = [*listener.partings(), *(self._shown(row) for row in rows)]
                remaining = deadline - asyncio.get_running_loop().time()
                if found or remaining <= 0 or self.doorbell.closed:
                    return found
                await listener.wait(min(RECHECK, remaining))

    async def stream(self, token: str, after: int) -> AsyncIterator[dict[str, Any]]:
        """Every message after `after`, as it comes, until the channel stops: in id order, but
        one that committed late (behind a newer id) comes when it commits."""
        key = self.key(token)
        floor = after  # what the page has: never sent again
        sent: dict[int, float] = {}  # ids already given, and when: for the late re-read
        loop = asyncio.get_running_loop()
        with self.doorbell.listen(key) as listener:
            while not self.doorbell.closed:
                for parting in listener.partings():
                    yield parting
                for row in await self._rows(key, after, also_since=utcnow() - LATE_COMMIT):
                    if row.id > floor and row.id not in sent:
                        sent[row.id] = loop.time()
                        after = max(after, row.id)
                        yield self._shown(row)
                # Ids given long enough ago are out of the re-read window: forget them.
                horizon = loop.time() - 2 * LATE_COMMIT.total_seconds()
                for old in [i for i, at in sent.items() if at < horizon]:
                    del sent[old]
                await listener.wait(RECHECK)

    def streams_of(self, token: str) -> int:
        return self.doorbell.listening(self.key(token))

    async def _rows(
        self, key: str, after: int | None, also_since: datetime | None = None
    ) -> list[sa.Row]:
        return await self.database.run(
            lambda connection: store.read(
                connection, address_hash=key, after=after, also_since=also_since
            )
        )

    def _shown(self, row: sa.Row) -> dict[str, Any]:
        reply = Reply.from_json(json.loads(self.vault.open(row.payload_enc)))
        return message(reply, message_id=row.id, at=row.created_at)

    # -- running ---------------------------------------------------------------------------------

    async def prune(self) -> int:
        return await self.database.run(store.prune)

    def start(self) -> None:
        self.doorbell.closed = False
        self._task = asyncio.create_task(self.outbox.run(self.sender), name="web-sender")

    async def close(self) -> None:
        self.doorbell.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
