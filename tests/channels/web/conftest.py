"""The hotline serving its web chat from a real uvicorn on loopback (so server-sent events
really stream), and browsers: HTTP clients with cookie jars of their own."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI

from bot.app import Hotline, create_app
from bot.channels.web import CHANNEL
from bot.channels.web.person import COOKIE
from bot.engine.messages import Reply
from bot.settings import Settings
from bot.storage.models import Contact

_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stream:
    """The page's event stream, read as EventSource reads it (by a task of its own, so a
    wait that times out does not cut the stream)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._events: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())

    async def next(self, within: float = 1.0) -> dict[str, Any]:
        """The next message event; fails if none comes within `within` seconds."""
        try:
            event = await asyncio.wait_for(self._events.get(), within)
        except TimeoutError:
            raise AssertionError(f"no message on the stream within {within} s") from None
        if event is None:
            raise AssertionError("the stream ended")
        return event

    async def quiet(self, for_: float = 0.5) -> None:
        """Nothing comes for a while."""
        try:
            event = await asyncio.wait_for(self._events.get(), for_)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected on the stream: {event}")

    async def _read(self) -> None:
        data: list[str] = []
        try:
            async for line in self.response.aiter_lines():
                if line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))
                elif not line and data:  # a blank line ends an event; comments are pings
                    self._events.put_nowait(json.loads("\n".join(data)))
                    data = []
        finally:
            self._events.put_nowait(None)

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await self._reader


class Browser:
    """One person's browser: the page's requests, with the person's cookie."""

    def __init__(self, base: str, token: str | None = None, **headers: str) -> None:
        self.client = httpx.AsyncClient(base_url=base, headers=headers, timeout=10)
        if token is not None:  # a browser that kept the cookie from an earlier visit
            self.client.cookies.set(COOKIE, token, domain="127.0.0.1", path="/chat")

    @property
    def token(self) -> str | None:
        return self.client.cookies.get(COOKIE)

    async def open(self) -> httpx.Response:
        response = await self.client.get("/chat")
        assert response.status_code == 200, response.text
        return response

    async def post(self, body: Any = None, **kwargs: Any) -> httpx.Response:
        if body is not None:  # escaped as JSON.stringify does, lone surrogates included
            kwargs["content"] = json.dumps(body).encode()
            kwargs["headers"] = {"content-type": "application/json"}
        return await self.client.post("/chat/api/messages", **kwargs)

    async def say(
        self, text: str | None = None, *, option: str | None = None, id: str | None = None
    ) -> str:
        """Send a message as the page does; returns its id."""
        message_id = id or f"test-message-{next(_ids)}"
        body = {"id": message_id, "text": text} if option is None else {"id": message_id}
        if option is not None:
            body["option"] = option
        response = await self.post(body)
        assert response.status_code == 202, response.text
        assert response.json() == {"id": message_id}
        return message_id

    async def messages(self, after: int | None = None, wait: int = 0) -> list[dict[str, Any]]:
        params: dict[str, int] = {"wait": wait} if wait else {}
        if after is not None:
            params["after"] = after
        response = await self.client.get("/chat/api/messages", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        return response.json()["messages"]

    async def replies(self, after: int = 0, settle: float = 0.3) -> list[dict[str, Any]]:
        """What arrives after `after`: waits for the first, then for the rest to follow."""
        found = await self.messages(after=after, wait=5)
        assert found, "no reply within 5 s"
        while True:
            await asyncio.sleep(settle)
            more = await self.messages(after=found[-1]["id"])
            if not more:
                return found
            found += more

    @asynccontextmanager
    async def stream(self, after: int = 0) -> AsyncIterator[Stream]:
        async with self.client.stream(
            "GET", "/chat/api/stream", params={"after": after}, timeout=None
        ) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = Stream(response)
            try:
                yield stream
            finally:
                await stream.close()

    async def close(self) -> None:
        await self.client.aclose()


@dataclass
class WebChat:
    app: FastAPI
    base: str
    _browsers: list[Browser]

    @property
    def hotline(self) -> Hotline:
        return self.app.state.hotline

    def browser(self, token: str | None = None, **headers: str) -> Browser:
        browser = Browser(self.base, token, **headers)
        self._browsers.append(browser)
        return browser

    async def operator_writes(self, token: str, text: str, language: str = "ru") -> None:
        """What the console does with an operator's answer: queue it in the outbox for the
        person's address, and hand it to this process's sender once committed."""
        hotline = self.hotline
        address_hash = hotline.vault.lookup(token)
        contacts = Contact.__table__

        def work(connection: sa.Connection) -> list:
            contact_id = connection.execute(
                sa.select(contacts.c.id).where(
                    contacts.c.channel == CHANNEL, contacts.c.address_hash == address_hash
                )
            ).scalar_one()
            return hotline.outbox.enqueue(
                connection,
                contact_id=contact_id,
                channel=CHANNEL,
                address=token,
                replies=[Reply(text=text, language=language)],
            )

        handed = await hotline.database.run(work)
        hotline.outbox.hand_over(CHANNEL, handed)
        hotline.outbox.wake(CHANNEL)


@asynccontextmanager
async def serving(settings: Settings, hotline: Hotline | None = None) -> AsyncIterator[WebChat]:
    """The app as `hotline serve` runs it (start-up and shut-down included), on loopback."""
    app = create_app(settings, hotline)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws="none"
        )
    )
    task = asyncio.create_task(server.serve())
    chat = WebChat(app, f"http://127.0.0.1:{port}", [])
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield chat
    finally:
        for browser in chat._browsers:
            await browser.close()
        server.should_exit = True
        await task


@pytest.fixture
async def web_chat(settings: Settings) -> AsyncIterator[WebChat]:
    async with serving(settings) as chat:
        yield chat
