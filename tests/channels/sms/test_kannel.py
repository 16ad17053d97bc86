"""The Kannel gateway: what smsbox sends us (read through a Starlette app exactly as smsbox
encodes it), what we send to sendsms (httpx.MockTransport), and one round trip through a real
Kannel (bearerbox, smsbox and fakesmsc from Debian's kannel and kannel-extras)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_from_bytes, urlsplit

import httpx
import pytest
import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.channels.sms.gateway import GATEWAYS, Incoming, Refused, Report
from bot.channels.sms.kannel import DLR_MASK, KannelGateway
from bot.outbox import SendError
from bot.settings import Settings
from tests.channels.sms import kannel_harness
from tests.channels.sms.kannel_harness import (
    SAMPLE,
    Kannel,
    Ports,
    free_ports,
    kannel_settings,
    render_config,
    running_kannel,
)

KEY = "relay-key-0123456789"
PHONE = "+996700123456"
KANNEL_ID = "3215df9b-f150-4f68-aaa5-df37bd06cf4a"
REPORT_URL = "http://127.0.0.1:8080/sms/kannel/report"


def settings(**extra: object) -> Settings:
    values: dict[str, object] = {
        "sms_gateway": "kannel",
        "sms_relay_key": SecretStr(KEY),
        "kannel_sendsms_url": "http://127.0.0.1:13013/cgi-bin/sendsms",
        "kannel_username": "hotline",
        "kannel_password": SecretStr("sendsms-password"),
    }
    values.update(extra)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def kannel_encode(octets: bytes) -> str:
    """URL-encoding as Kannel's octstr_url_encode does it: RFC 2396 unreserved characters
    as they are, a space as "+", every other octet as %XX."""
    return quote_from_bytes(octets, safe=" -_.!~*'()").replace(" ", "+")


def mo_query(
    text: bytes | None = None,
    *,
    key: str | None = KEY,
    sender: str | None = PHONE,
    coding: str | None = "2",
    charset: str | None = "UTF-16BE",
    message_id: str | None = KANNEL_ID,
) -> str:
    """The query string the sample get-url makes (key, id=%I, from=%p, to=%P, coding=%c,
    charset=%C, text=%b)."""
    parts = []
    if key is not None:
        parts.append(f"key={kannel_encode(key.encode())}")
    if message_id is not None:
        parts.append(f"id={message_id}")
    if sender is not None:
        parts.append(f"from={kannel_encode(sender.encode())}")
    parts.append("to=1234")
    if coding is not None:
        parts.append(f"coding={coding}")
    if charset is not None:
        parts.append(f"charset={charset}")
    if text is not None:
        parts.append(f"text={kannel_encode(text)}")
    return "&".join(parts)


def ucs2(text: str) -> bytes:
    return text.encode("utf-16-be")


def app_for(gateway: KannelGateway, record: Callable[[Incoming | Report], None]) -> Starlette:
    """What the SMS channel does with a gateway, without the rest of the hotline."""

    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            event = await gateway.read(request, body)
        except Refused as refused:
            return JSONResponse({"detail": refused.detail}, status_code=refused.status)
        record(event)
        return gateway.acknowledge(event)

    return Starlette(
        routes=[
            Route("/sms/kannel", receive, methods=["GET", "POST"]),
            Route("/sms/kannel/report", receive, methods=["GET", "POST"]),
        ]
    )


@asynccontextmanager
async def reading(gateway: KannelGateway) -> AsyncIterator[tuple[httpx.AsyncClient, list]]:
    events: list[Incoming | Report] = []
    transport = httpx.ASGITransport(app=app_for(gateway, events.append))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
        yield client, events


def gateway_with(handler: Callable[[httpx.Request], httpx.Response], **extra: object):
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return KannelGateway(settings(**extra), client=client, report_url=REPORT_URL), client


# -- reading what smsbox sends -----------------------------------------------------------------


@dataclass
class Read:
    label: str
    query: str
    path: str = "/sms/kannel"
    method: str = "GET"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    event: Incoming | Report | None = None


def incoming(text: str, sender: str = PHONE) -> Incoming:
    return Incoming(sender=sender, text=text, gateway_id=KANNEL_ID)


def report(query: str) -> str:
    return f"key={KEY}&{query}"


READS = [
    Read(
        "Russian as UCS-2",
        mo_query(ucs2("паспорт забрали")),
        event=incoming("паспорт забрали"),
    ),
    Read(
        "Kyrgyz as UCS-2, with the letters only Kyrgyz has",
        mo_query(ucs2("паспортумду алып коюшту, өтүнөм жардам беріңиз")),
        event=incoming("паспортумду алып коюшту, өтүнөм жардам беріңиз"),
    ),
    Read(
        # U+0420 is 04 20: smsbox encodes its low octet as "+", a space.
        "UCS-2 with octets that are spaces, tabs and +",
        mo_query(ucs2("Работодатель\tЉ+ Р")),
        event=incoming("Работодатель\tЉ+ Р"),
    ),
    Read(
        "GSM text arrives as UTF-8",
        mo_query("pasport zabrali @ {100€}".encode(), coding="0", charset="UTF-8"),
        event=incoming("pasport zabrali @ {100€}"),
    ),
    Read(
        "UCS-2 recoded by mo-recode comes as UTF-8 7-bit",
        mo_query("паспорт".encode(), coding="0", charset="UTF-8"),
        event=incoming("паспорт"),
    ),
    Read(
        "no coding or charset: 7-bit UTF-8, as Kannel's default",
        mo_query(b"help", coding=None, charset=None),
        event=incoming("help"),
    ),
    Read(
        "coding 2 without charset is UTF-16BE",
        mo_query(ucs2("помощь"), charset=None),
        event=incoming("помощь"),
    ),
    Read(
        "GSM 03.38 octets, as the user guide says %C may be",
        mo_query("Ø @ ü".encode("gsm03.38"), coding="0", charset="GSM"),
        event=incoming("Ø @ ü"),
    ),
    Read(
        "WINDOWS-1252 after a recoding",
        mo_query("café".encode("cp1252"), coding="0", charset="WINDOWS-1252"),
        event=incoming("café"),
    ),
    Read(
        "an empty SMS is a message",
        mo_query(b""),
        event=incoming(""),
    ),
    Read(
        "no id: Incoming without one",
        mo_query(ucs2("да"), message_id=None),
        event=Incoming(sender=PHONE, text="да", gateway_id=None),
    ),
    Read(
        "a short code sender is passed on",
        mo_query(b"hi", sender="7001", coding="0", charset="UTF-8"),
        event=incoming("hi", sender="7001"),
    ),
    Read(
        "8-bit that is UTF-8 text",
        mo_query("привет".encode(), coding="1", charset="binary"),
        event=incoming("привет"),
    ),
    Read("8-bit data", mo_query(b"\x00\xff\xfe\x01", coding="1", charset="binary"), status=400),
    Read("a wrong key", mo_query(ucs2("да"), key="relay-key-wrong-000000"), status=401),
    Read("no key", mo_query(ucs2("да"), key=None), status=401),
    Read("an empty key", mo_query(ucs2("да"), key=""), status=401),
    Read("the key twice", mo_query(ucs2("да")) + "&key=" + KEY, status=401),
    Read("no sender", mo_query(ucs2("да"), sender=None), status=400),
    Read("an empty sender", mo_query(ucs2("да"), sender=""), status=400),
    Read("no text", mo_query(None), status=400),
    Read("UTF-16 cut in half", mo_query(ucs2("да")[:-1]), status=400),
    Read("a lone surrogate", mo_query(b"\xd8\x00\x00a"), status=400),
    Read("UTF-8 that is not", mo_query(b"\xff\xfe", coding="0", charset="UTF-8"), status=400),
    Read("an unknown charset", mo_query(b"abc", coding="0", charset="EBCDIC-037"), status=400),
    Read("an unknown coding", mo_query(b"abc", coding="7", charset="UTF-8"), status=400),
    Read("1 MB of text in the URL", mo_query(ucs2("а" * 500_000)), status=400),
    Read(
        "1 MB of text posted",
        f"key={KEY}&id={KANNEL_ID}&from=%2B996700123456",
        method="POST",
        body=ucs2("а" * 500_000),
        headers={"content-type": 'text/plain; charset="UTF-16BE"'},
        status=400,
    ),
    Read(
        "the longest concatenated SMS is taken",
        mo_query(ucs2("а" * (255 * 67))),
        event=incoming("а" * (255 * 67)),
    ),
    Read(
        "post-url: the text is the body, the sender a header",
        f"key={KEY}&id={KANNEL_ID}",
        method="POST",
        body=ucs2("паспорт забрали"),
        headers={
            "content-type": 'text/plain; charset="UTF-16BE"',
            "x-kannel-from": PHONE,
            "x-kannel-coding": "2",
        },
        event=incoming("паспорт забрали"),
    ),
    Read(
        "post-url with 7-bit UTF-8 and from= in the URL",
        f"key={KEY}&id={KANNEL_ID}&from=%2B996700123456",
        method="POST",
        body="паспорт".encode(),
        headers={"content-type": 'text/plain; charset="UTF-8"', "x-kannel-coding": "0"},
        event=incoming("паспорт"),
    ),
    Read(
        "post-url without a key",
        f"id={KANNEL_ID}",
        method="POST",
        body=b"hi",
        headers={"content-type": "text/plain", "x-kannel-from": PHONE},
        status=401,
    ),
    # Delivery reports: the dlr-url is REPORT_URL?key=...&ref=...&status=%d&answer=%A
    Read(
        "DLR 1: delivered",
        report("ref=17&status=1&answer="),
        path="/sms/kannel/report",
        event=Report(ref="17", delivery="delivered", detail="kannel 1: delivered to the phone"),
    ),
    Read(
        "DLR 2: failed",
        report("ref=17&status=2&answer=id%3A1+stat%3AUNDELIV+err%3A001+text%3A%D0%BF%D0%B0"),
        path="/sms/kannel/report",
        event=Report(
            ref="17",
            delivery="failed",
            detail="kannel 2: not delivered to the phone (stat:UNDELIV err:001)",
        ),
    ),
    Read(
        "DLR 4: buffered",
        report("ref=17&status=4&answer="),
        path="/sms/kannel/report",
        event=Report(ref="17", delivery="pending", detail="kannel 4: buffered by the SMSC"),
    ),
    Read(
        "DLR 8: accepted by the SMSC",
        report("ref=17&status=8&answer=ACK%2F"),
        path="/sms/kannel/report",
        event=Report(ref="17", delivery="pending", detail="kannel 8: accepted by the SMSC"),
    ),
    Read(
        "DLR 16: an invalid number",
        report("ref=17&status=16&answer=NACK%2F0x0000000b%2FInvalid+Destination+Address"),
        path="/sms/kannel/report",
        event=Report(
            ref="17",
            delivery="failed",
            detail="kannel 16: rejected by the SMSC (NACK 0x0000000b Invalid Destination Address)",
            invalid_number=True,
        ),
    ),
    Read(
        "DLR 16: throttled, the number is fine",
        report("ref=17&status=16&answer=NACK%2F0x00000058%2FThrottling+error"),
        path="/sms/kannel/report",
        event=Report(
            ref="17",
            delivery="failed",
            detail="kannel 16: rejected by the SMSC (NACK 0x00000058 Throttling error)",
        ),
    ),
    Read(
        "DLR of an unknown type", report("ref=17&status=64"), path="/sms/kannel/report", status=400
    ),  # fmt: skip
    Read(
        "DLR type not a number", report("ref=17&status=ok"), path="/sms/kannel/report", status=400
    ),  # fmt: skip
    Read("DLR without ref", report("status=1"), path="/sms/kannel/report", status=400),
    Read("DLR without status", report("ref=17"), path="/sms/kannel/report", status=400),
    Read(
        "DLR with a wrong key", "key=nope&ref=17&status=1", path="/sms/kannel/report", status=401
    ),  # fmt: skip
]


def raw_request(method: str, path: str, query: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": method,
            "path": path,
            "query_string": query.encode("ascii"),
            "headers": [],
            "scheme": "http",
            "server": ("127.0.0.1", 8080),
        }
    )


@pytest.mark.parametrize("case", READS, ids=[case.label for case in READS])
async def test_read(case: Read) -> None:
    gateway = KannelGateway(settings(), client=httpx.AsyncClient(), report_url=REPORT_URL)
    if len(case.query) > 60_000:  # longer than httpx lets a URL be: straight to read()
        request = raw_request(case.method, case.path, case.query)
        if case.status == 200:
            assert await gateway.read(request, case.body) == case.event
            return
        with pytest.raises(Refused) as refused:
            await gateway.read(request, case.body)
        assert refused.value.status == case.status
        return
    async with reading(gateway) as (client, events):
        response = await client.request(
            case.method, f"{case.path}?{case.query}", content=case.body, headers=case.headers
        )
    assert response.status_code == case.status, response.text
    if case.status == 200:
        assert events == [case.event]
        assert response.content == b""  # with max-messages = 0 nothing goes to the phone anyway
    else:
        assert events == []


async def test_a_repeated_message_keeps_its_id() -> None:
    """smsbox asks again with the same URL (http-request-retry): the same gateway_id, so the
    switchboard drops the repeat."""
    gateway = KannelGateway(settings(), client=httpx.AsyncClient(), report_url=REPORT_URL)
    query = mo_query(ucs2("паспорт забрали"))
    async with reading(gateway) as (client, events):
        for _ in range(2):
            assert (await client.get(f"/sms/kannel?{query}")).status_code == 200
    assert events == [incoming("паспорт забрали")] * 2


def test_registered() -> None:
    assert GATEWAYS["kannel"] is KannelGateway


async def test_an_empty_relay_key_lets_nothing_in() -> None:
    gateway = KannelGateway(
        settings(sms_gateway="", sms_relay_key=SecretStr("")),
        client=httpx.AsyncClient(),
        report_url=REPORT_URL,
    )
    async with reading(gateway) as (client, events):
        response = await client.get("/sms/kannel?key=&from=1&text=a")
    assert response.status_code == 401 and events == []


# -- sending through sendsms -------------------------------------------------------------------


def expand_dlr_url(pattern: str, status: int, answer: str = "") -> str:
    """What smsbox fetches for a DLR: %d and %A replaced, %% made %, other escapes kept
    (urltrans.c)."""
    out, position = [], 0
    while position < len(pattern):
        char = pattern[position]
        if char != "%" or position + 1 == len(pattern):
            out.append(char)
            position += 1
            continue
        code = pattern[position + 1]
        if code == "d":
            out.append(str(status))
        elif code == "A":
            out.append(kannel_encode(answer.encode()))
        elif code == "%":
            out.append("%")
        else:
            out.append("%" + code)
        position += 2
    return "".join(out)


async def test_send_gsm_text() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, text="0: Accepted for delivery")

    gateway, client = gateway_with(handler)
    async with client:
        assert await gateway.send(PHONE, "Call 112 {now} @ 100€\nok", ref="17") is None
    (request,) = seen
    assert request.method == "GET"
    assert str(request.url).startswith("http://127.0.0.1:13013/cgi-bin/sendsms?")
    params = {name: values[0] for name, values in parse_qs(request.url.query.decode()).items()}
    assert params["username"] == "hotline"
    assert params["password"] == "sendsms-password"
    assert params["to"] == PHONE
    assert params["text"] == "Call 112 {now} @ 100€\nok"
    assert params["coding"] == "0"
    assert params["charset"] == "UTF-8"
    assert params["dlr-mask"] == str(DLR_MASK) == "31"
    assert "from" not in params  # Kannel's default-sender
    assert params["dlr-url"] == f"{REPORT_URL}?key={KEY}&ref=17&status=%d&answer=%A"


async def test_send_cyrillic_as_ucs2_from_our_sender() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, text="3: Queued for later delivery")

    gateway, client = gateway_with(handler, sms_sender="Hotline")
    async with client:
        assert await gateway.send(PHONE, "Паспорт не имеют права забирать.", ref="18") is None
    params = {k: v[0] for k, v in parse_qs(seen[0].url.query.decode()).items()}
    assert params["coding"] == "2"
    assert params["charset"] == "UTF-8"
    assert params["text"] == "Паспорт не имеют права забирать."
    assert params["from"] == "Hotline"


async def test_no_ref_no_delivery_report() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, text="0: Accepted for delivery")

    gateway, client = gateway_with(handler)
    async with client:
        await gateway.send(PHONE, "hi", ref="")
    params = parse_qs(seen[0].url.query.decode())
    assert "dlr-url" not in params and "dlr-mask" not in params


@pytest.mark.parametrize(
    ("key", "ref"),
    [(KEY, "17"), ("k%C3y+/&=é", "r/1 %d%A&x=é")],
    ids=["plain", "characters Kannel and URLs treat specially"],
)
async def test_the_dlr_url_comes_back_as_a_report(key: str, ref: str) -> None:
    """The dlr-url we give survives smsbox's escape codes: the report it fetches reads back
    to our ref, with our key."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202, text="0: Accepted for delivery")

    gateway, client = gateway_with(handler, sms_relay_key=SecretStr(key))
    async with client:
        await gateway.send(PHONE, "hi", ref=ref)
    pattern = parse_qs(seen[0].url.query.decode())["dlr-url"][0]
    fetched = urlsplit(expand_dlr_url(pattern, 1))
    assert fetched.path == "/sms/kannel/report"
    async with reading(gateway) as (reader, events):
        response = await reader.get(f"{fetched.path}?{fetched.query}")
    assert response.status_code == 200, response.text
    assert events == [
        Report(ref=ref, delivery="delivered", detail="kannel 1: delivered to the phone")
    ]


