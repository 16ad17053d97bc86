"""The generic JSON relay, through the real ASGI app and a stand-in relay on loopback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.channels.sms.generic import SIGNATURE_HEADER, sign
from bot.storage.models import Contact
from tests.fakes.sms_gateway import relay_request

GOOD = {"from": "+996700123456", "text": "паспорт забрали", "id": "m-1"}


@dataclass
class Case:
    label: str
    data: Any = None
    raw: bytes | None = None  # sent as is, signed
    signature: str = "good"  # good, wrong, missing
    path: str = "/sms/generic"
    status: int = 204
    replies: bool = False  # whether the relay gets SMS afterwards
    reply_has: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("a message is answered", GOOD, replies=True, reply_has="паспорт"),
    Case("a wrong signature is refused", GOOD, signature="wrong", status=401),
    Case("no signature is refused", GOOD, signature="missing", status=401),
    Case("not JSON", raw=b"from=+996700123456&text=hi", status=400),
    Case("invalid UTF-8", raw=b'{"from": "+996700123456", "text": "\xff\xfe"}', status=400),
    Case("a JSON list", [GOOD], status=400),
    Case("no sender", {"text": "hi", "id": "x"}, status=400),
    Case("a sender that is no number", {"from": "Bank", "text": "hi"}, status=400),
    Case("text not a string", {"from": "+996700123456", "text": 5}, status=400),
    Case("an empty text gets the start", {"from": "+996700123456", "text": ""}, replies=True),
    Case("1 MB is too large", {"from": "+996700123456", "text": "а" * 600_000}, status=413),
    Case(
        "a huge text within the cap is cut and answered",
        {"from": "+996700123456", "text": "паспорт " * 50_000},
        replies=True,
    ),
    Case("a report for nothing of ours", {"ref": "999", "status": "delivered"},
         path="/sms/generic/report"),
    Case("a report without status", {"ref": "1"}, path="/sms/generic/report", status=400),
    Case(
        "a report with an unknown status",
        {"ref": "1", "status": "maybe"},
        path="/sms/generic/report",
        status=400,
    ),
    Case(
        "an unsigned report",
        {"ref": "1", "status": "failed"},
        path="/sms/generic/report",
        signature="missing",
        status=401,
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
async def test_requests(case: Case, sms_service, caplog):
    async with sms_service("generic", sms_segment_budget=3) as service:
        if case.raw is not None:
            body, (_, headers) = case.raw, relay_request(service.gateway, None)
            headers[SIGNATURE_HEADER] = sign(service.gateway.relay_key.encode(), body)
        else:
            body, headers = relay_request(service.gateway, case.data)
        if case.signature == "wrong":
            headers[SIGNATURE_HEADER] = "sha256=" + "0" * 64
        elif case.signature == "missing":
            del headers[SIGNATURE_HEADER]
        response = await service.post(case.path, body, headers)
        assert response.status_code == case.status, response.text
        await service.flush()
        # A first message is answered (and the language asked when the text does not say it).
        assert (len(service.gateway.sent) > 0) == bool(case.replies)
        if case.reply_has:
            assert case.reply_has in service.gateway.sent[0].text.lower()
        assert service.gateway.unsigned == 0
    # Secrets and what people wrote never reach the logs.
    for secret in (service.gateway.relay_key, "+996700123456", "паспорт забрали"):
        assert secret not in caplog.text


async def test_a_repeated_message_id_is_answered_once(sms_service):
    async with sms_service("generic") as service:
        body, headers = relay_request(service.gateway, GOOD)
        assert (await service.post("/sms/generic", body, headers)).status_code == 204
        await service.flush()
        answered = len(service.gateway.sent)
        assert answered >= 1
        for _ in range(2):
            assert (await service.post("/sms/generic", body, headers)).status_code == 204
        await service.flush()
        assert len(service.gateway.sent) == answered


async def test_replies_are_signed_and_carry_the_report_address(sms_service):
    async with sms_service("generic") as service:
        body, headers = relay_request(service.gateway, GOOD)
        await service.post("/sms/generic", body, headers)
        await service.flush()
        sms = service.gateway.sent[0]
        assert sms.to == "+996700123456"
        assert sms.report_url == "https://hotline.example.org/sms/generic/report"
        rows = await service.outbox_rows()
        assert [s.ref for s in service.gateway.sent] == [str(row.id) for row in rows]


async def test_a_delivery_report_is_recorded(sms_service):
    async with sms_service("generic") as service:
        body, headers = relay_request(service.gateway, GOOD)
        await service.post("/sms/generic", body, headers)
        await service.flush()
        ref = service.gateway.sent[0].ref
        body, headers = relay_request(service.gateway, {"ref": ref, "status": "delivered"})
        assert (await service.post("/sms/generic/report", body, headers)).status_code == 204
        row = (await service.outbox_rows())[0]
        assert (row.status, row.delivery) == ("sent", "delivered")
        assert row.delivery_at is not None


async def test_an_invalid_number_stops_sending_to_it(sms_service):
    async with sms_service("generic") as service:
        body, headers = relay_request(service.gateway, GOOD)
        await service.post("/sms/generic", body, headers)
        await service.flush()
        ref = service.gateway.sent[0].ref
        report = {"ref": ref, "status": "failed", "error": "no such number", "invalid_number": True}
        body, headers = relay_request(service.gateway, report)
        await service.post("/sms/generic/report", body, headers)
        table = Contact.__table__
        rows = await service.hotline.database.run(lambda c: c.execute(table.select()).all())
        assert rows[0].unreachable_at is not None


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [(500, None, "queued"), (429, None, "queued"), (400, None, "failed"), (404, 1, "failed")],
)
async def test_relay_errors(sms_service, status, code, outcome):
    async with sms_service("generic") as service:
        service.gateway.fail(status, code)
        body, headers = relay_request(service.gateway, GOOD)
        await service.post("/sms/generic", body, headers)
        await service.flush()
        assert service.gateway.sent == []
        row = (await service.outbox_rows())[0]
        assert row.status == outcome
        if code:  # the relay said the number cannot take SMS
            table = Contact.__table__
            rows = await service.hotline.database.run(lambda c: c.execute(table.select()).all())
            assert rows[0].unreachable_at is not None


async def test_a_late_interim_report_does_not_undo_delivery(sms_service):
    async with sms_service("generic") as service:
        body, headers = relay_request(service.gateway, GOOD)
        await service.post("/sms/generic", body, headers)
        await service.flush()
        ref = service.gateway.sent[0].ref
        for status in ("delivered", "pending"):
            body, headers = relay_request(service.gateway, {"ref": ref, "status": status})
            assert (await service.post("/sms/generic/report", body, headers)).status_code == 204
        row = (await service.outbox_rows())[0]
        assert row.delivery == "delivered"
