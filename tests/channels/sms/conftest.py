"""A hotline with its SMS channel on, against a stand-in gateway on loopback, and one harness
that sends gateway requests through the real ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.app import Hotline, build, create_app
from bot.settings import Settings
from bot.storage.models import OutboxMessage
from tests.fakes.sms_gateway import Gateway, GatewayServer

PUBLIC = "https://hotline.example.org"


@dataclass
class SmsService:
    hotline: Hotline
    client: httpx.AsyncClient  # to the hotline's ASGI app
    gateway: Gateway

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return await self.client.post(path, content=body, headers=headers)

    async def flush(self) -> int:
        """Send what the outbox holds for SMS now; returns how many were claimed."""
        assert self.hotline.sms is not None
        return await self.hotline.outbox.dispatch_once(self.hotline.sms.sender)

    async def outbox_rows(self) -> list[sa.Row]:
        table = OutboxMessage.__table__
        return await self.hotline.database.run(
            lambda c: c.execute(sa.select(table).order_by(table.c.id)).all()
        )


@pytest.fixture
async def gateway_server() -> AsyncIterator[GatewayServer]:
    async with GatewayServer() as server:
        yield server


@pytest.fixture
def sms_settings(settings: Settings, gateway_server: GatewayServer) -> Callable[[str], Settings]:
    def make(kind: str, **extra: object) -> Settings:
        gateway = gateway_server.gateway
        values: dict[str, object] = {
            "sms_gateway": kind,
            "sms_relay_key": SecretStr(gateway.relay_key),
            "sms_callback_url": PUBLIC,
            "sms_max_per_second": 100,
            "twilio_account_sid": gateway.account,
            "twilio_auth_token": SecretStr(gateway.token),
            "twilio_api_base": gateway_server.base,
            "sms_sender": "+15005550006",
            "generic_send_url": f"{gateway_server.base}/relay/send",
        }
        values.update(extra)
        return settings.model_copy(update=values)

    return make


@pytest.fixture
def sms_service(
    sms_settings: Callable[..., Settings], gateway_server: GatewayServer
) -> Callable[..., object]:
    @asynccontextmanager
    async def serving(kind: str, **extra: object) -> AsyncIterator[SmsService]:
        settings = sms_settings(kind, **extra)
        hotline = build(settings)
        app = create_app(settings, hotline)
        app.state.hotline = hotline  # the sender is driven by the test, not started
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as client:
                yield SmsService(hotline, client, gateway_server.gateway)
        finally:
            await hotline.close()

    return serving