@dataclass
class Outcome:
    label: str
    status: int = 202
    body: str = ""
    error: Exception | None = None  # raised by the transport
    retryable: bool | None = None  # None: accepted
    unreachable: bool = False
    retry_after: float | None = None


OUTCOMES = [
    Outcome("accepted", 202, "0: Accepted for delivery"),
    Outcome("queued for later", 202, "3: Queued for later delivery"),
    Outcome("immediate-sendsms-reply", 202, "Sent."),
    Outcome("queue full", 503, "Temporal failure, try again later.", retryable=True),
    Outcome("sending failed", 500, "Sending failed.", retryable=True),
    Outcome("smsbox down", error=httpx.ConnectError("refused"), retryable=True),
    Outcome("smsbox slow", error=httpx.ReadTimeout("slow"), retryable=True),
    Outcome(
        "a number made of other characters",
        400,
        "Number(s) has/have been denied by white- and/or black-lists.",
        retryable=False,
        unreachable=True,
    ),
    Outcome(
        "an empty number",
        400,
        "Empty receiver number not allowed, rejected",
        retryable=False,
        unreachable=True,
    ),
    Outcome("a malformed field", 400, "Coding field misformed, rejected", retryable=False),
    Outcome("no sender", 400, "Sender missing and no global set, rejected", retryable=False),
    Outcome("no route", 403, "Not routable. Do not try again.", retryable=False),
    # Ours to fix, not the message's fault: tried again later (like every gateway here).
    Outcome(
        "wrong sendsms password",
        403,
        "Authorization failed for sendsms",
        retryable=True,
        retry_after=60,
    ),
    Outcome("rate limited", 429, "", retryable=True, retry_after=60),
]


