"""Stand-in SMS gateways for tests, on 127.0.0.1: Twilio's Messages resource and a generic JSON
relay. They take the hotline's outgoing SMS the way the real ones do (Twilio: a form POST with
basic auth, 201 and a JSON message with its sid, JSON errors with a code; the relay: a signed
JSON POST) and can post messages and delivery reports back to the hotline, signed as the real
gateways sign them.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from aiohttp import web
from twilio.request_validator import RequestValidator

from bot.channels.sms.generic import SIGNATURE_HEADER, sign
from tests.fakes.loopback import serve


@dataclass
class Sms:
    to: str
    text: str
    ref: str | None  # our outbox id, as the hotline gave it for delivery reports
    report_url: str | None


@dataclass
class Gateway:
    account: str = "AC" + "0" * 32
    token: str = "twilio-auth-token"
    relay_key: str = "relay-key"
    sent: list[Sms] = field(default_factory=list)
    # The next sends fail with these (HTTP status, Twilio error code or None).
    fail_next: deque[tuple[int, int | None]] = field(default_factory=deque)
    unsigned: int = 0  # relay requests that came without a valid signature

    def fail(self, status: int, code: int | None = None, times: int = 1) -> None:
        self.fail_next.extend([(status, code)] * times)


def make_app(gateway: Gateway) -> web.Application:
    async def twilio_messages(request: web.Request) -> web.Response:
        if request.match_info["account"] != gateway.account:
            return _twilio_error(404, 20404, "The requested resource was not found")
        credentials = f"{gateway.account}:{gateway.token}".encode()
        expected = "Basic " + base64.b64encode(credentials).decode()
        if request.headers.get("Authorization") != expected:
            return _twilio_error(401, 20003, "Authenticate")
        form = await request.post()
        if gateway.fail_next:
            status, code = gateway.fail_next.popleft()
            return _twilio_error(status, code, "injected failure")
        to, body = str(form.get("To", "")), str(form.get("Body", ""))
        if not to.startswith("+"):
            return _twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if len(body) > 1600:  # Twilio's documented limit for one message body
            return _twilio_error(400, 21617, "The concatenated message body exceeds 1600")
        callback = form.get("StatusCallback")
        ref = None
        if callback:
            ref = httpx.URL(str(callback)).params.get("ref")
        gateway.sent.append(Sms(to=to, text=body, ref=ref, report_url=callback and str(callback)))
        sid = f"SM{len(gateway.sent):032d}"
        return web.json_response({"sid": sid, "status": "queued", "to": to}, status=201)

    async def relay(request: web.Request) -> web.Response:
        body = await request.read()
        if request.headers.get(SIGNATURE_HEADER) != sign(gateway.relay_key.encode(), body):
            gateway.unsigned += 1
            return web.json_response({"error": "bad signature"}, status=401)
        if gateway.fail_next:
            status, code = gateway.fail_next.popleft()
            headers = {"Retry-After": "1"} if status == 429 else None
            error = "invalid_number" if code else "failure"
            return web.json_response({"error": error}, status=status, headers=headers)
        data = json.loads(body)
        gateway.sent.append(Sms(data["to"], data["text"], data["ref"], data["report_url"]))
        return web.json_response({"id": f"relay-{len(gateway.sent)}"})

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", twilio_messages)
    app.router.add_post("/relay/send", relay)
    return app


def _twilio_error(status: int, code: int | None, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message, "status": status}, status=status)


class GatewayServer:
    """Runs a Gateway on a free loopback port: `async with GatewayServer() as server`."""

    def __init__(self, gateway: Gateway | None = None) -> None:
        self.gateway = gateway or Gateway()
        self._runner: web.AppRunner | None = None
        self.base = ""

    async def __aenter__(self) -> GatewayServer:
        self._runner, self.base = await serve(make_app(self.gateway))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


# -- requests as the gateways make them --------------------------------------------------------


def twilio_request(
    gateway: Gateway, url: str, params: dict[str, str]
) -> tuple[bytes, dict[str, str]]:
    """A form POST to `url` signed the way Twilio signs its webhooks."""
    signature = RequestValidator(gateway.token).compute_signature(url, params)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature,
    }
    return urlencode(params).encode(), headers


def twilio_message(gateway: Gateway, sender: str, text: str, sid: str) -> dict[str, str]:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": gateway.account,
        "From": sender,
        "To": "+15005550006",
        "Body": text,
        "NumMedia": "0",
    }


def relay_request(gateway: Gateway, data: Any) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(data, ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(gateway.relay_key.encode(), body),
    }
    return body, headers
