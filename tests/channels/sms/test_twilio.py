"""The Twilio gateway, through the real ASGI app and a stand-in Twilio REST API on loopback;
webhooks are signed with Twilio's own library, as Twilio signs them."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.storage.models import Contact
from tests.channels.sms.conftest import PUBLIC
from tests.fakes.sms_gateway import Gateway, twilio_message, twilio_request

NUMBER = "+992900123456"


@dataclass
class Case:
    label: str
    params: dict[str, str] = field(default_factory=dict)
    path: str = "/sms/twilio"
    signed_for: str | None = None  # the URL the signature is made for (default: the right one)
    signature: str | None = None  # replaces the signature
    status: int = 200
    replies: bool = False


def message(text: str = "паспорт забрали", sid: str = "SM1", **extra: str) -> dict[str, str]:
    return {**twilio_message(Gateway(), NUMBER, text, sid), **extra}


DELIVERED = {"MessageSid": "SM9", "MessageStatus": "delivered"}
CASES = [
    Case("a message is answered with empty TwiML", message(), replies=True),
    Case("Tajik text arrives intact", message("шиносномаамро гирифтанд"), replies=True),
    Case("a wrong signature", message(), signature="bm90IHRoZSByaWdodCBvbmU=", status=401),
    Case("no signature", message(), signature="", status=401),
    Case("signed for another address", message(), signed_for="https://evil.example/sms/twilio",
         status=401),
    Case("another account", message(AccountSid="AC" + "1" * 32), status=401),
    Case("no From", {k: v for k, v in message().items() if k != "From"}, status=400),
    Case("no MessageSid", {k: v for k, v in message().items() if k not in ("MessageSid", "SmsSid")},
         status=400),
    Case("an empty body still gets an answer", message(""), replies=True),
    Case("a status callback for nothing of ours", DELIVERED, path="/sms/twilio/report?ref=424242",
         status=204),
    Case("a status callback without ref", DELIVERED, path="/sms/twilio/report", status=400),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
async def test_requests(case: Case, sms_service, caplog):
    async with sms_service("twilio") as service:
        url = case.signed_for or PUBLIC + case.path
        body, headers = twilio_request(service.gateway, url, case.params)
        if case.signature is not None:
            headers["X-Twilio-Signature"] = case.signature
            if not case.signature:
                del headers["X-Twilio-Signature"]
        response = await service.post(case.path, body, headers)
        assert response.status_code == case.status, response.text
        if case.status == 200:
            assert response.headers["content-type"].startswith("text/xml")
            assert "<Response></Response>" in response.text
        await service.flush()
        assert bool(service.gateway.sent) == case.replies
    for secret in (service.gateway.token, NUMBER):
        assert secret not in caplog.text


async def test_a_reply_goes_through_the_rest_api_with_a_status_callback(sms_service):
    async with sms_service("twilio") as service:
        body, headers = twilio_request(service.gateway, f"{PUBLIC}/sms/twilio", message())
        await service.post("/sms/twilio", body, headers)
        await service.flush()
        first = service.gateway.sent[0]
        assert first.to == NUMBER
        assert "паспорт" in first.text
        assert first.report_url == f"{PUBLIC}/sms/twilio/report?ref={first.ref}"

        # Twilio reports delivery to that address, signed for it.
        report = {"MessageSid": "SM1", "MessageStatus": "delivered"}
        body, headers = twilio_request(service.gateway, first.report_url, report)
        response = await service.post(f"/sms/twilio/report?ref={first.ref}", body, headers)
        assert response.status_code == 204
        row = (await service.outbox_rows())[0]
        assert row.delivery == "delivered"


async def test_undelivered_to_an_unknown_handset_stops_sending(sms_service):
    async with sms_service("twilio") as service:
        body, headers = twilio_request(service.gateway, f"{PUBLIC}/sms/twilio", message())
        await service.post("/sms/twilio", body, headers)
        await service.flush()
        first = service.gateway.sent[0]
        report = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30005"}
        body, headers = twilio_request(service.gateway, first.report_url, report)
        await service.post(f"/sms/twilio/report?ref={first.ref}", body, headers)
        row = (await service.outbox_rows())[0]
        assert (row.delivery, row.error) == ("failed", "undelivered 30005")
        table = Contact.__table__
        [contact] = await service.hotline.database.run(lambda c: c.execute(table.select()).all())
        assert contact.unreachable_at is not None


@pytest.mark.parametrize(
    ("status", "code", "outcome", "unreachable"),
    [
        (500, None, "queued", False),  # Twilio's trouble: try again
        (429, 20429, "queued", False),  # too many requests: wait and try again
        (400, 21211, "failed", True),  # not a valid phone number
        (400, 21610, "failed", True),  # the person sent STOP to Twilio
        (400, 21617, "failed", False),  # a refusal that says nothing about the number
    ],
)
async def test_rest_api_errors(sms_service, status, code, outcome, unreachable):
    async with sms_service("twilio") as service:
        service.gateway.fail(status, code)
        body, headers = twilio_request(service.gateway, f"{PUBLIC}/sms/twilio", message())
        await service.post("/sms/twilio", body, headers)
        await service.flush()
        row = (await service.outbox_rows())[0]
        assert row.status == outcome
        assert (code is None) or str(code) in row.error
        table = Contact.__table__
        [contact] = await service.hotline.database.run(lambda c: c.execute(table.select()).all())
        assert (contact.unreachable_at is not None) == unreachable


async def test_a_redelivered_webhook_is_answered_once(sms_service):
    async with sms_service("twilio") as service:
        body, headers = twilio_request(service.gateway, f"{PUBLIC}/sms/twilio", message())
        assert (await service.post("/sms/twilio", body, headers)).status_code == 200
        await service.flush()
        answered = len(service.gateway.sent)
        assert answered >= 1
        assert (await service.post("/sms/twilio", body, headers)).status_code == 200
        await service.flush()
        assert len(service.gateway.sent) == answered


async def test_stop_is_confirmed_once_and_then_nothing_until_start(sms_service):
    async with sms_service("twilio") as service:

        async def say(text: str, sid: str) -> list[str]:
            before = len(service.gateway.sent)
            params = message(text, sid)
            body, headers = twilio_request(service.gateway, f"{PUBLIC}/sms/twilio", params)
            assert (await service.post("/sms/twilio", body, headers)).status_code == 200
            await service.flush()
            return [sms.text for sms in service.gateway.sent[before:]]

        assert await say("паспорт забрали", "SM1")
        [confirmation] = await say("СТОП", "SM2")
        assert "START" in confirmation
        assert await say("паспорт забрали", "SM3") == []
        assert await say("START", "SM4")