@pytest.mark.parametrize("case", OUTCOMES, ids=[case.label for case in OUTCOMES])
async def test_send_outcome(case: Outcome, caplog: pytest.LogCaptureFixture) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if case.error is not None:
            raise case.error
        return httpx.Response(case.status, text=case.body)

    gateway, client = gateway_with(handler)
    text = "Паспорт заберите у работодателя"
    caplog.set_level(logging.DEBUG)
    async with client:
        if case.retryable is None:
            assert await gateway.send(PHONE, text, ref="17") is None
            said = caplog.text
        else:
            with pytest.raises(SendError) as raised:
                await gateway.send(PHONE, text, ref="17")
            assert raised.value.retryable is case.retryable
            assert raised.value.unreachable is case.unreachable
            assert raised.value.retry_after == case.retry_after
            said = caplog.text + str(raised.value)
    # Neither we nor httpx (which logs request URLs at INFO) give away the number, the text
    # or the password.
    assert "sendsms" in caplog.text or case.error is not None
    for secret in (PHONE, PHONE[1:], text, quote(text), "sendsms-password"):
        assert secret not in said


# -- a real Kannel -----------------------------------------------------------------------------

MO_TEXTS = ["паспорт забрали", "паспортумду алып коюшту", "Работодатель не платит"]
REPLY = (
    "Работодатель не имеет права забирать ваш паспорт. Позвоните на горячую линию: "
    "0800 123 456, это бесплатно."
)
GSM_REPLY = "Call 112 now.\nHotline: 0800 123 456 {free}"
# A key and a ref with characters that URLs and Kannel's escape codes treat specially.
REAL_KEY = "k3y%C3+/&=x"


