"""Twilio, and providers that copy its API: messages arrive as a signed form POST (the
X-Twilio-Signature header), replies go out through the Messages REST resource, and delivery
reports come to the StatusCallback we give with each message.

https://www.twilio.com/docs/usage/webhooks/webhooks-security (the signature)
https://www.twilio.com/docs/messaging/api/message-resource (sending, statuses)
https://www.twilio.com/docs/api/errors (the error codes below)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar
from urllib.parse import parse_qsl

import httpx
from starlette.requests import Request
from starlette.responses import Response
from twilio.request_validator import RequestValidator

from bot.channels.sms.gateway import (
    Incoming,
    Refused,
    Report,
    network_error,
    register,
    send_error,
)
from bot.outbox import SendError

if TYPE_CHECKING:
    from bot.settings import Settings

SIGNATURE_HEADER = "X-Twilio-Signature"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# 21211 invalid "To" number, 21614 not a mobile number, 21610 the person sent STOP to Twilio.
UNREACHABLE_CODES = frozenset({21211, 21614, 21610})
# Status callback ErrorCode: 30005 unknown handset, 30006 landline or unreachable carrier.
INVALID_NUMBER_CODES = frozenset({"30005", "30006"})
PENDING = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})


@register("twilio")
class TwilioGateway:
    name: ClassVar[str] = "twilio"

    def __init__(self, settings: Settings, *, client: httpx.AsyncClient, report_url: str) -> None:
        self.client = client
        self.account = settings.twilio_account_sid
        self.token = settings.twilio_auth_token.get_secret_value()
        self.sender = settings.sms_sender
        self.messages_url = (
            f"{settings.twilio_api_base}/2010-04-01/Accounts/{self.account}/Messages.json"
        )
        self.report_url = report_url
        # Twilio signs the address it called, which is the public one, not what a proxy
        # in front of us passes on.
        self.public_base = settings.callback_base
        self.validator = RequestValidator(self.token)

    async def read(self, request: Request, body: bytes) -> Incoming | Report:
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            raise Refused(401, f"missing {SIGNATURE_HEADER}")
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            raise Refused(400, "the form is not UTF-8") from None
        url = self.public_base + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        if not self.validator.validate(url, params, signature):
            raise Refused(401, "wrong signature")
        if params.get("AccountSid") not in (None, self.account):
            raise Refused(401, "another account's request")
        if request.url.path.endswith("/report"):
            return self._report(request, params)
        sender, sid = params.get("From"), params.get("MessageSid") or params.get("SmsSid")
        if not sender or not sid:
            raise Refused(400, "From and MessageSid are required")
        return Incoming(sender=sender, text=params.get("Body", ""), gateway_id=sid)

    @staticmethod
    def _report(request: Request, params: dict[str, str]) -> Report:
        ref = request.query_params.get("ref", "")
        status = params.get("MessageStatus") or params.get("SmsStatus")
        if not ref or not status:
            raise Refused(400, "ref and MessageStatus are required")
        code = params.get("ErrorCode") or None
        if status == "delivered":
            return Report(ref=ref, delivery="delivered")
        if status in PENDING:
            return Report(ref=ref, delivery="pending", detail=status)
        return Report(
            ref=ref,
            delivery="failed",
            detail=f"{status} {code or ''}".strip(),
            invalid_number=code in INVALID_NUMBER_CODES,
        )

    def acknowledge(self, event: Incoming | Report) -> Response:
        if isinstance(event, Report):
            return Response(status_code=204)
        # Empty TwiML: we answer through the REST API (the outbox), never in the response.
        return Response(EMPTY_TWIML, media_type="text/xml")

    async def send(self, to: str, text: str, *, ref: str) -> str | None:
        form = {"To": to, "From": self.sender, "Body": text}
        if ref:
            form["StatusCallback"] = f"{self.report_url}?ref={ref}"
        try:
            response = await self.client.post(
                self.messages_url, data=form, auth=(self.account, self.token)
            )
        except httpx.HTTPError as error:
            raise network_error(error) from None
        code = _error_code(response)
        error = send_error(response, unreachable=code in UNREACHABLE_CODES)
        if error is not None:
            if code is not None:
                error = SendError(
                    f"{error} code {code}",
                    retryable=error.retryable,
                    retry_after=error.retry_after,
                    unreachable=error.unreachable,
                )
            raise error
        try:
            return str(response.json()["sid"])
        except (ValueError, KeyError, TypeError):
            return None


def _error_code(response: httpx.Response) -> int | None:
    if response.status_code < 400:
        return None
    try:
        code = response.json().get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None
