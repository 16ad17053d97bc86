"""A hotline with its Telegram channel on, against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from bot.app import Hotline, build
from bot.settings import Settings
from tests.fakes.bot_api import BotApi, BotApiServer


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait until the condition holds; fail the test if it does not in time."""
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for a condition")
        await asyncio.sleep(0.01)


@pytest.fixture
async def bot_api() -> AsyncIterator[BotApiServer]:
    async with BotApiServer(BotApi()) as server:
        yield server


@pytest.fixture
def telegram_settings(settings: Settings, bot_api: BotApiServer) -> Settings:
    return settings.model_copy(
        update={
            "telegram_token": settings.telegram_token.__class__(bot_api.api.token),
            "telegram_api_base": bot_api.base,
        }
    )


@pytest.fixture
async def polling(telegram_settings: Settings) -> AsyncIterator[Hotline]:
    """The hotline with Telegram in long-polling mode, running."""
    hotline = build(telegram_settings)
    await hotline.start_channels()
    yield hotline
    await hotline.close()
