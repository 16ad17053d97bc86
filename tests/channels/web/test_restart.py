"""What the web chat acknowledged survives the process: a message answered 202 is stored with
its replies, which a later process sends; the conversation is still there after restarts;
erasing clears the page too."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager

import httpx
import pytest
import sqlalchemy as sa

from bot.app import build, create_app
from bot.channels.web.person import COOKIE
from bot.settings import Settings
from bot.storage.models import Contact, WebMessage
from tests.channels.web.conftest import Browser, Stream, serving

PERSON = "хочу поговорить с человеком"


async def test_an_acknowledged_message_is_answered_after_a_restart(settings: Settings):
    # A process that stores and acknowledges, and stops before sending anything (no start-up
    # ran, so no sender): as if it died right after the acknowledgement.
    hotline = build(settings)
    app = create_app(settings, hotline)
    app.state.hotline = hotline
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://hotline") as client:
        response = await client.post(
            "/chat/api/messages", json={"id": "before-the-crash", "text": PERSON}
        )
        assert response.status_code == 202
        token = client.cookies[COOKIE]
        assert (await client.get("/chat/api/messages")).json() == {"messages": []}
    await hotline.close()

    async with serving(settings) as chat:
        browser = chat.browser(token)
        replies = await browser.replies()
        assert any("Оператор напишет вам сюда" in reply["text"] for reply in replies)
        # The page retries the message it sent before the crash: a repeat, dropped.
        await browser.say(PERSON, id="before-the-crash")
        await asyncio.sleep(0.5)
        assert await browser.messages(after=replies[-1]["id"]) == []

    async with serving(settings) as chat:
        assert await chat.browser(token).messages() == replies


async def test_shutting_down_ends_open_streams(settings: Settings):
    async def open_then_stop() -> tuple[Browser, AbstractAsyncContextManager[Stream], Stream]:
        async with serving(settings) as chat:
            browser = Browser(chat.base)  # not closed by `serving`: its stream stays open
            opened = browser.stream()
            stream = await opened.__aenter__()
            await stream.quiet(0.2)
        return browser, opened, stream

    browser, opened, stream = await asyncio.wait_for(open_then_stop(), 20)
    with pytest.raises(AssertionError, match="the stream ended"):
        await stream.next(within=2)
    await opened.__aexit__(None, None, None)
    await browser.close()


async def test_erasing_clears_the_page_and_the_table(web_chat):
    browser = web_chat.browser()
    await browser.say(PERSON)
    replies = await browser.replies()
    async with browser.stream(after=replies[-1]["id"]) as stream:
        await browser.say("/forget")
        question = await stream.next(within=2)
        assert "forget:yes" in [option["data"] for option in question["options"]]
        await browser.say(option="forget:yes")
        confirmation = await stream.next(within=2)
    # Kept nowhere (the person is gone), and it tells the page to clear what it shows.
    assert confirmation["erased"] is True and confirmation["id"] is None
    assert confirmation["text"]
    assert await browser.messages() == []
    hotline = web_chat.hotline
    for table in (Contact.__table__, WebMessage.__table__):
        assert await hotline.database.run(lambda c, t=table: c.execute(sa.select(t)).all()) == []
