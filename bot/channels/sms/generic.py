"""A plain JSON relay, for Android SMS-gateway phones and providers without a module of their
own. Both ways, the body is signed: X-Hotline-Signature is "sha256=" and the hex HMAC-SHA256
of the exact body under HOTLINE_SMS_RELAY_KEY.

In, to /sms/generic:          {"from": "+996...", "text": "...", "id": "gateway's message id"}
In, to /sms/generic/report:   {"ref": "42", "status": "delivered" | "failed" | "pending",
                               "error": "optional words", "invalid_number": false}
Out, POSTed to HOTLINE_GENERIC_SEND_URL:
                              {"to": "+996...", "text": "...", "ref": "42", "report_url": "..."}
The relay answers 2xx (optionally {"id": "..."}), 429 with Retry-After to slow us down, or a
4xx with {"error": "invalid_number"} for a number that cannot take SMS.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Any, ClassVar

import httpx
from starlette.requests import Request
from starlette.responses import Response

from bot.channels.sms.gateway import (
    Incoming,
    Refused,
    Report,
    network_error,
    register,
    send_error,
)

if TYPE_CHECKING:
    from bot.settings import Settings

SIGNATURE_HEADER = "X-Hotline-Signature"
DELIVERIES = ("delivered", "failed", "pending")


def sign(key: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


@register("generic")
class GenericGateway:
    name: ClassVar[str] = "generic"

    def __init__(self, settings: Settings, *, client: httpx.AsyncClient, report_url: str) -> None:
        self.client = client
        self.key = settings.sms_relay_key.get_secret_value().encode()
        self.send_url = settings.generic_send_url
        self.report_url = report_url

    async def read(self, request: Request, body: bytes) -> Incoming | Report:
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not given or not hmac.compare_digest(given.encode(), sign(self.key, body).encode()):
            raise Refused(401, f"missing or wrong {SIGNATURE_HEADER}")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise Refused(400, "the body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(400, "the body must be a JSON object")
        if request.url.path.endswith("/report"):
            return _report(data)
        sender, text, ident = data.get("from"), data.get("text", ""), data.get("id")
        if not isinstance(sender, str) or not sender:
            raise Refused(400, '"from" must be the sender\'s number')
        if not isinstance(text, str):
            raise Refused(400, '"text" must be a string')
        if ident is not None and not isinstance(ident, str | int):
            raise Refused(400, '"id" must be a string')
        return Incoming(sender=sender, text=text, gateway_id=None if ident is None else str(ident))

    def acknowledge(self, event: Incoming | Report) -> Response:
        return Response(status_code=204)

    async def send(self, to: str, text: str, *, ref: str) -> str | None:
        body = json.dumps(
            {"to": to, "text": text, "ref": ref, "report_url": self.report_url},
            ensure_ascii=False,
        ).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.key, body)}
        try:
            response = await self.client.post(self.send_url, content=body, headers=headers)
        except httpx.HTTPError as error:
            raise network_error(error) from None
        answer = _json(response)
        error = send_error(response, unreachable=answer.get("error") == "invalid_number")
        if error is not None:
            raise error
        ident = answer.get("id")
        return str(ident) if isinstance(ident, str | int) else None


def _report(data: dict[str, Any]) -> Report:
    ref, status = data.get("ref"), data.get("status")
    if not isinstance(ref, str | int) or status not in DELIVERIES:
        raise Refused(400, '"ref" and a "status" of delivered, failed or pending are required')
    detail = data.get("error")
    return Report(
        ref=str(ref),
        delivery=status,
        detail=detail[:200] if isinstance(detail, str) else None,
        invalid_number=data.get("invalid_number") is True,
    )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