@asynccontextmanager
async def hotline_stand_in(
    events: asyncio.Queue[Incoming | Report],
) -> AsyncIterator[tuple[str, KannelGateway, httpx.AsyncClient]]:
    """A loopback HTTP server that reads smsbox's requests with KannelGateway, as the SMS
    channel will."""
    (port,) = free_ports(1)
    base = f"http://127.0.0.1:{port}"
    client = httpx.AsyncClient(timeout=10)
    gateway = KannelGateway(
        settings(sms_relay_key=SecretStr(REAL_KEY)),
        client=client,
        report_url=f"{base}/sms/kannel/report",
    )
    config = uvicorn.Config(
        app_for(gateway, events.put_nowait),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
        access_log=False,
        ws="none",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        yield base, gateway, client
    finally:
        server.should_exit = True
        await task
        await client.aclose()


async def next_event(
    events: asyncio.Queue, kind: type, *, within: float = 15.0, **match: object
) -> Incoming | Report:
    """The next event of this kind (and these field values), skipping others."""
    deadline = time.monotonic() + within
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {kind.__name__} {match} within {within} s")
        try:
            event = await asyncio.wait_for(events.get(), remaining)
        except TimeoutError:
            continue
        if isinstance(event, kind) and all(getattr(event, k) == v for k, v in match.items()):
            return event


async def test_real_kannel_round_trip(tmp_path: Path) -> None:
    kannel_harness.require_kannel()
    events: asyncio.Queue[Incoming | Report] = asyncio.Queue()
    async with (
        hotline_stand_in(events) as (base, gateway, client),
        running_kannel(base, REAL_KEY, directory=tmp_path / "kannel") as kannel,
    ):
        # The hotline's settings for sending come from the running Kannel.
        sending = KannelGateway(
            settings(**kannel_settings(kannel)), client=client, report_url=gateway.report_url
        )

        # A phone writes in Russian and Kyrgyz: fakesmsc sends UCS-2, smsbox calls get-url.
        for text in MO_TEXTS:
            await kannel.send_from_phone(PHONE, text)
        got = [await next_event(events, Incoming) for _ in MO_TEXTS]
        assert sorted(event.text for event in got) == sorted(MO_TEXTS), kannel.logs()
        assert {event.sender for event in got} == {PHONE}
        ids = {event.gateway_id for event in got}
        assert None not in ids and len(ids) == len(MO_TEXTS)

        # The reply: UCS-2 over 70 characters, so two concatenated parts.
        assert len(REPLY) > 70
        assert await sending.send(PHONE, REPLY, ref="17") is None
        assert await kannel.received(timeout=15) == [(PHONE, REPLY)], kannel.logs()
        delivered = await next_event(events, Report, ref="17", delivery="delivered")
        assert delivered.detail == "kannel 1: delivered to the phone"

        # GSM-7 with a line break and the extension table, and a ref Kannel must not mangle.
        ref = "r/1 %d%C3&x=é"
        await sending.send(PHONE, GSM_REPLY, ref=ref)
        assert await kannel.received(timeout=15) == [(PHONE, GSM_REPLY)], kannel.logs()
        await next_event(events, Report, ref=ref, delivery="delivered")


# -- the harness itself (no Kannel needed) -----------------------------------------------------


def test_the_tests_run_the_sample_config_with_only_ports_paths_and_secrets_changed(
    tmp_path: Path,
) -> None:
    ports = Ports(admin=20000, smsbox=20001, sendsms=20002, fake_smsc=20003)
    config, username = render_config(
        hotline_url="http://127.0.0.1:9999",
        relay_key="k%C3y&",
        ports=ports,
        directory=tmp_path,
        sendsms_password="pw",
        admin_password="admin",
    )
    assert username == "hotline"
    sample = SAMPLE.read_text(encoding="utf-8").splitlines()
    rendered = config.splitlines()
    assert len(sample) == len(rendered)
    changed = {
        before.split("=", 1)[0].strip(): after.split("=", 1)[1].strip()
        for before, after in zip(sample, rendered, strict=True)
        if before != after
    }
    assert changed == {
        "admin-port": "20000",
        "admin-password": "admin",
        "smsbox-port": "20001",
        "log-file": f'"{tmp_path / "smsbox.log"}"',  # and bearerbox.log (same name, see below)
        "store-location": f'"{tmp_path / "kannel.store"}"',
        "port": "20003",
        "bearerbox-port": "20001",
        "sendsms-port": "20002",
        "password": "pw",
        "get-url": '"http://127.0.0.1:9999/sms/kannel?key=k%%25C3y%%26&id=%I&from=%p&to=%P'
        '&coding=%c&charset=%C&text=%b"',
    }
    assert f'log-file = "{tmp_path / "bearerbox.log"}"' in rendered
    assert "#port = 2775" in rendered  # the commented SMSC stays as it is


def test_render_config_notices_a_changed_sample(tmp_path: Path) -> None:
    sample = tmp_path / "kannel.conf"
    sample.write_text(SAMPLE.read_text().replace("sendsms-port", "sendsms-port-ssl"))
    with pytest.raises(ValueError, match="sendsms-port"):
        render_config(
            hotline_url="http://127.0.0.1:9999",
            relay_key="k",
            ports=Ports(1, 2, 3, 4),
            directory=tmp_path,
            sendsms_password="pw",
            admin_password="admin",
            sample=sample,
        )


@pytest.mark.parametrize("ci", [None, "true"])
def test_without_kannel_skip_or_fail_on_ci(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    monkeypatch.setattr(kannel_harness, "BEARERBOX", "/nonexistent/bearerbox")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
        expected = pytest.skip.Exception
    else:
        monkeypatch.setenv("CI", ci)
        expected = pytest.fail.Exception
    with pytest.raises(expected, match="apt-get install kannel kannel-extras"):
        kannel_harness.require_kannel()


async def test_what_fakesmsc_prints_is_read_back(tmp_path: Path) -> None:
    kannel = Kannel(
        directory=tmp_path,
        ports=Ports(1, 2, 3, 4),
        sendsms_url="",
        username="",
        password="",
        relay_key="",
        admin_password="",
    )
    prefix = "2026-12-01 09:27:06 [20321] [0] DEBUG: Got message {}: <{}>"
    part = "%05%00%03%07%02%0{} data {}"
    lines = [
        "1234 +79001234567 ucs-2 %04%1F%04%40%048%042%045%04B",
        "1234 +79001234567 text Call 112",
        "or 0800 {free}",  # the rest of the text above, after its line break
        "1234 +79001234567 udh " + part.format(2, kannel_encode(ucs2("мир"))),
        "1234 +79001234567 udh " + part.format(1, kannel_encode(ucs2("Привет, "))),
        "1234 +79001234567 data caf%C3%A9",
    ]
    for number, line in enumerate(lines, 1):
        kannel._line(prefix.format(number, line))
    kannel._last_output = 0  # as if the output had gone quiet
    assert await kannel.received(timeout=1, count=4) == [
        ("+79001234567", "Привет"),
        ("+79001234567", "Call 112\nor 0800 {free}"),
        ("+79001234567", "Привет, мир"),
        ("+79001234567", "café"),
    ]
    assert await kannel.received(timeout=0.1) == []


# -- the whole hotline behind a real Kannel ----------------------------------------------------


async def test_the_hotline_over_a_real_kannel(tmp_path: Path, settings: Settings, tree) -> None:
    """A phone writes through fakesmsc, bearerbox and smsbox; the hotline answers through
    sendsms: Russian and Kyrgyz text intact, pages within the budget, "+" for more, STOP
    honoured, delivery reports recorded."""
    from bot.app import create_app
    from bot.channels.sms.segments import segments
    from bot.storage.models import OutboxMessage

    kannel_harness.require_kannel()
    kyrgyz_phone = "+996555000111"
    # Kannel needs the hotline's address and the hotline Kannel's: take the port first.
    (port,) = free_ports(1)
    base = f"http://127.0.0.1:{port}"
    async with running_kannel(base, REAL_KEY, directory=tmp_path / "kannel") as kannel:
        update = {**kannel_settings(kannel), "sms_callback_url": base, "sms_max_per_second": 50}
        app = create_app(settings.model_copy(update=update))
        server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws="none"
            )
        )
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)

            # Russian: the summary first, within three segments, then "+" for the next page.
            await kannel.send_from_phone(PHONE, "забрали паспорт")
            replies = await kannel.received(timeout=20)
            assert replies, kannel.logs()
            to, first = replies[0]
            assert to == PHONE
            summary = tree.nodes["trafficking/passport-taken"].summaries["ru"]
            assert first.startswith(summary), first
            assert all(segments(text) <= 3 for _, text in replies)
            await kannel.send_from_phone(PHONE, "+")
            later = await kannel.received(timeout=20)
            assert len(later) == 1, (replies, later, kannel.logs()[-6000:])
            [(_, second)] = later
            assert segments(second) <= 3 and second != first

            # Kyrgyz, from another phone: answered in Kyrgyz where the page has Kyrgyz.
            await kannel.send_from_phone(kyrgyz_phone, "паспортумду алып коюшту")
            [(to, answer), *_] = await kannel.received(timeout=20)
            node = tree.nodes["trafficking/passport-taken"]
            expected = node.summaries.get("ky") or node.summaries["ru"]
            assert to == kyrgyz_phone and answer.startswith(expected), answer

            # STOP: one confirmation, then nothing, even to a question.
            await kannel.send_from_phone(PHONE, "STOP")
            [(_, confirmation)] = await kannel.received(timeout=20)
            assert "START" in confirmation
            await kannel.send_from_phone(PHONE, "как получить патент")
            assert await kannel.received(timeout=3) == []

            # Delivery reports reached the messages they are about.
            hotline = app.state.hotline
            table = OutboxMessage.__table__
            for _ in range(100):
                rows = await hotline.database.run(lambda c: c.execute(table.select()).all())
                if all(row.delivery == "delivered" for row in rows):
                    break
                await asyncio.sleep(0.1)
            assert rows and all(row.status == "sent" for row in rows)
            assert all(row.delivery == "delivered" for row in rows), [r.delivery for r in rows]
        finally:
            server.should_exit = True
            await task
