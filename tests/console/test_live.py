"""The live queue over a real server on loopback: a person asks for a human and the case is
in a signed-in operator's queue within a second, without reloading."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa
import uvicorn

from bot.app import Hotline, create_app
from bot.console.routes import queue
from bot.engine.messages import Inbound
from bot.settings import Settings
from bot.storage.models import Case
from tests.console.conftest import Console, post, sign_in


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
async def served(settings: Settings, hotline: Hotline) -> AsyncIterator[tuple[Console, str]]:
    """The app under uvicorn in this event loop (so the test and the server share the hotline)."""
    app = create_app(settings, hotline)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "server did not start"
        await asyncio.sleep(0.05)
    try:
        yield Console(app=app, hotline=hotline), f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


async def _events(stream: httpx.Response) -> AsyncIterator[str]:
    """Event names as they arrive (pings are comments and are skipped)."""
    async for line in stream.aiter_lines():
        if line.startswith("event:"):
            yield line.partition(":")[2].strip()


async def _until(events: AsyncIterator[str], name: str) -> list[str]:
    seen = []
    async for event in events:
        seen.append(event)
        if event == name:
            return seen
    return seen


async def test_a_new_case_reaches_the_queue_within_a_second(served):
    console, base = served
    await console.operator("aigul", "hotline")
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        await sign_in(client, "aigul")
        assert "No open cases" in (await client.get("/console/")).text
        async with client.stream("GET", "/console/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream)
            assert await anext(events) == "hello"
            started = time.monotonic()
            await console.hotline.switchboard.receive(
                Inbound(
                    channel="sms",
                    address="+996555123456",
                    text="хочу поговорить с человеком",
                    language_hint="ru",
                )
            )
            assert await asyncio.wait_for(anext(events), 1) == "changed"
            queue = await client.get("/console/queue", headers={"x-requested-with": "console"})
            elapsed = time.monotonic() - started
        [case_id] = await console.run(
            lambda c: c.execute(sa.select(Case.__table__.c.id)).scalars().all()
        )
        assert f'href="/console/cases/{case_id}"' in queue.text
        assert elapsed < 1, elapsed


async def test_the_stream_needs_a_session_and_ends_with_it(served, monkeypatch):
    console, base = served
    monkeypatch.setattr(queue, "TICK", 0.2)
    await console.operator("aigul", "hotline")
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        assert (await client.get("/console/events")).status_code == 401  # the script reloads
        fragment = await client.get("/console/queue", headers={"x-requested-with": "console"})
        assert fragment.status_code == 401
        await sign_in(client, "aigul")
        async with client.stream("GET", "/console/events") as stream:
            events = _events(stream)
            assert await anext(events) == "hello"
            assert await asyncio.wait_for(anext(events), 2) == "tick"
            # Signed out (here, or anywhere): the next quiet moment tells the page.
            await post(client, "/console/", "/console/logout")
            seen = await asyncio.wait_for(_until(events, "signout"), 3)
            assert set(seen) <= {"tick", "signout"}
            with pytest.raises(StopAsyncIteration):
                await asyncio.wait_for(anext(events), 2)
