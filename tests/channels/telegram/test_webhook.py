"""Webhook mode: Telegram posts updates to /telegram/webhook; the service answers 200 only
once the update is stored, and refuses what is not a genuine, sane update."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import Settings
from bot.storage.models import OutboxMessage
from tests.channels.telegram.conftest import until
from tests.fakes import bot_api as tg
from tests.fakes.bot_api import BotApiServer

SECRET = "s3cret-token_for-tests"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def webhook_settings(telegram_settings: Settings) -> Settings:
    return telegram_settings.model_copy(
        update={
            "telegram_mode": "webhook",
            "public_url": "https://hotline.example.org",
            "telegram_webhook_secret": SecretStr(SECRET),
        }
    )


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotline") as client:
            yield client, app.state.hotline


def update(body: dict, update_id: int) -> dict:
    return {"update_id": update_id, **body}


async def test_the_webhook_is_registered_with_its_secret(
    webhook_settings: Settings, bot_api: BotApiServer
):
    async with serving(webhook_settings):
        await until(lambda: bot_api.api.webhook_url != "")
    assert bot_api.api.webhook_url == "https://hotline.example.org/telegram/webhook"
    assert bot_api.api.webhook_secret == SECRET
    assert "ru" in bot_api.api.commands


async def test_an_update_is_stored_before_the_200_then_answered_once(
    webhook_settings: Settings, bot_api: BotApiServer
):
    async with serving(webhook_settings) as (client, hotline):
        body = update(tg.message(701, "/start KG-ru"), 1)
        response = await client.post("/telegram/webhook", json=body, headers=HEADERS)
        assert response.status_code == 200
        # Stored already: the reply is in the outbox whether or not it has gone out yet.
        outbox = OutboxMessage.__table__
        queued = await hotline.database.run(
            lambda c: c.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one()
        )
        assert queued == 1
        again = await client.post("/telegram/webhook", json=body, headers=HEADERS)
        assert again.status_code == 200
        await until(lambda: len(bot_api.api.texts_to(701)) == 1)
        await asyncio.sleep(0.2)
    assert len(bot_api.api.texts_to(701)) == 1


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}])
async def test_requests_without_the_secret_are_refused(
    webhook_settings: Settings, bot_api: BotApiServer, headers: dict
):
    async with serving(webhook_settings) as (client, _):
        body = update(tg.message(702, "/start"), 2)
        response = await client.post("/telegram/webhook", json=body, headers=headers)
        assert response.status_code == 401
        await asyncio.sleep(0.1)
    assert bot_api.api.texts_to(702) == []


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b"[1, 2, 3]",
        b'"just a string"',
        json.dumps({"message": {"text": "no update_id"}}).encode(),
        json.dumps({"update_id": "x" * 10}).encode(),
        '{"update_id": 5, "message": "\u043f"}'.encode("cp1251"),
        b"\xff\xfe\x00\x00",
    ],
)
async def test_malformed_updates_are_400(webhook_settings: Settings, content: bytes):
    async with serving(webhook_settings) as (client, _):
        response = await client.post("/telegram/webhook", content=content, headers=HEADERS)
    assert response.status_code == 400


async def test_bodies_over_a_megabyte_are_413(webhook_settings: Settings):
    huge = json.dumps(update(tg.message(703, "а" * 600_000), 3)).encode()
    async with serving(webhook_settings) as (client, _):
        response = await client.post("/telegram/webhook", content=huge, headers=HEADERS)
        assert response.status_code == 413

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it comes
            for _ in range(20):
                yield b" " * 100_000

        response = await client.post("/telegram/webhook", content=chunks(), headers=HEADERS)
        assert response.status_code == 413


async def test_when_storing_fails_telegram_is_asked_to_retry(
    webhook_settings: Settings, tmp_path: Path
):
    unmigrated = webhook_settings.model_copy(
        update={"database_url": f"sqlite:///{tmp_path}/unmigrated.db"}
    )
    async with serving(unmigrated) as (client, _):
        body = update(tg.message(704, "/start"), 4)
        response = await client.post("/telegram/webhook", json=body, headers=HEADERS)
    assert response.status_code == 503


async def test_without_a_token_there_is_no_webhook(settings: Settings):
    async with serving(settings) as (client, _):
        response = await client.post("/telegram/webhook", json={}, headers=HEADERS)
    assert response.status_code == 404


def test_webhook_mode_needs_an_address_and_a_secret(telegram_settings: Settings):
    with pytest.raises(ValueError, match="HOTLINE_PUBLIC_URL"):
        Settings(**(telegram_settings.model_dump() | {"telegram_mode": "webhook"}))
    with pytest.raises(ValueError, match="1-256 characters"):
        Settings(**(telegram_settings.model_dump() | {"telegram_webhook_secret": "a b"}))
