"""The Telegram sender against the stand-in Bot API: rates, and every error as the outbox
needs it (wait, retry, give up, stop writing to the chat)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.channels.telegram.sender import TelegramSender, Window
from bot.engine.messages import Option, Reply
from bot.outbox import SendError
from tests.fakes.bot_api import BotApiServer


@pytest.fixture
async def sender(bot_api: BotApiServer) -> AsyncIterator[TelegramSender]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base))
    bot = Bot(token=bot_api.api.token, session=session)
    yield TelegramSender(bot, per_second=1000)
    await bot.session.close()


async def test_a_reply_arrives_with_its_buttons_and_returns_the_message_id(
    sender: TelegramSender, bot_api: BotApiServer
):
    reply = Reply(text="Текст", options=(Option("Работа", "open:work"), Option("Меню", "home")))
    assert await sender.send("42", reply) == "1"
    sent = bot_api.api.sent[-1]
    assert (sent.chat_id, sent.text) == (42, "Текст")
    assert sent.reply_markup == {
        "inline_keyboard": [
            [{"text": "Работа", "callback_data": "open:work"}],
            [{"text": "Меню", "callback_data": "home"}],
        ]
    }


async def test_flood_control_is_a_wait_for_everyone(sender: TelegramSender, bot_api: BotApiServer):
    bot_api.api.fail_next.append(429)
    with pytest.raises(SendError) as caught:
        await sender.send("42", Reply(text="a"))
    assert caught.value.retryable and caught.value.retry_after == 1
    started = time.monotonic()
    await sender.send("43", Reply(text="b"))  # another chat waits out the pause too
    assert time.monotonic() - started >= 0.9


@pytest.mark.parametrize("code", [500, 502])
async def test_server_errors_are_retried(sender: TelegramSender, bot_api: BotApiServer, code: int):
    bot_api.api.fail_next.append(code)
    with pytest.raises(SendError) as caught:
        await sender.send("42", Reply(text="a"))
    assert caught.value.retryable and caught.value.retry_after is None
    assert await sender.send("42", Reply(text="a")) is not None


async def test_a_dropped_connection_is_retried(sender: TelegramSender, bot_api: BotApiServer):
    bot_api.api.drop_next = 1
    with pytest.raises(SendError) as caught:
        await sender.send("42", Reply(text="a"))
    assert caught.value.retryable
    assert bot_api.api.sent == []


async def test_a_person_who_blocked_the_bot_is_unreachable(
    sender: TelegramSender, bot_api: BotApiServer
):
    bot_api.api.blocked.add(42)
    with pytest.raises(SendError) as caught:
        await sender.send("42", Reply(text="a"))
    assert caught.value.unreachable and not caught.value.retryable


async def test_a_refused_message_is_not_retried(sender: TelegramSender, bot_api: BotApiServer):
    with pytest.raises(SendError) as caught:
        await sender.send("42", Reply(text="x" * 5000))  # the renderer never lets this through
    assert not caught.value.retryable and not caught.value.unreachable
    with pytest.raises(SendError) as caught:
        await sender.send("not-a-chat", Reply(text="a"))
    assert caught.value.unreachable


async def test_retracted_messages_are_deleted_before_the_reply(
    sender: TelegramSender, bot_api: BotApiServer
):
    for text in ("one", "two"):
        await sender.send("42", Reply(text=text))
    await sender.send("42", Reply(text="erased", retract=("1", "2", "999")))
    assert [(s.text, s.deleted) for s in bot_api.api.sent] == [
        ("one", True),
        ("two", True),
        ("erased", False),
    ]


async def test_one_chat_gets_a_short_burst_then_about_one_a_second(bot_api: BotApiServer):
    session = AiohttpSession(api=TelegramAPIServer.from_base(bot_api.base))
    bot = Bot(token=bot_api.api.token, session=session)
    try:
        sender = TelegramSender(bot, per_second=30)
        started = time.monotonic()
        for n in range(5):
            await sender.send("42", Reply(text=str(n)))
        elapsed = time.monotonic() - started
    finally:
        await bot.session.close()
    # Three go at once, the fourth and fifth wait about a second each; the server saw no flood.
    assert elapsed >= 1.5
    assert bot_api.api.too_many == 0 and len(bot_api.api.sent) == 5


async def test_the_window_never_holds_more_than_the_limit_and_catches_up():
    window = Window(5, seconds=0.2)
    moments = []
    for index in range(20):
        if index == 7:
            await asyncio.sleep(0.05)  # a send that came late: the rest make up for it
        await window.acquire()
        moments.append(time.monotonic())
    assert all(later - first >= 0.2 for first, later in zip(moments, moments[5:], strict=False))
    assert moments[-1] - moments[0] < 0.2 * 3 + 0.15  # 20 sends: three full windows and a bit
